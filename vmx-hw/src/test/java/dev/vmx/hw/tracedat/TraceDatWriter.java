package dev.vmx.hw.tracedat;

import dev.vmx.hw.tracefs.EventFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.Deflater;

/**
 * Writes small trace.dat files (v6, and v7 uncompressed or zlib-compressed) the way
 * trace-cmd.dat.v6(5), trace-cmd.dat.v7(5) and {@code lib/trace-cmd/trace-output.c} lay them out,
 * with ring-buffer pages built from events. The page header, record header and event formats are
 * the real kernel's files copied into vmx-hw's test resources ({@code dev/vmx/hw/tracefs/*.format},
 * Linux 6.18.44, each with its "# Origin" line), so {@code trace-cmd report} can judge the result.
 */
final class TraceDatWriter {
    static final int PAGE_SIZE = 4096;
    /** header_page: timestamp at 0 (8 bytes), commit at 8 (8 bytes), data at 16 (4080 bytes). */
    static final int DATA_OFFSET = 16;

    /** One event to write: which format, on which CPU, when, and its field values by name. */
    record Event(String format, int cpu, long timestamp, Map<String, Long> values) {
    }

    final Map<String, EventFormat> formats = new LinkedHashMap<>();
    private final Map<String, String> formatTexts = new LinkedHashMap<>();
    private final String headerPage = resource("header_page.txt");
    private final String headerEvent = resource("header_event.txt");

    TraceDatWriter(String... formatNames) {
        for (String name : formatNames) {
            String text = resource(name + ".format");
            formatTexts.put(name, text);
            formats.put(name, EventFormat.parse(text));
        }
    }

