package dev.vmx.vmcs;

/**
 * The width of a VMCS field, bits 14:13 of its encoding (SDM Vol. 3C "Field Encoding in VMCS",
 * table "Structure of VMCS Component Encoding").
 */
public enum FieldWidth {
    /** 0: 16-bit. */
    BITS_16(0, 16),
    /** 1: 64-bit; the only width with a HIGH access (the upper 32 bits). */
    BITS_64(1, 64),
    /** 2: 32-bit. */
    BITS_32(2, 32),
    /** 3: natural width, 64 bits on processors that support Intel 64. */
    NATURAL(3, 64);

    private static final FieldWidth[] BY_CODE = {BITS_16, BITS_64, BITS_32, NATURAL};

    private final int code;
    private final int bits;

    FieldWidth(int code, int bits) {
        this.code = code;
        this.bits = bits;
    }

    /**
     * The value of encoding bits 14:13.
     *
     * @return 0..3
     */
    public int code() {
        return code;
    }

    /**
     * How many bits a value of this width holds (natural width counted as 64).
     *
     * @return 16, 32 or 64
     */
    public int bits() {
        return bits;
    }

    /**
     * Whether {@code value} fits in this width.
     *
     * @param value a field value
     * @return true if no bit above the width is set
     */
    public boolean fits(long value) {
        return bits == 64 || (value >>> bits) == 0;
    }

    /**
     * The width for encoding bits 14:13.
     *
     * @param code 0..3 (higher bits ignored)
     * @return the width
     */
    public static FieldWidth fromCode(int code) {
        return BY_CODE[code & 3];
    }
}
