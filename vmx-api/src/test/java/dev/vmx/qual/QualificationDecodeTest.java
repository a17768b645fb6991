package dev.vmx.qual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.SourceTable;
import dev.vmx.event.GeneralRegister;
import dev.vmx.event.InterruptionInfo;
import dev.vmx.event.InterruptionType;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import dev.vmx.exit.ExitReasonFlag;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which format each exit reason gets, and what the formats say about real and edge values. */
class QualificationDecodeTest {
    @Test
    void eachReasonGetsTheFormatTheSdmGivesIt() {
        Map<BasicExitReason, String> formats = new HashMap<>();
        for (String[] row : SourceTable.rows(getClass(), "sdm-qualification-formats.tsv", true)) {
            formats.put(BasicExitReason.valueOf(row[0]), row[1]);
        }
        for (BasicExitReason basic : BasicExitReason.values()) {
            int number = basic == BasicExitReason.UNRECOGNIZED ? 0xffff : basic.number();
            ExitQualification decoded = ExitQualification.decode(ExitReason.of(number), 0x1234);
            assertEquals(formats.getOrDefault(basic, "NoQualification"), decoded.getClass().getSimpleName(), basic.name());
            assertEquals(0x1234, decoded.raw(), basic + " keeps the raw value");
        }
    }

    @Test
    void flagsDoNotChangeTheFormat() {
        ExitReason enclave = ExitReason.of(BasicExitReason.EPT_VIOLATION, ExitReasonFlag.ENCLAVE_MODE);
        assertInstanceOf(EptViolationQualification.class, ExitQualification.decode(enclave, 0x182));
        ExitReason failed = ExitReason.of(0x8000_0021);
        InvalidGuestStateQualification state = assertInstanceOf(InvalidGuestStateQualification.class,
                ExitQualification.decode(failed, 4));
        assertEquals(Optional.of(InvalidGuestStateQualification.Cause.VMCS_LINK_POINTER), state.cause());
        assertEquals("VM entry failed: invalid guest state, an invalid VMCS link pointer", state.toString());
    }

    @Test
    void publicKvmValuesReadAsTheSdmSays() {
        for (String[] row : SourceTable.rows(getClass(), "public-kvm-values.tsv", true)) {
            long value = SourceTable.cInteger(row[1]);
            String text = row[0].equals("ept") ? EptViolationQualification.of(value).toString()
                    : InterruptionInfo.of((int) value).toString();
            assertEquals(row[2], text, row[1] + " from " + row[3]);
        }
        // noah #81: 0x83 is a guest page-table walk that wanted to write (accessed/dirty bits).
        EptViolationQualification walk = EptViolationQualification.of(0x83);
        assertTrue(walk.isPagingStructureAccess());
        assertFalse(walk.isTranslatedAccess());
        assertTrue(EptViolationQualification.isWrite(0x83));
    }

    @Test
    void eptViolationReadsEveryBit() {
        // Write to a page mapped read-only in EPT, from a user-mode linear address (bits 7, 8, 9).
        EptViolationQualification q = EptViolationQualification.of(0x38a);
        assertTrue(q.isWrite());
        assertFalse(q.isRead());
        assertTrue(q.isEntryReadable());
        assertFalse(q.isEntryWritable());
        assertEquals("read-only", q.entryPermissions());
        assertTrue(q.isUserModeLinearAddress());
        assertEquals("EPT violation: write to a page mapped read-only in EPT, guest linear address valid, "
                + "access to the translated address, user-mode address (0x38a)", q.toString());
        assertEquals("EPT violation: write to a page mapped read-only in EPT, guest linear address valid, "
                + "access to the translated address, user-mode address, guest page writable, guest page execute-disable (0xf8a)",
                EptViolationQualification.of(0xf8a).toString());
        // Bits 11:9 mean something only for an access to the translated address (bits 7 and 8): for a
        // page-walk access (bit 8 clear) or without a linear address (bit 7 clear) they are undefined,
        // still read by the accessors and named as undefined in the text.
        EptViolationQualification walk = EptViolationQualification.of(0x28a);
        assertTrue(walk.isUserModeLinearAddress());
        assertEquals("EPT violation: write to a page mapped read-only in EPT, guest linear address valid, "
                + "access to a guest paging-structure entry, undefined bits 11:9 0x1 (0x28a)", walk.toString());
        assertEquals("EPT violation: read from a page not present in EPT, undefined bits 11:9 0x7 (0xe01)",
                EptViolationQualification.of(0xe01).toString());
        assertEquals(0xe00L, EptViolationQualification.GUEST_PAGING_INFO_MASK);
        EptViolationQualification recent = EptViolationQualification.of(0x1_f000L | 0x4 | 0x28);
        assertTrue(recent.isNmiUnblockingDueToIret());
        assertTrue(recent.isShadowStackAccess());
        assertTrue(recent.isSupervisorShadowStack());
        assertTrue(recent.isGuestPagingVerification());
        assertTrue(recent.isAsynchronous());
        assertEquals("r-x", recent.entryPermissions());
        assertEquals(0, recent.reservedBits());
        EptViolationQualification reserved = EptViolationQualification.of(1L << 40 | 2);
        assertEquals(1L << 40, reserved.reservedBits());
        assertTrue(reserved.toString().contains("reserved bits 0x10000000000"), reserved.toString());
    }

