package dev.vmx.trace;

/**
 * The {@code KVM_EXIT_*} symbols {@code kvm_userspace_exit} prints: the tracepoint's
 * {@code kvm_trace_exit_reason} list (Linux include/trace/events/kvm.h, the same in 6.1 and 6.18),
 * numbers from uapi {@code linux/kvm.h}; other reasons print as {@code 0x..}. Checked against both
 * by KvmTraceReaderTest.
 */
final class KvmExitNames {
    private KvmExitNames() {
    }

    static final Object[] ROWS = {
        "KVM_EXIT_UNKNOWN", 0L, "KVM_EXIT_EXCEPTION", 1L, "KVM_EXIT_IO", 2L, "KVM_EXIT_HYPERCALL", 3L,
        "KVM_EXIT_DEBUG", 4L, "KVM_EXIT_HLT", 5L, "KVM_EXIT_MMIO", 6L, "KVM_EXIT_IRQ_WINDOW_OPEN", 7L,
        "KVM_EXIT_SHUTDOWN", 8L, "KVM_EXIT_FAIL_ENTRY", 9L, "KVM_EXIT_INTR", 10L, "KVM_EXIT_SET_TPR", 11L,
        "KVM_EXIT_TPR_ACCESS", 12L, "KVM_EXIT_S390_SIEIC", 13L, "KVM_EXIT_S390_RESET", 14L,
        "KVM_EXIT_DCR", 15L, "KVM_EXIT_NMI", 16L, "KVM_EXIT_INTERNAL_ERROR", 17L, "KVM_EXIT_OSI", 18L,
        "KVM_EXIT_PAPR_HCALL", 19L, "KVM_EXIT_S390_UCONTROL", 20L, "KVM_EXIT_WATCHDOG", 21L,
        "KVM_EXIT_S390_TSCH", 22L, "KVM_EXIT_EPR", 23L, "KVM_EXIT_SYSTEM_EVENT", 24L,
        "KVM_EXIT_S390_STSI", 25L, "KVM_EXIT_IOAPIC_EOI", 26L, "KVM_EXIT_HYPERV", 27L,
        "KVM_EXIT_ARM_NISV", 28L, "KVM_EXIT_X86_RDMSR", 29L, "KVM_EXIT_X86_WRMSR", 30L
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
