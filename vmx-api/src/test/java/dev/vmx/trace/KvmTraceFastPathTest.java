package dev.vmx.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.exit.BasicExitReason;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fast path decides speed, never meaning: over many lines in the Linux 5.x/6.x tracefs layout
 * of kvm_exit and kvm_entry (TP_printk of arch/x86/kvm/trace.h), their variants and random
 * corruptions of them, the reader with the fast path gives exactly the events, counts and problems
 * of the reader without it.
 */
class KvmTraceFastPathTest {
    private static final String[] SYMBOLS = vmxSymbols();

    private static String[] vmxSymbols() {
        List<String> names = new ArrayList<>();
        for (BasicExitReason reason : BasicExitReason.values()) {
            if (reason.linuxName().isPresent()) {
                names.add(reason.name());
            }
        }
        return names.toArray(new String[0]);
    }

    private record Outcome(List<KvmEventRecord> events, long headers, long problems, List<KvmTraceProblem> details,
            long fastLines) {
    }

    private static Outcome read(byte[] text, boolean fast) {
        ByteArrayInputStream in = new ByteArrayInputStream(text);
        List<KvmEventRecord> events = new ArrayList<>();
        try (KvmTraceReader reader = fast ? KvmTraceReader.of(in, "fuzz") : KvmTraceReader.generalOnly(in, "fuzz")) {
            while (reader.advance()) {
                events.add(reader.event().toRecord());
            }
            return new Outcome(events, reader.headerCount(), reader.problemCount(), reader.problems(),
                    reader.fastLines());
        }
    }

    /** Equal outcomes, or a failure naming the first event or count that differs. */
    private static void assertSameOutcome(Outcome general, Outcome fast, String context) {
        int common = Math.min(general.events().size(), fast.events().size());
        for (int i = 0; i < common; i++) {
            assertEquals(general.events().get(i), fast.events().get(i), context + ": event " + i);
        }
        assertEquals(general.events().size(), fast.events().size(), context + ": events");
        assertEquals(general.headers(), fast.headers(), context + ": headers");
        assertEquals(general.problems(), fast.problems(), context + ": problems");
        assertEquals(general.details(), fast.details(), context + ": problem details");
    }

    private static String hex(SplittableRandom random, int digits, boolean fixed) {
        long value = random.nextLong();
        String text = Long.toHexString(value);
        if (fixed) {
            text = "0".repeat(16) + text;
            text = text.substring(text.length() - digits);
        } else {
            text = text.substring(0, 1 + random.nextInt(Math.min(digits, text.length())));
        }
        return random.nextInt(20) == 0 ? text.toUpperCase() : text;
    }

    /** One line as Linux prints it, sometimes with a variant the fast path must hand on. */
    private static String line(SplittableRandom random) {
        StringBuilder line = new StringBuilder();
        // mostly small numbers, sometimes as many digits as the kernel can print (fast path: up to 7)
        int vcpu = random.nextInt(20) == 0 ? random.nextInt(Integer.MAX_VALUE) : random.nextInt(300);
        String[] tasks = {"CPU " + vcpu + "/KVM", "qemu-system-x86", "CPU 0/KVM", "a b c", "kvm-pit/12"};
        line.append(" ".repeat(random.nextInt(12)));
        line.append(tasks[random.nextInt(tasks.length)]);
        line.append(random.nextInt(10) == 0 ? ' ' : '-').append(random.nextInt(5_000_000));
        line.append(" ".repeat(1 + random.nextInt(6)));
        int cpu = random.nextInt(20) == 0 ? random.nextInt(Integer.MAX_VALUE) : random.nextInt(512);
        line.append('[').append(String.format(random.nextBoolean() ? "%03d" : "%d", cpu)).append(']');
        line.append(' ');
        if (random.nextInt(4) != 0) {
            line.append(new String[] {"d..1.", "....", "d.h2.", "X..1", "dNs3."}[random.nextInt(5)]).append(' ');
        }
        line.append(random.nextInt(20) == 0 ? random.nextInt(1_000_000_000) : random.nextInt(100_000)).append('.');
        int fraction = random.nextInt(8) == 0 ? 9 : random.nextInt(8) == 0 ? 1 + random.nextInt(9) : 6;
        line.append(String.format("%0" + fraction + "d", random.nextInt(fraction == 9 ? 1_000_000_000 : 1_000_000)));
        line.append(": ");
        if (random.nextBoolean()) {
            line.append("kvm_exit: vcpu ").append(vcpu).append(" reason ").append(SYMBOLS[random.nextInt(SYMBOLS.length)]);
            if (random.nextInt(30) == 0) {
                line.append(" FAILED_VMENTRY");
            }
            line.append(" rip 0x").append(hex(random, 16, false));
            line.append(" info1 0x").append(hex(random, 16, true));
            line.append(" info2 0x").append(hex(random, 16, true));
            line.append(" intr_info 0x").append(hex(random, 8, true));
            line.append(" error_code 0x").append(hex(random, 8, true));
            if (random.nextInt(30) == 0) {
                line.append(" requests 0x").append(hex(random, 16, true)); // Linux 6.18
            }
        } else {
            line.append("kvm_entry: vcpu ").append(vcpu).append(", rip 0x").append(hex(random, 16, false));
            int form = random.nextInt(10);
            if (form < 7) {
                line.append(" intr_info 0x").append(hex(random, 8, true));
                line.append(" error_code 0x").append(hex(random, 8, true));
            }
            if (form == 7 || form == 2) {
                line.append("[immediate exit]"); // Linux 6.x, with and without intr_info
            }
        }
        if (random.nextInt(40) == 0) {
            line.append('\r');
        }
        return line.append('\n').toString();
    }

