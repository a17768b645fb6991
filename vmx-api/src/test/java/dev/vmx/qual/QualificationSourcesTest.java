package dev.vmx.qual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.CDefines;
import dev.vmx.SourceTable;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/** Bit positions of every exit-qualification format, checked against ia32-doc and Linux. */
class QualificationSourcesTest {
    private static long bool(boolean value) {
        return value ? 1 : 0;
    }

    /** ia32-doc "FORMAT/FIELD" to our accessor returning the field's value shifted down. */
    private static final Map<String, LongUnaryOperator> FIELDS = new HashMap<>();

    static {
        FIELDS.put("DEBUG_EXCEPTION/BREAKPOINT_CONDITION", q -> DebugExceptionQualification.of(q).breakpoints());
        FIELDS.put("DEBUG_EXCEPTION/BD", q -> bool(DebugExceptionQualification.of(q).isDebugRegisterAccess()));
        FIELDS.put("DEBUG_EXCEPTION/BS", q -> bool(DebugExceptionQualification.of(q).isSingleStep()));
        FIELDS.put("TASK_SWITCH/SELECTOR", q -> TaskSwitchQualification.of(q).selector());
        FIELDS.put("TASK_SWITCH/TYPE", q -> TaskSwitchQualification.of(q).source().ordinal());
        FIELDS.put("CR_ACCESS/REGISTER", q -> CrAccessQualification.of(q).crNumber());
        FIELDS.put("CR_ACCESS/ACCESS", q -> CrAccessQualification.of(q).accessType().ordinal());
        FIELDS.put("CR_ACCESS/LMSW_OP", q -> bool(CrAccessQualification.of(q).isLmswMemoryOperand()));
        FIELDS.put("CR_ACCESS/GENREG", q -> CrAccessQualification.of(q).register().number());
        FIELDS.put("CR_ACCESS/LMSW_DATA", q -> CrAccessQualification.of(q).lmswSourceData());
        FIELDS.put("DR_ACCESS/REGISTER", q -> DrAccessQualification.of(q).drNumber());
        FIELDS.put("DR_ACCESS/DIRECTION", q -> bool(DrAccessQualification.of(q).isMovFromDr()));
        FIELDS.put("DR_ACCESS/GENREG", q -> DrAccessQualification.of(q).register().number());
        FIELDS.put("IO_INST/WIDTH", q -> IoInstructionQualification.of(q).sizeCode());
        FIELDS.put("IO_INST/DIRECTION", q -> bool(IoInstructionQualification.of(q).isIn()));
        FIELDS.put("IO_INST/IS_STRING", q -> bool(IoInstructionQualification.of(q).isString()));
        FIELDS.put("IO_INST/IS_REP", q -> bool(IoInstructionQualification.of(q).isRep()));
        FIELDS.put("IO_INST/ENCODING", q -> bool(IoInstructionQualification.of(q).isImmediate()));
        FIELDS.put("IO_INST/PORT", q -> IoInstructionQualification.of(q).port());
        FIELDS.put("APIC_ACCESS/OFFSET", q -> ApicAccessQualification.of(q).offset());
        FIELDS.put("APIC_ACCESS/TYPE", q -> ApicAccessQualification.of(q).accessTypeNumber());
        FIELDS.put("EPT_VIOLATION/DATA_READ", q -> bool(EptViolationQualification.of(q).isRead()));
        FIELDS.put("EPT_VIOLATION/DATA_WRITE", q -> bool(EptViolationQualification.of(q).isWrite()));
        FIELDS.put("EPT_VIOLATION/INSTR_FETCH", q -> bool(EptViolationQualification.of(q).isInstructionFetch()));
        FIELDS.put("EPT_VIOLATION/ENTRY_PRESENT", q -> bool(EptViolationQualification.of(q).isEntryReadable()));
        FIELDS.put("EPT_VIOLATION/ENTRY_WRITE", q -> bool(EptViolationQualification.of(q).isEntryWritable()));
        FIELDS.put("EPT_VIOLATION/ENTRY_EXECUTE", q -> bool(EptViolationQualification.of(q).isEntryExecutable()));
        FIELDS.put("EPT_VIOLATION/ENTRY_EXECUTE_UM", q -> bool(EptViolationQualification.of(q).isEntryUserExecutable()));
        FIELDS.put("EPT_VIOLATION/GUEST_ADDR_VALID", q -> bool(EptViolationQualification.of(q).isGuestLinearAddressValid()));
        // Bit 8 only means something when bit 7 is set, so the accessor is read with bit 7 forced on.
        FIELDS.put("EPT_VIOLATION/EPT_TRANSLATED_ACCESS", q -> bool(EptViolationQualification
                .of(q | EptViolationQualification.GUEST_LINEAR_ADDRESS_VALID).isTranslatedAccess()));
        FIELDS.put("EPT_VIOLATION/USER_MODE_LINEAR_ADDRESS", q -> bool(EptViolationQualification.of(q).isUserModeLinearAddress()));
        FIELDS.put("EPT_VIOLATION/READABLE_WRITABLE_PAGE", q -> bool(EptViolationQualification.of(q).isReadWritePage()));
        FIELDS.put("EPT_VIOLATION/EXECUTE_DISABLE_PAGE", q -> bool(EptViolationQualification.of(q).isExecuteDisablePage()));
        FIELDS.put("EPT_VIOLATION/NMI_UNBLOCKING", q -> bool(EptViolationQualification.of(q).isNmiUnblockingDueToIret()));
        FIELDS.put("EPT_VIOLATION/SHADOW_STACK_ACCESS", q -> bool(EptViolationQualification.of(q).isShadowStackAccess()));
        FIELDS.put("EPT_VIOLATION/SUPERVISOR_SHADOW_STACK", q -> bool(EptViolationQualification.of(q).isSupervisorShadowStack()));
        FIELDS.put("EPT_VIOLATION/GUEST_PAGING_VERIFICATION", q -> bool(EptViolationQualification.of(q).isGuestPagingVerification()));
        FIELDS.put("EPT_VIOLATION/ASYNCHRONOUS_TO_INSTRUCTION", q -> bool(EptViolationQualification.of(q).isAsynchronous()));
    }

