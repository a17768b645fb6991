package dev.vmx.qual;

/**
 * Exit qualification for VM-entry failure due to MSR loading (exit reason 34): the entry in the VM-entry MSR-load area that failed, counted from 1 (SDM Vol. 3C "Loading MSRs").
 */
public final class MsrLoadFailureQualification implements ExitQualification {
    /** The defined bits. */
    public static final long FIELD_MASK = 0xffffffffL;

    private final long raw;

    MsrLoadFailureQualification(long raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw qualification; every value is accepted.
     *
     * @param raw the exit qualification
     * @return the decoded view
     */
    public static MsrLoadFailureQualification of(long raw) {
        return new MsrLoadFailureQualification(raw);
    }

    @Override
    public long raw() {
        return raw;
    }

    /**
     * The 1-based index of the MSR-load entry that failed: bits 31:0.
     *
     * @return the field, shifted down
     */
    public long entryIndex() {
        return raw & FIELD_MASK;
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
        return other instanceof MsrLoadFailureQualification && ((MsrLoadFailureQualification) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /** Reads like {@code VM entry failed loading MSR-load entry  ...}. */
    @Override
    public String toString() {
        return "VM entry failed loading MSR-load entry " + String.format("%d", entryIndex())
                + (reservedBits() != 0 ? String.format(", reserved bits 0x%x", reservedBits()) : "");
    }
}
