package dev.vmx.trace;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The fast path of {@link KvmTraceReader} for the two lines that make up nearly all of a VMX trace:
 * {@code kvm_exit} and {@code kvm_entry} in the exact layout Linux 5.x and later print through
 * tracefs and {@code trace-cmd report}:
 *
 * <pre>
 *  CPU 0/KVM-4242    [000] d..1. 12.000008: kvm_exit: vcpu 0 reason CPUID rip 0x.. info1 0x.. info2 0x.. intr_info 0x.. error_code 0x..
 *  CPU 0/KVM-4242    [000] d..1. 12.000025: kvm_entry: vcpu 0, rip 0x.. intr_info 0x.. error_code 0x..
 * </pre>
 *
 * It reads the line once, comparing fixed text eight bytes at a time and hex numbers eight digits
 * at a time (SWAR), and finds the end of the line as it goes instead of searching for it first.
 * Where the kernel prints a field at a usual width (the {@code [%03d]} CPU, five flag characters,
 * six fraction digits, a one-digit vCPU, the zero-padded hex tail of a 64-bit RIP) or the line
 * before had it (tracefs pads task and pid, so '[' and the leading blanks stay put), that width is
 * checked at a fixed offset instead of counted: the loads then need not wait for one another
 * field by field, which is what a line's parse time was made of (RESULTS.md); other widths are
 * counted.
 * Any deviation from that layout, however small, answers {@link #NO_MATCH} and the general parser
 * reads the line, so the fast path decides speed, never meaning: a test checks that both give the
 * same event for every line the fast path accepts, and that it declines the variants it does not
 * know.
 */
final class KvmTraceFastPath {
    /** The line is not one the fast path reads; the general parser must. */
    static final int NO_MATCH = -1;

    /**
     * Bytes a step may look at beyond its position: fixed text of up to 16 bytes plus one 8-byte
     * word. Every step checks {@code position + SLACK <= limit} first, so no read leaves the
     * buffer's valid bytes; a line close to the end of the buffer goes the general way.
     */
    static final int SLACK = 64;

    /** Bytes {@link #fixedExitTail} may look at past its position: the tail (144 with 6.18's field) and a word. */
    private static final int FIXED_TAIL_SLACK = 160;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;
    private static final long LOW_SEVEN = 0x7F7F_7F7F_7F7F_7F7FL;
    private static final long ONES = 0x0101_0101_0101_0101L;
    /** What a fraction of n digits is multiplied by to give nanoseconds. */
    private static final long[] SCALE_TO_NANOS = {0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};
    private static final long NEWLINES = ONES * '\n';
    /** The high bit of each of the first n bytes, by n from 0 to 8. */
    private static final long[] FIRST_BYTES_HIGH_BITS = {0, 0x80L, 0x8080L, 0x80_8080L, 0x8080_8080L, 0x80_8080_8080L,
        0x8080_8080_8080L, 0x80_8080_8080_8080L, HIGH_BITS};
    private static final long BRACKETS = ONES * '[';
    private static final long SPACES = ONES * ' ';
    private static final long TABS = ONES * '\t';
    private static final long RETURNS = ONES * '\r';

    private static final long KVM_EXIT = word("kvm_exit");
    private static final long KVM_ENTR = word("kvm_entr");
    private static final long VCPU = word("vcpu ");
    private static final long VCPU_MASK = mask(5);
    private static final long REASON = word(" reason ");
    private static final long RIP_0X = word(" rip 0x");
    private static final long RIP_0X_MASK = mask(7);
    private static final long COMMA_RIP_0X = word(", rip 0x");
    private static final long INFO1_0X = word(" info1 0");
    private static final long INFO2_0X = word(" info2 0");
    private static final long INTR_INFO = word(" intr_in");
    private static final long FO_0X = word("fo 0x");
    private static final long FO_0X_MASK = mask(5);
    private static final long ERROR_CO = word(" error_c");
    private static final long ODE_0X = word("ode 0x");
    private static final long ODE_0X_MASK = mask(6);
    private static final long REQUESTS = word(" request");
    private static final long STS_0X = word("s 0x");
    private static final long STS_0X_MASK = mask(4);
    private static final long IMMEDIAT = word("[immedia");
    private static final long E_EXIT = word("te exit]");

    private KvmTraceFastPath() {
    }

    /**
     * Parses the line starting at {@code start} into {@code event} if it is a {@code kvm_exit} or
     * {@code kvm_entry} line of the known layout.
     *
     * @param b the reader's buffer
     * @param start the first byte of the line
     * @param limit the end of the valid bytes in {@code b}
     * @param event the flyweight to fill (reset first)
     * @param vmx the VMX exit-reason symbols
     * @return the index of the line's {@code '\n'}, or {@link #NO_MATCH}
     */
    static int parse(byte[] b, int start, int limit, TextKvmEvent event, SymbolTable vmx) {
        int p = start;
        if (p + SLACK > limit) {
            return NO_MATCH;
        }
        // leading blanks (tracefs right-aligns task names): as many as the line before had, if that
        // fits, so the rest need not wait for them to be counted; else counted eight at a time
        long lead = load(b, p);
        long leadBlanks = equalBytes(lead, SPACES) | equalBytes(lead, TABS);
        int hint = event.leadingBlanksHint;
        if ((leadBlanks & FIRST_BYTES_HIGH_BITS[hint + 1]) == FIRST_BYTES_HIGH_BITS[hint]) {
            p += hint;
        } else {
            while (true) {
                int blanks = Long.numberOfTrailingZeros(~leadBlanks & HIGH_BITS) >>> 3;
                p += blanks;
                if (blanks < 8) {
                    break;
                }
                if (p + SLACK > limit) {
                    return NO_MATCH;
                }
                lead = load(b, p);
                leadBlanks = equalBytes(lead, SPACES) | equalBytes(lead, TABS);
            }
            event.leadingBlanksHint = p - start < 8 ? p - start : 0;
        }
        if (p + SLACK > limit || b[p] == '#') {
            return NO_MATCH;
        }
        final int textStart = p;
        // the task name runs to the first '[', which must open the [CPU] field; tracefs pads task and
        // pid to fixed widths, so it is usually where the line before had it: checked, not searched
        hint = event.bracketHint;
        if (hint > 0 && b[p + hint] == '[' && (stopsBefore(load(b, p), hint)
                | stopsBefore(load(b, p + 8), hint - 8) | stopsBefore(load(b, p + 16), hint - 16)) == 0) {
            p += hint;
        } else {
            if ((p = find(b, p, limit, BRACKETS)) < 0 || b[p] != '[') {
                return NO_MATCH;
            }
            event.bracketHint = p - textStart <= 24 ? p - textStart : 0;
        }
        final int bracket = p++;
        long word = load(b, p);
        int digits;
        if (((decimalDigitBytes(word) & FIRST_BYTES_HIGH_BITS[3]) == FIRST_BYTES_HIGH_BITS[3]) & (b[p + 3] == ']')) {
            digits = 3; // tracefs prints "[%03d]": the next position is known before the digits are counted
        } else {
            digits = digitRun(word);
            if (digits == 0 || digits == 8 || b[p + digits] != ']') {
                return NO_MATCH;
            }
        }
        int cpu = (int) decimalWord(word, digits);
        p += digits;
        // task-pid before the bracket, as the general parser reads it: the spaces before '[' and the
        // pid's digits before them, counted from the top of one word each (a short task name: byte loops)
        int taskEnd = bracket;
        int pidStart;
        int pid;
        if (bracket - 16 >= textStart) {
            taskEnd -= Long.numberOfLeadingZeros(~equalBytes(load(b, bracket - 8), SPACES) & HIGH_BITS) >>> 3;
            long pidWord = load(b, taskEnd - 8);
            int pidDigits = Long.numberOfLeadingZeros(~decimalDigitBytes(pidWord) & HIGH_BITS) >>> 3;
            if (taskEnd == bracket - 8 || pidDigits == 0 || pidDigits == 8) {
                return NO_MATCH;
            }
            pidStart = taskEnd - pidDigits;
            pid = (int) decimalWord(pidWord >>> ((8 - pidDigits) << 3), pidDigits);
        } else {
            while (taskEnd > textStart && b[taskEnd - 1] == ' ') {
                taskEnd--;
            }
            pidStart = taskEnd;
            while (pidStart > textStart && isDigit(b[pidStart - 1])) {
                pidStart--;
            }
            if (pidStart == taskEnd || pidStart == textStart || taskEnd - pidStart > 9) {
                return NO_MATCH;
            }
            pid = (int) decimal(b, pidStart, taskEnd);
        }
        if (b[pidStart - 1] != '-' && b[pidStart - 1] != ' ') {
            return NO_MATCH;
        }
        int nameEnd = pidStart - 1;
        while (nameEnd > textStart && b[nameEnd - 1] == ' ') {
            nameEnd--;
        }
        event.resetForFastPath();
        event.cpu = cpu;
        event.pid = pid;
        event.task.set(b, textStart, nameEnd);
        // optional flags column ("d..1."), then "seconds.fraction:"
        p = skipBlanks(b, p + 1, limit);
        if (p + SLACK > limit) {
            return NO_MATCH;
        }
        if (!isDigit(b[p])) {
            // a few bytes ending at a space or tab, as the general parser's tokens do
            long flags = load(b, p);
            long ends = equalBytes(flags, SPACES) | equalBytes(flags, TABS) | equalBytes(flags, NEWLINES)
                    | equalBytes(flags, RETURNS);
            if (((ends & FIRST_BYTES_HIGH_BITS[5]) == 0) & (b[p + 5] == ' ')) {
                p += 5; // Linux 6.x prints five flag characters ("d..1."): no need to wait for the count
            } else {
                if (ends == 0) {
                    return NO_MATCH; // flags longer than seven bytes: not the layouts read here
                }
                p += Long.numberOfTrailingZeros(ends) >>> 3;
                if (b[p] != ' ' && b[p] != '\t') {
                    return NO_MATCH;
                }
            }
            p = skipBlanks(b, p, limit);
            if (p + SLACK > limit) {
                return NO_MATCH;
            }
        }
        // seconds (up to 7 digits here, more go the general way) '.' fraction (1 to 9 digits) ':'
        word = load(b, p);
        long digitBytes = decimalDigitBytes(word);
        digits = event.secondsDigitsHint; // as many digits as the line before had, usually
        if (((digitBytes & FIRST_BYTES_HIGH_BITS[digits]) != FIRST_BYTES_HIGH_BITS[digits]) | (b[p + digits] != '.')) {
            digits = Long.numberOfTrailingZeros(~digitBytes & HIGH_BITS) >>> 3;
            if (digits == 0 || digits == 8 || b[p + digits] != '.') {
                return NO_MATCH;
            }
            event.secondsDigitsHint = digits;
        }
        long seconds = decimalWord(word, digits);
        p += digits + 1;
        word = load(b, p);
        int fraction;
        if (((decimalDigitBytes(word) & FIRST_BYTES_HIGH_BITS[6]) == FIRST_BYTES_HIGH_BITS[6]) & (b[p + 6] == ':')) {
            fraction = 6; // "%5lu.%06lu": microseconds, the default trace clock
        } else {
            fraction = digitRun(word);
            if (fraction == 0) {
                return NO_MATCH;
            }
        }
        long nanos = decimalWord(word, fraction);
        p += fraction;
        if (fraction == 8 && isDigit(b[p])) {
            nanos = nanos * 10 + (b[p++] - '0');
            fraction = 9;
        }
        if (b[p] != ':' || b[p + 1] != ' ') {
            return NO_MATCH;
        }
        event.timestampNanos = seconds * 1_000_000_000L + nanos * SCALE_TO_NANOS[fraction];
        p = skipBlanks(b, p + 2, limit);
        if (p + SLACK > limit) {
            return NO_MATCH;
        }
        long name = load(b, p);
        if (name == KVM_EXIT && b[p + 8] == ':' && b[p + 9] == ' ') {
            return exit(b, skipBlanks(b, p + 10, limit), limit, event, vmx);
        }
        if (name == KVM_ENTR && b[p + 8] == 'y' && b[p + 9] == ':' && b[p + 10] == ' ') {
            return entry(b, skipBlanks(b, p + 11, limit), limit, event);
        }
        return NO_MATCH;
    }

    /** "vcpu %u reason %s rip 0x%lx info1 0x%016llx info2 0x%016llx intr_info 0x%08x error_code 0x%08x". */
    private static int exit(byte[] b, int p, int limit, TextKvmEvent event, SymbolTable vmx) {
        if (p + SLACK > limit || (load(b, p) & VCPU_MASK) != VCPU) {
            return NO_MATCH;
        }
        p += 5;
        long word = load(b, p);
        int digits;
        if (isDigit(b[p]) & (load(b, p + 1) == REASON)) {
            digits = 1; // fewer than ten vCPUs: the next position is known before the digits are counted
        } else {
            digits = digitRun(word);
            if (digits == 0 || digits == 8 || load(b, p + digits) != REASON) {
                return NO_MATCH;
            }
        }
        int vcpu = (int) decimalWord(word, digits);
        p += digits;
        p += 8;
        int symbol = p;
        if ((p = find(b, p, limit, SPACES)) < 0 || b[p] != ' ') {
            return NO_MATCH;
        }
        long code = vmx.lookup(b, symbol, p);
        if (p == symbol || code == SymbolTable.ABSENT || (load(b, p) & RIP_0X_MASK) != RIP_0X) {
            return NO_MATCH; // FAILED_VMENTRY, SVM symbols and the older layouts take the general path
        }
        event.type = KvmEventType.KVM_EXIT;
        event.vcpu = vcpu;
        event.isa = KvmIsa.VMX;
        event.exitCode = code;
        if (p + FIXED_TAIL_SLACK <= limit) {
            int end = fixedExitTail(b, p, event);
            if (end != NO_MATCH) {
                return end;
            }
        }
        if ((p = hex(b, p + 7, event)) < 0) {
            return NO_MATCH;
        }
        event.guestRip = event.value;
        if (p + SLACK > limit || load(b, p) != INFO1_0X || b[p + 8] != 'x' || (p = hex(b, p + 9, event)) < 0) {
            return NO_MATCH;
        }
        event.info1 = event.value;
        if (p + SLACK > limit || load(b, p) != INFO2_0X || b[p + 8] != 'x' || (p = hex(b, p + 9, event)) < 0) {
            return NO_MATCH;
        }
        event.info2 = event.value;
        if ((p = intrInfoAndErrorCode(b, p, limit, event)) < 0) {
            return NO_MATCH;
        }
        if (b[p] == ' ') {
            // Linux 6.18 appends " requests 0x%016llx", the vCPU's pending KVM requests
            if (p + SLACK > limit || load(b, p) != REQUESTS || (load(b, p + 8) & STS_0X_MASK) != STS_0X
                    || (p = hex(b, p + 12, event)) < 0) {
                return NO_MATCH;
            }
            event.requests = event.value;
            event.value = 0;
        }
        return lineEnd(b, p);
    }

    /**
     * The rest of a kvm_exit line at fixed offsets, as Linux prints it for a 64-bit guest RIP:
     * {@code " rip 0x" 16 hex " info1 0x" 16 hex " info2 0x" 16 hex " intr_info 0x" 8 hex
     * " error_code 0x" 8 hex}, then the end (or 6.18's {@code " requests 0x" 16 hex} and the end).
     * Every word is loaded at an offset known in advance and all checks are combined before one
     * branch, so the loads run in parallel instead of each waiting for the length of the field
     * before it. Any other shape answers {@link #NO_MATCH} and the field-by-field reading follows.
     *
     * @param p the space before {@code rip}
     * @return the index of the line's {@code '\n'}, or {@link #NO_MATCH}
     */
    private static int fixedExitTail(byte[] b, int p, TextKvmEvent event) {
        long rip1 = load(b, p + 7);
        long rip2 = load(b, p + 15);
        long info1a = load(b, p + 32);
        long info1b = load(b, p + 40);
        long info2a = load(b, p + 57);
        long info2b = load(b, p + 65);
        long intr = load(b, p + 86);
        long error = load(b, p + 108);
        boolean ok = ((load(b, p) & RIP_0X_MASK) == RIP_0X)
                & (hexDigitBytes(rip1) == HIGH_BITS) & (hexDigitBytes(rip2) == HIGH_BITS)
                & (load(b, p + 23) == INFO1_0X) & (b[p + 31] == 'x')
                & (hexDigitBytes(info1a) == HIGH_BITS) & (hexDigitBytes(info1b) == HIGH_BITS)
                & (load(b, p + 48) == INFO2_0X) & (b[p + 56] == 'x')
                & (hexDigitBytes(info2a) == HIGH_BITS) & (hexDigitBytes(info2b) == HIGH_BITS)
                & (load(b, p + 73) == INTR_INFO) & ((load(b, p + 81) & FO_0X_MASK) == FO_0X)
                & (hexDigitBytes(intr) == HIGH_BITS)
                & (load(b, p + 94) == ERROR_CO) & ((load(b, p + 102) & ODE_0X_MASK) == ODE_0X)
                & (hexDigitBytes(error) == HIGH_BITS);
        if (!ok) {
            return NO_MATCH;
        }
        int end = p + 116;
        long requests = 0;
        if (b[end] == ' ') {
            // Linux 6.18: " requests 0x%016llx", the vCPU's pending KVM requests
            long requests1 = load(b, end + 12);
            long requests2 = load(b, end + 20);
            if (!((load(b, end) == REQUESTS) & ((load(b, end + 8) & STS_0X_MASK) == STS_0X)
                    & (hexDigitBytes(requests1) == HIGH_BITS) & (hexDigitBytes(requests2) == HIGH_BITS))) {
                return NO_MATCH;
            }
            requests = (hexWord(requests1) << 32) | hexWord(requests2);
            end += 28;
        }
        end = lineEnd(b, end);
        if (end != NO_MATCH) {
            event.guestRip = (hexWord(rip1) << 32) | hexWord(rip2);
            event.info1 = (hexWord(info1a) << 32) | hexWord(info1b);
            event.info2 = (hexWord(info2a) << 32) | hexWord(info2b);
            event.intrInfo = (int) hexWord(intr);
            event.errorCode = (int) hexWord(error);
            event.requests = requests;
        }
        return end;
    }

    /**
     * "vcpu %u, rip 0x%lx" (5.x), then " intr_info 0x%08x error_code 0x%08x" (5.14+), then
     * "[immediate exit]" when set (6.x).
     */
    private static int entry(byte[] b, int p, int limit, TextKvmEvent event) {
        if (p + SLACK > limit || (load(b, p) & VCPU_MASK) != VCPU) {
            return NO_MATCH;
        }
        p += 5;
        long word = load(b, p);
        int digits;
        if (isDigit(b[p]) & (load(b, p + 1) == COMMA_RIP_0X)) {
            digits = 1; // as in exit()
        } else {
            digits = digitRun(word);
            if (digits == 0 || digits == 8 || load(b, p + digits) != COMMA_RIP_0X) {
                return NO_MATCH;
            }
        }
        int vcpu = (int) decimalWord(word, digits);
        event.type = KvmEventType.KVM_ENTRY;
        event.vcpu = vcpu;
        p += digits + 8;
        if (p + FIXED_TAIL_SLACK <= limit) {
            // Linux 5.14+ for a 64-bit RIP, at fixed offsets: 16 hex " intr_info 0x" 8 hex " error_code 0x" 8 hex
            long rip1 = load(b, p);
            long rip2 = load(b, p + 8);
            long intr = load(b, p + 29);
            long error = load(b, p + 51);
            boolean ok = (hexDigitBytes(rip1) == HIGH_BITS) & (hexDigitBytes(rip2) == HIGH_BITS)
                    & (load(b, p + 16) == INTR_INFO) & ((load(b, p + 24) & FO_0X_MASK) == FO_0X)
                    & (hexDigitBytes(intr) == HIGH_BITS)
                    & (load(b, p + 37) == ERROR_CO) & ((load(b, p + 45) & ODE_0X_MASK) == ODE_0X)
                    & (hexDigitBytes(error) == HIGH_BITS);
            if (ok) {
                int end = p + 59;
                if (b[end] == '[') {
                    if ((load(b, end) != IMMEDIAT) | (load(b, end + 8) != E_EXIT)) {
                        return NO_MATCH;
                    }
                    event.immediateExit = true;
                    end += 16;
                }
                end = lineEnd(b, end);
                if (end != NO_MATCH) {
                    event.guestRip = (hexWord(rip1) << 32) | hexWord(rip2);
                    event.intrInfo = (int) hexWord(intr);
                    event.errorCode = (int) hexWord(error);
                    return end;
                }
            }
        }
        if ((p = hex(b, p, event)) < 0) {
            return NO_MATCH;
        }
        event.guestRip = event.value;
        event.value = 0;
        if (b[p] == ' ' && (p = intrInfoAndErrorCode(b, p, limit, event)) < 0) {
            return NO_MATCH;
        }
        if (b[p] == '[') {
            if (load(b, p) != IMMEDIAT || load(b, p + 8) != E_EXIT) {
                return NO_MATCH;
            }
            event.immediateExit = true;
            p += 16;
        }
        return lineEnd(b, p);
    }

    /** " intr_info 0x%08x error_code 0x%08x", as kvm_exit and kvm_entry (5.14+) print them. */
    private static int intrInfoAndErrorCode(byte[] b, int p, int limit, TextKvmEvent event) {
        if (p + SLACK > limit || load(b, p) != INTR_INFO || (load(b, p + 8) & FO_0X_MASK) != FO_0X
                || (p = hex(b, p + 13, event)) < 0) {
            return NO_MATCH;
        }
        event.intrInfo = (int) event.value;
        if (p + SLACK > limit || load(b, p) != ERROR_CO || (load(b, p + 8) & ODE_0X_MASK) != ODE_0X
                || (p = hex(b, p + 14, event)) < 0) {
            return NO_MATCH;
        }
        event.errorCode = (int) event.value;
        event.value = 0;
        return p;
    }

    /**
     * The index of the first {@code '\n'} in {@code b[from, to)}, eight bytes at a time.
     *
     * @return the index, or -1
     */
    static int indexOfNewline(byte[] b, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long zero = zeroBytes(load(b, i) ^ NEWLINES);
            if (zero != 0) {
                return i + (Long.numberOfTrailingZeros(zero) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /**
     * The first byte at or after {@code p} equal to {@code '\n'} or to the byte repeated in
     * {@code pattern}, eight bytes at a time, with {@code SLACK} bytes left before {@code limit}.
     *
     * @return its index, or {@link #NO_MATCH} if there is none that far from the limit
     */
    private static int find(byte[] b, int p, int limit, long pattern) {
        for (; p + SLACK <= limit; p += 8) {
            long word = load(b, p);
            long hit = zeroBytes(word ^ pattern) | zeroBytes(word ^ NEWLINES);
            if (hit != 0) {
                return p + (Long.numberOfTrailingZeros(hit) >>> 3);
            }
        }
        return NO_MATCH;
    }

    /** 0x80 in each of the first {@code count} bytes of {@code word} that is '[' or '\n' (count may be out of 0..8). */
    private static long stopsBefore(long word, int count) {
        long stops = equalBytes(word, BRACKETS) | equalBytes(word, NEWLINES);
        return stops & FIRST_BYTES_HIGH_BITS[Math.max(0, Math.min(8, count))];
    }

    /** 0x80 in each byte of {@code word} equal to the byte repeated in {@code pattern}, exactly. */
    static long equalBytes(long word, long pattern) {
        long x = word ^ pattern;
        return ~(((x & LOW_SEVEN) + LOW_SEVEN) | x) & HIGH_BITS;
    }

    /** The lowest set bit marks the first zero byte of {@code word} exactly (false hits lie only above it). */
    private static long zeroBytes(long word) {
        return (word - ONES) & ~word & HIGH_BITS;
    }

    private static int lineEnd(byte[] b, int p) {
        if (b[p] == '\n') {
            return p;
        }
        return b[p] == '\r' && b[p + 1] == '\n' ? p + 1 : NO_MATCH;
    }

    /**
     * 1 to 16 hex digits at {@code p}, eight at a time; the value goes to {@code event.value}.
     *
     * @return the index after the digits, or {@link #NO_MATCH} for no digit or more than 16
     */
    static int hex(byte[] b, int p, TextKvmEvent event) {
        long value = 0;
        int count = 0;
        while (true) {
            long word = load(b, p);
            int run = Long.numberOfTrailingZeros(~hexDigitBytes(word) & HIGH_BITS) >>> 3;
            if (run == 8) {
                value = (value << 32) | hexWord(word);
                count += 8;
                p += 8;
                if (count > 16) {
                    return NO_MATCH;
                }
                continue;
            }
            if (run > 0) {
                // the run's bytes moved to the top, zero digits below them: leading zeros of the number
                value = (value << (run << 2)) | hexWord(word << ((8 - run) << 3));
                count += run;
                p += run;
            }
            if (count == 0 || count > 16) {
                return NO_MATCH;
            }
            event.value = value;
            return p;
        }
    }

    /** 0x80 in each byte of {@code word} that is an ASCII decimal digit, 0 in the others. */
    static long decimalDigitBytes(long word) {
        long low = word & LOW_SEVEN; // adding below cannot carry between bytes
        return (low + 0x5050_5050_5050_5050L) & ~(low + 0x4646_4646_4646_4646L) & ~word & HIGH_BITS;
    }

    /** How many of the word's bytes, from the lowest (the first in the text), are decimal digits: 0 to 8. */
    static int digitRun(long word) {
        return Long.numberOfTrailingZeros(~decimalDigitBytes(word) & HIGH_BITS) >>> 3;
    }

    /**
     * The value of the first {@code digits} (1 to 8) bytes of {@code word}, ASCII decimal digits
     * with the first in the lowest byte: the digits moved to the top (zeros below them are leading
     * zeros), then pairs, quads and octets combined by multiplication (SWAR).
     */
    static long decimalWord(long word, int digits) {
        long value = (word << ((8 - digits) << 3)) & 0x0F0F_0F0F_0F0F_0F0FL;
        value = (value * (10 * 256 + 1)) >>> 8 & 0x00FF_00FF_00FF_00FFL;
        value = (value * (100 * 65536 + 1)) >>> 16 & 0x0000_FFFF_0000_FFFFL;
        return (value * (10000L * (1L << 32) + 1)) >>> 32;
    }

    /** 0x80 in each byte of {@code word} that is an ASCII hex digit, 0 in the others. */
    static long hexDigitBytes(long word) {
        long low = word & LOW_SEVEN; // adding below cannot carry between bytes
        long atLeast0 = low + 0x5050_5050_5050_5050L;      // byte >= '0'
        long above9 = low + 0x4646_4646_4646_4646L;        // byte >= '9' + 1
        long lower = low | 0x2020_2020_2020_2020L;         // 'A'..'F' -> 'a'..'f'
        long atLeastA = lower + 0x1F1F_1F1F_1F1F_1F1FL;    // byte >= 'a'
        long aboveF = lower + 0x1919_1919_1919_1919L;      // byte >= 'f' + 1
        return ((atLeast0 & ~above9) | (atLeastA & ~aboveF)) & ~word & HIGH_BITS;
    }

    /** The value of eight ASCII hex digits (the first in the lowest byte); zero bytes count as 0. */
    static long hexWord(long word) {
        long nibbles = (word & 0x0F0F_0F0F_0F0F_0F0FL) + ((word >>> 6) & ONES) * 9;
        long x = Long.reverseBytes(nibbles);
        x = (x | (x >>> 4)) & 0x00FF_00FF_00FF_00FFL;
        x = (x | (x >>> 8)) & 0x0000_FFFF_0000_FFFFL;
        return (x | (x >>> 16)) & 0xFFFF_FFFFL;
    }

    private static long load(byte[] b, int p) {
        return (long) LONG.get(b, p);
    }

    private static int skipBlanks(byte[] b, int p, int limit) {
        while (p < limit && (b[p] == ' ' || b[p] == '\t')) {
            p++;
        }
        return p;
    }

    private static long decimal(byte[] b, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            value = value * 10 + (b[i] - '0');
        }
        return value;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static long word(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        long value = 0;
        for (int i = bytes.length - 1; i >= 0; i--) {
            value = (value << 8) | (bytes[i] & 0xFF);
        }
        return value;
    }

    private static long mask(int bytes) {
        return bytes == 8 ? -1L : (1L << (bytes * 8)) - 1;
    }
}