    /** Each format's reserved bits, to check that no ia32-doc field is reported as reserved. */
    private static final Map<String, LongUnaryOperator> RESERVED = Map.of(
            "DEBUG_EXCEPTION", q -> DebugExceptionQualification.of(q).reservedBits(),
            "TASK_SWITCH", q -> TaskSwitchQualification.of(q).reservedBits(),
            "CR_ACCESS", q -> CrAccessQualification.of(q).reservedBits(),
            "DR_ACCESS", q -> DrAccessQualification.of(q).reservedBits(),
            "IO_INST", q -> IoInstructionQualification.of(q).reservedBits(),
            "APIC_ACCESS", q -> ApicAccessQualification.of(q).reservedBits(),
            "EPT_VIOLATION", q -> EptViolationQualification.of(q).reservedBits());

    private static long mask(int low, int high) {
        return (high == 63 ? -1L : (1L << (high + 1)) - 1) & (-1L << low);
    }

    @Test
    void everyIa32DocFieldSitsWhereTheSdmPutsIt() {
        TreeSet<String> unmapped = new TreeSet<>();
        Map<String, Long> definedByFormat = new HashMap<>();
        for (String[] row : SourceTable.rows(getClass(), "ia32-doc-exit-qualification-fields.tsv", true)) {
            String key = row[0] + "/" + row[1];
            int low = Integer.parseInt(row[2]);
            int high = Integer.parseInt(row[3]);
            long mask = mask(low, high);
            definedByFormat.merge(row[0], mask, (a, b) -> a | b);
            LongUnaryOperator field = FIELDS.get(key);
            if (field == null) {
                unmapped.add(key);
                continue;
            }
            long allOnes = mask(0, high - low);
            assertEquals(allOnes, field.applyAsLong(mask), key + " with all its bits set");
            assertEquals(0, field.applyAsLong(~mask), key + " with every other bit set");
        }
        assertTrue(unmapped.isEmpty(), "ia32-doc fields with no accessor: " + unmapped);
        assertEquals(RESERVED.keySet(), definedByFormat.keySet());
        definedByFormat.forEach((format, defined) ->
                assertEquals(0, RESERVED.get(format).applyAsLong(defined), format + ": a defined bit is called reserved"));
    }

