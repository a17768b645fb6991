package dev.vmx.event;

/**
 * VM-instruction error numbers: the value of the VM-instruction error field after a VMX
 * instruction fails with VMfailValid (SDM Vol. 3C "VM-Instruction Error Numbers"). Constant names
 * follow Linux's {@code VMXERR_*} (arch/x86/include/asm/vmx.h) without the prefix; numbers 14, 21
 * and 27 are not defined by the SDM. A number with no definition maps to {@link #UNRECOGNIZED};
 * keep the number itself when it matters.
 */
public enum VmInstructionError {
    /** 1. */
    VMCALL_IN_VMX_ROOT_OPERATION(1, "VMCALL executed in VMX root operation"),
    /** 2. */
    VMCLEAR_INVALID_ADDRESS(2, "VMCLEAR with invalid physical address"),
    /** 3. */
    VMCLEAR_VMXON_POINTER(3, "VMCLEAR with VMXON pointer"),
    /** 4. */
    VMLAUNCH_NONCLEAR_VMCS(4, "VMLAUNCH with non-clear VMCS"),
    /** 5. */
    VMRESUME_NONLAUNCHED_VMCS(5, "VMRESUME with non-launched VMCS"),
    /** 6. */
    VMRESUME_AFTER_VMXOFF(6, "VMRESUME after VMXOFF (VMXOFF and VMXON between VMLAUNCH and VMRESUME)"),
    /** 7. */
    ENTRY_INVALID_CONTROL_FIELD(7, "VM entry with invalid control field(s)"),
    /** 8. */
    ENTRY_INVALID_HOST_STATE_FIELD(8, "VM entry with invalid host-state field(s)"),
    /** 9. */
    VMPTRLD_INVALID_ADDRESS(9, "VMPTRLD with invalid physical address"),
    /** 10. */
    VMPTRLD_VMXON_POINTER(10, "VMPTRLD with VMXON pointer"),
    /** 11. */
    VMPTRLD_INCORRECT_VMCS_REVISION_ID(11, "VMPTRLD with incorrect VMCS revision identifier"),
    /** 12. */
    UNSUPPORTED_VMCS_COMPONENT(12, "VMREAD/VMWRITE from/to unsupported VMCS component"),
    /** 13. */
    VMWRITE_READ_ONLY_VMCS_COMPONENT(13, "VMWRITE to read-only VMCS component"),
    /** 15. */
    VMXON_IN_VMX_ROOT_OPERATION(15, "VMXON executed in VMX root operation"),
    /** 16. */
    ENTRY_INVALID_EXECUTIVE_VMCS_POINTER(16, "VM entry with invalid executive-VMCS pointer"),
    /** 17. */
    ENTRY_NONLAUNCHED_EXECUTIVE_VMCS(17, "VM entry with non-launched executive VMCS"),
    /** 18. */
    ENTRY_EXECUTIVE_VMCS_POINTER_NOT_VMXON_POINTER(18,
            "VM entry with executive-VMCS pointer not VMXON pointer (when attempting to deactivate the dual-monitor treatment of SMIs and SMM)"),
    /** 19. */
    VMCALL_NONCLEAR_VMCS(19,
            "VMCALL with non-clear VMCS (when attempting to activate the dual-monitor treatment of SMIs and SMM)"),
    /** 20. */
    VMCALL_INVALID_VM_EXIT_CONTROL_FIELDS(20, "VMCALL with invalid VM-exit control fields"),
    /** 22. */
    VMCALL_INCORRECT_MSEG_REVISION_ID(22,
            "VMCALL with incorrect MSEG revision identifier (when attempting to activate the dual-monitor treatment of SMIs and SMM)"),
    /** 23. */
    VMXOFF_UNDER_DUAL_MONITOR_TREATMENT_OF_SMIS_AND_SMM(23, "VMXOFF under dual-monitor treatment of SMIs and SMM"),
    /** 24. */
    VMCALL_INVALID_SMM_MONITOR_FEATURES(24,
            "VMCALL with invalid SMM-monitor features (when attempting to activate the dual-monitor treatment of SMIs and SMM)"),
    /** 25. */
    ENTRY_INVALID_VM_EXECUTION_CONTROL_FIELDS_IN_EXECUTIVE_VMCS(25,
            "VM entry with invalid VM-execution control fields in executive VMCS (when attempting to return from SMM)"),
    /** 26. */
    ENTRY_EVENTS_BLOCKED_BY_MOV_SS(26, "VM entry with events blocked by MOV SS"),
    /** 28. */
    INVALID_OPERAND_TO_INVEPT_INVVPID(28, "Invalid operand to INVEPT/INVVPID"),
    /** Any number the SDM does not define (0, 14, 21, 27, &gt; 28, negative). */
    UNRECOGNIZED(-1, "Unrecognized VM-instruction error number");

    private static final VmInstructionError[] BY_NUMBER = new VmInstructionError[29];

    static {
        for (VmInstructionError error : values()) {
            if (error.number > 0) {
                BY_NUMBER[error.number] = error;
            }
        }
    }

    private final int number;
    private final String meaning;

    VmInstructionError(int number, String meaning) {
        this.number = number;
        this.meaning = meaning;
    }

    /**
     * The error number as read from the VM-instruction error field.
     *
     * @return the number; -1 for {@link #UNRECOGNIZED}
     */
    public int number() {
        return number;
    }

    /**
     * The SDM's description.
     *
     * @return for example {@code "VMLAUNCH with non-clear VMCS"}
     */
    public String meaning() {
        return meaning;
    }

    /**
     * The error with this number; never throws.
     *
     * @param number the VM-instruction error field value
     * @return the error, or {@link #UNRECOGNIZED}
     */
    public static VmInstructionError fromNumber(long number) {
        if (number > 0 && number < BY_NUMBER.length) {
            VmInstructionError error = BY_NUMBER[(int) number];
            return error == null ? UNRECOGNIZED : error;
        }
        return UNRECOGNIZED;
    }

    /**
     * A readable sentence for any number, keeping the number when it is not defined.
     *
     * @param number the VM-instruction error field value
     * @return for example {@code "VM-instruction error 7: VM entry with invalid control field(s)"}
     */
    public static String describe(long number) {
        return "VM-instruction error " + number + ": " + fromNumber(number).meaning();
    }
}
