package dev.vmx.hw.kvm;

import java.util.EnumSet;
import java.util.Set;

/**
 * The bits of {@code struct kvm_nested_state.flags} ({@code KVM_STATE_NESTED_*} in
 * {@code arch/x86/include/uapi/asm/kvm.h}): what {@code KVM_GET_NESTED_STATE} says about the vCPU's
 * nested state besides the VMCS.
 */
public enum KvmNestedStateFlag {
    /** {@code KVM_STATE_NESTED_GUEST_MODE} (0x1): the vCPU runs L2 (L1 entered its guest). */
    GUEST_MODE(0x1),
    /** {@code KVM_STATE_NESTED_RUN_PENDING} (0x2): L1's VMLAUNCH/VMRESUME was emulated but L2 has not run yet. */
    RUN_PENDING(0x2),
    /** {@code KVM_STATE_NESTED_EVMCS} (0x4): L1 uses Hyper-V's enlightened VMCS. */
    EVMCS(0x4),
    /** {@code KVM_STATE_NESTED_MTF_PENDING} (0x8): a monitor-trap-flag VM exit to L1 is pending. */
    MTF_PENDING(0x8),
    /** {@code KVM_STATE_NESTED_GIF_SET} (0x100): SVM's global interrupt flag is set. */
    GIF_SET(0x100);

    private final int mask;

    KvmNestedStateFlag(int mask) {
        this.mask = mask;
    }

    /** @return the flag's bit in {@code flags} */
    public int mask() {
        return mask;
    }

    /**
     * The flags set in a value.
     *
     * @param flags {@code kvm_nested_state.flags}
     * @return the known flags that are set (bits no flag names stay in {@link #unknownBits(int)})
     */
    public static Set<KvmNestedStateFlag> of(int flags) {
        Set<KvmNestedStateFlag> set = EnumSet.noneOf(KvmNestedStateFlag.class);
        for (KvmNestedStateFlag flag : values()) {
            if ((flags & flag.mask) != 0) {
                set.add(flag);
            }
        }
        return set;
    }

    /**
     * The bits no flag names.
     *
     * @param flags {@code kvm_nested_state.flags}
     * @return the bits in place, 0 when every set bit is known
     */
    public static int unknownBits(int flags) {
        int known = 0;
        for (KvmNestedStateFlag flag : values()) {
            known |= flag.mask;
        }
        return flags & ~known;
    }
}