    @Test
    void linuxMasksAgree() {
        CDefines linux = CDefines.read(getClass(), "linux-6.1-vmx-qualification-masks.txt");
        Map<String, Long> ours = new HashMap<>();
        // Linux's CONTROL_REG_ACCESS_NUM covers 2:0 while the SDM and handle_cr() ("& 15") use 3:0 for CR8.
        ours.put("CONTROL_REG_ACCESS_NUM", CrAccessQualification.CR_NUMBER_MASK & 7);
        ours.put("CONTROL_REG_ACCESS_TYPE", CrAccessQualification.ACCESS_TYPE_MASK);
        ours.put("CONTROL_REG_ACCESS_REG", CrAccessQualification.REGISTER_MASK);
        ours.put("LMSW_SOURCE_DATA_SHIFT", (long) Long.numberOfTrailingZeros(CrAccessQualification.LMSW_SOURCE_DATA_MASK));
        ours.put("LMSW_SOURCE_DATA", CrAccessQualification.LMSW_SOURCE_DATA_MASK);
        ours.put("DEBUG_REG_ACCESS_NUM", DrAccessQualification.DR_NUMBER_MASK);
        ours.put("DEBUG_REG_ACCESS_TYPE", DrAccessQualification.MOV_FROM_DR);
        ours.put("TYPE_MOV_TO_DR", DrAccessQualification.of(0).isMovFromDr() ? 1L : 0L);
        ours.put("TYPE_MOV_FROM_DR", DrAccessQualification.MOV_FROM_DR);
        ours.put("APIC_ACCESS_OFFSET", ApicAccessQualification.OFFSET_MASK);
        ours.put("APIC_ACCESS_TYPE", ApicAccessQualification.TYPE_MASK);
        ours.put("ENTRY_FAIL_DEFAULT", (long) InvalidGuestStateQualification.Cause.DEFAULT.number());
        ours.put("ENTRY_FAIL_PDPTE", (long) InvalidGuestStateQualification.Cause.PDPTE.number());
        ours.put("ENTRY_FAIL_NMI", (long) InvalidGuestStateQualification.Cause.NMI.number());
        ours.put("ENTRY_FAIL_VMCS_LINK_PTR", (long) InvalidGuestStateQualification.Cause.VMCS_LINK_POINTER.number());
        ours.put("EPT_VIOLATION_ACC_READ_BIT", (long) Long.numberOfTrailingZeros(EptViolationQualification.DATA_READ));
        ours.put("EPT_VIOLATION_ACC_WRITE_BIT", (long) Long.numberOfTrailingZeros(EptViolationQualification.DATA_WRITE));
        ours.put("EPT_VIOLATION_ACC_INSTR_BIT", (long) Long.numberOfTrailingZeros(EptViolationQualification.INSTRUCTION_FETCH));
        ours.put("EPT_VIOLATION_RWX_SHIFT", (long) Long.numberOfTrailingZeros(EptViolationQualification.ENTRY_RWX_MASK));
        ours.put("EPT_VIOLATION_GVA_IS_VALID_BIT", (long) Long.numberOfTrailingZeros(EptViolationQualification.GUEST_LINEAR_ADDRESS_VALID));
        ours.put("EPT_VIOLATION_GVA_TRANSLATED_BIT", (long) Long.numberOfTrailingZeros(EptViolationQualification.TRANSLATED_ACCESS));
        ours.put("EPT_VIOLATION_ACC_READ", EptViolationQualification.DATA_READ);
        ours.put("EPT_VIOLATION_ACC_WRITE", EptViolationQualification.DATA_WRITE);
        ours.put("EPT_VIOLATION_ACC_INSTR", EptViolationQualification.INSTRUCTION_FETCH);
        ours.put("EPT_VIOLATION_RWX_MASK", EptViolationQualification.ENTRY_RWX_MASK);
        ours.put("EPT_VIOLATION_GVA_IS_VALID", EptViolationQualification.GUEST_LINEAR_ADDRESS_VALID);
        ours.put("EPT_VIOLATION_GVA_TRANSLATED", EptViolationQualification.TRANSLATED_ACCESS);
        ours.put("NOTIFY_VM_CONTEXT_INVALID", NotifyQualification.VM_CONTEXT_INVALID);
        // Helpers of the RWX mask, not qualification bits: the EPT entry's R, W, X in bits 2:0.
        ours.put("VMX_EPT_READABLE_MASK", EptViolationQualification.ENTRY_READABLE >>> 3);
        ours.put("VMX_EPT_WRITABLE_MASK", EptViolationQualification.ENTRY_WRITABLE >>> 3);
        ours.put("VMX_EPT_EXECUTABLE_MASK", EptViolationQualification.ENTRY_EXECUTABLE >>> 3);
        ours.put("VMX_EPT_RWX_MASK", EptViolationQualification.ENTRY_RWX_MASK >>> 3);
        assertEquals(new TreeSet<>(linux.names()), new TreeSet<>(ours.keySet()), "every Linux name is checked");
        for (String name : linux.names()) {
            assertEquals(linux.value(name), ours.get(name), name);
        }
        // The decoders agree with the macros, not only the constants.
        long type = linux.value("CONTROL_REG_ACCESS_TYPE");
        assertEquals(CrAccessType.LMSW, CrAccessQualification.of(type).accessType());
        // the mask predicates name the same type as the enum, for every access type and register
        for (long raw = 0; raw < 0x1000; raw++) {
            CrAccessQualification q = CrAccessQualification.of(raw | 0xabcd_0000L);
            CrAccessType expected = q.accessType();
            assertEquals(expected == CrAccessType.MOV_TO_CR, q.isMovToCr(), Long.toHexString(raw));
            assertEquals(expected == CrAccessType.MOV_FROM_CR, q.isMovFromCr(), Long.toHexString(raw));
            assertEquals(expected == CrAccessType.CLTS, q.isClts(), Long.toHexString(raw));
            assertEquals(expected == CrAccessType.LMSW, q.isLmsw(), Long.toHexString(raw));
            assertEquals(q.register().ordinal(), q.registerNumber(), Long.toHexString(raw));
        }
        for (InvalidGuestStateQualification.Cause cause : InvalidGuestStateQualification.Cause.values()) {
            assertEquals(Optional.of(cause), InvalidGuestStateQualification.of(cause.number()).cause());
        }
    }

