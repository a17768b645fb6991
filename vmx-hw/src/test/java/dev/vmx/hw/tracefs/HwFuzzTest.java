package dev.vmx.hw.tracefs;

import dev.vmx.Fuzz;
import dev.vmx.Mutations;
import dev.vmx.VmxParseException;
import dev.vmx.hw.kvm.Vmcs12Layout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The deterministic fuzz suite of vmx-hw's decoders (rules in {@link Fuzz}): tracefs format files
 * ({@link EventFormat#parse}), decoders built from mutated formats, {@link RingBufferDecoder#decodePage}
 * on random and mutated 4096-byte pages (damage is counted, never thrown), and
 * {@link Vmcs12Layout#decode} on random and mutated images.
 */
@Tag("fuzz")
class HwFuzzTest {
    private static final String[] FORMAT_FILES = {
        "header_page.txt", "kvm_exit.format", "kvm_entry.format", "kvm_pio.format", "kvm_mmio.format", "kvm_msr.format",
        "kvm_cr.format", "kvm_userspace_exit.format", "kvm_nested_vmexit.format", "kvm_nested_vmexit_inject.format",
        "kvm_nested_vmenter_failed.format",
    };

    private static final class Sink implements java.util.function.Consumer<dev.vmx.trace.KvmEvent> {
        long sum;

        @Override
        public void accept(dev.vmx.trace.KvmEvent event) {
            sum += event.timestampNanos() + event.pid() + event.cpu() + event.type().ordinal();
            event.toRecord();
        }
    }

    @Test
    void eventFormatParse() {
        Fuzz fuzz = Fuzz.target("EventFormat.parse");
        SplittableRandom random = fuzz.random();
        List<byte[]> samples = new ArrayList<>();
        for (String file : FORMAT_FILES) {
            samples.add(Formats.text(file).getBytes(StandardCharsets.ISO_8859_1));
        }
        for (byte[] sample : samples.subList(0, 2)) {
            for (int cut = 0; cut <= sample.length; cut++) {
                parseFormat(fuzz, new String(java.util.Arrays.copyOf(sample, cut), StandardCharsets.ISO_8859_1));
            }
        }
        int count = Fuzz.inputs(20_000);
        for (int i = 0; i < count; i++) {
            parseFormat(fuzz, new String(Mutations.mutate(samples.get(random.nextInt(samples.size())), random),
                    StandardCharsets.ISO_8859_1));
        }
        parseFormat(fuzz, "name: kvm_exit\nID: 1\nformat:\n\tfield:" + "[".repeat(10_000_000) + "\n"); // issue 19 finding, fixed with issue 17
        parseFormat(fuzz, "field:" + "[".repeat(10_000_000));
        fuzz.finish();
    }

    private static void parseFormat(Fuzz fuzz, String text) {
        fuzz.run(text, () -> EventFormat.parse(text).toString(),
                thrown -> thrown instanceof VmxParseException && ((VmxParseException) thrown).lineNumber() > 0
                        ? Fuzz.parseError(text).problem(thrown) : "not a VmxParseException with a line number");
    }

    /** Decoders built from mutated format files: built or refused, then pages are decoded, damage counted. */
    @Test
    void decodersFromMutatedFormats() {
        Fuzz fuzz = Fuzz.target("RingBufferDecoder.formats");
        SplittableRandom random = fuzz.random();
        List<ByteBuffer> pages = samplePages(random, 4);
        // issue 19's findings (fixed with issue 17): event IDs near 2^31 and 10^9 (each once sized an id
        // table), an offset that overflows offset + size, header_page's commit and data outside the page
        String exit = Formats.text("kvm_exit.format");
        String header = Formats.text("header_page.txt");
        List<String[]> known = List.of(
                new String[] {"kvm_exit.format", exit.replaceFirst("ID: \\d+", "ID: 2147483647")},
                new String[] {"kvm_exit.format", exit.replaceFirst("ID: \\d+", "ID: 1000000000")},
                new String[] {"kvm_exit.format", exit.replaceFirst("(field:unsigned int exit_reason;\\s*offset:)\\d+", "$12147483647")},
                new String[] {"header_page.txt", header.replaceFirst("(field: local_t commit;\\s*offset:)\\d+", "$14096")},
                new String[] {"header_page.txt", header.replaceFirst("(field: char data;\\s*offset:)\\d+", "$14000")});
        int count = Fuzz.inputs(1_500);
        for (int i = 0; i < count + known.size(); i++) {
            int which = random.nextInt(FORMAT_FILES.length);
            String mutated = new String(Mutations.mutate(Formats.text(FORMAT_FILES[which]).getBytes(StandardCharsets.ISO_8859_1),
                    random), StandardCharsets.ISO_8859_1);
            if (i >= count) {
                which = java.util.Arrays.asList(FORMAT_FILES).indexOf(known.get(i - count)[0]);
                mutated = known.get(i - count)[1];
            }
            int chosen = which;
            String text = mutated;
            fuzz.run(FORMAT_FILES[chosen] + ": " + text, () -> {
                EventFormat format;
                try {
                    format = EventFormat.parse(text);
                } catch (VmxParseException refused) {
                    return; // documented, and covered by eventFormatParse
                }
                EventFormat headerPage = chosen == 0 ? format : Formats.headerPage();
                List<EventFormat> formats = new ArrayList<>(Formats.kvmEvents());
                if (chosen > 0) {
                    formats.set(chosen - 1, format);
                }
                RingBufferDecoder decoder;
                try {
                    decoder = new RingBufferDecoder(headerPage, formats);
                } catch (IllegalArgumentException refused) {
                    if (String.valueOf(refused.getMessage()).isEmpty()) {
                        throw new AssertionError("a refused format without a message");
                    }
                    return;
                }
                Sink sink = new Sink();
                for (ByteBuffer page : pages) {
                    decoder.decodePage(page, Math.min(page.capacity(), decoder.pageSize()), 0, sink);
                }
            }, Fuzz.NOTHING);
        }
        fuzz.finish();
    }

    @Test
    void decodePageOnRandomAndMutatedPages() {
        Fuzz fuzz = Fuzz.target("RingBufferDecoder.decodePage");
        SplittableRandom random = fuzz.random();
        RingBufferDecoder decoder = new RingBufferDecoder(Formats.headerPage(), Formats.kvmEvents());
        List<ByteBuffer> samples = samplePages(random, 8);
        Sink sink = new Sink();
        int count = Fuzz.inputs(40_000);
        for (int i = 0; i < count; i++) {
            byte[] bytes;
            if (random.nextInt(3) == 0) {
                bytes = new byte[4096]; // a random page
                random.nextBytes(bytes);
                if (random.nextBoolean()) { // with a plausible commit so the records are walked
                    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(8, random.nextInt(4096));
                }
            } else {
                ByteBuffer sample = samples.get(random.nextInt(samples.size()));
                bytes = new byte[sample.capacity()];
                sample.duplicate().position(0).get(bytes);
                for (int flips = 1 + random.nextInt(8); flips > 0; flips--) {
                    int at = random.nextInt(bytes.length);
                    bytes[at] = random.nextBoolean() ? (byte) (bytes[at] ^ (1 << random.nextInt(8))) : (byte) random.nextInt(256);
                }
            }
            int length = random.nextInt(8) == 0 ? random.nextInt(bytes.length + 1) : bytes.length;
            ByteBuffer page = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long pagesBefore = decoder.stats().pages();
            fuzz.run(bytes, 0, () -> {
                int delivered = decoder.decodePage(page, length, random.nextInt(256), sink);
                if (delivered < 0 || decoder.stats().pages() != pagesBefore + 1) {
                    throw new AssertionError("page not counted or negative events: " + delivered + ", " + decoder.stats());
                }
            }, Fuzz.NOTHING);
        }
        fuzz.finish();
    }

    @Test
    void vmcs12Decode() {
        Fuzz fuzz = Fuzz.target("Vmcs12Layout.decode");
        SplittableRandom random = fuzz.random();
        Map<String, Long> values = new java.util.LinkedHashMap<>();
        for (dev.vmx.hw.kvm.Vmcs12Field field : Vmcs12Layout.fields()) {
            if (!field.linuxName().toLowerCase(java.util.Locale.ROOT).endsWith("_high") && random.nextInt(3) == 0) {
                values.put(field.linuxName(), random.nextLong() & (field.size() == 8 ? -1L : (1L << (8 * field.size())) - 1));
            }
        }
        byte[] real = Vmcs12Layout.encode(values);
        int count = Fuzz.inputs(5_000);
        for (int i = 0; i < count; i++) {
            byte[] image;
            switch (random.nextInt(3)) {
                case 0:
                    image = new byte[random.nextInt(Vmcs12Layout.SIZE + 64)];
                    random.nextBytes(image);
                    break;
                case 1:
                    image = real.clone();
                    random.nextBytes(image);
                    ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putInt(0, Vmcs12Layout.REVISION | (random.nextBoolean() ? 0x8000_0000 : 0));
                    break;
                default:
                    image = Mutations.mutate(real, random);
                    break;
            }
            byte[] input = image;
            fuzz.run(input, 0, () -> Vmcs12Layout.decode(input).toSnapshot().toString(),
                    thrown -> thrown instanceof IllegalArgumentException && String.valueOf(thrown.getMessage()).contains("vmcs12")
                            ? null : "not the documented IllegalArgumentException about the vmcs12 image");
        }
        fuzz.finish();
    }

    /** Real-looking pages of kvm_exit / kvm_entry / kvm_pio records, laid out as the kernel writes them. */
    private static List<ByteBuffer> samplePages(SplittableRandom random, int count) {
        EventFormat exit = Formats.event("kvm_exit");
        EventFormat entry = Formats.event("kvm_entry");
        EventFormat pio = Formats.event("kvm_pio");
        int usable = Formats.headerPage().field("data").orElseThrow().size() - 128;
        List<ByteBuffer> pages = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            PageBuilder builder = new PageBuilder(1_000_000L * p);
            while (builder.used() < usable) {
                builder.event(400, exit, Map.of("exit_reason", (long) random.nextInt(80), "guest_rip", random.nextLong(),
                        "isa", 1L, "info1", random.nextLong(), "info2", 0L, "vcpu_id", (long) random.nextInt(4)));
                builder.event(900, entry, Map.of("vcpu_id", (long) random.nextInt(4), "rip", random.nextLong()));
                builder.event(100, pio, Map.of("port", (long) random.nextInt(65536), "size", 1L, "count", 1L, "rw", 1L));
            }
            pages.add(builder.build(0));
        }
        return pages;
    }
}
