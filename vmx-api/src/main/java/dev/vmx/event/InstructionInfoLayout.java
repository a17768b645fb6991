package dev.vmx.event;

import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;

/**
 * The layouts of the VM-exit instruction-information field, one per SDM table (Vol. 3C
 * "Information for VM Exits Due to Instruction Execution", "VM-Exit Instruction-Information Field
 * as Used for ..."). Which layout applies depends only on the exit reason.
 */
public enum InstructionInfoLayout {
    /** INS and OUTS (when IA32_VMX_BASIC bit 54 reports it): address size, segment. */
    INS_OUTS(false, false, false),
    /** INVEPT, INVPCID, INVVPID: memory operand plus Reg2 (the type register). */
    INVALIDATION(true, false, true),
    /** LIDT, LGDT, SIDT, SGDT: memory operand, operand size, instruction identity. */
    DESCRIPTOR_TABLE(true, false, false),
    /** LLDT, LTR, SLDT, STR: memory or register (Reg1) operand, instruction identity. */
    LDTR_TR(true, true, false),
    /** RDRAND, RDSEED: destination register, operand size. */
    RDRAND_RDSEED(false, false, false),
    /** VMCLEAR, VMPTRLD, VMPTRST, VMXON, XRSTORS, XSAVES: memory operand. */
    VMX_POINTER_AND_XSAVES(true, false, false),
    /** VMREAD, VMWRITE: memory or register (Reg1) operand plus Reg2 (the field encoding). */
    VMREAD_VMWRITE(true, true, true),
    /** LOADIWKEY: Reg1 and Reg2 name XMM registers. */
    LOADIWKEY(false, false, true),
    /** TPAUSE, UMWAIT: Reg1, the register operand. */
    TPAUSE_UMWAIT(false, false, false),
    /**
     * RDMSR and WRMSRNS with an immediate MSR index (exit reasons 84, 85): Reg1 (bits 6:3) is the
     * destination or source register; the MSR index is in the exit qualification. KVM reads it with
     * {@code vmx_get_instr_info_reg()}, {@code (info >> 3) & 0xf}. URDMSR and UWRMSR (80, 81), which
     * no SDM edition consulted documents, use it too as Xen's USER-MSR patch reads them (its
     * {@code msr_imm_instr_info_t}: bits 6:3 the source/destination register, the rest undefined);
     * Bochs writes no instruction information for them.
     */
    MSR_IMMEDIATE(false, false, false),
    /** The exit reason defines no instruction information; every bit is undefined. */
    NONE(false, false, false);

    private final boolean memoryOperand;
    private final boolean memoryOrRegister;
    private final boolean reg2;

    InstructionInfoLayout(boolean memoryOperand, boolean memoryOrRegister, boolean reg2) {
        this.memoryOperand = memoryOperand;
        this.memoryOrRegister = memoryOrRegister;
        this.reg2 = reg2;
    }

    /**
     * Whether the layout describes a memory operand with scaling, index and base (bits 27:0).
     *
     * @return true for the memory layouts
     */
    public boolean hasMemoryOperand() {
        return memoryOperand;
    }

    /**
     * Whether bit 10 (Mem/Reg) chooses between a memory and a register operand.
     *
     * @return true for {@link #LDTR_TR} and {@link #VMREAD_VMWRITE}
     */
    public boolean isMemoryOrRegister() {
        return memoryOrRegister;
    }

    /**
     * Whether bits 31:28 hold Reg2.
     *
     * @return true when Reg2 is defined
     */
    public boolean hasReg2() {
        return reg2;
    }

    /**
     * The layout used for an exit reason.
     *
     * @param reason the exit reason
     * @return the layout, {@link #NONE} when the SDM defines no instruction information
     */
    public static InstructionInfoLayout forExit(ExitReason reason) {
        return forBasic(reason.basic());
    }

    /**
     * The layout used for a basic exit reason.
     *
     * @param basic the basic exit reason
     * @return the layout, {@link #NONE} when the SDM defines no instruction information
     */
    public static InstructionInfoLayout forBasic(BasicExitReason basic) {
        switch (basic) {
            case IO_INSTRUCTION:
                return INS_OUTS;
            case INVEPT:
            case INVPCID:
            case INVVPID:
                return INVALIDATION;
            case GDTR_IDTR:
                return DESCRIPTOR_TABLE;
            case LDTR_TR:
                return LDTR_TR;
            case RDRAND:
            case RDSEED:
                return RDRAND_RDSEED;
            case VMCLEAR:
            case VMPTRLD:
            case VMPTRST:
            case VMON:
            case XSAVES:
            case XRSTORS:
                return VMX_POINTER_AND_XSAVES;
            case VMREAD:
            case VMWRITE:
                return VMREAD_VMWRITE;
            case LOADIWKEY:
                return LOADIWKEY;
            case TPAUSE:
            case UMWAIT:
                return TPAUSE_UMWAIT;
            case MSR_READ_IMM:
            case MSR_WRITE_IMM:
            case URDMSR:
            case UWRMSR:
                return MSR_IMMEDIATE;
            default:
                return NONE;
        }
    }
}
