package dev.vmx.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The quick run for people and release checks (not for CI: timings are noisy): runs every typed
 * benchmark and its baseline in one JMH run with {@code -prof gc}, prints per pair the typed score,
 * the baseline score, their ratio and the typed path's bytes per operation, and exits with status 1
 * when a goal is missed.
 *
 * <p>Each benchmark runs in {@link #FORKS} forks, and a score is the median of the forks' means,
 * printed with the range over forks: C2 compiles a {@code switch} from the profile it collects,
 * and now and then one fork's dispatch loop comes out in a much faster shape (3.7 instead of
 * 6.8 us per 4096 exits for the raw switch, in about one fork in six here), so the mean or the
 * best fork of a few would compare a typed path in one shape with its baseline in the other.
 *
 * <p>Run: {@code java -cp vmx-bench/target/benchmarks.jar dev.vmx.bench.QuickRun [regex]}
 */
public final class QuickRun {
    /**
     * A typed benchmark, its baseline, and the goals the typed one must meet.
     *
     * @param typed the typed benchmark, {@code Class.method}
     * @param baseline the baseline in the same run, {@code Class.method}
     * @param maxRatio the largest typed/baseline time ratio allowed
     * @param maxBytesPerOp the most bytes the typed path may allocate per operation
     * @param itemsPerOp how many items (exits, lines, events) one operation processes
     * @param minItemsPerSecond the least items per second the typed path must sustain, 0 for no goal
     */
    record Pair(String typed, String baseline, double maxRatio, double maxBytesPerOp,
                long itemsPerOp, double minItemsPerSecond) {
    }

