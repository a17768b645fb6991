package dev.vmx.spark;

import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.KvmTraceSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Measures events per second: the {@code kvmtrace} source with the {@link ExitStatisticsAggregator}
 * on {@code local[N]}, against {@code ExitStatistics.readFile(path, N)} over the same files (one after
 * the other, each read by N threads), for each N asked for. Both compute the per-reason table of all
 * files; the run checks that they count the same exits. Timings are the median of the repeats after
 * one warm-up run. Not a JMH benchmark: Spark's run is whole jobs of seconds, not a method.
 *
 * <p>{@code ./mvnw -q -B -pl vmx-spark exec:exec -Dexec.mainClass=dev.vmx.spark.FleetThroughput
 * -Dexec.args="--hosts 16 --files 2 --exits 500000 --threads 1,2,4,8,16 --repeat 3"}; or
 * {@code --dir DIR} to measure existing traces.
 */
public final class FleetThroughput {
    private FleetThroughput() {
    }

    /**
     * Runs the measurement.
     *
     * @param args {@code --dir DIR} or {@code --hosts H --files F --exits E}; {@code --threads 1,2,4}; {@code --repeat R}
     * @throws IOException if the traces cannot be written or listed
     */
    public static void main(String[] args) throws IOException {
        Path dir = null;
        int hosts = 4;
        int files = 2;
        int exits = 100_000;
        int repeat = 3;
        int[] threads = {1, 2};
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--hosts" -> hosts = Integer.parseInt(args[i + 1]);
                case "--files" -> files = Integer.parseInt(args[i + 1]);
                case "--exits" -> exits = Integer.parseInt(args[i + 1]);
                case "--repeat" -> repeat = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --dir DIR | --hosts H --files F --exits E, --threads 1,2,4, --repeat R");
            }
        }
        boolean simulated = dir == null;
        if (simulated) {
            dir = Files.createTempDirectory("vmx-fleet-throughput");
            SimulatedFleet.write(dir, hosts, files, exits, 11);
        }
        try {
            measure(dir, threads, repeat);
        } finally {
            if (simulated) {
                try (Stream<Path> paths = Files.walk(dir)) {
                    for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
    }

    private static void measure(Path dir, int[] threads, int repeat) throws IOException {
        List<Path> traces;
        try (Stream<Path> walk = Files.walk(dir)) {
            traces = walk.filter(Files::isRegularFile).sorted().toList();
        }
        long bytes = 0;
        for (Path p : traces) {
            bytes += Files.size(p);
        }
        System.out.printf(Locale.ROOT, "%d files, %.1f MB, in %s; %d available processors%n", traces.size(), bytes / 1e6, dir,
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%7s %16s %16s %8s %14s%n", "threads", "spark events/s", "readFile events/s", "ratio",
                "exits");
        for (int n : threads) {
            long events = 0;
            long sparkExits = 0;
            List<Long> sparkNanos = new ArrayList<>();
            SparkSession spark = SparkSession.builder().master("local[" + n + "]").appName("vmx fleet throughput")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", String.valueOf(n)).getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
            try {
                for (int r = 0; r <= repeat; r++) {
                    long start = System.nanoTime();
                    Dataset<Row> all = spark.read().format("kvmtrace").load(dir.toString());
                    Row result = all.agg(org.apache.spark.sql.functions.count("*"),
                            ExitStatisticsAggregator.byReason().apply()).first();
                    long took = System.nanoTime() - start;
                    events = result.getLong(0);
                    sparkExits = result.getStruct(1).getLong(0);
                    if (r > 0) {
                        sparkNanos.add(took);
                    }
                }
            } finally {
                spark.stop();
            }
            long readEvents = 0;
            long readExits = 0;
            List<Long> readNanos = new ArrayList<>();
            for (int r = 0; r <= repeat; r++) {
                long start = System.nanoTime();
                ExitStatistics total = ExitStatistics.byReason();
                long seen = 0;
                for (Path trace : traces) {
                    ExitStatistics one = ExitStatistics.byReason();
                    KvmTraceSummary summary = one.readFile(trace, n);
                    seen += summary.events() + summary.problemCount() + summary.lossLines();
                    total.merge(one);
                }
                long took = System.nanoTime() - start;
                readEvents = seen;
                readExits = total.totalExits();
                if (r > 0) {
                    readNanos.add(took);
                }
            }
            if (readExits != sparkExits) {
                throw new IllegalStateException("Spark counted " + sparkExits + " exits, readFile " + readExits);
            }
            double sparkRate = events / (median(sparkNanos) / 1e9);
            double readRate = readEvents / (median(readNanos) / 1e9);
            System.out.printf(Locale.ROOT, "%7d %16.0f %16.0f %8.2f %14d%n", n, sparkRate, readRate, sparkRate / readRate, readExits);
        }
    }

    private static double median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
