package dev.vmx.nested;

/**
 * The sections of the Intel SDM (Vol. 3C; Appendix C is in Vol. 3D) that routing decisions cite. Numbers are those of the
 * September 2016 edition (chapter 24 "Virtual Machine Control Structures", 25 "VMX Non-Root
 * Operation", 26 "VM Entries", 28 "VMX Support for Address Translation", 29 "APIC Virtualization
 * and Virtual Interrupts", 30 "VMX Instruction Reference"); later editions renumber the chapters
 * (one higher since 2022), the titles stay.
 */
public enum SdmSection {
    /** CPUID, GETSEC, INVD, XSETBV and the VMX instructions exit unconditionally. */
    UNCONDITIONAL_INSTRUCTIONS("25.1.2", "Instructions That Cause VM Exits Unconditionally"),
    /** The instructions whose exits depend on VM-execution controls, bitmaps and masks. */
    CONDITIONAL_INSTRUCTIONS("25.1.3", "Instructions That Cause VM Exits Conditionally"),
    /** Exceptions, external interrupts, NMIs, INIT, SIPI, task switches, SMIs, the preemption timer. */
    OTHER_CAUSES("25.2", "Other Causes of VM Exits"),
    /** One bit per exception vector; #PF also uses the error-code mask and match. */
    EXCEPTION_BITMAP("24.6.3", "Exception Bitmap"),
    /** I/O bitmap A (ports 0000H-7FFFH) and B (8000H-FFFFH). */
    IO_BITMAPS("24.6.4", "I/O-Bitmap Addresses"),
    /** Which CR0/CR4 bits the host owns, and what the guest reads for them. */
    CR_MASKS("24.6.6", "Guest/Host Masks and Read Shadows for CR0 and CR4"),
    /** CR3-load exiting with up to four CR3-target values. */
    CR3_TARGETS("24.6.7", "CR3-Target Controls"),
    /** Read and write bitmaps for low (00000000H-00001FFFH) and high (C0000000H-C0001FFFH) MSRs. */
    MSR_BITMAPS("24.6.9", "MSR-Bitmap Address"),
    /** Which VMFUNC leaves are enabled. */
    VM_FUNCTION_CONTROLS("24.6.14", "VM-Function Controls"),
    /** The VMREAD and VMWRITE bitmaps of VMCS shadowing. */
    VMCS_SHADOWING_BITMAPS("24.6.15", "VMCS Shadowing Bitmap Addresses"),
    /** One bit per ENCLS leaf. */
    ENCLS_EXITING_BITMAP("24.6.16", "ENCLS-Exiting Bitmap"),
    /** The XSS-exiting bitmap of XSAVES and XRSTORS. */
    XSS_EXITING_BITMAP("24.6.19", "XSS-Exiting Bitmap"),
    /** The VMX-preemption timer counts down in VMX non-root operation. */
    PREEMPTION_TIMER("25.5.1", "VMX-Preemption Timer"),
    /** The monitor trap flag: a VM exit after the next instruction. */
    MONITOR_TRAP_FLAG("25.5.2", "Monitor Trap Flag"),
    /** VMFUNC and the EPTP-switching function. */
    VM_FUNCTIONS("25.5.5", "VM Functions"),
    /** A VM exit reported as a failed VM entry: invalid guest state, MSR loading. */
    ENTRY_FAILURES("26.7", "VM-Entry Failures During or After Loading Guest State"),
    /** A machine-check event during VM entry. */
    MACHINE_CHECK_DURING_ENTRY("26.8", "Machine-Check Events During VM Entry"),
    /** EPT violations and misconfigurations. */
    EPT_EXITS("28.2.3", "EPT-Induced VM Exits"),
    /** The EPT mechanism, its paging structures and page-modification logging. */
    EPT("28.2", "The Extended Page Table Mechanism (EPT)"),
    /** APIC virtualization, EOI virtualization, APIC-access and APIC-write VM exits. */
    APIC_VIRTUALIZATION("29", "APIC Virtualization and Virtual Interrupts"),
    /** The VM-instruction error numbers VMfailValid reports. */
    VM_INSTRUCTION_ERRORS("30.4", "VM Instruction Error Numbers"),
    /** The list of basic exit reasons and what causes each. */
    BASIC_EXIT_REASONS("Appendix C", "VMX Basic Exit Reasons");

    private final String number;
    private final String title;

    SdmSection(String number, String title) {
        this.number = number;
        this.title = title;
    }

    /**
     * The section number in the 2016 edition, e.g. {@code 25.1.3}.
     *
     * @return the number
     */
    public String number() {
        return number;
    }

    /**
     * The section title.
     *
     * @return the title
     */
    public String title() {
        return title;
    }

    /** E.g. {@code SDM 25.1.3 "Instructions That Cause VM Exits Conditionally"}. */
    @Override
    public String toString() {
        return "SDM " + number + " \"" + title + "\"";
    }
}
