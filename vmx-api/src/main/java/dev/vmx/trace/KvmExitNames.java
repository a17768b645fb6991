package dev.vmx.trace;

/**
 * {@code KVM_EXIT_*} reasons by name, as {@code kvm_userspace_exit} prints them (Linux uapi
 * {@code linux/kvm.h}; checked by KvmExitNamesTest).
 */
final class KvmExitNames {
    private KvmExitNames() {
    }

    static final Object[] ROWS = {
        "KVM_EXIT_HYPERV_SYNIC", 1L, "KVM_EXIT_HYPERV_HCALL", 2L, "KVM_EXIT_HYPERV_SYNDBG", 3L, "KVM_EXIT_XEN_HCALL", 1L, "KVM_EXIT_UNKNOWN", 0L, "KVM_EXIT_EXCEPTION", 1L, "KVM_EXIT_IO", 2L, "KVM_EXIT_HYPERCALL", 3L, "KVM_EXIT_DEBUG", 4L, "KVM_EXIT_HLT", 5L, "KVM_EXIT_MMIO", 6L, "KVM_EXIT_IRQ_WINDOW_OPEN", 7L, "KVM_EXIT_SHUTDOWN", 8L, "KVM_EXIT_FAIL_ENTRY", 9L, "KVM_EXIT_INTR", 10L, "KVM_EXIT_SET_TPR", 11L, "KVM_EXIT_TPR_ACCESS", 12L, "KVM_EXIT_S390_SIEIC", 13L, "KVM_EXIT_S390_RESET", 14L, "KVM_EXIT_NMI", 16L, "KVM_EXIT_INTERNAL_ERROR", 17L, "KVM_EXIT_OSI", 18L, "KVM_EXIT_PAPR_HCALL", 19L, "KVM_EXIT_S390_UCONTROL", 20L, "KVM_EXIT_WATCHDOG", 21L, "KVM_EXIT_S390_TSCH", 22L, "KVM_EXIT_EPR", 23L, "KVM_EXIT_SYSTEM_EVENT", 24L, "KVM_EXIT_S390_STSI", 25L, "KVM_EXIT_IOAPIC_EOI", 26L, "KVM_EXIT_HYPERV", 27L, "KVM_EXIT_ARM_NISV", 28L, "KVM_EXIT_X86_RDMSR", 29L, "KVM_EXIT_X86_WRMSR", 30L, "KVM_EXIT_DIRTY_RING_FULL", 31L, "KVM_EXIT_AP_RESET_HOLD", 32L, "KVM_EXIT_X86_BUS_LOCK", 33L, "KVM_EXIT_XEN", 34L, "KVM_EXIT_RISCV_SBI", 35L, "KVM_EXIT_RISCV_CSR", 36L, "KVM_EXIT_NOTIFY", 37L, "KVM_EXIT_IO_IN", 0L, "KVM_EXIT_IO_OUT", 1L
    };

    static final SymbolTable TABLE = table();

    private static SymbolTable table() {
        String[] names = new String[ROWS.length / 2];
        long[] codes = new long[ROWS.length / 2];
        for (int i = 0; i < names.length; i++) {
            names[i] = (String) ROWS[2 * i];
            codes[i] = (Long) ROWS[2 * i + 1];
        }
        return SymbolTable.of(names, codes);
    }
}
