package dev.vmx.qual;

/**
 * Exit qualification for a page-modification log-full event (exit reason 62; SDM Vol. 3C "Basic
 * VM-Exit Information"): only bit 12, NMI unblocking due to IRET, is defined, and only when the
 * exit did not set the valid bit of the IDT-vectoring information and "NMI exiting" without
 * "virtual NMIs" is not in use. Every other bit is undefined and kept as {@link #undefinedBits()}.
 */
public final class PmlFullQualification implements ExitQualification {
    /** Bit 12. */
    public static final long NMI_UNBLOCKING = 1L << 12;

    private final long raw;

    PmlFullQualification(long raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw qualification; every value is accepted.
     *
     * @param raw the exit qualification
     * @return the decoded view
     */
    public static PmlFullQualification of(long raw) {
        return new PmlFullQualification(raw);
    }

    @Override
    public long raw() {
        return raw;
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
     * The bits the SDM leaves undefined, in place.
     *
     * @return every bit but 12
     */
    public long undefinedBits() {
        return raw & ~NMI_UNBLOCKING;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PmlFullQualification && ((PmlFullQualification) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /** Reads like {@code page-modification log full, NMI unblocking due to IRET}. */
    @Override
    public String toString() {
        return "page-modification log full" + (isNmiUnblockingDueToIret() ? ", NMI unblocking due to IRET" : "")
                + (undefinedBits() != 0 ? String.format(", undefined bits 0x%x", undefinedBits()) : "");
    }
}
