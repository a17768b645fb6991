package dev.vmx.exit;

import dev.vmx.VmxParseException;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The 32-bit VM-exit reason field: a basic exit reason (bits 15:0) plus flags.
 *
 * <p>This type exists to keep two things apart that a bare {@code int} mixes up: the
 * <em>full</em> exit reason and the <em>basic</em> exit reason. Linux KVM turned its
 * {@code exit_reason} into a union after code compared a basic reason
 * ({@code EXIT_REASON_MCE_DURING_VMENTRY}) with the full 32-bit value, which never matches once
 * the VM-entry-failure flag (bit 31) is set. Here:
 * <ul>
 *   <li>{@link #is(BasicExitReason)} compares the basic reason only, so
 *       {@code ExitReason.of(0x80000029).is(MCE_DURING_VMENTRY)} is true;</li>
 *   <li>{@link #basicNumber()} and {@link #raw()} say in their names which number they are;</li>
 *   <li>{@link BasicExitReason} is a separate type with no flags, and {@link #equals(Object)}
 *       is false for anything but an {@code ExitReason} with the same raw value.</li>
 * </ul>
 *
 * <p>Flags (bits 26-29, 31) are {@link ExitReasonFlag}s; the bits the SDM does not define as
 * flags (16-25, 30) are kept in {@link #reservedBits()}, so {@code of(raw).raw() == raw} for
 * every {@code int}.
 *
 * <p>Instances are immutable and value-equal by {@link #raw()}. {@link #of(int)} does not
 * allocate for any basic number below 128 (every defined one) with any combination of flags
 * (instances are precomputed); only values with reserved bits set or a larger basic number create a
 * new object. Compare with {@code equals}, not {@code ==}.
 */
public final class ExitReason {
    /** Bits 15:0. */
    private static final int BASIC_MASK = 0xFFFF;
    /** Bits 26, 27, 28, 29 and 31. */
    private static final int FLAG_MASK = 0xBC00_0000;
    /** Bits 16-25 and 30: defined by the SDM as not-a-flag (bit 16 is always 0, the rest undefined). */
    private static final int RESERVED_MASK = 0x43FF_0000;
    /** Number of distinct combinations of the five flag bits. */
    private static final int FLAG_COMBINATIONS = 32;
    /** Basic numbers below this are cached (every defined number is). */
    private static final int CACHED_BASIC_NUMBERS = 128;
    /** Slots for bits 31:26 (64 values) times the cached basic numbers; a power of two. */
    private static final int CACHE_SIZE = 64 * CACHED_BASIC_NUMBERS;
    /** Values with any of these bits set are built on demand: reserved bits, or basic number >= 128. */
    private static final int UNCACHED_MASK = RESERVED_MASK | (BASIC_MASK & ~(CACHED_BASIC_NUMBERS - 1));

    private static final ExitReasonFlag[] FLAGS = ExitReasonFlag.values();
    /** Unmodifiable flag sets, indexed by {@link #flagIndex(int)}, so {@link #flags()} allocates nothing. */
    private static final Set<ExitReasonFlag>[] FLAG_SETS = flagSets();
    /** Every basic number below 128 with every flag combination, indexed by {@link #cacheIndex(int)}. */
    private static final ExitReason[] CACHE = cache();

    private final int raw;
    private final BasicExitReason basic;

    private ExitReason(int raw) {
        this.raw = raw;
        this.basic = BasicExitReason.fromNumber(raw & BASIC_MASK);
    }

    /**
     * The exit reason for a raw 32-bit exit-reason field value, as read with VMREAD from
     * {@code VM_EXIT_REASON} or from a trace. Never throws; every {@code int} is accepted and
     * kept whole.
     *
     * @param raw the full 32-bit exit-reason field
     * @return the exit reason; a shared instance for every known basic number without reserved bits
     */
    public static ExitReason of(int raw) {
        // One mask test routes every cached value: no reserved bit set and basic number < 128.
        if ((raw & UNCACHED_MASK) == 0) {
            return CACHE[cacheIndex(raw)];
        }
        return new ExitReason(raw);
    }

    /**
     * The exit reason with a basic reason and flags, e.g.
     * {@code ExitReason.of(INVALID_STATE, VM_ENTRY_FAILURE)} for {@code 0x80000021}.
     *
     * @param basic a defined basic reason (not {@link BasicExitReason#UNRECOGNIZED})
     * @param flags flags to set
     * @return the exit reason
     * @throws IllegalArgumentException if {@code basic} is {@code UNRECOGNIZED}, which has no number
     */
    public static ExitReason of(BasicExitReason basic, ExitReasonFlag... flags) {
        if (basic == BasicExitReason.UNRECOGNIZED) {
            throw new IllegalArgumentException(
                    "UNRECOGNIZED has no basic number; use ExitReason.of(int) with the real number");
        }
        int raw = basic.number();
        for (ExitReasonFlag flag : flags) {
            raw |= flag.mask();
        }
        return of(raw);
    }

    /**
     * Parses an exit reason written as a number or by name.
     *
     * <p>Accepted forms, with surrounding white space ignored:
     * <ul>
     *   <li>a hexadecimal number with {@code 0x} prefix, e.g. {@code 0x80000021}, as in
     *       "KVM: entry failed, hardware error 0x80000021";</li>
     *   <li>an unsigned decimal number, e.g. {@code 48} or {@code 2147483681}, provided it sets no
     *       reserved bit (bits 16 to 25 and 30). Linux's {@code dump_vmcs()} prints reasons as hex
     *       without {@code 0x} ({@code reason=80000021}); read as decimal, such digits always land
     *       in the reserved bits (every value from 65536 to 2<sup>26</sup>-1 sets one), so that
     *       reading is rejected with a hint to the hexadecimal one ("did you mean 0x80000021?")
     *       instead of returning a made-up {@code UNRECOGNIZED(46101)|BUS_LOCK_DETECTED|RESERVED(...)};</li>
     *   <li>the form {@link #toString()} writes: a basic reason name, then {@code |}-separated
     *       flags, e.g. {@code EPT_VIOLATION}, {@code INVALID_STATE|VM_ENTRY_FAILURE},
     *       {@code UNRECOGNIZED(82)|RESERVED(0x10000)}. Linux's flag name
     *       {@code FAILED_VMENTRY} is accepted for {@link ExitReasonFlag#VM_ENTRY_FAILURE}.</li>
     * </ul>
     * Digits may be grouped with underscores ({@code 0x8000_0021}).
     *
     * @param text the text
     * @return the exit reason
     * @throws VmxParseException naming the text and the index where it broke: empty input, a
     *         number that does not fit in 32 bits, a decimal number that sets reserved bits (with
     *         the hexadecimal reading), an unknown name (with the closest known name)
     */
    public static ExitReason parse(CharSequence text) {
        String input = String.valueOf(text);
        int start = 0;
        int end = input.length();
        while (start < end && Character.isWhitespace(input.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(input.charAt(end - 1))) {
            end--;
        }
        if (start == end) {
            throw new VmxParseException("empty exit reason: expected a number or a name", input, start);
        }
        char first = input.charAt(start);
        if (first >= '0' && first <= '9') {
            int raw = (int) parseUnsigned32(input, start, end);
            boolean decimal = !(end - start >= 2 && (input.charAt(start + 1) == 'x' || input.charAt(start + 1) == 'X'));
            if (decimal && (raw & RESERVED_MASK) != 0) {
                throw new VmxParseException("decimal " + Integer.toUnsignedString(raw) + " sets reserved exit-reason bits ("
                        + "0x" + Integer.toHexString(raw & RESERVED_MASK) + ")" + hexadecimalHint(input, start, end)
                        + "; write hexadecimal with 0x", input, start);
            }
            return of(raw);
        }
        if (!isNameChar(first)) {
            throw new VmxParseException("expected a number or an exit reason name, found '" + first + "'",
                    input, start);
        }
        return parseSymbolic(input, start, end);
    }

    /**
     * The full 32-bit exit-reason field, exactly as given to {@link #of(int)}.
     *
     * @return the raw value
     */
    public int raw() {
        return raw;
    }

    /**
     * The basic exit reason number, bits 15:0, also when it has no definition.
     *
     * @return 0..65535
     */
    public int basicNumber() {
        return raw & BASIC_MASK;
    }

    /**
     * The basic exit reason; {@link BasicExitReason#UNRECOGNIZED} when {@link #basicNumber()}
     * has no definition.
     *
     * @return the basic reason, never null
     */
    public BasicExitReason basic() {
        return basic;
    }

    /**
     * Whether the basic reason is {@code reason}, whatever the flags. This is the comparison
     * to use: {@code ExitReason.of(0x80000029).is(MCE_DURING_VMENTRY)} is true.
     *
     * @param reason a basic reason
     * @return true if bits 15:0 are {@code reason}
     */
    public boolean is(BasicExitReason reason) {
        return basic == reason;
    }

    /**
     * Whether a flag bit is set.
     *
     * @param flag the flag
     * @return true if set
     */
    public boolean has(ExitReasonFlag flag) {
        return (raw & flag.mask()) != 0;
    }

    /**
     * The flags that are set, in bit order. The set is unmodifiable and shared; getting it
     * allocates nothing.
     *
     * @return the flags, possibly empty
     */
    public Set<ExitReasonFlag> flags() {
        return FLAG_SETS[flagIndex(raw)];
    }

    /**
     * The bits of the field that are neither the basic reason nor a defined flag (16-25 and 30),
     * in place. Zero on every exit a processor reports today; non-zero means the value came from
     * a newer processor or is corrupt, and is kept rather than dropped.
     *
     * @return {@code raw() & 0x43FF0000}
     */
    public int reservedBits() {
        return raw & RESERVED_MASK;
    }

    /**
     * Bit 26: a bus lock was detected.
     *
     * @return true if set
     */
    public boolean isBusLockDetected() {
        return (raw & (1 << 26)) != 0;
    }

    /**
     * Bit 27: the VM exit was incident to enclave mode.
     *
     * @return true if set
     */
    public boolean isEnclaveMode() {
        return (raw & (1 << 27)) != 0;
    }

    /**
     * Bit 28: pending MTF VM exit (SMM VM exits).
     *
     * @return true if set
     */
    public boolean isPendingMtf() {
        return (raw & (1 << 28)) != 0;
    }

    /**
     * Bit 29: VM exit from VMX root operation (SMM VM exits).
     *
     * @return true if set
     */
    public boolean isFromVmxRoot() {
        return (raw & (1 << 29)) != 0;
    }

    /**
     * Bit 31: VM-entry failure. The basic reason then says why (33, 34 or 41).
     *
     * @return true if set
     */
    public boolean isVmEntryFailure() {
        return raw < 0;
    }

    /**
     * Equal to another {@code ExitReason} with the same {@link #raw()} value; never equal to a
     * {@link BasicExitReason} or a number.
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof ExitReason && ((ExitReason) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return raw;
    }

    /**
     * The basic reason and flags, e.g. {@code EPT_VIOLATION},
     * {@code INVALID_STATE|VM_ENTRY_FAILURE}, {@code UNRECOGNIZED(82)},
     * {@code HLT|RESERVED(0x10000)}. {@link #parse(CharSequence)} reads it back.
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(32);
        if (basic == BasicExitReason.UNRECOGNIZED) {
            text.append("UNRECOGNIZED(").append(basicNumber()).append(')');
        } else {
            text.append(basic.name());
        }
        for (ExitReasonFlag flag : FLAGS) {
            if (has(flag)) {
                text.append('|').append(flag.name());
            }
        }
        if (reservedBits() != 0) {
            text.append("|RESERVED(0x").append(Integer.toHexString(reservedBits())).append(')');
        }
        return text.toString();
    }

    // --- internals ---

    /** Packs bits 26-29 into 3:0 and bit 31 into 4. */
    private static int flagIndex(int raw) {
        return ((raw >>> 26) & 0xF) | ((raw >>> 27) & 0x10);
    }

    private static int rawFlagsOf(int flagIndex) {
        return ((flagIndex & 0xF) << 26) | ((flagIndex & 0x10) << 27);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Set<ExitReasonFlag>[] flagSets() {
        Set<ExitReasonFlag>[] sets = new Set[FLAG_COMBINATIONS];
        for (int index = 0; index < FLAG_COMBINATIONS; index++) {
            EnumSet<ExitReasonFlag> set = EnumSet.noneOf(ExitReasonFlag.class);
            int rawFlags = rawFlagsOf(index);
            for (ExitReasonFlag flag : FLAGS) {
                if ((rawFlags & flag.mask()) != 0) {
                    set.add(flag);
                }
            }
            sets[index] = Collections.unmodifiableSet(set);
        }
        return sets;
    }

    /**
     * Bits 31:26 above basic bits 6:0, for a value with no reserved bit and a basic number below
     * 128: a shift and an or, cheaper on the hot path than packing the five flags densely. Slots
     * with bit 30 set are never used (bit 30 is reserved) and stay null.
     */
    private static int cacheIndex(int raw) {
        // the final mask is a no-op on the value but tells the JIT the index is in bounds
        return (((raw >>> 26) << 7) | (raw & (CACHED_BASIC_NUMBERS - 1))) & (CACHE_SIZE - 1);
    }

    private static ExitReason[] cache() {
        ExitReason[] cache = new ExitReason[CACHE_SIZE];
        for (int number = 0; number < CACHED_BASIC_NUMBERS; number++) {
            for (int index = 0; index < FLAG_COMBINATIONS; index++) {
                int raw = number | rawFlagsOf(index);
                cache[cacheIndex(raw)] = new ExitReason(raw);
            }
        }
        return cache;
    }

    private static boolean isNameChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    }

    /** Parses an unsigned number in [start, end): 0x-hex or decimal, underscores between digits. */
    static long parseUnsigned32(String input, int start, int end) {
        int radix = 10;
        int position = start;
        if (end - start >= 2 && input.charAt(start) == '0'
                && (input.charAt(start + 1) == 'x' || input.charAt(start + 1) == 'X')) {
            radix = 16;
            position += 2;
        }
        if (position == end) {
            throw new VmxParseException("missing digits after '0x'", input, position);
        }
        long value = 0;
        boolean lastWasDigit = false;
        for (; position < end; position++) {
            char c = input.charAt(position);
            if (c == '_' && lastWasDigit && position + 1 < end) {
                lastWasDigit = false;
                continue;
            }
            int digit = Character.digit(c, radix);
            if (digit < 0) {
                throw new VmxParseException("unexpected character '" + c + "' in "
                        + (radix == 16 ? "hexadecimal" : "decimal") + " number", input, position);
            }
            value = value * radix + digit;
            if (value > 0xFFFF_FFFFL) {
                throw new VmxParseException("number does not fit in the 32-bit exit-reason field", input, start);
            }
            lastWasDigit = true;
        }
        return value;
    }

    /** " (did you mean 0xDIGITS?)" when the digits read as hexadecimal fit the field, else "". */
    private static String hexadecimalHint(String input, int start, int end) {
        String digits = input.substring(start, end).replace("_", "");
        if (digits.length() > 8) {
            return "";
        }
        return ", did you mean 0x" + digits + "? (" + of(Integer.parseUnsignedInt(digits, 16)) + ")";
    }

    private static ExitReason parseSymbolic(String input, int start, int end) {
        int raw = 0;
        int tokenStart = start;
        boolean first = true;
        while (tokenStart <= end) {
            int bar = input.indexOf('|', tokenStart);
            int tokenEnd = bar < 0 || bar > end ? end : bar;
            String token = input.substring(tokenStart, tokenEnd).trim();
            int tokenIndex = tokenStart + leadingSpaces(input, tokenStart, tokenEnd);
            if (token.isEmpty()) {
                throw new VmxParseException("empty name between '|' separators", input, tokenIndex);
            }
            int bits = first ? parseBasicToken(input, token, tokenIndex) : parseFlagToken(input, token, tokenIndex);
            if (!first && (raw & bits) != 0) {
                throw new VmxParseException("flag '" + token + "' given twice", input, tokenIndex);
            }
            raw |= bits;
            first = false;
            tokenStart = tokenEnd + 1;
        }
        return of(raw);
    }

    private static int leadingSpaces(String input, int from, int to) {
        int count = 0;
        while (from + count < to && Character.isWhitespace(input.charAt(from + count))) {
            count++;
        }
        return count;
    }

    private static int parseBasicToken(String input, String token, int index) {
        if (token.startsWith("UNRECOGNIZED(") && token.endsWith(")")) {
            int numberStart = index + "UNRECOGNIZED(".length();
            long number = parseUnsigned32(input, numberStart, index + token.length() - 1);
            if (number > BASIC_MASK) {
                throw new VmxParseException("basic exit reason number above 65535", input, numberStart);
            }
            return (int) number;
        }
        for (BasicExitReason reason : BasicExitReason.values()) {
            if (reason != BasicExitReason.UNRECOGNIZED && reason.name().equals(token)) {
                return reason.number();
            }
        }
        throw new VmxParseException("unknown basic exit reason name '" + abbreviated(token) + "'"
                + suggestion(token, BasicExitReason.values()), input, index);
    }

    private static int parseFlagToken(String input, String token, int index) {
        if (token.startsWith("RESERVED(") && token.endsWith(")")) {
            int numberStart = index + "RESERVED(".length();
            long bits = parseUnsigned32(input, numberStart, index + token.length() - 1);
            if (bits == 0 || (bits & ~(RESERVED_MASK & 0xFFFF_FFFFL)) != 0) {
                throw new VmxParseException("RESERVED(...) must hold only bits 16-25 and 30", input, numberStart);
            }
            return (int) bits;
        }
        if (token.equals("FAILED_VMENTRY")) {
            return ExitReasonFlag.VM_ENTRY_FAILURE.mask();
        }
        for (ExitReasonFlag flag : FLAGS) {
            if (flag.name().equals(token)) {
                return flag.mask();
            }
        }
        throw new VmxParseException("unknown exit reason flag '" + abbreviated(token) + "'"
                + suggestion(token, FLAGS), input, index);
    }

    /** The token itself when short; a long one (the whole input names it anyway) cut to 64 characters. */
    private static String abbreviated(String token) {
        return token.length() <= 64 ? token : token.substring(0, 64) + "...(" + token.length() + " characters)";
    }

    /**
     * " (did you mean X?)" for the closest constant within edit distance 2, else "". Only names
     * within 2 characters of the token's length can be that close, so the others (and with them
     * any long token) are skipped before the quadratic distance is computed: the cost is bounded
     * by the longest name, whatever the input's length.
     */
    private static String suggestion(String token, Enum<?>[] candidates) {
        String best = null;
        int bestDistance = 3;
        for (Enum<?> candidate : candidates) {
            if (Math.abs(candidate.name().length() - token.length()) >= bestDistance) {
                continue;
            }
            int distance = editDistance(token.toUpperCase(Locale.ROOT), candidate.name());
            if (distance < bestDistance) {
                bestDistance = distance;
                best = candidate.name();
            }
        }
        return best == null ? "" : " (did you mean " + best + "?)";
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
