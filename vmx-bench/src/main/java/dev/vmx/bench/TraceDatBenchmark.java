package dev.vmx.bench;

import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.KvmTraceSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * trace.dat to per-reason exit statistics ({@link ExitStatistics#readFile} on a trace-cmd v6
 * file) against, in the same run, the same events as trace text through the same call, and a plain
 * copy of the file's ring-buffer pages (the floor of any trace.dat reader, as in
 * {@link TracefsPageBenchmark}); {@link TraceDatScalingBenchmark} reads it with 1..16 threads.
 * Both files hold {@link TraceTextBenchmark#LINES} events ({@link TraceTextMix}, converted by
 * {@link TraceDatMix}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(1)
public class TraceDatBenchmark {
    /** Events in both files. */
    public static final int EVENTS = TraceTextBenchmark.LINES;

    private Path text;
    private Path dat;
    private byte[] copy;

    /** Writes both files once per trial. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        text = Files.createTempFile("vmx-trace-", ".txt");
        dat = Files.createTempFile("vmx-trace-", ".dat");
        TraceTextMix.write(text, EVENTS, 7);
        TraceDatMix.write(text, dat);
        copy = new byte[TraceDatMix.PAGE_SIZE];
    }

    /** Deletes the files. */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(text);
        Files.deleteIfExists(dat);
    }

    /** @return exits counted, from the trace.dat on one thread */
    @Benchmark
    public long traceDatStatistics() {
        return statistics(dat, 1);
    }

    /** @return exits counted, from the same events as text on one thread (the text path) */
    @Benchmark
    public long textStatistics() {
        return statistics(text, 1);
    }

    /** @return a checksum of the trace.dat's bytes, copied page by page from the mapped file */
    @Benchmark
    public long copyTraceDatPages() {
        return copyPages(dat, copy);
    }

    static long statistics(Path file, int threads) {
        ExitStatistics statistics = ExitStatistics.byReason();
        KvmTraceSummary summary = statistics.readFile(file, threads);
        if (summary.problemCount() != 0) {
            throw new IllegalStateException(summary.problems().toString());
        }
        return statistics.totalExits();
    }

    /** Maps the file and copies every page (header included) into one page-sized array. */
    static long copyPages(Path file, byte[] copy) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            long sum = 0;
            for (int at = 0; at + copy.length <= mapped.capacity(); at += copy.length) {
                mapped.get(at, copy, 0, copy.length);
                sum += copy[(at >>> 12) & 63];
            }
            return sum;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
