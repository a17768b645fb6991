package dev.vmx.hw.kvm;

import java.util.EnumSet;
import java.util.Set;

/**
 * The bits of {@code kvm_vmx_nested_state_hdr.smm.flags} ({@code KVM_STATE_NESTED_SMM_*} in
 * {@code arch/x86/include/uapi/asm/kvm.h}): the nested state KVM saved when the vCPU entered SMM.
 */
public enum KvmNestedSmmFlag {
    /** {@code KVM_STATE_NESTED_SMM_GUEST_MODE} (0x1): the vCPU was running L2 when it entered SMM. */
    GUEST_MODE(0x1),
    /** {@code KVM_STATE_NESTED_SMM_VMXON} (0x2): L1 was in VMX operation when the vCPU entered SMM. */
    VMXON(0x2);

    private final int mask;

    KvmNestedSmmFlag(int mask) {
        this.mask = mask;
    }

    /** @return the flag's bit in {@code smm.flags} */
    public int mask() {
        return mask;
    }

    /**
     * The flags set in a value.
     *
     * @param flags {@code smm.flags}
     * @return the known flags that are set
     */
    public static Set<KvmNestedSmmFlag> of(int flags) {
        Set<KvmNestedSmmFlag> set = EnumSet.noneOf(KvmNestedSmmFlag.class);
        for (KvmNestedSmmFlag flag : values()) {
            if ((flags & flag.mask) != 0) {
                set.add(flag);
            }
        }
        return set;
    }
}
