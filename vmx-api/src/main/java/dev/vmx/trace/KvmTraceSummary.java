package dev.vmx.trace;

import java.util.List;

/**
 * What reading a whole kvm trace saw, as {@link ExitStatistics#readFile} reports it: the same
 * counts a {@link KvmTraceReader} gives, for the whole file.
 *
 * <p>A binary trace (a trace-cmd trace.dat) has records, not lines: there {@code lines} counts what
 * was read (events, loss reports and problems), {@code headers} is 0, {@code lossLines} counts the
 * places that report lost events (a page's loss flag, a missing part of the file), and each
 * problem names its byte offset ({@link KvmTraceProblem#atOffset}); {@link #format} tells the two
 * apart.
 *
 * @param format what the file was read as: {@value #TEXT} for trace text, else the binary format
 *     with its version and compression, such as {@code "trace.dat v6"} or {@code "trace.dat v7, zstd"}
 * @param lines lines read
 * @param events lines delivered as events (including {@link KvmEventType#OTHER})
 * @param otherEvents event lines of tracepoints this library does not decode
 * @param headers blank, comment and trace-cmd header lines
 * @param lossLines {@code CPU:N [LOST M EVENTS]} lines
 * @param lostEvents the events those lines say the kernel lost
 * @param problemCount lines that could not be parsed
 * @param problems the first {@link KvmTraceReader#DEFAULT_PROBLEM_DETAILS} of them, with their line
 *     numbers in the file, in line order
 */
public record KvmTraceSummary(String format, long lines, long events, long otherEvents, long headers,
        long lossLines, long lostEvents, long problemCount, List<KvmTraceProblem> problems) {
    /** {@link #format()} of trace text. */
    public static final String TEXT = "text";

    /**
     * The summary of trace text.
     *
     * @param lines see the record component
     * @param events see the record component
     * @param otherEvents see the record component
     * @param headers see the record component
     * @param lossLines see the record component
     * @param lostEvents see the record component
     * @param problemCount see the record component
     * @param problems see the record component
     * @throws IllegalArgumentException as the canonical constructor
     */
    public KvmTraceSummary(long lines, long events, long otherEvents, long headers, long lossLines, long lostEvents,
            long problemCount, List<KvmTraceProblem> problems) {
        this(TEXT, lines, events, otherEvents, headers, lossLines, lostEvents, problemCount, problems);
    }

    /**
     * Checks and copies the values.
     *
     * @param format see the record component
     * @param lines see the record component
     * @param events see the record component
     * @param otherEvents see the record component
     * @param headers see the record component
     * @param lossLines see the record component
     * @param lostEvents see the record component
     * @param problemCount see the record component
     * @param problems see the record component
     * @throws IllegalArgumentException if a count is negative or the counts do not add up to the lines
     */
    public KvmTraceSummary {
        java.util.Objects.requireNonNull(format, "format");
        if (lines < 0 || events < 0 || otherEvents < 0 || headers < 0 || lossLines < 0 || lostEvents < 0
                || problemCount < 0 || otherEvents > events) {
            throw new IllegalArgumentException("negative or inconsistent counts: lines " + lines + ", events " + events
                    + ", other " + otherEvents + ", headers " + headers + ", loss lines " + lossLines
                    + ", lost events " + lostEvents + ", problems " + problemCount);
        }
        if (events + headers + lossLines + problemCount != lines) {
            throw new IllegalArgumentException("events " + events + " + headers " + headers + " + loss lines "
                    + lossLines + " + problems " + problemCount + " != lines " + lines);
        }
        problems = List.copyOf(problems);
    }

    /**
     * Whether the file was trace text ({@link #format} is {@value #TEXT}), not a binary trace.
     *
     * @return true for text
     */
    public boolean isText() {
        return format.equals(TEXT);
    }
}
