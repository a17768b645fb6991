package dev.vmx.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vmx.Fuzz;
import dev.vmx.Mutations;
import dev.vmx.dump.VmcsDumpParser;
import dev.vmx.event.InstructionInfo;
import dev.vmx.event.InterruptionInfo;
import dev.vmx.event.VmInstructionError;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import dev.vmx.qual.ExitQualification;
import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.KvmTraceReader;
import dev.vmx.trace.KvmTraceSummary;
import dev.vmx.vmcs.FieldEncoding;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import dev.vmx.vmcs.VmcsText;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deterministic fuzz suite of vmx-api's parsers and decoders (see {@link Fuzz} for the rules:
 * every outcome is a result, a reported problem or the documented exception naming the input and
 * position; nothing slow on a small input; nothing lost). Inputs are mutations of the real samples
 * under src/test/resources, random text and random 32/64-bit values. CI runs the default sizes;
 * {@code -Dvmx.fuzz.scale=K} runs K times as many, {@code -Dvmx.fuzz.seed=S} another seed.
 */
@Tag("fuzz")
class ApiFuzzTest {
    static final String[] DUMP_SAMPLES = {
        "dev/vmx/dump/coconut-svsm-1081.txt", "dev/vmx/dump/dosemu2-1274-syslog.txt", "dev/vmx/dump/edk2-91-wrapped.txt",
        "dev/vmx/dump/linux-4.19-format.txt", "dev/vmx/dump/linux-5.10-format.txt", "dev/vmx/dump/linux-6.1-format.txt",
    };
    static final String[] TRACE_SAMPLES = {
        "dev/vmx/trace/gvisor-6757-tracefs.txt", "dev/vmx/trace/osdev-trace-cmd-report.txt",
        "dev/vmx/trace/cilium-ebpf-598-perf-script.txt",
    };

