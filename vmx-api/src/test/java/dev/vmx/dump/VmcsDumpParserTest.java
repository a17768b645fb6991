package dev.vmx.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.exit.BasicExitReason;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** dump_vmcs() blocks: a real excerpt from a public bug report and the full Linux 6.1 format. */
class VmcsDumpParserTest {

    private List<VmcsDump> resource(String name) {
        return VmcsDumpParser.parse(new InputStreamReader(getClass().getResourceAsStream(name), StandardCharsets.UTF_8));
    }

    @Test
    void realExcerptFromCoconutSvsmIssue() {
        List<VmcsDump> dumps = resource("coconut-svsm-1081.txt");
        assertEquals(1, dumps.size());
        VmcsDump dump = dumps.get(0);
        assertEquals(2, dump.firstLine());
        assertEquals(14, dump.lastLine());
        assertEquals(OptionalLong.of(3), dump.cpu());
        assertEquals(List.of(), dump.problems());
        assertEquals(OptionalLong.of(0x80010033L), dump.field("guest.CR0.actual"));
        assertEquals(OptionalLong.of(0xfffffffffffef871L), dump.field("guest.CR4.gh_mask"));
        assertEquals(OptionalLong.of(0x5e0e2001L), dump.field("guest.PDPTR3"));
        assertEquals(OptionalLong.of(0xffffff8000042837L), dump.field("guest.RIP"));
        assertEquals(OptionalLong.of(2), dump.field("guest.RFLAGS"));
        assertEquals(OptionalLong.of(0x400), dump.field("guest.DR7"));
        assertEquals(3, dump.segments().size());
        VmcsDumpSegment cs = dump.segment("CS").orElseThrow();
        assertEquals(OptionalInt.of(8), cs.selector());
        assertEquals(OptionalInt.of(0xa09b), cs.accessRights());
        assertEquals(0xffffffffL, cs.limit());
        assertTrue(dump.exitReason().isEmpty());
    }

    @Test
    void fullLinux61BlockInSyslogWithInterleavedLines() {
        List<VmcsDump> dumps = resource("linux-6.1-format.txt");
        assertEquals(1, dumps.size());
        VmcsDump dump = dumps.get(0);
        assertEquals(OptionalLong.of(0x80000021L), dump.hardwareError());
        assertEquals(OptionalLong.of(2), dump.hardwareErrorLine());
        assertEquals(3, dump.firstLine());
        assertEquals(51, dump.lastLine()); // "Virtual processor ID"; the br0 line after it ends the block
        assertEquals(BasicExitReason.INVALID_STATE, dump.exitReason().orElseThrow().basic());
        assertTrue(dump.exitReason().orElseThrow().isVmEntryFailure());
        assertEquals(OptionalLong.of(0), dump.exitQualification());
        assertEquals(OptionalLong.of(0xfff0), dump.field("guest.RIP"));
        assertEquals(OptionalLong.of(0), dump.field("guest.EFER"));
        assertEquals(OptionalLong.of(0xb5a06dfaL), dump.field("control.CPUBased"));
        assertEquals(OptionalLong.of(0xd1ff), dump.field("control.EntryControls"));
        assertEquals(OptionalLong.of(0), dump.field("control.VMEntry.intr_info"));
        assertEquals(OptionalLong.of(0xfffffc1a2b3c4d5eL), dump.field("control.TSC Offset"));
        assertEquals(OptionalLong.of(0), dump.field("control.SVI"));
        assertEquals(OptionalLong.of(0), dump.field("control.TPR Threshold"));
        assertEquals(OptionalLong.of(0x10a3c105eL), dump.field("control.EPT pointer"));
        assertEquals(OptionalLong.of(1), dump.field("control.Virtual processor ID"));
        assertEquals(OptionalLong.of(0x10), dump.field("host.CS"));
        assertEquals(OptionalLong.of(0x10), dump.field("host.Sysenter CS"));
        assertEquals(OptionalLong.of(0xffffffff8e201a90L), dump.field("host.Sysenter RIP"));
        assertEquals(10, dump.segments().size());
        assertEquals(OptionalInt.empty(), dump.segment("GDTR").orElseThrow().selector());
        assertEquals(List.of(new VmcsDumpMsr("guest autoload", 0, 0x600, 0)), dump.msrs());
        // the unrelated line inside the host section is reported, not dropped
        assertEquals(1, dump.problems().size());
        assertEquals(30, dump.problems().get(0).lineNumber());
    }

