package dev.vmx.dump;

/**
 * A line inside a dump block the parser did not understand.
 *
 * @param lineNumber the 1-based line number in the input
 * @param line the line as read
 * @param problem why it was not understood
 */
public record VmcsDumpProblem(long lineNumber, String line, String problem) {
}
