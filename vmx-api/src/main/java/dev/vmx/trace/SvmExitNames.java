package dev.vmx.trace;

/**
 * SVM exit codes by the symbol {@code kvm_exit} prints for them ({@code SVM_EXIT_REASONS} in
 * Linux {@code arch/x86/include/uapi/asm/svm.h}, 6.1, plus {@code buslock} and {@code idle-halt} of
 * later kernels; checked against the 6.1 header and a 6.18 tracefs print fmt by KvmTraceReaderTest
 * and KvmTracePrintkFormatsTest).
 */
final class SvmExitNames {
    private SvmExitNames() {
    }

    private static final Object[] TABLE = {
        "read_cr0", 0x0L, "read_cr2", 0x2L, "read_cr3", 0x3L, "read_cr4", 0x4L, "read_cr8", 0x8L, "write_cr0", 0x10L, "write_cr2", 0x12L, "write_cr3", 0x13L, "write_cr4", 0x14L, "write_cr8", 0x18L, "read_dr0", 0x20L, "read_dr1", 0x21L, "read_dr2", 0x22L, "read_dr3", 0x23L, "read_dr4", 0x24L, "read_dr5", 0x25L, "read_dr6", 0x26L, "read_dr7", 0x27L, "write_dr0", 0x30L, "write_dr1", 0x31L, "write_dr2", 0x32L, "write_dr3", 0x33L, "write_dr4", 0x34L, "write_dr5", 0x35L, "write_dr6", 0x36L, "write_dr7", 0x37L, "DE excp", 0x40L, "DB excp", 0x41L, "BP excp", 0x43L, "OF excp", 0x44L, "BR excp", 0x45L, "UD excp", 0x46L, "NM excp", 0x47L, "DF excp", 0x48L, "TS excp", 0x4aL, "NP excp", 0x4bL, "SS excp", 0x4cL, "GP excp", 0x4dL, "PF excp", 0x4eL, "MF excp", 0x50L, "AC excp", 0x51L, "MC excp", 0x52L, "XF excp", 0x53L, "interrupt", 0x60L, "nmi", 0x61L, "smi", 0x62L, "init", 0x63L, "vintr", 0x64L, "cr0_sel_write", 0x65L, "read_idtr", 0x66L, "read_gdtr", 0x67L, "read_ldtr", 0x68L, "read_rt", 0x69L, "write_idtr", 0x6aL, "write_gdtr", 0x6bL, "write_ldtr", 0x6cL, "write_rt", 0x6dL, "rdtsc", 0x6eL, "rdpmc", 0x6fL, "pushf", 0x70L, "popf", 0x71L, "cpuid", 0x72L, "rsm", 0x73L, "iret", 0x74L, "swint", 0x75L, "invd", 0x76L, "pause", 0x77L, "hlt", 0x78L, "invlpg", 0x79L, "invlpga", 0x7aL, "io", 0x7bL, "msr", 0x7cL, "task_switch", 0x7dL, "ferr_freeze", 0x7eL, "shutdown", 0x7fL, "vmrun", 0x80L, "hypercall", 0x81L, "vmload", 0x82L, "vmsave", 0x83L, "stgi", 0x84L, "clgi", 0x85L, "skinit", 0x86L, "rdtscp", 0x87L, "icebp", 0x88L, "wbinvd", 0x89L, "monitor", 0x8aL, "mwait", 0x8bL, "xsetbv", 0x8dL, "write_efer_trap", 0x8fL, "write_cr0_trap", 0x90L, "write_cr4_trap", 0x94L, "write_cr8_trap", 0x98L, "invpcid", 0xa2L, "buslock", 0xa5L, "idle-halt", 0xa6L, "npf", 0x400L, "avic_incomplete_ipi", 0x401L, "avic_unaccelerated_access", 0x402L, "vmgexit", 0x403L, "vmgexit_mmio_read", 0x80000001L, "vmgexit_mmio_write", 0x80000002L, "vmgexit_nmi_complete", 0x80000003L, "vmgexit_ap_hlt_loop", 0x80000004L, "vmgexit_ap_jump_table", 0x80000005L, "vmgexit_page_state_change", 0x80000010L, "vmgexit_guest_request", 0x80000011L, "vmgexit_ext_guest_request", 0x80000012L, "vmgexit_ap_creation", 0x80000013L, "vmgexit_hypervisor_feature", 0x8000fffdL, "invalid_guest_state", 0xffffffffL
    };

    static SymbolTable table() {
        String[] names = new String[TABLE.length / 2];
        long[] codes = new long[TABLE.length / 2];
        for (int i = 0; i < names.length; i++) {
            names[i] = (String) TABLE[2 * i];
            codes[i] = (Long) TABLE[2 * i + 1];
        }
        return SymbolTable.of(names, codes);
    }

    /** The names in table order, for tests. */
    static String[] names() {
        String[] names = new String[TABLE.length / 2];
        for (int i = 0; i < names.length; i++) {
            names[i] = (String) TABLE[2 * i];
        }
        return names;
    }
}
