package dev.vmx;

/**
 * Text that could not be parsed: an exit reason, a field name, a line of a VMCS file or of a
 * kernel log.
 *
 * <p>Like {@code java.time.format.DateTimeParseException}, it carries the text and the position
 * where parsing broke, so a caller can point at the problem; the message names both.
 * For multi-line inputs {@link #lineNumber()} is the 1-based line; for a single value it is 0.
 * A short one-line input is quoted whole in the message; of a longer one (a whole format file,
 * say) the message quotes the line where parsing broke, around the error, and {@link #input()}
 * still returns all of it.
 */
public class VmxParseException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The text that failed to parse. */
    private final String input;
    /** The 0-based index in {@link #input} where parsing broke. */
    private final int errorIndex;
    /** The 1-based line of a multi-line input, or 0 for a single value. */
    private final long lineNumber;

    /**
     * An error in a single value.
     *
     * @param problem what is wrong, without the input (the message adds it)
     * @param input the text being parsed
     * @param errorIndex the 0-based index in {@code input} where parsing broke
     */
    public VmxParseException(String problem, CharSequence input, int errorIndex) {
        this(problem, input, errorIndex, 0);
    }

    /**
     * An error on one line of a multi-line input.
     *
     * @param problem what is wrong, without the input (the message adds it)
     * @param input the line being parsed
     * @param errorIndex the 0-based index in {@code input} where parsing broke
     * @param lineNumber the 1-based line number, or 0 when the input is a single value
     */
    public VmxParseException(String problem, CharSequence input, int errorIndex, long lineNumber) {
        super(message(problem, String.valueOf(input), errorIndex, lineNumber));
        this.input = String.valueOf(input);
        this.errorIndex = errorIndex;
        this.lineNumber = lineNumber;
    }

    /** Inputs up to this many characters, on one line, are quoted whole in the message. */
    static final int QUOTED_WHOLE = 160;
    /** Characters quoted on each side of the error index when the input is longer. */
    static final int QUOTED_AROUND = 60;

    private static String message(String problem, String input, int errorIndex, long lineNumber) {
        String where = lineNumber > 0
                ? "line " + lineNumber + ", column " + (errorIndex + 1)
                : "index " + errorIndex;
        if (input.length() <= QUOTED_WHOLE && input.indexOf('\n') < 0) {
            return problem + " at " + where + " of '" + input + "'";
        }
        return problem + " at " + where + " of " + input.length() + " characters" + excerpt(input, errorIndex);
    }

    /**
     * Where a long or multi-line input broke: the line within it and that line's text around the
     * error index, so that a message about a whole file stays readable; {@link #input()} keeps all.
     */
    private static String excerpt(String input, int errorIndex) {
        int at = Math.max(0, Math.min(errorIndex, input.length()));
        int lineStart = input.lastIndexOf('\n', at - 1) + 1;
        int lineEnd = input.indexOf('\n', at);
        if (lineEnd < 0) {
            lineEnd = input.length();
        }
        int lineOfInput = 1;
        for (int i = input.indexOf('\n'); i >= 0 && i < lineStart; i = input.indexOf('\n', i + 1)) {
            lineOfInput++;
        }
        int from = Math.max(lineStart, at - QUOTED_AROUND);
        int to = Math.min(lineEnd, at + QUOTED_AROUND);
        String quoted = (from > lineStart ? "..." : "") + input.substring(from, to) + (to < lineEnd ? "..." : "");
        String inLine = input.indexOf('\n') >= 0
                ? " (its line " + lineOfInput + ", column " + (at - lineStart + 1) + ")"
                : "";
        return inLine + ": '" + quoted + "'";
    }

    /**
     * The text that failed to parse (the whole value, or the whole line).
     *
     * @return the input, never null
     */
    public String input() {
        return input;
    }

    /**
     * The 0-based index in {@link #input()} where parsing broke.
     *
     * @return the index; equal to the input length when the input ended too early
     */
    public int errorIndex() {
        return errorIndex;
    }

    /**
     * The 1-based line number for multi-line inputs, 0 for a single value.
     *
     * @return the line number or 0
     */
    public long lineNumber() {
        return lineNumber;
    }
}
