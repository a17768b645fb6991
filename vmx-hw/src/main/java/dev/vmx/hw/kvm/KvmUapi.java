package dev.vmx.hw.kvm;

/**
 * Numbers and struct layouts of the Linux KVM uapi ({@code include/uapi/linux/kvm.h},
 * {@code arch/x86/include/uapi/asm/kvm.h}) for x86-64, in one place. Each constant is checked by
 * {@code KvmUapiTest} against a table the C compiler computed from the installed headers
 * ({@code kvm-uapi.txt}): a constant {@code KVM_RUN_IO_PORT} is the row {@code kvm_run.io.port}.
 * ioctl numbers are {@code _IO}/{@code _IOR}/{@code _IOW}/{@code _IOWR}({@code KVMIO}=0xAE, nr,
 * struct) with the struct size in bits 29:16.
 */
final class KvmUapi {
    private KvmUapi() {
    }

    static final int KVM_API_VERSION = 12;

    // system ioctls
    /** {@code _IO(KVMIO, 0x00)}. */
    static final long KVM_GET_API_VERSION = 0xAE00L;
    /** {@code _IO(KVMIO, 0x01)}. */
    static final long KVM_CREATE_VM = 0xAE01L;
    /** {@code _IO(KVMIO, 0x03)}. */
    static final long KVM_CHECK_EXTENSION = 0xAE03L;
    /** {@code _IO(KVMIO, 0x04)}. */
    static final long KVM_GET_VCPU_MMAP_SIZE = 0xAE04L;
    /** {@code _IOWR(KVMIO, 0x0a, struct kvm_msr_list)}. */
    static final long KVM_GET_MSR_FEATURE_INDEX_LIST = 0xC004AE0AL;
    /** {@code _IOWR(KVMIO, 0x88, struct kvm_msrs)}: on the system fd, feature MSRs. */
    static final long KVM_GET_MSRS = 0xC008AE88L;
    // vm ioctls
    /** {@code _IOW(KVMIO, 0x46, struct kvm_userspace_memory_region)}. */
    static final long KVM_SET_USER_MEMORY_REGION = 0x4020AE46L;
    /** {@code _IO(KVMIO, 0x41)}. */
    static final long KVM_CREATE_VCPU = 0xAE41L;
    // vcpu ioctls
    /** {@code _IO(KVMIO, 0x80)}. */
    static final long KVM_RUN = 0xAE80L;
    /** {@code _IOR(KVMIO, 0x81, struct kvm_regs)}. */
    static final long KVM_GET_REGS = 0x8090AE81L;
    /** {@code _IOW(KVMIO, 0x82, struct kvm_regs)}. */
    static final long KVM_SET_REGS = 0x4090AE82L;
    /** {@code _IOR(KVMIO, 0x83, struct kvm_sregs)}. */
    static final long KVM_GET_SREGS = 0x8138AE83L;
    /** {@code _IOW(KVMIO, 0x84, struct kvm_sregs)}. */
    static final long KVM_SET_SREGS = 0x4138AE84L;
    /** {@code _IOWR(KVMIO, 0xbe, struct kvm_nested_state)}. */
    static final long KVM_GET_NESTED_STATE = 0xC080AEBEL;
    /** {@code _IOW(KVMIO, 0xbf, struct kvm_nested_state)}. */
    static final long KVM_SET_NESTED_STATE = 0x4080AEBFL;

    static final int KVM_CAP_NESTED_STATE = 157;
    static final int KVM_CAP_GET_MSR_FEATURES = 153;
    static final int KVM_CAP_USER_MEMORY = 3;

    static final int KVM_EXIT_IO_IN = 0;
    static final int KVM_EXIT_IO_OUT = 1;
    static final int KVM_INTERNAL_ERROR_EMULATION = 1;
    static final int KVM_INTERNAL_ERROR_SIMUL_EX = 2;
    static final int KVM_INTERNAL_ERROR_DELIVERY_EV = 3;
    static final int KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON = 4;
    /** {@code emulation_failure.flags}: {@code insn_size} and {@code insn_bytes} are valid. */
    static final long KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES = 1L;
    static final int KVM_STATE_NESTED_FORMAT_VMX = 0;
    static final int KVM_STATE_NESTED_FORMAT_SVM = 1;
    static final int KVM_STATE_NESTED_VMX_VMCS_SIZE = 4096;

