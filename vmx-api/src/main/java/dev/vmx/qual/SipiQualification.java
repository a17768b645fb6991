package dev.vmx.qual;

/**
 * Exit qualification for start-up IPI (SIPI) VM exits (SDM Vol. 3C "Basic VM-Exit Information"): bits 7:0 hold the SIPI vector; bits 63:8 are cleared.
 */
public final class SipiQualification implements ExitQualification {
    /** The defined bits. */
    public static final long FIELD_MASK = 0xffL;

    private final long raw;

    SipiQualification(long raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw qualification; every value is accepted.
     *
     * @param raw the exit qualification
     * @return the decoded view
     */
    public static SipiQualification of(long raw) {
        return new SipiQualification(raw);
    }

    @Override
    public long raw() {
        return raw;
    }

    /**
     * The SIPI vector: bits 7:0 (the guest starts at vector * 0x1000).
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
        return other instanceof SipiQualification && ((SipiQualification) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /** Reads like {@code SIPI with vector  ...}. */
    @Override
    public String toString() {
        return "SIPI with vector " + String.format("0x%02x", vector())
                + (reservedBits() != 0 ? String.format(", reserved bits 0x%x", reservedBits()) : "");
    }
}
