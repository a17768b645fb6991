package dev.vmx.bench;

import dev.vmx.hw.tracefs.EventFormat;
import dev.vmx.hw.tracefs.RingBufferDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Realistic ring-buffer pages for the benchmarks: alternating {@code kvm_exit} / {@code kvm_entry}
 * records of a busy VMX guest, laid out as the kernel lays them out, from the tracefs description
 * files vmx-hw's tests copied from a real machine (the build puts them under
 * {@code dev/vmx/bench/tracefs/}, one copy in the source tree): page header offsets from
 * {@code header_page}, the record header's bits and type numbers from {@code header_event}, payload
 * offsets from each event's {@code format}.
 */
public final class SamplePages {
    private static final String[] KVM_EVENTS = {
        "kvm_exit", "kvm_entry", "kvm_nested_vmexit", "kvm_nested_vmexit_inject", "kvm_nested_vmenter_failed",
        "kvm_userspace_exit", "kvm_pio", "kvm_mmio", "kvm_msr", "kvm_cr",
    };

    private final List<ByteBuffer> pages = new ArrayList<>();
    private final long events;
    private final long exitCodeSum;

    private SamplePages(int pageCount, long seed) {
        EventFormat header = headerPage();
        EventFormat exit = event("kvm_exit");
        EventFormat entry = event("kvm_entry");
        int typeLengthBits = headerEvent("type_len");
        int dataMaxTypeLength = headerEvent("data max type_len");
        int dataOffset = field(header, "data").offset();
        int dataSize = field(header, "data").size();
        SplittableRandom random = new SplittableRandom(seed);
        long[] exitCodes = {48, 48, 48, 30, 30, 32, 1, 12, 52, 10};
        long eventCount = 0;
        long codeSum = 0;
        for (int p = 0; p < pageCount; p++) {
            ByteBuffer page = ByteBuffer.allocate(dataOffset + dataSize).order(ByteOrder.LITTLE_ENDIAN);
            page.putLong(field(header, "timestamp").offset(), 1_000_000L * p);
            int position = dataOffset;
            while (position - dataOffset < dataSize - 128) {
                long exitCode = exitCodes[random.nextInt(exitCodes.length)];
                byte[] exitRecord = payload(exit);
                put(exitRecord, exit, "exit_reason", exitCode);
                put(exitRecord, exit, "guest_rip", 0xffffffff81000000L + random.nextInt(1 << 20));
                put(exitRecord, exit, "isa", 1);
                put(exitRecord, exit, "info1", 0x181);
                put(exitRecord, exit, "vcpu_id", random.nextInt(4));
                position = record(page, position, 400, exitRecord, typeLengthBits, dataMaxTypeLength);
                byte[] entryRecord = payload(entry);
                put(entryRecord, entry, "vcpu_id", random.nextInt(4));
                put(entryRecord, entry, "rip", 0xffffffff81000000L);
                position = record(page, position, 900, entryRecord, typeLengthBits, dataMaxTypeLength);
                eventCount += 2;
                codeSum += exitCode;
            }
            page.putLong(field(header, "commit").offset(), position - dataOffset);
            pages.add(page);
        }
        this.events = eventCount;
        this.exitCodeSum = codeSum;
    }

    /**
     * Builds pages.
     *
     * @param pageCount how many pages
     * @param seed random seed for the exit mix
     * @return the pages and what they hold
     */
    public static SamplePages build(int pageCount, long seed) {
        return new SamplePages(pageCount, seed);
    }

    /**
     * A decoder for these pages, configured from the same format files.
     *
     * @return a new decoder
     */
    public RingBufferDecoder decoder() {
        List<EventFormat> formats = new ArrayList<>();
        for (String name : KVM_EVENTS) {
            formats.add(event(name));
        }
        return new RingBufferDecoder(headerPage(), formats);
    }

    /**
     * The pages, each a little-endian buffer of one page size.
     *
     * @return the pages
     */
    public List<ByteBuffer> pages() {
        return pages;
    }

    /**
     * How many events the pages hold.
     *
     * @return kvm_exit plus kvm_entry records
     */
    public long events() {
        return events;
    }

    /**
     * The sum of the exit codes of all kvm_exit records, for checking a decode.
     *
     * @return the sum
     */
    public long exitCodeSum() {
        return exitCodeSum;
    }

    /** A record: header word (type_len, time delta), then the payload (in array[0]'s form when long). */
    private static int record(ByteBuffer page, int position, long delta, byte[] payload, int typeLengthBits,
            int dataMaxTypeLength) {
        if (payload.length <= dataMaxTypeLength * 4) {
            page.putInt(position, (int) (payload.length / 4 | (delta << typeLengthBits)));
            page.put(position + 4, payload);
            return position + 4 + payload.length;
        }
        page.putInt(position, (int) (delta << typeLengthBits));
        page.putInt(position + 4, payload.length + 4); // array[0] counts itself
        page.put(position + 8, payload);
        return position + 8 + payload.length;
    }

    /** A zeroed payload of the format's size (rounded up to 4 bytes) with its common_type set. */
    private static byte[] payload(EventFormat format) {
        int size = 0;
        for (EventFormat.Field field : format.fields().values()) {
            size = Math.max(size, field.offset() + field.size());
        }
        byte[] payload = new byte[(size + 3) & ~3];
        put(payload, format, "common_type", format.id());
        return payload;
    }

    private static void put(byte[] payload, EventFormat format, String name, long value) {
        EventFormat.Field field = field(format, name);
        ByteBuffer out = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        switch (field.size()) {
            case 1 -> out.put(field.offset(), (byte) value);
            case 2 -> out.putShort(field.offset(), (short) value);
            case 4 -> out.putInt(field.offset(), (int) value);
            case 8 -> out.putLong(field.offset(), value);
            default -> throw new IllegalStateException(format.name() + "." + name + " has size " + field.size());
        }
    }

    private static EventFormat.Field field(EventFormat format, String name) {
        return format.field(name).orElseThrow(() -> new IllegalStateException(format.name() + " has no field " + name));
    }

    private static EventFormat headerPage() {
        return EventFormat.parse(text("header_page.txt"));
    }

    private static EventFormat event(String name) {
        return EventFormat.parse(text(name + ".format"));
    }

    /** A number of header_event: "type_len : 5 bits", "padding : type == 29", "data max type_len == 28". */
    private static int headerEvent(String key) {
        Matcher matcher = Pattern.compile("(?m)^\\s*" + Pattern.quote(key) + "\\s*(?::\\s*(?:type ==\\s*)?|==\\s*)(\\d+)")
                .matcher(text("header_event.txt"));
        if (!matcher.find()) {
            throw new IllegalStateException("header_event.txt has no '" + key + "'");
        }
        return Integer.parseInt(matcher.group(1));
    }

    private static String text(String resource) {
        try (InputStream in = SamplePages.class.getResourceAsStream("tracefs/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource dev/vmx/bench/tracefs/" + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
