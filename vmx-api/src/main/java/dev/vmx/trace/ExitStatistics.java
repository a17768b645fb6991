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
 * 64 ns and 1/32 of a power of two wide above; a percentile is reported as the lower bound of the
 * bucket holding that rank, clamped to [min, max]. It is therefore never above the exact
 * nearest-rank value and at most 1/32 (3.1%) below it.
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
         * the same thread; exits without one are counted in {@link #unattributedExits()}.
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
        QUALIFICATION_CLASS
    }

    private static final int DEFERRED = -2;

    // histogram: values below 64 exact; above, 32 sub-buckets per power of two
    private static final int SUB_BITS = 5;
    private static final int LINEAR = 64;
    private static final int BUCKETS = LINEAR + (64 - 6) * (1 << SUB_BITS);
    private static final String[] SVM_NAMES = SvmExitNames.names();
    private static final SymbolTable SVM_TABLE = SvmExitNames.table();

    private final Grouping grouping;
    private final boolean perVcpu;
    private long totalExits;
    private long unattributedExits;
    private long unpairedEntries;
    private long backwardIntervals;
    // reason slots: open addressing on a composite key
    private Row[] slotRows = new Row[64];
    private final List<Row> rowList = new ArrayList<>();
    // pending exits per thread
    private int[] pendingPid = new int[64];
    private boolean[] pendingUsed = new boolean[64];
    private long[] pendingTime = new long[64];
    private int[] pendingRow = new int[64];
    private KvmIsa[] pendingIsa = new KvmIsa[64];
    private long[] pendingCode = new long[64];
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
        this.part = part;
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
        KvmEventType type = event.type();
        if (type == KvmEventType.KVM_EXIT) {
            if (grouping == Grouping.IO_PORT || grouping == Grouping.MSR) {
                int slot = setPending(event.pid(), event.timestampNanos(), DEFERRED);
                pendingIsa[slot] = event.isa();
                pendingCode[slot] = event.exitCode();
                return;
            }
            int vcpu = -1;
            if (perVcpu) {
                vcpu = event.vcpu();
                if (vcpu < 0) {
                    int slot = pendingSlot(event.pid());
                    vcpu = pendingUsed[slot] ? threadVcpu[slot] : -1;
                    // in a part of a file, the thread's vCPU may come from an entry in an earlier part
                    needsCarriedVcpu |= part && vcpu < 0;
                }
            }
            long detail = grouping == Grouping.QUALIFICATION_CLASS && event.isa() == KvmIsa.VMX
                    ? qualificationClass(event.exitCode(), event.info1(), event.intrInfo()) : -1;
            Row row = row(event.isa(), event.exitCode(), vcpu, detail, false);
            row.count++;
            totalExits++;
            setPending(event.pid(), event.timestampNanos(), row.index);
        } else if ((type == KvmEventType.KVM_PIO && grouping == Grouping.IO_PORT)
                || (type == KvmEventType.KVM_MSR && grouping == Grouping.MSR)) {
            long detail = type == KvmEventType.KVM_PIO ? event.port() : event.msrIndex() & 0xffff_ffffL;
            if (part && !pendingUsed[pendingSlot(event.pid())]) {
                preludeOf(event.pid()).detail(detail, event.isWrite()); // only the first one can matter
                return;
            }
            acceptDetail(event.pid(), detail, event.isWrite());
        } else if (type == KvmEventType.KVM_ENTRY) {
            if (part && !pendingUsed[pendingSlot(event.pid())]) {
                preludeOf(event.pid()).entry(event.timestampNanos(), event.vcpu());
                setPending(event.pid(), 0, -1); // from here on the thread's state is this part's own
                if (perVcpu && event.vcpu() >= 0) {
                    rememberVcpu(event.pid(), event.vcpu());
                }
                return;
            }
            acceptEntry(event.pid(), event.timestampNanos(), event.vcpu());
        }
    }

    /** A kvm_pio/kvm_msr event under IO_PORT/MSR: it names the row of its thread's deferred exit. */
    private void acceptDetail(int pid, long detail, boolean write) {
        int slot = pendingSlot(pid);
        if (pendingUsed[slot] && pendingRow[slot] == DEFERRED) {
            Row row = row(pendingIsa[slot], pendingCode[slot], -1, detail, write);
            row.count++;
            totalExits++;
            pendingRow[slot] = row.index;
        }
    }

    /** A kvm_entry: it closes its thread's pending exit. */
    private void acceptEntry(int pid, long timestampNanos, int vcpu) {
        if (perVcpu && vcpu >= 0) {
            rememberVcpu(pid, vcpu);
        }
        int slot = pendingSlot(pid);
        if (pendingUsed[slot] && pendingRow[slot] >= 0) {
            long nanos = timestampNanos - pendingTime[slot];
            if (nanos >= 0) {
                rowList.get(pendingRow[slot]).record(nanos);
            } else {
                backwardIntervals++; // the entry's timestamp is before the exit's: counted, not timed
            }
            pendingRow[slot] = -1;
        } else if (pendingUsed[slot] && pendingRow[slot] == DEFERRED) {
            unattributedExits++;
            pendingRow[slot] = -1;
        } else {
            unpairedEntries++;
        }
    }

    /**
     * Reads a whole kvm trace file into these statistics, with {@code threads} threads each reading
     * its own part of the file (split at line starts); the result is the same as reading the file
     * with one {@link KvmTraceReader} and {@link #accept accepting} every event in order. A part's
     * first events of each vCPU thread are kept aside and applied, when the parts are merged in
     * order, to the exits the parts before left pending. (Only per-vCPU statistics of 4.x traces,
     * whose exits carry no vCPU id, cannot be split that way; they are then read by one thread.)
     *
     * <p>A trace-cmd {@code trace.dat} (v6 or v7, found by its magic) is read the same way when
     * vmx-hw is present, by a {@link BinaryKvmTraceFormat}: its CPUs' pages are merged in time
     * order, split into time windows read at once; the summary then counts events, loss reports
     * and problems (which name the file offset), and no text lines.
     *
     * @param file the trace file
     * @param threads how many threads may read at once, at least 1 (parts under 1 MiB are not split)
     * @return what the reader saw: lines, events, problems with their line numbers in the file
     * @throws IllegalArgumentException if {@code threads} is below 1
     * @throws java.io.UncheckedIOException if the file cannot be read
     */
    public KvmTraceSummary readFile(java.nio.file.Path file, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
        KvmTraceSummary binary = BinaryTraceFiles.read(this, file, threads);
        return binary != null ? binary : ParallelTraceReading.read(this, file, threads);
    }

    /** Empty statistics of the same grouping for one part of a file, see {@link #readFile}. */
    ExitStatistics newPart() {
        return new ExitStatistics(grouping, true);
    }

    /** Whether this part's exits needed a vCPU only an earlier part could name. */
    boolean needsCarriedVcpu() {
        return needsCarriedVcpu;
    }

    /** Adds the statistics of the next part of a file, as if its events had been accepted here. */
    void absorb(ExitStatistics next) {
        // 1. the part's first events of each thread meet the state the parts before left
        for (ThreadPrelude prelude : next.preludes.values()) {
            if (prelude.hasDetail) {
                acceptDetail(prelude.pid, prelude.detail, prelude.write);
            }
            if (prelude.hasEntry) {
                acceptEntry(prelude.pid, prelude.entryTime, prelude.entryVcpu);
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
        // 3. every thread the part saw is left as the part left it
        for (int i = 0; i < next.pendingPid.length; i++) {
            if (next.pendingUsed[i]) {
                int nextRow = next.pendingRow[i];
                int slot = setPending(next.pendingPid[i], next.pendingTime[i], nextRow >= 0 ? rowIndex[nextRow] : nextRow);
                pendingIsa[slot] = next.pendingIsa[i];
                pendingCode[slot] = next.pendingCode[i];
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
    private static final class ThreadPrelude {
        final int pid;
        boolean hasDetail;
        long detail;
        boolean write;
        boolean hasEntry;
        long entryTime;
        int entryVcpu;

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

        void entry(long time, int vcpu) {
            hasEntry = true;
            entryTime = time;
            entryVcpu = vcpu;
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
        for (Row row : rowList) {
            result.add(row.snapshot(totalExits, grouping));
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
     * An aligned text table like {@code perf kvm stat report}, times in microseconds.
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
        String detailName = grouping == Grouping.IO_PORT ? "PORT" : "MSR";
        boolean detail = grouping == Grouping.IO_PORT || grouping == Grouping.MSR;
        String head = "%-" + width + "s %s%10s %8s %10s %10s %10s %10s %10s%n";
        out.append(String.format(Locale.ROOT, head, "VM-EXIT", perVcpu ? String.format("%5s ", "VCPU") : detail ? String.format("%12s ", detailName + " R/W") : "",
                "Samples", "Samples%", "Min(us)", "Max(us)", "Mean(us)", "P50(us)", "P99(us)"));
        String line = "%-" + width + "s %s%10d %7.2f%% %10.2f %10.2f %10.2f %10.2f %10.2f%n";
        for (ExitStatisticsRow row : rows) {
            out.append(String.format(Locale.ROOT, line, row.reasonName(),
                    perVcpu ? String.format(Locale.ROOT, "%5d ", row.vcpu())
                            : detail ? String.format(Locale.ROOT, "%10s %s ", "0x" + Long.toHexString(row.detail()),
                                    row.write() ? "W" : "R") : "", row.count(), row.share() * 100,
                    row.minNanos() / 1000.0, row.maxNanos() / 1000.0, row.meanNanos() / 1000.0,
                    row.p50Nanos() / 1000.0, row.p99Nanos() / 1000.0));
        }
        out.append(String.format(Locale.ROOT, "Total Samples:%d%n", totalExits));
        return out.toString();
    }

    /**
     * CSV with a header line; times in nanoseconds.
     *
     * @param order the row order
     * @return the CSV text
     */
    public String toCsv(Order order) {
        StringBuilder out = new StringBuilder("isa,exit_code,reason,vcpu,detail,write,count,share,timed,min_ns,max_ns,mean_ns,p50_ns,p99_ns\n");
        for (ExitStatisticsRow row : rows(order)) {
            out.append(row.isa()).append(",0x").append(Long.toHexString(row.exitCode())).append(',')
                    .append(csv(row.reasonName())).append(',').append(row.vcpu()).append(',').append(row.detail()).append(',').append(row.write())
                    .append(',').append(row.count())
                    .append(',').append(String.format(Locale.ROOT, "%.6f", row.share())).append(',')
                    .append(row.timedCount()).append(',').append(row.minNanos()).append(',').append(row.maxNanos())
                    .append(',').append(String.format(Locale.ROOT, "%.1f", row.meanNanos())).append(',')
                    .append(row.p50Nanos()).append(',').append(row.p99Nanos()).append('\n');
        }
        return out.toString();
    }

    /**
     * JSON: {@code {"total":N,"rows":[{...}]}}; times in nanoseconds.
     *
     * @param order the row order
     * @return the JSON text
     */
    public String toJson(Order order) {
        StringBuilder out = new StringBuilder("{\"total\":").append(totalExits).append(",\"rows\":[");
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
                    .append(row.p50Nanos()).append(",\"p99Ns\":").append(row.p99Nanos()).append('}');
            first = false;
        }
        return out.append("]}").toString();
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
            return row(isa, exitCode, vcpu, detail, write);
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
        int[] oldVcpu = threadVcpu;
        int capacity = oldPid.length * 2;
        cachedSlotValid = false; // every thread moves to a new slot
        pendingPid = new int[capacity];
        pendingUsed = new boolean[capacity];
        pendingTime = new long[capacity];
        pendingRow = new int[capacity];
        pendingIsa = new KvmIsa[capacity];
        pendingCode = new long[capacity];
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

    private static final class Row {
        final int index;
        final KvmIsa isa;
        final long exitCode;
        final int vcpu;
        final long detail;
        final boolean write;
        final long key;
        long count;
        long timed;
        long total;
        long min = Long.MAX_VALUE;
        long max;
        final long[] histogram = new long[BUCKETS];

        Row(int index, long key, KvmIsa isa, long exitCode, int vcpu, long detail, boolean write) {
            this.key = key;
            this.index = index;
            this.detail = detail;
            this.write = write;
            this.isa = isa;
            this.exitCode = exitCode;
            this.vcpu = vcpu;
        }

        void add(Row other) {
            count += other.count;
            timed += other.timed;
            total += other.total;
            min = Math.min(min, other.min);
            max = Math.max(max, other.max);
            for (int i = 0; i < histogram.length; i++) {
                histogram[i] += other.histogram[i];
            }
        }

        void record(long nanos) {
            timed++;
            total += nanos;
            min = Math.min(min, nanos);
            max = Math.max(max, nanos);
            histogram[bucket(nanos)]++;
        }

        long percentile(double fraction) {
            if (timed == 0) {
                return 0;
            }
            long rank = Math.max(1, (long) Math.ceil(fraction * timed));
            long seen = 0;
            for (int i = 0; i < histogram.length; i++) {
                seen += histogram[i];
                if (seen >= rank) {
                    // clamp the bucket's lower bound into the observed range
                    return Math.min(max, Math.max(min, bucketLow(i)));
                }
            }
            return max;
        }

        ExitStatisticsRow snapshot(long totalExits, Grouping grouping) {
            String name = reasonName(isa, exitCode);
            if (grouping == Grouping.QUALIFICATION_CLASS && detail >= 0) {
                name = name + " (" + qualificationClassName(exitCode, detail) + ")";
            }
            return new ExitStatisticsRow(isa, exitCode, name, vcpu, detail, write, count,
                    totalExits == 0 ? 0 : (double) count / totalExits, timed, total, timed == 0 ? 0 : min, max,
                    percentile(0.50), percentile(0.99));
        }
    }

    @Override
    public String toString() {
        return "ExitStatistics" + Arrays.asList(totalExits, rowList.size());
    }
}
