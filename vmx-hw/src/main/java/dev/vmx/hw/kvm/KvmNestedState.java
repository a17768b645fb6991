package dev.vmx.hw.kvm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * A {@code struct kvm_nested_state} as {@code KVM_GET_NESTED_STATE} returns it (linux/kvm.h and
 * asm/kvm.h): the header, and for the VMX format the L1 hypervisor's current vmcs12.
 *
 * @param flags {@code KVM_STATE_NESTED_*} flags (guest mode, run pending, evmcs, MTF pending, GIF set;
 *        typed by {@link #flagSet()})
 * @param format 0 VMX ({@code KVM_STATE_NESTED_FORMAT_VMX}), 1 SVM
 * @param size the bytes KVM filled, header included
 * @param vmxonAddress {@code hdr.vmx.vmxon_pa}: the L1 VMXON region, -1 when L1 is not in VMX operation
 * @param vmcs12Address {@code hdr.vmx.vmcs12_pa}: the current VMCS pointer of L1, -1 when none
 * @param vmcs12 the vmcs12 image ({@code data.vmx[0].vmcs12}), when present
 * @param smmFlags {@code hdr.vmx.smm.flags} ({@code KVM_STATE_NESTED_SMM_*}; typed by {@link #smmFlagSet()})
 * @param vmxFlags {@code hdr.vmx.flags} ({@code KVM_STATE_VMX_PREEMPTION_TIMER_DEADLINE})
 * @param preemptionTimerDeadline {@code hdr.vmx.preemption_timer_deadline}, meaningful only with
 *        that flag (see {@link #preemptionTimerDeadlineIfSet()})
 */
public record KvmNestedState(int flags, int format, int size, long vmxonAddress, long vmcs12Address,
        Optional<byte[]> vmcs12, int smmFlags, int vmxFlags, long preemptionTimerDeadline) {
    /** {@code KVM_STATE_VMX_PREEMPTION_TIMER_DEADLINE}: {@code hdr.vmx.flags} bit saying the deadline is valid. */
    public static final int VMX_PREEMPTION_TIMER_DEADLINE = 0x1;
    // offsets in struct kvm_vmx_nested_state_hdr after vmcs12_pa (asm/kvm.h): smm.flags (u16), pad (u16),
    // flags (u32), preemption_timer_deadline (u64); checked against the header by KvmNestedStateFlagsTest
    static final int HDR_VMX_SMM_FLAGS = KvmUapi.KVM_NESTED_STATE_HDR_VMX_VMCS12_PA + 8;
    static final int HDR_VMX_FLAGS = HDR_VMX_SMM_FLAGS + 4;
    static final int HDR_VMX_PREEMPTION_TIMER_DEADLINE = HDR_VMX_FLAGS + 4;

    /**
     * Parses the bytes of {@code struct kvm_nested_state}.
     *
     * @param state the bytes, at least the 128-byte header
     * @return the parsed state
     * @throws IllegalArgumentException if shorter than the header or than its own {@code size}
     */
    public static KvmNestedState parse(byte[] state) {
        if (state.length < KvmUapi.SIZEOF_KVM_NESTED_STATE) {
            throw new IllegalArgumentException("kvm_nested_state of " + state.length + " bytes is shorter than its "
                    + KvmUapi.SIZEOF_KVM_NESTED_STATE + "-byte header");
        }
        ByteBuffer in = ByteBuffer.wrap(state).order(ByteOrder.LITTLE_ENDIAN);
        int flags = Short.toUnsignedInt(in.getShort(KvmUapi.KVM_NESTED_STATE_FLAGS));
        int format = Short.toUnsignedInt(in.getShort(KvmUapi.KVM_NESTED_STATE_FORMAT));
        int size = in.getInt(KvmUapi.KVM_NESTED_STATE_SIZE);
        if (size < KvmUapi.SIZEOF_KVM_NESTED_STATE || size > state.length) {
            throw new IllegalArgumentException("kvm_nested_state size " + Integer.toUnsignedString(size)
                    + " does not lie between the header (" + KvmUapi.SIZEOF_KVM_NESTED_STATE + ") and the "
                    + state.length + " bytes given");
        }
        Optional<byte[]> vmcs12 = Optional.empty();
        int vmcs12End = KvmUapi.KVM_NESTED_STATE_DATA_VMX_VMCS12 + KvmUapi.KVM_STATE_NESTED_VMX_VMCS_SIZE;
        int shadowEnd = KvmUapi.KVM_NESTED_STATE_DATA_VMX_SHADOW_VMCS12 + KvmUapi.KVM_STATE_NESTED_VMX_VMCS_SIZE;
        // nested.c vmx_get_nested_state(): the header, then whole vmcs12 and shadow vmcs12 pages only
        if (format == KvmUapi.KVM_STATE_NESTED_FORMAT_VMX && size != KvmUapi.SIZEOF_KVM_NESTED_STATE
                && size != vmcs12End && size != shadowEnd) {
            throw new IllegalArgumentException("kvm_nested_state (VMX) size " + size + " is not the header ("
                    + KvmUapi.SIZEOF_KVM_NESTED_STATE + "), header + vmcs12 (" + vmcs12End + ") or header + vmcs12 + shadow vmcs12 ("
                    + shadowEnd + "): a truncated vmcs12");
        }
        if (format == KvmUapi.KVM_STATE_NESTED_FORMAT_VMX && size >= vmcs12End) {
            byte[] image = new byte[KvmUapi.KVM_STATE_NESTED_VMX_VMCS_SIZE];
            in.get(KvmUapi.KVM_NESTED_STATE_DATA_VMX_VMCS12, image);
            vmcs12 = Optional.of(image);
        }
        boolean vmx = format == KvmUapi.KVM_STATE_NESTED_FORMAT_VMX;
        return new KvmNestedState(flags, format, size, in.getLong(KvmUapi.KVM_NESTED_STATE_HDR_VMX_VMXON_PA),
                in.getLong(KvmUapi.KVM_NESTED_STATE_HDR_VMX_VMCS12_PA), vmcs12,
                vmx ? Short.toUnsignedInt(in.getShort(HDR_VMX_SMM_FLAGS)) : 0, vmx ? in.getInt(HDR_VMX_FLAGS) : 0,
                vmx ? in.getLong(HDR_VMX_PREEMPTION_TIMER_DEADLINE) : 0);
    }

    /**
     * Copies the image, so the record stays immutable.
     *
     * @param flags the flags
     * @param format the format
     * @param size the size
     * @param vmxonAddress the VMXON region address
     * @param vmcs12Address the current VMCS pointer
     * @param vmcs12 the vmcs12 image, copied
     * @param smmFlags the SMM flags
     * @param vmxFlags the VMX header flags
     * @param preemptionTimerDeadline the preemption-timer deadline
     */
    public KvmNestedState {
        vmcs12 = vmcs12.map(byte[]::clone);
    }

    /**
     * The state without the SMM flags, VMX flags and preemption-timer deadline (the form of earlier versions).
     *
     * @param flags the flags
     * @param format the format
     * @param size the size
     * @param vmxonAddress the VMXON region address
     * @param vmcs12Address the current VMCS pointer
     * @param vmcs12 the vmcs12 image, copied
     */
    public KvmNestedState(int flags, int format, int size, long vmxonAddress, long vmcs12Address, Optional<byte[]> vmcs12) {
        this(flags, format, size, vmxonAddress, vmcs12Address, vmcs12, 0, 0, 0);
    }

    /** @return the {@code KVM_STATE_NESTED_*} flags that are set */
    public java.util.Set<KvmNestedStateFlag> flagSet() {
        return KvmNestedStateFlag.of(flags);
    }

    /** @return bits of {@code flags} no {@link KvmNestedStateFlag} names (a newer kernel's), 0 if none */
    public int unknownFlags() {
        return KvmNestedStateFlag.unknownBits(flags);
    }

    /** @return whether L2 is running ({@code KVM_STATE_NESTED_GUEST_MODE}) */
    public boolean isGuestMode() {
        return (flags & KvmNestedStateFlag.GUEST_MODE.mask()) != 0;
    }

    /** @return the {@code KVM_STATE_NESTED_SMM_*} flags that are set */
    public java.util.Set<KvmNestedSmmFlag> smmFlagSet() {
        return KvmNestedSmmFlag.of(smmFlags);
    }

    /**
     * The deadline of L2's VMX-preemption timer, in L1 TSC units as KVM saved it.
     *
     * @return the deadline, empty unless {@code KVM_STATE_VMX_PREEMPTION_TIMER_DEADLINE} is set
     */
    public java.util.OptionalLong preemptionTimerDeadlineIfSet() {
        return (vmxFlags & VMX_PREEMPTION_TIMER_DEADLINE) != 0 ? java.util.OptionalLong.of(preemptionTimerDeadline)
                : java.util.OptionalLong.empty();
    }

    /**
     * The vmcs12 image.
     *
     * @return a copy of the image, empty when KVM returned none
     */
    @Override
    public Optional<byte[]> vmcs12() {
        return vmcs12.map(byte[]::clone);
    }

    /**
     * The vmcs12, decoded.
     *
     * @return the decoded image, empty when KVM returned none (L1 has no current VMCS, or SVM)
     */
    public Optional<Vmcs12Image> decodedVmcs12() {
        return vmcs12.map(Vmcs12Layout::decode);
    }
}
