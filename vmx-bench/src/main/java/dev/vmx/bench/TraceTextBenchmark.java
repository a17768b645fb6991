package dev.vmx.bench;

import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.KvmTraceReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * {@link BufferedReader} line count over the same bytes, in the same run. Compare with
 * {@code awk-baseline.sh} for what a user would otherwise write.
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
            return reader.eventCount() + reader.headerCount() + reader.problemCount();
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
