package dev.vmx.spark;

import dev.vmx.hw.tracedat.TraceDat;
import dev.vmx.hw.tracedat.TraceDatProblem;
import dev.vmx.hw.tracedat.TraceDatReader;
import dev.vmx.trace.KvmEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * trace-cmd's {@code trace.dat} (versions 6 and 7, compressed or not) through vmx-hw's
 * {@link TraceDat}: every buffer's events merged in time order, as {@code trace-cmd report} prints
 * them. Registered under {@code META-INF/services/dev.vmx.spark.KvmTraceFormat}; not for direct use.
 *
 * <p>A trace.dat has no lines: an event's position is its 1-based index in that order, and a
 * problem's position is the index of the last event delivered before it was found (0 for problems
 * of the file's metadata, found when it is opened). Each {@link TraceDatProblem} becomes a problem
 * that names the file offset, buffer and CPU: {@code lost events:} for pages that say the kernel
 * lost events before them, {@code damaged data:} for the rest (a truncated file, a corrupt or cut
 * page, a chunk that does not decompress, unreadable metadata); problems beyond the first
 * {@link TraceDat#PROBLEM_DETAILS} become one {@code undetailed problems:} problem with their count.
 * A file that cannot be opened as a trace.dat at all is one {@code unreadable file:} problem.
 * The events carry no task name (a trace.dat records only the pid): the task column is empty.
 */
public final class TraceDatKvmTraceFormat implements KvmTraceFormat {
    /** The text of {@link TraceDatReader}'s loss reports, which tells them from damage. */
    private static final String LOSS_REPORT = " were lost by the kernel before page ";

    /** The service instance {@link java.util.ServiceLoader} creates. */
    public TraceDatKvmTraceFormat() {
    }

    @Override
    public String name() {
        return "trace.dat";
    }

    @Override
    public boolean recognizes(byte[] head, int length) {
        return KvmTraceFormats.isTraceDat(head, length);
    }

    @Override
    public boolean needsLocalFile() {
        return true;
    }

    /**
     * Copies the stream to a local temporary file (deleted when the cursor closes) and reads that.
     * The data source itself copies before it opens; this is for other callers of the SPI.
     */
    @Override
    public KvmTraceCursor open(InputStream in, String sourceName) {
        LocalCopy.Copy copy;
        try (in) {
            copy = LocalCopy.of(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + sourceName + " to a local file", e);
        }
        if (copy.failure() != null) {
            LocalCopy.delete(copy.file());
            throw new UncheckedIOException("cannot read " + sourceName + " after byte " + copy.bytes(), copy.failure());
        }
        return LocalCopy.deleteOnClose(open(copy.file(), sourceName), copy.file());
    }

    @Override
    public KvmTraceCursor open(Path file, String sourceName) {
        TraceDat dat;
        try {
            dat = TraceDat.open(file);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            // the message names the local file (perhaps a temporary copy) and the offset; the row names the source
            return new Cursor(null, "unreadable file: not a readable trace.dat: " + e.getMessage()
                    + (e.getCause() != null ? " (" + e.getCause() + ")" : ""));
        }
        return new Cursor(dat, null);
    }

    /** The kind of a trace.dat problem, as the problem column starts. */
    static String kind(TraceDatProblem problem) {
        return problem.problem().contains(LOSS_REPORT) ? "lost events: " : "damaged data: ";
    }

    private static final class Cursor extends QueuedProblemCursor {
        private final TraceDat dat;
        private final TraceDatReader reader;
        private long reportsSeen;
        private int detailedSeen;

        Cursor(TraceDat dat, String openProblem) {
            this.dat = dat;
            if (dat == null) {
                reader = null;
                endNow();
                addProblem(0L, openProblem, null);
                return;
            }
            reader = dat.reader();
            for (TraceDatProblem p : dat.problems()) {
                addProblem(0L, kind(p) + p, null);
            }
        }

        @Override
        boolean readNext() {
            long before = reader.eventCount();
            boolean more = reader.advance();
            collectProblems(before);
            return more;
        }

        @Override
        void atEnd() {
            long undetailed = reportsSeen - detailedSeen;
            if (undetailed > 0) {
                addProblem(reader.eventCount(), "undetailed problems: " + undetailed
                        + " more damaged pages or loss reports (the first " + detailedSeen
                        + " are reported with their offsets); " + reader.lostEvents() + " lost events counted in all", null);
            }
        }

        @Override
        long eventPosition() {
            return reader.eventCount();
        }

        /** The problems and loss reports the last advance found; the counts are cheap, the list is a copy. */
        private void collectProblems(long eventsBefore) {
            long reports = reader.problemCount() + reader.lossReports();
            if (reports == reportsSeen) {
                return;
            }
            reportsSeen = reports;
            List<TraceDatProblem> detailed = reader.problems();
            for (int i = detailedSeen; i < detailed.size(); i++) {
                TraceDatProblem p = detailed.get(i);
                addProblem(eventsBefore, kind(p) + p, null);
            }
            detailedSeen = detailed.size();
        }


        @Override
        public KvmEvent event() {
            return reader.event();
        }




        @Override
        public long positionReached() {
            return reader == null ? 0 : reader.eventCount();
        }

        @Override
        public void close() {
            if (dat != null) {
                dat.close();
            }
        }
    }
}
