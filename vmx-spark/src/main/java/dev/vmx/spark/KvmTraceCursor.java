package dev.vmx.spark;

import dev.vmx.trace.KvmEvent;

/**
 * Reads one trace file in its order: each step stands on either an event or a problem (a record
 * that could not be decoded, events the recorder lost). Not thread-safe.
 */
public interface KvmTraceCursor extends AutoCloseable {
    /**
     * Moves to the next event or problem.
     *
     * @return false at the end of the file
     * @throws java.io.UncheckedIOException if the file cannot be read further
     */
    boolean advance();

    /**
     * Whether the cursor stands on a problem rather than an event.
     *
     * @return true for a problem
     */
    boolean isProblem();

    /**
     * The current event (when not {@link #isProblem()}), a flyweight valid until the next
     * {@link #advance()}.
     *
     * @return the event
     */
    KvmEvent event();

    /**
     * Where the current event or problem is: the 1-based line number in text files, the record
     * number in binary ones.
     *
     * @return the position
     */
    long position();

    /**
     * The current problem (when {@link #isProblem()}), starting with its kind, e.g.
     * {@code unparsable line: no [CPU] field}.
     *
     * @return the problem
     */
    String problem();

    /**
     * The text of the record of the current problem, when there is one.
     *
     * @return the text, or null
     */
    String problemText();

    /**
     * The position reached so far, for messages when reading fails.
     *
     * @return the last position read, 0 before the first
     */
    long positionReached();

    @Override
    void close();
}
