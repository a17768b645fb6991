package dev.vmx.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.vmcs.VmcsField;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The findings of the issue-19 fuzzing run against {@link VmcsDumpParser}: garbled numbers a real
 * console produces (interleaved output, joined wrapped lines) threw out of {@code parse} and lost
 * every dump of the log; long lines overflowed the stack or took quadratic time. Each is now a
 * {@link VmcsDumpProblem} on its line, with its column, and the rest of the dump is kept. The
 * time-outs below are generous bounds on inputs that took seconds to hours before (they catch a
 * quadratic algorithm, not a slow machine).
 */
class VmcsDumpHostileInputTest {

    private static final String P = "[  673.850218] kvm_intel: ";

    /** A short but complete-looking guest section around one line under test. */
    private static String guest(String line) {
        return P + "VMCS 00000000f971be22, last attempted VM-entry on CPU 3\n"
                + P + "*** Guest State ***\n"
                + P + "CR3 = 0x0000008000f76000\n"
                + P + line + "\n"
                + P + "RSP = 0xfffffe006000be50  RIP = 0xffffff8000042837\n";
    }

    private static VmcsDump only(String text) {
        List<VmcsDump> dumps = VmcsDumpParser.parse(new StringReader(text));
        assertEquals(1, dumps.size(), dumps.toString());
        return dumps.get(0);
    }

    private static void assertProblem(VmcsDump dump, long line, int column, String fragment) {
        assertTrue(dump.problems().stream().anyMatch(problem -> problem.lineNumber() == line && problem.column() == column
                && problem.problem().contains(fragment)), () -> "no problem at " + line + ":" + column + " with '" + fragment
                + "' in " + dump.problems());
    }

    /** The 1-based column of a token in a line of {@link #guest(String)} (after the log prefix). */
    private static int col(String line, String token) {
        assertTrue(line.contains(token), token);
        return P.length() + line.indexOf(token) + 1;
    }

    private static void assertRestKept(VmcsDump dump) {
        assertEquals(0x8000f76000L, dump.vmcs().read(VmcsField.GUEST_CR3));
        assertEquals(0xffffff8000042837L, dump.vmcs().read(VmcsField.GUEST_RIP));
    }

    @Test
    void sysenterCsTooWideForItsFieldIsAProblemNotAnIllegalArgumentException() {
        // before: IllegalArgumentException from DumpFields.snapshot (GUEST_SYSENTER_CS is 32 bits)
        String line = "Sysenter RSP=0000000000000000 CS:RIP=147483647a:0000000000000000";
        VmcsDump dump = only(guest(line));
        assertProblem(dump, 4, col(line, "147483647a"), "does not fit GUEST_SYSENTER_CS, a 32-bit field");
        assertEquals(OptionalLong.of(0), dump.vmcs().find(VmcsField.GUEST_SYSENTER_ESP)); // the line's other values stay
        assertTrue(dump.vmcs().find(VmcsField.GUEST_SYSENTER_CS).isEmpty());
        assertRestKept(dump);
    }

    @Test
    void seventeenDigitsInSysenterRspAndCsRipAreProblemsNotNumberFormatExceptions() {
        String rspLine = "Sysenter RSP=10000000000000000 CS:RIP=0010:ffffffff81851f60";
        VmcsDump rsp = only(guest(rspLine));
        assertProblem(rsp, 4, col(rspLine, "1000"), "has 17 hex digits, more than 64 bits");
        assertEquals(OptionalLong.of(0xffffffff81851f60L), rsp.vmcs().find(VmcsField.GUEST_SYSENTER_EIP));
        assertRestKept(rsp);
        String ripLine = "Sysenter RSP=0000000000000000 CS:RIP=0010:100000000000000000";
        VmcsDump rip = only(guest(ripLine));
        assertProblem(rip, 4, col(ripLine, "1000"), "has 18 hex digits, more than 64 bits");
        assertRestKept(rip);
    }

    @Test
    void seventeenDigitsInAnMsrIndexOrValueAreProblems() {
        VmcsDump dump = only(guest("MSR guest autoload:\n" + P + "   0: msr=0x100000000000000000 value=0x0000000000000d01"));
        assertProblem(dump, 5, P.length() + 13, "MSR index 0x100000000000000000 is wider than 32 bits");
        assertEquals(List.of(), dump.msrs());
        String valueLine = "   0: msr=0xc0000080 value=0x10000000000000d01";
        VmcsDump value = only(guest("MSR guest autoload:\n" + P + valueLine));
        assertProblem(value, 5, col(valueLine, "1000"), "MSR value 0x10000000000000d01 is wider than 64 bits");
        VmcsDump slot = only(guest("MSR guest autoload:\n" + P + "   99999999999: msr=0xc0000080 value=0x0000000000000d01"));
        assertProblem(slot, 5, P.length() + 4, "slot 99999999999 is out of range");
    }

