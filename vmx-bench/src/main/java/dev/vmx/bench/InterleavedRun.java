package dev.vmx.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@link TraceDatBenchmark}'s work, interleaved round by round in one JVM, with a probe of the
 * machine's own speed in every round. On a shared virtual machine the host's load comes and
 * goes in phases of a second or more; JMH runs each benchmark's forks one after another, so a
 * benchmark and its baseline can land in different phases. Here each round runs, back to back:
 * an arithmetic loop on 16 KB (no memory traffic: it slows only when the machine does), the
 * trace.dat statistics, the text statistics, the page copy and the paired record walk. A round
 * is steady when its probe is within 5% of the fastest probe; the ratios reported are medians
 * of per-round ratios over steady rounds (and over all rounds, for comparison).
 *
 * <p>With {@code --hand-over} each round also reads the trace.dat into a consumer that only sums
 * what it is handed ({@link TraceDatBenchmark#traceDatHandOverOnly}): the reader's share of the
 * statistics' time. It is an option because a second consumer type makes the reader's call to its
 * consumer bimorphic, which may cost the statistics a little.
 *
 * <pre>java -cp vmx-bench/target/benchmarks.jar dev.vmx.bench.InterleavedRun [ROUNDS] [--hand-over]</pre>
 */
public final class InterleavedRun {
    private static final int WARM_UP_ROUNDS = 8;

    private InterleavedRun() {
    }

    /**
     * Writes the benchmark's two files, runs the rounds, prints each and the medians.
     *
     * @param args optionally the number of measured rounds (default 30)
     * @throws IOException if the files cannot be written
     */
    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 && !args[0].startsWith("-") ? Integer.parseInt(args[0]) : 30;
        boolean handOver = Arrays.asList(args).contains("--hand-over");
        Path text = Files.createTempFile("vmx-trace-", ".txt");
        Path dat = Files.createTempFile("vmx-trace-", ".dat");
        try {
            TraceTextMix.write(text, TraceDatBenchmark.EVENTS, 7);
            TraceDatMix.write(text, dat);
            run(text, dat, rounds, handOver);
        } finally {
            Files.deleteIfExists(text);
            Files.deleteIfExists(dat);
        }
    }

    private static void run(Path text, Path dat, int rounds, boolean handOver) {
        long[] probeState = new long[2048];
        byte[] copy = new byte[TraceDatMix.PAGE_SIZE];
        List<double[]> measured = new ArrayList<>();
        long sink = 0;
        System.out.println("round  probe_ms  tracedat_ms  text_ms  copy_ms  walk2_ms  tracedat/text  tracedat/copy"
                + (handOver ? "  handover_ms" : ""));
        for (int round = 0; round < WARM_UP_ROUNDS + rounds; round++) {
            long t0 = System.nanoTime();
            sink += probe(probeState);
            long t1 = System.nanoTime();
            sink += TraceDatBenchmark.statistics(dat, 1);
            long t2 = System.nanoTime();
            sink += TraceDatBenchmark.statistics(text, 1);
            long t3 = System.nanoTime();
            sink += TraceDatBenchmark.copyPages(dat, copy);
            long t4 = System.nanoTime();
            sink += TraceDatBenchmark.walkRecordsPaired(dat);
            long t5 = System.nanoTime();
            if (handOver) {
                sink += TraceDatBenchmark.handOverOnly(dat);
            }
            long t6 = System.nanoTime();
            double[] row = {(t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6, (t5 - t4) / 1e6,
                (t6 - t5) / 1e6};
            if (round >= WARM_UP_ROUNDS) {
                measured.add(row);
            }
            System.out.println(String.format(Locale.ROOT, "%s%4d  %8.1f  %11.1f  %7.1f  %7.1f  %8.1f  %13.3f  %13.2f",
                    round < WARM_UP_ROUNDS ? "w" : " ", round, row[0], row[1], row[2], row[3], row[4], row[1] / row[2],
                    row[1] / row[3]) + (handOver ? String.format(Locale.ROOT, "  %11.1f", row[5]) : ""));
        }
        double fastestProbe = measured.stream().mapToDouble(row -> row[0]).min().orElseThrow();
        List<double[]> steady = new ArrayList<>();
        for (double[] row : measured) {
            if (row[0] <= fastestProbe * 1.05) {
                steady.add(row);
            }
        }
        summarize("all " + measured.size() + " rounds", measured, handOver);
        summarize(steady.size() + " steady rounds (probe within 5% of its fastest, " + String.format(Locale.ROOT, "%.1f",
                fastestProbe) + " ms)", steady, handOver);
        System.out.println("(checksum " + (sink & 0xff) + ")");
    }

    private static void summarize(String what, List<double[]> rows, boolean handOver) {
        if (rows.isEmpty()) {
            System.out.println(what + ": none");
            return;
        }
        System.out.println(String.format(Locale.ROOT,
                "%s: median trace.dat %.1f ms, text %.1f ms, copy %.1f ms, paired walk %.1f ms;"
                        + " median per-round ratio trace.dat/text %.3f (%.1fx faster), trace.dat/copy %.2f",
                what, median(rows, row -> row[1]), median(rows, row -> row[2]), median(rows, row -> row[3]),
                median(rows, row -> row[4]), median(rows, row -> row[1] / row[2]), 1 / median(rows, row -> row[1] / row[2]),
                median(rows, row -> row[1] / row[3]))
                + (handOver ? String.format(Locale.ROOT, "; hand-over only %.1f ms, text/hand-over %.2f",
                        median(rows, row -> row[5]), median(rows, row -> row[2] / row[5])) : ""));
    }

    private static double median(List<double[]> rows, java.util.function.ToDoubleFunction<double[]> value) {
        double[] values = rows.stream().mapToDouble(value).toArray();
        Arrays.sort(values);
        return values.length % 2 == 1 ? values[values.length / 2]
                : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }

    /** Arithmetic on a 16 KB array that stays in the L1 cache: its time follows the machine's speed only. */
    private static long probe(long[] state) {
        long sum = 0;
        for (int pass = 0; pass < 30_000; pass++) {
            for (int i = 0; i < state.length; i++) {
                long value = state[i] * 0x9E3779B97F4A7C15L + pass;
                state[i] = value ^ (value >>> 29);
                sum += value;
            }
        }
        return sum;
    }
}
