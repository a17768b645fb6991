package dev.vmx.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.SourceTable;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.vmcs.GuestSegment;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** dump_vmcs() labels → VMCS fields, checked against Linux 6.1's dump_vmcs(), and the snapshot built from them. */
class VmcsDumpSnapshotTest {

    @Test
    void everyLabelReadsTheFieldLinuxReadsForIt() {
        Map<String, String> linux = new LinkedHashMap<>();
        for (String[] row : SourceTable.rows(getClass(), "linux-6.1-dump-vmcs-labels.txt", false)) {
            linux.put(row[0].replace('~', ' '), row[1]);
        }
        Map<String, String> ours = new LinkedHashMap<>();
        DumpFields.BY_KEY.forEach((key, field) -> ours.put(key, field.name()));
        assertEquals(linux, ours);
        for (VmcsField field : DumpFields.BY_KEY.values()) {
            assertTrue(field.isLinuxName(), field + " is Linux's name");
        }
    }

    @Test
    void theLinux61BlockBecomesASnapshotOfEveryPrintedField() {
        VmcsDump dump = VmcsDumpParser.parse(new InputStreamReader(
                getClass().getResourceAsStream("linux-6.1-format.txt"), StandardCharsets.UTF_8)).get(0);
        VmcsSnapshot vmcs = dump.vmcs();
        assertEquals(BasicExitReason.INVALID_STATE, vmcs.exitReason().basic());
        assertTrue(vmcs.exitReason().isVmEntryFailure());
        assertEquals(0xfff0, vmcs.read(VmcsField.GUEST_RIP));
        assertEquals(0x30, vmcs.read(VmcsField.GUEST_CR0));
        assertEquals(0x60000010, vmcs.read(VmcsField.CR0_READ_SHADOW));
        assertEquals(0xb5a06dfaL, vmcs.read(VmcsField.CPU_BASED_VM_EXEC_CONTROL));
        assertEquals(0xd01, vmcs.read(VmcsField.HOST_IA32_EFER));
        assertEquals(0x10, vmcs.read(VmcsField.HOST_IA32_SYSENTER_CS));
        // "EFER= 0x0 (effective)": KVM computed it, the VMCS field was not printed
        assertEquals(OptionalLong.of(0), dump.field("guest.EFER"));
        assertEquals("(effective)", dump.annotations().get("guest.EFER"));
        assertEquals(OptionalLong.empty(), vmcs.find(VmcsField.GUEST_IA32_EFER));
        // "SVI|RVI = 00|00"
        assertEquals(0, vmcs.read(VmcsField.GUEST_INTR_STATUS));
        // the segment table
        assertEquals(0xf000, vmcs.read(GuestSegment.CS.selector()));
        assertEquals(0x9b, vmcs.read(GuestSegment.CS.accessRights()));
        assertEquals(0xffff, vmcs.read(GuestSegment.CS.limit()));
        assertEquals(0xffff0000L, vmcs.read(GuestSegment.CS.base()));
        assertEquals(0x8b, vmcs.read(GuestSegment.TR.accessRights()));
        assertEquals(0xffff, vmcs.read(VmcsField.GUEST_GDTR_LIMIT));
        // every printed value that has a field is in the snapshot; the rest stays in fields()
        long mapped = dump.fields().keySet().stream()
                .filter(key -> DumpFields.BY_KEY.containsKey(key) && !dump.annotations().containsKey(key)).count();
        int segmentFields = 0;
        for (VmcsDumpSegment row : dump.segments()) {
            segmentFields += 2 + (row.selector().isPresent() ? 2 : 0);
        }
        assertEquals(mapped + segmentFields + 1 /* GUEST_INTR_STATUS */, vmcs.fields().size());
    }

    @Test
    void aValueTooWideForItsFieldIsAProblemWithItsLineNotAField() {
        String log = "*** Guest State ***\n"
                + "RSP = 0x0000000000006f2c  RIP = 0x000000000000fff0\n"
                + "Interruptibility = 1ffffffff  ActivityState = 00000000\n"
                + "CS:   sel=0x1f000, attr=0x0009b, limit=0x0000ffff, base=0x00000000ffff0000\n"
                + "*** Host State ***\n"
                + "RIP = 0xffffffffc0b2e6a0  RSP = 0xffffb5a0c1e7bd48\n"
                + "*** Control State ***\n"
                + "PinBased=0x000000ff EntryControls=0000d1ff ExitControls=002befff\n";
        VmcsDump dump = VmcsDumpParser.parse(new StringReader(log)).get(0);
        List<VmcsDumpProblem> problems = dump.problems();
        assertEquals(2, problems.size(), problems.toString());
        assertEquals(3, problems.get(0).lineNumber());
        assertEquals(20, problems.get(0).column());
        assertEquals("value 0x1ffffffff of guest.Interruptibility does not fit GUEST_INTERRUPTIBILITY_INFO, a 32-bit field; not kept",
                problems.get(0).problem());
        assertEquals(4, problems.get(1).lineNumber());
        assertEquals(13, problems.get(1).column());
        assertEquals("selector 0x1f000 is wider than 16 bits", problems.get(1).problem());
        assertEquals(OptionalLong.empty(), dump.vmcs().find(VmcsField.GUEST_INTERRUPTIBILITY_INFO));
        // the other value of the line is kept
        assertEquals(OptionalLong.of(0), dump.vmcs().find(VmcsField.GUEST_ACTIVITY_STATE));
        assertEquals(0xfff0, dump.vmcs().read(VmcsField.GUEST_RIP));
        assertEquals(0xff, dump.vmcs().read(VmcsField.PIN_BASED_VM_EXEC_CONTROL));
    }