    // struct kvm_run
    static final int KVM_RUN_EXIT_REASON = 8;
    static final int KVM_RUN_IO_DIRECTION = 32;
    static final int KVM_RUN_IO_SIZE = 33;
    static final int KVM_RUN_IO_PORT = 34;
    static final int KVM_RUN_IO_COUNT = 36;
    static final int KVM_RUN_IO_DATA_OFFSET = 40;
    static final int KVM_RUN_MMIO_PHYS_ADDR = 32;
    static final int KVM_RUN_MMIO_DATA = 40;
    static final int KVM_RUN_MMIO_LEN = 48;
    static final int KVM_RUN_MMIO_IS_WRITE = 52;
    static final int KVM_RUN_FAIL_ENTRY_HARDWARE_ENTRY_FAILURE_REASON = 32;
    static final int KVM_RUN_FAIL_ENTRY_CPU = 40;
    static final int KVM_RUN_INTERNAL_SUBERROR = 32;
    static final int KVM_RUN_INTERNAL_NDATA = 36;
    static final int KVM_RUN_INTERNAL_DATA = 40;
    static final int KVM_RUN_EMULATION_FAILURE_FLAGS = 40;
    static final int KVM_RUN_EMULATION_FAILURE_INSN_SIZE = 48;
    static final int KVM_RUN_EMULATION_FAILURE_INSN_BYTES = 49;
    static final int KVM_RUN_HW_HARDWARE_EXIT_REASON = 32;
    static final int KVM_RUN_SYSTEM_EVENT_TYPE = 32;
    static final int SIZEOF_KVM_RUN = 2352;
    // struct kvm_userspace_memory_region
    static final int KVM_USERSPACE_MEMORY_REGION_SLOT = 0;
    static final int KVM_USERSPACE_MEMORY_REGION_FLAGS = 4;
    static final int KVM_USERSPACE_MEMORY_REGION_GUEST_PHYS_ADDR = 8;
    static final int KVM_USERSPACE_MEMORY_REGION_MEMORY_SIZE = 16;
    static final int KVM_USERSPACE_MEMORY_REGION_USERSPACE_ADDR = 24;
    static final int SIZEOF_KVM_USERSPACE_MEMORY_REGION = 32;
    // struct kvm_regs
    static final int KVM_REGS_RAX = 0;
    static final int KVM_REGS_RDX = 24;
    static final int KVM_REGS_RSP = 48;
    static final int KVM_REGS_RIP = 128;
    static final int KVM_REGS_RFLAGS = 136;
    static final int SIZEOF_KVM_REGS = 144;
    // struct kvm_sregs and struct kvm_segment
    static final int KVM_SREGS_CS = 0;
    static final int KVM_SREGS_DS = 24;
    static final int KVM_SREGS_ES = 48;
    static final int KVM_SREGS_FS = 72;
    static final int KVM_SREGS_GS = 96;
    static final int KVM_SREGS_SS = 120;
    static final int KVM_SREGS_IDT = 208;
    static final int KVM_SREGS_CR0 = 224;
    static final int KVM_SREGS_CR3 = 240;
    static final int KVM_SREGS_CR4 = 248;
    static final int KVM_SREGS_EFER = 264;
    static final int SIZEOF_KVM_SREGS = 312;
    static final int KVM_SEGMENT_BASE = 0;
    static final int KVM_SEGMENT_LIMIT = 8;
    static final int KVM_SEGMENT_SELECTOR = 12;
    static final int KVM_SEGMENT_TYPE = 14;
    static final int KVM_SEGMENT_PRESENT = 15;
    static final int KVM_SEGMENT_DPL = 16;
    static final int KVM_SEGMENT_DB = 17;
    static final int KVM_SEGMENT_S = 18;
    static final int KVM_SEGMENT_L = 19;
    static final int KVM_SEGMENT_G = 20;
    static final int SIZEOF_KVM_SEGMENT = 24;
    static final int KVM_DTABLE_BASE = 0;
    static final int KVM_DTABLE_LIMIT = 8;
    static final int SIZEOF_KVM_DTABLE = 16;
    // struct kvm_msr_list, kvm_msrs, kvm_msr_entry
    static final int KVM_MSR_LIST_NMSRS = 0;
    static final int KVM_MSR_LIST_INDICES = 4;
    static final int KVM_MSRS_NMSRS = 0;
    static final int KVM_MSRS_ENTRIES = 8;
    static final int SIZEOF_KVM_MSRS = 8;
    static final int KVM_MSR_ENTRY_INDEX = 0;
    static final int KVM_MSR_ENTRY_DATA = 8;
    static final int SIZEOF_KVM_MSR_ENTRY = 16;
    // struct kvm_nested_state
    static final int KVM_NESTED_STATE_FLAGS = 0;
    static final int KVM_NESTED_STATE_FORMAT = 2;
    static final int KVM_NESTED_STATE_SIZE = 4;
    static final int KVM_NESTED_STATE_HDR = 8;
    static final int KVM_NESTED_STATE_HDR_VMX_VMXON_PA = 8;
    static final int KVM_NESTED_STATE_HDR_VMX_VMCS12_PA = 16;
    static final int KVM_NESTED_STATE_DATA = 128;
    static final int KVM_NESTED_STATE_DATA_VMX_VMCS12 = 128;
    static final int KVM_NESTED_STATE_DATA_VMX_SHADOW_VMCS12 = 4224;
    static final int SIZEOF_KVM_NESTED_STATE = 128;
}
