package dev.vmx.hw.tracedat;

import dev.vmx.VmxParseException;
import dev.vmx.hw.tracefs.EventFormat;
import dev.vmx.hw.tracefs.RingBufferDecoder;
import dev.vmx.trace.ExitEntryConsumer;
import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmTraceProblem;
import dev.vmx.trace.KvmTraceReader;
import dev.vmx.trace.KvmTraceSummary;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.function.ObjIntConsumer;

/**
 * A trace-cmd {@code trace.dat} file, versions 6 and 7 (trace-cmd.dat.v6(5), trace-cmd.dat.v7(5);
 * {@code lib/trace-cmd/trace-input.c} is the reference reader): its header, the page header and
 * event formats it carries, and its buffers (the top buffer and trace instances) with each CPU's
 * ring-buffer pages; v7 sections and per-CPU data may be compressed with zstd or zlib.
 *
 * <p>Opening reads the metadata only; {@link #reader()} reads the events, the CPUs' pages merged in
 * time order as {@code trace-cmd report} prints them, as {@link dev.vmx.trace.KvmEvent} flyweights
 * decoded at the offsets the file's own format files give. Damage is reported, not thrown: a
 * metadata part that cannot be read, an unknown option, a truncated CPU, a chunk that does not
 * decompress, a corrupt page and lost events each become a {@link TraceDatProblem} naming the
 * offset, buffer and CPU, and everything readable is still delivered. Thread-safe; readers are not.
 *
 * <p>Memory: uncompressed CPU data is mapped, in segments of 1 GiB, so no size (a CPU's data past
 * 2 GiB included) is read into the heap. Compressed CPU data is decompressed onto the heap while the
 * file's decompressed data stays within a quarter of the maximum heap (at least 64 MiB), and the
 * rest into temporary files in {@code java.io.tmpdir}, mapped, then deleted at once (trace-cmd
 * decompresses into temporary files too): a large file needs that much disk room, not heap.
 */
