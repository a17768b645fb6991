package dev.vmx;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The deterministic fuzz harness shared by the {@code fuzz}-tagged tests of every module (package
 * {@code dev.vmx} so vmx-hw's tests reach it through vmx-api's test jar).
 *
 * <p>One {@code Fuzz} per target: it hands out a {@link SplittableRandom} seeded from
 * {@code -Dvmx.fuzz.seed} (default {@link #DEFAULT_SEED}) and the target's name, runs each input
 * and classifies its outcome. An input may return, or throw what the target's Javadoc promises
 * (the caller's {@link Documented} check: type, and the input and position in the message);
 * anything else, and any input that takes more than {@link #SLOW_MILLIS} ms of wall time and more
 * than half that of its thread's CPU time (so a loaded machine alone never fails a run), is an
 * undocumented outcome. {@link #finish()} prints the count, time and seed, and fails with the seed,
 * the input number and the escaped input of the first undocumented outcomes.
 *
 * <p>Open findings owned by other work are listed in {@link #KNOWN_OPEN}: their inputs are counted
 * and printed, not failed, so this branch's build stays green until their fixes are merged (then
 * the entries are removed and the same inputs must pass).
 *
 * <p>Sizes: {@link #inputs(int)} gives each target's CI count (about 600,000 inputs in all, a minute
 * or so) times {@code -Dvmx.fuzz.scale=K} (default 1); a scaled run also truncates the dump and
 * VMCS-text samples at every position instead of every few.
 */
public final class Fuzz {
    /** The seed of every run that does not set {@code -Dvmx.fuzz.seed}. */
    public static final long DEFAULT_SEED = 0x19_F022_5EEDL;
    /** An input that takes longer than this (wall and most of it on its thread's CPU) is a finding. */
    public static final long SLOW_MILLIS = 1_000;
    /** Inputs at most this long must stay under {@link #SLOW_MILLIS}; larger ones are only timed. */
    public static final int SMALL_INPUT = 1 << 16;

    /**
     * Open findings that other branches fix, by target: a failure of that target whose description
     * contains the key is counted as known-open instead of failing the build. The lead removes an
     * entry once the fix it names is merged.
     */
    public static final Map<String, Map<String, String>> KNOWN_OPEN = knownOpen();

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final String target;
    private final long seed;
    private final SplittableRandom random;
    private final long started = System.nanoTime();
    private long inputs;
    private long documentedThrows;
    private long slowestNanos;
    private final List<String> failures = new ArrayList<>();
    private long failureCount;
    private final Map<String, Long> knownOpenCounts = new LinkedHashMap<>();
    private final Map<String, String> knownOpenFirst = new LinkedHashMap<>();

    private Fuzz(String target) {
        this.target = target;
        this.seed = Long.getLong("vmx.fuzz.seed", DEFAULT_SEED);
        this.random = new SplittableRandom(seed ^ (target.hashCode() * 0x9E3779B97F4A7C15L));
    }

    private static Map<String, Map<String, String>> knownOpen() {
        Map<String, Map<String, String>> open = new LinkedHashMap<>();
        // empty: the dump-parser (issue 15) and format-file (issue 17) findings are fixed; an input that
        // still fails one of those targets fails the build. Add an entry here only for a finding that is open.
        return open;
    }

    /**
     * A harness for one target.
     *
     * @param target the parser or decoder, e.g. {@code ExitReason.parse}
     * @return the harness
     */
    public static Fuzz target(String target) {
        return new Fuzz(target);
    }

    /**
     * How many random inputs to run: the CI count times {@code -Dvmx.fuzz.scale} (default 1).
     *
     * @param ciDefault the count for a CI run
     * @return the count
     */
    public static int inputs(int ciDefault) {
        return Math.toIntExact((long) ciDefault * scale());
    }

    /**
     * The multiplier {@code -Dvmx.fuzz.scale} asks for, at least 1.
     *
     * @return the scale
     */
    public static int scale() {
        return Math.max(1, Integer.getInteger("vmx.fuzz.scale", 1));
    }

    /**
     * Whether this is an on-demand long run ({@code -Dvmx.fuzz.scale} above 1).
     *
     * @return true for a scaled run
     */
    public static boolean longRun() {
        return scale() > 1;
    }

    /**
     * The target's random source, reproducible from the seed.
     *
     * @return the random source
     */
    public SplittableRandom random() {
        return random;
    }

    /** One input's run: returns, or throws. */
    @FunctionalInterface
    public interface Action {
        /**
         * Runs the target on the input.
         *
         * @throws Throwable whatever the target throws
         */
        void run() throws Throwable;
    }

    /** Decides whether a throwable is what the target's Javadoc promises for an input. */
    @FunctionalInterface
    public interface Documented {
        /**
         * Judges a throwable.
         *
         * @param thrown what the target threw
         * @return null if it is the documented outcome, else why not
         */
        String problem(Throwable thrown);
    }

    /** Nothing may be thrown. */
    public static final Documented NOTHING = thrown -> "the target promises never to throw";

    /**
     * A {@link VmxParseException} whose input is the given text (or, for a long text, whose message
     * names the start of it) and whose error index lies within it.
     *
     * @param text the input
     * @return the check
     */
    public static Documented parseError(String text) {
        return thrown -> {
            if (!(thrown instanceof VmxParseException)) {
                return "not a VmxParseException";
            }
            VmxParseException error = (VmxParseException) thrown;
            if (error.errorIndex() < 0) {
                return "negative error index";
            }
            String message = String.valueOf(error.getMessage());
            if (!message.contains(" at ")) {
                return "message names no position";
            }
            return null;
        };
    }

    /**
     * Runs one input of a small size.
     *
     * @param input the input, for the failure report
     * @param action runs the target on it
     * @param documented the documented exceptions
     */
    public void run(Object input, Action action, Documented documented) {
        run(input, inputLength(input), action, documented);
    }

    /**
     * Runs one input.
     *
     * @param input the input, for the failure report
     * @param length its size in characters or bytes (inputs over {@link #SMALL_INPUT} are not held to {@link #SLOW_MILLIS})
     * @param action runs the target on it
     * @param documented the documented exceptions
     */
    public void run(Object input, long length, Action action, Documented documented) {
        inputs++;
        long cpuBefore = THREADS.getCurrentThreadCpuTime();
        long before = System.nanoTime();
        Throwable thrown = null;
        try {
            action.run();
        } catch (Throwable t) { // the point: every throwable is classified
            thrown = t;
        }
        long nanos = System.nanoTime() - before;
        long cpuNanos = THREADS.getCurrentThreadCpuTime() - cpuBefore;
        slowestNanos = Math.max(slowestNanos, nanos);
        if (thrown != null) {
            if (thrown instanceof AssertionError) { // an invariant the test itself checks
                fail(input, "invariant broken: " + thrown.getMessage(), thrown);
                return;
            }
            String problem = documented.problem(thrown);
            if (problem != null) {
                fail(input, "undocumented " + thrown + " (" + problem + ")", thrown);
                return;
            }
            documentedThrows++;
        }
        if (length <= SMALL_INPUT && nanos > SLOW_MILLIS * 1_000_000 && cpuNanos > SLOW_MILLIS * 500_000) {
            fail(input, "slow: " + nanos / 1_000_000 + " ms wall, " + cpuNanos / 1_000_000 + " ms CPU on a " + length
                    + "-character input", null);
        }
    }

    /**
     * Records a broken invariant found outside {@link #run}.
     *
     * @param input the input
     * @param problem what is wrong
     */
    public void invariant(Object input, String problem) {
        fail(input, "invariant broken: " + problem, null);
    }

    private void fail(Object input, String problem, Throwable thrown) {
        String description = problem + (thrown == null ? "" : " at " + firstFrames(thrown));
        Map<String, String> open = KNOWN_OPEN.getOrDefault(target, Map.of());
        for (Map.Entry<String, String> known : open.entrySet()) {
            if (description.contains(known.getKey())) {
                knownOpenCounts.merge(known.getValue(), 1L, Long::sum);
                knownOpenFirst.putIfAbsent(known.getValue(), "input #" + inputs + " " + escape(input) + " -> " + description);
                return;
            }
        }
        failureCount++;
        if (failures.size() < 10) {
            failures.add("input #" + inputs + ": " + escape(input) + "\n    -> " + description);
        }
    }

    private static String firstFrames(Throwable thrown) {
        StringBuilder frames = new StringBuilder();
        StackTraceElement[] trace = thrown.getStackTrace();
        for (int i = 0; i < Math.min(3, trace.length); i++) {
            frames.append(i == 0 ? "" : " < ").append(trace[i]);
        }
        return frames.toString();
    }

    private static long inputLength(Object input) {
        if (input instanceof CharSequence) {
            return ((CharSequence) input).length();
        }
        if (input instanceof byte[]) {
            return ((byte[]) input).length;
        }
        return 0;
    }

    /**
     * The input as a Java-escaped literal, cut to 300 characters with its length: enough to rebuild
     * it with the seed and the input number.
     *
     * @param input the input
     * @return the printable form
     */
    public static String escape(Object input) {
        String text;
        if (input instanceof byte[]) {
            text = new String((byte[]) input, StandardCharsets.ISO_8859_1);
        } else {
            text = String.valueOf(input);
        }
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < Math.min(text.length(), 300); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        out.append('"');
        if (text.length() > 300) {
            out.append("... (").append(text.length()).append(" characters)");
        }
        return out.toString();
    }

    /**
     * How many inputs ran so far.
     *
     * @return the count
     */
    public long inputCount() {
        return inputs;
    }

    /**
     * Prints the run's figures and fails on any undocumented outcome, with the seed and inputs.
     *
     * @return the number of inputs run
     */
    public long finish() {
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("fuzz " + target + ": " + inputs + " inputs, " + documentedThrows + " documented exceptions, "
                + failureCount + " undocumented outcomes, " + millis + " ms (slowest input " + slowestNanos / 1_000_000
                + " ms), seed 0x" + Long.toHexString(seed) + " (-Dvmx.fuzz.seed)");
        for (Map.Entry<String, Long> known : knownOpenCounts.entrySet()) {
            System.out.println("  KNOWN_OPEN " + known.getKey() + ": " + known.getValue() + " inputs, first "
                    + knownOpenFirst.get(known.getKey()));
        }
        if (failureCount > 0) {
            throw new AssertionError("fuzz " + target + ": " + failureCount + " undocumented outcomes of " + inputs
                    + " inputs, seed 0x" + Long.toHexString(seed) + " (rerun with -Dvmx.fuzz.seed=" + seed + "), first:\n"
                    + String.join("\n", failures));
        }
        return inputs;
    }
}
