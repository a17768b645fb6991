package dev.vmx.dump;

/**
 * A line of a kernel log the parser did not (fully) understand, inside a dump block or, for the
 * lines a dump is read with (an "entry failed, hardware error" line), before one.
 *
 * @param lineNumber the 1-based line number in the input (for a wrapped line joined with its
 *        continuation lines, the number of its first line)
 * @param column the 1-based column in {@link #line()} where the problem starts
 * @param line the line as read (wrapped continuation lines joined with one space)
 * @param problem why it was not understood
 */
public record VmcsDumpProblem(long lineNumber, int column, String line, String problem) {

    /**
     * Checks the components.
     *
     * @param lineNumber see the record component
     * @param column see the record component
     * @param line see the record component
     * @param problem see the record component
     */
    public VmcsDumpProblem {
        java.util.Objects.requireNonNull(line, "line");
        java.util.Objects.requireNonNull(problem, "problem");
        if (column < 1) {
            throw new IllegalArgumentException("column " + column + " < 1");
        }
    }

    /**
     * A problem about a whole line: the column is that of its first character after the log prefix.
     *
     * @param lineNumber see the record component
     * @param line see the record component
     * @param problem see the record component
     */
    public VmcsDumpProblem(long lineNumber, String line, String problem) {
        this(lineNumber, VmcsDumpParser.textColumn(line), line, problem);
    }

    /** {@return "line N, column C: problem: line"}, the way compilers report */
    @Override
    public String toString() {
        return "line " + lineNumber + ", column " + column + ": " + problem + ": " + line;
    }
}
