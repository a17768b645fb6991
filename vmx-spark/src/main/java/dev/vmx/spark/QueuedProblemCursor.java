package dev.vmx.spark;

import java.util.ArrayDeque;

/**
 * The cursor logic every format shares: the problems a reader meets on its way to an event wait in
 * a queue and come out as problem rows before that event, and what only the end shows comes last.
 */
abstract class QueuedProblemCursor implements KvmTraceCursor {
    private final ArrayDeque<Object[]> problems = new ArrayDeque<>(); // {position, problem, text or null}
    private boolean onProblem;
    private Object[] problem;
    private boolean eventWaiting;
    private boolean ended;

    /** Queues a problem row at a position (line or event index) with the text it is about, or null. */
    final void addProblem(long position, String description, String text) {
        problems.add(new Object[] {position, description, text});
    }

    /** Marks the input as ended before it was read (a file that could not be opened). */
    final void endNow() {
        ended = true;
    }

    /** Moves the reader to its next event, queueing the problems met on the way; false at the end. */
    abstract boolean readNext();

    /** Queues what only the end of the input shows, such as the count of problems not detailed. */
    abstract void atEnd();

    /** The position of the current event. */
    abstract long eventPosition();

    @Override
    public final boolean advance() {
        if (!problems.isEmpty()) {
            return problemStep();
        }
        if (eventWaiting) {
            eventWaiting = false;
            onProblem = false;
            return true;
        }
        if (ended) {
            return false;
        }
        if (!readNext()) {
            ended = true;
            atEnd();
            return !problems.isEmpty() && problemStep();
        }
        if (!problems.isEmpty()) {
            eventWaiting = true;
            return problemStep();
        }
        onProblem = false;
        return true;
    }

    private boolean problemStep() {
        problem = problems.poll();
        onProblem = true;
        return true;
    }

    @Override
    public final boolean isProblem() {
        return onProblem;
    }

    @Override
    public final long position() {
        return onProblem ? (Long) problem[0] : eventPosition();
    }

    @Override
    public final String problem() {
        return (String) problem[1];
    }

    @Override
    public final String problemText() {
        return (String) problem[2];
    }
}