    @Test
    void crAccessReadsMovClsLmsw() {
        assertEquals("MOV to CR3 from rax (0x3)", CrAccessQualification.of(0x3).toString());
        assertEquals("MOV from CR8 to r15 (0xf18)", CrAccessQualification.of(0xf18).toString());
        assertEquals(8, CrAccessQualification.crNumber(0xf18));
        assertEquals(GeneralRegister.R15, CrAccessQualification.of(0xf18).register());
        assertEquals("CLTS (0x20)", CrAccessQualification.of(0x20).toString());
        CrAccessQualification lmsw = CrAccessQualification.of(0x0001_0070L);
        assertEquals(CrAccessType.LMSW, lmsw.accessType());
        assertTrue(lmsw.isLmswMemoryOperand());
        assertEquals(1, lmsw.lmswSourceData());
        assertEquals("LMSW 0x1 (memory) (0x10070)", lmsw.toString());
        assertEquals(0x80L | 1L << 40, CrAccessQualification.of(1L << 40 | 0x8000_0080L | 0x3).reservedBits(), "bit 31 is LMSW data");
    }

    @Test
    void ioInstructionReadsLikeLinuxHandleIo() {
        // OUT dx, al to the serial port 0x3f8: size 1, OUT, DX encoding.
        IoInstructionQualification out = IoInstructionQualification.of(0x03f8_0000L);
        assertEquals("OUT 1 byte to port 0x3f8 (dx) (0x3f80000)", out.toString());
        IoInstructionQualification rep = IoInstructionQualification.of(0x01f0_0039L);
        assertTrue(rep.isIn() && rep.isString() && rep.isRep());
        assertEquals(2, rep.sizeBytes());
        assertEquals(0x1f0, IoInstructionQualification.port(0x01f0_0039L));
        assertEquals("REP INS 2 bytes from port 0x1f0 (dx) (0x1f00039)", rep.toString());
        IoInstructionQualification odd = IoInstructionQualification.of(0x0080_0042L | 1L << 33);
        assertFalse(odd.isSizeDefined());
        assertTrue(odd.isImmediate());
        assertEquals(1L << 33, odd.reservedBits());
        assertEquals("OUT 3 bytes (undefined size code 2) to port 0x80 (immediate), reserved bits 0x200000000 (0x200800042)",
                odd.toString());
    }