    /** The goals of the benchmark issue; a new benchmark pair gets a row here. */
    static final List<Pair> PAIRS = List.of(
            // switch (reason.basic()) is reported, not a goal row: javac compiles an enum switch to a
            // lookup through a synthetic $SwitchMap array (three dependent loads the raw int switch
            // lacks); the goal applies to the idioms the API offers for hot paths (see RESULTS.md)
            new Pair("ExitReasonBenchmark.typed", "ExitReasonBenchmark.rawBaseline",
                    Double.POSITIVE_INFINITY, 1.0, ExitReasonBenchmark.EXITS, 0),
            new Pair("ExitReasonBenchmark.typedNumberSwitch", "ExitReasonBenchmark.rawBaseline",
                    1.10, 1.0, ExitReasonBenchmark.EXITS, 0),
            new Pair("ExitReasonBenchmark.typedView", "ExitReasonBenchmark.rawBaseline",
                    1.10, 1.0, ExitReasonBenchmark.EXITS, 0),
            new Pair("QualificationBenchmark.eptTyped", "QualificationBenchmark.eptBaseline",
                    1.10, 1.0, QualificationBenchmark.VALUES, 0),
            new Pair("QualificationBenchmark.crTyped", "QualificationBenchmark.crBaseline",
                    Double.POSITIVE_INFINITY, 1.0, QualificationBenchmark.VALUES, 0),
            new Pair("QualificationBenchmark.crTypedPredicates", "QualificationBenchmark.crBaseline",
                    1.10, 1.0, QualificationBenchmark.VALUES, 0),
            new Pair("QualificationBenchmark.ioTyped", "QualificationBenchmark.ioBaseline",
                    1.10, 1.0, QualificationBenchmark.VALUES, 0),
            new Pair("QualificationBenchmark.interruptionTyped", "QualificationBenchmark.interruptionBaseline",
                    1.10, 1.0, QualificationBenchmark.VALUES, 0),
            new Pair("FieldLookupBenchmark.ofEncoding", "FieldLookupBenchmark.arrayIndex",
                    1.50, 1.0, FieldLookupBenchmark.LOOKUPS, 0),
            // reported, no ratio goal: unwrapping the Optional is one more dependent load than the array
            new Pair("FieldLookupBenchmark.fromEncoding", "FieldLookupBenchmark.arrayIndex",
                    Double.POSITIVE_INFINITY, 1.0, FieldLookupBenchmark.LOOKUPS, 0),
            // the goal for field lookup by encoding (1.5x) covers FieldEncoding decoding too
            new Pair("FieldLookupBenchmark.decodeEncoding", "FieldLookupBenchmark.maskEncoding",
                    1.50, 1.0, FieldLookupBenchmark.LOOKUPS, 0),
            // the copy is a floor, not a twin: the goal is the event rate and no allocation
            new Pair("TracefsPageBenchmark.decodePages", "TracefsPageBenchmark.copyPages",
                    Double.POSITIVE_INFINITY, 1.0, TracefsPageBenchmark.eventsPerCall(), 10_000_000),
            // issue 7: at least 0.5x the speed of a BufferedReader line count, 1M lines/s, ~0 B per line
            new Pair("TraceTextBenchmark.typedStatistics", "TraceTextBenchmark.bufferedReaderLineCount",
                    2.0, TraceTextBenchmark.LINES, TraceTextBenchmark.LINES, 1_000_000),
            // issue 7: at least 5x faster than the awk per-reason count on the same file; one thread
            // is reported, the goal is checked on readFile with the machine's cores. readFile's
            // allocation is per part (a reader buffer and a set of rows, ~0.55 MB each), not per line:
            // two parts of a 1M-line file stay under 2 bytes per line
            new Pair("TraceTextBenchmark.typedStatistics", "TraceTextBenchmark.awkPerReasonCount",
                    Double.POSITIVE_INFINITY, TraceTextBenchmark.LINES, TraceTextBenchmark.LINES, 1_000_000),
            new Pair("TraceTextBenchmark.typedStatisticsParallel", "TraceTextBenchmark.awkPerReasonCount",
                    0.20, 2.0 * TraceTextBenchmark.LINES, TraceTextBenchmark.LINES, 1_000_000),
            // issue 17: trace.dat statistics at least 5x faster per event than text, within 2x of copying the pages
            new Pair("TraceDatBenchmark.traceDatStatistics", "TraceDatBenchmark.textStatistics",
                    0.20, 2.0 * TraceDatBenchmark.EVENTS, TraceDatBenchmark.EVENTS, 0),
            new Pair("TraceDatBenchmark.traceDatStatistics", "TraceDatBenchmark.copyTraceDatPages",
                    2.0, 2.0 * TraceDatBenchmark.EVENTS, TraceDatBenchmark.EVENTS, 0));

    /** Forks per benchmark; see the class comment. */
    static final int FORKS = 3;

    private QuickRun() {
    }