    private static VmcsDump only(String resource) {
        List<VmcsDump> dumps = VmcsDumpParser.parse(new InputStreamReader(
                VmcsDumpSnapshotTest.class.getResourceAsStream(resource), StandardCharsets.UTF_8));
        assertEquals(1, dumps.size());
        return dumps.get(0);
    }

    @Test
    void mailWrappedLinesOfA4xDumpAreJoined() {
        VmcsDump dump = only("edk2-91-wrapped.txt");
        assertEquals(List.of(), dump.problems());
        assertEquals(7, dump.firstLine()); // line 1 is the origin comment
        assertEquals(15, dump.lastLine());
        VmcsSnapshot vmcs = dump.vmcs();
        assertEquals(0x50032, vmcs.read(VmcsField.GUEST_CR0));
        assertEquals(0x50032, vmcs.read(VmcsField.CR0_READ_SHADOW));
        assertEquals(0xfffffffffffffff7L, vmcs.read(VmcsField.CR0_GUEST_HOST_MASK));
        assertEquals(0, vmcs.read(VmcsField.CR4_READ_SHADOW));
        assertEquals(0xfffffffffffff871L, vmcs.read(VmcsField.CR4_GUEST_HOST_MASK));
        assertEquals(0x8000, vmcs.read(VmcsField.GUEST_RIP));
        assertEquals(OptionalLong.empty(), dump.field("guest.shadow"));
    }

    @Test
    void syslogExcerptOfA54HostRunningAV86Guest() {
        VmcsDump dump = only("dosemu2-1274-syslog.txt");
        assertEquals(List.of(), dump.problems());
        VmcsSnapshot vmcs = dump.vmcs();
        assertEquals(0x20202, vmcs.read(VmcsField.GUEST_RFLAGS)); // VM (bit 17): virtual-8086 mode
        assertEquals(0xffff, vmcs.read(GuestSegment.CS.selector()));
        assertEquals(0xf3, vmcs.read(GuestSegment.CS.accessRights()));
        assertEquals(0xffff0, vmcs.read(GuestSegment.CS.base()));
        assertEquals(0x400, vmcs.read(GuestSegment.DS.base()));
        assertEquals(OptionalLong.empty(), vmcs.find(GuestSegment.FS.base())); // the excerpt ends before FS
        // 14 printed values, all VMCS fields, and 4 segment rows of 4 fields each
        assertEquals(14, dump.fields().size(), dump.fields().toString());
        assertEquals(14 + 4 * 4, vmcs.fields().size());
    }

    @Test
    void theLinux510FormatWithItsCombinedEferAndPatLines() {
        VmcsDump dump = only("linux-5.10-format.txt");
        assertEquals(List.of(), dump.problems());
        VmcsSnapshot vmcs = dump.vmcs();
        assertEquals(0xd01, vmcs.read(VmcsField.GUEST_IA32_EFER)); // "EFER =     0x..." read the VMCS field then
        assertEquals(0x0407050600070106L, vmcs.read(VmcsField.GUEST_IA32_PAT));
        assertEquals(0xd01, vmcs.read(VmcsField.HOST_IA32_EFER));
        assertEquals(0x0407050600070106L, vmcs.read(VmcsField.HOST_IA32_PAT));
        assertEquals(0x000237e2, vmcs.read(VmcsField.SECONDARY_VM_EXEC_CONTROL));
        assertEquals(0x0000d3ff, vmcs.read(VmcsField.VM_ENTRY_CONTROLS));
        assertEquals(31, vmcs.exitReason().basicNumber()); // MSR_READ
        assertEquals(3, vmcs.read(VmcsField.VM_EXIT_INSTRUCTION_LEN));
        assertEquals(0x10000, vmcs.read(GuestSegment.LDTR.accessRights())); // unusable
        assertEquals(OptionalLong.empty(), vmcs.find(VmcsField.TERTIARY_VM_EXEC_CONTROL)); // not printed before 5.17
    }