    @Test
    void debugExceptionBitsAreDr6Bits() {
        CDefines linux = CDefines.read(getClass(), "linux-dr6-bits.txt");
        Map<String, LongUnaryOperator> ours = Map.of(
                "DR_TRAP0", q -> bool(DebugExceptionQualification.of(q).isBreakpointHit(0)),
                "DR_TRAP1", q -> bool(DebugExceptionQualification.of(q).isBreakpointHit(1)),
                "DR_TRAP2", q -> bool(DebugExceptionQualification.of(q).isBreakpointHit(2)),
                "DR_TRAP3", q -> bool(DebugExceptionQualification.of(q).isBreakpointHit(3)),
                "DR6_BUS_LOCK", q -> bool(DebugExceptionQualification.of(q).isBusLockDetected()),
                "DR6_BD", q -> bool(DebugExceptionQualification.of(q).isDebugRegisterAccess()),
                "DR6_BS", q -> bool(DebugExceptionQualification.of(q).isSingleStep()),
                "DR6_RTM", q -> bool(DebugExceptionQualification.of(q).isRtm()));
        assertEquals(new TreeSet<>(linux.names()), new TreeSet<>(ours.keySet()));
        for (String name : linux.names()) {
            long bit = linux.value(name);
            assertEquals(1, ours.get(name).applyAsLong(bit), name);
            assertEquals(0, ours.get(name).applyAsLong(~bit), name + " with every other bit set");
            assertEquals(0, DebugExceptionQualification.of(bit).reservedBits(), name + " is not reserved");
        }
    }