    @Test
    void twoBlocksOlderFormatWithoutVmcsLineAndDmesgTimestamps() {
        // 4.x printed no "VMCS ..." line and no prefix; lines in the 4.x pr_err formats
        String block = "[ 7058.291757] *** Guest State ***\n"
                + "[ 7058.291776] RFLAGS=0x00000002 DR7 = 0x0000000000000400\n"
                + "[ 7058.291829] *** Control State ***\n"
                + "[ 7058.291830] PinBased=0000003f CPUBased=b5986dfa SecondaryExec=000000e2\n"
                + "[ 7058.291838] VMEntry: intr_info=800000d1 errcode=00000000 ilen=00000000\n"
                + "[ 7058.291840] VMExit: intr_info=00000000 errcode=00000000 ilen=00000000\n"
                + "[ 7058.291841]         reason=80000021 qualification=0000000000000000\n";
        List<VmcsDump> dumps = VmcsDumpParser.parse(new StringReader("boot\n" + block + block + "[ 7060.0] done\n"));
        assertEquals(2, dumps.size());
        assertEquals(2, dumps.get(0).firstLine());
        assertEquals(8, dumps.get(0).lastLine());
        assertEquals(9, dumps.get(1).firstLine());
        assertEquals(15, dumps.get(1).lastLine());
        assertEquals(OptionalLong.of(0x800000d1L), dumps.get(1).field("control.VMEntry.intr_info"));
        assertEquals(OptionalLong.of(0x3f), dumps.get(0).field("control.PinBased"));
        assertTrue(dumps.get(0).cpu().isEmpty());
        assertEquals(List.of(), dumps.get(1).problems());
    }

    @Test
    void garbledGuestLineIsReportedWithItsLineNumber() {
        String text = "kvm: *** Guest State ***\nkvm: RSP = 0xzz\nkvm: CR3 = 0x0000000000001000\n";
        VmcsDump dump = VmcsDumpParser.parse(new StringReader(text)).get(0);
        assertEquals(1, dump.problems().size());
        assertEquals(2, dump.problems().get(0).lineNumber());
        assertEquals(14, dump.problems().get(0).column()); // the first 'z'
        assertEquals("no hex digits in the value of RSP", dump.problems().get(0).problem());
        assertEquals(OptionalLong.of(0x1000), dump.field("guest.CR3"));
    }

    @Test
    void dmesgLevelAndHumanTimestampPrefixes() {
        String text = "kern  :err   : [ 7058.291757] *** Guest State ***\n"
                + "kern  :err   : [ 7058.291776] RFLAGS=0x00000002         DR7 = 0x0000000000000400\n"
                + "[Tue Mar  5 10:15:02 2019] RSP = 0x0000000000006f2c  RIP = 0x000000000000fff0\n"
                + "<3>[ 7058.291829] *** Control State ***\n"
                + "<3>[ 7058.291840] VMExit: intr_info=00000000 errcode=00000000 ilen=00000000\n"
                + "<3>[ 7058.291841]         reason=80000021 qualification=0000000000000000\n";
        VmcsDump dump = VmcsDumpParser.parse(new StringReader(text)).get(0);
        assertEquals(List.of(), dump.problems());
        assertEquals(OptionalLong.of(0xfff0), dump.field("guest.RIP"));
        assertEquals(OptionalLong.of(2), dump.field("guest.RFLAGS"));
        assertEquals(0x80000021, dump.exitReason().orElseThrow().raw());
        assertEquals(6, dump.lastLine());
    }

    @Test
    void anInterleavedLineInTheControlSectionIsReportedAndTheDumpGoesOn() {
        String text = "*** Guest State ***\n"
                + "RFLAGS=0x00000002         DR7 = 0x0000000000000400\n"
                + "*** Control State ***\n"
                + "PinBased=0x000000ff EntryControls=0000d1ff ExitControls=002befff\n"
                + "virbr0: port 1(vnet0) entered blocking state\n"
                + "VMExit: intr_info=00000000 errcode=00000000 ilen=00000000\n"
                + "        reason=80000021 qualification=0000000000000000\n"
                + "foo=1 bar=2\n" // name=value text, but no label dump_vmcs() prints: after the dump
                + "virbr0: port 1(vnet0) entered disabled state\n";
        VmcsDump dump = VmcsDumpParser.parse(new StringReader(text)).get(0);
        assertEquals(7, dump.lastLine());
        assertEquals(1, dump.problems().size(), dump.problems().toString());
        assertEquals(5, dump.problems().get(0).lineNumber());
        assertEquals("virbr0: port 1(vnet0) entered blocking state", dump.problems().get(0).line());
        assertEquals(0x80000021, dump.exitReason().orElseThrow().raw());
        assertTrue(dump.field("control.foo").isEmpty());
    }

