package dev.vmx.qual;

/**
 * Exit qualification for I/O instructions (SDM Vol. 3C Table "Exit Qualification for I/O
 * Instructions"; Linux {@code handle_io()} in arch/x86/kvm/vmx/vmx.c):
 *
 * <pre>
 *  2:0   size of access (0: 1 byte, 1: 2 bytes, 3: 4 bytes; 2 is not used)
 *  3     direction (0 OUT, 1 IN)
 *  4     string instruction
 *  5     REP prefixed
 *  6     operand encoding (0 DX, 1 immediate)
 * 15:7   reserved
 * 31:16  port
 * 63:32  reserved
 * </pre>
 *
 * <p>Static accessors on the raw value serve allocation-free hot paths.
 */
public final class IoInstructionQualification implements ExitQualification {
    /** Bits 2:0. */ public static final long SIZE_MASK = 7L;
    /** Bit 3. */ public static final long IN = 1L << 3;
    /** Bit 4. */ public static final long STRING = 1L << 4;
    /** Bit 5. */ public static final long REP = 1L << 5;
    /** Bit 6. */ public static final long IMMEDIATE = 1L << 6;
    /** Bits 31:16. */ public static final long PORT_MASK = 0xffff_0000L;
    /** Bits 15:7 and 63:32. */ public static final long RESERVED_MASK = ~(SIZE_MASK | IN | STRING | REP | IMMEDIATE | PORT_MASK);

    private final long raw;

    IoInstructionQualification(long raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw qualification; every value is accepted.
     *
     * @param raw the exit qualification
     * @return the decoded view
     */
    public static IoInstructionQualification of(long raw) {
        return new IoInstructionQualification(raw);
    }

    @Override
    public long raw() {
        return raw;
    }

    /**
     * The port of a raw qualification.
     *
     * @param raw the exit qualification
     * @return bits 31:16
     */
    public static int port(long raw) {
        return (int) (raw >>> 16) & 0xffff;
    }

    /**
     * The access size in bytes of a raw qualification, as Linux computes it ({@code (q & 7) + 1}).
     *
     * @param raw the exit qualification
     * @return 1, 2 or 4 for the defined codes (3 for the unused code 2, 8 for reserved codes)
     */
    public static int sizeBytes(long raw) {
        return (int) (raw & SIZE_MASK) + 1;
    }

    /**
     * The direction of a raw qualification.
     *
     * @param raw the exit qualification
     * @return bit 3: true for IN
     */
    public static boolean isIn(long raw) {
        return (raw & IN) != 0;
    }

    /**
     * Whether a raw qualification is for INS/OUTS.
     *
     * @param raw the exit qualification
     * @return bit 4
     */
    public static boolean isString(long raw) {
        return (raw & STRING) != 0;
    }

    /**
     * The port.
     *
     * @return bits 31:16
     */
    public int port() {
        return port(raw);
    }

    /**
     * The size code.
     *
     * @return bits 2:0 as stored
     */
    public int sizeCode() {
        return (int) (raw & SIZE_MASK);
    }

    /**
     * The access size in bytes.
     *
     * @return {@code sizeCode() + 1}: 1, 2 or 4 for the SDM's codes
     */
    public int sizeBytes() {
        return sizeBytes(raw);
    }

    /**
     * Whether the size code is one the SDM defines (0, 1, 3).
     *
     * @return false for codes 2, 4..7
     */
    public boolean isSizeDefined() {
        int code = sizeCode();
        return code == 0 || code == 1 || code == 3;
    }

    /**
     * The direction.
     *
     * @return bit 3: true for IN, false for OUT
     */
    public boolean isIn() {
        return isIn(raw);
    }

    /**
     * String instruction.
     *
     * @return bit 4
     */
    public boolean isString() {
        return isString(raw);
    }

    /**
     * REP prefix.
     *
     * @return bit 5
     */
    public boolean isRep() {
        return (raw & REP) != 0;
    }

    /**
     * Operand encoding.
     *
     * @return bit 6: true when the port came from an immediate, false for DX
     */
    public boolean isImmediate() {
        return (raw & IMMEDIATE) != 0;
    }

    /**
     * Reserved bits in place.
     *
     * @return bits 15:7 and 63:32
     */
    public long reservedBits() {
        return raw & RESERVED_MASK;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IoInstructionQualification && ((IoInstructionQualification) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /** Reads like {@code OUT 1 byte to port 0x3f8 (dx)} or {@code REP INS 2 bytes from port 0x1f0 (dx)}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        if (isRep()) {
            text.append("REP ");
        }
        text.append(isIn() ? "IN" : "OUT").append(isString() ? "S " : " ");
        text.append(sizeBytes()).append(sizeBytes() == 1 ? " byte " : " bytes ");
        if (!isSizeDefined()) {
            text.append("(undefined size code ").append(sizeCode()).append(") ");
        }
        text.append(isIn() ? "from" : "to").append(String.format(" port 0x%x", port()));
        text.append(isImmediate() ? " (immediate)" : " (dx)");
        if (reservedBits() != 0) {
            text.append(String.format(", reserved bits 0x%x", reservedBits()));
        }
        return text.append(String.format(" (0x%x)", raw)).toString();
    }
}
