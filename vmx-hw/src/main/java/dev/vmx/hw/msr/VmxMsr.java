package dev.vmx.hw.msr;

import java.util.Optional;

/**
 * The IA32_VMX_* capability MSRs (Intel SDM Vol. 3D Appendix A; Linux
 * {@code arch/x86/include/asm/msr-index.h}): the backends read them by index. What the values
 * mean is {@code dev.vmx.cap}'s business; here they are raw 64-bit numbers.
 */
public enum VmxMsr {
    /** IA32_VMX_BASIC (0x480). */
    BASIC(0x480),
    /** IA32_VMX_PINBASED_CTLS (0x481). */
    PINBASED_CTLS(0x481),
    /** IA32_VMX_PROCBASED_CTLS (0x482). */
    PROCBASED_CTLS(0x482),
    /** IA32_VMX_EXIT_CTLS (0x483). */
    EXIT_CTLS(0x483),
    /** IA32_VMX_ENTRY_CTLS (0x484). */
    ENTRY_CTLS(0x484),
    /** IA32_VMX_MISC (0x485). */
    MISC(0x485),
    /** IA32_VMX_CR0_FIXED0 (0x486). */
    CR0_FIXED0(0x486),
    /** IA32_VMX_CR0_FIXED1 (0x487). */
    CR0_FIXED1(0x487),
    /** IA32_VMX_CR4_FIXED0 (0x488). */
    CR4_FIXED0(0x488),
    /** IA32_VMX_CR4_FIXED1 (0x489). */
    CR4_FIXED1(0x489),
    /** IA32_VMX_VMCS_ENUM (0x48a). */
    VMCS_ENUM(0x48a),
    /** IA32_VMX_PROCBASED_CTLS2 (0x48b). */
    PROCBASED_CTLS2(0x48b),
    /** IA32_VMX_EPT_VPID_CAP (0x48c). */
    EPT_VPID_CAP(0x48c),
    /** IA32_VMX_TRUE_PINBASED_CTLS (0x48d). */
    TRUE_PINBASED_CTLS(0x48d),
    /** IA32_VMX_TRUE_PROCBASED_CTLS (0x48e). */
    TRUE_PROCBASED_CTLS(0x48e),
    /** IA32_VMX_TRUE_EXIT_CTLS (0x48f). */
    TRUE_EXIT_CTLS(0x48f),
    /** IA32_VMX_TRUE_ENTRY_CTLS (0x490). */
    TRUE_ENTRY_CTLS(0x490),
    /** IA32_VMX_VMFUNC (0x491). */
    VMFUNC(0x491),
    /** IA32_VMX_PROCBASED_CTLS3 (0x492). */
    PROCBASED_CTLS3(0x492),
    /** IA32_VMX_EXIT_CTLS2 (0x493). */
    EXIT_CTLS2(0x493);

    private final int index;

    VmxMsr(int index) {
        this.index = index;
    }

    /**
     * The MSR index (ECX of RDMSR).
     *
     * @return e.g. 0x480
     */
    public int index() {
        return index;
    }

    /**
     * The Linux macro name.
     *
     * @return e.g. {@code MSR_IA32_VMX_BASIC}
     */
    public String linuxName() {
        return "MSR_IA32_VMX_" + name();
    }

    /**
     * The MSR with an index.
     *
     * @param index an MSR index
     * @return the MSR, empty if the index is no IA32_VMX_* capability MSR
     */
    public static Optional<VmxMsr> fromIndex(int index) {
        for (VmxMsr msr : values()) {
            if (msr.index == index) {
                return Optional.of(msr);
            }
        }
        return Optional.empty();
    }
}