    @Test
    void aLabelNoKernelPrintsIsKeptAndReported() {
        String text = "*** Guest State ***\nRSP = 0x0000000000006f2c  Shiny = 0x1\n*** Host State ***\n";
        VmcsDump dump = VmcsDumpParser.parse(new StringReader(text)).get(0);
        assertEquals(OptionalLong.of(1), dump.field("guest.Shiny"));
        assertEquals(OptionalLong.of(0x6f2c), dump.field("guest.RSP"));
        assertEquals(1, dump.problems().size());
        assertEquals(2, dump.problems().get(0).lineNumber());
        assertTrue(dump.problems().get(0).problem().contains("guest.Shiny"), dump.problems().get(0).problem());
    }

    @Test
    void anInterleavedLineBetweenTheVmcsLineAndTheGuestHeaderKeepsTheCpu() {
        String text = "kvm_intel: VMCS 000000007c7ab4a1, last attempted VM-entry on CPU 5\n"
                + "other: something else\n"
                + "kvm_intel: *** Guest State ***\n"
                + "kvm_intel: CR3 = 0x0000000000001000\n";
        List<VmcsDump> dumps = VmcsDumpParser.parse(new StringReader(text));
        assertEquals(1, dumps.size());
        assertEquals(OptionalLong.of(5), dumps.get(0).cpu());
        assertEquals(1, dumps.get(0).firstLine());
        assertEquals(List.of(2L), dumps.get(0).problems().stream().map(VmcsDumpProblem::lineNumber).toList());
    }

    @Test
    void msrListsOfGuestAndHostAndAnAutoloadedEfer() {
        // vmx_dump_msrs(): "MSR %s:" then "  %2d: msr=0x%08x value=0x%016llx"; EFER "(autoload)" when the
        // guest EFER comes from the MSR-load list rather than the VMCS field (Linux 6.1 dump_vmcs())
        String p = "[  100.000001] kvm_intel: ";
        String text = p + "*** Guest State ***\n"
                + p + "EFER= 0x0000000000000d01 (autoload)\n"
                + p + "MSR guest autoload:\n"
                + p + "   0: msr=0xc0000080 value=0x0000000000000d01\n"
                + p + "  10: msr=0x00000600 value=0x0000000000000000\n"
                + p + "MSR guest autostore:\n"
                + p + "   0: msr=0x00000010 value=0x000000012a05f200\n"
                + p + "*** Host State ***\n"
                + p + "MSR host autoload:\n"
                + p + "   0: msr=0xc0000080 value=0x0000000000000d01\n"
                + p + "*** Control State ***\n"
                + p + "ExceptionBitmap=00060042 PFECmask=00000000 PFECmatch=00000000\n";
        VmcsDump dump = VmcsDumpParser.parse(new StringReader(text)).get(0);
        assertEquals(List.of(), dump.problems());
        assertEquals(List.of(new VmcsDumpMsr("guest autoload", 0, 0xc0000080L, 0xd01),
                new VmcsDumpMsr("guest autoload", 10, 0x600, 0),
                new VmcsDumpMsr("guest autostore", 0, 0x10, 0x12a05f200L),
                new VmcsDumpMsr("host autoload", 0, 0xc0000080L, 0xd01)), dump.msrs());
        assertEquals(OptionalLong.of(0xd01), dump.field("guest.EFER"));
        assertEquals("(autoload)", dump.annotations().get("guest.EFER"));
        assertTrue(dump.vmcs().find(dev.vmx.vmcs.VmcsField.GUEST_IA32_EFER).isEmpty());
        assertEquals(0x60042, dump.vmcs().read(dev.vmx.vmcs.VmcsField.EXCEPTION_BITMAP));
    }

    @Test
    void anMsrEntryOutsideAListIsAProblem() {
        String text = "*** Guest State ***\n   0: msr=0xc0000080 value=0x0000000000000d01\n*** Host State ***\n";
        VmcsDump dump = VmcsDumpParser.parse(new StringReader(text)).get(0);
        assertEquals(List.of(new VmcsDumpProblem(2, 4, "   0: msr=0xc0000080 value=0x0000000000000d01", "MSR entry outside an MSR list")),
                dump.problems());
        assertEquals(List.of(), dump.msrs());
    }
}
