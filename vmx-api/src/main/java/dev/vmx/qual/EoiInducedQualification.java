package dev.vmx.qual;

/**
 * Exit qualification for EOI-induced VM exits (SDM Vol. 3C "Exit qualification ... EOI virtualization"): bits 7:0 hold the vector of the interrupt whose EOI was virtualized; bits 63:8 are cleared.
 */
public final class EoiInducedQualification implements ExitQualification {
    /** The defined bits. */
    public static final long FIELD_MASK = 0xffL;

    private final long raw;

    EoiInducedQualification(long raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw qualification; every value is accepted.
     *
     * @param raw the exit qualification
     * @return the decoded view
     */
    public static EoiInducedQualification of(long raw) {
        return new EoiInducedQualification(raw);
    }

    @Override
    public long raw() {
        return raw;
    }

    /**
     * The vector whose EOI was virtualized: bits 7:0.
     *
     * @return the field, shifted down
     */
    public int vector() {
        return (int) ((raw & FIELD_MASK) >>> 0);
    }

    /**
     * Bits outside the defined field, kept in place.
     *
     * @return the reserved bits
     */
    public long reservedBits() {
        return raw & ~FIELD_MASK;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EoiInducedQualification && ((EoiInducedQualification) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /** Reads like {@code EOI virtualized for vector  ...}. */
    @Override
    public String toString() {
        return "EOI virtualized for vector " + String.format("%d", vector())
                + (reservedBits() != 0 ? String.format(", reserved bits 0x%x", reservedBits()) : "");
    }
}
