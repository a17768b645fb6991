package dev.vmx.trace;

import java.util.Optional;

/**
 * The KVM tracepoints this library decodes (Linux {@code arch/x86/kvm/trace.h}, system "kvm").
 * Any other tracepoint is {@link #OTHER}, kept and counted rather than dropped.
 */
public enum KvmEventType {
    /** {@code kvm_exit}: a VM exit handled by KVM. */
    KVM_EXIT("kvm_exit"),
    /** {@code kvm_entry}: KVM is about to enter the guest. */
    KVM_ENTRY("kvm_entry"),
    /** {@code kvm_nested_vmexit}: a VM exit while running a nested (L2) guest. */
    KVM_NESTED_VMEXIT("kvm_nested_vmexit"),
    /** {@code kvm_nested_vmexit_inject}: an L2 exit reflected to the L1 hypervisor. */
    KVM_NESTED_VMEXIT_INJECT("kvm_nested_vmexit_inject"),
    /** {@code kvm_nested_vmenter_failed}: a nested VM entry failed a consistency check. */
    KVM_NESTED_VMENTER_FAILED("kvm_nested_vmenter_failed"),
    /** {@code kvm_userspace_exit}: KVM_RUN returns to the VMM. */
    KVM_USERSPACE_EXIT("kvm_userspace_exit"),
    /** {@code kvm_pio}: port I/O emulated or passed to user space. */
    KVM_PIO("kvm_pio"),
    /** {@code kvm_mmio}: memory-mapped I/O. */
    KVM_MMIO("kvm_mmio"),
    /** {@code kvm_msr}: RDMSR/WRMSR handled by KVM. */
    KVM_MSR("kvm_msr"),
    /** {@code kvm_cr}: control-register access handled by KVM. */
    KVM_CR("kvm_cr"),
    /**
     * {@code kvm_page_fault}: a guest page fault KVM handles; on VMX KVM traces it for an EPT
     * violation with the guest-physical address and the exit qualification as error code.
     */
    KVM_PAGE_FAULT("kvm_page_fault"),
    /** Any other tracepoint. */
    OTHER("");

    private final String tracepoint;

    KvmEventType(String tracepoint) {
        this.tracepoint = tracepoint;
    }

    /**
     * The tracepoint name as it appears in trace text and under {@code events/kvm/}.
     *
     * @return e.g. {@code kvm_exit}; empty for {@link #OTHER}
     */
    public String tracepoint() {
        return tracepoint;
    }

    /**
     * The type of a tracepoint name.
     *
     * @param tracepoint a name such as {@code kvm_exit}
     * @return the type, or {@link #OTHER} for names this library does not decode
     */
    public static KvmEventType fromTracepoint(CharSequence tracepoint) {
        for (KvmEventType type : values()) {
            if (type != OTHER && type.tracepoint.contentEquals(tracepoint)) {
                return type;
            }
        }
        return OTHER;
    }

    /**
     * The type for a known tracepoint name, or empty.
     *
     * @param tracepoint a name such as {@code kvm_exit}
     * @return the type, empty for names this library does not decode
     */
    public static Optional<KvmEventType> find(CharSequence tracepoint) {
        KvmEventType type = fromTracepoint(tracepoint);
        return type == OTHER ? Optional.empty() : Optional.of(type);
    }
}