    @Test
    void sppAndImmediateMsrBitsAreKvmsBits() {
        CDefines kvm = CDefines.read(getClass(), "kvm-spp-and-msr-imm-qualification.txt");
        assertEquals(SppEventQualification.SPPT_MISS, 1L << kvm.value("SPPT_INDUCED_EXIT_TYPE_BIT"));
        assertEquals(SppEventQualification.SPPT_MISS, kvm.value("SPPT_INDUCED_EXIT_TYPE"));
        assertEquals(SppEventQualification.NMI_UNBLOCKING, kvm.value("SPPT_INTR_INFO_UNBLOCK_NMI"));
        assertEquals(MsrImmediateQualification.MSR_INDEX_MASK, kvm.value("MSR_IMM_EXIT_QUAL_MSR_MASK"));
        for (long bit = 1; bit != 0; bit <<= 1) {
            SppEventQualification spp = SppEventQualification.of(bit);
            boolean defined = bit == SppEventQualification.SPPT_MISS || bit == SppEventQualification.NMI_UNBLOCKING;
            assertEquals(defined ? 0 : bit, spp.reservedBits(), Long.toHexString(bit));
            MsrImmediateQualification msr = MsrImmediateQualification.of(dev.vmx.exit.BasicExitReason.MSR_READ_IMM, bit);
            assertEquals(bit, msr.msrIndex() | msr.reservedBits());
            assertEquals((bit & kvm.value("MSR_IMM_EXIT_QUAL_MSR_MASK")) != 0, msr.msrIndex() != 0);
        }
        // KVM's vmx_get_instr_info_reg(): (info >> 3) & 0xf names the data register.
        int shift = (int) kvm.value("MSR_IMM_INSTR_INFO_REG_SHIFT");
        for (int register = 0; register < 16; register++) {
            dev.vmx.event.InstructionInfo info = dev.vmx.event.InstructionInfo.of(
                    dev.vmx.exit.BasicExitReason.MSR_WRITE_IMM, register << shift | 0xffff_ff87);
            assertEquals(Optional.of(dev.vmx.event.GeneralRegister.fromNumber(register)), info.registerOperand());
            assertEquals(dev.vmx.event.InstructionInfoLayout.MSR_IMMEDIATE, info.layout());
        }
    }