    /**
     * Runs the quick benchmark pass.
     *
     * @param args optional regex selecting pairs by typed benchmark name
     * @throws RunnerException if JMH fails
     */
    public static void main(String[] args) throws RunnerException {
        Pattern filter = Pattern.compile(args.length > 0 ? args[0] : ".*");
        List<Pair> selected = new ArrayList<>();
        ChainedOptionsBuilder options = new OptionsBuilder()
                .forks(FORKS).warmupIterations(3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(3).measurementTime(TimeValue.seconds(1))
                .addProfiler(GCProfiler.class);
        for (Pair pair : PAIRS) {
            if (filter.matcher(pair.typed()).find()) {
                selected.add(pair);
                options.include("\\." + Pattern.quote(pair.typed()) + "$");
                options.include("\\." + Pattern.quote(pair.baseline()) + "$");
            }
        }
        if (selected.isEmpty()) {
            System.err.println("no benchmark pair matches " + filter);
            System.exit(2);
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        Map<String, RunResult> byName = new LinkedHashMap<>();
        for (RunResult result : results) {
            String label = result.getParams().getBenchmark();
            byName.put(label.substring(label.lastIndexOf('.', label.lastIndexOf('.') - 1) + 1), result);
        }
        System.exit(report(selected, byName) ? 0 : 1);
    }

    /** The median of the forks' mean primary scores in ns/op, whatever unit the benchmark reports in. */
    static double nanos(RunResult result) {
        double[] forks = forkNanos(result);
        int middle = forks.length / 2;
        return forks.length % 2 == 1 ? forks[middle] : (forks[middle - 1] + forks[middle]) / 2;
    }

    /** Each fork's mean primary score in ns/op, sorted. */
    static double[] forkNanos(RunResult result) {
        List<Double> scores = new ArrayList<>();
        for (org.openjdk.jmh.results.BenchmarkResult fork : result.getBenchmarkResults()) {
            scores.add(nanos(fork.getPrimaryResult()));
        }
        return scores.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    private static String withRange(RunResult result) {
        double[] forks = forkNanos(result);
        return String.format(Locale.ROOT, "%.1f [%.1f-%.1f]", nanos(result), forks[0], forks[forks.length - 1]);
    }

    private static double nanos(Result<?> primary) {
        String unit = primary.getScoreUnit();
        double factor = unit.startsWith("ns/") ? 1 : unit.startsWith("us/") ? 1e3 : unit.startsWith("ms/") ? 1e6
                : unit.startsWith("s/") ? 1e9 : Double.NaN;
        if (Double.isNaN(factor)) {
            throw new IllegalStateException("a benchmark reports in " + unit + ", not time per operation");
        }
        return primary.getScore() * factor;
    }

    /** Prints the table; true when every goal is met. */
    static boolean report(List<Pair> pairs, Map<String, RunResult> byName) {
        boolean allMet = true;
        System.out.printf(Locale.ROOT, "%n%-44s %26s %26s %7s %9s %14s  %s%n",
                "typed benchmark", "typed ns/op", "baseline ns/op", "ratio", "B/op", "items/s", "goal");
        System.out.println("(scores: the median of " + FORKS + " forks, [the range over forks] after each)");
        for (Pair pair : pairs) {
            RunResult typed = byName.get(pair.typed());
            RunResult baseline = byName.get(pair.baseline());
            if (typed == null || baseline == null) {
                System.out.println(pair.typed() + ": missing result, goal not checked");
                allMet = false;
                continue;
            }
            double typedScore = nanos(typed);
            double baselineScore = nanos(baseline);
            double ratio = typedScore / baselineScore;
            double bytesPerOp = secondary(typed, "gc.alloc.rate.norm");
            double itemsPerSecond = pair.itemsPerOp() * 1e9 / typedScore;
            List<String> missed = new ArrayList<>();
            if (ratio > pair.maxRatio()) {
                missed.add(String.format(Locale.ROOT, "ratio > %.2f", pair.maxRatio()));
            }
            if (Double.isNaN(bytesPerOp)) {
                missed.add("no gc.alloc.rate.norm result");
            } else if (bytesPerOp > pair.maxBytesPerOp()) {
                missed.add(String.format(Locale.ROOT, "B/op > %.0f", pair.maxBytesPerOp()));
            }
            if (pair.minItemsPerSecond() > 0 && itemsPerSecond < pair.minItemsPerSecond()) {
                missed.add(String.format(Locale.ROOT, "items/s < %.0f", pair.minItemsPerSecond()));
            }
            allMet &= missed.isEmpty();
            System.out.printf(Locale.ROOT, "%-44s %26s %26s %7.3f %9.2f %14.3e  %s%n", pair.typed(),
                    withRange(typed), withRange(baseline),
                    ratio, bytesPerOp, itemsPerSecond,
                    !missed.isEmpty() ? "MISSED: " + String.join(", ", missed)
                            : Double.isInfinite(pair.maxRatio()) ? "met (ratio reported, no ratio goal)" : "met");
        }
        return allMet;
    }

    private static double secondary(RunResult result, String name) {
        Result<?> secondary = result.getSecondaryResults().get(name);
        return secondary == null ? Double.NaN : secondary.getScore();
    }
}
