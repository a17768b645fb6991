package dev.vmx.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.vmcs.VmcsField;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whatever users paste (issue 15): log prefixes, excerpts, cut-off dumps, Xen and HAXM dumps. Each
 * case runs on a real public sample (resources with their origin) or a mutation of one; the
 * mutations are the ones the sample's own log would show with another setting (a printk caller id,
 * {@code dmesg -r}, journalctl, a mail client quoting or wrapping it).
 */
class VmcsDumpPastedTextTest {

    private static String sample(String name) throws IOException {
        // the origin comment is no log line
        return VmcsDumpHostileInputTest.resource(name).lines().filter(line -> !line.startsWith("# Origin"))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    private static VmcsDump only(String text) {
        List<VmcsDump> dumps = VmcsDumpParser.parse(new StringReader(text));
        assertEquals(1, dumps.size(), () -> dumps.toString());
        return dumps.get(0);
    }

    /** What the coconut-svsm#1081 sample holds, whatever the prefix: the same fields, no problem. */
    private static void assertCoconutSample(VmcsDump dump) {
        assertEquals(List.of(), dump.problems());
        assertEquals(OptionalLong.of(3), dump.cpu());
        assertEquals(0x80010033L, dump.vmcs().read(VmcsField.GUEST_CR0));
        assertEquals(0xffffff8000042837L, dump.vmcs().read(VmcsField.GUEST_RIP));
        assertEquals(0x5e0e2001L, dump.vmcs().read(VmcsField.GUEST_PDPTR3));
        assertEquals(OptionalInt.of(0xa09b), dump.segment("CS").orElseThrow().accessRights());
        assertEquals(3, dump.segments().size());
    }

    private static String mutate(String text, UnaryOperator<String> line) {
        return text.lines().map(line).collect(Collectors.joining("\n", "", "\n"));
    }

    private static final Pattern TIMESTAMP = Pattern.compile("^(\\[ *\\d+\\.\\d+\\] )(.*)$");

    @Test
    void realSampleAsPrinted() throws IOException {
        assertCoconutSample(only(sample("coconut-svsm-1081.txt")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[ T1289]", "[    C3]", "[T1289]"})
    void printkCallerIdsAfterTheTimestamp(String caller) throws IOException {
        // CONFIG_PRINTK_CALLER: printk.c prints "[%6s]" of "T<pid>" or "C<cpu>" after the time stamp
        // (before: the whole dump was lost, a 1-line block with every field missing and no problem)
        String text = mutate(sample("coconut-svsm-1081.txt"), line -> {
            Matcher m = TIMESTAMP.matcher(line);
            return m.matches() ? m.group(1).trim() + caller + " " + m.group(2) : line;
        });
        assertTrue(text.contains(caller + " kvm_intel: VMCS"), text);
        VmcsDump dump = only(text);
        assertCoconutSample(dump);
        assertEquals(1, dump.firstLine());
    }

    @Test
    void dmesgRawLevelsJournalctlAndSyslogPrefixes() throws IOException {
        String sample = sample("coconut-svsm-1081.txt");
        // dmesg -r: "<3>" (facility kern 0, level err 3) before the time stamp
        assertCoconutSample(only(mutate(sample, line -> line.isEmpty() ? line : "<3>" + line)));
        // journalctl -k -o short-monotonic: "[  673.850218] host kernel: kvm_intel: ..."
        assertCoconutSample(only(mutate(sample, line -> {
            Matcher m = TIMESTAMP.matcher(line);
            return m.matches() ? m.group(1) + "myhost kernel: " + m.group(2) : line;
        })));
        // syslog: "Dec  4 17:41:26 myhost kernel: [  673.850218] kvm_intel: ..."
        assertCoconutSample(only(mutate(sample, line -> "Dec  4 17:41:26 myhost kernel: " + line)));
    }

    @Test
    void mailQuotedAndWrappedByAMailClient() throws IOException {
        String sample = sample("coconut-svsm-1081.txt");
        // quoted in a reply ("> ") and wrapped at 72 columns: the continuation lines carry the quote
        // mark but no log prefix
        String quoted = mutate(sample, line -> {
            String full = "> " + line;
            if (full.length() <= 72) {
                return full;
            }
            int cut = full.lastIndexOf(' ', 72);
            return full.substring(0, cut) + "\n> " + full.substring(cut + 1);
        });
        assertTrue(quoted.lines().count() > sample.lines().count(), "some lines were wrapped");
        VmcsDump dump = only(quoted);
        assertCoconutSample(dump);
        assertEquals(1, dump.firstLine());
    }

    @Test
    void realMailWrappedSampleFromEdk2() throws IOException {
        VmcsDump dump = only(sample("edk2-91-wrapped.txt"));
        assertEquals(0x50032L, dump.vmcs().read(VmcsField.GUEST_CR0));
        assertEquals(0xfffffffffffffff7L, dump.field("guest.CR0.gh_mask").getAsLong());
        assertEquals(0x2050L, dump.vmcs().read(VmcsField.GUEST_CR4));
    }

    @Test
    void anExcerptStartingAtCr4() throws IOException {
        // a mail quote that starts mid-dump: no "VMCS ..." line, no "*** Guest State ***" (before: 0 blocks)
        String excerpt = sample("coconut-svsm-1081.txt").lines().dropWhile(line -> !line.contains("CR4: actual="))
                .collect(Collectors.joining("\n", "", "\n"));
        VmcsDump dump = only(excerpt);
        assertTrue(dump.excerpt());
        assertFalse(dump.isComplete());
        assertEquals(List.of(), dump.problems());
        assertEquals(0x342af0L, dump.vmcs().read(VmcsField.GUEST_CR4));
        assertTrue(dump.vmcs().find(VmcsField.GUEST_CR0).isEmpty());
        assertEquals(OptionalLong.empty(), dump.cpu());
        assertEquals(List.of("host", "control"), dump.missingSections());
    }

    @Test
    void anExcerptStartingAtSysenterTakesItsSectionFromTheLinesAfterIt() throws IOException {
        // "Sysenter RSP=" is printed by the guest and by the host section; the segment rows after it say guest
        String excerpt = sample("coconut-svsm-1081.txt").lines().dropWhile(line -> !line.contains("Sysenter RSP="))
                .collect(Collectors.joining("\n", "", "\n"));
        VmcsDump dump = only(excerpt);
        assertEquals(List.of(), dump.problems());
        assertEquals(OptionalLong.of(0), dump.field("guest.Sysenter RSP"));
        assertEquals(0, dump.vmcs().read(VmcsField.GUEST_SYSENTER_EIP));
        assertEquals(3, dump.segments().size());
        // the same line before "*** Control State ***" is the host's
        VmcsDump host = only("Sysenter RSP=fffffe0000034000 CS:RIP=0010:ffffffff8e201a90\n*** Control State ***\n"
                + "PinBased=0x000000ff EntryControls=0000d1ff ExitControls=002befff\n");
        assertEquals(0x10, host.vmcs().read(VmcsField.HOST_IA32_SYSENTER_CS));
        assertEquals(List.of("guest"), host.missingSections());
        // alone, the excerpt cannot tell: the line is reported, not guessed
        VmcsDump alone = only("Sysenter RSP=fffffe0000034000 CS:RIP=0010:ffffffff8e201a90\n");
        assertEquals(1, alone.problems().size());
        assertTrue(alone.problems().get(0).problem().contains("guest or the host section"), alone.problems().toString());
        assertTrue(alone.fields().isEmpty());
    }

    @Test
    void anExcerptStartingAtVmExit() throws IOException {
        String excerpt = sample("linux-6.1-format.txt").lines().dropWhile(line -> !line.contains("VMExit: intr_info="))
                .collect(Collectors.joining("\n", "", "\n"));
        VmcsDump dump = only(excerpt);
        assertTrue(dump.excerpt());
        assertEquals(0x80000021, dump.exitReason().orElseThrow().raw());
        assertEquals(List.of("guest", "host"), dump.missingSections());
        assertEquals(List.of(), dump.missingFields()); // fields before VMExit are the excerpt's start, not missing
        assertEquals(List.of(), dump.problems()); // the unrelated br0 line after the dump ends it: not in the block
        assertEquals(excerpt.lines().count() - 1, dump.lastLine());
    }

    @Test
    void aDumpCutAtALineSaysWhichSectionsAndFieldsAreMissing() throws IOException {
        String full = sample("linux-6.1-format.txt");
        VmcsDump complete = only(full);
        assertTrue(complete.isComplete(), complete.missingFields() + " " + complete.missingSections());
        String cut = full.lines().takeWhile(line -> !line.contains("ExceptionBitmap=")).collect(Collectors.joining("\n", "", "\n"));
        VmcsDump dump = only(cut);
        assertFalse(dump.isComplete());
        assertEquals(List.of(), dump.missingSections());
        assertTrue(dump.missingFields().containsAll(List.of("control.ExceptionBitmap", "control.VMExit.reason",
                "control.TSC Offset")), dump.missingFields().toString());
        assertFalse(dump.missingFields().contains("control.PinBased"));
        String beforeHost = full.lines().takeWhile(line -> !line.contains("*** Host State ***"))
                .collect(Collectors.joining("\n", "", "\n"));
        assertEquals(List.of("host", "control"), only(beforeHost).missingSections());
    }

    @Test
    void aValueCutShortIsAProblemNotAValue() throws IOException {
        // the dump cut in the middle of CR3's value: "CR3 = 0x0000008" is not CR3 = 8
        String full = sample("coconut-svsm-1081.txt");
        String cut = full.substring(0, full.indexOf("CR3 = 0x") + "CR3 = 0x0000000".length()) + "\n";
        VmcsDump dump = only(cut);
        assertTrue(dump.vmcs().find(VmcsField.GUEST_CR3).isEmpty());
        VmcsDumpProblem problem = dump.problems().get(0);
        assertEquals(5, problem.lineNumber());
        assertTrue(cut.endsWith("CR3 = 0x0000008\n"), cut);
        assertEquals(cut.lines().toList().get(4).indexOf("0x") + 3, problem.column());
        assertTrue(problem.problem().contains("has 7 hex digits where dump_vmcs() prints 16"), problem.problem());
        assertEquals(0x342af0L, dump.vmcs().read(VmcsField.GUEST_CR4));
    }

    @Test
    void everyValueOfTheKernelFormatsIsCheckedForItsWidth() throws IOException {
        // the pr_err() formats of dump_vmcs(): render each with zeros, then cut each value by a digit
        List<String> formats = VmcsDumpHostileInputTest.resource("linux-dump-vmcs-formats.txt").lines()
                .filter(line -> !line.startsWith("#")).toList();
        Pattern conversion = Pattern.compile("%(0(\\d+))?(?:l{0,2}x|p|d|2d)");
        StringBuilder dump = new StringBuilder();
        int values = 0;
        for (String format : formats) {
            Matcher m = conversion.matcher(format);
            StringBuilder line = new StringBuilder();
            while (m.find()) {
                String replacement = m.group(2) != null ? "0".repeat(Integer.parseInt(m.group(2)))
                        : m.group().equals("%p") ? "000000007c7ab4a1" : m.group().equals("%2d") ? " 0" : "1";
                m.appendReplacement(line, replacement);
                values += m.group(2) != null ? 1 : 0;
            }
            m.appendTail(line);
            dump.append(line).append('\n');
        }
        VmcsDump rendered = only(dump.toString());
        assertEquals(List.of(), rendered.problems());
        assertTrue(rendered.isComplete(), rendered.missingFields().toString());
        int checked = 0;
        List<String> lines = dump.toString().lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            Matcher digits = Pattern.compile("(?<![0-9a-zA-Z])(?:0x)?(0{2,})").matcher(lines.get(i));
            while (digits.find()) {
                if (lines.get(i).startsWith("VMCS ")) {
                    continue;
                }
                String shorter = lines.get(i).substring(0, digits.start(1)) + digits.group(1).substring(1)
                        + lines.get(i).substring(digits.end(1));
                List<String> mutated = new java.util.ArrayList<>(lines);
                mutated.set(i, shorter);
                VmcsDump dumpWithCut = only(String.join("\n", mutated) + "\n");
                int line = i + 1;
                int column = digits.start(1) + 1;
                assertTrue(dumpWithCut.problems().stream().anyMatch(p -> p.lineNumber() == line && p.column() == column
                        && p.problem().contains("cut off")), () -> "no cut-off problem at " + line + ":" + column + " in "
                        + shorter + ": " + dumpWithCut.problems());
                checked++;
            }
        }
        assertEquals(values, checked, "every fixed-width value cut once");
    }

    @Test
    void xenDumpFromDrakvuf388() throws IOException {
        VmcsDump dump = only(sample("xen-drakvuf-388.txt"));
        assertEquals(VmcsDumpDialect.XEN, dump.dialect());
        assertEquals(OptionalLong.of(0x80000021L), dump.hardwareError());
        assertEquals(0x8000000017464000L, dump.vmcs().read(VmcsField.GUEST_CR3));
        assertEquals(0, dump.vmcs().read(VmcsField.GUEST_PDPTR3));
        // the VMCS value, not Xen's register copy in parentheses (equal here), is the field
        assertEquals(0xffffffff8184ef2dL, dump.vmcs().read(VmcsField.GUEST_RIP));
        assertEquals(6, dump.vmcs().read(VmcsField.GUEST_RFLAGS));
        assertEquals(0x10, dump.vmcs().read(VmcsField.GUEST_SYSENTER_CS));
        assertEquals(0xa09b, dump.vmcs().read(VmcsField.GUEST_CS_AR_BYTES));
        assertEquals(0x1c000, dump.vmcs().read(VmcsField.GUEST_DS_AR_BYTES));
        assertEquals(0x7f, dump.vmcs().read(VmcsField.GUEST_GDTR_LIMIT));
        assertEquals(0x7f3d6b8cd700L, dump.vmcs().read(VmcsField.GUEST_FS_BASE));
        // the post ends inside the IDTR row: a cut-off value, and no closing line of stars
        assertEquals(2, dump.problems().size(), dump.problems().toString());
        assertTrue(dump.problems().get(0).problem().contains("IDTR"), dump.problems().toString());
        assertTrue(dump.problems().get(1).problem().contains("cut off"), dump.problems().toString());
        assertTrue(dump.vmcs().find(VmcsField.GUEST_IDTR_LIMIT).isEmpty());
        assertEquals(List.of("host", "control"), dump.missingSections());
    }

    @Test
    void xenExcerptFromDrakvuf465() throws IOException {
        VmcsDump dump = only(sample("xen-drakvuf-465.txt"));
        assertEquals(VmcsDumpDialect.XEN, dump.dialect());
        assertTrue(dump.excerpt());
        assertEquals(List.of(), dump.problems());
        assertEquals(0x0000050100070406L, dump.vmcs().read(VmcsField.HOST_IA32_PAT)); // the line before Control State
        assertEquals(0x80000021, dump.exitReason().orElseThrow().raw());
        assertEquals(0x2f, dump.vmcs().read(VmcsField.VM_ENTRY_INTR_INFO_FIELD));
        assertEquals(0x39495301eL, dump.vmcs().read(VmcsField.EPT_POINTER));
        assertEquals(0, dump.vmcs().read(VmcsField.EPTP_INDEX));
        assertEquals(0, dump.vmcs().read(VmcsField.VM_FUNCTION_CONTROL));
        assertEquals(0x7678, dump.vmcs().read(VmcsField.VIRTUAL_PROCESSOR_ID));
        assertEquals(15, dump.lastLine()); // the closing stars; "domain_crash called" is after the dump
    }

    @Test
    void haxmDumpsFromIntelHaxm193And306() throws IOException {
        VmcsDump bare = only(sample("haxm-193.txt"));
        assertEquals(VmcsDumpDialect.HAXM, bare.dialect());
        assertEquals(List.of(), bare.problems());
        assertEquals(0x969861faL, bare.vmcs().read(VmcsField.CPU_BASED_VM_EXEC_CONTROL));
        assertEquals(0xffffffffe0000020L, bare.vmcs().read(VmcsField.CR0_GUEST_HOST_MASK));
        assertEquals(1, bare.vmcs().read(VmcsField.VIRTUAL_PROCESSOR_ID));
        assertEquals(OptionalLong.of(0x11ff), bare.field("haxm.VMX_ENTRY_CONTROLS"));
        VmcsDump debugView = only(sample("haxm-306-debugview.txt"));
        assertEquals(0x9e019, debugView.vmcs().read(VmcsField.GUEST_RIP));
        assertEquals(0xc09b, debugView.vmcs().read(VmcsField.GUEST_CS_AR_BYTES));
        assertEquals(0x1c000, debugView.vmcs().read(VmcsField.GUEST_FS_AR_BYTES));
        // the post ends inside a field line
        assertEquals(1, debugView.problems().size(), debugView.problems().toString());
        assertEquals(23, debugView.problems().get(0).lineNumber());
        assertTrue(debugView.problems().get(0).problem().contains("cut off"));
    }

    @Test
    void haxmValueTooWideAndUnknownEncodingAreProblems() {
        VmcsDump dump = only("haxm_warning:4826 GUEST_ACTIVITY_STATE: 100000000\nhaxm_warning:7777 NOT_A_FIELD: 1\n"
                + "haxm_warning:681e GUEST_RIP: 9e019\n");
        assertEquals(2, dump.problems().size(), dump.problems().toString());
        assertEquals("haxm_warning:4826 GUEST_ACTIVITY_STATE: ".length() + 1, dump.problems().get(0).column());
        assertTrue(dump.problems().get(0).problem().contains("32-bit field"));
        assertEquals(14, dump.problems().get(1).column());
        assertEquals(0x9e019, dump.vmcs().read(VmcsField.GUEST_RIP));
    }

    @Test
    void anUnknownDialectIsNamedAsSuch() {
        // the layout of a dump, but with labels neither Linux nor Xen prints
        VmcsDump dump = only("*** Guest State ***\nFoo = 0x1 Bar = 0x2 Baz = 0x3\nRSP = 0x0000000000006f2c  RIP = 0x000000000000fff0\n");
        assertEquals(VmcsDumpDialect.UNKNOWN, dump.dialect());
        assertEquals(OptionalLong.of(3), dump.field("guest.Baz"));
        assertEquals(0xfff0, dump.vmcs().read(VmcsField.GUEST_RIP));
        assertEquals(1, dump.problems().size());
    }

    @Test
    void aMarkdownQuoteWithElidedLines() {
        // tianocore/edk2#91 (comment by lersek, 2016-05-26): the lines he quoted, indented, "..." for the rest
        String text = "We have:\n\n"
                + "    [ 7058.291757] *** Guest State ***\n"
                + "    ...\n"
                + "    [ 7058.291776] RFLAGS=0x00000002 DR7 = 0x0000000000000400\n\n"
                + "and\n\n"
                + "    [ 7058.291829] *** Control State ***\n"
                + "    ...\n"
                + "    [ 7058.291838] VMEntry: intr_info=800000d1 errcode=00000000 ilen=00000000\n";
        VmcsDump dump = only(text);
        assertEquals(2, dump.vmcs().read(VmcsField.GUEST_RFLAGS));
        assertEquals(0x800000d1L, dump.vmcs().read(VmcsField.VM_ENTRY_INTR_INFO_FIELD));
        assertEquals(List.of(4L, 7L, 10L), dump.problems().stream().map(VmcsDumpProblem::lineNumber).toList());
        assertTrue(dump.problems().get(0).problem().startsWith("lines left out here"), dump.problems().toString());
        assertEquals(5, dump.problems().get(0).column());
        assertEquals(List.of("host"), dump.missingSections());
        assertTrue(dump.missingFields().contains("guest.CR3"));
    }

    @Test
    void realNestedDumpFromCloudHypervisor4131CutInTheGdtrRow() throws IOException {
        VmcsDump dump = only(sample("cloud-hypervisor-4131.txt"));
        assertEquals(VmcsDumpDialect.LINUX_KVM, dump.dialect());
        assertEquals(OptionalLong.of(3), dump.cpu());
        assertEquals(0x21, dump.vmcs().read(VmcsField.GUEST_CR0)); // PE 1, PG 0
        assertEquals(0x111bfe, dump.vmcs().read(VmcsField.GUEST_RIP));
        assertEquals(6, dump.segments().size());
        assertEquals("0xc09b: code execute/read accessed, DPL 0, present, 32-bit, 4K granular",
                dump.segment("CS").orElseThrow().rights().orElseThrow().toString());
        assertEquals(1, dump.problems().size(), dump.problems().toString());
        VmcsDumpProblem cut = dump.problems().get(0);
        assertEquals(17, cut.lineNumber());
        assertEquals("[   58.074785] ".length() + 1, cut.column());
        assertTrue(cut.problem().contains("GDTR row is cut off"), cut.problem());
        assertEquals(List.of("host", "control"), dump.missingSections());
        assertTrue(dump.missingFields().containsAll(List.of("guest.GDTR", "guest.TR", "guest.Interruptibility")),
                dump.missingFields().toString());
        assertTrue(dump.vmcs().find(VmcsField.GUEST_GDTR_LIMIT).isEmpty());
    }
}
