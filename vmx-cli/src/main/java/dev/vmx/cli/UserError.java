package dev.vmx.cli;

/**
 * An error in what the user gave (an option value, a file, a line): printed as one line on stderr,
 * never with a stack trace, and the command exits with 2. The message names the input and, where
 * known, the line and column ({@code FILE:LINE:COLUMN: problem}).
 */
final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserError(String message) {
        super(message, null, false, false);
    }

    /**
     * An error at a place in an input.
     *
     * @param input the input's name (a file, {@code <stdin>}, {@code argument 2})
     * @param line the 1-based line, 0 if none
     * @param column the 1-based column, 0 if none
     * @param problem what is wrong
     * @return the error
     */
    static UserError at(String input, long line, int column, String problem) {
        StringBuilder where = new StringBuilder(input);
        if (line > 0) {
            where.append(':').append(line);
            if (column > 0) {
                where.append(':').append(column);
            }
        } else if (column > 0) {
            where.append(", column ").append(column);
        }
        return new UserError(where + ": " + problem);
    }
}
