package dev.vmx.cap;

import java.util.Optional;

/** The VMX capability MSRs (SDM Vol. 3D Appendix A), with their indexes. */
public enum VmxMsr {
    /** Basic VMX information (A.1). */
    IA32_VMX_BASIC(0x480),
    /** Pin-based control capabilities (A.3.1). */
    IA32_VMX_PINBASED_CTLS(0x481),
    /** Primary processor-based control capabilities (A.3.2). */
    IA32_VMX_PROCBASED_CTLS(0x482),
    /** Primary VM-exit control capabilities (A.4.1). */
    IA32_VMX_EXIT_CTLS(0x483),
    /** VM-entry control capabilities (A.5). */
    IA32_VMX_ENTRY_CTLS(0x484),
    /** Miscellaneous data (A.6). */
    IA32_VMX_MISC(0x485),
    /** CR0 bits fixed to 1 in VMX operation (A.7). */
    IA32_VMX_CR0_FIXED0(0x486),
    /** CR0 bits allowed to be 1 in VMX operation (A.7). */
    IA32_VMX_CR0_FIXED1(0x487),
    /** CR4 bits fixed to 1 in VMX operation (A.8). */
    IA32_VMX_CR4_FIXED0(0x488),
    /** CR4 bits allowed to be 1 in VMX operation (A.8). */
    IA32_VMX_CR4_FIXED1(0x489),
    /** Highest VMCS field index (A.9). */
    IA32_VMX_VMCS_ENUM(0x48a),
    /** Secondary processor-based control capabilities (A.3.3). */
    IA32_VMX_PROCBASED_CTLS2(0x48b),
    /** EPT and VPID capabilities (A.10). */
    IA32_VMX_EPT_VPID_CAP(0x48c),
    /** TRUE pin-based control capabilities (A.3.1). */
    IA32_VMX_TRUE_PINBASED_CTLS(0x48d),
    /** TRUE primary processor-based control capabilities (A.3.2). */
    IA32_VMX_TRUE_PROCBASED_CTLS(0x48e),
    /** TRUE VM-exit control capabilities (A.4.1). */
    IA32_VMX_TRUE_EXIT_CTLS(0x48f),
    /** TRUE VM-entry control capabilities (A.5). */
    IA32_VMX_TRUE_ENTRY_CTLS(0x490),
    /** VM-function capabilities (A.11). */
    IA32_VMX_VMFUNC(0x491),
    /** Tertiary processor-based control capabilities, allowed-1 only (A.3.4). */
    IA32_VMX_PROCBASED_CTLS3(0x492),
    /** Secondary VM-exit control capabilities, allowed-1 only (A.4.2). */
    IA32_VMX_EXIT_CTLS2(0x493);

    private final int index;

    VmxMsr(int index) {
        this.index = index;
    }

    /**
     * The MSR index for RDMSR.
     *
     * @return the index
     */
    public int index() {
        return index;
    }

    /**
     * The MSR with an index.
     *
     * @param index an MSR index
     * @return the VMX capability MSR, empty if the index is not one
     */
    public static Optional<VmxMsr> ofIndex(int index) {
        for (VmxMsr msr : values()) {
            if (msr.index == index) {
                return Optional.of(msr);
            }
        }
        return Optional.empty();
    }
}