    @Test
    void userMsrExitsReadAsXensUserMsrPatchReadsThem() {
        CDefines xen = CDefines.read(getClass(), "xen-user-msr-exit-information.txt");
        assertEquals(dev.vmx.exit.BasicExitReason.URDMSR.number(), xen.value("EXIT_REASON_URDMSR"));
        assertEquals(dev.vmx.exit.BasicExitReason.UWRMSR.number(), xen.value("EXIT_REASON_UWRMSR"));
        long msrMask = xen.value("USER_MSR_EXIT_QUAL_MSR_MASK");
        int shift = (int) xen.value("USER_MSR_INSTR_INFO_GPR_SHIFT");
        int gprMask = (int) xen.value("USER_MSR_INSTR_INFO_GPR_MASK");
        assertEquals(0xf << shift, gprMask);
        for (String name : new String[] {"EXIT_REASON_URDMSR", "EXIT_REASON_UWRMSR"}) {
            dev.vmx.exit.ExitReason reason = dev.vmx.exit.ExitReason.of((int) xen.value(name));
            for (long bit = 1; bit != 0; bit <<= 1) {
                MsrImmediateQualification decoded = assertInstanceOf(MsrImmediateQualification.class,
                        ExitQualification.decode(reason, bit), name);
                assertEquals(reason.basic(), decoded.reason());
                assertEquals(bit & msrMask, decoded.msrIndex(), name + " bit " + Long.numberOfTrailingZeros(bit));
                assertEquals(bit & ~msrMask, decoded.reservedBits(), name + " bit " + Long.numberOfTrailingZeros(bit));
            }
            // bits 6:3 name the data register whatever the undefined bits 2:0 and 31:7 hold
            for (int register = 0; register < 16; register++) {
                dev.vmx.event.InstructionInfo info = dev.vmx.event.InstructionInfo.of(reason, register << shift | ~gprMask);
                assertEquals(dev.vmx.event.InstructionInfoLayout.MSR_IMMEDIATE, info.layout(), name);
                assertEquals(Optional.of(dev.vmx.event.GeneralRegister.fromNumber(register)), info.registerOperand(), name);
                assertFalse(info.hasMemoryOperand(), name);
            }
        }
        assertEquals("URDMSR of MSR 0x1b01 (0x1b01)", ExitQualification.decode(dev.vmx.exit.ExitReason.of(80), 0x1b01).toString());
        assertEquals("UWRMSR of MSR 0x1b01, reserved bits 0x100000000 (0x100001b01)",
                ExitQualification.decode(dev.vmx.exit.ExitReason.of(81), 1L << 32 | 0x1b01).toString());
    }

    @Test
    void nmiUnblockingIsBit12WhereverKvmReadsIt() {
        long mask = CDefines.read(getClass(), "linux-6.1-nmi-unblocking-readers.txt").value("INTR_INFO_UNBLOCK_NMI");
        assertEquals(mask, EptViolationQualification.NMI_UNBLOCKING);
        assertEquals(mask, PmlFullQualification.NMI_UNBLOCKING);
        assertEquals(mask, NotifyQualification.NMI_UNBLOCKING);
        assertEquals(mask, SppEventQualification.NMI_UNBLOCKING);
        assertEquals(mask, dev.vmx.event.InterruptionInfo.NMI_UNBLOCKING_MASK);
        assertTrue(EptViolationQualification.of(mask).isNmiUnblockingDueToIret());
        assertTrue(PmlFullQualification.of(mask).isNmiUnblockingDueToIret());
        assertTrue(NotifyQualification.of(mask).isNmiUnblockingDueToIret());
        assertTrue(SppEventQualification.of(mask).isNmiUnblockingDueToIret());
        assertEquals(0, NotifyQualification.of(mask).reservedBits());
        assertEquals(0, PmlFullQualification.of(mask).undefinedBits());
    }

    @Test
    void eptViolationBitsAreWhereBochsWritesThem() throws ReflectiveOperationException {
        int rows = 0;
        for (String[] row : SourceTable.rows(getClass(), "bochs-ept-violation-writer.tsv", true)) {
            long bit = 1L << Integer.parseInt(row[0]);
            assertEquals(bit, EptViolationQualification.class.getField(row[1]).getLong(null), row[1]);
            assertEquals(0, EptViolationQualification.of(bit).reservedBits(), row[1] + " is defined");
            if (row[2].equals("translated")) {
                // Bochs sets bits 11:9 only for an access to the translated address, so only then are they named.
                long translated = EptViolationQualification.GUEST_LINEAR_ADDRESS_VALID | EptViolationQualification.TRANSLATED_ACCESS;
                assertTrue((EptViolationQualification.GUEST_PAGING_INFO_MASK & bit) != 0, row[1]);
                assertTrue(EptViolationQualification.of(bit).toString().contains("undefined bits 11:9"), row[1]);
                assertFalse(EptViolationQualification.of(bit | translated).toString().contains("undefined"), row[1]);
            }
            rows++;
        }
        assertEquals(15, rows);
    }
}
