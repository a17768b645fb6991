package dev.vmx.bench;

import dev.vmx.hw.tracefs.EventFormat;
import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmTraceReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the events of a {@link TraceTextMix} file as a trace-cmd {@code trace.dat} (version 6,
 * trace-cmd.dat.v6(5)): each event a ring-buffer record of its CPU, laid out by the real kernel's
 * kvm_exit and kvm_entry format files (resources of this module, copied from Linux 6.18.44), so
 * the text and the binary benchmarks read the same events.
 */
public final class TraceDatMix {
    static final int PAGE_SIZE = 4096;
    private static final int DATA_OFFSET = 16; // header_page: timestamp 0..8, commit 8..16, data from 16

    private TraceDatMix() {
    }

    static String resource(String name) {
        try (InputStream in = TraceDatMix.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.substring(text.indexOf('\n') + 1); // without the "# Origin" line
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One CPU's pages, filled record by record. */
    private static final class CpuPages {
        final ByteArrayOutputStream pages = new ByteArrayOutputStream();
        final ByteBuffer page = ByteBuffer.allocate(PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        long clock;
        boolean open;

        ByteBuffer room(int recordLength, long timestamp) {
            if (!open || page.position() + recordLength + 8 > PAGE_SIZE) {
                flush();
                java.util.Arrays.fill(page.array(), (byte) 0);
                page.clear();
                page.putLong(0, timestamp);
                page.position(DATA_OFFSET);
                clock = timestamp;
                open = true;
            }
            long delta = timestamp - clock;
            if (delta < 0) {
                throw new IllegalArgumentException("events of one CPU out of time order at " + timestamp);
            }
            if (delta >= 1L << 27) {
                page.putInt(30 | (int) ((delta & ((1L << 27) - 1)) << 5)); // RINGBUF_TYPE_TIME_EXTEND
                page.putInt((int) (delta >>> 27));
                delta = 0;
            }
            clock = timestamp;
            page.putInt((recordLength - 4) / 4 | (int) (delta << 5));
            return page;
        }

        void flush() {
            if (open) {
                page.putLong(8, page.position() - DATA_OFFSET);
                pages.write(page.array(), 0, PAGE_SIZE);
                open = false;
            }
        }
    }

    /**
     * Converts a trace text file into a trace.dat of the same kvm_exit and kvm_entry events.
     *
     * @param text a {@link TraceTextMix} file
     * @param dat the trace.dat to write
     * @return the events written
     */
    public static long write(Path text, Path dat) {
        String exitText = resource("kvm_exit.format");
        String entryText = resource("kvm_entry.format");
        EventFormat exit = EventFormat.parse(exitText);
        EventFormat entry = EventFormat.parse(entryText);
        int exitPayload = payload(exit);
        int entryPayload = payload(entry);
        Map<Integer, CpuPages> cpus = new TreeMap<>();
        long events = 0;
        try (KvmTraceReader reader = KvmTraceReader.open(text)) {
            while (reader.advance()) {
                KvmEvent event = reader.event();
                boolean isExit = event.type() == KvmEventType.KVM_EXIT;
                if (!isExit && event.type() != KvmEventType.KVM_ENTRY) {
                    continue;
                }
                EventFormat format = isExit ? exit : entry;
                int payloadLength = isExit ? exitPayload : entryPayload;
                ByteBuffer page = cpus.computeIfAbsent(event.cpu(), cpu -> new CpuPages())
                        .room(4 + payloadLength, event.timestampNanos());
                int at = page.position();
                page.putShort(at + offset(format, "common_type"), (short) format.id());
                page.putInt(at + offset(format, "common_pid"), event.pid());
                page.putInt(at + offset(format, "vcpu_id"), event.vcpu());
                if (isExit) {
                    page.putInt(at + offset(format, "exit_reason"), (int) event.exitCode());
                    page.putLong(at + offset(format, "guest_rip"), event.guestRip());
                    page.putInt(at + offset(format, "isa"), 1); // KVM_ISA_VMX
                    page.putLong(at + offset(format, "info1"), event.info1());
                    page.putLong(at + offset(format, "info2"), event.info2());
                    page.putInt(at + offset(format, "intr_info"), event.intrInfo());
                    page.putInt(at + offset(format, "error_code"), event.errorCode());
                } else {
                    page.putLong(at + offset(format, "rip"), event.guestRip());
                }
                page.position(at + payloadLength);
                events++;
            }
        }
        cpus.values().forEach(CpuPages::flush);
        try (OutputStream out = Files.newOutputStream(dat)) {
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            header.writeBytes(new byte[] {0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g', '6', 0, 0, 8});
            header.writeBytes(le(PAGE_SIZE, 4));
            section(header, "header_page", resource("header_page.txt"));
            section(header, "header_event", resource("header_event.txt"));
            header.writeBytes(le(0, 4)); // ftrace formats
            header.writeBytes(le(1, 4));
            header.writeBytes("kvm\0".getBytes(StandardCharsets.ISO_8859_1));
            header.writeBytes(le(2, 4));
            for (String format : new String[] {exitText, entryText}) {
                byte[] bytes = format.getBytes(StandardCharsets.UTF_8);
                header.writeBytes(le(bytes.length, 8));
                header.writeBytes(bytes);
            }
            header.writeBytes(le(0, 4)); // kallsyms
            header.writeBytes(le(0, 4)); // printk formats
            header.writeBytes(le(0, 8)); // saved cmdlines
            int cpuCount = cpus.isEmpty() ? 0 : cpus.keySet().stream().mapToInt(Integer::intValue).max().getAsInt() + 1;
            header.writeBytes(le(cpuCount, 4));
            header.writeBytes("flyrecord\0".getBytes(StandardCharsets.ISO_8859_1));
            long offset = ((header.size() + 16L * cpuCount + PAGE_SIZE - 1) / PAGE_SIZE) * PAGE_SIZE;
            for (int cpu = 0; cpu < cpuCount; cpu++) {
                CpuPages pages = cpus.get(cpu);
                long size = pages == null ? 0 : pages.pages.size();
                header.writeBytes(le(size == 0 ? 0 : offset, 8));
                header.writeBytes(le(size, 8));
                offset += size;
            }
            while (header.size() % PAGE_SIZE != 0) {
                header.write(0);
            }
            header.writeTo(out);
            for (int cpu = 0; cpu < cpuCount; cpu++) {
                if (cpus.get(cpu) != null) {
                    cpus.get(cpu).pages.writeTo(out);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dat, e);
        }
        return events;
    }

    /**
     * Writes the trace.dat for record-walk-baseline.sh: a {@link TraceTextMix} file of
     * {@code EVENTS} events converted, as {@link TraceDatBenchmark} reads it.
     *
     * @param args DAT EVENTS
     * @throws IOException if a file cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: TraceDatMix DAT EVENTS");
        }
        Path text = Files.createTempFile("vmx-trace-", ".txt");
        try {
            TraceTextMix.write(text, Integer.parseInt(args[1]), 7);
            System.out.println(write(text, Path.of(args[0])) + " events written to " + args[0]);
        } finally {
            Files.deleteIfExists(text);
        }
    }

    private static int payload(EventFormat format) {
        int end = 0;
        for (EventFormat.Field field : format.fields().values()) {
            end = Math.max(end, field.offset() + field.size());
        }
        return (end + 3) & ~3;
    }

    private static int offset(EventFormat format, String field) {
        return format.field(field).orElseThrow(() -> new IllegalStateException(format.name() + " has no " + field)).offset();
    }

    private static void section(ByteArrayOutputStream out, String name, String text) {
        out.writeBytes((name + "\0").getBytes(StandardCharsets.ISO_8859_1));
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(le(bytes.length, 8));
        out.writeBytes(bytes);
    }

    private static byte[] le(long value, int bytes) {
        byte[] out = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            out[i] = (byte) (value >>> (8 * i));
        }
        return out;
    }
}
