package dev.vmx.hw.kvm;

/**
 * Why {@code KVM_RUN} returned to user space: the {@code exit_reason} of {@code struct kvm_run}
 * ({@code KVM_EXIT_*} in {@code include/uapi/linux/kvm.h}, x86 values). Not to be confused with a
 * VMX exit reason: many hardware exits are handled inside KVM and never reach user space.
 */
public enum KvmExitType {
    /** {@code KVM_EXIT_UNKNOWN} (0). */
    UNKNOWN(0),
    /** {@code KVM_EXIT_EXCEPTION} (1). */
    EXCEPTION(1),
    /** {@code KVM_EXIT_IO} (2): port I/O for user space to emulate. */
    IO(2),
    /** {@code KVM_EXIT_HYPERCALL} (3). */
    HYPERCALL(3),
    /** {@code KVM_EXIT_DEBUG} (4). */
    DEBUG(4),
    /** {@code KVM_EXIT_HLT} (5): the guest halted with no in-kernel local APIC. */
    HLT(5),
    /** {@code KVM_EXIT_MMIO} (6): an access to guest-physical memory no memory slot backs. */
    MMIO(6),
    /** {@code KVM_EXIT_IRQ_WINDOW_OPEN} (7). */
    IRQ_WINDOW_OPEN(7),
    /** {@code KVM_EXIT_SHUTDOWN} (8): e.g. a triple fault. */
    SHUTDOWN(8),
    /** {@code KVM_EXIT_FAIL_ENTRY} (9): the hardware refused the VM entry. */
    FAIL_ENTRY(9),
    /** {@code KVM_EXIT_INTR} (10): a signal interrupted KVM_RUN. */
    INTR(10),
    /** {@code KVM_EXIT_SET_TPR} (11). */
    SET_TPR(11),
    /** {@code KVM_EXIT_TPR_ACCESS} (12). */
    TPR_ACCESS(12),
    /** {@code KVM_EXIT_NMI} (16). */
    NMI(16),
    /** {@code KVM_EXIT_INTERNAL_ERROR} (17): KVM could not handle an exit (see the suberror). */
    INTERNAL_ERROR(17),
    /** {@code KVM_EXIT_SYSTEM_EVENT} (24): shutdown, reset or crash requested by the guest. */
    SYSTEM_EVENT(24),
    /** {@code KVM_EXIT_IOAPIC_EOI} (26). */
    IOAPIC_EOI(26),
    /** {@code KVM_EXIT_HYPERV} (27). */
    HYPERV(27),
    /** {@code KVM_EXIT_X86_RDMSR} (29). */
    X86_RDMSR(29),
    /** {@code KVM_EXIT_X86_WRMSR} (30). */
    X86_WRMSR(30),
    /** {@code KVM_EXIT_DIRTY_RING_FULL} (31). */
    DIRTY_RING_FULL(31),
    /** {@code KVM_EXIT_AP_RESET_HOLD} (32). */
    AP_RESET_HOLD(32),
    /** {@code KVM_EXIT_X86_BUS_LOCK} (33). */
    X86_BUS_LOCK(33),
    /** {@code KVM_EXIT_XEN} (34). */
    XEN(34),
    /** {@code KVM_EXIT_NOTIFY} (37). */
    NOTIFY(37),
    /** A number this library does not know (the number is kept by the exit value). */
    UNRECOGNIZED(-1);

    private static final KvmExitType[] BY_NUMBER = new KvmExitType[64];

    static {
        for (KvmExitType type : values()) {
            if (type.number >= 0) {
                BY_NUMBER[type.number] = type;
            }
        }
    }

    private final int number;

    KvmExitType(int number) {
        this.number = number;
    }

    /**
     * The {@code KVM_EXIT_*} number.
     *
     * @return the number, -1 for {@link #UNRECOGNIZED}
     */
    public int number() {
        return number;
    }

    /**
     * The uapi macro name.
     *
     * @return e.g. {@code KVM_EXIT_IO}
     */
    public String uapiName() {
        return "KVM_EXIT_" + name();
    }

    /**
     * The type of an {@code exit_reason} number.
     *
     * @param number the number from {@code struct kvm_run}
     * @return the type, {@link #UNRECOGNIZED} for numbers this library does not know
     */
    public static KvmExitType fromNumber(int number) {
        KvmExitType type = number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
        return type == null ? UNRECOGNIZED : type;
    }
}
