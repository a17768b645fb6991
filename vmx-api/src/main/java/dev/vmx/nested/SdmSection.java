package dev.vmx.nested;

/**
 * The sections of the Intel SDM (Vol. 3C; Appendix C is in Vol. 3D) that routing decisions cite.
 * {@link #number()} is the number of the September 2016 edition (chapter 24 "Virtual Machine
 * Control Structures", 25 "VMX Non-Root Operation", 26 "VM Entries", 27 "VM Exits", 28 "VMX
 * Support for Address Translation", 29 "APIC Virtualization and Virtual Interrupts", 30 "VMX
 * Instruction Reference"); {@link #currentNumber()} is the number in the current editions, where
 * these chapters are one higher (25 "Virtual Machine Control Structures" ... 31 "VMX Instruction
 * Reference"; checked against sources of 2025-2026 that cite the current text: "SDM 28.2.1" for the
 * exit-qualification tables, "SDM 25.8.1" for the VM-entry controls, "Intel SDM Vol. 3C, 27.3.1.5
 * Checks on Guest Non-Register State" in a January 2026 KVM patch). The titles are the same in
 * both; {@link #toString()} prints the current number first.
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
     * The section number in the September 2016 edition, e.g. {@code 25.1.3} (see {@link #currentNumber()}).
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

    /**
     * The section number in the current editions of the SDM, e.g. {@code 26.1.3} for the 2016
     * edition's {@code 25.1.3}.
     *
     * @return the number
     */
    public String currentNumber() {
        return renumbered(number);
    }

    /**
     * Converts a section number of the September 2016 edition of SDM Vol. 3C to the current
     * editions: chapters 24 to 30 (the VMX chapters) are one higher; appendices and other chapters
     * keep their numbers.
     *
     * @param number2016 e.g. {@code 26.3.1.4}, {@code 29}, {@code Appendix C}
     * @return e.g. {@code 27.3.1.4}, {@code 30}, {@code Appendix C}
     * @throws IllegalArgumentException if the number is empty
     */
    public static String renumbered(String number2016) {
        if (number2016.isEmpty()) {
            throw new IllegalArgumentException("empty SDM section number");
        }
        int dot = number2016.indexOf('.');
        String chapter = dot < 0 ? number2016 : number2016.substring(0, dot);
        if (!chapter.chars().allMatch(Character::isDigit) || chapter.isEmpty()) {
            return number2016;
        }
        int value = Integer.parseInt(chapter);
        return value >= 24 && value <= 30 ? (value + 1) + (dot < 0 ? "" : number2016.substring(dot)) : number2016;
    }

    /**
     * The citation with both numbers.
     *
     * @return e.g. {@code SDM Vol. 3C §26.1.3 "Instructions That Cause VM Exits Conditionally" (§25.1.3 in the September 2016 edition)}
     */
    public String citation() {
        return "SDM Vol. " + (number.startsWith("Appendix") ? "3D " : "3C §") + currentNumber() + " \"" + title + "\""
                + (currentNumber().equals(number) ? "" : " (§" + number + " in the September 2016 edition)");
    }

    /** E.g. {@code SDM 26.1.3 "Instructions That Cause VM Exits Conditionally" (25.1.3 in the 2016 edition)}. */
    @Override
    public String toString() {
        return "SDM " + currentNumber() + " \"" + title + "\""
                + (currentNumber().equals(number) ? "" : " (" + number + " in the 2016 edition)");
    }
}