public final class TraceDat implements AutoCloseable {
    /** trace-cmd.dat(5), INITIAL FORMAT: 0x17 0x08 0x44 then "tracing". */
    static final byte[] MAGIC = {0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g'};
    /** trace-cmd-private.h enum tracecmd_file_options: the ids this reader knows (DONE is 0). */
    static final int OPTION_DONE = 0;
    static final int OPTION_DATE = 1;
    static final int OPTION_BUFFER = 3;
    static final int OPTION_OFFSET = 7;
    static final int OPTION_TIME_SHIFT = 12;
    static final int OPTION_TSC2NSEC = 14;
    static final int OPTION_HEADER_INFO = 16;
    static final int OPTION_EVENT_FORMATS = 18;
    static final int OPTION_CMDLINES = 21;
    static final int OPTION_BUFFER_TEXT = 22;
    /** The last option id trace-cmd 3.1 defines ({@code TRACECMD_OPTION_MODULES_FILE}); larger ones are unknown. */
    static final int OPTION_LAST_KNOWN = 25;
    /** trace-cmd-private.h: {@code TRACECMD_SEC_FL_COMPRESS}. */
    static final int SECTION_COMPRESSED = 1;
    /**
     * The largest compressed block or chunk this reader decompresses: trace-cmd writes chunks of 10
     * pages and metadata sections of a few MB (kallsyms being the largest); a larger declared size is
     * damage, and must not make the reader allocate it.
     */
    static final int MAX_BLOCK = 256 << 20;
    /** The most problems kept with their details (all are counted). */
    public static final int PROBLEM_DETAILS = 100;

    /**
     * How the CPUs' data is held: in segments of at most {@code segmentBytes} (whole pages; one
     * ByteBuffer holds at most 2 GiB), and decompressed data on the heap up to {@code heapBytes} for
     * the whole file, beyond that in temporary files. Tests shrink both to run every path on small files.
     */
    record Storage(long segmentBytes, long heapBytes) {
        static final Storage DEFAULT = new Storage(1L << 30, Math.max(64L << 20, Runtime.getRuntime().maxMemory() / 4));
    }

    private final Storage storage;
    /** Heap the decompressed streams of this file hold or have claimed, against {@link Storage#heapBytes}. */
    private final AtomicLong heapReserved = new AtomicLong();
    private final Path file;
    private final FileChannel channel;
    private final long fileSize;
    private final int version;
    private final int pageSize;
    private final String compression;
    private final EventFormat headerPage;
    private final List<EventFormat> formats = new ArrayList<>();
    private final List<String> bufferNames = new ArrayList<>();
    final List<CpuStream> streams = new ArrayList<>();
    private final List<TraceDatProblem> problems = new ArrayList<>();
    /** trace-input.c timestamp_calc: TSC2NSEC multiplier and shift (0: none), then the DATE/OFFSET sum. */
    final long tscMult;
    final int tscShift;
    final long timeOffset;
    /** The task names of the file's saved cmdlines (none read yet: an empty table). */
    SavedCmdlines cmdlines = SavedCmdlines.NONE;

    /** One CPU's data in one buffer. */
    static final class CpuStream {
        final String buffer;
        final int cpu;
        final long offset;
        final long size;
        final boolean compressed;
        final int pageSize;
        // the data as whole pages in segments of segmentPages pages each (the last may hold fewer, its
        // last page may be cut): a CPU's data may pass 2 GiB, which one ByteBuffer cannot hold
        private ByteBuffer[] segments;
        private int segmentPages;
        private long dataLength;
        private long[] pageStamps;
        private final List<TraceDatProblem> loadProblems = new ArrayList<>();
        /** Uncompressed offset of each chunk start, and the chunk's file offset (for problems). */
        private long[] chunkStarts = new long[0];
        private long[] chunkFileOffsets = new long[0];

        CpuStream(String buffer, int cpu, long offset, long size, boolean compressed, int pageSize) {
            this.buffer = buffer;
            this.cpu = cpu;
            this.offset = offset;
            this.size = size;
            this.compressed = compressed;
            this.pageSize = pageSize;
        }

        /** Which segment holds {@code page}. */
        int segmentIndex(int page) {
            return page / segmentPages;
        }

        /** The buffer holding {@code page}. */
        ByteBuffer segmentOf(int page) {
            return segments[page / segmentPages];
        }

        /** The buffer of segment {@code index}. */
        ByteBuffer segment(int index) {
            return segments[index];
        }

        /** Where {@code page} starts in {@link #segmentOf its segment}. */
        int startInSegment(int page) {
            return (page % segmentPages) * pageSize;
        }

        /** Where segment {@code index} starts in the stream's data (problems name data offsets). */
        long segmentBase(int index) {
            return index * segmentBytes();
        }

        /** The bytes of a full segment. */
        long segmentBytes() {
            return segmentPages * (long) pageSize;
        }

        /** How many bytes of {@code page} are present: the page size, less for a cut last page. */
        int pageLength(int page) {
            return (int) Math.min(pageSize, dataLength - (long) page * pageSize);
        }

        long[] pageStamps() {
            return pageStamps;
        }

        List<TraceDatProblem> loadProblems() {
            return loadProblems;
        }

        /** The file offset to name for a problem at this uncompressed offset of the stream's data. */
        long fileOffsetOf(long dataOffset) {
            if (!compressed) {
                return offset + dataOffset;
            }
            int chunk = Arrays.binarySearch(chunkStarts, dataOffset);
            if (chunk < 0) {
                chunk = -chunk - 2;
            }
            // a chunk that did not decompress adds no bytes: the next one starts where it did
            while (chunk + 1 < chunkStarts.length && chunkStarts[chunk + 1] <= dataOffset) {
                chunk++;
            }
            return chunk >= 0 && chunk < chunkFileOffsets.length ? chunkFileOffsets[chunk] : offset;
        }

        String where(long dataOffset) {
            return compressed ? " (byte " + dataOffset + " of the CPU's uncompressed data)" : "";
        }
    }

    private TraceDat(Path file, FileChannel channel, Storage storage) throws IOException {
        this.storage = storage;
        this.file = file;
        this.channel = channel;
        this.fileSize = channel.size();
        Cursor in = new Cursor(read(0, (int) Math.min(fileSize, 64)), 0);
        byte[] magic = in.bytes(MAGIC.length, "magic");
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IllegalArgumentException(file + " is not a trace.dat: it does not start with trace-cmd's magic"
                    + " 0x17 0x08 0x44 \"tracing\"");
        }
        String versionText = in.string("version");
        try {
            this.version = Integer.parseInt(versionText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": trace.dat version '" + versionText + "' at offset 10 is no number");
        }
        if (version != 6 && version != 7) {
            throw new IllegalArgumentException(file + ": trace.dat version " + version + " at offset 10; this reader"
                    + " reads versions 6 and 7");
        }
        int endian = in.u8("endianness");
        if (endian != 0) {
            throw new IllegalArgumentException(file + ": a big-endian trace.dat (offset " + (in.position() - 1)
                    + "); this reader reads the little-endian files of x86 hosts");
        }
        in.u8("long size");
        this.pageSize = in.i32("page size");
        if (pageSize < 64 || pageSize > (1 << 24)) {
            throw new IllegalArgumentException(file + ": page size " + pageSize + " at offset " + (in.position() - 4)
                    + " is not a ring-buffer page size");
        }
        long[] tsc = {0, 0};
        long[] offsetSum = {0};
        if (version == 6) {
            this.compression = "none";
            this.headerPage = readV6(in.position(), tsc, offsetSum);
        } else {
            // the compression header and the options offset lie within the first 64 bytes read above
            Cursor head = new Cursor(read(0, (int) Math.min(fileSize, 256)), in.position());
            this.compression = head.string("compression name");
            String compressionVersion = head.string("compression version");
            long optionsOffset = head.i64("options offset");
            if (!compression.equals("none") && Decompressor.forName(compression) == null) {
                throw new IllegalArgumentException(file + ": compressed with '" + compression + "' "
                        + compressionVersion + "; this reader decompresses zstd and zlib");
            }
            this.headerPage = readV7(optionsOffset, tsc, offsetSum);
        }
        // the page header must describe pages the decoder can read, for every page size in the file
        for (int size : pageSizes().values()) {
            try {
                new RingBufferDecoder(headerPage, formats, size);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": the file's header_page cannot describe its " + size
                        + "-byte pages: " + e.getMessage(), e);
            }
        }
        this.tscMult = tsc[0];
        this.tscShift = (int) tsc[1];
        this.timeOffset = offsetSum[0];
    }

    /**
     * Opens a trace.dat and reads its metadata.
     *
     * @param file the file
     * @return the open file; close it to release the file handle
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException naming the file and offset if it is not a trace.dat of
     *         version 6 or 7, is big-endian, uses a compression this reader lacks, has no
     *         readable page header, or ends inside its metadata (nothing could be decoded)
     */
    public static TraceDat open(Path file) {
        return open(file, Storage.DEFAULT);
    }

    /** {@link #open(Path)} with the CPUs' data held as {@code storage} says. */
    static TraceDat open(Path file, Storage storage) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open trace.dat " + file, e);
        }
        try {
            return new TraceDat(file, channel, storage);
        } catch (IOException e) {
            close(channel);
            throw new UncheckedIOException("cannot read trace.dat " + file, e);
        } catch (Truncated e) {
            close(channel);
            // the metadata (formats, CPU table) comes before any event data: nothing can be read
            throw new IllegalArgumentException(file + ": the file ends inside its metadata, before any event data ("
                    + e.getMessage() + ")", e);
        } catch (IllegalArgumentException e) {
            close(channel);
            // every refusal names the file (a user may pass several); the messages above start with it
            throw e.getMessage() != null && e.getMessage().startsWith(file.toString()) ? e
                    : new IllegalArgumentException(file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close(channel);
            throw e;
        }
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the open or read failure is the one to report
        }
    }

    /** Whether bytes start like a trace.dat. */
    static boolean hasMagic(byte[] head, int length) {
        return length >= MAGIC.length && Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    // ---- version 6 -------------------------------------------------------------------------

    private EventFormat readV6(long start, long[] tsc, long[] offsetSum) throws IOException {
        StreamIn in = new StreamIn(start);
        EventFormat header = headerInfo(in);
        long count = in.u32("ftrace format count");
        for (long i = 0; i < count; i++) {
            in.skip(in.i64("ftrace format size"), "ftrace format");
        }
        eventFormats(in);
        in.skip(in.u32("kallsyms size"), "kallsyms");
        in.skip(in.u32("printk formats size"), "printk formats");
        savedCmdlines(in);
        int cpus = (int) in.u32("CPU count");
        if (cpus < 0 || cpus > 1 << 16) {
            throw new IllegalArgumentException(file + ": CPU count " + Integer.toUnsignedString(cpus) + " at offset "
                    + (in.position - 4) + " is not a CPU count");
        }
        List<long[]> buffers = new ArrayList<>();
        List<String> names = new ArrayList<>();
        String kind = in.fixedString(10, "data kind");
        if (kind.startsWith("options")) {
            while (true) {
                long at = in.position;
                int id = in.u16("option id");
                if (id == OPTION_DONE) {
                    break;
                }
                int size = (int) in.u32("option size");
                ByteBuffer data = in.bytes(size, "option " + id);
                option(id, data, at, tsc, offsetSum, buffers, names);
            }
            kind = in.fixedString(10, "data kind");
        }
        if (kind.startsWith("latency")) {
            problem(-1, "", -1, "the top buffer holds latency-tracer text, not ring-buffer pages; it is not read");
        } else if (kind.startsWith("flyrecord")) {
            flyrecordCpus(in, "", cpus);
        } else {
            throw new IllegalArgumentException(file + ": expected \"flyrecord\" or \"latency\" at offset "
                    + (in.position - 10) + ", found '" + kind.strip() + "'");
        }
        for (int i = 0; i < buffers.size(); i++) {
            String name = names.get(i);
            long offset = buffers.get(i)[0];
            try {
                StreamIn at = new StreamIn(offset);
                String instanceKind = at.fixedString(10, "buffer data kind");
                if (instanceKind.startsWith("options")) {
                    while (at.u16("option id") != OPTION_DONE) {
                        at.skip(at.u32("option size"), "option");
                    }
                    instanceKind = at.fixedString(10, "buffer data kind");
                }
                if (!instanceKind.startsWith("flyrecord")) {
                    problem(offset, name, -1, "buffer data starts with '" + instanceKind.strip()
                            + "', not \"flyrecord\"; the buffer is not read");
                    continue;
                }
                flyrecordCpus(at, name, cpus);
            } catch (Truncated e) {
                problem(offset, name, -1, "the buffer's CPU table is cut off (" + e.getMessage() + "); the buffer is"
                        + " not read");
            }
        }
        return header;
    }

    private void flyrecordCpus(StreamIn in, String buffer, int cpus) throws IOException {
        bufferNames.add(buffer);
        for (int cpu = 0; cpu < cpus; cpu++) {
            long offset = in.i64("CPU data offset");
            long size = in.i64("CPU data size");
            addStream(buffer, cpu, offset, size, false, pageSize, in.position - 16);
        }
    }

    private void addStream(String buffer, int cpu, long offset, long size, boolean compressed, int streamPageSize,
            long tableOffset) {
        if (size == 0) {
            return;
        }
        if (offset < 0 || size < 0 || offset > fileSize) {
            problem(tableOffset, buffer, cpu, "CPU data at offset " + offset + " size " + size + " lies outside the "
                    + fileSize + "-byte file; the CPU's events are lost");
            return;
        }
        streams.add(new CpuStream(buffer, cpu, offset, size, compressed, streamPageSize));
    }

    // ---- version 7 -------------------------------------------------------------------------

    private EventFormat readV7(long optionsOffset, long[] tsc, long[] offsetSum) throws IOException {
        List<long[]> buffers = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<long[]> bufferDetails = new ArrayList<>();
        long headerInfo = -1;
        long eventFormats = -1;
        long cmdlinesSection = -1;
        long next = optionsOffset;
        int sections = 0;
        while (next != 0) {
            if (++sections > 1000) {
                problem(next, "", -1, "more than 1000 options sections: the chain of DONE offsets loops; the rest is not read");
                break;
            }
            ByteBuffer options;
            try {
                options = section(next, 0);
            } catch (IllegalArgumentException e) {
                problem(next, "", -1, "options section unreadable (" + e.getMessage() + "); the options after it are lost");
                break;
            }
            long sectionAt = next;
            next = 0;
            Cursor in = new Cursor(options, 0);
            while (in.remaining() > 0) {
                long at = in.position();
                int id;
                int size;
                ByteBuffer data;
                try {
                    id = in.u16("option id");
                    size = in.i32("option size");
                    data = in.slice(size, "option " + id);
                } catch (IllegalArgumentException e) {
                    problem(sectionAt, "", -1, "option at byte " + at + " of the options section is cut off ("
                            + e.getMessage() + "); the options after it are lost");
                    break;
                }
                if (id == OPTION_DONE) {
                    next = data.remaining() >= 8 ? data.getLong(0) : 0;
                    break;
                } else if (id == OPTION_HEADER_INFO && size >= 8) {
                    headerInfo = data.getLong(0);
                } else if (id == OPTION_EVENT_FORMATS && size >= 8) {
                    eventFormats = data.getLong(0);
                } else if (id == OPTION_CMDLINES && size >= 8) {
                    cmdlinesSection = data.getLong(0);
                } else if (id == OPTION_BUFFER) {
                    bufferOptionV7(data, sectionAt, buffers, names, bufferDetails);
                } else {
                    option(id, data, sectionAt, tsc, offsetSum, null, null);
                }
            }
        }
        if (headerInfo < 0) {
            throw new IllegalArgumentException(file + ": no HEADER_INFO option, so no page header to decode with"
                    + (problems.isEmpty() ? "" : " (" + problems.get(0) + ")"));
        }
        EventFormat header;
        try {
            header = headerInfo(new BufferIn(section(headerInfo, OPTION_HEADER_INFO), headerInfo));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": the header info section at offset " + headerInfo
                    + (e instanceof Truncated ? " is cut off: " : " is unreadable: ") + e.getMessage(), e);
        }
        if (eventFormats < 0) {
            problem(-1, "", -1, "no EVENT_FORMATS option: every event is delivered as OTHER");
        } else {
            try {
                eventFormats(new BufferIn(section(eventFormats, OPTION_EVENT_FORMATS), eventFormats));
            } catch (IllegalArgumentException e) {
                problem(eventFormats, "", -1, "event formats section unreadable (" + e.getMessage()
                        + "); the formats after the damage are lost, their events are delivered as OTHER");
            }
        }
        if (cmdlinesSection < 0) {
            problem(-1, "", -1, "no CMDLINES option: tasks are named " + SavedCmdlines.UNKNOWN + ", as trace-cmd report names them");
        } else {
            try {
                savedCmdlines(new BufferIn(section(cmdlinesSection, OPTION_CMDLINES), cmdlinesSection));
            } catch (IllegalArgumentException e) {
                problem(cmdlinesSection, "", -1, "saved cmdlines section unreadable (" + e.getMessage()
                        + "); tasks are named " + SavedCmdlines.UNKNOWN);
            }
        }
        for (int i = 0; i < buffers.size(); i++) {
            long sectionOffset = buffers.get(i)[0];
            boolean compressed;
            try {
                ByteBuffer sectionHeader = read(sectionOffset, 16);
                compressed = (sectionHeader.getShort(2) & SECTION_COMPRESSED) != 0;
            } catch (Truncated e) {
                problem(sectionOffset, names.get(i), -1, "the buffer's section header is cut off; the buffer is not read");
                continue;
            }
            bufferNames.add(names.get(i));
            long[] cpus = bufferDetails.get(i);
            int bufferPageSize = (int) buffers.get(i)[1];
            for (int c = 0; c + 2 < cpus.length; c += 3) {
                addStream(names.get(i), (int) cpus[c], cpus[c + 1], cpus[c + 2], compressed, bufferPageSize, sectionOffset);
            }
        }
        return header;
    }

    private void bufferOptionV7(ByteBuffer data, long at, List<long[]> buffers, List<String> names,
            List<long[]> details) {
        Cursor in = new Cursor(data, 0);
        try {
            long offset = in.i64("buffer offset");
            String name = in.string("buffer name");
            in.string("buffer clock");
            int bufferPageSize = in.i32("buffer page size");
            int cpus = in.i32("buffer CPU count");
            if (cpus < 0 || (long) cpus * 20 > in.remaining()) {
                throw new IllegalArgumentException("CPU count " + Integer.toUnsignedString(cpus) + " for "
                        + in.remaining() + " bytes of CPU table");
            }
            if (bufferPageSize < 64 || bufferPageSize > (1 << 24)) {
                throw new IllegalArgumentException("page size " + bufferPageSize);
            }
            long[] table = new long[cpus * 3];
            for (int c = 0; c < cpus; c++) {
                table[c * 3] = in.i32("CPU id");
                table[c * 3 + 1] = in.i64("CPU data offset");
                table[c * 3 + 2] = in.i64("CPU data size");
            }
            buffers.add(new long[] {offset, bufferPageSize});
            names.add(name);
            details.add(table);
        } catch (IllegalArgumentException e) {
            problem(at, "", -1, "BUFFER option unreadable (" + e.getMessage() + "); that buffer's events are lost");
        }
    }

    /**
     * A section's content (v7): its 16-byte header (id, flags, description, size), then the data,
     * which a compressed section holds as one block (compressed size, uncompressed size, data).
     */
    private ByteBuffer section(long offset, int expectedId) throws IOException {
        ByteBuffer header = read(offset, 16);
        int id = Short.toUnsignedInt(header.getShort(0));
        int flags = Short.toUnsignedInt(header.getShort(2));
        long size = header.getLong(8);
        if (id != expectedId) {
            throw new IllegalArgumentException("section id " + id + " where " + expectedId + " was expected");
        }
        if ((flags & SECTION_COMPRESSED) == 0) {
            if (size < 0 || size > fileSize) {
                throw new IllegalArgumentException("section size " + size);
            }
            return read(offset + 16, (int) size);
        }
        ByteBuffer sizes = read(offset + 16, 8);
        int compressedSize = sizes.getInt(0);
        int uncompressedSize = sizes.getInt(4);
        if (compressedSize < 0 || uncompressedSize < 0 || uncompressedSize > MAX_BLOCK) {
            throw new IllegalArgumentException("compressed block of " + Integer.toUnsignedString(compressedSize)
                    + " bytes to " + Integer.toUnsignedString(uncompressedSize));
        }
        ByteBuffer compressed = read(offset + 24, compressedSize);
        byte[] out = new byte[uncompressedSize];
        int length = Decompressor.forName(compression).decompress(compressed.array(), 0, compressedSize, out, 0,
                uncompressedSize);
        return ByteBuffer.wrap(out, 0, length).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    // ---- shared parts ------------------------------------------------------------------------

    private void option(int id, ByteBuffer data, long at, long[] tsc, long[] offsetSum, List<long[]> buffers,
            List<String> names) {
        switch (id) {
            case OPTION_DATE, OPTION_OFFSET -> {
                // trace-input.c: strtoll(buf, NULL, 0); DATE is in microseconds, OFFSET in the clock's unit
                String text = new Cursor(data, 0).stringOrRest().strip();
                try {
                    long value = parseCNumber(text);
                    offsetSum[0] += id == OPTION_DATE ? value * 1000 : value;
                } catch (NumberFormatException e) {
                    problem(at, "", -1, (id == OPTION_DATE ? "DATE" : "OFFSET") + " option '" + text
                            + "' is no number; timestamps are not shifted by it");
                }
            }
            case OPTION_TSC2NSEC -> {
                if (data.remaining() >= 16) {
                    tsc[0] = Integer.toUnsignedLong(data.getInt(0));
                    tsc[1] = Integer.toUnsignedLong(data.getInt(4));
                    offsetSum[0] += data.getLong(8);
                }
            }
            case OPTION_TIME_SHIFT -> problem(at, "", -1, "TIME_SHIFT option (guest-to-host clock corrections) is not"
                    + " applied: timestamps are the guest's own clock");
            case OPTION_BUFFER -> {
                if (buffers != null && data.remaining() >= 9) {
                    Cursor in = new Cursor(data, 0);
                    long offset = in.i64("buffer offset");
                    buffers.add(new long[] {offset});
                    names.add(in.stringOrRest());
                } else {
                    problem(at, "", -1, "BUFFER option of " + data.remaining() + " bytes unreadable; that buffer is lost");
                }
            }
            case OPTION_BUFFER_TEXT -> problem(at, "", -1, "a buffer of latency-tracer text (BUFFER_TEXT) is not read");
            default -> {
                if (id > OPTION_LAST_KNOWN) {
                    problem(at, "", -1, "unknown option " + id + " (" + data.remaining() + " bytes) skipped");
                }
            }
        }
    }

    /** strtoll(text, NULL, 0): decimal, 0x hex or 0 octal, with a sign. */
    static long parseCNumber(String text) {
        boolean negative = text.startsWith("-");
        String digits = negative || text.startsWith("+") ? text.substring(1) : text;
        long value;
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            value = Long.parseUnsignedLong(digits.substring(2), 16);
        } else if (digits.length() > 1 && digits.startsWith("0")) {
            value = Long.parseLong(digits.substring(1), 8);
        } else {
            value = Long.parseLong(digits);
        }
        return negative ? -value : value;
    }

    /** "header_page\0", size, text, "header_event\0", size, text. */
    private EventFormat headerInfo(In in) throws IOException {
        String pageName = in.fixedString(12, "header_page name");
        if (!pageName.equals("header_page\0")) {
            throw new IllegalArgumentException(file + ": expected \"header_page\" at offset " + (in.offset() - 12));
        }
        long pageSizeAt = in.offset();
        String text = in.text(in.i64("header_page size"), "header_page");
        EventFormat header;
        try {
            header = EventFormat.parse(text);
        } catch (VmxParseException e) {
            throw new IllegalArgumentException(file + ": header_page at offset " + pageSizeAt + ": " + e.getMessage(), e);
        }
        String eventName = in.fixedString(13, "header_event name");
        if (!eventName.equals("header_event\0")) {
            throw new IllegalArgumentException(file + ": expected \"header_event\" at offset " + (in.offset() - 13));
        }
        in.skip(in.i64("header_event size"), "header_event");
        return header;
    }

    /** The saved cmdlines: their size, then "PID NAME" lines (trace-input.c read_and_parse_cmdlines). */
    private void savedCmdlines(In in) throws IOException {
        long size = in.i64("saved cmdlines size");
        long at = in.offset();
        cmdlines = SavedCmdlines.parse(in.text(size, "saved cmdlines"), at, (offset, text) -> problem(offset, "", -1, text));
    }

    /** Systems, each with its format files; the kvm events this library decodes are parsed. */
    private void eventFormats(In in) throws IOException {
        long systems = in.u32("system count");
        for (long s = 0; s < systems; s++) {
            String system = in.string("system name");
            long count = in.u32("event count");
            for (long e = 0; e < count; e++) {
                long at = in.offset();
                long size = in.i64("format size");
                if (!system.equals("kvm")) {
                    in.skip(size, "format");
                    continue;
                }
                String text = in.text(size, "format");
                try {
                    EventFormat format = EventFormat.parse(text);
                    if (KvmEventType.fromTracepoint(format.name()) != KvmEventType.OTHER || formats.isEmpty()) {
                        formats.add(format); // the first one also gives the common fields of every event
                    }
                } catch (VmxParseException ex) {
                    problem(at, "", -1, "format " + (e + 1) + " of system kvm unreadable (" + ex.getMessage()
                            + "); its events are delivered as OTHER");
                }
            }
        }
    }

    void problem(long offset, String buffer, int cpu, String text) {
        synchronized (problems) {
            problems.add(TraceDatProblem.of(offset, buffer, cpu, text));
        }
    }

    /** Reads {@code length} bytes at {@code offset}, little-endian. */
    ByteBuffer read(long offset, int length) throws IOException {
        if (offset < 0 || length < 0 || offset + length > fileSize) {
            throw new Truncated("needs bytes " + offset + ".." + (offset + length) + " of a " + fileSize + "-byte file");
        }
        ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (out.hasRemaining()) {
            if (channel.read(out, offset + out.position()) < 0) {
                throw new EOFException("file shrank while read: " + file);
            }
        }
        return out.flip();
    }

    // ---- loading CPU data --------------------------------------------------------------------

    /** Maps or decompresses a stream's pages and notes each page's timestamp; once. */
    void load(CpuStream stream, Decompressor decompressor) {
        synchronized (stream) {
            if (stream.segments != null) {
                return;
            }
            stream.segmentPages = (int) Math.max(1, Math.min(storage.segmentBytes(), Integer.MAX_VALUE / 2) / stream.pageSize);
            try {
                if (stream.compressed) {
                    decompressed(stream, decompressor);
                } else {
                    mapped(stream);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read trace.dat " + file, e);
            }
            long pages = (stream.dataLength + stream.pageSize - 1) / stream.pageSize;
            if (pages > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException(file + ": " + pages + " pages on one CPU"); // 8 TiB of 4 KiB pages
            }
            long[] stamps = new long[(int) pages];
            for (int p = 0; p < pages; p++) {
                stamps[p] = stream.pageLength(p) >= 8 ? stream.segmentOf(p).getLong(stream.startInSegment(p)) : Long.MAX_VALUE;
            }
            stream.pageStamps = stamps;
        }
    }

    private void mapped(CpuStream stream) throws IOException {
        long available = Math.max(0, Math.min(stream.size, fileSize - stream.offset));
        if (available < stream.size) {
            stream.loadProblems.add(TraceDatProblem.of(stream.offset + available, stream.buffer, stream.cpu,
                    "file truncated: " + available + " of the CPU's " + stream.size + " bytes are present; the events"
                    + " of the missing " + (stream.size - available) + " bytes are lost"));
        }
        stream.segments = mapSegments(channel, stream.offset, available, stream.segmentBytes());
        stream.dataLength = available;
    }

    /** Maps {@code length} bytes from {@code offset} as segments of {@code segmentBytes} (the last may be shorter). */
    private static ByteBuffer[] mapSegments(FileChannel channel, long offset, long length, long segmentBytes)
            throws IOException {
        ByteBuffer[] segments = new ByteBuffer[(int) ((length + segmentBytes - 1) / segmentBytes)];
        for (int i = 0; i < segments.length; i++) {
            long start = i * segmentBytes;
            segments[i] = channel.map(FileChannel.MapMode.READ_ONLY, offset + start, Math.min(segmentBytes, length - start))
                    .order(ByteOrder.LITTLE_ENDIAN);
        }
        return segments;
    }

    /**
     * v7 compressed CPU data: a chunk count, then per chunk its compressed and uncompressed sizes and
     * data. Decompressed onto the heap while the file's streams stay within {@link Storage#heapBytes},
     * else into a temporary file that is mapped (as trace-cmd itself does), so a file of many
     * gigabytes needs no heap of that size.
     */
    private void decompressed(CpuStream stream, Decompressor decompressor) throws IOException {
        // the chunks are read by their own sizes, as trace-input.c does: the size the BUFFER option
        // gives is 4 bytes short of them (trace-cmd 3.1.6 counts the data after the chunk count)
        long end = fileSize;
        long position = stream.offset;
        int count;
        try {
            count = read(position, 4).getInt(0);
        } catch (Truncated e) {
            stream.loadProblems.add(TraceDatProblem.of(position, stream.buffer, stream.cpu,
                    "file truncated before the CPU's chunk count; all its events are lost"));
            stream.segments = new ByteBuffer[0];
            return;
        }
        position += 4;
        List<long[]> chunks = new ArrayList<>(); // file offset, compressed size, uncompressed size
        long total = 0;
        for (int i = 0; i < count && Integer.compareUnsigned(i, count) < 0; i++) {
            if (position + 8 > end) {
                stream.loadProblems.add(TraceDatProblem.of(position, stream.buffer, stream.cpu, "file truncated: "
                        + (count - i) + " of the CPU's " + count + " compressed chunks are missing; their events are lost"));
                break;
            }
            ByteBuffer sizes = read(position, 8);
            long compressedSize = Integer.toUnsignedLong(sizes.getInt(0));
            long uncompressedSize = Integer.toUnsignedLong(sizes.getInt(4));
            if (uncompressedSize % stream.pageSize != 0 || uncompressedSize > MAX_BLOCK) {
                stream.loadProblems.add(TraceDatProblem.of(position, stream.buffer, stream.cpu, "chunk " + i + " claims "
                        + uncompressedSize + " uncompressed bytes (not whole " + stream.pageSize + "-byte pages, or over "
                        + MAX_BLOCK + " bytes); it and the " + (count - i - 1) + " chunks after it are not read"));
                break;
            }
            if (position + 8 + compressedSize > end) {
                stream.loadProblems.add(TraceDatProblem.of(position, stream.buffer, stream.cpu, "file truncated in chunk "
                        + i + " of " + count + ": the events of its " + uncompressedSize / stream.pageSize
                        + " pages and of the chunks after it are lost"));
                break;
            }
            chunks.add(new long[] {position, compressedSize, uncompressedSize});
            total += uncompressedSize;
            position += 8 + compressedSize;
        }
        // the declared sizes are input: they pick heap or file, and the heap grows only as data
        // really decompresses, so a damaged size makes the reader allocate nothing up front
        boolean onHeap = heapReserved.addAndGet(total) <= storage.heapBytes();
        if (!onHeap) {
            heapReserved.addAndGet(-total);
        }
        try (DecompressedData out = onHeap ? new HeapData(stream.segmentBytes(), total)
                : new FileData(stream.segmentBytes())) {
            stream.chunkStarts = new long[chunks.size()];
            stream.chunkFileOffsets = new long[chunks.size()];
            for (int i = 0; i < chunks.size(); i++) {
                long[] chunk = chunks.get(i);
                stream.chunkStarts[i] = out.length();
                stream.chunkFileOffsets[i] = chunk[0];
                ByteBuffer compressed = read(chunk[0] + 8, (int) chunk[1]);
                int length = (int) chunk[2];
                try {
                    out.append(length, (into, at) -> {
                        int written = decompressor.decompress(compressed.array(), 0, (int) chunk[1], into, at, length);
                        if (written != length) {
                            throw new IllegalArgumentException("it gives " + written + " of " + length + " bytes");
                        }
                    });
                } catch (IllegalArgumentException e) {
                    // the chunk's pages are left out: the pages after it are whole pages of their own
                    stream.loadProblems.add(TraceDatProblem.of(chunk[0], stream.buffer, stream.cpu, "chunk " + i
                            + " does not decompress (" + e.getMessage() + "); the events of its " + chunk[2] / stream.pageSize
                            + " pages are lost"));
                }
            }
            stream.dataLength = out.length();
            stream.segments = out.segments();
        }
    }

    /** Writes one chunk's bytes, all of them or it throws, into an array from an offset. */
    @FunctionalInterface
    private interface ChunkWriter {
        void write(byte[] into, int at);
    }

    /** Where a compressed stream's data goes as it decompresses, cut into segments of whole pages. */
    private interface DecompressedData extends AutoCloseable {
        /** Appends the {@code length} bytes {@code writer} writes; nothing if it throws. */
        void append(int length, ChunkWriter writer) throws IOException;

        long length();

        ByteBuffer[] segments() throws IOException;

        @Override
        void close() throws IOException;
    }

    /**
     * Segments on the heap, each grown as data comes: sized for what the chunks declare, but only up
     * to 1 MiB before data is really there (a declared size is input, not trusted).
     */
    private static final class HeapData implements DecompressedData {
        private final long segmentBytes;
        private final long declared;
        private final List<ByteBuffer> full = new ArrayList<>();
        private byte[] current = new byte[0];
        private int fill;
        private long length;
        /** A chunk that straddles two segments is written here first (once per segment at most). */
        private byte[] straddling = new byte[0];

        HeapData(long segmentBytes, long declared) {
            this.segmentBytes = segmentBytes;
            this.declared = declared;
        }

        @Override
        public void append(int count, ChunkWriter writer) {
            nextSegmentIfFull();
            if (fill + count <= segmentBytes) {
                // the usual case: decompressed in place, no copy
                room(count);
                writer.write(current, fill);
                fill += count;
                length += count;
                return;
            }
            if (straddling.length < count) {
                straddling = new byte[count];
            }
            writer.write(straddling, 0);
            for (int from = 0; from < count; ) {
                nextSegmentIfFull();
                int part = (int) Math.min(count - from, segmentBytes - fill);
                room(part);
                System.arraycopy(straddling, from, current, fill, part);
                fill += part;
                from += part;
                length += part;
            }
        }

        private void nextSegmentIfFull() {
            if (fill == segmentBytes) {
                full.add(ByteBuffer.wrap(current, 0, fill).slice().order(ByteOrder.LITTLE_ENDIAN));
                current = new byte[0];
                fill = 0;
            }
        }

        /** Room for {@code part} more bytes in the current segment (which they fit). */
        private void room(int part) {
            if (current.length < fill + part) {
                long expected = Math.min(declared - (length - fill), 1 << 20);
                current = Arrays.copyOf(current, (int) Math.min(segmentBytes,
                        Math.max(Math.max(fill + part, expected), 2L * current.length)));
            }
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public ByteBuffer[] segments() {
            List<ByteBuffer> all = new ArrayList<>(full);
            if (fill > 0) {
                all.add(ByteBuffer.wrap(current, 0, fill).slice().order(ByteOrder.LITTLE_ENDIAN));
            }
            return all.toArray(ByteBuffer[]::new);
        }

        @Override
        public void close() {
        }
    }

    /**
     * A temporary file, mapped once written and then deleted (the mapping keeps its pages until it is
     * collected; where a file cannot be deleted while mapped, it goes at exit).
     */
    private static final class FileData implements DecompressedData {
        private final long segmentBytes;
        private final Path path;
        private final FileChannel channel;
        private long length;
        private byte[] chunk = new byte[0];

        FileData(long segmentBytes) throws IOException {
            this.segmentBytes = segmentBytes;
            this.path = Files.createTempFile("vmx-trace-dat-", ".cpu");
            this.channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }

        @Override
        public void append(int count, ChunkWriter writer) throws IOException {
            if (chunk.length < count) {
                chunk = new byte[count];
            }
            writer.write(chunk, 0);
            ByteBuffer data = ByteBuffer.wrap(chunk, 0, count);
            while (data.hasRemaining()) {
                length += channel.write(data, length);
            }
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public ByteBuffer[] segments() throws IOException {
            return mapSegments(channel, 0, length, segmentBytes);
        }

        @Override
        public void close() throws IOException {
            channel.close();
            try {
                Files.delete(path);
            } catch (IOException e) {
                path.toFile().deleteOnExit();
            }
        }
    }

    // ---- public view ----------------------------------------------------------------------------

    /**
     * The file.
     *
     * @return the path it was opened from
     */
    public Path file() {
        return file;
    }

    /**
     * The file version.
     *
     * @return 6 or 7
     */
    public int version() {
        return version;
    }

    /** What {@link KvmTraceSummary#format()} says of this file: "trace.dat v6", "trace.dat v7, zstd". */
    String formatName() {
        return "trace.dat v" + version + (compression.equals("none") ? "" : ", " + compression);
    }

    /**
     * The compression of a v7 file's sections and CPU data.
     *
     * @return "none", "zstd" or "zlib"
     */
    public String compression() {
        return compression;
    }

    /**
     * The page size of the traced host, from the file header.
     *
     * @return bytes per ring-buffer page
     */
    public int pageSize() {
        return pageSize;
    }

    /**
     * The buffers with ring-buffer data, in file order (a buffer whose CPUs recorded nothing, as
     * the top buffer of {@code trace-cmd extract -B NAME}, is not listed).
     *
     * @return the names: "" for the top buffer, the instance name otherwise
     */
    public List<String> buffers() {
        List<String> withData = new ArrayList<>();
        for (String name : bufferNames) {
            if (!withData.contains(name) && streams.stream().anyMatch(stream -> stream.buffer.equals(name))) {
                withData.add(name);
            }
        }
        return withData;
    }

    /**
     * The page header format the file carries ({@code events/header_page} of the traced host).
     *
     * @return the format
     */
    public EventFormat headerPage() {
        return headerPage;
    }

    /**
     * The formats of the file's kvm events this library decodes, as the file carries them.
     *
     * @return the formats
     */
    public List<EventFormat> formats() {
        return List.copyOf(formats);
    }

    /**
     * Problems found in the metadata when the file was opened (data problems are a reader's).
     *
     * @return the problems, in file order
     */
    public List<TraceDatProblem> problems() {
        synchronized (problems) {
            return List.copyOf(problems);
        }
    }

    /**
     * A reader of every buffer's events, merged in time order.
     *
     * @return a new reader
     */
    public TraceDatReader reader() {
        return new TraceDatReader(this, streams, Long.MIN_VALUE, Long.MAX_VALUE, true);
    }

    /**
     * A reader of some buffers' events, merged in time order.
     *
     * @param buffers the buffer names to read ("" for the top buffer)
     * @return a new reader
     * @throws IllegalArgumentException if a name is not one of {@link #buffers()}
     */
    public TraceDatReader reader(Collection<String> buffers) {
        for (String name : buffers) {
            if (!bufferNames.contains(name)) {
                throw new IllegalArgumentException(file + " has no buffer '" + name + "'; it has " + buffers());
            }
        }
        List<CpuStream> chosen = new ArrayList<>();
        for (CpuStream stream : streams) {
            if (buffers.contains(stream.buffer)) {
                chosen.add(stream);
            }
        }
        return new TraceDatReader(this, chosen, Long.MIN_VALUE, Long.MAX_VALUE, true);
    }

    /**
     * Reads every buffer's events in time order into {@code sink}.
     *
     * @param sink receives each event (a flyweight, valid during the call)
     * @return what was read, with this file's metadata problems and the reader's
     */
    public KvmTraceSummary read(Consumer<? super KvmEvent> sink) {
        return readInWindows(1, index -> sink);
    }

    /**
     * Reads every buffer's events in consecutive time windows, at most {@code threads} at once:
     * first every CPU's data is mapped or decompressed (CPUs in parallel), then the pages are cut
     * at page timestamps into windows of about equal size, each read by its own thread and merged
     * in time order. Window {@code i}'s events go to {@code parts.apply(i)} (called on the thread
     * reading it), in time order; every event of window {@code i} is at or before every event of
     * window {@code i + 1}, so consumers fed in window order see the file in time order. With one
     * thread, or pages whose timestamps do not increase, there is one window.
     *
     * @param threads how many threads may read at once, at least 1
     * @param parts the consumer of each window's events
     * @return what was read: events, loss reports, lost events and problems of all windows
     * @throws IllegalArgumentException if {@code threads} is below 1
     */
    public KvmTraceSummary readInWindows(int threads, IntFunction<Consumer<? super KvmEvent>> parts) {
        return readWindows(threads, (reader, w) -> {
            Consumer<? super KvmEvent> sink = parts.apply(w);
            while (reader.advance()) {
                sink.accept(reader.event());
            }
        });
    }

    /**
     * As {@link #readInWindows}, with each window's events handed over in an order that keeps every
     * thread's events (by pid) in time order while different threads' events may come in any
     * order (see {@link dev.vmx.trace.BinaryKvmTraceFormat#readByThread}): each CPU's events go
     * over in runs, kvm_exit and kvm_entry as plain values. Faster when the consumer needs only
     * each thread's order, as exit statistics do.
     *
     * @param threads how many threads may read at once, at least 1
     * @param parts the consumer of each window's events
     * @return what was read, as {@link #readInWindows} reports it
     * @throws IllegalArgumentException if {@code threads} is below 1
     */
    public KvmTraceSummary readByThread(int threads, IntFunction<ExitEntryConsumer> parts) {
        return readWindows(threads, (reader, w) -> reader.drainByThread(parts.apply(w)));
    }

    private KvmTraceSummary readWindows(int threads, ObjIntConsumer<TraceDatReader> readWindow) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
        List<CpuStream> all = streams;
        runAll(threads, all.size(), i -> load(all.get(i),
                compression.equals("none") ? null : Decompressor.forName(compression)));
        long[] cuts = threads == 1 ? new long[0] : windowCuts(threads);
        int windows = cuts.length + 1;
        TraceDatReader[] readers = new TraceDatReader[windows];
        runAll(threads, windows, w -> {
            long from = w == 0 ? Long.MIN_VALUE : cuts[w - 1];
            long to = w == windows - 1 ? Long.MAX_VALUE : cuts[w];
            TraceDatReader reader = new TraceDatReader(this, all, from, to, w == 0);
            readWindow.accept(reader, w);
            readers[w] = reader;
        });
        long events = 0;
        long other = 0;
        long lossReports = 0;
        long lost = 0;
        List<TraceDatProblem> metadata = problems();
        long problemCount = metadata.size();
        List<KvmTraceProblem> details = new ArrayList<>();
        for (TraceDatProblem problem : metadata) {
            detail(details, problem);
        }
        for (TraceDatReader reader : readers) {
            events += reader.eventCount();
            other += reader.otherCount();
            lossReports += reader.lossReports();
            lost += reader.lostEvents();
            problemCount += reader.problemCount();
            for (TraceDatProblem problem : reader.problems()) {
                detail(details, problem);
            }
        }
        return new KvmTraceSummary(formatName(), events + lossReports + problemCount, events, other, 0, lossReports, lost,
                problemCount, details);
    }

    private void detail(List<KvmTraceProblem> details, TraceDatProblem problem) {
        if (details.size() < KvmTraceReader.DEFAULT_PROBLEM_DETAILS) {
            details.add(problem.asTraceProblem());
        }
    }

    /** Timestamps that cut all pages into about equal windows; none if some CPU's pages are not in time order. */
    private long[] windowCuts(int windows) {
        int total = 0;
        for (CpuStream stream : streams) {
            long[] stamps = stream.pageStamps();
            for (int i = 1; i < stamps.length; i++) {
                if (stamps[i] < stamps[i - 1]) {
                    return new long[0]; // damaged or reordered pages: only one merge sees them in order
                }
            }
            total += stamps.length;
        }
        long[] all = new long[total];
        int at = 0;
        for (CpuStream stream : streams) {
            System.arraycopy(stream.pageStamps(), 0, all, at, stream.pageStamps().length);
            at += stream.pageStamps().length;
        }
        Arrays.sort(all);
        List<Long> cuts = new ArrayList<>();
        for (int w = 1; w < windows && total > 0; w++) {
            long cut = all[(int) ((long) total * w / windows)];
            if (cut > all[0] && (cuts.isEmpty() || cut > cuts.get(cuts.size() - 1))) {
                cuts.add(cut);
            }
        }
        return cuts.stream().mapToLong(Long::longValue).toArray();
    }

    /** Runs {@code task} for 0..count-1 on at most {@code threads} threads; the first failure is rethrown. */
    private static void runAll(int threads, int count, IntConsumer task) {
        if (threads == 1 || count <= 1) {
            for (int i = 0; i < count; i++) {
                task.accept(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < Math.min(threads, count); t++) {
            Thread worker = new Thread(() -> {
                int i;
                while (failure.get() == null && (i = next.getAndIncrement()) < count) {
                    try {
                        task.accept(i);
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                    }
                }
            }, "trace.dat-reader-" + t);
            worker.start();
            workers.add(worker);
        }
        boolean interrupted = false;
        for (Thread worker : workers) {
            while (true) {
                try {
                    worker.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** The decoder's inputs: the header page and formats. */
    List<EventFormat> decoderFormats() {
        return formats;
    }

    Map<String, Integer> pageSizes() {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (CpuStream stream : streams) {
            sizes.putIfAbsent(stream.buffer, stream.pageSize);
        }
        return sizes;
    }

    /** Closes the file; mapped data stays readable until collected. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close trace.dat " + file, e);
        }
    }

    @Override
    public String toString() {
        return "TraceDat[" + file + " v" + version + " " + compression + " buffers " + bufferNames + "]";
    }

    // ---- byte readers --------------------------------------------------------------------------

    /** A read past the end of the file or of a section. */
    static final class Truncated extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Truncated(String message) {
            super(message);
        }
    }

    /** Sequential little-endian reads, from the file (v6) or from a section (v7). */
    abstract class In {
        abstract long offset();

        abstract ByteBuffer bytes(long length, String what) throws IOException;

        abstract void skip(long length, String what) throws IOException;

        long u32(String what) throws IOException {
            return Integer.toUnsignedLong(bytes(4, what).getInt(0));
        }

        int u16(String what) throws IOException {
            return Short.toUnsignedInt(bytes(2, what).getShort(0));
        }

        long i64(String what) throws IOException {
            long value = bytes(8, what).getLong(0);
            if (value < 0) {
                throw new IllegalArgumentException(file + ": " + what + " " + Long.toUnsignedString(value) + " at offset "
                        + (offset() - 8) + " is too large");
            }
            return value;
        }

        String fixedString(int length, String what) throws IOException {
            return StandardCharsets.ISO_8859_1.decode(bytes(length, what)).toString();
        }

        String text(long length, String what) throws IOException {
            if (length > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(file + ": " + what + " of " + length + " bytes at offset " + offset());
            }
            return StandardCharsets.UTF_8.decode(bytes(length, what)).toString();
        }

        String string(String what) throws IOException {
            StringBuilder text = new StringBuilder();
            while (true) {
                int c = bytes(1, what).get(0) & 0xff;
                if (c == 0) {
                    return text.toString();
                }
                if (text.length() > 4096) {
                    throw new IllegalArgumentException(file + ": " + what + " at offset " + (offset() - text.length())
                            + " has no end");
                }
                text.append((char) c);
            }
        }
    }

    /** Reads the file itself from a position on. */
    final class StreamIn extends In {
        long position;

        StreamIn(long position) {
            this.position = position;
        }

        @Override
        long offset() {
            return position;
        }

        @Override
        ByteBuffer bytes(long length, String what) throws IOException {
            if (length > Integer.MAX_VALUE || position + length > fileSize) {
                throw new Truncated(what + " at offset " + position + " needs " + length + " bytes; the file ends at "
                        + fileSize);
            }
            ByteBuffer out = read(position, (int) length);
            position += length;
            return out;
        }

        @Override
        void skip(long length, String what) {
            if (position + length > fileSize) {
                throw new Truncated(what + " at offset " + position + " needs " + length + " bytes; the file ends at "
                        + fileSize);
            }
            position += length;
        }

        @Override
        String string(String what) throws IOException {
            // one read for the string instead of a read per byte
            ByteBuffer window = read(position, (int) Math.min(4096, fileSize - position));
            for (int i = 0; i < window.limit(); i++) {
                if (window.get(i) == 0) {
                    String text = StandardCharsets.ISO_8859_1.decode(window.slice(0, i)).toString();
                    position += i + 1;
                    return text;
                }
            }
            throw new Truncated(what + " at offset " + position + " has no end");
        }
    }

    /** Reads a section's (decompressed) content. */
    final class BufferIn extends In {
        private final Cursor cursor;
        private final long base;

        BufferIn(ByteBuffer content, long sectionOffset) {
            this.cursor = new Cursor(content, 0);
            this.base = sectionOffset;
        }

        @Override
        long offset() {
            return base + cursor.position(); // for a compressed section, the section and the byte in it
        }

        @Override
        ByteBuffer bytes(long length, String what) {
            return cursor.slice(length, what);
        }

        @Override
        void skip(long length, String what) {
            cursor.slice(length, what);
        }

        @Override
        String string(String what) {
            return cursor.string(what);
        }
    }

    /** Bounds-checked little-endian reads over a buffer. */
    static final class Cursor {
        private final ByteBuffer buffer;
        private int position;

        Cursor(ByteBuffer buffer, int position) {
            this.buffer = buffer.order(ByteOrder.LITTLE_ENDIAN);
            this.position = position;
        }

        int position() {
            return position;
        }

        int remaining() {
            return buffer.limit() - position;
        }

        ByteBuffer slice(long length, String what) {
            if (length < 0 || length > remaining()) {
                throw new Truncated(what + " at byte " + position + " needs " + length + " bytes; "
                        + remaining() + " remain");
            }
            ByteBuffer out = buffer.slice(position, (int) length).order(ByteOrder.LITTLE_ENDIAN);
            position += (int) length;
            return out;
        }

        byte[] bytes(int length, String what) {
            byte[] out = new byte[length];
            slice(length, what).get(out);
            return out;
        }

        int u8(String what) {
            return slice(1, what).get(0) & 0xff;
        }

        int u16(String what) {
            return Short.toUnsignedInt(slice(2, what).getShort(0));
        }

        int i32(String what) {
            return slice(4, what).getInt(0);
        }

        long i64(String what) {
            return slice(8, what).getLong(0);
        }

        String string(String what) {
            for (int i = position; i < buffer.limit(); i++) {
                if (buffer.get(i) == 0) {
                    String text = StandardCharsets.ISO_8859_1.decode(buffer.slice(position, i - position)).toString();
                    position = i + 1;
                    return text;
                }
            }
            throw new Truncated(what + " at byte " + position + " has no terminating NUL");
        }

        /** A NUL-terminated string, or the rest of the buffer when it has no NUL. */
        String stringOrRest() {
            int end = position;
            while (end < buffer.limit() && buffer.get(end) != 0) {
                end++;
            }
            String text = StandardCharsets.ISO_8859_1.decode(buffer.slice(position, end - position)).toString();
            position = Math.min(end + 1, buffer.limit());
            return text;
        }
    }
}
