package dev.vmx.trace;

import java.util.List;

/**
 * What reading a whole kvm trace saw, as {@link ExitStatistics#readFile} reports it: the same
 * counts a {@link KvmTraceReader} gives, for the whole file.
 *
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
public record KvmTraceSummary(long lines, long events, long otherEvents, long headers, long lossLines,
        long lostEvents, long problemCount, List<KvmTraceProblem> problems) {
    /**
     * Checks and copies the values.
     *
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
}
