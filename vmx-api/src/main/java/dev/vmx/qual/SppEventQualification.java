package dev.vmx.qual;

/**
 * Exit qualification for SPP-related events (exit reason 66, sub-page write-permission tables;
 * SDM Vol. 3C "Basic VM-Exit Information"; KVM SPP series {@code SPPT_INDUCED_EXIT_TYPE},
 * {@code SPPT_INTR_INFO_UNBLOCK_NMI}): bit 11 says which event (1 SPPT miss, 0 SPPT
 * misconfiguration), bit 12 is NMI unblocking due to IRET; every other bit is reserved.
 */
public final class SppEventQualification implements ExitQualification {
    /** Bit 11: 1 for an SPPT miss, 0 for an SPPT misconfiguration. */
    public static final long SPPT_MISS = 1L << 11;
    /** Bit 12. */
    public static final long NMI_UNBLOCKING = 1L << 12;
    /** Everything else. */
    public static final long RESERVED_MASK = ~(SPPT_MISS | NMI_UNBLOCKING);

    private final long raw;

    SppEventQualification(long raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw qualification; every value is accepted.
     *
     * @param raw the exit qualification
     * @return the decoded view
     */
    public static SppEventQualification of(long raw) {
        return new SppEventQualification(raw);
    }

    @Override
    public long raw() {
        return raw;
    }

    /**
     * Bit 11 set.
     *
     * @return true for an SPPT miss (the sub-page permission table has no entry for the page)
     */
    public boolean isSpptMiss() {
        return (raw & SPPT_MISS) != 0;
    }

    /**
     * Bit 11 clear.
     *
     * @return true for an SPPT misconfiguration (an SPPT entry with reserved bits set)
     */
    public boolean isSpptMisconfiguration() {
        return (raw & SPPT_MISS) == 0;
    }

    /**
     * Bit 12.
     *
     * @return NMI unblocking due to IRET
     */
    public boolean isNmiUnblockingDueToIret() {
        return (raw & NMI_UNBLOCKING) != 0;
    }

    /**
     * Reserved bits in place.
     *
     * @return bits 10:0 and 63:13
     */
    public long reservedBits() {
        return raw & RESERVED_MASK;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SppEventQualification && ((SppEventQualification) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /** Reads like {@code SPP event: SPPT miss, NMI unblocking due to IRET (0x1800)}. */
    @Override
    public String toString() {
        return "SPP event: " + (isSpptMiss() ? "SPPT miss" : "SPPT misconfiguration")
                + (isNmiUnblockingDueToIret() ? ", NMI unblocking due to IRET" : "")
                + (reservedBits() != 0 ? String.format(", reserved bits 0x%x", reservedBits()) : "")
                + String.format(" (0x%x)", raw);
    }
}
