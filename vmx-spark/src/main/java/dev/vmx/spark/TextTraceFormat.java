package dev.vmx.spark;

import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmTraceProblem;
import dev.vmx.trace.KvmTraceReader;
import java.io.InputStream;

/**
 * kvm trace text through {@link KvmTraceReader}: a file with no NUL byte in its first bytes. The
 * reader skips bad lines and keeps only the first {@link KvmTraceReader#DEFAULT_PROBLEM_DETAILS} of
 * them in detail, so the cursor turns each detailed one into a problem at its line, each
 * {@code CPU:N [LOST M EVENTS]} line into a {@code lost events} problem, and, at the end, the rest
 * into one {@code undetailed problems} problem with their count.
 */
final class TextTraceFormat implements KvmTraceFormat {
    static final TextTraceFormat INSTANCE = new TextTraceFormat();

    @Override
    public String name() {
        return "text";
    }

    @Override
    public boolean recognizes(byte[] head, int length) {
        for (int i = 0; i < length; i++) {
            if (head[i] == 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public KvmTraceCursor open(InputStream in, String sourceName) {
        return new Cursor(KvmTraceReader.of(in, sourceName));
    }

    private static final class Cursor extends QueuedProblemCursor {
        private final KvmTraceReader reader;
        private int detailedSeen;
        private long lossLinesSeen;
        private long lostEventsSeen;

        Cursor(KvmTraceReader reader) {
            this.reader = reader;
        }

        @Override
        boolean readNext() {
            boolean more = reader.advance();
            collectProblems(more);
            return more;
        }

        @Override
        void atEnd() {
            long undetailed = reader.problemCount() - reader.problems().size();
            if (undetailed > 0) {
                addProblem(reader.lineNumber(), "undetailed problems: " + undetailed
                        + " more lines could not be parsed (the first " + reader.problems().size()
                        + " are reported with their lines)", null);
            }
        }

        @Override
        long eventPosition() {
            return reader.lineNumber();
        }

        /** The problems the reader met on its way to the current line, in line order. */
        private void collectProblems(boolean onEvent) {
            var detailed = reader.problems();
            long lossLines = reader.lossLines();
            if (detailed.size() == detailedSeen && lossLines == lossLinesSeen) {
                return;
            }
            for (int i = detailedSeen; i < detailed.size(); i++) {
                KvmTraceProblem p = detailed.get(i);
                addProblem(p.lineNumber(), "unparsable line: " + p.problem(), p.line());
            }
            detailedSeen = detailed.size();
            if (lossLines != lossLinesSeen) {
                long lost = reader.lostEvents() - lostEventsSeen;
                // the loss lines lie between the previous event and this one (or the end of the file)
                long line = reader.lineNumber();
                addProblem(line, "lost events: the kernel overwrote "
                        + (lost > 0 ? lost + " events" : "events it did not count")
                        + (onEvent ? " before line " + line : " by the end of the file (line " + line + ")")
                        + " (" + (lossLines - lossLinesSeen) + " CPU:N [LOST EVENTS] lines)", null);
                lossLinesSeen = lossLines;
                lostEventsSeen = reader.lostEvents();
            }
        }


        @Override
        public KvmEvent event() {
            return reader.event();
        }




        @Override
        public long positionReached() {
            return reader.lineNumber();
        }

        @Override
        public void close() {
            reader.close();
        }
    }
}
