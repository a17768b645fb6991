package dev.vmx.hw.tracedat;

import dev.vmx.hw.tracedat.TraceDat.CpuStream;
import dev.vmx.hw.tracefs.RingBufferCursor;
import dev.vmx.hw.tracefs.RingBufferDecoder;
import dev.vmx.trace.ExitEntryConsumer;
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
    // drainByThread(): which stream each pid of the current chunk was seen on (valid where the
    // epoch is the chunk's)
    private int[] pidTable = new int[0];
    private int[] pidStream = new int[0];
    private int[] pidEpoch = new int[0];
    private int epoch;
    /** Longs per event in a stream's lookahead: see {@link RingBufferCursor#nextRecords}. */
    private static final int RECORD = RingBufferCursor.RECORD_LONGS;

    /** One CPU stream's reading state. */
    private final class Stream {
        final CpuStream source;
        /** Reads {@link #page} (but see {@link #pageCursor}); its flyweight and buffer serve every event handed over. */
        final RingBufferCursor cursor;
        /** The second cursor of {@link #readTwoPages}, on the page after {@link #cursor}'s. */
        final RingBufferCursor spare;
        /** The cursor on {@link #page}: {@link #cursor}, or {@link #spare} after two pages were read at once. */
        RingBufferCursor pageCursor;
        /** Whether {@link #page} was just opened and none of it read: then it may be read together with the next. */
        boolean freshPage;
        /**
         * Hands the lookahead's events over ({@link #handOver}): bound to the data segment of the
         * event it hands over, which need not be the page cursors' (events of the page before a
         * segment's end may wait while the next segment is read).
         */
        final RingBufferCursor deliverer;
        /** The segment {@link #deliverer} is bound to, -1 before the first. */
        int deliverSegment = -1;
        /** The time-ordered path's event: {@link #cursor}'s flyweight. */
        final KvmEvent event;
        /** The lookahead's event: {@link #deliverer}'s flyweight. */
        final KvmEvent aheadEvent;
        /** Whether the file's clock correction applies to {@link #event}'s timestamps. */
        final boolean shifted;
        final int index;
        int page;
        int firstCountedPage;
        int endPage;
        /** Whether the current page's header was damaged (reported when opened, not again as a record). */
        boolean headerDamaged;
        // drainByThread(): events read ahead and not yet handed over, [aheadStart, aheadEnd), each
        // as RingBufferCursor.nextRecords writes it (stamp, payload and pid, length) in one array:
        // one array, not one per column, whose relative places in memory made the time per event
        // vary by half from one run to the next (cache sets and 4K aliasing shared by the columns)
        long[] ahead = new long[0];
        int aheadStart;
        int aheadEnd;
        /** Where this stream's events below the current cut end in its lookahead. */
        int chunkEnd;
        boolean exhausted;

        /**
         * Reads the rest of the current page, or the next page with events in the window, into the
         * lookahead; false when the stream has no more.
         */
        boolean readAhead() {
            while (!exhausted) {
                if (page >= 0) {
                    int room = source.pageSize / 8 + 1; // the most records a page can hold
                    // two pages at once only within a segment: the lookahead's events of both are
                    // handed over from one buffer
                    if (freshPage && page + 1 < endPage && source.segmentIndex(page + 1) == source.segmentIndex(page)) {
                        if (readTwoPages(room)) {
                            return true;
                        }
                        continue;
                    }
                    if (ahead.length / RECORD - aheadEnd < room) {
                        makeRoom(room);
                    }
                    int first = aheadEnd;
                    freshPage = false;
                    int end = pageCursor.nextRecords(ahead, first, first + room);
                    if (end > first) {
                        markSegment(first, end);
                        return keepWindow(first, end);
                    }
                }
                if (!nextPage()) {
                    exhausted = true;
                }
            }
            return false;
        }

        /**
         * Reads the fresh current page and the next one at once, their record walks interleaved
         * ({@link RingBufferCursor#nextRecordsPaired}), into the lookahead, then stands on the next
         * page as {@link #nextPage()} would have: the current page's damage is reported before the
         * next page's header problems, as when read one by one.
         *
         * @return what {@link #keepWindow} returns for the two pages' events; false, with the
         *         stream on the next page, when they hold none
         */
        private boolean readTwoPages(int room) {
            if (ahead.length / RECORD - aheadEnd < 2 * room) {
                makeRoom(2 * room);
            }
            int first = aheadEnd;
            int next = page + 1;
            int nextStart = source.startInSegment(next);
            int nextLength = source.pageLength(next);
            boolean nextCounted = next >= firstCountedPage;
            long nextLost = spare.reset(source.segmentOf(next), nextStart, nextLength, source.cpu, nextCounted);
            // the next page's events go after the most this page can hold, then move up behind its own
            long ends = RingBufferCursor.nextRecordsPaired(cursor, ahead, first, first + room, spare, ahead,
                    first + room, first + 2 * room);
            int endThis = (int) (ends >>> 32);
            int nextCount = (int) ends - (first + room);
            System.arraycopy(ahead, (first + room) * RECORD, ahead, endThis * RECORD, nextCount * RECORD);
            int end = endThis + nextCount;
            markSegment(first, end);
            freshPage = false;
            reportDamage();
            page = next;
            pageCursor = spare;
            opened(nextLength, nextCounted, nextLost);
            return end > first && keepWindow(first, end);
        }

        /**
         * Notes the segment of the page just read in the lookahead's records [first, end), in bits
         * 63:32 of each one's length (segment 0, all a CPU's data below 1 GiB, needs no writing).
         */
        private void markSegment(int first, int end) {
            long segment = source.segmentIndex(page);
            if (segment != 0) {
                long[] records = ahead;
                for (int i = first; i < end; i++) {
                    records[i * RECORD + 2] |= segment << 32;
                }
            }
        }

        /** Keeps the events of the window from those just read into [first, end); false if none. */
        private boolean keepWindow(int first, int end) {
            int kept = end;
            if (from != Long.MIN_VALUE || to != Long.MAX_VALUE) {
                long[] records = ahead;
                kept = first;
                for (int i = first; i < end; i++) {
                    long stamp = records[i * RECORD];
                    if (stamp < from) {
                        continue; // an event of the window before, on the page this window starts with
                    }
                    if (stamp >= to) {
                        exhausted = true; // the next window's; and so is everything after it on this CPU
                        break;
                    }
                    System.arraycopy(records, i * RECORD, records, kept * RECORD, RECORD);
                    kept++;
                }
            }
            aheadEnd = kept;
            return kept > first || readAhead();
        }

        /** Room for {@code room} more events after {@code aheadEnd}. */
        private void makeRoom(int room) {
            int pending = aheadEnd - aheadStart;
            if ((pending + room) * RECORD > ahead.length) {
                long[] larger = new long[Math.max(2 * ahead.length, 2 * (pending + room) * RECORD)];
                System.arraycopy(ahead, aheadStart * RECORD, larger, 0, pending * RECORD);
                ahead = larger;
            } else {
                // handed-over events at the front: move the pending ones there
                System.arraycopy(ahead, aheadStart * RECORD, ahead, 0, pending * RECORD);
            }
            chunkEnd -= aheadStart;
            aheadStart = 0;
            aheadEnd = pending;
        }

        /** Reads ahead until an event at or after {@code cut}, or the end; see drainByThread. */
        void readAheadTo(long cut) {
            while (!exhausted && (aheadStart == aheadEnd || ahead[(aheadEnd - 1) * RECORD] < cut)) {
                readAhead();
            }
        }

        /** Marks the pending events below {@code cut} (up to the first at or after it) as the chunk. */
        int markChunk(long cut) {
            long[] records = ahead;
            int end = aheadStart;
            while (end < aheadEnd && records[end * RECORD] < cut) {
                end++;
            }
            chunkEnd = end;
            return end - aheadStart;
        }

        /** Hands the chunk over in order. */
        void handOverChunk(ExitEntryConsumer consumer) {
            for (int i = aheadStart; i < chunkEnd; i++) {
                handOver(i, consumer);
            }
            aheadStart = chunkEnd;
        }

        /** Hands the lookahead's event {@code i} to {@code consumer}. */
        void handOver(int i, ExitEntryConsumer consumer) {
            events++;
            long raw = ahead[i * RECORD];
            int payload = (int) (ahead[i * RECORD + 1] >>> 32);
            long lengthAndSegment = ahead[i * RECORD + 2];
            int segment = (int) (lengthAndSegment >>> 32);
            if (segment != deliverSegment) {
                bindDeliverer(segment);
            }
            if (deliverer.deliverExitOrEntry(payload, shifted ? TraceDatEvent.shifted(raw, dat.tscMult, dat.tscShift,
                    dat.timeOffset) : raw, consumer)) {
                return;
            }
            if (deliverer.eventAt(payload, (int) lengthAndSegment, raw).type() == KvmEventType.OTHER) {
                otherEvents++;
            }
            consumer.acceptOther(aheadEvent);
        }

        private void bindDeliverer(int segment) {
            ByteBuffer buffer = source.segment(segment);
            deliverer.reset(buffer, 0, Math.min(source.pageSize, buffer.capacity()), source.cpu, false);
            deliverSegment = segment;
        }

        Stream(CpuStream source, RingBufferCursor cursor, RingBufferCursor spare, RingBufferCursor deliverer, int index) {
            this.source = source;
            this.cursor = cursor;
            this.spare = spare;
            this.deliverer = deliverer;
            this.pageCursor = cursor;
            this.index = index;
            this.shifted = dat.tscMult != 0 || dat.timeOffset != 0;
            this.event = eventOf(cursor);
            this.aheadEvent = eventOf(deliverer);
        }

        /** A cursor's flyweight with the file's clock correction and task names. */
        private KvmEvent eventOf(RingBufferCursor of) {
            return new TraceDatEvent(of.event(), dat.tscMult, dat.tscShift, dat.timeOffset, dat.cmdlines);
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
                if (!nextPage()) {
                    return false;
                }
            }
        }

        /** Moves to the next page of the window, reporting damage the cursor found on this one; false at the end. */
        boolean nextPage() {
            reportDamage();
            page++;
            if (page >= endPage) {
                return false;
            }
            openPage();
            return true;
        }

        /** Reports the damage the cursor found on the current page, if it was not its header's. */
        private void reportDamage() {
            int damage = pageCursor.damageOffset();
            if (page >= 0 && damage >= 0 && page >= firstCountedPage && !headerDamaged) {
                int pageStart = source.startInSegment(page); // in the segment's buffer, as the damage offset is
                int skipped = pageStart + source.pageSize - damage;
                problem(source, source.segmentBase(source.segmentIndex(page)) + damage, "corrupt page at byte "
                        + (damage - pageStart)
                        + " of page " + page + ": a record there cannot be read, so the rest of the page ("
                        + "at most " + skipped + " bytes) is skipped");
            }
        }

        private void openPage() {
            int length = source.pageLength(page);
            boolean counted = page >= firstCountedPage;
            pageCursor = cursor;
            freshPage = true;
            opened(length, counted, cursor.reset(source.segmentOf(page), source.startInSegment(page), length, source.cpu,
                    counted));
        }

        /** Reports what opening page {@link #page} found: a cut, a damaged header, events lost before it. */
        private void opened(int length, boolean counted, long lost) {
            long pageStart = (long) page * source.pageSize; // in the stream's data, as problems name it
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
            streams[i] = new Stream(source, decoder.newCursor(), decoder.newCursor(), decoder.newCursor(), i);
        }
        if (reportLoadProblems && !decoders.isEmpty()) {
            for (String problem : decoders.values().iterator().next().formatProblems()) {
                problem(null, -1, problem);
            }
        }
    }

    private void start() {
        load();
        prime();
    }

    /** Reads each stream's first event into the heap. */
    private void prime() {
        for (Stream stream : streams) {
            if (stream.next()) {
                push(stream.index);
            }
        }
    }

    /** Loads every stream's data and places it before the first page of this window. */
    private void load() {
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
     * Hands every event to {@code consumer} in an order that keeps each thread's events (by pid)
     * in time order, instead of one by one through {@link #advance()}: the CPUs' events are cut
     * at timestamps into chunks of about a page per CPU, and a chunk in which no thread has events
     * on two CPUs goes over CPU by CPU; one in which a thread moved between CPUs is merged in time
     * order, as {@link #advance()} would have. Either way each thread's events come in the order
     * {@link #advance()} gives them. kvm_exit and kvm_entry go over as plain values; counts,
     * losses and problems are kept as {@link #advance()} keeps them.
     *
     * @param consumer receives the events
     * @throws IllegalStateException if this reader was advanced already
     */
    void drainByThread(ExitEntryConsumer consumer) {
        if (started) {
            throw new IllegalStateException("drainByThread reads a reader from its start, and this one was advanced");
        }
        load();
        if (!pagesInTimeOrder()) {
            // chunks are cut at page timestamps: with pages out of order one could hold the whole
            // file, so such a file goes the one-by-one way
            prime();
            while (advance()) {
                ExitEntryConsumer.dispatch(consumer, event());
            }
            return;
        }
        while (true) {
            long cut = nextCut();
            if (cut == Long.MIN_VALUE) {
                return; // every stream is read
            }
            int chunkEvents = 0;
            for (Stream stream : streams) {
                stream.readAheadTo(cut);
                chunkEvents += stream.markChunk(cut);
            }
            if (threadOnTwoCpus(chunkEvents)) {
                handOverMerged(consumer);
            } else {
                for (Stream stream : streams) {
                    stream.handOverChunk(consumer);
                }
            }
        }
    }

    /** Whether every stream's pages in this window have strictly increasing timestamps. */
    private boolean pagesInTimeOrder() {
        for (Stream stream : streams) {
            long[] pageStamps = stream.source.pageStamps();
            for (int page = Math.max(stream.page, 0) + 1; page < stream.endPage; page++) {
                if (pageStamps[page] <= pageStamps[page - 1]) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The end of the next chunk: where the first CPU to finish its current page starts its next
     * (so that a chunk holds at most about a page of each CPU), and past the earliest pending
     * event (so that it holds one). A stream's events in the chunk are those before its first at or
     * after the cut: what {@link #advance()} gives before any event at or past the cut.
     *
     * @return the cut, or Long.MIN_VALUE when every stream is read
     */
    private long nextCut() {
        long lowest = Long.MAX_VALUE;
        long cut = Long.MAX_VALUE; // when every CPU is on its last page
        for (Stream stream : streams) {
            if (stream.aheadStart == stream.aheadEnd && !stream.readAhead()) {
                continue;
            }
            lowest = Math.min(lowest, stream.ahead[stream.aheadStart * RECORD]);
            if (stream.page + 1 < stream.endPage) {
                cut = Math.min(cut, stream.source.pageStamps()[stream.page + 1]);
            }
        }
        if (lowest == Long.MAX_VALUE) {
            return Long.MIN_VALUE; // (no window holds an event at Long.MAX_VALUE)
        }
        return Math.max(cut, lowest + 1);
    }

    /** Whether some pid has events below the cut on two streams. */
    private boolean threadOnTwoCpus(int chunkEvents) {
        if (pidTable.length < 2 * chunkEvents) {
            int capacity = Integer.highestOneBit(Math.max(16, 2 * chunkEvents - 1)) << 1;
            pidTable = new int[capacity];
            pidStream = new int[capacity];
            pidEpoch = new int[capacity];
            epoch = 0;
        }
        if (++epoch == Integer.MAX_VALUE) {
            java.util.Arrays.fill(pidEpoch, 0);
            epoch = 1;
        }
        int mask = pidTable.length - 1;
        for (Stream stream : streams) {
            long[] records = stream.ahead;
            int last = 0;
            boolean any = false;
            for (int i = stream.aheadStart; i < stream.chunkEnd; i++) {
                int pid = (int) records[i * RECORD + 1];
                if (any && pid == last) {
                    continue; // a CPU runs one thread for many events in a row
                }
                any = true;
                last = pid;
                int slot = (pid * 0x9E3779B9) >>> 7 & mask;
                while (pidEpoch[slot] == epoch && pidTable[slot] != pid) {
                    slot = (slot + 1) & mask;
                }
                if (pidEpoch[slot] != epoch) {
                    pidEpoch[slot] = epoch;
                    pidTable[slot] = pid;
                    pidStream[slot] = stream.index;
                } else if (pidStream[slot] != stream.index) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Hands the chunk over in time order (ties to the stream listed first), as advance() would. */
    private void handOverMerged(ExitEntryConsumer consumer) {
        heapSize = 0;
        for (Stream stream : streams) {
            if (stream.aheadStart < stream.chunkEnd) {
                stamps[stream.index] = stream.ahead[stream.aheadStart * RECORD];
                push(stream.index);
            }
        }
        while (heapSize > 0) {
            Stream stream = streams[heap[0]];
            stream.handOver(stream.aheadStart, consumer);
            if (++stream.aheadStart < stream.chunkEnd) {
                stamps[stream.index] = stream.ahead[stream.aheadStart * RECORD];
                siftDown(0);
            } else {
                pop();
            }
        }
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
                details.add(problem.asTraceProblem());
            }
        }
        return new KvmTraceSummary(dat.formatName(), events + lossReports + problemCount, events, otherEvents, 0,
                lossReports, lostEvents, problemCount, details);
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
