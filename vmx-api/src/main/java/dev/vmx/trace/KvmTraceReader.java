package dev.vmx.trace;

import dev.vmx.event.VmInstructionError;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Streams KVM trace text line by line with constant memory: tracefs {@code trace} and
 * {@code trace_pipe} (with or without the irqs-off/need-resched flags column),
 * {@code trace-cmd report} and {@code perf script} output. Lines are parsed by hand from a reused
 * byte buffer (trace text is ASCII; task names are decoded as UTF-8 only when asked for) into one
 * reused flyweight {@link KvmEvent}; no object is created per line.
 *
 * <p>Decoded tracepoints and their {@code TP_printk} forms (Linux {@code arch/x86/kvm/trace.h},
 * 4.x to 6.x): {@code kvm_exit} and {@code kvm_nested_vmexit} (old {@code reason X rip 0x.. info a
 * b}, newer {@code vcpu N reason X rip 0x.. info1 0x.. info2 0x.. intr_info 0x.. error_code 0x..}
 * with or without {@code requests 0x..}; VMX symbols such as {@code EPT_VIOLATION} with the
 * {@code FAILED_VMENTRY} flag and unnamed flag bits as {@code 0x8000000}, SVM symbols such as
 * {@code npf}; a bare {@code 0x..} symbol without flags, as 4.x printed a failed entry, has isa
 * {@link KvmIsa#UNKNOWN}), {@code kvm_entry},
 * {@code kvm_nested_vmexit_inject}, {@code kvm_nested_vmenter_failed},
 * {@code kvm_userspace_exit}, {@code kvm_pio}, {@code kvm_mmio}, {@code kvm_msr},
 * {@code kvm_cr}. Every other tracepoint is delivered as {@link KvmEventType#OTHER} with its
 * header fields. Lines that do not parse are counted and the first few kept as
 * {@link KvmTraceProblem}s; comment lines ({@code #}), blank lines and trace-cmd header lines are
 * counted as headers.
 *
 * <p>Usage: {@code while (reader.advance()) { KvmEvent e = reader.event(); ... }}. The event is a
 * flyweight valid until the next {@link #advance()}. Not thread-safe.
 */
public final class KvmTraceReader implements AutoCloseable {
    /** How many problem details a reader keeps by default. */
    public static final int DEFAULT_PROBLEM_DETAILS = 20;

    private static final int MAX_LINE = 1 << 20;
    private static final SymbolTable VMX = SymbolTable.vmxExitReasons();
    private static final SymbolTable SVM = SvmExitNames.table();
    private static final long FAILED_VMENTRY = 0x8000_0000L;
    private static final byte[] FAILED_VMENTRY_TEXT = " FAILED_VMENTRY".getBytes(StandardCharsets.US_ASCII);
    // VMX_VMENTER_INSTRUCTION_ERRORS (Linux arch/x86/include/asm/vmx.h), checked by KvmTraceReaderTest
    private static final byte[][] VMENTER_ERROR_NAMES = {
        bytes("VMLAUNCH_NONCLEAR_VMCS"), bytes("VMRESUME_NONLAUNCHED_VMCS"), bytes("VMRESUME_AFTER_VMXOFF"),
        bytes("VMENTRY_INVALID_CONTROL_FIELD"), bytes("VMENTRY_INVALID_HOST_STATE_FIELD"),
        bytes("VMENTRY_EVENTS_BLOCKED_BY_MOV_SS")};
    // their numbers, from the one definition of the VM-instruction errors
    private static final int[] VMENTER_ERROR_NUMBERS = {VmInstructionError.VMLAUNCH_NONCLEAR_VMCS.number(),
        VmInstructionError.VMRESUME_NONLAUNCHED_VMCS.number(), VmInstructionError.VMRESUME_AFTER_VMXOFF.number(),
        VmInstructionError.ENTRY_INVALID_CONTROL_FIELD.number(), VmInstructionError.ENTRY_INVALID_HOST_STATE_FIELD.number(),
        VmInstructionError.ENTRY_EVENTS_BLOCKED_BY_MOV_SS.number()};
    private static final KvmEventType[] TYPES = KvmEventType.values();
    private static final byte[][] TYPE_NAMES = new byte[TYPES.length][];

    static {
        for (int i = 0; i < TYPES.length; i++) {
            TYPE_NAMES[i] = TYPES[i].tracepoint().getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final InputStream in;
    private final String inputName;
    private final int problemDetails;
    private final TextKvmEvent event = new TextKvmEvent();
    private byte[] buffer = new byte[1 << 17];
    private int start;
    private int limit;
    private boolean eof;
    private long lineNumber;
    private long eventCount;
    private long otherCount;
    private long headerCount;
    private long lossLines;
    private long lostEvents;
    private long problemCount;
    private final List<KvmTraceProblem> problems = new ArrayList<>();
    // the current line's bounds in buffer, and the parse cursor
    private int lineEnd;
    private int pos;
    private String problem;
    // whether nextLine() already parsed the current line on the fast path
    private boolean parsedFast;

    private final boolean fastPath;
    private long fastLines;

    private KvmTraceReader(InputStream in, String inputName, int problemDetails) {
        this(in, inputName, problemDetails, true);
    }

    private KvmTraceReader(InputStream in, String inputName, int problemDetails, boolean fastPath) {
        this.in = in;
        this.inputName = inputName;
        this.problemDetails = problemDetails;
        this.fastPath = fastPath;
    }

    /** A reader that never takes the fast path: the reference the fast path is tested against. */
    static KvmTraceReader generalOnly(InputStream in, String inputName) {
        return new KvmTraceReader(in, inputName, DEFAULT_PROBLEM_DETAILS, false);
    }

    /** Lines read by {@link KvmTraceFastPath} so far, for tests. */
    long fastLines() {
        return fastLines;
    }

    /**
     * A reader over characters.
     *
     * @param in the trace text; closed by {@link #close()}
     * @param inputName a name for messages, e.g. the file name
     * @return the reader
     */
    public static KvmTraceReader of(Reader in, String inputName) {
        // one parser, over bytes: characters are encoded as UTF-8 on the way in
        return new KvmTraceReader(new Utf8ReaderInputStream(in), inputName, DEFAULT_PROBLEM_DETAILS);
    }

    /**
     * A reader over bytes (UTF-8; trace text is ASCII apart from task names).
     *
     * @param in the trace bytes; closed by {@link #close()}
     * @param inputName a name for messages
     * @return the reader
     */
    public static KvmTraceReader of(InputStream in, String inputName) {
        return new KvmTraceReader(in, inputName, DEFAULT_PROBLEM_DETAILS);
    }

    /**
     * A reader over a file.
     *
     * @param file the trace file
     * @return the reader
     * @throws UncheckedIOException if the file cannot be opened
     */
    public static KvmTraceReader open(Path file) {
        try {
            return new KvmTraceReader(Files.newInputStream(file), file.toString(), DEFAULT_PROBLEM_DETAILS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open kvm trace " + file, e);
        }
    }

    /**
     * Moves to the next event line, skipping (and counting) header and malformed lines.
     *
     * @return false at the end of input
     * @throws UncheckedIOException if reading fails
     */
    public boolean advance() {
        while (nextLine()) {
            lineNumber++;
            problem = null;
            int kind = parsedFast ? 1 : parseLine();
            if (kind == 1) {
                eventCount++;
                if (event.type == KvmEventType.OTHER) {
                    otherCount++;
                }
                return true;
            } else if (kind == 0) {
                headerCount++;
            } else if (kind == 2) {
                lossLines++;
            } else {
                problemCount++;
                if (problems.size() < problemDetails) {
                    problems.add(KvmTraceProblem.of(lineNumber, problem, new String(buffer, start, lineEnd - start, StandardCharsets.UTF_8)));
                }
            }
        }
        return false;
    }

    /**
     * The current event, a flyweight valid until the next {@link #advance()}.
     *
     * @return the event
     */
    public KvmEvent event() {
        return event;
    }

    /**
     * The 1-based number of the current line.
     *
     * @return the line number, 0 before the first line
     */
    public long lineNumber() {
        return lineNumber;
    }

    /**
     * Lines delivered as events (including {@link KvmEventType#OTHER}).
     *
     * @return the count
     */
    public long eventCount() {
        return eventCount;
    }

    /**
     * Event lines of tracepoints this library does not decode.
     *
     * @return the count
     */
    public long otherCount() {
        return otherCount;
    }

    /**
     * Blank, comment ({@code #}) and trace-cmd header lines.
     *
     * @return the count
     */
    public long headerCount() {
        return headerCount;
    }

    /**
     * {@code CPU:N [LOST M EVENTS]} lines: the kernel overwrote events before they were read.
     *
     * @return the count of such lines
     */
    public long lossLines() {
        return lossLines;
    }

    /**
     * The events the kernel says it lost, summed over the {@link #lossLines()} that give a number
     * ({@code CPU:N [LOST EVENTS]} gives none).
     *
     * @return the count
     */
    public long lostEvents() {
        return lostEvents;
    }

    /**
     * Lines that could not be parsed.
     *
     * @return the count
     */
    public long problemCount() {
        return problemCount;
    }

    /**
     * The first {@link #DEFAULT_PROBLEM_DETAILS} unparseable lines with their line numbers.
     *
     * @return the details, in line order
     */
    public List<KvmTraceProblem> problems() {
        return Collections.unmodifiableList(problems);
    }

    /**
     * The name given for the input.
     *
     * @return the name
     */
    public String inputName() {
        return inputName;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close kvm trace " + inputName, e);
        }
    }

    // ---- line splitting over a reused buffer ----

    private boolean nextLine() {
        if (lineNumber > 0 || lineEnd > 0) {
            start = lineEnd + 1; // past the previous '\n'
        }
        if (fastPath && limit - start >= KvmTraceFastPath.SLACK) {
            // kvm_exit and kvm_entry lines of the usual layout: parsed in one pass, end found on the way
            int end = KvmTraceFastPath.parse(buffer, start, limit, event, VMX);
            if (end >= 0) {
                lineEnd = end;
                parsedFast = true;
                fastLines++;
                return true;
            }
        }
        parsedFast = false;
        while (true) {
            int newline = KvmTraceFastPath.indexOfNewline(buffer, start, limit);
            if (newline >= 0) {
                lineEnd = newline;
                return true;
            }
            if (eof) {
                if (start < limit) {
                    lineEnd = limit;
                    return true;
                }
                return false;
            }
            fill();
        }
    }

    private void fill() {
        int remaining = limit - start;
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, remaining);
            start = 0;
            limit = remaining;
        } else if (limit == buffer.length) {
            if (buffer.length >= MAX_LINE) {
                throw new UncheckedIOException(new IOException(inputName + " line " + (lineNumber + 1)
                        + " is longer than " + MAX_LINE + " bytes; not trace text"));
            }
            buffer = java.util.Arrays.copyOf(buffer, buffer.length * 2);
        }
        try {
            int read = in.read(buffer, limit, buffer.length - limit);
            if (read < 0) {
                eof = true;
            } else {
                limit += read;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kvm trace " + inputName, e);
        }
    }

    // ---- parsing; returns 1 event, 0 header, -1 problem (with 'problem' set) ----

    private int parseLine() {
        int end = lineEnd;
        if (end > start && buffer[end - 1] == '\r') {
            end--;
        }
        final int lineStop = end;
        pos = start;
        skipSpaces(lineStop);
        if (pos == lineStop || buffer[pos] == '#') {
            return 0;
        }
        event.reset();
        int textStart = pos;
        // the [CPU] field: the first '[' digits ']'
        int bracket = -1;
        for (int i = textStart; i < lineStop; i++) {
            if (buffer[i] == '[') {
                int j = i + 1;
                while (j < lineStop && isDigit(buffer[j])) {
                    j++;
                }
                if (j > i + 1 && j < lineStop && buffer[j] == ']') {
                    bracket = i;
                    event.cpu = (int) decimal(i + 1, j);
                    pos = j + 1;
                    break;
                }
            }
        }
        if (bracket < 0) {
            if (lossLine(textStart, lineStop)) {
                return 2;
            }
            // an event copied without its trace prefix ("kvm_exit: vcpu 0 reason EPT_VIOLATION rip ..."),
            // as users paste it: no task, CPU or time stamp (cpu -1, time 0), the fields as usual
            int nameEnd = tokenEnd(lineStop);
            if (nameEnd > textStart + 1 && buffer[nameEnd - 1] == ':' && isKvmEventName(textStart, nameEnd - 1)) {
                pos = textStart;
                return parseEvent(lineStop);
            }
            // trace-cmd report header lines: "cpus=48", "CPU 0 is empty", "version = 6"
            if (startsWith(textStart, lineStop, "cpus=") || startsWith(textStart, lineStop, "version =")
                    || (startsWith(textStart, lineStop, "CPU ") && endsWith(textStart, lineStop, " is empty"))) {
                return 0;
            }
            return fail("no [CPU] field");
        }
        // task-pid (tracefs, trace-cmd) or task pid (perf script); perf script -F without comm and
        // tid starts at the [CPU] field: task and pid are then not known (empty, 0)
        if (bracket > textStart && !parseTask(textStart, bracket)) {
            return fail("no task-pid before the [CPU] field");
        }
        // optional flags column, then the timestamp "seconds.fraction:"
        skipSpaces(lineStop);
        int token = pos;
        int tokenEnd = tokenEnd(lineStop);
        if (tokenEnd == token) {
            return fail("no timestamp");
        }
        if (buffer[tokenEnd - 1] != ':' || !isDigit(buffer[token])) {
            pos = tokenEnd; // flags such as "d..2." or "...1"
            skipSpaces(lineStop);
            token = pos;
            tokenEnd = tokenEnd(lineStop);
        }
        if (tokenEnd - token < 2 || buffer[tokenEnd - 1] != ':' || !timestamp(token, tokenEnd - 1)) {
            return fail("no timestamp 'seconds.fraction:'");
        }
        pos = tokenEnd;
        skipSpaces(lineStop);
        return parseEvent(lineStop);
    }

    /** Whether [from, to) names a KVM event this reader decodes ("kvm_exit", perf's "kvm:kvm_exit"). */
    private boolean isKvmEventName(int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (buffer[i] == ':') {
                from = i + 1;
                break;
            }
        }
        return typeOf(from, to) != KvmEventType.OTHER;
    }

    /** The event name at {@link #pos} and the event's fields. */
    private int parseEvent(int lineStop) {
        // the event name, "kvm_exit:" or perf's "kvm:kvm_exit:"
        int nameStart = pos;
        int nameStop = tokenEnd(lineStop);
        if (nameStop == nameStart || buffer[nameStop - 1] != ':') {
            return fail("no event name 'name:'");
        }
        pos = nameStop;
        nameStop--;
        for (int i = nameStop - 1; i >= nameStart; i--) {
            if (buffer[i] == ':') {
                nameStart = i + 1;
                break;
            }
        }
        event.type = typeOf(nameStart, nameStop);
        skipSpaces(lineStop);
        switch (event.type) {
            case KVM_EXIT, KVM_NESTED_VMEXIT, KVM_NESTED_VMEXIT_INJECT:
                return parseExit(lineStop);
            case KVM_ENTRY:
                return parseEntry(lineStop);
            case KVM_PIO:
                return parsePio(lineStop);
            case KVM_MMIO:
                return parseMmio(lineStop);
            case KVM_MSR:
                return parseMsr(lineStop);
            case KVM_CR:
                return parseCr(lineStop);
            case KVM_USERSPACE_EXIT:
                return parseUserspaceExit(lineStop);
            case KVM_NESTED_VMENTER_FAILED:
                return parseNestedVmenterFailed(lineStop);
            case KVM_PAGE_FAULT:
                return parsePageFault(lineStop);
            default:
                return 1;
        }
    }

    /** Task name and pid from the text before the [CPU] field; false if there is none. */
    private boolean parseTask(int textStart, int bracket) {
        int taskEnd = bracket;
        while (taskEnd > textStart && buffer[taskEnd - 1] == ' ') {
            taskEnd--;
        }
        int pidStart = taskEnd;
        while (pidStart > textStart && isDigit(buffer[pidStart - 1])) {
            pidStart--;
        }
        if (pidStart == taskEnd || pidStart == textStart) {
            return false;
        }
        byte separator = buffer[pidStart - 1];
        int nameEnd = pidStart - 1;
        if (separator == '/') {
            // perf script -F comm,pid,tid,...: "comm pid/tid"; the thread id pairs exits and entries
            int processStart = nameEnd;
            while (processStart > textStart && isDigit(buffer[processStart - 1])) {
                processStart--;
            }
            if (processStart == nameEnd || processStart == textStart || buffer[processStart - 1] != ' ') {
                return false;
            }
            nameEnd = processStart - 1;
        } else if (separator != '-' && separator != ' ') {
            return false;
        }
        event.pid = (int) decimal(pidStart, taskEnd);
        while (nameEnd > textStart && buffer[nameEnd - 1] == ' ') {
            nameEnd--;
        }
        event.task.set(buffer, textStart, nameEnd);
        return true;
    }

    private int parseExit(int stop) {
        // vcpu N (5.x+), then "reason" or "reason:" (older nested events)
        int token = pos;
        int end = tokenEnd(stop);
        if (is(token, end, "vcpu")) {
            pos = end;
            skipSpaces(stop);
            int number = pos;
            int numberEnd = tokenEnd(stop);
            if (numberEnd == number || !isDigit(buffer[number])) {
                return fail("vcpu is not a number");
            }
            event.vcpu = (int) decimal(number, trimComma(number, numberEnd));
            pos = numberEnd;
            skipSpaces(stop);
            token = pos;
            end = tokenEnd(stop);
        }
        if (is(token, end, "rip:")) { // old kvm_nested_vmexit: "rip: 0x.. reason: .."
            pos = end;
            if (!hexValue(stop)) {
                return fail("rip is not hexadecimal");
            }
            event.guestRip = lastValue;
            skipSpaces(stop);
            token = pos;
            end = tokenEnd(stop);
        }
        if (!is(token, end, "reason") && !is(token, end, "reason:")) {
            return fail("no 'reason'");
        }
        pos = end;
        skipSpaces(stop);
        // the symbol runs up to the next key; SVM symbols may contain a space ("PF excp")
        int symbol = pos;
        int symbolEnd = -1;
        while (pos < stop) {
            int t = pos;
            int e = tokenEnd(stop);
            // any key ends it: trimmed lines ("reason EXTERNAL_INTERRUPT intr_info 0x800000ec") skip rip and info
            if (t > symbol && (is(t, e, "rip") || is(t, e, "info") || is(t, e, "info1") || is(t, e, "info2")
                    || is(t, e, "intr_info") || is(t, e, "error_code") || is(t, e, "requests")
                    || is(t, e, "ext_inf1:") || is(t, e, "ext_inf2:") || is(t, e, "ext_int:") || is(t, e, "ext_int_err:")
                    || is(t, e, "rip:"))) {
                symbolEnd = t;
                pos = t;
                break;
            }
            pos = e;
            skipSpaces(stop);
        }
        if (symbolEnd < 0) {
            symbolEnd = stop;
        }
        while (symbolEnd > symbol && buffer[symbolEnd - 1] == ' ') {
            symbolEnd--;
        }
        if (symbolEnd == symbol) {
            return fail("empty exit reason");
        }
        if (!exitSymbol(symbol, symbolEnd)) {
            return fail("unknown exit reason symbol");
        }
        // key value pairs
        while (pos < stop) {
            int key = pos;
            int keyEnd = tokenEnd(stop);
            pos = keyEnd;
            if (is(key, keyEnd, "rip") || is(key, keyEnd, "rip:")) {
                if (!hexValue(stop)) {
                    return fail("rip is not hexadecimal");
                }
                event.guestRip = lastValue;
            } else if (is(key, keyEnd, "info")) {
                if (!hexValue(stop)) {
                    return fail("info is not hexadecimal");
                }
                event.info1 = lastValue;
                if (!hexValue(stop)) {
                    return fail("second info is not hexadecimal");
                }
                event.info2 = lastValue;
            } else if (is(key, keyEnd, "info1") || is(key, keyEnd, "ext_inf1:")) {
                if (!hexValue(stop)) {
                    return fail("info1 is not hexadecimal");
                }
                event.info1 = lastValue;
            } else if (is(key, keyEnd, "info2") || is(key, keyEnd, "ext_inf2:")) {
                if (!hexValue(stop)) {
                    return fail("info2 is not hexadecimal");
                }
                event.info2 = lastValue;
            } else if (is(key, keyEnd, "intr_info") || is(key, keyEnd, "ext_int:")) {
                if (!hexValue(stop)) {
                    return fail("intr_info is not hexadecimal");
                }
                event.intrInfo = (int) lastValue;
            } else if (is(key, keyEnd, "error_code") || is(key, keyEnd, "ext_int_err:")) {
                if (!hexValue(stop)) {
                    return fail("error_code is not hexadecimal");
                }
                event.errorCode = (int) lastValue;
            } else if (is(key, keyEnd, "requests")) {
                if (!hexValue(stop)) {
                    return fail("requests is not hexadecimal");
                }
                event.requests = lastValue;
            } else {
                return fail("unexpected field in " + event.type.tracepoint());
            }
            skipSpaces(stop);
        }
        return 1;
    }

    /**
     * trace.c print_trace_line() prints {@code "CPU:%d [LOST %lu EVENTS]"} before the first event
     * after the ring buffer overwrote some, or {@code "CPU:%d [LOST EVENTS]"} when it cannot count
     * them: counted as loss lines, their numbers summed in {@link #lostEvents()}.
     */
    private boolean lossLine(int from, int to) {
        if (!startsWith(from, to, "CPU:") || !endsWith(from, to, "EVENTS]")) {
            return false;
        }
        int i = from + 4;
        int digits = i;
        while (i < to && isDigit(buffer[i])) {
            i++;
        }
        if (i == digits || i - digits > 9) {
            return false;
        }
        if (is(i, to, " [LOST EVENTS]")) {
            return true; // the kernel could not count them (lost_events == -1)
        }
        if (!startsWith(i, to, " [LOST ")) {
            return false;
        }
        int count = i + 7;
        int countEnd = count;
        while (countEnd < to && isDigit(buffer[countEnd])) {
            countEnd++;
        }
        if (countEnd == count || countEnd - count > 18 || !is(countEnd, to, " EVENTS]")) {
            return false;
        }
        lostEvents += decimal(count, countEnd);
        return true;
    }

    private boolean exitSymbol(int from, int to) {
        long flags = 0;
        // __print_flags() prints the named flags, then any unnamed remainder as " 0x..": e.g.
        // "EPT_VIOLATION 0x8000000" (bit 27, enclave mode) or "X FAILED_VMENTRY 0x8000000"
        int space = to - 1;
        while (space > from && buffer[space] != ' ') {
            space--;
        }
        if (space > from && to - space > 3 && buffer[space + 1] == '0' && buffer[space + 2] == 'x') {
            int save = pos;
            pos = space + 1;
            boolean ok = hexValue(to) && pos == to && (lastValue & 0xffffL) == 0 && lastValue != 0;
            pos = save;
            if (!ok) {
                return false;
            }
            flags = lastValue;
            to = space;
        }
        int len = FAILED_VMENTRY_TEXT.length;
        if (to - from > len && java.util.Arrays.equals(buffer, to - len, to, FAILED_VMENTRY_TEXT, 0, len)) {
            flags |= FAILED_VMENTRY;
            to -= len;
        }
        long code = VMX.lookup(buffer, from, to);
        if (code != SymbolTable.ABSENT) {
            event.isa = KvmIsa.VMX;
            event.exitCode = code | flags;
            return true;
        }
        boolean hex = to - from > 2 && buffer[from] == '0' && (buffer[from + 1] == 'x' || buffer[from + 1] == 'X');
        if (flags == 0) {
            code = SVM.lookup(buffer, from, to);
            if (code != SymbolTable.ABSENT) {
                event.isa = KvmIsa.SVM;
                event.exitCode = code;
                return true;
            }
        }
        // __print_symbolic prints an unnamed value as 0x..; without flags the isa is not
        // recoverable from text; flags are printed for VMX only, so with flags it is VMX
        if (hex) {
            int save = pos;
            pos = from;
            boolean ok = hexValue(to) && pos == to && (flags == 0 || lastValue <= 0xffffL);
            pos = save;
            if (ok) {
                event.isa = flags == 0 ? KvmIsa.UNKNOWN : KvmIsa.VMX;
                event.exitCode = lastValue | flags;
                return true;
            }
        }
        return false;
    }

    private int parseEntry(int stop) {
        // "vcpu %u" (old), "vcpu %u, rip 0x%lx[immediate exit]", "... intr_info 0x.. error_code 0x.."
        int token = pos;
        int end = tokenEnd(stop);
        if (!is(token, end, "vcpu")) {
            return fail("no 'vcpu'");
        }
        pos = end;
        skipSpaces(stop);
        int number = pos;
        int numberEnd = tokenEnd(stop);
        int digitsEnd = trimComma(number, numberEnd);
        if (digitsEnd == number || !allDigits(number, digitsEnd)) {
            return fail("vcpu is not a number");
        }
        event.vcpu = (int) decimal(number, digitsEnd);
        pos = numberEnd;
        skipSpaces(stop);
        while (pos < stop) {
            int key = pos;
            int keyEnd = tokenEnd(stop);
            pos = keyEnd;
            if (is(key, keyEnd, "rip")) {
                if (!hexValue(stop)) {
                    return fail("rip is not hexadecimal");
                }
                event.guestRip = lastValue;
            } else if (is(key, keyEnd, "intr_info")) {
                if (!hexValue(stop)) {
                    return fail("intr_info is not hexadecimal");
                }
                event.intrInfo = (int) lastValue;
            } else if (is(key, keyEnd, "error_code")) {
                if (!hexValue(stop)) {
                    return fail("error_code is not hexadecimal");
                }
                event.errorCode = (int) lastValue;
            } else if (is(key, keyEnd, "exit]") || startsWith(key, keyEnd, "[immediate")) {
                // "[immediate exit]": immediate_exit was set
                event.immediateExit = true;
            } else {
                return fail("unexpected field in kvm_entry");
            }
            skipSpaces(stop);
        }
        return 1;
    }

    /**
     * "%s%s": the message, then, when err is not 0, the VMX_VMENTER_INSTRUCTION_ERRORS symbol of
     * err (or 0x.. for an err without a name) with no separator.
     */
    private int parseNestedVmenterFailed(int stop) {
        int from = pos;
        for (int i = 0; i < VMENTER_ERROR_NAMES.length; i++) {
            byte[] name = VMENTER_ERROR_NAMES[i];
            if (stop - from >= name.length && java.util.Arrays.equals(buffer, stop - name.length, stop, name, 0, name.length)) {
                event.errno = VMENTER_ERROR_NUMBERS[i];
                event.message.set(buffer, from, stop - name.length);
                return 1;
            }
        }
        // an err without a name: KVM's messages end in ": " before it
        int hex = stop;
        while (hex > from && hexDigit(buffer[hex - 1]) >= 0) {
            hex--;
        }
        if (hex < stop && hex - from >= 4 && buffer[hex - 1] == 'x' && buffer[hex - 2] == '0' && buffer[hex - 3] == ' '
                && buffer[hex - 4] == ':' && stop - hex <= 8) {
            long err = 0;
            for (int i = hex; i < stop; i++) {
                err = (err << 4) | hexDigit(buffer[i]);
            }
            event.errno = (int) err;
            event.message.set(buffer, from, hex - 2);
            return 1;
        }
        event.message.set(buffer, from, stop);
        return 1;
    }

    private int parsePio(int stop) {
        // "pio_%s at 0x%x size %d count %d val 0x%x %s"
        int token = pos;
        int end = tokenEnd(stop);
        if (is(token, end, "pio_write")) {
            event.write = true;
        } else if (!is(token, end, "pio_read")) {
            return fail("no pio_read/pio_write");
        }
        pos = end;
        if (!key(stop, "at") || !hexValue(stop)) {
            return fail("no 'at 0x<port>'");
        }
        event.port = (int) lastValue;
        if (!key(stop, "size") || !decimalValue(stop)) {
            return fail("no 'size <n>'");
        }
        event.size = (int) lastValue;
        if (!key(stop, "count") || !decimalValue(stop)) {
            return fail("no 'count <n>'");
        }
        event.count = (int) lastValue;
        if (key(stop, "val")) {
            if (!hexValue(stop)) {
                return fail("val is not hexadecimal");
            }
            event.value = lastValue;
        }
        return 1;
    }

    private int parseMmio(int stop) {
        // "mmio %s len %u gpa 0x%llx val 0x%llx"
        if (!key(stop, "mmio")) {
            return fail("no 'mmio'");
        }
        skipSpaces(stop);
        int token = pos;
        int end = tokenEnd(stop);
        if (is(token, end, "unsatisfied-read")) {
            event.mmioType = 0;
        } else if (is(token, end, "read")) {
            event.mmioType = 1;
        } else if (is(token, end, "write")) {
            event.mmioType = 2;
            event.write = true;
        } else {
            return fail("unknown mmio type");
        }
        pos = end;
        if (!key(stop, "len") || !decimalValue(stop)) {
            return fail("no 'len <n>'");
        }
        event.size = (int) lastValue;
        if (!key(stop, "gpa") || !hexValue(stop)) {
            return fail("no 'gpa 0x<address>'");
        }
        event.gpa = lastValue;
        if (key(stop, "val")) {
            if (!hexValue(stop)) {
                return fail("val is not hexadecimal");
            }
            event.value = lastValue;
        }
        return 1;
    }

    private int parseMsr(int stop) {
        // "msr_%s %x = 0x%llx%s" with " (#GP)"
        int token = pos;
        int end = tokenEnd(stop);
        if (is(token, end, "msr_write")) {
            event.write = true;
        } else if (!is(token, end, "msr_read")) {
            return fail("no msr_read/msr_write");
        }
        pos = end;
        if (!hexValue(stop)) {
            return fail("MSR index is not hexadecimal");
        }
        event.msrIndex = (int) lastValue;
        if (!key(stop, "=") || !hexValue(stop)) {
            return fail("no '= 0x<data>'");
        }
        event.value = lastValue;
        skipSpaces(stop);
        if (pos < stop) {
            int t = pos;
            int e = tokenEnd(stop);
            if (!is(t, e, "(#GP)")) {
                return fail("unexpected text after kvm_msr data");
            }
            event.msrException = true;
        }
        return 1;
    }

    private int parsePageFault(int stop) {
        // Linux 6.x: "vcpu %u rip 0x%lx address 0x%016llx error_code 0x%llx"; before: "address %lx error_code %x"
        if (key(stop, "vcpu")) {
            if (!decimalValue(stop)) {
                return fail("vcpu is not a number");
            }
            event.vcpu = (int) lastValue;
            if (!key(stop, "rip") || !hexValue(stop)) {
                return fail("no 'rip 0x<address>'");
            }
            event.guestRip = lastValue;
        }
        if (!key(stop, "address") || !hexValue(stop)) {
            return fail("no 'address <hex>'");
        }
        event.gpa = lastValue;
        if (!key(stop, "error_code") || !hexValue(stop)) {
            return fail("no 'error_code <hex>'");
        }
        event.errorCode = (int) lastValue;
        return 1;
    }

    private int parseCr(int stop) {
        // "cr_%s %x = 0x%lx"
        int token = pos;
        int end = tokenEnd(stop);
        if (is(token, end, "cr_write")) {
            event.write = true;
        } else if (!is(token, end, "cr_read")) {
            return fail("no cr_read/cr_write");
        }
        pos = end;
        if (!hexValue(stop)) {
            return fail("CR number is not hexadecimal");
        }
        event.crNumber = (int) lastValue;
        if (!key(stop, "=") || !hexValue(stop)) {
            return fail("no '= 0x<value>'");
        }
        event.value = lastValue;
        return 1;
    }

    private int parseUserspaceExit(int stop) {
        // "reason %s (%d)": the KVM_EXIT_* symbol (or 0x.. for one without a name) and the reason
        // number when errno >= 0; "restart" (errno -EINTR) or "error" and -errno when errno < 0
        if (!key(stop, "reason")) {
            return fail("no 'reason'");
        }
        skipSpaces(stop);
        int symbol = pos;
        int symbolEnd = tokenEnd(stop);
        pos = symbolEnd;
        skipSpaces(stop);
        if (pos >= stop || buffer[pos] != '(') {
            return fail("no '(number)'");
        }
        int close = pos + 1;
        while (close < stop && buffer[close] != ')') {
            close++;
        }
        int number = pos + 1;
        if (close >= stop || close == number || close - number > 10 || !allDigits(number, close)) {
            return fail("the number in parentheses is not a decimal");
        }
        long value = decimal(number, close);
        if (close + 1 != stop) {
            return fail("unexpected text after kvm_userspace_exit");
        }
        if (is(symbol, symbolEnd, "restart") || is(symbol, symbolEnd, "error")) {
            event.errno = (int) -value;
            return 1;
        }
        long reason = KvmExitNames.TABLE.lookup(buffer, symbol, symbolEnd);
        if (reason == SymbolTable.ABSENT && symbolEnd - symbol > 2 && buffer[symbol] == '0' && buffer[symbol + 1] == 'x') {
            int save = pos;
            pos = symbol;
            reason = hexValue(symbolEnd) && pos == symbolEnd ? lastValue : SymbolTable.ABSENT;
            pos = save;
        }
        if (reason == SymbolTable.ABSENT) {
            return fail("unknown KVM_EXIT_ reason symbol");
        }
        if (reason != value) {
            return fail("reason symbol and number disagree");
        }
        event.userspaceExitReason = (int) reason;
        return 1;
    }

    // ---- lexical helpers over buffer ----

    private long lastValue;

    private boolean key(int stop, String word) {
        skipSpaces(stop);
        int t = pos;
        int e = tokenEnd(stop);
        if (!is(t, e, word)) {
            return false;
        }
        pos = e;
        return true;
    }

    /** Hex with or without 0x, ending at a space, comma or the stop. */
    private boolean hexValue(int stop) {
        skipSpaces(stop);
        int i = pos;
        if (i + 1 < stop && buffer[i] == '0' && (buffer[i + 1] == 'x' || buffer[i + 1] == 'X')) {
            i += 2;
        }
        int digits = i;
        long value = 0;
        while (i < stop) {
            int digit = hexDigit(buffer[i]);
            if (digit < 0) {
                break;
            }
            value = (value << 4) | digit;
            i++;
        }
        if (i == digits || i - digits > 16 || (i < stop && buffer[i] != ' ' && buffer[i] != ',' && buffer[i] != '[')) {
            return false;
        }
        lastValue = value;
        pos = i < stop && buffer[i] == ',' ? i + 1 : i;
        return true;
    }

    private boolean decimalValue(int stop) {
        skipSpaces(stop);
        int i = pos;
        while (i < stop && isDigit(buffer[i])) {
            i++;
        }
        if (i == pos || i - pos > 18 || (i < stop && buffer[i] != ' ' && buffer[i] != ',')) {
            return false;
        }
        lastValue = decimal(pos, i);
        pos = i;
        return true;
    }

    private boolean timestamp(int from, int to) {
        int dot = -1;
        for (int i = from; i < to; i++) {
            if (buffer[i] == '.') {
                if (dot >= 0) {
                    return false;
                }
                dot = i;
            } else if (!isDigit(buffer[i])) {
                return false;
            }
        }
        if (dot < 0) {
            // the counter and x86-tsc trace clocks print a bare count, not seconds: kept as is
            if (to - from > 18) {
                return false;
            }
            event.timestampNanos = decimal(from, to);
            return true;
        }
        if (dot == from || dot == to - 1 || dot - from > 9) {
            return false;
        }
        long seconds = decimal(from, dot);
        long nanos = 0;
        if (dot >= 0) {
            int digits = Math.min(to - dot - 1, 9);
            nanos = decimal(dot + 1, dot + 1 + digits);
            for (int i = digits; i < 9; i++) {
                nanos *= 10;
            }
        }
        event.timestampNanos = seconds * 1_000_000_000L + nanos;
        return true;
    }

    private KvmEventType typeOf(int from, int to) {
        for (int i = 0; i < TYPES.length - 1; i++) {
            byte[] name = TYPE_NAMES[i];
            if (name.length == to - from && java.util.Arrays.equals(name, 0, name.length, buffer, from, to)) {
                return TYPES[i];
            }
        }
        return KvmEventType.OTHER;
    }

    private int fail(String why) {
        problem = why;
        return -1;
    }

    private void skipSpaces(int stop) {
        while (pos < stop && (buffer[pos] == ' ' || buffer[pos] == '\t')) {
            pos++;
        }
    }

    private int tokenEnd(int stop) {
        int i = pos;
        while (i < stop && buffer[i] != ' ' && buffer[i] != '\t') {
            i++;
        }
        return i;
    }

    private int trimComma(int from, int to) {
        return to > from && buffer[to - 1] == ',' ? to - 1 : to;
    }

    private boolean is(int from, int to, String word) {
        if (to - from != word.length()) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (buffer[from + i] != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean startsWith(int from, int to, String word) {
        return to - from >= word.length() && is(from, from + word.length(), word);
    }

    private boolean endsWith(int from, int to, String word) {
        return to - from >= word.length() && is(to - word.length(), to, word);
    }

    private boolean allDigits(int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isDigit(buffer[i])) {
                return false;
            }
        }
        return true;
    }

    private long decimal(int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            value = value * 10 + (buffer[i] - '0');
        }
        return value;
    }

    /** Hex digit values by byte, -1 for non-digits: one load instead of three range tests per digit. */
    private static final byte[] HEX = new byte[256];

    static {
        java.util.Arrays.fill(HEX, (byte) -1);
        for (int c = '0'; c <= '9'; c++) {
            HEX[c] = (byte) (c - '0');
        }
        for (int c = 'a'; c <= 'f'; c++) {
            HEX[c] = (byte) (c - 'a' + 10);
            HEX[c - 'a' + 'A'] = (byte) (c - 'a' + 10);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** The VMX_VMENTER_INSTRUCTION_ERRORS rows, name and number, for the table test. */
    static Map<String, Integer> vmenterErrors() {
        Map<String, Integer> rows = new java.util.LinkedHashMap<>();
        for (int i = 0; i < VMENTER_ERROR_NAMES.length; i++) {
            rows.put(new String(VMENTER_ERROR_NAMES[i], StandardCharsets.US_ASCII), VMENTER_ERROR_NUMBERS[i]);
        }
        return rows;
    }

    private static int hexDigit(int c) {
        return HEX[c & 0xFF];
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }
}
