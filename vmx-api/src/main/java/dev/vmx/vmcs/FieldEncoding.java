package dev.vmx.vmcs;

/**
 * A decoded VMCS component encoding (SDM Vol. 3C, table "Structure of VMCS Component Encoding"):
 * access type (bit 0), index (bits 9:1), type (bits 11:10), width (bits 14:13). Bit 12 and bits
 * 31:15 are reserved and must be 0, and only 64-bit fields have a HIGH access.
 *
 * <p>Immutable; equal by encoding. Every well-formed encoding decodes, whether or not a field with
 * that encoding is known ({@link VmcsField#fromEncoding(int)} says that).
 */
public final class FieldEncoding {
    /** Bit 12 and bits 31:15. */
    static final int RESERVED_MASK = 0xFFFF_8000 | 0x1000;

    private final int encoding;

    private FieldEncoding(int encoding) {
        this.encoding = encoding;
    }

    /**
     * Decodes a raw encoding.
     *
     * @param encoding the 32-bit encoding as used with VMREAD/VMWRITE
     * @return the decoded encoding
     * @throws IllegalArgumentException naming the encoding in hex when a reserved bit is set or a
     *         HIGH access names a field that is not 64-bit
     */
    public static FieldEncoding decode(int encoding) {
        if (!isWellFormed(encoding)) {
            String problem = problem(encoding);
            throw new IllegalArgumentException("malformed VMCS field encoding 0x" + Integer.toHexString(encoding)
                    + ": " + problem);
        }
        return new FieldEncoding(encoding);
    }

    /**
     * Builds an encoding from its parts.
     *
     * @param width the width
     * @param type the type
     * @param index the index, 0..511
     * @param access FULL, or HIGH for the upper half of a 64-bit field
     * @return the encoding
     * @throws IllegalArgumentException if the index is out of range or HIGH is asked of a field
     *         that is not 64-bit
     */
    public static FieldEncoding of(FieldWidth width, FieldType type, int index, AccessType access) {
        if (index < 0 || index > 511) {
            throw new IllegalArgumentException("VMCS field index " + index + " is outside 0..511");
        }
        int encoding = (width.code() << 13) | (type.code() << 10) | (index << 1) | (access == AccessType.HIGH ? 1 : 0);
        return decode(encoding);
    }

    /**
     * Whether an encoding is well formed, without throwing.
     *
     * @param encoding a raw encoding
     * @return true if {@link #decode(int)} accepts it
     */
    public static boolean isWellFormed(int encoding) {
        // one test for the reserved bits, one for a HIGH access on a width other than 64-bit (01)
        return (encoding & RESERVED_MASK) == 0 && ((encoding & 1) == 0 || (encoding & 0x6000) == 0x2000);
    }

    private static String problem(int encoding) {
        if ((encoding & 0xFFFF_8000) != 0) {
            return "bits 31:15 are reserved and must be 0";
        }
        if ((encoding & 0x1000) != 0) {
            return "bit 12 is reserved and must be 0";
        }
        if ((encoding & 1) != 0 && ((encoding >>> 13) & 3) != FieldWidth.BITS_64.code()) {
            return "HIGH access (bit 0) on a " + FieldWidth.fromCode(encoding >>> 13) + " field; only 64-bit fields have one";
        }
        return null;
    }

    /**
     * The raw encoding.
     *
     * @return the encoding
     */
    public int encoding() {
        return encoding;
    }

    /**
     * Bit 0.
     *
     * @return FULL or HIGH
     */
    public AccessType accessType() {
        return (encoding & 1) == 0 ? AccessType.FULL : AccessType.HIGH;
    }

    /**
     * Bits 9:1.
     *
     * @return 0..511
     */
    public int index() {
        return (encoding >>> 1) & 0x1FF;
    }

    /**
     * Bits 11:10.
     *
     * @return the type
     */
    public FieldType type() {
        return FieldType.fromCode(encoding >>> 10);
    }

    /**
     * Bits 14:13.
     *
     * @return the width
     */
    public FieldWidth width() {
        return FieldWidth.fromCode(encoding >>> 13);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FieldEncoding && ((FieldEncoding) other).encoding == encoding;
    }

    @Override
    public int hashCode() {
        return encoding;
    }

    /** E.g. {@code 0x6820 (NATURAL GUEST_STATE index 16 FULL)}. */
    @Override
    public String toString() {
        return String.format("0x%04x (%s %s index %d %s)", encoding, width(), type(), index(), accessType());
    }
}
