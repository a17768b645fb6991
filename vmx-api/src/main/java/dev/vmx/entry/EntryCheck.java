package dev.vmx.entry;

/**
 * The VM-entry checks of SDM Vol. 3C chapter "VM Entries", one constant per rule: chapter 26 in
 * the September 2016 edition ({@link #section()}), 27 in the current editions
 * ({@link #currentSection()}; see {@link dev.vmx.nested.SdmSection} for how that was checked); the
 * titles are the same. Each states the rule it checks; {@link EntryChecker} evaluates them.
 */
public enum EntryCheck {
    /** The pin-based VM-execution controls set every bit IA32_VMX_(TRUE_)PINBASED_CTLS requires and no bit it forbids. */
    PIN_BASED_ALLOWED(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "The pin-based VM-execution controls set every bit IA32_VMX_(TRUE_)PINBASED_CTLS requires and no bit it forbids."),
    /** The primary processor-based VM-execution controls fit IA32_VMX_(TRUE_)PROCBASED_CTLS. */
    PRIMARY_ALLOWED(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "The primary processor-based VM-execution controls fit IA32_VMX_(TRUE_)PROCBASED_CTLS."),
    /** If activated, the secondary processor-based VM-execution controls fit IA32_VMX_PROCBASED_CTLS2. */
    SECONDARY_ALLOWED(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If activated, the secondary processor-based VM-execution controls fit IA32_VMX_PROCBASED_CTLS2."),
    /** If activated, the tertiary processor-based VM-execution controls fit IA32_VMX_PROCBASED_CTLS3. */
    TERTIARY_ALLOWED(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If activated, the tertiary processor-based VM-execution controls fit IA32_VMX_PROCBASED_CTLS3."),
    /** The CR3-target count is not greater than 4 (or the number IA32_VMX_MISC reports). */
    CR3_TARGET_COUNT(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "The CR3-target count is not greater than 4 (or the number IA32_VMX_MISC reports)."),
    /** If &quot;use I/O bitmaps&quot; is 1, bits 11:0 of each I/O-bitmap address are 0 (and within the physical-address width). */
    IO_BITMAPS_ALIGNED(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"use I/O bitmaps\" is 1, bits 11:0 of each I/O-bitmap address are 0 (and within the physical-address width)."),
    /** If &quot;use MSR bitmaps&quot; is 1, bits 11:0 of the MSR-bitmap address are 0 (and within the physical-address width). */
    MSR_BITMAP_ALIGNED(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"use MSR bitmaps\" is 1, bits 11:0 of the MSR-bitmap address are 0 (and within the physical-address width)."),
    /** If &quot;use TPR shadow&quot; is 1, bits 11:0 of the virtual-APIC address are 0 (and within the physical-address width). */
    VIRTUAL_APIC_PAGE_ALIGNED(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"use TPR shadow\" is 1, bits 11:0 of the virtual-APIC address are 0 (and within the physical-address width)."),
    /** If &quot;use TPR shadow&quot; is 1 and &quot;virtual-interrupt delivery&quot; is 0, bits 31:4 of the TPR threshold are 0. */
    TPR_THRESHOLD_RESERVED(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"use TPR shadow\" is 1 and \"virtual-interrupt delivery\" is 0, bits 31:4 of the TPR threshold are 0."),
    /** If &quot;use TPR shadow&quot; is 1 and &quot;virtualize APIC accesses&quot; and &quot;virtual-interrupt delivery&quot; are 0, bits 3:0 of the TPR threshold are not greater than bits 7:4 of VTPR (byte 80H of the virtual-APIC page, in memory). */
    TPR_THRESHOLD_VTPR(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"use TPR shadow\" is 1 and \"virtualize APIC accesses\" and \"virtual-interrupt delivery\" are 0, bits 3:0 of the TPR threshold are not greater than bits 7:4 of VTPR (byte 80H of the virtual-APIC page, in memory)."),
    /** If &quot;use TPR shadow&quot; is 0, &quot;virtualize x2APIC mode&quot;, &quot;APIC-register virtualization&quot; and &quot;virtual-interrupt delivery&quot; are 0. */
    APIC_CONTROLS_NEED_TPR_SHADOW(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"use TPR shadow\" is 0, \"virtualize x2APIC mode\", \"APIC-register virtualization\" and \"virtual-interrupt delivery\" are 0."),
    /** If &quot;virtualize x2APIC mode&quot; is 1, &quot;virtualize APIC accesses&quot; is 0. */
    X2APIC_EXCLUDES_APIC_ACCESSES(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"virtualize x2APIC mode\" is 1, \"virtualize APIC accesses\" is 0."),
    /** If &quot;virtual-interrupt delivery&quot; is 1, &quot;external-interrupt exiting&quot; is 1. */
    VIRTUAL_INTERRUPT_DELIVERY_NEEDS_INTERRUPT_EXITING(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"virtual-interrupt delivery\" is 1, \"external-interrupt exiting\" is 1."),
    /** If &quot;process posted interrupts&quot; is 1: &quot;virtual-interrupt delivery&quot; and &quot;acknowledge interrupt on exit&quot; are 1, the notification vector has bits 15:8 clear, and the descriptor address is 64-byte aligned. */
    POSTED_INTERRUPTS(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"process posted interrupts\" is 1: \"virtual-interrupt delivery\" and \"acknowledge interrupt on exit\" are 1, the notification vector has bits 15:8 clear, and the descriptor address is 64-byte aligned."),
    /** If &quot;NMI exiting&quot; is 0, &quot;virtual NMIs&quot; is 0. */
    VIRTUAL_NMIS_NEED_NMI_EXITING(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"NMI exiting\" is 0, \"virtual NMIs\" is 0."),
    /** If &quot;virtual NMIs&quot; is 0, &quot;NMI-window exiting&quot; is 0. */
    NMI_WINDOW_NEEDS_VIRTUAL_NMIS(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"virtual NMIs\" is 0, \"NMI-window exiting\" is 0."),
    /** If &quot;virtualize APIC accesses&quot; is 1, bits 11:0 of the APIC-access address are 0 (and within the physical-address width). */
    APIC_ACCESS_PAGE_ALIGNED(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"virtualize APIC accesses\" is 1, bits 11:0 of the APIC-access address are 0 (and within the physical-address width)."),
    /** If &quot;enable VPID&quot; is 1, the VPID is not 0. */
    VPID_NOT_ZERO(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"enable VPID\" is 1, the VPID is not 0."),
    /** If &quot;enable EPT&quot; is 1, the EPTP has memory type UC (0) or WB (6), a page-walk length of 4 or 5 levels, bits 11:7 clear, and no bit beyond the physical-address width. */
    EPT_POINTER_VALID(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"enable EPT\" is 1, the EPTP has memory type UC (0) or WB (6), a page-walk length of 4 or 5 levels, bits 11:7 clear, and no bit beyond the physical-address width."),
    /** With the capability MSRs: the EPTP's memory type, page-walk length and accessed/dirty flag are ones IA32_VMX_EPT_VPID_CAP reports. */
    EPT_POINTER_SUPPORTED(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "With the capability MSRs: the EPTP's memory type, page-walk length and accessed/dirty flag are ones IA32_VMX_EPT_VPID_CAP reports."),
    /** If &quot;unrestricted guest&quot; is 1, &quot;enable EPT&quot; is 1. */
    UNRESTRICTED_GUEST_NEEDS_EPT(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"unrestricted guest\" is 1, \"enable EPT\" is 1."),
    /** If &quot;mode-based execute control for EPT&quot; is 1, &quot;enable EPT&quot; is 1. */
    MODE_BASED_EXECUTE_NEEDS_EPT(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"mode-based execute control for EPT\" is 1, \"enable EPT\" is 1."),
    /** If &quot;enable PML&quot; is 1, &quot;enable EPT&quot; is 1 and bits 11:0 of the PML address are 0 (and within the physical-address width). */
    PML_NEEDS_EPT(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"enable PML\" is 1, \"enable EPT\" is 1 and bits 11:0 of the PML address are 0 (and within the physical-address width)."),
    /** If &quot;VMCS shadowing&quot; is 1, bits 11:0 of the VMREAD- and VMWRITE-bitmap addresses are 0 (and within the physical-address width). */
    VMCS_SHADOWING_BITMAPS_ALIGNED(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"VMCS shadowing\" is 1, bits 11:0 of the VMREAD- and VMWRITE-bitmap addresses are 0 (and within the physical-address width)."),
    /** If &quot;EPT-violation #VE&quot; is 1, bits 11:0 of the virtualization-exception information address are 0 (and within the physical-address width). */
    VIRTUALIZATION_EXCEPTION_INFO_ALIGNED(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"EPT-violation #VE\" is 1, bits 11:0 of the virtualization-exception information address are 0 (and within the physical-address width)."),
    /** If &quot;enable VM functions&quot; is 1, the VM-function controls set only bits IA32_VMX_VMFUNC allows, and with EPTP switching (bit 0) &quot;enable EPT&quot; is 1 and bits 11:0 of the EPTP-list address are 0. */
    VM_FUNCTION_CONTROLS(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"enable VM functions\" is 1, the VM-function controls set only bits IA32_VMX_VMFUNC allows, and with EPTP switching (bit 0) \"enable EPT\" is 1 and bits 11:0 of the EPTP-list address are 0."),
    /** If &quot;Intel PT uses guest physical addresses&quot; is 1, &quot;enable EPT&quot;, &quot;load IA32_RTIT_CTL&quot; (entry) and &quot;clear IA32_RTIT_CTL&quot; (exit) are 1. */
    PT_USES_GUEST_PHYSICAL_ADDRESSES(EntryPhase.CONTROLS, "26.2.1.1", "VM-Execution Control Fields",
            "If \"Intel PT uses guest physical addresses\" is 1, \"enable EPT\", \"load IA32_RTIT_CTL\" (entry) and \"clear IA32_RTIT_CTL\" (exit) are 1."),
    /** The VM-exit controls fit IA32_VMX_(TRUE_)EXIT_CTLS. */
    EXIT_CONTROLS_ALLOWED(EntryPhase.CONTROLS, "26.2.1.2", "VM-Exit Control Fields",
            "The VM-exit controls fit IA32_VMX_(TRUE_)EXIT_CTLS."),
    /** If &quot;activate VMX-preemption timer&quot; is 0, &quot;save VMX-preemption timer value&quot; is 0. */
    PREEMPTION_TIMER_SAVE_NEEDS_TIMER(EntryPhase.CONTROLS, "26.2.1.2", "VM-Exit Control Fields",
            "If \"activate VMX-preemption timer\" is 0, \"save VMX-preemption timer value\" is 0."),
    /** Bits 3:0 of the VM-exit MSR-store and MSR-load addresses are 0 when their counts are not 0, and the area's first and last bytes lie within the physical-address width. */
    EXIT_MSR_AREAS_ALIGNED(EntryPhase.CONTROLS, "26.2.1.2", "VM-Exit Control Fields",
            "Bits 3:0 of the VM-exit MSR-store and MSR-load addresses are 0 when their counts are not 0, and the area's first and last bytes lie within the physical-address width."),
    /** The VM-entry controls fit IA32_VMX_(TRUE_)ENTRY_CTLS. */
    ENTRY_CONTROLS_ALLOWED(EntryPhase.CONTROLS, "26.2.1.3", "VM-Entry Control Fields",
            "The VM-entry controls fit IA32_VMX_(TRUE_)ENTRY_CTLS."),
    /** Outside SMM, &quot;entry to SMM&quot; and &quot;deactivate dual-monitor treatment&quot; are 0. */
    ENTRY_SMM_CONTROLS_OFF(EntryPhase.CONTROLS, "26.2.1.3", "VM-Entry Control Fields",
            "Outside SMM, \"entry to SMM\" and \"deactivate dual-monitor treatment\" are 0."),
    /** A valid VM-entry interruption-information field has a defined type (7 only with the monitor trap flag), a vector that fits it, deliver-error-code exactly where the exception delivers one (relaxed by IA32_VMX_BASIC[56]), bits 30:12 clear, an error code with bits 31:16 clear, and an instruction length of 1-15 for software events (0 too with IA32_VMX_MISC[30]). */
    ENTRY_EVENT_INJECTION(EntryPhase.CONTROLS, "26.2.1.3", "VM-Entry Control Fields",
            "A valid VM-entry interruption-information field has a defined type (7 only with the monitor trap flag), a vector that fits it, deliver-error-code exactly where the exception delivers one (relaxed by IA32_VMX_BASIC[56]), bits 30:12 clear, an error code with bits 31:16 clear, and an instruction length of 1-15 for software events (0 too with IA32_VMX_MISC[30])."),
    /** Bits 3:0 of the VM-entry MSR-load address are 0 when the count is not 0, and the area's first and last bytes lie within the physical-address width. */
    ENTRY_MSR_LOAD_AREA_ALIGNED(EntryPhase.CONTROLS, "26.2.1.3", "VM-Entry Control Fields",
            "Bits 3:0 of the VM-entry MSR-load address are 0 when the count is not 0, and the area's first and last bytes lie within the physical-address width."),
    /** Host CR0 has the bits IA32_VMX_CR0_FIXED0 requires and none IA32_VMX_CR0_FIXED1 forbids. */
    HOST_CR0_FIXED(EntryPhase.HOST_STATE, "26.2.2", "Checks on Host Control Registers and MSRs",
            "Host CR0 has the bits IA32_VMX_CR0_FIXED0 requires and none IA32_VMX_CR0_FIXED1 forbids."),
    /** Host CR4 fits IA32_VMX_CR4_FIXED0/FIXED1. */
    HOST_CR4_FIXED(EntryPhase.HOST_STATE, "26.2.2", "Checks on Host Control Registers and MSRs",
            "Host CR4 fits IA32_VMX_CR4_FIXED0/FIXED1."),
    /** If host CR4.CET (bit 23) is 1, host CR0.WP (bit 16) is 1. */
    HOST_CET_NEEDS_WP(EntryPhase.HOST_STATE, "26.2.2", "Checks on Host Control Registers and MSRs",
            "If host CR4.CET (bit 23) is 1, host CR0.WP (bit 16) is 1."),
    /** Host CR3 sets no bit beyond the physical-address width (52 bits at most). */
    HOST_CR3_WIDTH(EntryPhase.HOST_STATE, "26.2.2", "Checks on Host Control Registers and MSRs",
            "Host CR3 sets no bit beyond the physical-address width (52 bits at most)."),
    /** Host IA32_SYSENTER_ESP and IA32_SYSENTER_EIP are canonical. */
    HOST_SYSENTER_CANONICAL(EntryPhase.HOST_STATE, "26.2.2", "Checks on Host Control Registers and MSRs",
            "Host IA32_SYSENTER_ESP and IA32_SYSENTER_EIP are canonical."),
    /** If &quot;load IA32_EFER&quot; is 1, host IA32_EFER has its reserved bits clear and LMA and LME equal to &quot;host address-space size&quot;. */
    HOST_EFER(EntryPhase.HOST_STATE, "26.2.2", "Checks on Host Control Registers and MSRs",
            "If \"load IA32_EFER\" is 1, host IA32_EFER has its reserved bits clear and LMA and LME equal to \"host address-space size\"."),
    /** If &quot;load IA32_PAT&quot; is 1, every byte of host IA32_PAT is a valid memory type (0, 1, 4, 5, 6, 7). */
    HOST_PAT(EntryPhase.HOST_STATE, "26.2.2", "Checks on Host Control Registers and MSRs",
            "If \"load IA32_PAT\" is 1, every byte of host IA32_PAT is a valid memory type (0, 1, 4, 5, 6, 7)."),
    /** The host ES, CS, SS, DS, FS, GS and TR selectors have RPL (bits 1:0) and TI (bit 2) clear. */
    HOST_SELECTORS_RPL_TI(EntryPhase.HOST_STATE, "26.2.3", "Checks on Host Segment and Descriptor-Table Registers",
            "The host ES, CS, SS, DS, FS, GS and TR selectors have RPL (bits 1:0) and TI (bit 2) clear."),
    /** The host CS and TR selectors are not 0000H. */
    HOST_CS_TR_NOT_NULL(EntryPhase.HOST_STATE, "26.2.3", "Checks on Host Segment and Descriptor-Table Registers",
            "The host CS and TR selectors are not 0000H."),
    /** If &quot;host address-space size&quot; is 0, the host SS selector is not 0000H. */
    HOST_SS_NOT_NULL_WITHOUT_64(EntryPhase.HOST_STATE, "26.2.3", "Checks on Host Segment and Descriptor-Table Registers",
            "If \"host address-space size\" is 0, the host SS selector is not 0000H."),
    /** The host FS, GS, GDTR, IDTR and TR base addresses are canonical. */
    HOST_BASES_CANONICAL(EntryPhase.HOST_STATE, "26.2.3", "Checks on Host Segment and Descriptor-Table Registers",
            "The host FS, GS, GDTR, IDTR and TR base addresses are canonical."),
    /** With &quot;host address-space size&quot; 1, host CR4.PAE is 1 and host RIP is canonical; with 0, &quot;IA-32e mode guest&quot; is 0, host CR4.PCIDE is 0 and bits 63:32 of host RIP are 0. */
    HOST_ADDRESS_SPACE(EntryPhase.HOST_STATE, "26.2.4", "Checks Related to Address-Space Size",
            "With \"host address-space size\" 1, host CR4.PAE is 1 and host RIP is canonical; with 0, \"IA-32e mode guest\" is 0, host CR4.PCIDE is 0 and bits 63:32 of host RIP are 0."),
    /** Guest CR0 fits IA32_VMX_CR0_FIXED0/FIXED1, except PE and PG when &quot;unrestricted guest&quot; is 1. */
    GUEST_CR0_FIXED(EntryPhase.GUEST_STATE, "26.3.1.1", "Checks on Guest Control Registers, Debug Registers, and MSRs",
            "Guest CR0 fits IA32_VMX_CR0_FIXED0/FIXED1, except PE and PG when \"unrestricted guest\" is 1."),
    /** If guest CR0.PG is 1, CR0.PE is 1. */
    GUEST_CR0_PG_NEEDS_PE(EntryPhase.GUEST_STATE, "26.3.1.1", "Checks on Guest Control Registers, Debug Registers, and MSRs",
            "If guest CR0.PG is 1, CR0.PE is 1."),
    /** Guest CR4 fits IA32_VMX_CR4_FIXED0/FIXED1. */
    GUEST_CR4_FIXED(EntryPhase.GUEST_STATE, "26.3.1.1", "Checks on Guest Control Registers, Debug Registers, and MSRs",
            "Guest CR4 fits IA32_VMX_CR4_FIXED0/FIXED1."),
    /** If guest CR4.CET (bit 23) is 1, guest CR0.WP (bit 16) is 1. */
    GUEST_CET_NEEDS_WP(EntryPhase.GUEST_STATE, "26.3.1.1", "Checks on Guest Control Registers, Debug Registers, and MSRs",
            "If guest CR4.CET (bit 23) is 1, guest CR0.WP (bit 16) is 1."),
    /** Guest CR3 sets no bit beyond the physical-address width (52 bits at most). */
    GUEST_CR3_WIDTH(EntryPhase.GUEST_STATE, "26.3.1.1", "Checks on Guest Control Registers, Debug Registers, and MSRs",
            "Guest CR3 sets no bit beyond the physical-address width (52 bits at most)."),
    /** If &quot;load debug controls&quot; is 1, bits 63:32 of guest DR7 are 0. */
    GUEST_DR7_UPPER(EntryPhase.GUEST_STATE, "26.3.1.1", "Checks on Guest Control Registers, Debug Registers, and MSRs",
            "If \"load debug controls\" is 1, bits 63:32 of guest DR7 are 0."),
    /** If &quot;load debug controls&quot; is 1, the bits of guest IA32_DEBUGCTL that no processor defines (5:3 and 63:16; bit 2 is bus-lock detection) are 0. */
    GUEST_DEBUGCTL_RESERVED(EntryPhase.GUEST_STATE, "26.3.1.1", "Checks on Guest Control Registers, Debug Registers, and MSRs",
            "If \"load debug controls\" is 1, the bits of guest IA32_DEBUGCTL that no processor defines (5:3 and 63:16; bit 2 is bus-lock detection) are 0."),
    /** If &quot;IA-32e mode guest&quot; is 1, guest CR0.PG and CR4.PAE are 1; if it is 0, CR4.PCIDE is 0. */
    GUEST_IA32E_MODE_PAGING(EntryPhase.GUEST_STATE, "26.3.1.1", "Checks on Guest Control Registers, Debug Registers, and MSRs",
            "If \"IA-32e mode guest\" is 1, guest CR0.PG and CR4.PAE are 1; if it is 0, CR4.PCIDE is 0."),
    /** Guest IA32_SYSENTER_ESP and IA32_SYSENTER_EIP are canonical. */
    GUEST_SYSENTER_CANONICAL(EntryPhase.GUEST_STATE, "26.3.1.1", "Checks on Guest Control Registers, Debug Registers, and MSRs",
            "Guest IA32_SYSENTER_ESP and IA32_SYSENTER_EIP are canonical."),
    /** If &quot;load IA32_EFER&quot; is 1, guest IA32_EFER has its reserved bits clear, LMA equal to &quot;IA-32e mode guest&quot;, and LME equal to LMA when CR0.PG is 1. */
    GUEST_EFER(EntryPhase.GUEST_STATE, "26.3.1.1", "Checks on Guest Control Registers, Debug Registers, and MSRs",
            "If \"load IA32_EFER\" is 1, guest IA32_EFER has its reserved bits clear, LMA equal to \"IA-32e mode guest\", and LME equal to LMA when CR0.PG is 1."),
    /** If &quot;load IA32_PAT&quot; is 1, every byte of guest IA32_PAT is a valid memory type. */
    GUEST_PAT(EntryPhase.GUEST_STATE, "26.3.1.1", "Checks on Guest Control Registers, Debug Registers, and MSRs",
            "If \"load IA32_PAT\" is 1, every byte of guest IA32_PAT is a valid memory type."),
    /** If &quot;load IA32_BNDCFGS&quot; is 1, bits 11:2 of guest IA32_BNDCFGS are 0 and its base (bits 63:12) is canonical. */
    GUEST_BNDCFGS(EntryPhase.GUEST_STATE, "26.3.1.1", "Checks on Guest Control Registers, Debug Registers, and MSRs",
            "If \"load IA32_BNDCFGS\" is 1, bits 11:2 of guest IA32_BNDCFGS are 0 and its base (bits 63:12) is canonical."),
    /** TR: selector TI clear; usable; type 3 or 11 (11 in IA-32e mode); S 0; P 1; reserved access-rights bits clear; base canonical. */
    GUEST_TR(EntryPhase.GUEST_STATE, "26.3.1.2", "Checks on Guest Segment Registers",
            "TR: selector TI clear; usable; type 3 or 11 (11 in IA-32e mode); S 0; P 1; reserved access-rights bits clear; base canonical."),
    /** LDTR, if usable: selector TI clear; type 2; S 0; P 1; reserved access-rights bits clear; base canonical. */
    GUEST_LDTR(EntryPhase.GUEST_STATE, "26.3.1.2", "Checks on Guest Segment Registers",
            "LDTR, if usable: selector TI clear; type 2; S 0; P 1; reserved access-rights bits clear; base canonical."),
    /** Outside virtual-8086 mode and without &quot;unrestricted guest&quot;, the RPL of SS equals the RPL of CS. */
    GUEST_SS_RPL(EntryPhase.GUEST_STATE, "26.3.1.2", "Checks on Guest Segment Registers",
            "Outside virtual-8086 mode and without \"unrestricted guest\", the RPL of SS equals the RPL of CS."),
    /** Outside virtual-8086 mode, CS is an accessed code segment (type 9, 11, 13, 15; or 3 with &quot;unrestricted guest&quot;), S 1, P 1, reserved bits clear. */
    GUEST_CS_TYPE(EntryPhase.GUEST_STATE, "26.3.1.2", "Checks on Guest Segment Registers",
            "Outside virtual-8086 mode, CS is an accessed code segment (type 9, 11, 13, 15; or 3 with \"unrestricted guest\"), S 1, P 1, reserved bits clear."),
    /** CS DPL: 0 for type 3; equal to SS DPL for non-conforming types 9 and 11; at most SS DPL for conforming types 13 and 15. */
    GUEST_CS_DPL(EntryPhase.GUEST_STATE, "26.3.1.2", "Checks on Guest Segment Registers",
            "CS DPL: 0 for type 3; equal to SS DPL for non-conforming types 9 and 11; at most SS DPL for conforming types 13 and 15."),
    /** If &quot;IA-32e mode guest&quot; is 1 and CS.L is 1, CS.D is 0. */
    GUEST_CS_L_AND_D(EntryPhase.GUEST_STATE, "26.3.1.2", "Checks on Guest Segment Registers",
            "If \"IA-32e mode guest\" is 1 and CS.L is 1, CS.D is 0."),
    /** SS, outside virtual-8086 mode and if usable: type 3 or 7, S 1, P 1, reserved bits clear; DPL equal to its RPL without &quot;unrestricted guest&quot;; DPL 0 if CS type is 3 or CR0.PE is 0. */
    GUEST_SS(EntryPhase.GUEST_STATE, "26.3.1.2", "Checks on Guest Segment Registers",
            "SS, outside virtual-8086 mode and if usable: type 3 or 7, S 1, P 1, reserved bits clear; DPL equal to its RPL without \"unrestricted guest\"; DPL 0 if CS type is 3 or CR0.PE is 0."),
    /** DS, ES, FS, GS, outside virtual-8086 mode and if usable: accessed; readable if code; S 1; P 1; reserved bits clear; DPL not below RPL for types up to 11 without &quot;unrestricted guest&quot;. */
    GUEST_DATA_SEGMENTS(EntryPhase.GUEST_STATE, "26.3.1.2", "Checks on Guest Segment Registers",
            "DS, ES, FS, GS, outside virtual-8086 mode and if usable: accessed; readable if code; S 1; P 1; reserved bits clear; DPL not below RPL for types up to 11 without \"unrestricted guest\"."),
    /** For CS, TR and every usable segment: if any of limit bits 11:0 is 0, G is 0; if any of limit bits 31:20 is 1, G is 1. */
    GUEST_SEGMENT_LIMITS(EntryPhase.GUEST_STATE, "26.3.1.2", "Checks on Guest Segment Registers",
            "For CS, TR and every usable segment: if any of limit bits 11:0 is 0, G is 0; if any of limit bits 31:20 is 1, G is 1."),
    /** FS and GS bases are canonical; bits 63:32 of the CS base, and of usable SS, DS and ES bases, are 0. */
    GUEST_SEGMENT_BASES(EntryPhase.GUEST_STATE, "26.3.1.2", "Checks on Guest Segment Registers",
            "FS and GS bases are canonical; bits 63:32 of the CS base, and of usable SS, DS and ES bases, are 0."),
    /** In virtual-8086 mode (RFLAGS.VM 1) CS, SS, DS, ES, FS and GS have base = selector {@code << 4}, limit FFFFH and access rights F3H. */
    GUEST_VIRTUAL_8086(EntryPhase.GUEST_STATE, "26.3.1.2", "Checks on Guest Segment Registers",
            "In virtual-8086 mode (RFLAGS.VM 1) CS, SS, DS, ES, FS and GS have base = selector << 4, limit FFFFH and access rights F3H."),
    /** GDTR and IDTR bases are canonical and bits 31:16 of their limits are 0. */
    GUEST_DESCRIPTOR_TABLES(EntryPhase.GUEST_STATE, "26.3.1.3", "Checks on Guest Descriptor-Table Registers",
            "GDTR and IDTR bases are canonical and bits 31:16 of their limits are 0."),
    /** Bits 63:32 of RIP are 0 unless &quot;IA-32e mode guest&quot; is 1 and CS.L is 1. */
    GUEST_RIP_UPPER_BITS(EntryPhase.GUEST_STATE, "26.3.1.4", "Checks on Guest RIP and RFLAGS",
            "Bits 63:32 of RIP are 0 unless \"IA-32e mode guest\" is 1 and CS.L is 1."),
    /** In 64-bit mode (&quot;IA-32e mode guest&quot; 1 and CS.L 1) RIP is canonical. */
    GUEST_RIP_CANONICAL(EntryPhase.GUEST_STATE, "26.3.1.4", "Checks on Guest RIP and RFLAGS",
            "In 64-bit mode (\"IA-32e mode guest\" 1 and CS.L 1) RIP is canonical."),
    /** RFLAGS bits 63:22, 15, 5 and 3 are 0 and bit 1 is 1. */
    GUEST_RFLAGS_RESERVED(EntryPhase.GUEST_STATE, "26.3.1.4", "Checks on Guest RIP and RFLAGS",
            "RFLAGS bits 63:22, 15, 5 and 3 are 0 and bit 1 is 1."),
    /** RFLAGS.VM is 0 if &quot;IA-32e mode guest&quot; is 1 or CR0.PE is 0. */
    GUEST_RFLAGS_VM(EntryPhase.GUEST_STATE, "26.3.1.4", "Checks on Guest RIP and RFLAGS",
            "RFLAGS.VM is 0 if \"IA-32e mode guest\" is 1 or CR0.PE is 0."),
    /** RFLAGS.IF is 1 when VM entry injects an external interrupt. */
    GUEST_RFLAGS_IF_FOR_INTERRUPT(EntryPhase.GUEST_STATE, "26.3.1.4", "Checks on Guest RIP and RFLAGS",
            "RFLAGS.IF is 1 when VM entry injects an external interrupt."),
    /** The activity state is 0-3 and supported by IA32_VMX_MISC; HLT needs SS.DPL 0. */
    GUEST_ACTIVITY_STATE(EntryPhase.GUEST_STATE, "26.3.1.5", "Checks on Guest Non-Register State",
            "The activity state is 0-3 and supported by IA32_VMX_MISC; HLT needs SS.DPL 0."),
    /** With blocking by STI or by MOV SS the activity state is active (0); the wait-for-SIPI state is not used with &quot;entry to SMM&quot;. */
    GUEST_ACTIVITY_STATE_BLOCKING(EntryPhase.GUEST_STATE, "26.3.1.5", "Checks on Guest Non-Register State",
            "With blocking by STI or by MOV SS the activity state is active (0); the wait-for-SIPI state is not used with \"entry to SMM\"."),
    /** An injected event is one the activity state lets through: HLT allows external interrupts, NMIs, #DB, #MC and a pending MTF exit; shutdown allows NMIs and #MC; wait-for-SIPI allows none. */
    GUEST_ACTIVITY_STATE_INJECTION(EntryPhase.GUEST_STATE, "26.3.1.5", "Checks on Guest Non-Register State",
            "An injected event is one the activity state lets through: HLT allows external interrupts, NMIs, #DB, #MC and a pending MTF exit; shutdown allows NMIs and #MC; wait-for-SIPI allows none."),
    /** Interruptibility bits 31:5 are 0; blocking by STI and by MOV SS are not both 1; blocking by STI is 0 if RFLAGS.IF is 0; injecting an external interrupt needs neither, injecting an NMI needs no blocking by MOV SS. */
    GUEST_INTERRUPTIBILITY(EntryPhase.GUEST_STATE, "26.3.1.5", "Checks on Guest Non-Register State",
            "Interruptibility bits 31:5 are 0; blocking by STI and by MOV SS are not both 1; blocking by STI is 0 if RFLAGS.IF is 0; injecting an external interrupt needs neither, injecting an NMI needs no blocking by MOV SS."),
    /** Injecting an NMI needs blocking by STI to be 0 (exit qualification 3 where the processor reports it separately). */
    GUEST_NMI_INJECTION_STI_BLOCKING(EntryPhase.GUEST_STATE, "26.3.1.5", "Checks on Guest Non-Register State",
            "Injecting an NMI needs blocking by STI to be 0 (exit qualification 3 where the processor reports it separately)."),
    /** Blocking by SMI (bit 2) is 0 outside SMM and 1 with &quot;entry to SMM&quot;; blocking by NMI (bit 3) is 0 when &quot;virtual NMIs&quot; is 1 and an NMI is injected; enclave interruption (bit 4) needs blocking by MOV SS 0. */
    GUEST_INTERRUPTIBILITY_SMI_NMI_ENCLAVE(EntryPhase.GUEST_STATE, "26.3.1.5", "Checks on Guest Non-Register State",
            "Blocking by SMI (bit 2) is 0 outside SMM and 1 with \"entry to SMM\"; blocking by NMI (bit 3) is 0 when \"virtual NMIs\" is 1 and an NMI is injected; enclave interruption (bit 4) needs blocking by MOV SS 0."),
    /** Pending debug exceptions: bits 63:17, 15, 13 and 11:4 are 0; with blocking by STI or MOV SS, or the HLT state, BS is 1 exactly when RFLAGS.TF is 1 and IA32_DEBUGCTL.BTF is 0. */
    GUEST_PENDING_DEBUG_EXCEPTIONS(EntryPhase.GUEST_STATE, "26.3.1.5", "Checks on Guest Non-Register State",
            "Pending debug exceptions: bits 63:17, 15, 13 and 11:4 are 0; with blocking by STI or MOV SS, or the HLT state, BS is 1 exactly when RFLAGS.TF is 1 and IA32_DEBUGCTL.BTF is 0."),
    /** A VMCS link pointer other than FFFFFFFF_FFFFFFFFH has bits 11:0 clear and no bit beyond 52 physical-address bits, and the VMCS it points to has the processor's revision identifier in bits 30:0 and a shadow-VMCS indicator (bit 31) equal to &quot;VMCS shadowing&quot; (exit qualification 4). */
    GUEST_VMCS_LINK_POINTER(EntryPhase.GUEST_STATE, "26.3.1.5", "Checks on Guest Non-Register State",
            "A VMCS link pointer other than FFFFFFFF_FFFFFFFFH has bits 11:0 clear and no bit beyond 52 physical-address bits, and the VMCS it points to has the processor's revision identifier in bits 30:0 and a shadow-VMCS indicator (bit 31) equal to \"VMCS shadowing\" (exit qualification 4)."),
    /** With PAE paging and &quot;enable EPT&quot; 1, each present PDPTE field has bits 2:1, 8:5 and 63:52 clear (exit qualification 2). */
    GUEST_PDPTES(EntryPhase.GUEST_STATE, "26.3.1.6", "Checks on Guest Page-Directory-Pointer-Table Entries",
            "With PAE paging and \"enable EPT\" 1, each present PDPTE field has bits 2:1, 8:5 and 63:52 clear (exit qualification 2)."),
    /** With PAE paging and &quot;enable EPT&quot; 0, each present PDPTE that VM entry loads from the 32-byte table at CR3 has bits 2:1, 8:5 and 63:52 clear (exit qualification 2). */
    GUEST_PDPTES_FROM_MEMORY(EntryPhase.GUEST_STATE, "26.3.1.6", "Checks on Guest Page-Directory-Pointer-Table Entries",
            "With PAE paging and \"enable EPT\" 0, each present PDPTE that VM entry loads from the 32-byte table at CR3 has bits 2:1, 8:5 and 63:52 clear (exit qualification 2)."),
    /** The VM-entry MSR-load count is at most the 512 * (N + 1) entries IA32_VMX_MISC bits 27:25 recommend (SDM A.6: more is undefined; KVM fails the entry at entry 512 * (N + 1) + 1). */
    ENTRY_MSR_LOAD_COUNT(EntryPhase.MSR_LOADING, "26.4", "Loading MSRs",
            "The VM-entry MSR-load count is at most the 512 * (N + 1) entries IA32_VMX_MISC bits 27:25 recommend (SDM A.6: more is undefined; KVM fails the entry at entry 512 * (N + 1) + 1)."),
    /** Each VM-entry MSR-load entry has bits 63:32 clear and names neither IA32_FS_BASE nor IA32_GS_BASE (loaded from the guest-state area), an x2APIC MSR (800H-8FFH), the SMM-only IA32_SMM_MONITOR_CTL, nor the microcode MSRs 79H/8BH KVM refuses (SDM model-specific list); IA32_KERNEL_GS_BASE gets a canonical value (exit qualification: the 1-based entry number). */
    ENTRY_MSR_LOAD_LIST(EntryPhase.MSR_LOADING, "26.4", "Loading MSRs",
            "Each VM-entry MSR-load entry has bits 63:32 clear and names neither IA32_FS_BASE nor IA32_GS_BASE (loaded from the guest-state area), an x2APIC MSR (800H-8FFH), the SMM-only IA32_SMM_MONITOR_CTL, nor the microcode MSRs 79H/8BH KVM refuses (SDM model-specific list); IA32_KERNEL_GS_BASE gets a canonical value (exit qualification: the 1-based entry number).");

    private final EntryPhase phase;
    private final String section;
    private final String sectionTitle;
    private final String statement;

    EntryCheck(EntryPhase phase, String section, String sectionTitle, String statement) {
        this.phase = phase;
        this.section = section;
        this.sectionTitle = sectionTitle;
        this.statement = statement;
    }

    /**
     * The phase of VM entry the check belongs to, which decides how its failure is reported.
     *
     * @return the phase
     */
    public EntryPhase phase() {
        return phase;
    }

    /**
     * The SDM section number in the September 2016 edition, e.g. {@code 26.3.1.4} (see {@link #currentSection()}).
     *
     * @return the section number
     */
    public String section() {
        return section;
    }

    /**
     * The section number in the current editions of the SDM, e.g. {@code 27.3.1.4}, where readers
     * of a manual downloaded today find the rule.
     *
     * @return the section number
     */
    public String currentSection() {
        return dev.vmx.nested.SdmSection.renumbered(section);
    }

    /**
     * The citation with both numbers.
     *
     * @return e.g. {@code SDM Vol. 3C §27.3.1.4 "Checks on Guest RIP and RFLAGS" (§26.3.1.4 in the September 2016 edition)}
     */
    public String citation() {
        return "SDM Vol. 3C §" + currentSection() + " \"" + sectionTitle + "\" (§" + section + " in the September 2016 edition)";
    }

    /**
     * The SDM section title, e.g. {@code Checks on Guest RIP and RFLAGS}.
     *
     * @return the title
     */
    public String sectionTitle() {
        return sectionTitle;
    }

    /**
     * The rule, in one sentence.
     *
     * @return the statement
     */
    public String statement() {
        return statement;
    }
}
