package dev.vmx.qual;

import dev.vmx.event.ExceptionVector;
import dev.vmx.event.InterruptionInfo;
import dev.vmx.exit.BasicExitReason;

/**
 * The qualification of an exception or NMI exit (exit reason 0). Its format depends on the vector,
 * which is in the VM-exit interruption information: a page fault gives the faulting linear address,
 * a debug exception gives DR6-like bits, anything else clears it (SDM Vol. 3C "Basic VM-Exit
 * Information"). {@link #interpret(InterruptionInfo)} picks the reading.
 */
public final class ExceptionQualification implements ExitQualification {
    private final long raw;

    ExceptionQualification(long raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw qualification.
     *
     * @param raw the exit qualification
     * @return the value
     */
    public static ExceptionQualification of(long raw) {
        return new ExceptionQualification(raw);
    }

    @Override
    public long raw() {
        return raw;
    }

    /**
     * Reads the value as the faulting address of a #PF.
     *
     * @return the linear address
     */
    public LinearAddressQualification asPageFaultAddress() {
        return new LinearAddressQualification(BasicExitReason.EXCEPTION_NMI, raw);
    }

    /**
     * Reads the value as the debug-exception qualification of a #DB.
     *
     * @return the decoded bits
     */
    public DebugExceptionQualification asDebugException() {
        return new DebugExceptionQualification(raw);
    }

    /**
     * Reads the value in the format the interruption information selects.
     *
     * @param exitInterruptionInfo the VM-exit interruption information of the same exit
     * @return a {@link LinearAddressQualification} for #PF, a {@link DebugExceptionQualification}
     *     for #DB (hardware exception or INT1), otherwise this value itself
     */
    public ExitQualification interpret(InterruptionInfo exitInterruptionInfo) {
        if (exitInterruptionInfo.isValid() && exitInterruptionInfo.type().isException()) {
            if (exitInterruptionInfo.vector() == ExceptionVector.PF.vector()) {
                return asPageFaultAddress();
            }
            if (exitInterruptionInfo.vector() == ExceptionVector.DB.vector()) {
                return asDebugException();
            }
        }
        return this;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ExceptionQualification && ((ExceptionQualification) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /** Reads like {@code exception qualification 0x7f001000 (address for #PF, DR6 bits for #DB)}. */
    @Override
    public String toString() {
        return String.format("exception qualification 0x%x (address for #PF, DR6 bits for #DB)", raw);
    }
}