    private static byte[] corrupt(byte[] text, SplittableRandom random, int edits) {
        byte[] copy = text.clone();
        byte[] alphabet = " \t\n\r[]:.,-0123456789abcdefxABCDEFX#_zG\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < edits; i++) {
            copy[random.nextInt(copy.length)] = alphabet[random.nextInt(alphabet.length)];
        }
        return copy;
    }

    @Test
    void givesTheEventsOfTheGeneralParserOnRealisticLines() {
        SplittableRandom random = new SplittableRandom(20261201);
        StringBuilder text = new StringBuilder("# tracer: nop\n#\n");
        for (int i = 0; i < 60_000; i++) {
            text.append(line(random));
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        Outcome general = read(bytes, false);
        Outcome fast = read(bytes, true);
        assertSameOutcome(general, fast, "realistic lines");
        assertEquals(0, general.fastLines());
        // not vacuous: most lines took the fast path, and the variants it declines still parsed
        assertTrue(fast.fastLines() > 40_000, "fast lines: " + fast.fastLines());
        assertTrue(fast.fastLines() < fast.events().size(), "some lines must need the general parser");
        assertEquals(0, general.problems(), () -> general.details().toString());
    }

    @Test
    void givesTheOutcomeOfTheGeneralParserOnCorruptedLines() {
        SplittableRandom random = new SplittableRandom(7);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            text.append(line(random));
        }
        byte[] clean = text.toString().getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 8; round++) {
            byte[] bytes = corrupt(clean, random, 200 + round * 2_000);
            Outcome general = read(bytes, false);
            Outcome fast = read(bytes, true);
            assertSameOutcome(general, fast, "round " + round);
            assertTrue(general.problems() > 0, "corruption must break some lines");
        }
    }

    @Test
    void declinesVariantsItDoesNotKnow() {
        String prefix = " CPU 0/KVM-4242    [000] d..1. 12.000008: ";
        String body = " rip 0xffffffff8101883b info1 0x0000000000000373 info2 0x0000000000000000"
                + " intr_info 0x00000000 error_code 0x00000000";
        String[] declined = {
            prefix + "kvm_exit: vcpu 0 reason INVALID_STATE FAILED_VMENTRY" + body, // flag suffix
            prefix + "kvm_exit: vcpu 0 reason npf" + body,                          // SVM symbol
            prefix + "kvm_exit: reason CPUID rip 0xffffffff8101883b info 373 0",    // Linux 4.x layout
            prefix + "kvm_entry: vcpu 0",                                           // Linux 4.x entry
            prefix + "kvm_entry: vcpu 0, rip 0xffffffff8101883b [immediate exit]",   // not how Linux prints it
            prefix + "kvm_exit: vcpu 0 reason CPUID" + body + " requests 0x0 more", // unknown trailing text
            " CPU 0/KVM 4242 [000] 12.000008: kvm:kvm_exit: vcpu 0 reason CPUID" + body, // perf script
            prefix + "kvm_pio: pio_write at 0x3f8 size 1 count 1 val 0x48",
        };
        // the fast path reads only lines already in the buffer, not within SLACK bytes of its end:
        // the first line (read before any buffer exists) and the last ones go the general way
        String header = "# tracer: nop\n";
        String trailer = "# " + "-".repeat(KvmTraceFastPath.SLACK) + "\n";
        for (String line : declined) {
            byte[] text = (header + line + "\n" + trailer).getBytes(StandardCharsets.UTF_8);
            Outcome fast = read(text, true);
            assertEquals(0, fast.fastLines(), line);
            assertEquals(1, fast.events().size() + fast.problems(), line);
            assertSameOutcome(read(text, false), fast, line);
        }
        // the layouts it reads: Linux 5.x-6.1, and 6.18 with "requests" and "[immediate exit]"
        String[] fastLayouts = {
            prefix + "kvm_exit: vcpu 0 reason CPUID" + body + " requests 0x0000000000000000",
            prefix + "kvm_entry: vcpu 0, rip 0xffffffff8101883b",
            prefix + "kvm_entry: vcpu 0, rip 0xffffffff8101883b intr_info 0x00000000 error_code 0x00000000",
            prefix + "kvm_entry: vcpu 0, rip 0xffffffff8101883b intr_info 0x00000000 error_code 0x00000000[immediate exit]",
            prefix + "kvm_entry: vcpu 0, rip 0xffffffff8101883b[immediate exit]",
        };
        for (String line : fastLayouts) {
            byte[] text = (header + line + "\n" + trailer).getBytes(StandardCharsets.UTF_8);
            Outcome fast = read(text, true);
            assertEquals(1, fast.fastLines(), line);
            assertEquals(1, fast.events().size(), line);
            assertSameOutcome(read(text, false), fast, line);
        }
        String known = prefix + "kvm_exit: vcpu 0 reason CPUID" + body + "\n";
        Outcome taken = read((header + known + trailer).getBytes(StandardCharsets.UTF_8), true);
        assertEquals(1, taken.fastLines());
        assertEquals(0, read((header + known).getBytes(StandardCharsets.UTF_8), true).fastLines(), "too close to the end");
        KvmEventRecord exit = taken.events().get(0);
        assertEquals(KvmEventType.KVM_EXIT, exit.type());
        assertEquals(BasicExitReason.CPUID.number(), exit.exitCode());
        assertEquals(0xffffffff8101883bL, exit.guestRip());
        assertEquals(0x373, exit.info1());
        assertEquals(12_000_008_000L, exit.timestampNanos());
        assertEquals(4242, exit.pid());
        assertEquals("CPU 0/KVM", exit.task().toString());
    }

    @Test
    void hexWordsMatchLongParseUnsignedForEveryLength() {
        SplittableRandom random = new SplittableRandom(3);
        TextKvmEvent event = new TextKvmEvent();
        for (int i = 0; i < 100_000; i++) {
            String digits = Long.toHexString(random.nextLong());
            digits = digits.substring(0, 1 + random.nextInt(digits.length()));
            if (random.nextBoolean()) {
                digits = digits.toUpperCase();
            }
            byte[] b = (digits + " tail of the line, long enough for 8-byte loads\n").getBytes(StandardCharsets.US_ASCII);
            assertEquals(digits.length(), KvmTraceFastPath.hex(b, 0, event), digits);
            assertEquals(Long.parseUnsignedLong(digits, 16), event.value, digits);
        }
        byte[] seventeen = "12345678123456781 and more text to read\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(KvmTraceFastPath.NO_MATCH, KvmTraceFastPath.hex(seventeen, 0, event));
        byte[] none = "g123 and more text to read past eight bytes\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(KvmTraceFastPath.NO_MATCH, KvmTraceFastPath.hex(none, 0, event));
    }

    @Test
    void decimalWordsMatchLongParseLongForEveryLength() {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 100_000; i++) {
            int digits = 1 + random.nextInt(8);
            String text = String.format("%0" + digits + "d", random.nextLong((long) Math.pow(10, digits)));
            byte[] b = (text + ".x: and more").getBytes(StandardCharsets.US_ASCII);
            long word = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
            assertEquals(digits == 8 ? 8 : digits, KvmTraceFastPath.digitRun(word), text);
            assertEquals(Long.parseLong(text), KvmTraceFastPath.decimalWord(word, digits), text);
        }
        for (int value = 0; value < 256; value++) {
            long word = 0x3030_3030_3030_3000L | value;
            long expected = value >= '0' && value <= '9' ? 0x80 : 0;
            assertEquals(expected, KvmTraceFastPath.decimalDigitBytes(word) & 0xFF, "byte 0x" + Integer.toHexString(value));
        }
    }

    @Test
    void hexDigitBytesAgreesWithCharacterDigitForEveryByte() {
        for (int value = 0; value < 256; value++) {
            long word = 0x3030_3030_3030_3000L | value; // the byte under test first, digits after it
            boolean digit = Character.digit((char) value, 16) >= 0 && value < 128;
            long expected = digit ? 0x80 : 0;
            assertEquals(expected, KvmTraceFastPath.hexDigitBytes(word) & 0xFF, "byte 0x" + Integer.toHexString(value));
            assertEquals(0x8080_8080_8080_8000L, KvmTraceFastPath.hexDigitBytes(word) & ~0xFFL);
        }
    }
}
