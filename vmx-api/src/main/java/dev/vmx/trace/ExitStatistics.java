package dev.vmx.trace;

import dev.vmx.event.ExceptionVector;
import dev.vmx.event.InterruptionInfo;
import dev.vmx.event.InterruptionType;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import dev.vmx.exit.ExitReasonFlag;
import dev.vmx.qual.CrAccessQualification;
import dev.vmx.qual.IoInstructionQualification;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * VM-exit statistics like {@code perf kvm stat report --event=vmexit}: per exit reason (optionally
 * per vCPU) the count, the share of all exits, and the time from the exit to the next
 * {@code kvm_entry} of the same vCPU thread (min, max and mean exact; p50 and p99 from a compact
 * log-linear histogram). Feed it events with {@link #accept(KvmEvent)}; after the first exit of each
 * reason (and each vCPU thread) it allocates nothing per event.
 *
 * <p><b>Percentiles.</b> The nearest-rank method: the p-th percentile of n timed exits is the
 * smallest time t such that at least ceil(p/100 * n) of them took at most t (so p50 of 1, 2, 3, 4 is
 * 2, and p99 of fewer than 100 exits is the maximum). Times are kept in buckets that are exact below
 * 64 ns and 1/32 of a power of two wide above, each with its count and its smallest and largest
 * time. A percentile is exact when the bucket holding its rank holds one distinct time, or the rank
 * is the bucket's first or last; otherwise it is reported as the bucket's largest time, a recorded
 * upper bound at most 3.1% above it, and marked so ({@link LatencyPercentile}; tables print
 * {@code <=}). No percentile is ever a time that no exit took.
 *
 * <p><b>Merging and serialized forms.</b> {@link #merge} adds statistics computed elsewhere exactly
 * (another file, host or process); {@link #toBytes()} / {@link #fromBytes} and
 * {@link #toStateJson()} / {@link #fromStateJson} carry them between processes in a versioned form.
 *
 * <p>Exits and entries are paired by the recording thread ({@link KvmEvent#pid()}): each vCPU runs
 * on its own thread, and old kernels' {@code kvm_exit} records no vCPU id. Not thread-safe.
 */
public final class ExitStatistics {
    /** Row orders for {@link #rows(Order)}. */
    public enum Order {
        /** Most exits first. */
        COUNT,
        /** Most total exit-to-entry time first. */
        TIME,
        /** By isa, exit code, then vCPU. */
        REASON
    }

    /** What a row stands for. */
    public enum Grouping {
        /** One row per exit reason. */
        REASON,
        /**
         * One row per exit reason and vCPU. Kernels whose {@code kvm_exit} records no vCPU (4.x)
         * get it from the last {@code kvm_entry} of the same thread; exits before any are vCPU -1.
         */
        REASON_AND_VCPU,
        /**
         * One row per I/O port and direction, from the {@code kvm_pio} event that follows an exit on
         * the same thread; exits without one are counted in {@link #unattributedExits()}. The row's
         * exit code is the lowest of its exits' (IO_INSTRUCTION in traces of real kernels).
         */
        IO_PORT,
        /**
         * One row per MSR index and direction, from the {@code kvm_msr} event that follows an exit
         * on the same thread; exits without one are counted in {@link #unattributedExits()}.
         */
        MSR,
        /**
         * One row per exit reason and class of its exit qualification (VMX): the access of an EPT
         * violation (read, write, fetch), the instruction of a control-register access (e.g.
         * {@code MOV to CR3}), the direction of an I/O instruction or MOV DR, the exception vector
         * of an exception exit; one row for every other reason.
         */
        QUALIFICATION_CLASS,
        /**
         * One row per guest-physical page (4 KiB) and access of EPT violations (VMX) and nested
         * page faults (SVM), from the {@code kvm_page_fault} event that follows the exit on the same
         * thread (KVM traces it while handling the exit, with the faulting guest-physical address and,
         * on VMX, the exit qualification as error code). The row's {@code detail} is the page's
         * address with the access in its low three bits (1 read, 2 write, 4 instruction fetch: the
         * exit qualification's bits 0-2 on VMX; on SVM write from error-code bit 1, fetch from bit
         * 4, else read). Other exits are in no row and not counted; EPT violations without a
         * {@code kvm_page_fault} before the next entry are counted in {@link #unattributedExits()}.
         */
        EPT_PAGE
    }

    private static final int DEFERRED = -2;
    /** Basic exit reasons 0..127 (the SDM defines fewer than 80) have a row by index under REASON. */
    private static final int VMX_REASON_ROWS = 128;
    // a thread's last exit is one its grouping does not count (EPT_PAGE: not an EPT violation)
    private static final int IGNORED = -3;

    // histogram: values below 64 exact; above, 32 sub-buckets per power of two
    private static final int SUB_BITS = 5;
    private static final int LINEAR = 64;
    private static final int BUCKETS = LINEAR + (64 - 6) * (1 << SUB_BITS);
    private static final String[] SVM_NAMES = SvmExitNames.names();
    private static final SymbolTable SVM_TABLE = SvmExitNames.table();

    private final Grouping grouping;
    private final boolean perVcpu;
    // IO_PORT, MSR, EPT_PAGE: an exit's row is named by the event after it
    private final boolean deferred;
    private long totalExits;
    private long unattributedExits;
    private long unpairedEntries;
    private long backwardIntervals;
    // events seen, for saying why a table is empty
    private long exitEvents;
    private long entryEvents;
    private long detailEvents;
    // reason slots: open addressing on a composite key
    private Row[] slotRows = new Row[64];
    // REASON: the rows of VMX basic exit reasons without flags, by number (most exits), found
    // without the hash probe whose length varies from reason to reason
    private final Row[] vmxReasonRows;
    private final List<Row> rowList = new ArrayList<>();
    // pending exits per thread
    private int[] pendingPid = new int[64];
    private boolean[] pendingUsed = new boolean[64];
    private long[] pendingTime = new long[64];
    private int[] pendingRow = new int[64];
    private KvmIsa[] pendingIsa = new KvmIsa[64];
    private long[] pendingCode = new long[64];
    private boolean[] pendingKernel = new boolean[64];
    // keepSlowest(): the pending exit's line, RIP and vCPU; only kept when asked for
    private long[] pendingLine = new long[64];
    private long[] pendingRip = new long[64];
    private int[] pendingExitVcpu = new int[64];
    private int slowestCount;
    private long slowestThan = Long.MAX_VALUE;
    // the slowest intervals so far, fastest first (a heap): nanos above slowThreshold may enter
    private java.util.PriorityQueue<SlowExit> slowest;
    private long slowThreshold = Long.MAX_VALUE;
    // the vCPU a thread's last kvm_entry named (-1: none yet), for kvm_exit lines of 4.x kernels,
    // which record no vCPU id
    private int[] threadVcpu = filled(64);
    private int pendingCount;
    // the last thread looked up and its slot (slots move only when the table grows)
    private boolean cachedSlotValid;
    private int cachedPid;
    private int cachedSlot;
    // readFile(): the statistics of one part of a file keep, per thread, its events before its first
    // exit or entry in the part (a prelude), whose effect depends on the parts before
    private final boolean part;
    private final Map<Integer, ThreadPrelude> preludes = new LinkedHashMap<>();
    private boolean needsCarriedVcpu;

    private ExitStatistics(Grouping grouping) {
        this(grouping, false);
    }

    private ExitStatistics(Grouping grouping, boolean part) {
        this.grouping = grouping;
        this.perVcpu = grouping == Grouping.REASON_AND_VCPU;
        this.deferred = grouping == Grouping.IO_PORT || grouping == Grouping.MSR || grouping == Grouping.EPT_PAGE;
        this.part = part;
        this.vmxReasonRows = grouping == Grouping.REASON ? new Row[VMX_REASON_ROWS] : null;
    }

    /**
     * Statistics grouped some way.
     *
     * @param grouping what a row stands for
     * @return empty statistics
     */
    public static ExitStatistics by(Grouping grouping) {
        return new ExitStatistics(java.util.Objects.requireNonNull(grouping, "grouping"));
    }

    /**
     * Statistics per exit reason.
     *
     * @return empty statistics
     */
    public static ExitStatistics byReason() {
        return new ExitStatistics(Grouping.REASON);
    }

    /**
     * Statistics per exit reason and vCPU.
     *
     * @return empty statistics
     */
    public static ExitStatistics byReasonAndVcpu() {
        return new ExitStatistics(Grouping.REASON_AND_VCPU);
    }

    /**
     * Adds one event: {@code kvm_exit} counts an exit, {@code kvm_entry} closes the pending exit of
     * its thread; other events are ignored.
     *
     * @param event the event (a flyweight is fine; nothing is kept)
     */
    public void accept(KvmEvent event) {
        accept(event, -1);
    }

    /**
     * As {@link #accept(KvmEvent)}, with the event's line number in its trace, which
     * {@link #slowestExits()} reports ({@link #readFile} passes it).
     *
     * @param event the event
     * @param lineNumber its 1-based line number, -1 if unknown
     */
    public void accept(KvmEvent event, long lineNumber) {
        KvmEventType type = event.type();
        if (type == KvmEventType.KVM_EXIT) {
            boolean byQualification = grouping == Grouping.QUALIFICATION_CLASS;
            acceptExit(event.pid(), event.timestampNanos(), event.isa(), event.exitCode(), event.guestRip(),
                    perVcpu || slowest != null ? event.vcpu() : -1, byQualification ? event.info1() : 0,
                    byQualification ? event.intrInfo() : 0, lineNumber);
        } else if (deferred && type == detailType()) {
            detailEvents++;
            long detail = type == KvmEventType.KVM_PIO ? event.port()
                    : type == KvmEventType.KVM_MSR ? event.msrIndex() & 0xffff_ffffL
                    : (event.gpa() & PAGE_MASK) | (event.errorCode() & 0xfff); // the access is decoded with the exit's isa
            if (part && !pendingUsed[pendingSlot(event.pid())]) {
                preludeOf(event.pid()).detail(detail, event.isWrite()); // only the first one can matter
                return;
            }
            acceptDetail(event.pid(), detail, event.isWrite());
        } else if (type == KvmEventType.KVM_ENTRY) {
            acceptEntryEvent(event.pid(), event.timestampNanos(), event.vcpu(), lineNumber);
        }
    }

    /**
     * A kvm_exit, as plain values (info1 and intrInfo are read under QUALIFICATION_CLASS only). The
     * common case is kept small, the rest in methods of their own, so that readers' loops inline it.
     */
    private void acceptExit(int pid, long timestampNanos, KvmIsa isa, long exitCode, long guestRip, int exitVcpu,
            long info1, int intrInfo, long lineNumber) {
        exitEvents++;
        if (deferred) {
            acceptDeferredExit(pid, timestampNanos, isa, exitCode, guestRip, exitVcpu, lineNumber);
            return;
        }
        int vcpu = perVcpu ? vcpuOfExit(pid, exitVcpu) : -1;
        long detail = grouping == Grouping.QUALIFICATION_CLASS && isa == KvmIsa.VMX
                ? qualificationClass(exitCode, info1, intrInfo) : -1;
        Row row = row(isa, exitCode, vcpu, detail, false);
        row.count++;
        if (guestRip < 0) {
            row.guestKernel++; // see ExitStatisticsRow#guestKernelCount for the rule
        }
        totalExits++;
        int slot = setPending(pid, timestampNanos, row.index);
        if (slowest != null) {
            rememberExit(slot, lineNumber, guestRip, exitVcpu);
        }
    }

    /** An exit under IO_PORT, MSR or EPT_PAGE: its row is named by the event after it. */
    private void acceptDeferredExit(int pid, long timestampNanos, KvmIsa isa, long exitCode, long guestRip,
            int exitVcpu, long lineNumber) {
        boolean counted = grouping != Grouping.EPT_PAGE || isEptViolation(isa, exitCode);
        int slot = setPending(pid, timestampNanos, counted ? DEFERRED : IGNORED);
        pendingIsa[slot] = isa;
        pendingCode[slot] = exitCode;
        pendingKernel[slot] = guestRip < 0;
        if (slowest != null) {
            rememberExit(slot, lineNumber, guestRip, exitVcpu);
        }
    }

    /** The vCPU of an exit's row: its own, else (4.x kernels record none) its thread's last entry's. */
    private int vcpuOfExit(int pid, int exitVcpu) {
        if (exitVcpu >= 0) {
            return exitVcpu;
        }
        int slot = pendingSlot(pid);
        int vcpu = pendingUsed[slot] ? threadVcpu[slot] : -1;
        // in a part of a file, the thread's vCPU may come from an entry in an earlier part
        needsCarriedVcpu |= part && vcpu < 0;
        return vcpu;
    }

    /** What {@link #keepSlowest} reports of a pending exit. */
    private void rememberExit(int slot, long lineNumber, long guestRip, int exitVcpu) {
        pendingLine[slot] = lineNumber;
        pendingRip[slot] = guestRip;
        pendingExitVcpu[slot] = exitVcpu;
    }

    /** A kvm_entry event: in a part, a thread's first one is kept aside for {@link #absorb}. */
    private void acceptEntryEvent(int pid, long timestampNanos, int vcpu, long lineNumber) {
        entryEvents++;
        if (part && !pendingUsed[pendingSlot(pid)]) {
            preludeOf(pid).entry(timestampNanos, vcpu, lineNumber);
            setPending(pid, 0, -1); // from here on the thread's state is this part's own
            if (perVcpu && vcpu >= 0) {
                rememberVcpu(pid, vcpu);
            }
            return;
        }
        acceptEntry(pid, timestampNanos, vcpu, lineNumber);
    }

    /**
     * These statistics as an {@link ExitEntryConsumer} (how a binary trace reader feeds them; line
     * numbers unknown): the same as {@link #accept(KvmEvent) accepting} each event.
     */
    ExitEntryConsumer asConsumer() {
        return new ExitEntryConsumer() {
            @Override
            public void acceptExit(int pid, long timestampNanos, KvmIsa isa, long exitCode, long guestRip, int vcpu,
                    long info1, int intrInfo) {
                ExitStatistics.this.acceptExit(pid, timestampNanos, isa, exitCode, guestRip, vcpu, info1, intrInfo, -1);
            }

            @Override
            public void acceptEntry(int pid, long timestampNanos, int vcpu) {
                acceptEntryEvent(pid, timestampNanos, vcpu, -1);
            }

            @Override
            public void acceptOther(KvmEvent event) {
                accept(event, -1);
            }
        };
    }

    /** Whether {@link #keepSlowest} is on: its ties go to the first offered, so it needs events in time order. */
    boolean keepsSlowest() {
        return slowest != null;
    }

    /** A kvm_pio/kvm_msr event under IO_PORT/MSR: it names the row of its thread's deferred exit. */
    private void acceptDetail(int pid, long detail, boolean write) {
        int slot = pendingSlot(pid);
        if (pendingUsed[slot] && pendingRow[slot] == DEFERRED) {
            if (grouping == Grouping.EPT_PAGE) {
                detail = (detail & PAGE_MASK) | pageAccess(pendingIsa[slot], detail & 0xfff);
            }
            Row row = row(pendingIsa[slot], pendingCode[slot], -1, detail, write);
            row.lowerExitCode(pendingCode[slot]);
            row.count++;
            if (pendingKernel[slot]) {
                row.guestKernel++;
            }
            totalExits++;
            pendingRow[slot] = row.index;
        }
    }

    /** A kvm_entry: it closes its thread's pending exit. */
    private void acceptEntry(int pid, long timestampNanos, int vcpu, long lineNumber) {
        if (perVcpu && vcpu >= 0) {
            rememberVcpu(pid, vcpu);
        }
        int slot = pendingSlot(pid);
        if (pendingUsed[slot] && pendingRow[slot] >= 0) {
            long nanos = timestampNanos - pendingTime[slot];
            if (nanos >= 0) {
                Row row = rowList.get(pendingRow[slot]);
                row.record(nanos);
                if (nanos >= slowThreshold) {
                    offerSlow(row, slot, pid, timestampNanos, nanos, lineNumber);
                }
            } else {
                backwardIntervals++; // the entry's timestamp is before the exit's: counted, not timed
            }
            pendingRow[slot] = -1;
        } else if (pendingUsed[slot] && pendingRow[slot] == DEFERRED) {
            unattributedExits++;
            pendingRow[slot] = -1;
        } else if (pendingUsed[slot] && pendingRow[slot] == IGNORED) {
            pendingRow[slot] = -1;
        } else {
            unpairedEntries++;
        }
    }

    /**
     * Reads a whole kvm trace file into these statistics, with {@code threads} threads reading parts
     * of the file (split at line starts, up to four per thread, taken in turn so that a slow thread
     * holds the end up by one small part); the result is the same as reading the file
     * with one {@link KvmTraceReader} and {@link #accept accepting} every event in order. A part's
     * first events of each vCPU thread are kept aside and applied, when the parts are merged in
     * order, to the exits the parts before left pending. (Only per-vCPU statistics of 4.x traces,
     * whose exits carry no vCPU id, cannot be split that way; they are then read by one thread.)
     *
     * <p>A trace-cmd {@code trace.dat} (v6 or v7, found by its magic) is read the same way when
     * vmx-hw is present, by a {@link BinaryKvmTraceFormat}: its CPUs' pages are merged in time
     * order, split into time windows read at once; the summary then says so
     * ({@link KvmTraceSummary#format()}) and counts events, loss reports and problems (which name
     * the file offset), and no text lines.
     *
     * @param file the trace file
     * @param threads how many threads may read at once, at least 1 (parts are at least 1 MiB)
     * @return what the reader saw: lines, events, problems with their line numbers in the file
     * @throws IllegalArgumentException if {@code threads} is below 1, or the file is a binary trace
     *         that cannot be read at all (not a version this reader knows, or cut off or damaged
     *         before any event data; the message names the file and the offset)
     * @throws java.io.UncheckedIOException if the file cannot be read
     */
    public KvmTraceSummary readFile(java.nio.file.Path file, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
        KvmTraceSummary binary = BinaryTraceFiles.read(this, file, threads);
        return binary != null ? binary : ParallelTraceReading.read(this, file, threads);
    }

    /**
     * Adds statistics computed elsewhere from other events: another file, another host, another
     * process (read back with {@link #fromBytes} or {@link #fromStateJson}), or another set of vCPU
     * threads. Rows of the same key add up exactly: counts, guest-kernel counts, timed counts,
     * total, minimum, maximum, the exact sum of squares behind the spread, and the latency
     * histogram, so any split of the input into streams, each read into its own statistics and
     * merged in any order and grouping, gives the statistics of one reader over all of it (the mean,
     * shares and percentiles follow from those). The event counters ({@link #totalExits()},
     * {@link #unattributedExits()}, {@link #unpairedEntries()}, {@link #backwardIntervals()}) add
     * up too.
     *
     * <p>The streams are taken as independent: an exit {@code other} still waits to pair with a
     * {@code kvm_entry} stays unpaired, as it would at the end of its stream, and this object's own
     * waiting exits are left as they are. (To read one file in ordered parts use {@link #readFile},
     * which carries those exits across the cuts.) Merging statistics with themselves doubles them.
     *
     * @param other statistics of the same grouping; it is not changed
     * @return this object, now holding both
     * @throws IllegalArgumentException if {@code other} has another grouping
     */
    public ExitStatistics merge(ExitStatistics other) {
        java.util.Objects.requireNonNull(other, "other");
        if (other.grouping != grouping) {
            throw new IllegalArgumentException("cannot merge statistics grouped by " + other.grouping
                    + " into statistics grouped by " + grouping);
        }
        for (Row theirs : List.copyOf(other.rowList)) {
            row(theirs.isa, theirs.exitCode, theirs.vcpu, theirs.detail, theirs.write).add(theirs);
        }
        totalExits += other.totalExits;
        unattributedExits += other.unattributedExits;
        unpairedEntries += other.unpairedEntries;
        backwardIntervals += other.backwardIntervals;
        exitEvents += other.exitEvents;
        entryEvents += other.entryEvents;
        detailEvents += other.detailEvents;
        if (other.slowest != null && other != this) {
            for (SlowExit exit : List.copyOf(other.slowest)) {
                offerSlow(exit);
            }
        }
        return this;
    }

    /**
     * Keeps the {@code count} slowest exit-to-entry intervals of at least {@code thanNanos} from
     * here on, with their exit and entry (like perf-prof's {@code --than}), for
     * {@link #slowestExits()}. Costs one comparison per timed exit, and a little more for each
     * interval that enters the list. {@link #merge} keeps the slowest of both; the serialized forms
     * do not carry them.
     *
     * @param count how many to keep, at least 1
     * @param thanNanos the shortest interval worth keeping, 0 for any
     * @return this object
     * @throws IllegalArgumentException if count is below 1 or thanNanos negative
     * @throws IllegalStateException if events were accepted already
     */
    public ExitStatistics keepSlowest(int count, long thanNanos) {
        if (count < 1 || thanNanos < 0) {
            throw new IllegalArgumentException("keepSlowest(" + count + ", " + thanNanos + "): count must be at least 1, thanNanos at least 0");
        }
        if (exitEvents + entryEvents + detailEvents != 0) {
            throw new IllegalStateException("keepSlowest must be called before the first event");
        }
        slowestCount = count;
        slowestThan = thanNanos;
        slowest = new java.util.PriorityQueue<>(Comparator.comparingLong(SlowExit::nanos));
        slowThreshold = thanNanos;
        return this;
    }

    /**
     * The intervals {@link #keepSlowest} kept, slowest first; their line numbers are those of the
     * trace {@link #readFile} read (or that {@link #accept(KvmEvent, long)} was given), and
     * {@link SlowExit#withLines} adds the lines' text.
     *
     * @return the intervals, empty when none were kept
     */
    public List<SlowExit> slowestExits() {
        if (slowest == null) {
            return List.of();
        }
        List<SlowExit> list = new ArrayList<>(slowest);
        list.sort(Comparator.comparingLong(SlowExit::nanos).reversed().thenComparingLong(SlowExit::exitTimestampNanos));
        return List.copyOf(list);
    }

    private void offerSlow(Row row, int slot, int pid, long entryTime, long nanos, long entryLine) {
        // under IO_PORT and MSR a row holds several exit codes: name the exit's own
        boolean byAccess = deferred;
        KvmIsa isa = byAccess ? pendingIsa[slot] : row.isa;
        long code = byAccess ? pendingCode[slot] : row.exitCode;
        String name = reasonName(isa, code);
        if (grouping == Grouping.QUALIFICATION_CLASS && row.detail >= 0) {
            name = name + " (" + qualificationClassName(code, row.detail) + ")";
        }
        offerSlow(new SlowExit(nanos, isa, code, name, pid, pendingExitVcpu[slot], entryTime - nanos,
                pendingRip[slot], pendingLine[slot], entryLine, "", ""));
    }

    private void offerSlow(SlowExit exit) {
        if (slowest == null || exit.nanos() < slowestThan) {
            return;
        }
        slowest.add(exit);
        if (slowest.size() > slowestCount) {
            slowest.poll();
        }
        if (slowest.size() == slowestCount) {
            slowThreshold = Math.max(slowestThan, slowest.peek().nanos() + 1);
        }
    }

    /**
     * Adds one exit whose exit-to-entry time was measured elsewhere, by an engine that pairs exits
     * with entries itself (e.g. a query over a table of events): the same as {@link #accept accepting}
     * the exit and then, on the same thread, a {@code kvm_entry} {@code exitToEntryNanos} later.
     * Under {@link Grouping#IO_PORT}, {@link Grouping#MSR} and {@link Grouping#EPT_PAGE} use
     * {@link #acceptMeasuredExit(KvmEvent, KvmEvent, OptionalLong)}; without that event a re-entered
     * exit counts in {@link #unattributedExits()} there. Allocates nothing once the row exists.
     *
     * @param exit a {@code kvm_exit} event (its vCPU names the row under {@link Grouping#REASON_AND_VCPU})
     * @param exitToEntryNanos the time to the next entry of the vCPU thread; empty if none followed
     *     (counted, not timed); negative if the entry is stamped earlier (counted in
     *     {@link #backwardIntervals()}, not timed)
     * @throws IllegalArgumentException if {@code exit} is not a {@code kvm_exit}
     */
    public void acceptMeasuredExit(KvmEvent exit, OptionalLong exitToEntryNanos) {
        acceptMeasured(exit, false, -1, false, exitToEntryNanos);
    }

    /**
     * As {@link #acceptMeasuredExit(KvmEvent, OptionalLong)}, with the {@code kvm_pio},
     * {@code kvm_msr} or {@code kvm_page_fault} event that followed the exit on its thread, which
     * names the row under {@link Grouping#IO_PORT}, {@link Grouping#MSR} and
     * {@link Grouping#EPT_PAGE} (ignored under the other groupings, as {@link #accept} ignores it).
     *
     * @param exit a {@code kvm_exit} event
     * @param access the {@code kvm_pio}, {@code kvm_msr} or {@code kvm_page_fault} event after it
     * @param exitToEntryNanos as for {@link #acceptMeasuredExit(KvmEvent, OptionalLong)}
     * @throws IllegalArgumentException if an event is of another type
     */
    public void acceptMeasuredExit(KvmEvent exit, KvmEvent access, OptionalLong exitToEntryNanos) {
        KvmEventType type = access.type();
        if (type != KvmEventType.KVM_PIO && type != KvmEventType.KVM_MSR && type != KvmEventType.KVM_PAGE_FAULT) {
            throw new IllegalArgumentException("not a kvm_pio, kvm_msr or kvm_page_fault event: " + type);
        }
        boolean named = deferred && type == detailType();
        if (named) {
            detailEvents++;
        }
        long detail = type == KvmEventType.KVM_PIO ? access.port()
                : type == KvmEventType.KVM_MSR ? access.msrIndex() & 0xffff_ffffL
                : (access.gpa() & PAGE_MASK) | pageAccess(exit.isa(), access.errorCode() & 0xfff);
        acceptMeasured(exit, named, detail, access.isWrite(), exitToEntryNanos);
    }

    private void acceptMeasured(KvmEvent exit, boolean named, long detail, boolean write, OptionalLong exitToEntryNanos) {
        if (exit.type() != KvmEventType.KVM_EXIT) {
            throw new IllegalArgumentException("not a kvm_exit event: " + exit.type());
        }
        exitEvents++;
        boolean reentered = exitToEntryNanos.isPresent();
        if (reentered) {
            entryEvents++;
        }
        Row row;
        if (deferred) {
            if (grouping == Grouping.EPT_PAGE && !isEptViolation(exit.isa(), exit.exitCode())) {
                return; // as accept(): not an exit this grouping counts
            }
            if (!named) {
                if (reentered) {
                    unattributedExits++;
                }
                return; // as accept(): a deferred exit never re-entered is in no row
            }
            row = row(exit.isa(), exit.exitCode(), -1, detail, write);
            row.lowerExitCode(exit.exitCode());
        } else {
            long qualification = grouping == Grouping.QUALIFICATION_CLASS && exit.isa() == KvmIsa.VMX
                    ? qualificationClass(exit.exitCode(), exit.info1(), exit.intrInfo()) : -1;
            row = row(exit.isa(), exit.exitCode(), perVcpu ? exit.vcpu() : -1, qualification, false);
        }
        row.count++;
        if (exit.guestRip() < 0) {
            row.guestKernel++;
        }
        totalExits++;
        if (reentered) {
            long nanos = exitToEntryNanos.getAsLong();
            if (nanos >= 0) {
                row.record(nanos);
                if (nanos >= slowThreshold) {
                    String name = reasonName(exit.isa(), exit.exitCode());
                    if (grouping == Grouping.QUALIFICATION_CLASS && row.detail >= 0) {
                        name = name + " (" + qualificationClassName(exit.exitCode(), row.detail) + ")";
                    }
                    offerSlow(new SlowExit(nanos, exit.isa(), exit.exitCode(), name, exit.pid(), exit.vcpu(),
                            exit.timestampNanos(), exit.guestRip(), -1, -1, "", ""));
                }
            } else {
                backwardIntervals++;
            }
        }
    }

    /**
     * What these statistics group by.
     *
     * @return the grouping
     */
    public Grouping grouping() {
        return grouping;
    }

    /**
     * The compact binary form (format version {@value ExitStatisticsCodec#VERSION}, described in
     * {@code ExitStatisticsCodec} and in README's "Mergeable statistics"): every row's accumulators and
     * the event counters, nothing of the exits still waiting for an entry. Equal statistics give
     * equal bytes (rows are written in {@link Order#REASON} order).
     *
     * @return the bytes
     */
    public byte[] toBytes() {
        return ExitStatisticsCodec.toBytes(this);
    }

    /**
     * Statistics read back from {@link #toBytes()} of this or an earlier format version.
     *
     * @param bytes the serialized form
     * @return the statistics, ready to {@link #merge} or to accept more events
     * @throws IllegalArgumentException if the bytes are not such a form, are of a later version, are
     *     truncated or inconsistent; the message names the byte offset
     */
    public static ExitStatistics fromBytes(byte[] bytes) {
        return ExitStatisticsCodec.fromBytes(bytes);
    }

    /**
     * The same state as {@link #toBytes()} as JSON, for engines and people: an object with
     * {@code format}, {@code version}, {@code grouping}, the counters and {@code rows}, each row with
     * its key, accumulators and non-empty histogram buckets {@code [index, count, min, max]}; times in
     * nanoseconds; the 128-bit sum of squares as a decimal string.
     *
     * @return the JSON text
     */
    public String toStateJson() {
        return ExitStatisticsCodec.toJson(this);
    }

    /**
     * Statistics read back from {@link #toStateJson()} of this or an earlier format version.
     *
     * @param json the JSON text
     * @return the statistics
     * @throws IllegalArgumentException if the text is not such a form; the message names where: the
     *     character offset of a syntax error, else the row or the document and the key whose value is wrong
     */
    public static ExitStatistics fromStateJson(String json) {
        return ExitStatisticsCodec.fromJson(json);
    }

    /**
     * Why {@link #rows} is empty, in words for the output: no events at all, no {@code kvm_exit}
     * events, or (under {@link Grouping#IO_PORT} and {@link Grouping#MSR}) exits but no
     * {@code kvm_pio} / {@code kvm_msr} events to name their rows.
     *
     * @return the reason, or empty when there are rows
     */
    public java.util.Optional<String> whyEmpty() {
        if (!rowList.isEmpty()) {
            return java.util.Optional.empty();
        }
        if (exitEvents == 0) {
            return java.util.Optional.of(entryEvents == 0
                    ? "no kvm_exit or kvm_entry events were read (is the kvm:kvm_exit tracepoint enabled?)"
                    : "no kvm_exit events were read, only " + entryEvents
                            + " kvm_entry events (is the kvm:kvm_exit tracepoint enabled?)");
        }
        String event = detailType().tracepoint();
        String what = grouping == Grouping.MSR ? "MSR" : grouping == Grouping.EPT_PAGE ? "guest-physical page" : "I/O port";
        return java.util.Optional.of(exitEvents + " kvm_exit events were read, but "
                + (detailEvents == 0 ? "no " + event + " events, which name the " + what
                        + " of an exit (enable the kvm:" + event + " tracepoint when recording)"
                        : "no " + event + " event followed an exit on its thread before the next entry")
                + "; " + unattributedExits + " exits were re-entered without one");
    }

    long exitEvents() {
        return exitEvents;
    }

    long entryEvents() {
        return entryEvents;
    }

    long detailEvents() {
        return detailEvents;
    }

    List<Row> rowList() {
        return rowList;
    }

    /** Sets the counters of statistics read back by {@link ExitStatisticsCodec}. */
    void restoreCounters(long total, long unattributed, long unpaired, long backward, long exits, long entries, long details) {
        totalExits = total;
        unattributedExits = unattributed;
        unpairedEntries = unpaired;
        backwardIntervals = backward;
        exitEvents = exits;
        entryEvents = entries;
        detailEvents = details;
    }

    /** The row of a key, made empty if new, for {@link ExitStatisticsCodec}. */
    Row rowFor(KvmIsa isa, long exitCode, int vcpu, long detail, boolean write) {
        return row(isa, exitCode, vcpu, detail, write);
    }

    /** Empty statistics of the same grouping for one part of a file, see {@link #readFile}. */
    ExitStatistics newPart() {
        ExitStatistics part = new ExitStatistics(grouping, true);
        if (slowest != null) {
            part.keepSlowest(slowestCount, slowestThan);
        }
        return part;
    }

    /** Whether this part's exits needed a vCPU only an earlier part could name. */
    boolean needsCarriedVcpu() {
        return needsCarriedVcpu;
    }

    /**
     * Adds the statistics of the next part of a file, as if its events had been accepted here.
     *
     * @param lineOffset the lines of the file before the part (its line numbers count from 1)
     */
    void absorb(ExitStatistics next, long lineOffset) {
        // 1. the part's first events of each thread meet the state the parts before left
        for (ThreadPrelude prelude : next.preludes.values()) {
            if (prelude.hasDetail) {
                acceptDetail(prelude.pid, prelude.detail, prelude.write);
            }
            if (prelude.hasEntry) {
                acceptEntry(prelude.pid, prelude.entryTime, prelude.entryVcpu,
                        prelude.entryLine < 0 ? -1 : prelude.entryLine + lineOffset);
            }
        }
        // 2. its rows, added to the rows of the same key
        int[] rowIndex = new int[next.rowList.size()];
        for (Row row : next.rowList) {
            Row mine = row(row.isa, row.exitCode, row.vcpu, row.detail, row.write);
            mine.add(row);
            rowIndex[row.index] = mine.index;
        }
        totalExits += next.totalExits;
        unattributedExits += next.unattributedExits;
        unpairedEntries += next.unpairedEntries;
        backwardIntervals += next.backwardIntervals;
        exitEvents += next.exitEvents;
        entryEvents += next.entryEvents;
        detailEvents += next.detailEvents;
        if (next.slowest != null) {
            for (SlowExit exit : next.slowest) {
                offerSlow(exit.shiftedBy(lineOffset));
            }
        }
        // 3. every thread the part saw is left as the part left it
        for (int i = 0; i < next.pendingPid.length; i++) {
            if (next.pendingUsed[i]) {
                int nextRow = next.pendingRow[i];
                int slot = setPending(next.pendingPid[i], next.pendingTime[i], nextRow >= 0 ? rowIndex[nextRow] : nextRow);
                pendingIsa[slot] = next.pendingIsa[i];
                pendingCode[slot] = next.pendingCode[i];
                pendingKernel[slot] = next.pendingKernel[i];
                pendingLine[slot] = next.pendingLine[i] < 0 ? -1 : next.pendingLine[i] + lineOffset;
                pendingRip[slot] = next.pendingRip[i];
                pendingExitVcpu[slot] = next.pendingExitVcpu[i];
                if (next.threadVcpu[i] >= 0) {
                    threadVcpu[slot] = next.threadVcpu[i];
                }
            }
        }
    }

    private ThreadPrelude preludeOf(int pid) {
        return preludes.computeIfAbsent(pid, ThreadPrelude::new);
    }

    /** A thread's events in a part before its first exit or entry there: one per thread, not per event. */
    private static final long[][] NO_BLOCKS = new long[0][];
    // histogram blocks: BLOCK buckets each (a quarter of a power of two above LINEAR)
    private static final int BLOCK_BITS = 3;
    private static final int BLOCK = 1 << BLOCK_BITS;

    private static final class ThreadPrelude {
        final int pid;
        boolean hasDetail;
        long detail;
        boolean write;
        boolean hasEntry;
        long entryTime;
        int entryVcpu;
        long entryLine;

        ThreadPrelude(int pid) {
            this.pid = pid;
        }

        void detail(long value, boolean isWrite) {
            if (!hasDetail) {
                hasDetail = true;
                detail = value;
                write = isWrite;
            }
        }

        void entry(long time, int vcpu, long line) {
            hasEntry = true;
            entryTime = time;
            entryVcpu = vcpu;
            entryLine = line;
        }
    }

    /**
     * All exits counted.
     *
     * @return the count
     */
    public long totalExits() {
        return totalExits;
    }

    /**
     * Under {@link Grouping#IO_PORT} or {@link Grouping#MSR}: exits re-entered without a
     * {@code kvm_pio} / {@code kvm_msr} event in between (other exit reasons), not in any row.
     *
     * @return the count, 0 under the other groupings
     */
    public long unattributedExits() {
        return unattributedExits;
    }

    /**
     * Exits whose next {@code kvm_entry} on the same thread carries an earlier timestamp (a trace
     * merged from unsynchronised per-CPU clocks): counted in their row, but not timed.
     *
     * @return the count
     */
    public long backwardIntervals() {
        return backwardIntervals;
    }

    /**
     * {@code kvm_entry} events with no preceding exit on their thread (the start of a trace).
     *
     * @return the count
     */
    public long unpairedEntries() {
        return unpairedEntries;
    }

    /**
     * The rows, in an order.
     *
     * @param order the order
     * @return immutable snapshots of the rows
     */
    public List<ExitStatisticsRow> rows(Order order) {
        List<ExitStatisticsRow> result = new ArrayList<>();
        long totalNanos = 0;
        for (Row row : rowList) {
            totalNanos += row.total;
        }
        for (Row row : rowList) {
            result.add(row.snapshot(totalExits, totalNanos, grouping));
        }
        Comparator<ExitStatisticsRow> byReason = Comparator.comparing(ExitStatisticsRow::isa)
                .thenComparingLong(ExitStatisticsRow::exitCode).thenComparingInt(ExitStatisticsRow::vcpu)
                .thenComparingLong(ExitStatisticsRow::detail).thenComparing(ExitStatisticsRow::write);
        Comparator<ExitStatisticsRow> comparator = switch (order) {
            case COUNT -> Comparator.comparingLong(ExitStatisticsRow::count).reversed().thenComparing(byReason);
            case TIME -> Comparator.comparingLong(ExitStatisticsRow::totalNanos).reversed().thenComparing(byReason);
            case REASON -> byReason;
        };
        result.sort(comparator);
        return List.copyOf(result);
    }

    /**
     * An aligned text table like {@code perf kvm stat report}, times in microseconds: samples and
     * their share, {@code Time%} (the row's share of all exit-to-entry time), the row's total time,
     * min, max, the mean with perf's relative spread {@code ( +-x% )}, p50 and p99 (exact, or
     * {@code <=} a recorded upper bound, see {@link LatencyPercentile}), and {@code Kernel%}, the
     * share of exits from the guest kernel's half of the address space
     * ({@link ExitStatisticsRow#guestKernelCount()}). A table with no rows says why instead
     * ({@link #whyEmpty()}).
     *
     * @param order the row order
     * @return the table, one row per line
     */
    public String toTable(Order order) {
        List<ExitStatisticsRow> rows = rows(order);
        int width = "VM-EXIT".length();
        for (ExitStatisticsRow row : rows) {
            width = Math.max(width, row.reasonName().length());
        }
        StringBuilder out = new StringBuilder();
        String detailName = grouping == Grouping.IO_PORT ? "PORT R/W" : grouping == Grouping.MSR ? "MSR R/W" : "GPA PAGE ACCESS";
        boolean detail = deferred;
        int detailWidth = Math.max(10, detailName.length() - 2);
        for (ExitStatisticsRow row : rows) {
            detailWidth = Math.max(detailWidth, detailText(row).length());
        }
        java.util.Optional<String> empty = whyEmpty();
        if (empty.isPresent()) {
            out.append(String.format(Locale.ROOT, "No rows: %s.%n", empty.get()));
            out.append(String.format(Locale.ROOT, "Total Samples:%d%n", totalExits));
            return out.toString();
        }
        String head = "%-" + width + "s %s%10s %8s %7s %12s %10s %10s %10s %11s %10s %10s %7s%n";
        out.append(String.format(Locale.ROOT, head, "VM-EXIT", perVcpu ? String.format("%5s ", "VCPU") : detail ? String.format("%" + (detailWidth + 2) + "s ", detailName) : "",
                "Samples", "Samples%", "Time%", "Total(us)", "Min(us)", "Max(us)", "Avg(us)", "(+-%)", "P50(us)", "P99(us)", "Kernel%"));
        String line = "%-" + width + "s %s%10d %7.2f%% %6.2f%% %12s %10s %10s %10s ( +-%5s%%) %10s %10s %6.2f%%%n";
        boolean bounds = false;
        boolean untimed = false;
        for (ExitStatisticsRow row : rows) {
            // a row none of whose exits was followed by its thread's entry has no times: "-", not 0.00
            boolean timed = row.timedCount() > 0;
            untimed |= !timed;
            bounds |= timed && (!row.p50().isExact() || !row.p99().isExact());
            out.append(String.format(Locale.ROOT, line, row.reasonName(),
                    perVcpu ? String.format(Locale.ROOT, "%5d ", row.vcpu())
                            : detail ? String.format(Locale.ROOT, "%" + (detailWidth + 2) + "s ", detailText(row)) : "", row.count(), row.share() * 100, row.timeShare() * 100,
                    timed ? micros(row.totalNanos()) : "-", timed ? micros(row.minNanos()) : "-",
                    timed ? micros(row.maxNanos()) : "-", timed ? String.format(Locale.ROOT, "%.2f", row.meanNanos() / 1000.0) : "-",
                    timed ? String.format(Locale.ROOT, "%.2f", row.meanSpreadPercent()) : "-",
                    timed ? row.p50().toMicrosText() : "-", timed ? row.p99().toMicrosText() : "-", row.guestKernelShare() * 100));
        }
        out.append(String.format(Locale.ROOT, "Total Samples:%d%n", totalExits));
        if (bounds) {
            out.append(String.format(Locale.ROOT, "<=x: the percentile is at most x, a recorded time at most 3.1%% above it%n"));
        }
        if (untimed) {
            out.append(String.format(Locale.ROOT, "-: no exit of the row was followed by its thread's kvm_entry, so none was timed%n"));
        }
        return out.toString();
    }

    /**
     * CSV with a header line; times in nanoseconds. After the first fourteen columns (unchanged
     * since they were first written): {@code time_share}, {@code total_ns}, {@code mean_spread_pct},
     * the percentiles' bounds ({@code p50_low_ns}, {@code p50_high_ns}, {@code p99_low_ns},
     * {@code p99_high_ns}; equal when exact) and {@code guest_kernel}.
     *
     * @param order the row order
     * @return the CSV text
     */
    public String toCsv(Order order) {
        StringBuilder out = new StringBuilder("isa,exit_code,reason,vcpu,detail,write,count,share,timed,min_ns,max_ns,mean_ns,p50_ns,p99_ns,"
                + "time_share,total_ns,mean_spread_pct,p50_low_ns,p50_high_ns,p99_low_ns,p99_high_ns,guest_kernel\n");
        for (ExitStatisticsRow row : rows(order)) {
            out.append(row.isa()).append(",0x").append(Long.toHexString(row.exitCode())).append(',')
                    .append(csv(row.reasonName())).append(',').append(row.vcpu()).append(',').append(row.detail()).append(',').append(row.write())
                    .append(',').append(row.count())
                    .append(',').append(String.format(Locale.ROOT, "%.6f", row.share())).append(',')
                    .append(row.timedCount()).append(',').append(row.minNanos()).append(',').append(row.maxNanos())
                    .append(',').append(String.format(Locale.ROOT, "%.1f", row.meanNanos())).append(',')
                    .append(row.p50Nanos()).append(',').append(row.p99Nanos())
                    .append(',').append(String.format(Locale.ROOT, "%.6f", row.timeShare())).append(',').append(row.totalNanos())
                    .append(',').append(String.format(Locale.ROOT, "%.2f", row.meanSpreadPercent()))
                    .append(',').append(row.p50().lowNanos()).append(',').append(row.p50().highNanos())
                    .append(',').append(row.p99().lowNanos()).append(',').append(row.p99().highNanos())
                    .append(',').append(row.guestKernelCount()).append('\n');
        }
        return out.toString();
    }

    /**
     * JSON: {@code {"total":N,"rows":[{...}]}}; times in nanoseconds. With no rows, a
     * {@code "empty"} member says why ({@link #whyEmpty()}).
     *
     * @param order the row order
     * @return the JSON text
     */
    public String toJson(Order order) {
        StringBuilder out = new StringBuilder("{\"total\":").append(totalExits);
        whyEmpty().ifPresent(why -> out.append(",\"empty\":").append(json(why)));
        out.append(",\"rows\":[");
        boolean first = true;
        for (ExitStatisticsRow row : rows(order)) {
            out.append(first ? "" : ",").append("{\"isa\":\"").append(row.isa()).append("\",\"exitCode\":")
                    .append(row.exitCode()).append(",\"reason\":").append(json(row.reasonName()))
                    .append(",\"vcpu\":").append(row.vcpu()).append(",\"detail\":").append(row.detail())
                    .append(",\"write\":").append(row.write()).append(",\"count\":").append(row.count())
                    .append(",\"share\":").append(String.format(Locale.ROOT, "%.6f", row.share()))
                    .append(",\"timed\":").append(row.timedCount()).append(",\"minNs\":").append(row.minNanos())
                    .append(",\"maxNs\":").append(row.maxNanos()).append(",\"meanNs\":")
                    .append(String.format(Locale.ROOT, "%.1f", row.meanNanos())).append(",\"p50Ns\":")
                    .append(row.p50Nanos()).append(",\"p99Ns\":").append(row.p99Nanos())
                    .append(",\"timeShare\":").append(String.format(Locale.ROOT, "%.6f", row.timeShare()))
                    .append(",\"totalNs\":").append(row.totalNanos())
                    .append(",\"meanSpreadPct\":").append(String.format(Locale.ROOT, "%.2f", row.meanSpreadPercent()))
                    .append(",\"p50\":{\"lowNs\":").append(row.p50().lowNanos()).append(",\"highNs\":").append(row.p50().highNanos())
                    .append(",\"exact\":").append(row.p50().isExact()).append('}')
                    .append(",\"p99\":{\"lowNs\":").append(row.p99().lowNanos()).append(",\"highNs\":").append(row.p99().highNanos())
                    .append(",\"exact\":").append(row.p99().isExact()).append('}')
                    .append(",\"guestKernel\":").append(row.guestKernelCount()).append('}');
            first = false;
        }
        return out.append("]}").toString();
    }

    /** Nanoseconds as microseconds with two decimals, as the table prints times. */
    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1000.0);
    }

    /** The detail column: {@code 0x3f8 W} (port or MSR and direction) or {@code 0xfee00000 RW} (page and access). */
    private String detailText(ExitStatisticsRow row) {
        if (grouping == Grouping.EPT_PAGE) {
            long access = row.detail() & 7;
            return "0x" + Long.toHexString(row.detail() & PAGE_MASK) + " " + ((access & 1) != 0 ? "R" : "")
                    + ((access & 2) != 0 ? "W" : "") + ((access & 4) != 0 ? "X" : "") + (access == 0 ? "-" : "");
        }
        return "0x" + Long.toHexString(row.detail()) + " " + (row.write() ? "W" : "R");
    }

    /** RFC 4180: a field with a comma, quote, CR or LF is quoted, quotes doubled. */
    static String csv(String text) {
        boolean plain = text.chars().noneMatch(c -> c == ',' || c == '"' || c == '\r' || c == '\n');
        return plain ? text : '"' + text.replace("\"", "\"\"") + '"';
    }

    /** RFC 8259 string: quote, backslash and control characters escaped. */
    static String json(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private static final long PAGE_MASK = 0x000F_FFFF_FFFF_F000L;

    /** The event that names a deferred exit's row. */
    private KvmEventType detailType() {
        return grouping == Grouping.IO_PORT ? KvmEventType.KVM_PIO
                : grouping == Grouping.MSR ? KvmEventType.KVM_MSR : KvmEventType.KVM_PAGE_FAULT;
    }

    /** EPT_VIOLATION (VMX basic reason 48) or NPF (SVM exit code 0x400). */
    static boolean isEptViolation(KvmIsa isa, long exitCode) {
        return isa == KvmIsa.SVM ? exitCode == 0x400
                : (exitCode & 0xffff) == BasicExitReason.Numbers.EPT_VIOLATION && (exitCode & 0x8000_0000L) == 0;
    }

    /** 1 read, 2 write, 4 fetch from a kvm_page_fault error code (VMX: the exit qualification). */
    static long pageAccess(KvmIsa isa, long errorCode) {
        if (isa == KvmIsa.SVM) {
            return (errorCode & 2) != 0 ? 2 : (errorCode & 16) != 0 ? 4 : 1;
        }
        return errorCode & 7;
    }

    /** A small code for the class of an exit's qualification; -1 for reasons not split. Masks only: no object. */
    static long qualificationClass(long exitCode, long qualification, int intrInfo) {
        switch ((int) (exitCode & 0xffff)) {
            case BasicExitReason.Numbers.EPT_VIOLATION:
                return qualification & 7; // bits 0-2: read, write, instruction fetch
            case BasicExitReason.Numbers.CR_ACCESS:
                return (CrAccessQualification.accessTypeNumber(qualification) << 4) | CrAccessQualification.crNumber(qualification);
            case BasicExitReason.Numbers.IO_INSTRUCTION:
                return (IoInstructionQualification.isIn(qualification) ? 1 : 0) | (IoInstructionQualification.isString(qualification) ? 2 : 0);
            case BasicExitReason.Numbers.DR_ACCESS:
                return (qualification >>> 4) & 1; // 0 MOV to DR, 1 MOV from DR
            case BasicExitReason.Numbers.EXCEPTION_NMI:
                return intrInfo & 0x7ff; // type and vector
            default:
                return -1;
        }
    }

    /** The class's name, e.g. {@code write}, {@code MOV to CR3}, {@code in}, {@code #PF}. */
    static String qualificationClassName(long exitCode, long detail) {
        switch ((int) (exitCode & 0xffff)) {
            case BasicExitReason.Numbers.EPT_VIOLATION: {
                StringBuilder access = new StringBuilder();
                String[] names = {"read", "write", "fetch"};
                for (int bit = 0; bit < 3; bit++) {
                    if ((detail & (1 << bit)) != 0) {
                        access.append(access.length() == 0 ? "" : "+").append(names[bit]);
                    }
                }
                return access.length() == 0 ? "no access bit" : access.toString();
            }
            case BasicExitReason.Numbers.CR_ACCESS: {
                int cr = (int) (detail & 0xf);
                switch ((int) (detail >>> 4)) {
                    case 0: return "MOV to CR" + cr;
                    case 1: return "MOV from CR" + cr;
                    case 2: return "CLTS";
                    default: return "LMSW";
                }
            }
            case BasicExitReason.Numbers.IO_INSTRUCTION:
                return ((detail & 1) != 0 ? "in" : "out") + ((detail & 2) != 0 ? "s" : "");
            case BasicExitReason.Numbers.DR_ACCESS:
                return detail == 0 ? "MOV to DR" : "MOV from DR";
            case BasicExitReason.Numbers.EXCEPTION_NMI: {
                InterruptionInfo info = InterruptionInfo.of((int) detail | 0x8000_0000);
                return info.type() == InterruptionType.NMI ? "NMI" : info.exception().map(ExceptionVector::mnemonic)
                        .orElse("vector " + info.vector());
            }
            default:
                return "";
        }
    }

    static String reasonName(KvmIsa isa, long exitCode) {
        if (isa == KvmIsa.VMX) {
            BasicExitReason basic = BasicExitReason.fromNumber((int) (exitCode & 0xffff));
            String name = basic == BasicExitReason.UNRECOGNIZED ? "0x" + Long.toHexString(exitCode & 0xffff) : basic.name();
            // as kvm_exit prints it (FAILED_VMENTRY for bit 31), with the other flags by name so that
            // an enclave-mode EPT violation and a plain one do not make two rows of the same name
            StringBuilder text = new StringBuilder(name);
            for (ExitReasonFlag flag : ExitReasonFlag.values()) {
                if (flag != ExitReasonFlag.VM_ENTRY_FAILURE && (exitCode & flag.mask() & 0xffff_ffffL) != 0) {
                    text.append(' ').append(flag.name());
                }
            }
            int reserved = ExitReason.of((int) exitCode).reservedBits();
            if (reserved != 0) {
                text.append(" 0x").append(Integer.toHexString(reserved));
            }
            return (exitCode & 0x8000_0000L) != 0 ? text.append(" FAILED_VMENTRY").toString() : text.toString();
        }
        if (isa == KvmIsa.SVM) {
            for (String name : SVM_NAMES) {
                byte[] chars = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                if (SVM_TABLE.lookup(chars, 0, chars.length) == exitCode) {
                    return name;
                }
            }
        }
        return "0x" + Long.toHexString(exitCode);
    }

    // ---- slots ----

    private long key(KvmIsa isa, long exitCode, int vcpu, long detail, boolean write) {
        if (grouping == Grouping.EPT_PAGE) {
            // the page address (bits 51:12) with the access in bits 2:0
            return (detail & (PAGE_MASK | 7)) | ((long) isa.ordinal() << 52);
        }
        if (grouping == Grouping.QUALIFICATION_CLASS) {
            // the exit code with its qualification class (at most 11 bits; -1 for reasons not split)
            return (exitCode & 0xffff_ffffL) | ((detail + 1) << 32) | ((long) isa.ordinal() << 44);
        }
        if (detail >= 0) {
            // rows by port or MSR and direction; the exit code is the first one seen for them
            return (detail & 0xffff_ffffL) | (write ? 1L << 32 : 0) | ((long) isa.ordinal() << 33);
        }
        return (exitCode & 0xffff_ffffL) | ((long) isa.ordinal() << 32) | ((long) (vcpu + 1) << 34);
    }

    private Row row(KvmIsa isa, long exitCode, int vcpu, long detail, boolean write) {
        if (vmxReasonRows != null && isa == KvmIsa.VMX && exitCode >= 0 && exitCode < VMX_REASON_ROWS) {
            Row row = vmxReasonRows[(int) exitCode];
            if (row == null) {
                row = probe(isa, exitCode, vcpu, detail, write);
                vmxReasonRows[(int) exitCode] = row;
            }
            return row;
        }
        return probe(isa, exitCode, vcpu, detail, write);
    }

    private Row probe(KvmIsa isa, long exitCode, int vcpu, long detail, boolean write) {
        long key = key(isa, exitCode, vcpu, detail, write);
        Row[] slots = slotRows;
        int mask = slots.length - 1;
        int slot = Long.hashCode(key * 0x9E3779B97F4A7C15L) & mask;
        for (Row row = slots[slot]; row != null; row = slots[slot]) {
            if (row.key == key) {
                return row;
            }
            slot = (slot + 1) & mask;
        }
        if (rowList.size() * 2 >= slots.length) {
            growSlots();
            return probe(isa, exitCode, vcpu, detail, write);
        }
        Row row = new Row(rowList.size(), key, isa, exitCode, vcpu, detail, write);
        rowList.add(row);
        slots[slot] = row;
        return row;
    }

    private void growSlots() {
        Row[] slots = new Row[slotRows.length * 2];
        int mask = slots.length - 1;
        for (Row row : rowList) {
            int slot = Long.hashCode(row.key * 0x9E3779B97F4A7C15L) & mask;
            while (slots[slot] != null) {
                slot = (slot + 1) & mask;
            }
            slots[slot] = row;
        }
        slotRows = slots;
    }

    private int pendingSlot(int pid) {
        // a thread's exit and its entry are usually next to each other in a trace
        if (cachedSlotValid && cachedPid == pid) {
            return cachedSlot;
        }
        int mask = pendingPid.length - 1;
        int slot = (pid * 0x9E3779B9) >>> 7 & mask;
        while (pendingUsed[slot] && pendingPid[slot] != pid) {
            slot = (slot + 1) & mask;
        }
        if (pendingUsed[slot]) {
            cacheSlot(pid, slot);
        }
        return slot;
    }

    private void cacheSlot(int pid, int slot) {
        cachedPid = pid;
        cachedSlot = slot;
        cachedSlotValid = true;
    }

    private int setPending(int pid, long time, int rowIndex) {
        int slot = pendingSlot(pid);
        if (!pendingUsed[slot]) {
            if ((pendingCount + 1) * 2 > pendingPid.length) {
                growPending();
                slot = pendingSlot(pid);
            }
            pendingUsed[slot] = true;
            pendingPid[slot] = pid;
            pendingCount++;
            cacheSlot(pid, slot);
        }
        pendingTime[slot] = time;
        pendingRow[slot] = rowIndex;
        return slot;
    }

    private void growPending() {
        int[] oldPid = pendingPid;
        boolean[] oldUsed = pendingUsed;
        long[] oldTime = pendingTime;
        int[] oldRow = pendingRow;
        KvmIsa[] oldIsa = pendingIsa;
        long[] oldCode = pendingCode;
        boolean[] oldKernel = pendingKernel;
        long[] oldLine = pendingLine;
        long[] oldRip = pendingRip;
        int[] oldExitVcpu = pendingExitVcpu;
        int[] oldVcpu = threadVcpu;
        int capacity = oldPid.length * 2;
        cachedSlotValid = false; // every thread moves to a new slot
        pendingPid = new int[capacity];
        pendingUsed = new boolean[capacity];
        pendingTime = new long[capacity];
        pendingRow = new int[capacity];
        pendingIsa = new KvmIsa[capacity];
        pendingCode = new long[capacity];
        pendingKernel = new boolean[capacity];
        pendingLine = new long[capacity];
        pendingRip = new long[capacity];
        pendingExitVcpu = new int[capacity];
        threadVcpu = filled(capacity);
        for (int i = 0; i < oldPid.length; i++) {
            if (oldUsed[i]) {
                int slot = pendingSlot(oldPid[i]);
                pendingUsed[slot] = true;
                pendingPid[slot] = oldPid[i];
                pendingTime[slot] = oldTime[i];
                pendingRow[slot] = oldRow[i];
                pendingIsa[slot] = oldIsa[i];
                pendingCode[slot] = oldCode[i];
                pendingKernel[slot] = oldKernel[i];
                pendingLine[slot] = oldLine[i];
                pendingRip[slot] = oldRip[i];
                pendingExitVcpu[slot] = oldExitVcpu[i];
                threadVcpu[slot] = oldVcpu[i];
            }
        }
    }

    private static int[] filled(int capacity) {
        int[] vcpus = new int[capacity];
        Arrays.fill(vcpus, -1);
        return vcpus;
    }

    private void rememberVcpu(int pid, int vcpu) {
        int slot = pendingSlot(pid);
        if (!pendingUsed[slot]) {
            slot = setPending(pid, 0, -1); // a thread seen first at an entry: nothing pending
        }
        threadVcpu[slot] = vcpu;
    }

    /** Values below this have a bucket each (the serialized forms record the layout). */
    static int linearBuckets() {
        return LINEAR;
    }

    /** log2 of the buckets per power of two above {@link #linearBuckets()}. */
    static int subBucketBits() {
        return SUB_BITS;
    }

    static int bucketCount() {
        return BUCKETS;
    }

    static int bucket(long nanos) {
        if (nanos < LINEAR) {
            return (int) nanos;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(nanos);
        int sub = (int) (nanos >>> (exponent - SUB_BITS)) & ((1 << SUB_BITS) - 1);
        return LINEAR + (exponent - 6) * (1 << SUB_BITS) + sub;
    }

    /** The lowest value that falls in a bucket. */
    static long bucketLow(int bucket) {
        if (bucket < LINEAR) {
            return bucket;
        }
        int exponent = (bucket - LINEAR) / (1 << SUB_BITS) + 6;
        int sub = (bucket - LINEAR) % (1 << SUB_BITS);
        return (1L << exponent) | ((long) sub << (exponent - SUB_BITS));
    }

    /** One row's accumulators; package-private for {@link ExitStatisticsCodec}. */
    static final class Row {
        final int index;
        final KvmIsa isa;
        // under IO_PORT and MSR the lowest exit code of the row's exits (so that merging does not
        // depend on which came first); under the other groupings part of the key
        long exitCode;
        final int vcpu;
        final long detail;
        final boolean write;
        final long key;
        long count;
        long guestKernel;
        long timed;
        long total;
        long min = Long.MAX_VALUE;
        long max;
        // the sum of the squared times, unsigned 128 bits: exact, so that merging stays exact
        long squaresHigh;
        long squaresLow;
        // per bucket: count, the smallest and the largest time in it, in blocks of BLOCK buckets
        // (one cache line per record within a block), a block allocated when a time first falls
        // in it: a row holds only the blocks its times touch (a thin tail costs a block per far
        // time, not an array up to it), so that the many small statistics of readFile's parts
        // stay small (a row's full range would be 45 KiB)
        private long[][] blocks = NO_BLOCKS;

        Row(int index, long key, KvmIsa isa, long exitCode, int vcpu, long detail, boolean write) {
            this.key = key;
            this.index = index;
            this.detail = detail;
            this.write = write;
            this.isa = isa;
            this.exitCode = exitCode;
            this.vcpu = vcpu;
        }

        void lowerExitCode(long code) {
            if (code < exitCode) {
                exitCode = code;
            }
        }

        void add(Row other) {
            lowerExitCode(other.exitCode);
            count += other.count;
            guestKernel += other.guestKernel;
            timed += other.timed;
            total += other.total;
            min = Math.min(min, other.min);
            max = Math.max(max, other.max);
            addSquares(other.squaresHigh, other.squaresLow);
            long[][] theirs = other.blocks;
            for (int block = 0; block < theirs.length; block++) {
                long[] their = theirs[block];
                if (their == null) {
                    continue;
                }
                long[] cells = block(block);
                for (int i = 0; i < their.length; i += 3) {
                    long n = their[i];
                    if (n != 0) {
                        if (cells[i] == 0) {
                            cells[i + 1] = their[i + 1];
                            cells[i + 2] = their[i + 2];
                        } else {
                            cells[i + 1] = Math.min(cells[i + 1], their[i + 1]);
                            cells[i + 2] = Math.max(cells[i + 2], their[i + 2]);
                        }
                        cells[i] += n;
                    }
                }
            }
        }

        private void addSquares(long high, long low) {
            long sum = squaresLow + low;
            squaresHigh += high + (Long.compareUnsigned(sum, squaresLow) < 0 ? 1 : 0);
            squaresLow = sum;
        }

        void record(long nanos) {
            timed++;
            total += nanos;
            min = Math.min(min, nanos);
            max = Math.max(max, nanos);
            addSquares(Math.multiplyHigh(nanos, nanos), nanos * nanos);
            int bucket = bucket(nanos);
            long[][] all = blocks;
            int block = bucket >>> BLOCK_BITS;
            long[] cells = block < all.length ? all[block] : null;
            if (cells == null) {
                cells = block(block);
            }
            int i = (bucket & (BLOCK - 1)) * 3;
            long n = cells[i];
            // the bucket's smallest and largest time, without branches on the time (they would
            // go either way at random); an empty bucket's are this time
            cells[i + 1] = n == 0 ? nanos : Math.min(cells[i + 1], nanos);
            cells[i + 2] = n == 0 ? nanos : Math.max(cells[i + 2], nanos);
            cells[i] = n + 1;
        }

        /** Block {@code block} of the histogram, allocated (and the block table grown) if it was not. */
        long[] block(int block) {
            if (block >= blocks.length) {
                // the table too only reaches the highest block used (most rows stay far below it)
                blocks = Arrays.copyOf(blocks, Math.min((BUCKETS + BLOCK - 1) >>> BLOCK_BITS,
                        Math.max(block + 1, 2 * blocks.length)));
            }
            long[] cells = blocks[block];
            if (cells == null) {
                cells = new long[BLOCK * 3];
                blocks[block] = cells;
            }
            return cells;
        }

        /** The first bucket of this row's first block (0 when it has none). */
        int bucketsFrom() {
            for (int block = 0; block < blocks.length; block++) {
                if (blocks[block] != null) {
                    return block << BLOCK_BITS;
                }
            }
            return 0;
        }

        /** The bucket after this row's last block (0 when it has none). */
        int bucketsTo() {
            for (int block = blocks.length - 1; block >= 0; block--) {
                if (blocks[block] != null) {
                    return Math.min(BUCKETS, (block + 1) << BLOCK_BITS);
                }
            }
            return 0;
        }

        /** The count of a bucket, 0 for one in no block. */
        long bucketCount(int bucket) {
            long[] cells = bucket >>> BLOCK_BITS < blocks.length ? blocks[bucket >>> BLOCK_BITS] : null;
            return cells == null ? 0 : cells[(bucket & (BLOCK - 1)) * 3];
        }

        /** The smallest time in a non-empty bucket. */
        long bucketMin(int bucket) {
            return blocks[bucket >>> BLOCK_BITS][(bucket & (BLOCK - 1)) * 3 + 1];
        }

        /** The largest time in a non-empty bucket. */
        long bucketMax(int bucket) {
            return blocks[bucket >>> BLOCK_BITS][(bucket & (BLOCK - 1)) * 3 + 2];
        }

        /** Sets a bucket (as a decoder reads it), allocating its block. */
        void putBucket(int bucket, long count, long min, long max) {
            long[] cells = block(bucket >>> BLOCK_BITS);
            int at = (bucket & (BLOCK - 1)) * 3;
            cells[at] = count;
            cells[at + 1] = min;
            cells[at + 2] = max;
        }

        /** The nearest-rank percentile, exact or bounded by the smallest and largest time of its bucket. */
        LatencyPercentile percentile(double percent) {
            if (timed == 0) {
                return LatencyPercentile.of(percent, 0, 0);
            }
            long rank = Math.max(1, (long) Math.ceil(percent / 100 * timed));
            long seen = 0;
            for (int bucket = bucketsFrom(), to = bucketsTo(); bucket < to; bucket++) {
                long n = bucketCount(bucket);
                if (n != 0 && seen + n >= rank) {
                    long low = bucketMin(bucket);
                    long high = bucketMax(bucket);
                    long within = rank - seen; // the rank among this bucket's times, from 1
                    if (within == 1) {
                        return LatencyPercentile.of(percent, low, low); // the bucket's smallest time
                    }
                    if (within == n) {
                        return LatencyPercentile.of(percent, high, high); // its largest
                    }
                    return LatencyPercentile.of(percent, low, high);
                }
                seen += n;
            }
            return LatencyPercentile.of(percent, max, max); // not reached: the counts add up to timed
        }

        /**
         * perf's relative spread of the mean, {@code 100 * stddev_stats / avg_stats}: the sample
         * standard deviation divided by sqrt(n), over the mean (tools/perf/util/stat.c).
         */
        double meanSpreadPercent() {
            if (timed < 2 || total == 0) {
                return 0;
            }
            java.math.BigInteger n = java.math.BigInteger.valueOf(timed);
            java.math.BigInteger squares = new java.math.BigInteger(Long.toUnsignedString(squaresHigh))
                    .shiftLeft(64).add(new java.math.BigInteger(Long.toUnsignedString(squaresLow)));
            java.math.BigInteger sum = java.math.BigInteger.valueOf(total);
            // n * M2 = n * sum(x^2) - (sum x)^2, exact; variance = M2 / (n - 1); of the mean: / n
            double nTimesM2 = n.multiply(squares).subtract(sum.multiply(sum)).doubleValue();
            double varianceOfMean = nTimesM2 / ((double) timed * (timed - 1) * timed);
            double mean = (double) total / timed;
            return 100 * Math.sqrt(Math.max(0, varianceOfMean)) / mean;
        }

        ExitStatisticsRow snapshot(long totalExits, long totalNanos, Grouping grouping) {
            String name = reasonName(isa, exitCode);
            if (grouping == Grouping.QUALIFICATION_CLASS && detail >= 0) {
                name = name + " (" + qualificationClassName(exitCode, detail) + ")";
            }
            return new ExitStatisticsRow(isa, exitCode, name, vcpu, detail, write, count,
                    totalExits == 0 ? 0 : (double) count / totalExits, timed, total, timed == 0 ? 0 : min, max,
                    percentile(50), percentile(99), totalNanos == 0 ? 0 : (double) total / totalNanos,
                    meanSpreadPercent(), guestKernel);
        }
    }

    @Override
    public String toString() {
        return "ExitStatistics" + Arrays.asList(totalExits, rowList.size());
    }
}
