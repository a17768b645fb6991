package dev.vmx.hw.kvm;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The layout of KVM's {@code struct vmcs12}: the in-memory VMCS that KVM keeps for an L1
 * hypervisor (Linux {@code arch/x86/kvm/vmx/vmcs12.h}, offsets frozen by its
 * {@code vmx_check_vmcs12_offsets()} CHECK_OFFSET table for save/restore compatibility), and the
 * VMCS field each member holds ({@code vmcs12.c}, {@code vmcs12_field_offsets[]}: a 64-bit
 * field's {@code _HIGH} half is its upper 4 bytes).
 *
 * <p>Fields are keyed by their Linux name ({@code GUEST_RIP}, {@code VM_EXIT_REASON}, ...), the
 * names {@code dev.vmx.vmcs.VmcsField} uses. {@link #decode(byte[])} and {@link #encode(Map)}
 * convert between images and values, so tests and tools can build images.
 */
public final class Vmcs12Layout {
    /** {@code VMCS12_REVISION}: the revision id KVM writes in the header and checks on VMPTRLD. */
    public static final int REVISION = 0x11e57ed0;
    /** {@code VMCS12_SIZE} ({@code KVM_STATE_NESTED_VMX_VMCS_SIZE}): bytes reserved per vmcs12. */
    public static final int SIZE = 4096;
    /** Offset of the 32-bit VMX-abort indicator ({@code abort}). */
    static final int ABORT_OFFSET = 4;
    /** Offset of KVM's {@code launch_state} (0 after VMCLEAR, 1 after VMLAUNCH). */
    static final int LAUNCH_STATE_OFFSET = 8;

    private static final Map<String, Vmcs12Field> FIELDS = new LinkedHashMap<>();

    private static final Map<Integer, Vmcs12Field> BY_ENCODING = new java.util.HashMap<>();

    private static void field(String linuxName, int encoding, String member, int offset, int size) {
        Vmcs12Field field = new Vmcs12Field(linuxName, encoding, member, offset, size);
        FIELDS.put(linuxName, field);
        BY_ENCODING.put(encoding, field);
    }

    static {
        field("VIRTUAL_PROCESSOR_ID", 0x0000, "virtual_processor_id", 960, 2);
        field("POSTED_INTR_NV", 0x0002, "posted_intr_nv", 962, 2);
        field("GUEST_ES_SELECTOR", 0x0800, "guest_es_selector", 964, 2);
        field("GUEST_CS_SELECTOR", 0x0802, "guest_cs_selector", 966, 2);
        field("GUEST_SS_SELECTOR", 0x0804, "guest_ss_selector", 968, 2);
        field("GUEST_DS_SELECTOR", 0x0806, "guest_ds_selector", 970, 2);
        field("GUEST_FS_SELECTOR", 0x0808, "guest_fs_selector", 972, 2);
        field("GUEST_GS_SELECTOR", 0x080a, "guest_gs_selector", 974, 2);
        field("GUEST_LDTR_SELECTOR", 0x080c, "guest_ldtr_selector", 976, 2);
        field("GUEST_TR_SELECTOR", 0x080e, "guest_tr_selector", 978, 2);
        field("GUEST_INTR_STATUS", 0x0810, "guest_intr_status", 980, 2);
        field("GUEST_PML_INDEX", 0x0812, "guest_pml_index", 996, 2);
        field("HOST_ES_SELECTOR", 0x0c00, "host_es_selector", 982, 2);
        field("HOST_CS_SELECTOR", 0x0c02, "host_cs_selector", 984, 2);
        field("HOST_SS_SELECTOR", 0x0c04, "host_ss_selector", 986, 2);
        field("HOST_DS_SELECTOR", 0x0c06, "host_ds_selector", 988, 2);
        field("HOST_FS_SELECTOR", 0x0c08, "host_fs_selector", 990, 2);
        field("HOST_GS_SELECTOR", 0x0c0a, "host_gs_selector", 992, 2);
        field("HOST_TR_SELECTOR", 0x0c0c, "host_tr_selector", 994, 2);
        field("IO_BITMAP_A", 0x2000, "io_bitmap_a", 40, 8);
        field("IO_BITMAP_A_HIGH", 0x2001, "io_bitmap_a", 44, 4);
        field("IO_BITMAP_B", 0x2002, "io_bitmap_b", 48, 8);
        field("IO_BITMAP_B_HIGH", 0x2003, "io_bitmap_b", 52, 4);
        field("MSR_BITMAP", 0x2004, "msr_bitmap", 56, 8);
        field("MSR_BITMAP_HIGH", 0x2005, "msr_bitmap", 60, 4);
        field("VM_EXIT_MSR_STORE_ADDR", 0x2006, "vm_exit_msr_store_addr", 64, 8);
        field("VM_EXIT_MSR_STORE_ADDR_HIGH", 0x2007, "vm_exit_msr_store_addr", 68, 4);
        field("VM_EXIT_MSR_LOAD_ADDR", 0x2008, "vm_exit_msr_load_addr", 72, 8);
        field("VM_EXIT_MSR_LOAD_ADDR_HIGH", 0x2009, "vm_exit_msr_load_addr", 76, 4);
        field("VM_ENTRY_MSR_LOAD_ADDR", 0x200a, "vm_entry_msr_load_addr", 80, 8);
        field("VM_ENTRY_MSR_LOAD_ADDR_HIGH", 0x200b, "vm_entry_msr_load_addr", 84, 4);
        field("PML_ADDRESS", 0x200e, "pml_address", 312, 8);
        field("PML_ADDRESS_HIGH", 0x200f, "pml_address", 316, 4);
        field("TSC_OFFSET", 0x2010, "tsc_offset", 88, 8);
        field("TSC_OFFSET_HIGH", 0x2011, "tsc_offset", 92, 4);
        field("TSC_MULTIPLIER", 0x2032, "tsc_multiplier", 328, 8);
        field("TSC_MULTIPLIER_HIGH", 0x2033, "tsc_multiplier", 332, 4);
        field("VIRTUAL_APIC_PAGE_ADDR", 0x2012, "virtual_apic_page_addr", 96, 8);
        field("VIRTUAL_APIC_PAGE_ADDR_HIGH", 0x2013, "virtual_apic_page_addr", 100, 4);
        field("APIC_ACCESS_ADDR", 0x2014, "apic_access_addr", 104, 8);
        field("APIC_ACCESS_ADDR_HIGH", 0x2015, "apic_access_addr", 108, 4);
        field("POSTED_INTR_DESC_ADDR", 0x2016, "posted_intr_desc_addr", 112, 8);
        field("POSTED_INTR_DESC_ADDR_HIGH", 0x2017, "posted_intr_desc_addr", 116, 4);
        field("VM_FUNCTION_CONTROL", 0x2018, "vm_function_control", 296, 8);
        field("VM_FUNCTION_CONTROL_HIGH", 0x2019, "vm_function_control", 300, 4);
        field("EPT_POINTER", 0x201a, "ept_pointer", 120, 8);
        field("EPT_POINTER_HIGH", 0x201b, "ept_pointer", 124, 4);
        field("EOI_EXIT_BITMAP0", 0x201c, "eoi_exit_bitmap0", 128, 8);
        field("EOI_EXIT_BITMAP0_HIGH", 0x201d, "eoi_exit_bitmap0", 132, 4);
        field("EOI_EXIT_BITMAP1", 0x201e, "eoi_exit_bitmap1", 136, 8);
        field("EOI_EXIT_BITMAP1_HIGH", 0x201f, "eoi_exit_bitmap1", 140, 4);
        field("EOI_EXIT_BITMAP2", 0x2020, "eoi_exit_bitmap2", 144, 8);
        field("EOI_EXIT_BITMAP2_HIGH", 0x2021, "eoi_exit_bitmap2", 148, 4);
        field("EOI_EXIT_BITMAP3", 0x2022, "eoi_exit_bitmap3", 152, 8);
        field("EOI_EXIT_BITMAP3_HIGH", 0x2023, "eoi_exit_bitmap3", 156, 4);
        field("EPTP_LIST_ADDRESS", 0x2024, "eptp_list_address", 304, 8);
        field("EPTP_LIST_ADDRESS_HIGH", 0x2025, "eptp_list_address", 308, 4);
        field("VMREAD_BITMAP", 0x2026, "vmread_bitmap", 280, 8);
        field("VMREAD_BITMAP_HIGH", 0x2027, "vmread_bitmap", 284, 4);
        field("VMWRITE_BITMAP", 0x2028, "vmwrite_bitmap", 288, 8);
        field("VMWRITE_BITMAP_HIGH", 0x2029, "vmwrite_bitmap", 292, 4);
        field("XSS_EXIT_BITMAP", 0x202c, "xss_exit_bitmap", 160, 8);
        field("XSS_EXIT_BITMAP_HIGH", 0x202d, "xss_exit_bitmap", 164, 4);
        field("ENCLS_EXITING_BITMAP", 0x202e, "encls_exiting_bitmap", 320, 8);
        field("ENCLS_EXITING_BITMAP_HIGH", 0x202f, "encls_exiting_bitmap", 324, 4);
        field("GUEST_PHYSICAL_ADDRESS", 0x2400, "guest_physical_address", 168, 8);
        field("GUEST_PHYSICAL_ADDRESS_HIGH", 0x2401, "guest_physical_address", 172, 4);
        field("VMCS_LINK_POINTER", 0x2800, "vmcs_link_pointer", 176, 8);
        field("VMCS_LINK_POINTER_HIGH", 0x2801, "vmcs_link_pointer", 180, 4);
        field("GUEST_IA32_DEBUGCTL", 0x2802, "guest_ia32_debugctl", 184, 8);
        field("GUEST_IA32_DEBUGCTL_HIGH", 0x2803, "guest_ia32_debugctl", 188, 4);
        field("GUEST_IA32_PAT", 0x2804, "guest_ia32_pat", 192, 8);
        field("GUEST_IA32_PAT_HIGH", 0x2805, "guest_ia32_pat", 196, 4);
        field("GUEST_IA32_EFER", 0x2806, "guest_ia32_efer", 200, 8);
        field("GUEST_IA32_EFER_HIGH", 0x2807, "guest_ia32_efer", 204, 4);
        field("GUEST_IA32_PERF_GLOBAL_CTRL", 0x2808, "guest_ia32_perf_global_ctrl", 208, 8);
        field("GUEST_IA32_PERF_GLOBAL_CTRL_HIGH", 0x2809, "guest_ia32_perf_global_ctrl", 212, 4);
        field("GUEST_PDPTR0", 0x280a, "guest_pdptr0", 216, 8);
        field("GUEST_PDPTR0_HIGH", 0x280b, "guest_pdptr0", 220, 4);
        field("GUEST_PDPTR1", 0x280c, "guest_pdptr1", 224, 8);
        field("GUEST_PDPTR1_HIGH", 0x280d, "guest_pdptr1", 228, 4);
        field("GUEST_PDPTR2", 0x280e, "guest_pdptr2", 232, 8);
        field("GUEST_PDPTR2_HIGH", 0x280f, "guest_pdptr2", 236, 4);
        field("GUEST_PDPTR3", 0x2810, "guest_pdptr3", 240, 8);
        field("GUEST_PDPTR3_HIGH", 0x2811, "guest_pdptr3", 244, 4);
        field("GUEST_BNDCFGS", 0x2812, "guest_bndcfgs", 248, 8);
        field("GUEST_BNDCFGS_HIGH", 0x2813, "guest_bndcfgs", 252, 4);
        field("HOST_IA32_PAT", 0x2c00, "host_ia32_pat", 256, 8);
        field("HOST_IA32_PAT_HIGH", 0x2c01, "host_ia32_pat", 260, 4);
        field("HOST_IA32_EFER", 0x2c02, "host_ia32_efer", 264, 8);
        field("HOST_IA32_EFER_HIGH", 0x2c03, "host_ia32_efer", 268, 4);
        field("HOST_IA32_PERF_GLOBAL_CTRL", 0x2c04, "host_ia32_perf_global_ctrl", 272, 8);
        field("HOST_IA32_PERF_GLOBAL_CTRL_HIGH", 0x2c05, "host_ia32_perf_global_ctrl", 276, 4);
        field("PIN_BASED_VM_EXEC_CONTROL", 0x4000, "pin_based_vm_exec_control", 744, 4);
        field("CPU_BASED_VM_EXEC_CONTROL", 0x4002, "cpu_based_vm_exec_control", 748, 4);
        field("EXCEPTION_BITMAP", 0x4004, "exception_bitmap", 752, 4);
        field("PAGE_FAULT_ERROR_CODE_MASK", 0x4006, "page_fault_error_code_mask", 756, 4);
        field("PAGE_FAULT_ERROR_CODE_MATCH", 0x4008, "page_fault_error_code_match", 760, 4);
        field("CR3_TARGET_COUNT", 0x400a, "cr3_target_count", 764, 4);
        field("VM_EXIT_CONTROLS", 0x400c, "vm_exit_controls", 768, 4);
        field("VM_EXIT_MSR_STORE_COUNT", 0x400e, "vm_exit_msr_store_count", 772, 4);
        field("VM_EXIT_MSR_LOAD_COUNT", 0x4010, "vm_exit_msr_load_count", 776, 4);
        field("VM_ENTRY_CONTROLS", 0x4012, "vm_entry_controls", 780, 4);
        field("VM_ENTRY_MSR_LOAD_COUNT", 0x4014, "vm_entry_msr_load_count", 784, 4);
        field("VM_ENTRY_INTR_INFO_FIELD", 0x4016, "vm_entry_intr_info_field", 788, 4);
        field("VM_ENTRY_EXCEPTION_ERROR_CODE", 0x4018, "vm_entry_exception_error_code", 792, 4);
        field("VM_ENTRY_INSTRUCTION_LEN", 0x401a, "vm_entry_instruction_len", 796, 4);
        field("TPR_THRESHOLD", 0x401c, "tpr_threshold", 800, 4);
        field("SECONDARY_VM_EXEC_CONTROL", 0x401e, "secondary_vm_exec_control", 804, 4);
        field("VM_INSTRUCTION_ERROR", 0x4400, "vm_instruction_error", 808, 4);
        field("VM_EXIT_REASON", 0x4402, "vm_exit_reason", 812, 4);
        field("VM_EXIT_INTR_INFO", 0x4404, "vm_exit_intr_info", 816, 4);
        field("VM_EXIT_INTR_ERROR_CODE", 0x4406, "vm_exit_intr_error_code", 820, 4);
        field("IDT_VECTORING_INFO_FIELD", 0x4408, "idt_vectoring_info_field", 824, 4);
        field("IDT_VECTORING_ERROR_CODE", 0x440a, "idt_vectoring_error_code", 828, 4);
        field("VM_EXIT_INSTRUCTION_LEN", 0x440c, "vm_exit_instruction_len", 832, 4);
        field("VMX_INSTRUCTION_INFO", 0x440e, "vmx_instruction_info", 836, 4);
        field("GUEST_ES_LIMIT", 0x4800, "guest_es_limit", 840, 4);
        field("GUEST_CS_LIMIT", 0x4802, "guest_cs_limit", 844, 4);
        field("GUEST_SS_LIMIT", 0x4804, "guest_ss_limit", 848, 4);
        field("GUEST_DS_LIMIT", 0x4806, "guest_ds_limit", 852, 4);
        field("GUEST_FS_LIMIT", 0x4808, "guest_fs_limit", 856, 4);
        field("GUEST_GS_LIMIT", 0x480a, "guest_gs_limit", 860, 4);
        field("GUEST_LDTR_LIMIT", 0x480c, "guest_ldtr_limit", 864, 4);
        field("GUEST_TR_LIMIT", 0x480e, "guest_tr_limit", 868, 4);
        field("GUEST_GDTR_LIMIT", 0x4810, "guest_gdtr_limit", 872, 4);
        field("GUEST_IDTR_LIMIT", 0x4812, "guest_idtr_limit", 876, 4);
        field("GUEST_ES_AR_BYTES", 0x4814, "guest_es_ar_bytes", 880, 4);
        field("GUEST_CS_AR_BYTES", 0x4816, "guest_cs_ar_bytes", 884, 4);
        field("GUEST_SS_AR_BYTES", 0x4818, "guest_ss_ar_bytes", 888, 4);
        field("GUEST_DS_AR_BYTES", 0x481a, "guest_ds_ar_bytes", 892, 4);
        field("GUEST_FS_AR_BYTES", 0x481c, "guest_fs_ar_bytes", 896, 4);
        field("GUEST_GS_AR_BYTES", 0x481e, "guest_gs_ar_bytes", 900, 4);
        field("GUEST_LDTR_AR_BYTES", 0x4820, "guest_ldtr_ar_bytes", 904, 4);
        field("GUEST_TR_AR_BYTES", 0x4822, "guest_tr_ar_bytes", 908, 4);
        field("GUEST_INTERRUPTIBILITY_INFO", 0x4824, "guest_interruptibility_info", 912, 4);
        field("GUEST_ACTIVITY_STATE", 0x4826, "guest_activity_state", 916, 4);
        field("GUEST_SYSENTER_CS", 0x482a, "guest_sysenter_cs", 920, 4);
        field("HOST_IA32_SYSENTER_CS", 0x4c00, "host_ia32_sysenter_cs", 924, 4);
        field("VMX_PREEMPTION_TIMER_VALUE", 0x482e, "vmx_preemption_timer_value", 928, 4);
        field("CR0_GUEST_HOST_MASK", 0x6000, "cr0_guest_host_mask", 344, 8);
        field("CR4_GUEST_HOST_MASK", 0x6002, "cr4_guest_host_mask", 352, 8);
        field("CR0_READ_SHADOW", 0x6004, "cr0_read_shadow", 360, 8);
        field("CR4_READ_SHADOW", 0x6006, "cr4_read_shadow", 368, 8);
        field("EXIT_QUALIFICATION", 0x6400, "exit_qualification", 408, 8);
        field("GUEST_LINEAR_ADDRESS", 0x640a, "guest_linear_address", 416, 8);
        field("GUEST_CR0", 0x6800, "guest_cr0", 424, 8);
        field("GUEST_CR3", 0x6802, "guest_cr3", 432, 8);
        field("GUEST_CR4", 0x6804, "guest_cr4", 440, 8);
        field("GUEST_ES_BASE", 0x6806, "guest_es_base", 448, 8);
        field("GUEST_CS_BASE", 0x6808, "guest_cs_base", 456, 8);
        field("GUEST_SS_BASE", 0x680a, "guest_ss_base", 464, 8);
        field("GUEST_DS_BASE", 0x680c, "guest_ds_base", 472, 8);
        field("GUEST_FS_BASE", 0x680e, "guest_fs_base", 480, 8);
        field("GUEST_GS_BASE", 0x6810, "guest_gs_base", 488, 8);
        field("GUEST_LDTR_BASE", 0x6812, "guest_ldtr_base", 496, 8);
        field("GUEST_TR_BASE", 0x6814, "guest_tr_base", 504, 8);
        field("GUEST_GDTR_BASE", 0x6816, "guest_gdtr_base", 512, 8);
        field("GUEST_IDTR_BASE", 0x6818, "guest_idtr_base", 520, 8);
        field("GUEST_DR7", 0x681a, "guest_dr7", 528, 8);
        field("GUEST_RSP", 0x681c, "guest_rsp", 536, 8);
        field("GUEST_RIP", 0x681e, "guest_rip", 544, 8);
        field("GUEST_RFLAGS", 0x6820, "guest_rflags", 552, 8);
        field("GUEST_PENDING_DBG_EXCEPTIONS", 0x6822, "guest_pending_dbg_exceptions", 560, 8);
        field("GUEST_SYSENTER_ESP", 0x6824, "guest_sysenter_esp", 568, 8);
        field("GUEST_SYSENTER_EIP", 0x6826, "guest_sysenter_eip", 576, 8);
        field("HOST_CR0", 0x6c00, "host_cr0", 584, 8);
        field("HOST_CR3", 0x6c02, "host_cr3", 592, 8);
        field("HOST_CR4", 0x6c04, "host_cr4", 600, 8);
        field("HOST_FS_BASE", 0x6c06, "host_fs_base", 608, 8);
        field("HOST_GS_BASE", 0x6c08, "host_gs_base", 616, 8);
        field("HOST_TR_BASE", 0x6c0a, "host_tr_base", 624, 8);
        field("HOST_GDTR_BASE", 0x6c0c, "host_gdtr_base", 632, 8);
        field("HOST_IDTR_BASE", 0x6c0e, "host_idtr_base", 640, 8);
        field("HOST_IA32_SYSENTER_ESP", 0x6c10, "host_ia32_sysenter_esp", 648, 8);
        field("HOST_IA32_SYSENTER_EIP", 0x6c12, "host_ia32_sysenter_eip", 656, 8);
        field("HOST_RSP", 0x6c14, "host_rsp", 664, 8);
        field("HOST_RIP", 0x6c16, "host_rip", 672, 8);
    }

    private static final List<Vmcs12Field> FIELD_LIST = List.copyOf(FIELDS.values());
    private static final int END = FIELD_LIST.stream().mapToInt(f -> f.offset() + f.size()).max().orElse(0);

    private Vmcs12Layout() {
    }

    /**
     * Every field, in {@code vmcs12_field_offsets[]} order, {@code _HIGH} halves after their field.
     *
     * @return the fields, unmodifiable
     */
    public static List<Vmcs12Field> fields() {
        return FIELD_LIST;
    }

    /**
     * One field by its Linux VMCS field name.
     *
     * @param linuxName e.g. {@code GUEST_RIP} or {@code EPT_POINTER_HIGH}
     * @return the field, empty if vmcs12 does not hold it
     */
    public static Optional<Vmcs12Field> field(String linuxName) {
        return Optional.ofNullable(FIELDS.get(linuxName));
    }

    /**
     * One field by its VMCS encoding (SDM Appendix B; Linux {@code enum vmcs_field}).
     *
     * @param encoding e.g. 0x681e for {@code GUEST_RIP}
     * @return the field, empty if vmcs12 does not hold it
     */
    public static Optional<Vmcs12Field> fieldByEncoding(int encoding) {
        return Optional.ofNullable(BY_ENCODING.get(encoding));
    }

    /**
     * The end of the last field: the bytes of a vmcs12 image that carry data.
     *
     * @return the used size in bytes
     */
    public static int usedSize() {
        return END;
    }

    /**
     * Decodes a vmcs12 image (e.g. {@code data.vmx[0].vmcs12} of {@code KVM_GET_NESTED_STATE}).
     *
     * @param image at least {@link #usedSize()} and at most {@link #SIZE} bytes, little-endian
     * @return the decoded image
     * @throws IllegalArgumentException if the image is too short (truncated), longer than
     *         {@code VMCS12_SIZE} (not one vmcs12), or its revision is not {@link #REVISION}
     */
    public static Vmcs12Image decode(byte[] image) {
        if (image.length < END) {
            throw new IllegalArgumentException("vmcs12 image of " + image.length + " bytes is shorter than the "
                    + END + " bytes struct vmcs12 uses");
        }
        if (image.length > SIZE) {
            throw new IllegalArgumentException("vmcs12 image of " + image.length + " bytes is longer than VMCS12_SIZE ("
                    + SIZE + " bytes): not one vmcs12");
        }
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(image).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int header = in.getInt(0);
        int revision = header & 0x7fffffff;
        if (revision != REVISION) {
            throw new IllegalArgumentException("vmcs12 revision 0x" + Integer.toHexString(revision)
                    + " is not KVM's VMCS12_REVISION 0x" + Integer.toHexString(REVISION));
        }
        Map<String, Long> values = new LinkedHashMap<>();
        for (Vmcs12Field field : FIELD_LIST) {
            values.put(field.linuxName(), field.read(in));
        }
        return new Vmcs12Image(header < 0, in.getInt(ABORT_OFFSET), in.getInt(LAUNCH_STATE_OFFSET),
                Collections.unmodifiableMap(values));
    }

    /**
     * Builds a {@link #SIZE}-byte vmcs12 image with {@link #REVISION} in its header: the inverse of
     * {@link #decode(byte[])}. Fields not given are 0. Give a 64-bit field or its {@code _HIGH}
     * half, not both.
     *
     * @param values Linux field name to value
     * @return the image
     * @throws IllegalArgumentException for a name vmcs12 does not hold, a value that does not
     *         fit its field, or a 64-bit field given together with its {@code _HIGH} half
     */
    public static byte[] encode(Map<String, Long> values) {
        byte[] image = new byte[SIZE];
        java.nio.ByteBuffer out = java.nio.ByteBuffer.wrap(image).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.putInt(0, REVISION);
        for (Map.Entry<String, Long> value : values.entrySet()) {
            Vmcs12Field field = field(value.getKey()).orElseThrow(() -> new IllegalArgumentException(
                    "struct vmcs12 holds no field named '" + value.getKey() + "'"));
            // the two share bytes: which one wins would depend on the map's order
            if (value.getKey().endsWith("_HIGH")) {
                String full = value.getKey().substring(0, value.getKey().length() - "_HIGH".length());
                if (values.containsKey(full)) {
                    throw new IllegalArgumentException(full + " and " + value.getKey()
                            + " both given: they are the same bytes of struct vmcs12 (" + field.member() + ")");
                }
            }
            field.write(out, value.getValue());
        }
        return image;
    }

    /**
     * Builds a vmcs12 image from a VMCS: the inverse of {@link Vmcs12Image#toSnapshot()}.
     *
     * @param vmcs the fields to write; every one must be a field vmcs12 holds
     * @return the {@link #SIZE}-byte image
     * @throws IllegalArgumentException naming the first field struct vmcs12 has no room for
     */
    public static byte[] encode(dev.vmx.vmcs.Vmcs vmcs) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (dev.vmx.vmcs.VmcsField field : vmcs.fields()) {
            if (field(field.name()).isEmpty()) {
                throw new IllegalArgumentException("struct vmcs12 (revision 0x" + Integer.toHexString(REVISION)
                        + ") has no room for " + field + " (encoding 0x" + Integer.toHexString(field.encoding()) + ")");
            }
            values.put(field.name(), vmcs.read(field));
        }
        return encode(values);
    }
}