    @Test
    void everyLinux419LabelReadsTheFieldLinuxReadsForIt() {
        int rows = 0;
        for (String[] row : SourceTable.rows(getClass(), "linux-4.19-dump-vmcs-labels.txt", false)) {
            String key = row[0].replace('~', ' ');
            assertEquals(java.util.Optional.of(VmcsField.valueOf(row[1])), DumpFields.field(key), key);
            assertTrue(DumpFields.isKnown(key), key);
            rows++;
        }
        assertEquals(80, rows);
        // "CR3_TARGET_VALUE0 + i * 2": the i-th CR3-target value is 2i above the first encoding
        for (int i = 0; i < 4; i++) {
            assertEquals(0x6008 + 2 * i, DumpFields.field("control.CR3 target" + i).orElseThrow().encoding());
        }
    }

    @Test
    void twoLinux419BlocksWithDmesgTTimestampsInterleavedLinesAndCr3Targets() {
        List<VmcsDump> dumps = VmcsDumpParser.parse(new InputStreamReader(
                getClass().getResourceAsStream("linux-4.19-format.txt"), StandardCharsets.UTF_8));
        assertEquals(2, dumps.size());
        VmcsDump first = dumps.get(0);
        assertEquals(8, first.firstLine());
        assertEquals(59, first.lastLine()); // "Virtual processor ID"; two unrelated lines end the block
        assertEquals(OptionalLong.of(0x80000021L), first.hardwareError());
        assertEquals(OptionalLong.of(7), first.hardwareErrorLine());
        assertTrue(first.cpu().isEmpty()); // 4.19 printed no "VMCS ..., last attempted VM-entry on CPU" line
        // the two interleaved lines, one in the guest section, one in the control section, are reported
        assertEquals(List.of(14L, 51L), first.problems().stream().map(VmcsDumpProblem::lineNumber).toList(),
                first.problems().toString());
        assertTrue(first.problems().get(1).problem().startsWith("not a dump line, interleaved with the dump"));
        // every printed label is one dump_vmcs() prints and lands in the snapshot
        for (String key : first.fields().keySet()) {
            assertTrue(DumpFields.field(key).isPresent(), key);
        }
        VmcsSnapshot vmcs = first.vmcs();
        assertEquals(first.fields().size() + 2 * 2 + 8 * 4, vmcs.fields().size()); // + GDTR/IDTR + 8 segments
        assertEquals(0x1fe000, vmcs.read(VmcsField.CR3_TARGET_VALUE0));
        assertEquals(0x2fe000, vmcs.read(VmcsField.CR3_TARGET_VALUE1));
        assertEquals(OptionalLong.empty(), vmcs.find(VmcsField.CR3_TARGET_VALUE2)); // 4.19's loop steps by 4
        assertEquals(0, vmcs.read(VmcsField.GUEST_IA32_EFER)); // read from the VMCS field in 4.19
        assertEquals(0x0007040600070406L, vmcs.read(VmcsField.GUEST_IA32_PAT));
        assertEquals(0xd01, vmcs.read(VmcsField.HOST_IA32_EFER));
        assertEquals(0x21, vmcs.read(VmcsField.GUEST_INTR_STATUS));
        assertEquals(0xf, vmcs.read(VmcsField.GUEST_IA32_PERF_GLOBAL_CTRL));
        assertEquals(0xf, vmcs.read(VmcsField.HOST_IA32_PERF_GLOBAL_CTRL));
        assertEquals(0x0001000000000000L, vmcs.read(VmcsField.TSC_MULTIPLIER));
        assertEquals(0, vmcs.read(VmcsField.TPR_THRESHOLD));
        assertEquals(0xf2, vmcs.read(VmcsField.POSTED_INTR_NV));
        assertEquals(0x80, vmcs.read(VmcsField.PLE_GAP));
        assertEquals(0x1000, vmcs.read(VmcsField.PLE_WINDOW));
        assertEquals(1, vmcs.read(VmcsField.VIRTUAL_PROCESSOR_ID));
        assertEquals(0x10000, vmcs.read(GuestSegment.LDTR.accessRights()));
        assertEquals(0x7ff, vmcs.read(VmcsField.GUEST_IDTR_LIMIT));
        assertEquals(0xa000, vmcs.read(VmcsField.GUEST_IDTR_BASE));
        assertTrue(vmcs.exitReason().isVmEntryFailure());
        assertEquals(BasicExitReason.INVALID_STATE, vmcs.exitReason().basic());

        VmcsDump second = dumps.get(1);
        assertEquals(62, second.firstLine());
        assertEquals(71, second.lastLine());
        assertEquals(OptionalLong.empty(), second.hardwareError()); // the one error line belongs to the first block
        assertEquals(List.of(), second.problems());
        assertEquals(0xfeffc000L, second.vmcs().read(VmcsField.CR3_TARGET_VALUE0));
        assertEquals(0xe2, second.vmcs().read(VmcsField.SECONDARY_VM_EXEC_CONTROL));
    }
}
