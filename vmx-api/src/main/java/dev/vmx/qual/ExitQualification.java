package dev.vmx.qual;

import dev.vmx.exit.ExitReason;

/**
 * A decoded exit qualification. Which format applies depends on the exit reason; {@link #decode}
 * chooses it. Every implementation keeps the raw value.
 */
public sealed interface ExitQualification
        permits NoQualification, ExceptionQualification, DebugExceptionQualification, TaskSwitchQualification,
        CrAccessQualification, DrAccessQualification, IoInstructionQualification, ApicAccessQualification,
        EptViolationQualification, EoiInducedQualification, ApicWriteQualification, NotifyQualification,
        SipiQualification, InvalidGuestStateQualification, MsrLoadFailureQualification, PmlFullQualification,
        LinearAddressQualification, DisplacementQualification, SppEventQualification,
        MsrImmediateQualification {

    /**
     * The raw 64-bit exit qualification.
     *
     * @return the value as read from the VMCS
     */
    long raw();

    /**
     * Decodes an exit qualification in the format its exit reason defines (SDM Vol. 3C "Basic VM-Exit
     * Information", Table "Exit Qualification for ..."). Never throws.
     *
     * <p>For {@code EXCEPTION_NMI} the format depends on the vector (page-fault address for #PF,
     * debug-exception bits for #DB), which lives in the interruption information: the result is an
     * {@link ExceptionQualification} offering both readings. INVLPG gives a
     * {@link LinearAddressQualification}; INVEPT, INVPCID, INVVPID, LGDT/LIDT/SGDT/SIDT,
     * LLDT/LTR/SLDT/STR, VMCLEAR, VMPTRLD, VMPTRST, VMREAD, VMWRITE, VMXON, XRSTORS and XSAVES give
     * the instruction's displacement ({@link DisplacementQualification}), as the SDM says. An I/O SMI
     * gives the I/O-instruction format of the instruction that retired just before it; the immediate
     * forms of RDMSR/WRMSRNS give the MSR index ({@link MsrImmediateQualification}), and so do URDMSR
     * and UWRMSR, whose qualification no SDM edition consulted documents: Xen's USER-MSR patch reads
     * the MSR index there (Bochs stores 0).
     * Reasons without a qualification give {@link NoQualification}, which still keeps the raw value.
     *
     * @param reason the exit reason (only its basic reason matters)
     * @param raw the exit qualification
     * @return the decoded qualification
     */
    static ExitQualification decode(ExitReason reason, long raw) {
        switch (reason.basic()) {
            case EXCEPTION_NMI:
                return new ExceptionQualification(raw);
            case SIPI_SIGNAL:
                return new SipiQualification(raw);
            case TASK_SWITCH:
                return new TaskSwitchQualification(raw);
            case INVLPG:
                return new LinearAddressQualification(reason.basic(), raw);
            case INVEPT:
            case INVPCID:
            case INVVPID:
            case GDTR_IDTR:
            case LDTR_TR:
            case VMCLEAR:
            case VMPTRLD:
            case VMPTRST:
            case VMREAD:
            case VMWRITE:
            case VMON:
            case XSAVES:
            case XRSTORS:
                return new DisplacementQualification(reason.basic(), raw);
            case CR_ACCESS:
                return new CrAccessQualification(raw);
            case DR_ACCESS:
                return new DrAccessQualification(raw);
            case IO_INSTRUCTION:
            case IO_SMI:
                // An SMM VM exit right after an I/O instruction describes that instruction
                // (SDM Vol. 3C "Exit Qualification for SMIs That Arrive Immediately After the
                // Retirement of an I/O Instruction": the I/O-instruction layout).
                return new IoInstructionQualification(raw);
            case INVALID_STATE:
                return new InvalidGuestStateQualification(raw);
            case MSR_LOAD_FAIL:
                return new MsrLoadFailureQualification(raw);
            case APIC_ACCESS:
                return new ApicAccessQualification(raw);
            case EOI_INDUCED:
                return new EoiInducedQualification(raw);
            case APIC_WRITE:
                return new ApicWriteQualification(raw);
            case EPT_VIOLATION:
                return new EptViolationQualification(raw);
            case NOTIFY:
                return new NotifyQualification(raw);
            case PML_FULL:
                return new PmlFullQualification(raw);
            case SPP_EVENT:
                return new SppEventQualification(raw);
            case MSR_READ_IMM:
            case MSR_WRITE_IMM:
            // URDMSR/UWRMSR: the MSR index as Xen's USER-MSR patch reads it (no SDM edition has them; Bochs stores 0)
            case URDMSR:
            case UWRMSR:
                return new MsrImmediateQualification(reason.basic(), raw);
            default:
                return new NoQualification(reason.basic(), raw);
        }
    }
}