    @Test
    void seventeenDigitsInSviRviAreAProblem() {
        String text = P + "*** Control State ***\n"
                + P + "CPUBased=0xb5a06dfa SecondaryExec=0x001034ea TertiaryExec=0x0000000000000000\n"
                + P + "SVI|RVI = 100000000000000000|00 TPR Threshold = 0x00\n"
                + P + "PinBased=0x000000ff EntryControls=0000d1ff ExitControls=002befff\n";
        List<VmcsDump> dumps = VmcsDumpParser.parse(new StringReader(text));
        VmcsDump dump = dumps.get(0);
        assertProblem(dump, 3, P.length() + 11, "has 18 hex digits, more than 64 bits");
        assertEquals(OptionalLong.of(0), dump.field("control.RVI"));
        assertEquals(OptionalLong.of(0xff), dump.field("control.PinBased"));
    }

    @Test
    void aCpuNumberBeyond64BitsIsAProblemAndTheBlockIsKept() {
        String text = guest("RFLAGS=0x00000002         DR7 = 0x0000000000000400")
                .replace("CPU 3", "CPU 18446744073709551616");
        VmcsDump dump = only(text);
        assertProblem(dump, 1, col(text.lines().findFirst().orElseThrow().substring(P.length()), "1844"), "CPU number 18446744073709551616 is out of range");
        assertTrue(dump.cpu().isEmpty());
        assertRestKept(dump);
        assertEquals(2, dump.vmcs().read(VmcsField.GUEST_RFLAGS));
    }

    @Test
    void aHardwareErrorIsReadUnsignedAndOneBeyond64BitsIsAProblemOfTheLog() {
        String dumpText = guest("RFLAGS=0x00000002         DR7 = 0x0000000000000400");
        VmcsDump top = only("KVM: entry failed, hardware error 0xffffffffffffffff\n" + dumpText);
        assertEquals(OptionalLong.of(-1L), top.hardwareError()); // 2^64 - 1, not a parse error and not "absent"
        assertEquals(OptionalLong.of(1), top.hardwareErrorLine());
        VmcsDump signed = only("KVM: entry failed, hardware error 0x9223372036854775808\n" + dumpText);
        assertTrue(signed.hardwareError().isEmpty());
        VmcsDumpLog log = VmcsDumpParser.read(new StringReader("KVM: entry failed, hardware error 0x9223372036854775808\n" + dumpText));
        assertEquals(1, log.problems().size(), log.problems().toString());
        assertEquals(1, log.problems().get(0).lineNumber());
        assertEquals(37, log.problems().get(0).column());
        assertTrue(log.problems().get(0).problem().contains("19 hex digits"), log.problems().toString());
        assertRestKept(log.dumps().get(0));
        assertEquals(6, log.lines());
        // bad digits: a problem at the number, not a silent "no hardware error"
        VmcsDumpLog bad = VmcsDumpParser.read(new StringReader("KVM: entry failed, hardware error 0x8000002g\n" + dumpText));
        assertEquals(1, bad.problems().size(), bad.problems().toString());
        assertEquals(35, bad.problems().get(0).column());
        assertTrue(bad.problems().get(0).problem().contains("'0x8000002g' is not a hex number"), bad.problems().toString());
        assertTrue(bad.dumps().get(0).hardwareError().isEmpty());
        // QEMU's "hardware error 0x0" (KVM reports VM-instruction error 0 after some VMfails) is a value
        assertEquals(OptionalLong.of(0), only("KVM: entry failed, hardware error 0x0\n" + dumpText).hardwareError());
    }

