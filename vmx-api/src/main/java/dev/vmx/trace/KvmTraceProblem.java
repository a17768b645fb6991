package dev.vmx.trace;

import java.util.Objects;

/**
 * Something in a trace the reader could not decode, or a loss it reports: where it was and why.
 * In trace text that is a line (its number and text); in a binary trace such as trace-cmd's
 * trace.dat, which has no lines, a byte offset in the file ({@link #atOffset}). Readers keep the
 * first few of these and count all of them, so nothing read is dropped silently.
 */
public final class KvmTraceProblem {
    private final long lineNumber;
    private final long fileOffset;
    private final String problem;
    private final String line;
    private final boolean binary;

    private KvmTraceProblem(long lineNumber, long fileOffset, String problem, String line, boolean binary) {
        this.binary = binary;
        this.lineNumber = lineNumber;
        this.fileOffset = fileOffset;
        this.problem = Objects.requireNonNull(problem, "problem");
        this.line = Objects.requireNonNull(line, "line");
    }

    /**
     * A problem with a line of trace text.
     *
     * @param lineNumber the 1-based line number
     * @param problem what is wrong
     * @param line the line's text
     * @return the value
     */
    public static KvmTraceProblem of(long lineNumber, String problem, String line) {
        return new KvmTraceProblem(lineNumber, -1, problem, line, false);
    }

    /**
     * A problem in a binary trace, at a byte offset of the file; it has no line number (0) and no
     * line text (empty).
     *
     * @param fileOffset where in the file, -1 if the problem has no place (a missing part)
     * @param problem what is wrong, with what the offset alone does not say (the buffer or CPU)
     * @return the value
     * @throws IllegalArgumentException if {@code fileOffset} is below -1
     */
    public static KvmTraceProblem atOffset(long fileOffset, String problem) {
        if (fileOffset < -1) {
            throw new IllegalArgumentException("file offset " + fileOffset + " is below -1");
        }
        return new KvmTraceProblem(0, fileOffset, problem, "", true);
    }

    /**
     * The 1-based line number; 0 for a problem in a binary trace.
     *
     * @return the line number
     */
    public long lineNumber() {
        return lineNumber;
    }

    /**
     * The byte offset in a binary trace file; -1 for a line of text, or where a binary trace's
     * problem has no place.
     *
     * @return the offset
     */
    public long fileOffset() {
        return fileOffset;
    }

    /**
     * Whether the problem is in a binary trace ({@link #atOffset}), not in a line of text.
     *
     * @return true for a binary trace's problem
     */
    public boolean inBinaryTrace() {
        return binary;
    }

    /**
     * Where the problem is, as a person reads it: {@code "line 12"}, {@code "offset 0x21004"}, or
     * {@code "no offset"}.
     *
     * @return the place
     */
    public String where() {
        if (!inBinaryTrace()) {
            return "line " + lineNumber;
        }
        return fileOffset >= 0 ? "offset 0x" + Long.toHexString(fileOffset) : "no offset";
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
                && fileOffset == other.fileOffset && binary == other.binary && problem.equals(other.problem) && line.equals(other.line);
    }

    @Override
    public int hashCode() {
        return Objects.hash(lineNumber, fileOffset, binary, problem, line);
    }

    @Override
    public String toString() {
        return inBinaryTrace() ? where() + ": " + problem : "line " + lineNumber + ": " + problem + ": " + line;
    }
}
