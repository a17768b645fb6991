package dev.vmx.hw.tracedat;

import dev.vmx.hw.tracedat.TraceDat.CpuStream;
import dev.vmx.hw.tracefs.RingBufferCursor;
import dev.vmx.hw.tracefs.RingBufferDecoder;
import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmTraceProblem;
import dev.vmx.trace.KvmTraceSummary;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@link TraceDat}'s events one at a time, every CPU of every chosen buffer merged in time
 * order (ties go to the buffer and CPU listed first, as {@code trace-cmd report} orders them):
 * {@link #advance()}, then {@link #event()}, a flyweight valid until the next advance. No object
 * per event. Lost events, corrupt pages and data that could not be read are counted and kept as
 * {@link TraceDatProblem}s (the first {@link TraceDat#PROBLEM_DETAILS}); reading goes on after
 * each. Not thread-safe; one per thread.
 */
public final class TraceDatReader {
    private final TraceDat dat;
    private final Stream[] streams;
    /** A binary min-heap of stream indices by (timestamp, index); the top is the next event. */
    private final int[] heap;
    private int heapSize;
    /** Each stream's current timestamp, by stream index: what the heap compares. */
    private final long[] stamps;
    private final long from;
    private final long to;
    private final boolean reportLoadProblems;
    private boolean started;
    private Stream current;

    private long events;
    private long otherEvents;
    private long lossReports;
    private long lostEvents;
    private long problemCount;
    private final List<TraceDatProblem> problems = new ArrayList<>();

    /** One CPU stream's reading state. */
    private final class Stream {
        final CpuStream source;
        final RingBufferCursor cursor;
        final KvmEvent event;
        final int index;
        int page;
        int firstCountedPage;
        int endPage;
        /** Whether the current page's header was damaged (reported when opened, not again as a record). */
        boolean headerDamaged;

        Stream(CpuStream source, RingBufferCursor cursor, int index) {
            this.source = source;
            this.cursor = cursor;
            this.index = index;
            this.event = dat.tscMult != 0 || dat.timeOffset != 0
                    ? new ShiftedEvent(cursor.event(), dat.tscMult, dat.tscShift, dat.timeOffset) : cursor.event();
        }

        /** Moves to this stream's next event in the window; false when it has none. */
        boolean next() {
            while (true) {
                if (page >= 0 && cursor.advance()) {
                    long stamp = cursor.timestampNanos();
                    if (stamp < from) {
                        continue; // an event of the window before, on the page this window starts with
                    }
                    if (stamp >= to) {
                        return false; // the next window's; and so is everything after it on this CPU
                    }
                    stamps[index] = stamp;
                    return true;
                }
                if (page >= 0 && cursor.damageOffset() >= 0 && page >= firstCountedPage && !headerDamaged) {
                    int pageStart = page * source.pageSize;
                    int skipped = pageStart + source.pageSize - cursor.damageOffset();
                    problem(source, cursor.damageOffset(), "corrupt page at byte " + (cursor.damageOffset() - pageStart)
                            + " of page " + page + ": a record there cannot be read, so the rest of the page ("
                            + "at most " + skipped + " bytes) is skipped");
                }
                page++;
                if (page >= endPage) {
                    return false;
                }
                openPage();
            }
        }

        private void openPage() {
            ByteBuffer data = source.data();
            int pageStart = page * source.pageSize;
            int length = Math.min(source.pageSize, data.capacity() - pageStart);
            boolean counted = page >= firstCountedPage;
            long lost = cursor.reset(data, pageStart, length, source.cpu, counted);
            headerDamaged = lost == -2;
            if (!counted) {
                return;
            }
            if (length < source.pageSize && lost != -2) {
                problem(source, pageStart, "page " + page + " is cut off after " + length + " of " + source.pageSize
                        + " bytes; the events in the missing part are lost");
            }
            if (lost == -2) {
                problem(source, pageStart, "page " + page + " has a damaged header (commit beyond the page, or the page"
                        + " is shorter than its header); its events are lost");
            } else if (lost != 0) {
                lossReports++;
                if (lost > 0) {
                    lostEvents += lost;
                }
                detail(source, pageStart, (lost > 0 ? lost + " events" : "events (how many, the page does not say)")
                        + " were lost by the kernel before page " + page + " (the ring buffer overwrote or dropped them)");
            }
        }
    }

    TraceDatReader(TraceDat dat, List<CpuStream> sources, long from, long to, boolean reportLoadProblems) {
        this.dat = dat;
        this.from = from;
        this.to = to;
        this.reportLoadProblems = reportLoadProblems;
        this.streams = new Stream[sources.size()];
        this.heap = new int[sources.size()];
        this.stamps = new long[sources.size()];
        Map<String, RingBufferDecoder> decoders = new HashMap<>();
        for (int i = 0; i < streams.length; i++) {
            CpuStream source = sources.get(i);
            RingBufferDecoder decoder = decoders.computeIfAbsent(source.buffer + "\0" + source.pageSize,
                    key -> new RingBufferDecoder(dat.headerPage(), dat.decoderFormats(), source.pageSize));
            streams[i] = new Stream(source, decoder.newCursor(), i);
        }
        if (reportLoadProblems && !decoders.isEmpty()) {
            for (String problem : decoders.values().iterator().next().formatProblems()) {
                problem(null, -1, problem);
            }
        }
    }

    private void start() {
        started = true;
        Decompressor decompressor = dat.compression().equals("none") ? null : Decompressor.forName(dat.compression());
        for (Stream stream : streams) {
            dat.load(stream.source, decompressor);
            if (reportLoadProblems) {
                for (TraceDatProblem problem : stream.source.loadProblems()) {
                    problemCount++;
                    if (problems.size() < TraceDat.PROBLEM_DETAILS) {
                        problems.add(problem);
                    }
                }
            }
            long[] stamps = stream.source.pageStamps();
            // pages this window owns: those stamped in [from, to); the one before them may hold events of
            // this window too, and is read again (not counted) for them
            int owned = from == Long.MIN_VALUE ? 0 : lowerBound(stamps, from);
            stream.firstCountedPage = owned;
            stream.endPage = to == Long.MAX_VALUE ? stamps.length : lowerBound(stamps, to);
            stream.page = Math.max(owned - 1, 0) - 1;
            if (stream.next()) {
                push(stream.index);
            }
        }
    }

    private static int lowerBound(long[] stamps, long value) {
        int low = 0;
        int high = stamps.length;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (stamps[middle] < value) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }

    /**
     * Moves to the next event in time order.
     *
     * @return false when every CPU is read to its end
     */
    public boolean advance() {
        if (!started) {
            start();
        } else if (current != null) {
            // the event handed out last is consumed: its stream moves on and sinks to its place in the
            // heap (one sift instead of a pop and a push; usually it stays on top, a CPU's events come in runs)
            if (current.next()) {
                siftDown(0);
            } else {
                pop();
            }
        }
        if (heapSize == 0) {
            current = null;
            return false;
        }
        current = streams[heap[0]];
        events++;
        if (current.event.type() == KvmEventType.OTHER) {
            otherEvents++;
        }
        return true;
    }

    /**
     * The current event.
     *
     * @return the flyweight, valid until the next {@link #advance()}
     * @throws IllegalStateException before the first or after the last {@link #advance()}
     */
    public KvmEvent event() {
        if (current == null) {
            throw new IllegalStateException("no current event: call advance() first and only while it returns true");
        }
        return current.event;
    }

    /**
     * The buffer the current event is in.
     *
     * @return the instance name, "" for the top buffer
     */
    public String buffer() {
        if (current == null) {
            throw new IllegalStateException("no current event");
        }
        return current.source.buffer;
    }

    /**
     * Events delivered so far (including {@link KvmEventType#OTHER}).
     *
     * @return the count
     */
    public long eventCount() {
        return events;
    }

    /**
     * Events of tracepoints this library does not decode, delivered as {@link KvmEventType#OTHER}.
     *
     * @return the count
     */
    public long otherCount() {
        return otherEvents;
    }

    /**
     * Pages that said the kernel lost events before them.
     *
     * @return the count of such reports
     */
    public long lossReports() {
        return lossReports;
    }

    /**
     * Events the kernel lost, as far as the pages count them (a page may only say that some were lost).
     *
     * @return the counted lost events
     */
    public long lostEvents() {
        return lostEvents;
    }

    /**
     * Problems so far: data that could not be read (not counting loss reports).
     *
     * @return the count
     */
    public long problemCount() {
        return problemCount;
    }

    /**
     * The first {@link TraceDat#PROBLEM_DETAILS} problems and loss reports, in the order found.
     *
     * @return the problems
     */
    public List<TraceDatProblem> problems() {
        return List.copyOf(problems);
    }

    /**
     * What was read, as {@link dev.vmx.trace.ExitStatistics#readFile} reports it: events, loss
     * reports ({@code lossLines}), lost events and problems; a trace.dat has no text lines, so
     * {@code lines} is their sum and {@code headers} is 0.
     *
     * @return the summary so far
     */
    public KvmTraceSummary summary() {
        List<KvmTraceProblem> details = new ArrayList<>();
        for (TraceDatProblem problem : problems) {
            if (details.size() < dev.vmx.trace.KvmTraceReader.DEFAULT_PROBLEM_DETAILS) {
                details.add(KvmTraceProblem.of(0, problem.toString(), dat.file().toString()));
            }
        }
        return new KvmTraceSummary(events + lossReports + problemCount, events, otherEvents, 0, lossReports, lostEvents,
                problemCount, details);
    }

    private void problem(CpuStream source, long dataOffset, String text) {
        problemCount++;
        detail(source, dataOffset, text);
    }

    /** Keeps the details of a problem or loss report (the first few). */
    private void detail(CpuStream source, long dataOffset, String text) {
        if (problems.size() < TraceDat.PROBLEM_DETAILS) {
            problems.add(source == null ? TraceDatProblem.of(-1, "", -1, text)
                    : TraceDatProblem.of(source.fileOffsetOf(dataOffset), source.buffer, source.cpu,
                            text + source.where(dataOffset)));
        }
    }

    // ---- heap ----

    private boolean before(int a, int b) {
        long ta = stamps[a];
        long tb = stamps[b];
        return ta < tb || (ta == tb && a < b);
    }

    private void push(int index) {
        int at = heapSize++;
        heap[at] = index;
        while (at > 0) {
            int parent = (at - 1) >>> 1;
            if (!before(heap[at], heap[parent])) {
                break;
            }
            int swap = heap[at];
            heap[at] = heap[parent];
            heap[parent] = swap;
            at = parent;
        }
    }

    private void pop() {
        heap[0] = heap[--heapSize];
        siftDown(0);
    }

    private void siftDown(int start) {
        int at = start;
        while (true) {
            int left = 2 * at + 1;
            if (left >= heapSize) {
                break;
            }
            int smallest = left + 1 < heapSize && before(heap[left + 1], heap[left]) ? left + 1 : left;
            if (!before(heap[smallest], heap[at])) {
                break;
            }
            int swap = heap[at];
            heap[at] = heap[smallest];
            heap[smallest] = swap;
            at = smallest;
        }
    }
}