    @Test
    void twoThousandWordsWithoutEqualsSignAreAProblemNotAStackOverflowError() {
        String words = "word ".repeat(2000).trim(); // 9,999 characters; the pair regex recursed once per word
        VmcsDump dump = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> only(guest(words)));
        assertProblem(dump, 4, P.length() + 1, "no name=value fields");
        assertRestKept(dump);
    }

    @Test
    void sixteenKilobytesWithoutEqualsSignTakeLinearTime() {
        // before: over 4 s (the pair regex was tried at every position and backtracked over every word)
        String run = "ab ".repeat(5400).trim();
        assertTrue(run.length() > 16000 && run.length() < VmcsDumpParser.MAX_LINE - P.length());
        VmcsDump dump = assertTimeoutPreemptively(Duration.ofSeconds(3), () -> only(guest(run)));
        assertProblem(dump, 4, P.length() + 1, "no name=value fields");
        assertRestKept(dump);
    }

    @Test
    void aLongerLineIsNoDumpLineAndIsReportedWithoutBeingScanned() {
        String line = "x=".repeat(VmcsDumpParser.MAX_LINE);
        VmcsDump dump = assertTimeoutPreemptively(Duration.ofSeconds(3), () -> only(guest(line)));
        assertProblem(dump, 4, 1, "characters is no dump line");
        assertRestKept(dump);
    }

    @Test
    void aHundredThousandUnprefixedLinesAfterADumpLineAreJoinedInLinearTime() {
        // before: over 10 s, the wrapped lines were joined by string concatenation
        StringBuilder text = new StringBuilder(guest("RFLAGS=0x00000002         DR7 = 0x0000000000000400"));
        for (int i = 0; i < 100_000; i++) {
            text.append("zz\n");
        }
        VmcsDumpLog log = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> VmcsDumpParser.read(new StringReader(text.toString())));
        assertEquals(100_005, log.lines());
        VmcsDump dump = log.dumps().get(0);
        assertEquals(0x8000f76000L, dump.vmcs().read(VmcsField.GUEST_CR3));
        // every unprefixed line is either joined into the (reported) line it continues or a problem of
        // its own: none is lost
        long reported = dump.problems().stream().mapToLong(problem -> (problem.line().length()
                - problem.line().replace("zz", "").length()) / 2).sum();
        assertEquals(100_000, reported, "lines in problems");
    }

    @Test
    void tenMegabytesOfOpeningParenthesesTakeLinearTime() {
        // before: the parenthetical pattern was tried at every position of the line, quadratic
        String parens = "(".repeat(10_000_000);
        VmcsDumpLog inside = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> VmcsDumpParser.read(new StringReader(guest("RFLAGS=0x00000002 " + parens))));
        assertProblem(inside.dumps().get(0), 4, 1, "characters is no dump line");
        String shortRun = "RFLAGS=0x00000002 " + "(".repeat(3000);
        VmcsDump shortDump = assertTimeoutPreemptively(Duration.ofSeconds(3), () -> only(guest(shortRun)));
        assertProblem(shortDump, 4, P.length() + 19, "'(' without ')'");
        VmcsDumpLog outside = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> VmcsDumpParser.read(new StringReader(parens + "\n" + guest("RFLAGS=0x00000002         DR7 = 0x0000000000000400"))));
        assertEquals(1, outside.dumps().size());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"coconut-svsm-1081.txt", "xen-drakvuf-388.txt",
        "xen-drakvuf-465.txt", "haxm-306-debugview.txt", "edk2-91-wrapped.txt", "cloud-hypervisor-4131.txt"})
    void garbledNumbersNeverThrowFromAnyPositionOfARealSample(String name) throws IOException {
        // mutations of real samples: every hex digit in turn replaced by a run of 17 digits, and the
        // text cut at every third position: parse must answer with blocks and problems, never throw
        String sample = resource(name);
        int mutations = 0;
        for (int i = 0; i < sample.length(); i++) {
            if (Character.digit(sample.charAt(i), 16) >= 0) {
                String mutated = sample.substring(0, i) + "fffffffffffffffff" + sample.substring(i + 1);
                List<VmcsDump> dumps = VmcsDumpParser.parse(new StringReader(mutated));
                assertTrue(!dumps.isEmpty(), mutated); // a garbled header may split the block in two, never lose it
                mutations++;
            }
        }
        for (int cut = 0; cut < sample.length(); cut += 3) {
            VmcsDumpParser.read(new StringReader(sample.substring(0, cut)));
            mutations++;
        }
        assertTrue(mutations > 300, "mutations: " + mutations);
    }

    static String resource(String name) throws IOException {
        try (InputStream in = VmcsDumpHostileInputTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Reader reader(String text) {
        return new StringReader(text);
    }
}
