package dev.vmx.bench;

import java.io.IOException;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * trace.dat to per-reason statistics with 1, 2, 4, 8 and 16 threads ({@code ExitStatistics.readFile}
 * reads time windows of all CPUs at once): events per second per thread count are
 * {@link TraceDatBenchmark#EVENTS} divided by each score. The one-thread score is the baseline of
 * the others.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(1)
public class TraceDatScalingBenchmark {
    /** Threads reading at once. */
    @Param({"1", "2", "4", "8", "16"})
    public int threads;

    private Path text;
    private Path dat;

    /** Writes the file once per trial. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        text = Files.createTempFile("vmx-trace-", ".txt");
        dat = Files.createTempFile("vmx-trace-", ".dat");
        TraceTextMix.write(text, TraceDatBenchmark.EVENTS, 7);
        TraceDatMix.write(text, dat);
    }

    /** Deletes the files. */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(text);
        Files.deleteIfExists(dat);
    }

    /** @return exits counted */
    @Benchmark
    public long traceDatStatistics() {
        return TraceDatBenchmark.statistics(dat, threads);
    }
}
