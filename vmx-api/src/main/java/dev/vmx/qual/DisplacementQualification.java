package dev.vmx.qual;

import dev.vmx.exit.BasicExitReason;

/**
 * The qualification of instructions with a memory operand (INVEPT, INVPCID, INVVPID, LGDT, LIDT,
 * LLDT, LTR, SGDT, SIDT, SLDT, STR, VMCLEAR, VMPTRLD, VMPTRST, VMREAD, VMWRITE, VMXON, XRSTORS,
 * XSAVES): the instruction's displacement field, sign-extended (SDM Vol. 3C "Basic VM-Exit
 * Information"). Combine it with the instruction information to name the operand:
 * {@code InstructionInfo.of(reason, info).memoryOperand(q.displacement())}.
 */
public final class DisplacementQualification implements ExitQualification {
    private final BasicExitReason reason;
    private final long raw;

    DisplacementQualification(BasicExitReason reason, long raw) {
        this.reason = reason;
        this.raw = raw;
    }

    /**
     * A displacement for an exit reason.
     *
     * @param reason the basic exit reason
     * @param displacement the qualification
     * @return the value
     */
    public static DisplacementQualification of(BasicExitReason reason, long displacement) {
        return new DisplacementQualification(reason, displacement);
    }

    @Override
    public long raw() {
        return raw;
    }

    /**
     * The displacement.
     *
     * @return all 64 bits, as a signed value
     */
    public long displacement() {
        return raw;
    }

    /**
     * The exit reason.
     *
     * @return the instruction's basic exit reason
     */
    public BasicExitReason reason() {
        return reason;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DisplacementQualification && ((DisplacementQualification) other).raw == raw
                && ((DisplacementQualification) other).reason == reason;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw) * 31 + reason.hashCode();
    }

    /** Reads like {@code displacement 0x10 (VMREAD)}. */
    @Override
    public String toString() {
        return (raw < 0 ? String.format("displacement -0x%x", -raw) : String.format("displacement 0x%x", raw))
                + " (" + reason + ")";
    }
}
