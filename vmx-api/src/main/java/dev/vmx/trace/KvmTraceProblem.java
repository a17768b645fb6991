package dev.vmx.trace;

import java.util.Objects;

/**
 * A trace line the reader could not decode: where it was and why. Readers keep the first few of
 * these and count all of them, so nothing read is dropped silently.
 */
public final class KvmTraceProblem {
    private final long lineNumber;
    private final String problem;
    private final String line;

    private KvmTraceProblem(long lineNumber, String problem, String line) {
        this.lineNumber = lineNumber;
        this.problem = Objects.requireNonNull(problem, "problem");
        this.line = Objects.requireNonNull(line, "line");
    }

    /**
     * A problem.
     *
     * @param lineNumber the 1-based line number
     * @param problem what is wrong
     * @param line the line's text
     * @return the value
     */
    public static KvmTraceProblem of(long lineNumber, String problem, String line) {
        return new KvmTraceProblem(lineNumber, problem, line);
    }

    /**
     * The 1-based line number.
     *
     * @return the line number
     */
    public long lineNumber() {
        return lineNumber;
    }

    /**
     * What is wrong with the line.
     *
     * @return the explanation
     */
    public String problem() {
        return problem;
    }

    /**
     * The line's text.
     *
     * @return the line
     */
    public String line() {
        return line;
    }

    @Override
    public boolean equals(Object object) {
        return object instanceof KvmTraceProblem other && lineNumber == other.lineNumber
                && problem.equals(other.problem) && line.equals(other.line);
    }

    @Override
    public int hashCode() {
        return Objects.hash(lineNumber, problem, line);
    }

    @Override
    public String toString() {
        return "line " + lineNumber + ": " + problem + ": " + line;
    }
}
