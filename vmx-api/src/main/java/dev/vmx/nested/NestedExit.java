package dev.vmx.nested;

import dev.vmx.exit.ExitReason;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One exit of an L2 guest as the routing needs it: the exit reason, exit qualification,
 * VM-exit interruption information and error code, and the guest RCX for RDMSR/WRMSR (which is
 * not in the VMCS). Immutable.
 */
public final class NestedExit {
    private final ExitReason reason;
    private final long qualification;
    private final int interruptionInfo;
    private final int interruptionErrorCode;
    private final OptionalLong guestRcx;
    private final OptionalLong operand;

    private NestedExit(ExitReason reason, long qualification, int interruptionInfo, int interruptionErrorCode,
            OptionalLong guestRcx) {
        this(reason, qualification, interruptionInfo, interruptionErrorCode, guestRcx, OptionalLong.empty());
    }

    private NestedExit(ExitReason reason, long qualification, int interruptionInfo, int interruptionErrorCode,
            OptionalLong guestRcx, OptionalLong operand) {
        this.operand = operand;
        this.reason = Objects.requireNonNull(reason, "reason");
        this.qualification = qualification;
        this.interruptionInfo = interruptionInfo;
        this.interruptionErrorCode = interruptionErrorCode;
        this.guestRcx = guestRcx;
    }

    /**
     * An exit with a reason and qualification only.
     *
     * @param reason the full exit reason
     * @param qualification the exit qualification (0 if the exit has none)
     * @return the exit
     */
    public static NestedExit of(ExitReason reason, long qualification) {
        return new NestedExit(reason, qualification, 0, 0, OptionalLong.empty());
    }

    /**
     * An RDMSR or WRMSR exit with the MSR index the guest put in ECX.
     *
     * @param reason the full exit reason (RDMSR or WRMSR)
     * @param guestRcx the guest's RCX; bits 31:0 are the MSR index
     * @return the exit
     */
    public static NestedExit msr(ExitReason reason, long guestRcx) {
        return new NestedExit(reason, 0, 0, 0, OptionalLong.of(guestRcx));
    }

    /**
     * An exception or NMI exit with its VM-exit interruption information and error code.
     *
     * @param reason the full exit reason (EXCEPTION_NMI)
     * @param qualification the exit qualification (the faulting address for #PF)
     * @param interruptionInfo the VM-exit interruption-information field
     * @param errorCode the VM-exit interruption error code (0 if none)
     * @return the exit
     */
    public static NestedExit exception(ExitReason reason, long qualification, int interruptionInfo, int errorCode) {
        return new NestedExit(reason, qualification, interruptionInfo, errorCode, OptionalLong.empty());
    }

    /**
     * An exit whose routing needs a guest value that is not in the VMCS: the value of the source
     * register of a MOV to CR0/CR4 (the register the qualification names), the VMCS-field encoding
     * of a VMREAD/VMWRITE (the register the instruction information names), the EAX leaf of ENCLS.
     *
     * @param reason the full exit reason
     * @param qualification the exit qualification
     * @param operand the guest value described above
     * @return the exit
     */
    public static NestedExit withOperand(ExitReason reason, long qualification, long operand) {
        return new NestedExit(reason, qualification, 0, 0, OptionalLong.empty(), OptionalLong.of(operand));
    }

    /** @return the guest operand value, present when given with {@link #withOperand} */
    public OptionalLong operand() {
        return operand;
    }

    /** @return the full exit reason */
    public ExitReason reason() {
        return reason;
    }

    /** @return the exit qualification */
    public long qualification() {
        return qualification;
    }

    /** @return the VM-exit interruption-information field */
    public int interruptionInfo() {
        return interruptionInfo;
    }

    /** @return the VM-exit interruption error code */
    public int interruptionErrorCode() {
        return interruptionErrorCode;
    }

    /** @return the guest RCX, present for MSR exits */
    public OptionalLong guestRcx() {
        return guestRcx;
    }

    @Override
    public String toString() {
        return reason + String.format(" qual=0x%x", qualification);
    }
}