    static byte[] resource(String path) {
        try (InputStream in = ApiFuzzTest.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    // ---- exit reasons ----

    @Test
    void exitReasonParse() {
        Fuzz fuzz = Fuzz.target("ExitReason.parse");
        SplittableRandom random = fuzz.random();
        List<String> samples = new ArrayList<>();
        for (BasicExitReason basic : BasicExitReason.values()) {
            samples.add(ExitReason.of(basic.number() | 0x8800_0000).toString());
        }
        samples.add("0x80000021");
        samples.add("INVALID_STATE|FAILED_VMENTRY");
        samples.add("UNRECOGNIZED(82)|RESERVED(0x10000)");
        samples.add("80000021");
        samples.add(" 2147483681 ");
        samples.add("0x8000_0021");
        for (String sample : samples.subList(samples.size() - 6, samples.size())) {
            for (int cut = 0; cut <= sample.length(); cut++) { // truncation at every position
                parseExitReason(fuzz, sample.substring(0, cut));
            }
        }
        int count = Fuzz.inputs(60_000);
        for (int i = 0; i < count; i++) {
            String input = random.nextInt(4) == 0 ? Mutations.randomText(random, 40)
                    : new String(Mutations.mutate(samples.get(random.nextInt(samples.size())).getBytes(StandardCharsets.ISO_8859_1),
                            random), StandardCharsets.ISO_8859_1);
            parseExitReason(fuzz, input);
        }
        parseExitReason(fuzz, "A".repeat(10_000_000)); // the 10 MB name (quadratic "did you mean" before)
        parseExitReason(fuzz, "HLT|" + "B".repeat(10_000_000));
        parseExitReason(fuzz, "9".repeat(10_000_000));
        fuzz.finish();
    }

    private static void parseExitReason(Fuzz fuzz, String input) {
        fuzz.run(input, () -> {
            ExitReason reason = ExitReason.parse(input);
            ExitReason again = ExitReason.parse(reason.toString());
            if (!again.equals(reason)) {
                throw new AssertionError("parse(toString()) gives " + again + ", not " + reason);
            }
        }, Fuzz.parseError(input));
    }

    @Test
    void exitReasonOfEveryValueRoundTrips() {
        Fuzz fuzz = Fuzz.target("ExitReason.of");
        SplittableRandom random = fuzz.random();
        int count = Fuzz.inputs(100_000);
        for (int i = 0; i < count; i++) {
            int raw = Mutations.edgy32(random);
            fuzz.run(Integer.toHexString(raw), () -> {
                ExitReason reason = ExitReason.of(raw);
                String text = reason.toString();
                if (reason.raw() != raw || !ExitReason.parse(text).equals(reason)
                        || !ExitReason.parse("0x" + Integer.toHexString(raw)).equals(reason)
                        || reason.basicNumber() != (raw & 0xFFFF) || reason.flags().size() > 5) {
                    throw new AssertionError("0x" + Integer.toHexString(raw) + " does not round-trip through " + text);
                }
            }, Fuzz.NOTHING);
        }
        fuzz.finish();
    }

    // ---- field encodings, qualifications, event and instruction information ----

    @Test
    void fieldEncodingDecode() {
        Fuzz fuzz = Fuzz.target("FieldEncoding.decode");
        SplittableRandom random = fuzz.random();
        int count = Fuzz.inputs(100_000);
        for (int i = 0; i < count; i++) {
            int raw = random.nextBoolean() ? Mutations.edgy32(random) : random.nextInt(0x8000);
            fuzz.run("0x" + Integer.toHexString(raw), () -> {
                FieldEncoding encoding = FieldEncoding.decode(raw);
                encoding.toString();
                if (!FieldEncoding.isWellFormed(raw)) {
                    throw new AssertionError("decoded a malformed encoding");
                }
                VmcsField.fromEncoding(raw);
            }, thrown -> thrown instanceof IllegalArgumentException
                    && String.valueOf(thrown.getMessage()).contains("0x" + Integer.toHexString(raw))
                    && !FieldEncoding.isWellFormed(raw) ? null : "not an IllegalArgumentException naming 0x" + Integer.toHexString(raw));
        }
        fuzz.finish();
    }

    @Test
    void everyQualificationDecoderWithEveryReason() {
        Fuzz fuzz = Fuzz.target("ExitQualification.decode");
        SplittableRandom random = fuzz.random();
        BasicExitReason[] reasons = BasicExitReason.values();
        int perReason = Math.max(1, Fuzz.inputs(120_000) / reasons.length);
        for (BasicExitReason basic : reasons) {
            for (int i = 0; i < perReason; i++) {
                int number = basic == BasicExitReason.UNRECOGNIZED ? random.nextInt(1 << 16) : basic.number();
                int flags = random.nextInt() & 0xFFFF_0000;
                ExitReason reason = ExitReason.of(number | (random.nextBoolean() ? 0 : flags));
                long raw = Mutations.edgy64(random);
                fuzz.run(reason + " 0x" + Long.toHexString(raw), () -> {
                    ExitQualification qualification = ExitQualification.decode(reason, raw);
                    qualification.toString();
                    qualification.hashCode();
                }, Fuzz.NOTHING);
            }
        }
        fuzz.finish();
    }

    @Test
    void interruptionInstructionInfoAndInstructionErrors() {
        Fuzz fuzz = Fuzz.target("InterruptionInfo/InstructionInfo/VmInstructionError");
        SplittableRandom random = fuzz.random();
        BasicExitReason[] reasons = BasicExitReason.values();
        int count = Fuzz.inputs(100_000);
        for (int i = 0; i < count; i++) {
            int raw = Mutations.edgy32(random);
            long wide = Mutations.edgy64(random);
            BasicExitReason basic = reasons[random.nextInt(reasons.length)];
            fuzz.run(basic + " 0x" + Integer.toHexString(raw) + " " + wide, () -> {
                InterruptionInfo.of(raw).toString();
                InterruptionInfo.type(raw);
                InterruptionInfo.vector(raw);
                InstructionInfo.of(basic, raw).toString();
                InstructionInfo.of(ExitReason.of(raw), raw).toString();
                VmInstructionError error = VmInstructionError.fromNumber(wide);
                String described = VmInstructionError.describe(wide);
                if (!described.contains(Long.toString(wide)) || error == null) {
                    throw new AssertionError("describe(" + wide + ") lost the number: " + described);
                }
            }, Fuzz.NOTHING);
        }
        fuzz.finish();
    }

    // ---- the VMCS text format ----

    @Test
    void vmcsText() {
        Fuzz fuzz = Fuzz.target("VmcsText.parse");
        SplittableRandom random = fuzz.random();
        VmcsSnapshot.Builder builder = VmcsSnapshot.builder();
        for (VmcsField field : VmcsField.values()) {
            if (!field.isHighHalf() && random.nextInt(4) == 0) {
                builder.put(field, random.nextLong() & (field.width().bits() == 64 ? -1L : (1L << field.width().bits()) - 1));
            }
        }
        String sample = "# sample written by VmcsText.format\n" + VmcsText.format(builder.build()) + "VIRTUAL_PROCESSOR_ID = 1\n";
        sample = sample.replaceFirst("VIRTUAL_PROCESSOR_ID = 1\n$", "");
        byte[] bytes = sample.getBytes(StandardCharsets.ISO_8859_1);
        for (int cut = 0; cut <= bytes.length; cut += 1 + (Fuzz.longRun() ? 0 : 3)) {
            parseVmcsText(fuzz, latin1(java.util.Arrays.copyOf(bytes, cut)));
        }
        int count = Fuzz.inputs(6_000);
        for (int i = 0; i < count; i++) {
            parseVmcsText(fuzz, latin1(Mutations.mutate(bytes, random)));
        }
        parseVmcsText(fuzz, "GUEST_RIP = 0x" + "f".repeat(10_000_000));
        fuzz.finish();
    }

    private static void parseVmcsText(Fuzz fuzz, String input) {
        fuzz.run(input, () -> {
            VmcsSnapshot parsed = VmcsText.parse(input);
            VmcsSnapshot again = VmcsText.parse(VmcsText.format(parsed));
            if (!again.equals(parsed)) {
                throw new AssertionError("format(parse(text)) does not parse back to the same snapshot");
            }
        }, thrown -> thrown instanceof dev.vmx.VmxParseException && ((dev.vmx.VmxParseException) thrown).lineNumber() > 0
                ? Fuzz.parseError(input).problem(thrown) : "not a VmxParseException with a line number");
    }

    // ---- dump_vmcs() logs ----

    @Test
    void vmcsDumpParser() {
        Fuzz fuzz = Fuzz.target("VmcsDumpParser.parse");
        SplittableRandom random = fuzz.random();
        List<byte[]> samples = new ArrayList<>();
        for (String path : DUMP_SAMPLES) {
            samples.add(resource(path));
        }
        for (byte[] sample : samples) { // truncation at every position (every 7th in a CI run)
            for (int cut = 0; cut <= sample.length; cut += Fuzz.longRun() ? 1 : 13) {
                parseDump(fuzz, latin1(java.util.Arrays.copyOf(sample, cut)));
            }
        }
        int count = Fuzz.inputs(2_500);
        for (int i = 0; i < count; i++) {
            parseDump(fuzz, latin1(Mutations.mutate(samples.get(random.nextInt(samples.size())), random)));
        }
        // the findings of issue 19's first fuzzing run (KNOWN_OPEN until issue 15's fixes are merged),
        // on lines with the sample's own log prefix so they are dump lines, not wrapped continuations
        String first = latin1(samples.get(5));
        String prefix = "Nov 25 01:00:00 host kernel: kvm_intel: ";
        int guestState = first.indexOf('\n', first.indexOf("Guest State")) + 1;
        String head = first.substring(0, guestState);
        String tail = first.substring(guestState);
        String sysenter = "Sysenter RSP=0000000000000000 CS:RIP=0000:0000000000000000";
        parseDump(fuzz, first.replace(sysenter, "Sysenter RSP=0000000000000000 CS:RIP=147483647:0000000000000000"));
        parseDump(fuzz, first.replace(sysenter, "Sysenter RSP=12345678901234567 CS:RIP=0010:0"));
        parseDump(fuzz, first.replace(sysenter, "Sysenter RSP=0 CS:RIP=0010:12345678901234567"));
        parseDump(fuzz, prefix + "VMCS 0, last attempted VM-entry on CPU 18446744073709551616\n" + tail);
        parseDump(fuzz, "host qemu-system-x86_64[4242]: KVM: entry failed, hardware error 0xffffffff80000021\n"
                + first.substring(first.indexOf('\n', first.indexOf("hardware error")) + 1));
        // 2,000 words overflow the stack while the regex runs interpreted; compiled frames are smaller
        parseDump(fuzz, head + prefix + "RIP " + "word ".repeat(2_000) + "\n" + tail);
        parseDump(fuzz, head + prefix + "RIP " + "word ".repeat(50_000) + "\n" + tail);
        // 16 KB took 4 s to 27 s before issue 15's fix (quadratic); a CI run takes 4 KB (1/16 of that)
        parseDump(fuzz, head + prefix + "x".repeat(Fuzz.longRun() ? 16_384 : 4_096) + "\n" + tail);
        parseDump(fuzz, first + "(".repeat(10_000_000));
        // a dump line followed by 100k unprefixed (wrapped) lines: quadratic joins until issue 15's fix,
        // 14 s here; a CI run takes 10k lines (1/100 of that)
        parseDump(fuzz, head + prefix + "RIP = 0x1\n" + "RIP = 0x1\n".repeat(Fuzz.longRun() ? 100_000 : 10_000));
        fuzz.finish();
    }

    private static void parseDump(Fuzz fuzz, String input) {
        fuzz.run(input, () -> VmcsDumpParser.parse(new StringReader(input)).forEach(dump -> dump.toString()), Fuzz.NOTHING);
    }

    // ---- kvm trace text ----

    @Test
    void kvmTraceReader() {
        Fuzz fuzz = Fuzz.target("KvmTraceReader");
        SplittableRandom random = fuzz.random();
        List<byte[]> samples = new ArrayList<>();
        for (String path : TRACE_SAMPLES) {
            samples.add(resource(path));
        }
        for (byte[] sample : samples) {
            for (int cut = 0; cut <= sample.length; cut++) {
                readTrace(fuzz, java.util.Arrays.copyOf(sample, cut));
            }
        }
        int count = Fuzz.inputs(20_000);
        for (int i = 0; i < count; i++) {
            readTrace(fuzz, Mutations.mutate(samples.get(random.nextInt(samples.size())), random));
        }
        byte[] tenMegabyteLine = ("x".repeat(10_000_000) + "\n" + latin1(samples.get(0))).getBytes(StandardCharsets.ISO_8859_1);
        readTrace(fuzz, tenMegabyteLine);
        fuzz.finish();
    }

    /** Reads a whole input; checks that events + headers + loss lines + problems = lines. */
    private static void readTrace(Fuzz fuzz, byte[] input) {
        long lines = 0;
        for (int i = 0; i < input.length; i++) {
            if (input[i] == '\n') {
                lines++;
            }
        }
        if (input.length > 0 && input[input.length - 1] != '\n') {
            lines++;
        }
        long expected = lines;
        fuzz.run(input, () -> {
            try (KvmTraceReader reader = KvmTraceReader.of(new ByteArrayInputStream(input), "fuzz")) {
                while (reader.advance()) {
                    reader.event().toRecord();
                }
                long counted = reader.eventCount() + reader.headerCount() + reader.lossLines() + reader.problemCount();
                if (counted != expected || reader.lineNumber() != expected) {
                    throw new AssertionError("events " + reader.eventCount() + " + headers " + reader.headerCount() + " + loss "
                            + reader.lossLines() + " + problems " + reader.problemCount() + " = " + counted + ", line number "
                            + reader.lineNumber() + ", but the input has " + expected + " lines");
                }
            }
        }, thrown -> thrown instanceof UncheckedIOException && String.valueOf(thrown.getMessage()).matches("(?s).*fuzz line \\d+ is longer than.*")
                ? null : "not the documented UncheckedIOException naming the input and line");
    }

    // ---- ExitStatistics.readFile: the same totals at 1, 2 and 4 threads ----

    @Test
    void readFileGivesTheSameTotalsAtOneTwoAndFourThreads(@TempDir Path directory) throws IOException {
        Fuzz fuzz = Fuzz.target("ExitStatistics.readFile");
        SplittableRandom random = fuzz.random();
        byte[] sample = resource("dev/vmx/trace/gvisor-6757-tracefs.txt");
        List<String> sampleLines = new ArrayList<>(List.of(latin1(sample).split("\n")));
        sampleLines.removeIf(line -> line.startsWith("#"));
        int files = 3 * Fuzz.scale();
        for (int f = 0; f < files; f++) {
            // a 100k-line file with 1% garbage (mutated lines), over 1 MiB so readFile splits it
            StringBuilder text = new StringBuilder();
            long lines = 100_000;
            for (int i = 0; i < lines; i++) {
                String line = sampleLines.get(random.nextInt(sampleLines.size()));
                if (random.nextInt(100) == 0) {
                    line = latin1(Mutations.mutate(line.getBytes(StandardCharsets.ISO_8859_1), random)).replace("\n", " ");
                }
                text.append(line).append('\n');
            }
            if (f == 1) {
                text.append("y".repeat(900_000)).append('\n'); // a long line, under the reader's 1 MiB limit
                lines++;
            }
            Path file = directory.resolve("trace-" + f + ".txt");
            Files.writeString(file, text, StandardCharsets.ISO_8859_1);
            long expectedLines = latin1(Files.readAllBytes(file)).chars().filter(c -> c == '\n').count();
            fuzz.run("file " + f + " of seed", 0 /* large: timed, not bounded */, () -> {
                KvmTraceSummary one = null;
                String table = null;
                for (int threads : new int[] {1, 2, 4}) {
                    ExitStatistics statistics = ExitStatistics.byReasonAndVcpu();
                    KvmTraceSummary summary = statistics.readFile(file, threads);
                    if (summary.lines() != expectedLines) {
                        throw new AssertionError(threads + " threads read " + summary.lines() + " of " + expectedLines + " lines");
                    }
                    String rows = statistics.toCsv(ExitStatistics.Order.COUNT);
                    if (one == null) {
                        one = summary;
                        table = rows;
                    } else if (!one.equals(summary) || !table.equals(rows)) {
                        throw new AssertionError(threads + " threads: " + summary + " / " + rows + " differ from one thread: "
                                + one + " / " + table);
                    }
                }
            }, Fuzz.NOTHING);
        }
        assertEquals(files, fuzz.finish());
    }
}
