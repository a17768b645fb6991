package dev.vmx.qual;

/**
 * Exit qualification for NOTIFY VM exits, the instruction-timeout exit (exit reason 75; SDM Vol. 3C
 * "Notify VM Exits"; Linux {@code NOTIFY_VM_CONTEXT_INVALID}): bit 0 set means the VM context is
 * invalid (the guest cannot safely resume), bit 12 NMI unblocking due to IRET; others reserved.
 */
public final class NotifyQualification implements ExitQualification {
    /** Bit 0. */ public static final long VM_CONTEXT_INVALID = 1L;
    /** Bit 12. */ public static final long NMI_UNBLOCKING = 1L << 12;
    /** Everything else. */ public static final long RESERVED_MASK = ~(VM_CONTEXT_INVALID | NMI_UNBLOCKING);

    private final long raw;

    NotifyQualification(long raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw qualification; every value is accepted.
     *
     * @param raw the exit qualification
     * @return the decoded view
     */
    public static NotifyQualification of(long raw) {
        return new NotifyQualification(raw);
    }

    @Override
    public long raw() {
        return raw;
    }

    /**
     * Bit 0.
     *
     * @return whether the VM context is invalid
     */
    public boolean isVmContextInvalid() {
        return (raw & VM_CONTEXT_INVALID) != 0;
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
     * @return bits 11:1 and 63:13
     */
    public long reservedBits() {
        return raw & RESERVED_MASK;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NotifyQualification && ((NotifyQualification) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /** Reads like {@code notify (instruction timeout): VM context valid}. */
    @Override
    public String toString() {
        return "notify (instruction timeout): VM context " + (isVmContextInvalid() ? "invalid" : "valid")
                + (isNmiUnblockingDueToIret() ? ", NMI unblocking due to IRET" : "")
                + (reservedBits() != 0 ? String.format(", reserved bits 0x%x", reservedBits()) : "")
                + String.format(" (0x%x)", raw);
    }
}
