package dev.vmx.dump;

import dev.vmx.vmcs.GuestSegment;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which VMCS field each value that {@code dump_vmcs()} prints comes from: the label Linux prints
 * (keyed as in {@link VmcsDump#fields()}) and the {@code vmcs_read*()} argument next to it in
 * {@code arch/x86/kvm/vmx/vmx.c}. {@code VmcsDumpSnapshotTest} checks this table against the
 * labels and arguments extracted from Linux 6.1's {@code dump_vmcs()}.
 */
final class DumpFields {
    /** Label key → field, in print order. */
    static final Map<String, VmcsField> BY_KEY = new LinkedHashMap<>();

    static {
        put("guest.CR0.actual", VmcsField.GUEST_CR0);
        put("guest.CR0.shadow", VmcsField.CR0_READ_SHADOW);
        put("guest.CR0.gh_mask", VmcsField.CR0_GUEST_HOST_MASK);
        put("guest.CR4.actual", VmcsField.GUEST_CR4);
        put("guest.CR4.shadow", VmcsField.CR4_READ_SHADOW);
        put("guest.CR4.gh_mask", VmcsField.CR4_GUEST_HOST_MASK);
        put("guest.CR3", VmcsField.GUEST_CR3);
        put("guest.PDPTR0", VmcsField.GUEST_PDPTR0);
        put("guest.PDPTR1", VmcsField.GUEST_PDPTR1);
        put("guest.PDPTR2", VmcsField.GUEST_PDPTR2);
        put("guest.PDPTR3", VmcsField.GUEST_PDPTR3);
        put("guest.RSP", VmcsField.GUEST_RSP);
        put("guest.RIP", VmcsField.GUEST_RIP);
        put("guest.RFLAGS", VmcsField.GUEST_RFLAGS);
        put("guest.DR7", VmcsField.GUEST_DR7);
        put("guest.Sysenter RSP", VmcsField.GUEST_SYSENTER_ESP);
        put("guest.Sysenter CS", VmcsField.GUEST_SYSENTER_CS);
        put("guest.Sysenter RIP", VmcsField.GUEST_SYSENTER_EIP);
        put("guest.EFER", VmcsField.GUEST_IA32_EFER);
        put("guest.PAT", VmcsField.GUEST_IA32_PAT);
        put("guest.DebugCtl", VmcsField.GUEST_IA32_DEBUGCTL);
        put("guest.DebugExceptions", VmcsField.GUEST_PENDING_DBG_EXCEPTIONS);
        put("guest.PerfGlobCtl", VmcsField.GUEST_IA32_PERF_GLOBAL_CTRL);
        put("guest.BndCfgS", VmcsField.GUEST_BNDCFGS);
        put("guest.Interruptibility", VmcsField.GUEST_INTERRUPTIBILITY_INFO);
        put("guest.ActivityState", VmcsField.GUEST_ACTIVITY_STATE);
        put("guest.InterruptStatus", VmcsField.GUEST_INTR_STATUS);
        put("host.RIP", VmcsField.HOST_RIP);
        put("host.RSP", VmcsField.HOST_RSP);
        put("host.CS", VmcsField.HOST_CS_SELECTOR);
        put("host.SS", VmcsField.HOST_SS_SELECTOR);
        put("host.DS", VmcsField.HOST_DS_SELECTOR);
        put("host.ES", VmcsField.HOST_ES_SELECTOR);
        put("host.FS", VmcsField.HOST_FS_SELECTOR);
        put("host.GS", VmcsField.HOST_GS_SELECTOR);
        put("host.TR", VmcsField.HOST_TR_SELECTOR);
        put("host.FSBase", VmcsField.HOST_FS_BASE);
        put("host.GSBase", VmcsField.HOST_GS_BASE);
        put("host.TRBase", VmcsField.HOST_TR_BASE);
        put("host.GDTBase", VmcsField.HOST_GDTR_BASE);
        put("host.IDTBase", VmcsField.HOST_IDTR_BASE);
        put("host.CR0", VmcsField.HOST_CR0);
        put("host.CR3", VmcsField.HOST_CR3);
        put("host.CR4", VmcsField.HOST_CR4);
        put("host.Sysenter RSP", VmcsField.HOST_IA32_SYSENTER_ESP);
        put("host.Sysenter CS", VmcsField.HOST_IA32_SYSENTER_CS);
        put("host.Sysenter RIP", VmcsField.HOST_IA32_SYSENTER_EIP);
        put("host.EFER", VmcsField.HOST_IA32_EFER);
        put("host.PAT", VmcsField.HOST_IA32_PAT);
        put("host.PerfGlobCtl", VmcsField.HOST_IA32_PERF_GLOBAL_CTRL);
        put("control.CPUBased", VmcsField.CPU_BASED_VM_EXEC_CONTROL);
        put("control.SecondaryExec", VmcsField.SECONDARY_VM_EXEC_CONTROL);
        put("control.TertiaryExec", VmcsField.TERTIARY_VM_EXEC_CONTROL);
        put("control.PinBased", VmcsField.PIN_BASED_VM_EXEC_CONTROL);
        put("control.EntryControls", VmcsField.VM_ENTRY_CONTROLS);
        put("control.ExitControls", VmcsField.VM_EXIT_CONTROLS);
        put("control.ExceptionBitmap", VmcsField.EXCEPTION_BITMAP);
        put("control.PFECmask", VmcsField.PAGE_FAULT_ERROR_CODE_MASK);
        put("control.PFECmatch", VmcsField.PAGE_FAULT_ERROR_CODE_MATCH);
        put("control.VMEntry.intr_info", VmcsField.VM_ENTRY_INTR_INFO_FIELD);
        put("control.VMEntry.errcode", VmcsField.VM_ENTRY_EXCEPTION_ERROR_CODE);
        put("control.VMEntry.ilen", VmcsField.VM_ENTRY_INSTRUCTION_LEN);
        put("control.VMExit.intr_info", VmcsField.VM_EXIT_INTR_INFO);
        put("control.VMExit.errcode", VmcsField.VM_EXIT_INTR_ERROR_CODE);
        put("control.VMExit.ilen", VmcsField.VM_EXIT_INSTRUCTION_LEN);
        put("control.VMExit.reason", VmcsField.VM_EXIT_REASON);
        put("control.VMExit.qualification", VmcsField.EXIT_QUALIFICATION);
        put("control.IDTVectoring.info", VmcsField.IDT_VECTORING_INFO_FIELD);
        put("control.IDTVectoring.errcode", VmcsField.IDT_VECTORING_ERROR_CODE);
        put("control.TSC Offset", VmcsField.TSC_OFFSET);
        put("control.TSC Multiplier", VmcsField.TSC_MULTIPLIER);
        put("control.TPR Threshold", VmcsField.TPR_THRESHOLD);
        put("control.APIC-access addr", VmcsField.APIC_ACCESS_ADDR);
        put("control.virt-APIC addr", VmcsField.VIRTUAL_APIC_PAGE_ADDR);
        put("control.PostedIntrVec", VmcsField.POSTED_INTR_NV);
        put("control.EPT pointer", VmcsField.EPT_POINTER);
        put("control.PLE Gap", VmcsField.PLE_GAP);
        put("control.Window", VmcsField.PLE_WINDOW);
        put("control.Virtual processor ID", VmcsField.VIRTUAL_PROCESSOR_ID);
    }

    /**
     * Labels of older kernels that 6.1 no longer prints: the CR3-target lines of 4.x to 5.x
     * ({@code CR3 target%u=%016lx}, read from {@code CR3_TARGET_VALUE0 + i * 2}). Checked against
     * Linux 4.19's {@code dump_vmcs()} by {@code VmcsDumpSnapshotTest}.
     */
    static final Map<String, VmcsField> OLDER = new LinkedHashMap<>();

    static {
        OLDER.put("control.CR3 target0", VmcsField.CR3_TARGET_VALUE0);
        OLDER.put("control.CR3 target1", VmcsField.CR3_TARGET_VALUE1);
        OLDER.put("control.CR3 target2", VmcsField.CR3_TARGET_VALUE2);
        OLDER.put("control.CR3 target3", VmcsField.CR3_TARGET_VALUE3);
    }

    /**
     * The fewest hex digits each value has in {@code dump_vmcs()}'s fixed-width formats
     * ({@code %016lx}, {@code %08x}, {@code %04x}, {@code %02x}); a value printed with fewer was cut
     * off. {@code VmcsDumpParserTest} checks it against the formats of Linux's {@code dump_vmcs()}.
     */
    static final Map<String, Integer> MIN_DIGITS = new java.util.HashMap<>();

    static {
        for (String key : BY_KEY.keySet()) {
            MIN_DIGITS.put(key, 16);
        }
        for (String key : OLDER.keySet()) {
            MIN_DIGITS.put(key, 16);
        }
        for (String key : List.of("guest.PDPTE0", "guest.PDPTE1", "guest.PDPTE2", "guest.PDPTE3", "control.VMfunc controls")) {
            MIN_DIGITS.put(key, 16);
        }
        MIN_DIGITS.put("control.EPTP index", 4);
        for (String key : List.of("guest.RFLAGS", "guest.Interruptibility", "guest.ActivityState", "control.CPUBased",
                "control.SecondaryExec", "control.PinBased", "control.EntryControls", "control.ExitControls",
                "control.ExceptionBitmap", "control.PFECmask", "control.PFECmatch", "control.VMEntry.intr_info",
                "control.VMEntry.errcode", "control.VMEntry.ilen", "control.VMExit.intr_info", "control.VMExit.errcode",
                "control.VMExit.ilen", "control.VMExit.reason", "control.IDTVectoring.info", "control.IDTVectoring.errcode",
                "control.PLE Gap", "control.Window")) {
            MIN_DIGITS.put(key, 8);
        }
        for (String key : List.of("guest.Sysenter CS", "guest.InterruptStatus", "host.CS", "host.SS", "host.DS", "host.ES",
                "host.FS", "host.GS", "host.TR", "host.Sysenter CS", "control.Virtual processor ID")) {
            MIN_DIGITS.put(key, 4);
        }
        for (String key : List.of("control.SVI", "control.RVI", "control.TPR Threshold", "control.PostedIntrVec")) {
            MIN_DIGITS.put(key, 2);
        }
    }

    /**
     * The keys every Linux since 4.x prints unconditionally, per section: a block that lacks one
     * was cut off (or quoted in part). Segment rows are listed by name.
     */
    static final Map<String, List<String>> ALWAYS = Map.of(
            "guest", List.of("guest.CR0.actual", "guest.CR0.shadow", "guest.CR0.gh_mask", "guest.CR4.actual", "guest.CR4.shadow",
                    "guest.CR4.gh_mask", "guest.CR3", "guest.RSP", "guest.RIP", "guest.RFLAGS", "guest.DR7", "guest.Sysenter RSP",
                    "guest.Sysenter CS", "guest.Sysenter RIP", "CS", "DS", "SS", "ES", "FS", "GS", "GDTR", "LDTR", "IDTR", "TR",
                    "guest.DebugCtl", "guest.DebugExceptions", "guest.Interruptibility", "guest.ActivityState"),
            "host", List.of("host.RIP", "host.RSP", "host.CS", "host.SS", "host.DS", "host.ES", "host.FS", "host.GS", "host.TR",
                    "host.FSBase", "host.GSBase", "host.TRBase", "host.GDTBase", "host.IDTBase", "host.CR0", "host.CR3", "host.CR4",
                    "host.Sysenter RSP", "host.Sysenter CS", "host.Sysenter RIP"),
            "control", List.of("control.PinBased", "control.CPUBased", "control.SecondaryExec", "control.EntryControls",
                    "control.ExitControls", "control.ExceptionBitmap", "control.PFECmask", "control.PFECmatch",
                    "control.VMEntry.intr_info", "control.VMEntry.errcode", "control.VMEntry.ilen", "control.VMExit.intr_info",
                    "control.VMExit.errcode", "control.VMExit.ilen", "control.VMExit.reason", "control.VMExit.qualification",
                    "control.IDTVectoring.info", "control.IDTVectoring.errcode", "control.TSC Offset"));

    /**
     * Labels only Xen's {@code vmcs_dump_vcpu()} ({@code xen/arch/x86/hvm/vmx/vmcs.c}) prints, with
     * the {@code vmr()} argument next to them; the other Xen labels are Linux's (Linux's
     * {@code dump_vmcs()} was written after Xen's).
     */
    static final Map<String, VmcsField> XEN = new LinkedHashMap<>();

    static {
        XEN.put("guest.PDPTE0", VmcsField.GUEST_PDPTR0);
        XEN.put("guest.PDPTE1", VmcsField.GUEST_PDPTR1);
        XEN.put("guest.PDPTE2", VmcsField.GUEST_PDPTR2);
        XEN.put("guest.PDPTE3", VmcsField.GUEST_PDPTR3);
        XEN.put("control.EPTP index", VmcsField.EPTP_INDEX);
        XEN.put("control.VMfunc controls", VmcsField.VM_FUNCTION_CONTROL);
    }

    /** Notes after a value saying the value is not the VMCS field's (Linux's EFER line). */
    static boolean replacesField(String note) {
        return note.equals("(effective)") || note.equals("(autoload)");
    }

    private DumpFields() {
    }

    /** The fewest digits dump_vmcs() prints for a key, 1 for labels it does not print. */
    static int minDigits(String key) {
        return MIN_DIGITS.getOrDefault(key, 1);
    }

    /** The field a label reads, in any kernel version. */
    static java.util.Optional<VmcsField> field(String key) {
        VmcsField field = BY_KEY.get(key);
        field = field != null ? field : OLDER.get(key);
        return java.util.Optional.ofNullable(field != null ? field : XEN.get(key));
    }

    /** Whether dump_vmcs() prints the label (also SVI|RVI, which is two bytes of one field). */
    static boolean isKnown(String key) {
        return BY_KEY.containsKey(key) || OLDER.containsKey(key) || XEN.containsKey(key) || key.equals("control.SVI") || key.equals("control.RVI");
    }

    private static void put(String key, VmcsField field) {
        BY_KEY.put(key, field);
    }

    /**
     * The printed values that are VMCS fields. Values Linux annotated ("(effective)", "(autoload)")
     * are not the field's and stay out (Xen's notes, the register copy "(0x...)" after RSP, RIP and
     * RFLAGS and the symbol after the host RIP, follow the field's value and do not); "SVI|RVI" is the guest interrupt status split in two bytes.
     */
    static VmcsSnapshot snapshot(Map<String, Long> fields, Map<String, String> annotations,
            List<VmcsDumpSegment> segments) {
        VmcsSnapshot.Builder builder = VmcsSnapshot.builder();
        for (Map.Entry<String, Long> entry : fields.entrySet()) {
            // the parser reports a value too wide for its field; it never reaches the snapshot
            java.util.Optional<VmcsField> field = field(entry.getKey());
            if (field.isPresent() && !(annotations.containsKey(entry.getKey()) && replacesField(annotations.get(entry.getKey()))) && fits(field.get(), entry.getValue())) {
                builder.put(field.get(), entry.getValue());
            }
        }
        Long svi = fields.get("control.SVI");
        Long rvi = fields.get("control.RVI");
        if (svi != null && rvi != null && !fields.containsKey("guest.InterruptStatus") && svi < 0x100 && rvi < 0x100) {
            builder.put(VmcsField.GUEST_INTR_STATUS, (svi << 8) | rvi);
        }
        for (VmcsDumpSegment row : segments) {
            switch (row.name()) {
                case "GDTR" -> builder.put(VmcsField.GUEST_GDTR_LIMIT, row.limit()).put(VmcsField.GUEST_GDTR_BASE, row.base());
                case "IDTR" -> builder.put(VmcsField.GUEST_IDTR_LIMIT, row.limit()).put(VmcsField.GUEST_IDTR_BASE, row.base());
                default -> {
                    GuestSegment segment = GuestSegment.valueOf(row.name());
                    row.selector().ifPresent(selector -> builder.put(segment.selector(), selector));
                    row.accessRights().ifPresent(rights -> builder.put(segment.accessRights(), rights));
                    builder.put(segment.limit(), row.limit()).put(segment.base(), row.base());
                }
            }
        }
        return builder.build();
    }

    /** The parser reports a line whose value is too wide for its field as a problem. */
    static boolean fits(VmcsField field, long value) {
        return field.valueBits() == 64 || (value >>> field.valueBits()) == 0;
    }
}