    @Test
    void otherFormats() {
        assertEquals("debug exception: B0 B3 BS RTM (0x14009)", DebugExceptionQualification.of(0x14009).toString());
        assertEquals("task switch by TASK_GATE to TSS selector 0x28 (0xc0000028)", TaskSwitchQualification.of(0xc000_0028L).toString());
        assertEquals(TaskSwitchSource.IRET, TaskSwitchQualification.of(0x4000_0000L).source());
        assertEquals("MOV from DR6 to rcx (0x116)", DrAccessQualification.of(0x116).toString());
        assertEquals("APIC access: linear write at offset 0x0b0 (0x10b0)", ApicAccessQualification.of(0x10b0).toString());
        assertEquals(Optional.empty(), ApicAccessQualification.of(0x5000).accessType());
        assertEquals("APIC access: undefined access type 5 (0x5000)", ApicAccessQualification.of(0x5000).toString());
        assertEquals("APIC access: guest-physical access during event delivery (0xa000)", ApicAccessQualification.of(0xa000).toString());
        assertEquals("EOI virtualized for vector 236", EoiInducedQualification.of(0xec).toString());
        assertEquals("APIC write to offset 0x300", ApicWriteQualification.of(0x300).toString());
        assertEquals("SIPI with vector 0x9f, reserved bits 0x100", SipiQualification.of(0x19f).toString());
        assertEquals("VM entry failed loading MSR-load entry 3", MsrLoadFailureQualification.of(3).toString());
        assertEquals("notify (instruction timeout): VM context invalid (0x1)", NotifyQualification.of(1).toString());
        assertEquals("linear address 0x7f0000001000 (INVLPG)",
                ExitQualification.decode(ExitReason.of(14), 0x7f00_0000_1000L).toString());
        assertEquals("displacement -0x8 (VMREAD)", ExitQualification.decode(ExitReason.of(23), -8).toString());
        assertEquals("no qualification for HLT", ExitQualification.decode(ExitReason.of(12), 0).toString());
        assertEquals("no qualification for HLT (raw 0x5)", ExitQualification.decode(ExitReason.of(12), 5).toString());
        assertEquals("page-modification log full, NMI unblocking due to IRET",
                ExitQualification.decode(ExitReason.of(62), 0x1000).toString());
        assertEquals("page-modification log full, undefined bits 0x3", PmlFullQualification.of(3).toString());
        assertEquals(Optional.empty(), InvalidGuestStateQualification.of(9).cause());
        assertEquals("VM entry failed: invalid guest state, undefined qualification 0x9", InvalidGuestStateQualification.of(9).toString());
    }

    @Test
    void exceptionQualificationFollowsTheVector() {
        ExceptionQualification q = (ExceptionQualification) ExitQualification.decode(ExitReason.of(0), 0x7ffd_1000L);
        ExitQualification pf = q.interpret(InterruptionInfo.valid(14, InterruptionType.HARDWARE_EXCEPTION, true));
        assertEquals(LinearAddressQualification.of(BasicExitReason.EXCEPTION_NMI, 0x7ffd_1000L), pf);
        ExitQualification db = q.interpret(InterruptionInfo.valid(1, InterruptionType.HARDWARE_EXCEPTION, false));
        assertInstanceOf(DebugExceptionQualification.class, db);
        ExitQualification icebp = q.interpret(InterruptionInfo.valid(1, InterruptionType.PRIVILEGED_SOFTWARE_EXCEPTION, false));
        assertInstanceOf(DebugExceptionQualification.class, icebp);
        assertEquals(q, q.interpret(InterruptionInfo.valid(2, InterruptionType.NMI, false)));
        assertEquals(q, q.interpret(InterruptionInfo.of(14 | 3 << 8)), "invalid info: no reading chosen");
    }

    @Test
    void ioSmiSppAndImmediateMsrFormats() {
        // An SMM VM exit right after `out 0xb2, al` (the APM SMI port): the I/O-instruction layout.
        ExitQualification smi = ExitQualification.decode(ExitReason.of(BasicExitReason.IO_SMI.number()), 0x00b2_0040L);
        assertEquals("OUT 1 byte to port 0xb2 (immediate) (0xb20040)", smi.toString());
        SppEventQualification miss = assertInstanceOf(SppEventQualification.class,
                ExitQualification.decode(ExitReason.of(66), 0x1800));
        assertTrue(miss.isSpptMiss());
        assertFalse(miss.isSpptMisconfiguration());
        assertTrue(miss.isNmiUnblockingDueToIret());
        assertEquals("SPP event: SPPT miss, NMI unblocking due to IRET (0x1800)", miss.toString());
        assertEquals("SPP event: SPPT misconfiguration, reserved bits 0x401 (0x401)", SppEventQualification.of(0x401).toString());
        MsrImmediateQualification rdmsr = assertInstanceOf(MsrImmediateQualification.class,
                ExitQualification.decode(ExitReason.of(84), 0xc000_0080L));
        assertEquals(0xc000_0080L, rdmsr.msrIndex());
        assertEquals(BasicExitReason.MSR_READ_IMM, rdmsr.reason());
        assertEquals("RDMSR (immediate form) of MSR 0xc0000080 (0xc0000080)", rdmsr.toString());
        MsrImmediateQualification wrmsr = MsrImmediateQualification.of(BasicExitReason.MSR_WRITE_IMM, 1L << 40 | 0x6e0);
        assertEquals(0x6e0, wrmsr.msrIndex());
        assertEquals(1L << 40, wrmsr.reservedBits());
        assertEquals("WRMSRNS (immediate form) of MSR 0x6e0, reserved bits 0x10000000000 (0x100000006e0)", wrmsr.toString());
    }
}