    /** A resource of vmx-hw's tracefs tests, without its "# Origin" line. */
    static String resource(String name) {
        try (InputStream in = TraceDatWriter.class.getResourceAsStream("/dev/vmx/hw/tracefs/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!text.startsWith("# Origin:")) {
                throw new IllegalStateException(name + " has no '# Origin:' line");
            }
            return text.substring(text.indexOf('\n') + 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The pages of each CPU: the events in the order given (time order per CPU), packed into pages. */
    Map<Integer, List<byte[]>> pages(List<Event> events, int cpus) {
        Map<Integer, List<byte[]>> pages = new TreeMap<>();
        for (int cpu = 0; cpu < cpus; cpu++) {
            pages.put(cpu, new ArrayList<>());
        }
        Map<Integer, ByteBuffer> open = new TreeMap<>();
        Map<Integer, Long> clocks = new TreeMap<>();
        for (Event event : events) {
            EventFormat format = formats.get(event.format());
            int payloadLength = 0;
            for (EventFormat.Field field : format.fields().values()) {
                payloadLength = Math.max(payloadLength, field.offset() + field.size());
            }
            payloadLength = (payloadLength + 3) & ~3;
            int recordLength = 4 + payloadLength + 8; // room for a time extend before it
            ByteBuffer page = open.get(event.cpu());
            if (page == null || page.position() + recordLength > PAGE_SIZE) {
                if (page != null) {
                    pages.get(event.cpu()).add(close(page));
                }
                page = ByteBuffer.allocate(PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
                page.putLong(0, event.timestamp());
                page.position(DATA_OFFSET);
                open.put(event.cpu(), page);
                clocks.put(event.cpu(), event.timestamp());
            }
            long delta = event.timestamp() - clocks.get(event.cpu());
            if (delta >= 1L << 27) {
                page.putInt(30 | (int) ((delta & ((1L << 27) - 1)) << 5)); // RINGBUF_TYPE_TIME_EXTEND
                page.putInt((int) (delta >>> 27));
                delta = 0;
            }
            clocks.put(event.cpu(), event.timestamp());
            page.putInt((payloadLength / 4) | (int) (delta << 5));
            int payload = page.position();
            page.putShort(payload + format.fields().get("common_type").offset(), (short) format.id());
            for (Map.Entry<String, Long> value : event.values().entrySet()) {
                EventFormat.Field field = format.fields().get(value.getKey());
                if (field == null) {
                    throw new IllegalArgumentException(event.format() + " has no field " + value.getKey());
                }
                switch (field.size()) {
                    case 1 -> page.put(payload + field.offset(), value.getValue().byteValue());
                    case 2 -> page.putShort(payload + field.offset(), value.getValue().shortValue());
                    case 4 -> page.putInt(payload + field.offset(), value.getValue().intValue());
                    case 8 -> page.putLong(payload + field.offset(), value.getValue());
                    default -> throw new IllegalArgumentException("size " + field.size());
                }
            }
            page.position(payload + payloadLength);
        }
        for (Map.Entry<Integer, ByteBuffer> page : open.entrySet()) {
            pages.get(page.getKey()).add(close(page.getValue()));
        }
        return pages;
    }

    private static byte[] close(ByteBuffer page) {
        page.putLong(8, page.position() - DATA_OFFSET); // commit: the data bytes used
        return page.array();
    }

    /** Little-endian output with the few primitives the format needs. */
    private static final class Out {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Out u16(int v) {
            bytes.write(v);
            bytes.write(v >>> 8);
            return this;
        }

        Out u32(long v) {
            for (int i = 0; i < 4; i++) {
                bytes.write((int) (v >>> (8 * i)));
            }
            return this;
        }

        Out u64(long v) {
            for (int i = 0; i < 8; i++) {
                bytes.write((int) (v >>> (8 * i)));
            }
            return this;
        }

        Out string(String s) {
            bytes.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            bytes.write(0);
            return this;
        }

        Out raw(byte[] data) {
            bytes.writeBytes(data);
            return this;
        }

        Out text(String s) {
            return raw(s.getBytes(StandardCharsets.UTF_8));
        }

        int size() {
            return bytes.size();
        }

        Out padTo(int alignment) {
            while (bytes.size() % alignment != 0) {
                bytes.write(0);
            }
            return this;
        }

        byte[] toBytes() {
            return bytes.toByteArray();
        }
    }

    private static final String KALLSYMS = "ffffffff81000000 T _text\n";
    /** The saved cmdlines written by default: pid 1001 + n is "vcpuN". */
    static final String CMDLINES = "1001 vcpu0\n1002 vcpu1\n1003 vcpu2\n1004 vcpu3\n";
    private String cmdlines = CMDLINES;

    /** Writes {@code text} as the files' saved cmdlines from now on. */
    TraceDatWriter cmdlines(String text) {
        this.cmdlines = text;
        return this;
    }

    private Out headerInfo(Out out) {
        out.string("header_page").u64(headerPage.length()).text(headerPage);
        out.string("header_event").u64(headerEvent.length()).text(headerEvent);
        return out;
    }

    private Out eventFormats(Out out) {
        out.u32(1).string("kvm").u32(formatTexts.size());
        for (String text : formatTexts.values()) {
            out.u64(text.getBytes(StandardCharsets.UTF_8).length).text(text);
        }
        return out;
    }

    /** A version 6 file: the header parts in their fixed order, then "flyrecord" and each CPU's pages. */
    byte[] v6(Map<Integer, List<byte[]>> pages) {
        Out out = new Out();
        out.raw(TraceDat.MAGIC).string("6").raw(new byte[] {0, 8}).u32(PAGE_SIZE);
        headerInfo(out);
        out.u32(0); // ftrace formats
        eventFormats(out);
        out.u32(KALLSYMS.length()).text(KALLSYMS);
        out.u32(0); // printk formats
        out.u64(cmdlines.getBytes(StandardCharsets.UTF_8).length).text(cmdlines);
        out.u32(pages.size());
        out.raw("flyrecord\0".getBytes(StandardCharsets.ISO_8859_1));
        int table = out.size();
        int cpuDataStart = (table + 16 * pages.size() + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
        long offset = cpuDataStart;
        for (List<byte[]> cpu : pages.values()) {
            out.u64(cpu.isEmpty() ? 0 : offset).u64((long) cpu.size() * PAGE_SIZE);
            offset += (long) cpu.size() * PAGE_SIZE;
        }
        out.padTo(PAGE_SIZE);
        for (List<byte[]> cpu : pages.values()) {
            cpu.forEach(out::raw);
        }
        return out.toBytes();
    }

    /**
     * A version 7 file: sections (header info, ftrace and event formats, kallsyms, printk,
     * cmdlines), the buffer's flyrecord section with page-aligned CPU data, then the options
     * section the file header points to. With zlib every section and each CPU's data (in chunks of
     * up to {@code pagesPerChunk} pages) is compressed as trace-compress.c does.
     */
    byte[] v7(Map<Integer, List<byte[]>> pages, boolean zlib, int pagesPerChunk) {
        Out out = new Out();
        out.raw(TraceDat.MAGIC).string("7").raw(new byte[] {0, 8}).u32(PAGE_SIZE);
        out.string(zlib ? "zlib" : "none").string(zlib ? "1.2.13" : "");
        int optionsOffsetAt = out.size();
        out.u64(0); // patched below
        long headerInfo = section(out, TraceDat.OPTION_HEADER_INFO, headerInfo(new Out()).toBytes(), zlib);
        long ftrace = section(out, 17, new Out().u32(0).toBytes(), zlib);
        long events = section(out, TraceDat.OPTION_EVENT_FORMATS, eventFormats(new Out()).toBytes(), zlib);
        long kallsyms = section(out, 19, new Out().u32(KALLSYMS.length()).text(KALLSYMS).toBytes(), zlib);
        long printk = section(out, 20, new Out().u32(0).toBytes(), zlib);
        long cmdlinesAt = section(out, TraceDat.OPTION_CMDLINES,
                new Out().u64(cmdlines.getBytes(StandardCharsets.UTF_8).length).text(cmdlines).toBytes(), zlib);
        // the buffer's flyrecord section: header, padding, then each CPU's (compressed) data page-aligned
        long buffer = out.size();
        out.u16(TraceDat.OPTION_BUFFER).u16(zlib ? TraceDat.SECTION_COMPRESSED : 0).u32(0).u64(0);
        long[][] cpuData = new long[pages.size()][];
        int index = 0;
        for (Map.Entry<Integer, List<byte[]>> cpu : pages.entrySet()) {
            out.padTo(PAGE_SIZE);
            long start = out.size();
            if (zlib) {
                List<byte[]> chunks = new ArrayList<>();
                for (int p = 0; p < cpu.getValue().size(); p += pagesPerChunk) {
                    Out chunk = new Out();
                    cpu.getValue().subList(p, Math.min(p + pagesPerChunk, cpu.getValue().size())).forEach(chunk::raw);
                    chunks.add(chunk.toBytes());
                }
                out.u32(chunks.size());
                for (byte[] chunk : chunks) {
                    byte[] compressed = deflate(chunk);
                    out.u32(compressed.length).u32(chunk.length).raw(compressed);
                }
            } else {
                cpu.getValue().forEach(out::raw);
            }
            cpuData[index++] = new long[] {cpu.getKey(), cpu.getValue().isEmpty() ? 0 : start, out.size() - start};
        }
        Out options = new Out();
        options.u16(TraceDat.OPTION_HEADER_INFO).u32(8).u64(headerInfo);
        options.u16(17).u32(8).u64(ftrace);
        options.u16(TraceDat.OPTION_EVENT_FORMATS).u32(8).u64(events);
        options.u16(19).u32(8).u64(kallsyms);
        options.u16(20).u32(8).u64(printk);
        options.u16(TraceDat.OPTION_CMDLINES).u32(8).u64(cmdlinesAt);
        options.u16(8).u32(4).u32(pages.size()); // CPUCOUNT
        Out bufferOption = new Out().u64(buffer).string("").string("local").u32(PAGE_SIZE).u32(pages.size());
        for (long[] cpu : cpuData) {
            bufferOption.u32(cpu[0]).u64(cpu[1]).u64(cpu[2]);
        }
        byte[] bufferBytes = bufferOption.toBytes();
        options.u16(TraceDat.OPTION_BUFFER).u32(bufferBytes.length).raw(bufferBytes);
        options.u16(TraceDat.OPTION_DONE).u32(8).u64(0);
        long optionsOffset = section(out, 0, options.toBytes(), zlib);
        byte[] bytes = out.toBytes();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(optionsOffsetAt, optionsOffset);
        return bytes;
    }

    private static long section(Out out, int id, byte[] content, boolean zlib) {
        long at = out.size();
        byte[] data = content;
        if (zlib) {
            byte[] compressed = deflate(content);
            data = new Out().u32(compressed.length).u32(content.length).raw(compressed).toBytes();
        }
        out.u16(id).u16(zlib ? TraceDat.SECTION_COMPRESSED : 0).u32(0).u64(data.length).raw(data);
        return at;
    }

    /** zlib's compress2: a zlib stream (header, deflate data, Adler-32). */
    static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(data);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }
}
