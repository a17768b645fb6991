package dev.vmx.bench;

import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.KvmTraceReader;
import dev.vmx.trace.KvmTraceSummary;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * kvm trace text ingestion: a generated 1,000,000-line kvm_exit/kvm_entry file read by
 * {@link KvmTraceReader} into {@link ExitStatistics}, against the least any reader does, a plain
 * {@link BufferedReader} line count over the same bytes, and against the awk program a user would
 * otherwise write ({@link #awkPerReasonCount()}, a process on the same file), in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(1)
public class TraceTextBenchmark {
    /** Event lines in the generated file. */
    public static final int LINES = 1_000_000;

    private Path file;

    /** Writes the file once per trial. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        file = Files.createTempFile("vmx-trace-", ".txt");
        TraceTextMix.write(file, LINES, 7);
    }

    /** Deletes the file. */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
    }

    /** @return exits counted */
    @Benchmark
    public long typedStatistics() {
        return typed(file).totalExits();
    }

    /**
     * The same work with {@link ExitStatistics#readFile} on all available processors (2 here):
     * the file read in parts at once, merged into the same statistics.
     *
     * @return exits counted
     */
    @Benchmark
    public long typedStatisticsParallel() {
        ExitStatistics stats = ExitStatistics.byReason();
        KvmTraceSummary summary = stats.readFile(file, Runtime.getRuntime().availableProcessors());
        if (summary.problemCount() != 0) {
            throw new IllegalStateException(summary.problems().toString());
        }
        return stats.totalExits();
    }

    /** @return lines the parser saw, without statistics: how the time splits */
    @Benchmark
    public long typedParseOnly() {
        return typedLineCount(file);
    }

    /** @return lines counted */
    @Benchmark
    public long bufferedReaderLineCount() {
        return lineCount(file);
    }

    /** @return newlines counted in the raw bytes: the floor for any line reader, for context */
    @Benchmark
    public long byteNewlineCount() {
        return newlineCount(file);
    }

    /**
     * The per-reason count a user would otherwise write in awk, run as a process on the same file in
     * the same JMH run (the same program as {@code awk-baseline.sh}).
     *
     * @return exits counted by awk
     */
    @Benchmark
    public long awkPerReasonCount() {
        return awkCounts(file).values().stream().mapToLong(Long::longValue).sum();
    }

    /** The awk program: count the word after "reason" on kvm_exit lines, print "count reason". */
    static final String AWK_PROGRAM = "/ kvm_exit: / { for (i = 1; i <= NF; i++) if ($i == \"reason\") "
            + "{ count[$(i + 1)]++; break } } END { for (r in count) printf \"%d %s\\n\", count[r], r }";

    /**
     * Runs {@code awk} from the PATH (Debian's default is mawk) over the file.
     *
     * @return exits per reason word, as awk counted them
     * @throws IllegalStateException if awk is missing, fails, or prints something else
     */
    static java.util.Map<String, Long> awkCounts(Path file) {
        ProcessBuilder builder = new ProcessBuilder("awk", AWK_PROGRAM, file.toString()).redirectErrorStream(true);
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        try {
            Process process = builder.start();
            List<String> output;
            try (BufferedReader out = new BufferedReader(new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                output = out.lines().collect(java.util.stream.Collectors.toList());
            }
            int status = process.waitFor();
            if (status != 0) {
                throw new IllegalStateException("awk exited with " + status + ": " + output);
            }
            for (String line : output) {
                String[] columns = line.split(" ");
                if (columns.length != 2) {
                    throw new IllegalStateException("unexpected awk output line: " + line);
                }
                counts.put(columns[1], Long.parseLong(columns[0]));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run awk (install mawk or gawk): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while awk ran", e);
        }
        return counts;
    }

    static ExitStatistics typed(Path file) {
        ExitStatistics stats = ExitStatistics.byReason();
        try (KvmTraceReader reader = KvmTraceReader.open(file)) {
            while (reader.advance()) {
                stats.accept(reader.event());
            }
            if (reader.problemCount() != 0) {
                throw new IllegalStateException(reader.problems().toString());
            }
        }
        return stats;
    }

    /** Lines the typed path saw: events plus header lines, for the agreement test. */
    static long typedLineCount(Path file) {
        try (KvmTraceReader reader = KvmTraceReader.open(file)) {
            while (reader.advance()) {
                // count only
            }
            return reader.eventCount() + reader.headerCount() + reader.lossLines() + reader.problemCount();
        }
    }

    static long newlineCount(Path file) {
        long lines = 0;
        byte[] buffer = new byte[1 << 17];
        try (java.io.InputStream in = Files.newInputStream(file)) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                for (int i = 0; i < read; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

    static long lineCount(Path file) {
        long lines = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            while (reader.readLine() != null) {
                lines++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }
}
