package dev.vmx.qual;

import dev.vmx.exit.BasicExitReason;

/**
 * A qualification that is a linear address: the operand of INVLPG, or the faulting address of a
 * page fault (exception exit with vector 14, see {@link ExceptionQualification#asPageFaultAddress()}).
 * All 64 bits are the address; nothing is reserved.
 */
public final class LinearAddressQualification implements ExitQualification {
    private final BasicExitReason reason;
    private final long raw;

    LinearAddressQualification(BasicExitReason reason, long raw) {
        this.reason = reason;
        this.raw = raw;
    }

    /**
     * A linear address for an exit reason.
     *
     * @param reason the basic exit reason (INVLPG or EXCEPTION_NMI)
     * @param address the address
     * @return the value
     */
    public static LinearAddressQualification of(BasicExitReason reason, long address) {
        return new LinearAddressQualification(reason, address);
    }

    @Override
    public long raw() {
        return raw;
    }

    /**
     * The linear address.
     *
     * @return all 64 bits
     */
    public long address() {
        return raw;
    }

    /**
     * The exit reason the address belongs to.
     *
     * @return INVLPG or EXCEPTION_NMI
     */
    public BasicExitReason reason() {
        return reason;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LinearAddressQualification && ((LinearAddressQualification) other).raw == raw
                && ((LinearAddressQualification) other).reason == reason;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw) * 31 + reason.hashCode();
    }

    /** Reads like {@code linear address 0x7f0000001000 (INVLPG)}. */
    @Override
    public String toString() {
        return String.format("linear address 0x%x (%s)", raw, reason);
    }
}
