package dev.vmx.trace;

/**
 * The instruction-set extension a KVM trace event was recorded under, from the {@code isa} field of
 * {@code kvm_exit} and the nested events ({@code arch/x86/kvm/trace.h}: {@code KVM_ISA_VMX 1},
 * {@code KVM_ISA_SVM 2}). It decides how the recorded exit code reads: a VMX exit reason or an SVM
 * exit code.
 */
public enum KvmIsa {
    /** The event carries no isa field, or an unknown value. */
    UNKNOWN(0),
    /** Intel VMX: exit codes are VMX exit reasons. */
    VMX(1),
    /** AMD SVM: exit codes are SVM {@code VMEXIT_*} codes. */
    SVM(2);

    private final int code;

    KvmIsa(int code) {
        this.code = code;
    }

    /**
     * The value of the tracepoint's {@code isa} field.
     *
     * @return 1 for VMX, 2 for SVM, 0 for unknown
     */
    public int code() {
        return code;
    }

    /**
     * The isa for a recorded {@code isa} field value.
     *
     * @param code the field value
     * @return VMX, SVM, or UNKNOWN for any other value
     */
    public static KvmIsa fromCode(int code) {
        return code == 1 ? VMX : code == 2 ? SVM : UNKNOWN;
    }

    /**
     * The name of an exit code recorded under this isa, the way {@link ExitStatistics} names its
     * rows: for VMX the basic reason's name with flag names (e.g. {@code EPT_VIOLATION},
     * {@code INVALID_STATE FAILED_VMENTRY}), for SVM the symbol Linux prints (e.g. {@code npf}),
     * otherwise the code in hex. For engines that show exit codes beside the statistics rows.
     *
     * @param exitCode the recorded exit code
     * @return the name
     */
    public String exitName(long exitCode) {
        return ExitStatistics.reasonName(this, exitCode);
    }
}
