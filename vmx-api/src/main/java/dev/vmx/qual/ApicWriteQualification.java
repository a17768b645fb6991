package dev.vmx.qual;

/**
 * Exit qualification for APIC-write VM exits (SDM Vol. 3C "APIC-Write VM Exits"): bits 11:0 hold the offset of the write within the APIC page; bits 63:12 are cleared.
 */
public final class ApicWriteQualification implements ExitQualification {
    /** The defined bits. */
    public static final long FIELD_MASK = 0xfffL;

    private final long raw;

    ApicWriteQualification(long raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw qualification; every value is accepted.
     *
     * @param raw the exit qualification
     * @return the decoded view
     */
    public static ApicWriteQualification of(long raw) {
        return new ApicWriteQualification(raw);
    }

    @Override
    public long raw() {
        return raw;
    }

    /**
     * The offset of the APIC register written: bits 11:0.
     *
     * @return the field, shifted down
     */
    public int offset() {
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
        return other instanceof ApicWriteQualification && ((ApicWriteQualification) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /** Reads like {@code APIC write to offset  ...}. */
    @Override
    public String toString() {
        return "APIC write to offset " + String.format("0x%03x", offset())
                + (reservedBits() != 0 ? String.format(", reserved bits 0x%x", reservedBits()) : "");
    }
}
