package dev.vmx.fuzz;

import dev.vmx.Fuzz;
import dev.vmx.Mutations;
import dev.vmx.VmxParseException;
import dev.vmx.explain.HardwareError;
import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.KvmTraceReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Fuzz targets for input that crosses a process or a paste: the serialized statistics that Spark
 * and other hosts send back ({@link ExitStatistics#fromBytes}, {@link ExitStatistics#fromStateJson})
 * and the "hardware error" line users paste ({@link HardwareError#parse}). Rules as in
 * {@link ApiFuzzTest}: a result, or the documented exception naming where the input broke; nothing
 * slow on a small input. A form that reads back must also be a consistent state: written again, it
 * reads back the same, and its table prints.
 */
@Tag("fuzz")
class SerializedStatisticsFuzzTest {
    /** The serialized forms of statistics of every grouping over the gVisor and trace-cmd samples. */
    private static List<ExitStatistics> samples() {
        List<ExitStatistics> samples = new ArrayList<>();
        for (ExitStatistics.Grouping grouping : ExitStatistics.Grouping.values()) {
            ExitStatistics statistics = ExitStatistics.by(grouping);
            for (String path : ApiFuzzTest.TRACE_SAMPLES) {
                String text = new String(ApiFuzzTest.resource(path), StandardCharsets.UTF_8);
                try (KvmTraceReader reader = KvmTraceReader.of(new StringReader(text), path)) {
                    while (reader.advance()) {
                        statistics.accept(reader.event());
                    }
                }
            }
            samples.add(statistics);
        }
        return samples;
    }

    /** What the Javadoc promises for a bad form: IllegalArgumentException whose message names where. */
    private static Fuzz.Documented badForm(String where) {
        java.util.regex.Pattern place = java.util.regex.Pattern.compile(where);
        return thrown -> {
            if (!(thrown instanceof IllegalArgumentException)) {
                return "not an IllegalArgumentException";
            }
            String message = String.valueOf(thrown.getMessage());
            return place.matcher(message).find() ? null : "the message names no place (" + where + ")";
        };
    }

    /** A form that was read is a usable state: it writes and reads back the same, and prints. */
    private static void checkConsistent(ExitStatistics read) {
        String json = read.toStateJson();
        if (!ExitStatistics.fromBytes(read.toBytes()).toStateJson().equals(json)
                || !ExitStatistics.fromStateJson(json).toStateJson().equals(json)) {
            throw new AssertionError("a form that was read does not write and read back the same");
        }
        read.toTable(ExitStatistics.Order.COUNT);
        read.toCsv(ExitStatistics.Order.REASON);
        read.toJson(ExitStatistics.Order.TIME);
    }

    @Test
    void fromBytes() {
        Fuzz fuzz = Fuzz.target("ExitStatistics.fromBytes");
        SplittableRandom random = fuzz.random();
        List<byte[]> forms = new ArrayList<>();
        for (ExitStatistics statistics : samples()) {
            forms.add(statistics.toBytes());
        }
        forms.add(ApiFuzzTest.resource("dev/vmx/trace/exit-statistics-v1-io-port.bin"));
        forms.add(ApiFuzzTest.resource("dev/vmx/trace/exit-statistics-v1-reason-and-vcpu.bin"));
        Fuzz.Documented documented = badForm("byte offset \\d+: ");
        for (byte[] form : forms) {
            for (int cut = 0; cut < form.length; cut += Fuzz.longRun() ? 1 : 3) {
                byte[] input = Arrays.copyOf(form, cut);
                fuzz.run(input, () -> checkConsistent(ExitStatistics.fromBytes(input)), documented);
            }
        }
        int count = Fuzz.inputs(20_000);
        for (int i = 0; i < count; i++) {
            byte[] input = Mutations.mutate(forms.get(random.nextInt(forms.size())), random);
            fuzz.run(input, () -> checkConsistent(ExitStatistics.fromBytes(input)), documented);
        }
        fuzz.finish();
    }

    @Test
    void fromStateJson() {
        Fuzz fuzz = Fuzz.target("ExitStatistics.fromStateJson");
        SplittableRandom random = fuzz.random();
        List<byte[]> forms = new ArrayList<>();
        for (ExitStatistics statistics : samples()) {
            forms.add(statistics.toStateJson().getBytes(StandardCharsets.UTF_8));
        }
        forms.add(ApiFuzzTest.resource("dev/vmx/trace/exit-statistics-v1-io-port.json"));
        // a syntax error's character offset, else the row or the key whose value is wrong, or the
        // whole document when it is not an object at all
        Fuzz.Documented documented = badForm("character offset \\d+: |row \\d+|\"\\w+\"|the document is not an object");
        for (byte[] form : forms) {
            for (int cut = 0; cut < form.length; cut += Fuzz.longRun() ? 1 : 7) {
                String input = new String(form, 0, cut, StandardCharsets.UTF_8);
                fuzz.run(input, () -> checkConsistent(ExitStatistics.fromStateJson(input)), documented);
            }
        }
        int count = Fuzz.inputs(20_000);
        for (int i = 0; i < count; i++) {
            String input = new String(Mutations.mutate(forms.get(random.nextInt(forms.size())), random), StandardCharsets.UTF_8);
            fuzz.run(input, () -> checkConsistent(ExitStatistics.fromStateJson(input)), documented);
        }
        fuzz.finish();
    }

    @Test
    void hardwareErrorParse() {
        Fuzz fuzz = Fuzz.target("HardwareError.parse");
        SplittableRandom random = fuzz.random();
        byte[][] samples = {
            "qemu-system-x86_64: KVM: entry failed, hardware error 0x80000021".getBytes(StandardCharsets.UTF_8),
            "KVM: entry failed, hardware error 0x7".getBytes(StandardCharsets.UTF_8),
            "Jan  3 10:00:00 host qemu[4242]: error: kvm run failed Invalid argument\n".getBytes(StandardCharsets.UTF_8),
            "hardware error 0xffffffff80000021".getBytes(StandardCharsets.UTF_8),
        };
        int count = Fuzz.inputs(20_000);
        for (int i = 0; i < count; i++) {
            String input = i % 10 == 0 ? Mutations.randomText(random, 200)
                    : new String(Mutations.mutate(samples[random.nextInt(samples.length)], random), StandardCharsets.UTF_8);
            fuzz.run(input, () -> {
                HardwareError error = HardwareError.parse(input);
                error.kind();
                error.toString();
            }, thrown -> thrown instanceof VmxParseException ? Fuzz.parseError(input).problem(thrown)
                    : "not a VmxParseException");
        }
        fuzz.run("hardware error 0x" + "f".repeat(10_000_000), () -> HardwareError.parse("hardware error 0x"
                + "f".repeat(10_000_000)), Fuzz.parseError("long"));
        fuzz.finish();
    }
}
