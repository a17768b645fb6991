package dev.vmx.hw.tracefs;

import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmEventType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Decodes tracefs ring-buffer pages (what {@code per_cpu/cpuN/trace_pipe_raw} returns) into
 * {@link KvmEvent}s, in place and without an object per event.
 *
 * <p>The page header layout comes from {@code events/header_page} ({@code timestamp},
 * {@code commit}, {@code data}); the record header follows {@code events/header_event} and
 * {@code kernel/trace/ring_buffer.c}: a 32-bit word with {@code type_len} in bits 4:0 and
 * {@code time_delta} in bits 31:5, then {@code array[]}. {@code type_len} 1..28 is a data record
 * of {@code type_len * 4} bytes starting at {@code array[0]}; 0 is a data record whose length
 * ({@code array[0]}, counting itself) precedes the data; 29 is padding (a zero delta means the
 * rest of the page is empty); 30 is a time extend ({@code array[0] << 27 | time_delta} added to
 * the clock); 31 an absolute time stamp. {@code commit} holds the used data bytes with two flags:
 * bit 31 {@code RB_MISSED_EVENTS} (events were lost before this page) and bit 30
 * {@code RB_MISSED_STORED} (their count follows the data as an {@code unsigned long}).
 *
 * <p>Damage is counted in {@link #stats()}, never thrown: a page with a bad header is skipped, a
 * bad record ends its page, the next page decodes normally. Not thread-safe; one per reader.
 */
public final class RingBufferDecoder {
    /** ring_buffer.c: {@code TS_SHIFT}. */
    static final int TS_SHIFT = 27;
    /** ring_buffer.c: {@code TS_MSB}, the 5 clock bits an absolute time stamp does not hold. */
    static final long TS_MSB = 0xf8L << 56;
    /** ring_buffer.c: {@code RB_MISSED_EVENTS}. */
    static final long RB_MISSED_EVENTS = 1L << 31;
    /** ring_buffer.c: {@code RB_MISSED_STORED}. */
    static final long RB_MISSED_STORED = 1L << 30;
    /** header_event / ring_buffer.h: {@code RINGBUF_TYPE_PADDING}. */
    static final int TYPE_PADDING = 29;
    /** {@code RINGBUF_TYPE_TIME_EXTEND}. */
    static final int TYPE_TIME_EXTEND = 30;
    /** {@code RINGBUF_TYPE_TIME_STAMP}. */
    static final int TYPE_TIME_STAMP = 31;

    /**
     * The largest payload a record can have: a record lies inside one ring-buffer page, and no
     * kernel's sub-buffer is this large; a format field beyond it can never be read.
     */
    static final int MAX_PAYLOAD = 1 << 24;

    final int timestampOffset;
    final int commitOffset;
    final int commitSize;
    final int dataOffset;
    final int dataSize;
    final int typeOffset;
    final int pidOffset;
    /** The end of the common fields ({@code common_type} .. {@code common_pid}) every record starts with. */
    final int commonEnd;
    /** Indexed by event id, up to the largest id of a usable format (ids are 16-bit). */
    final EventLayout[] layoutById;
    private final List<String> formatProblems;
    private final RingBufferCursor pageCursor;

    long pages;
    long events;
    long otherEvents;
    long lostEvents;
    long pagesWithUnknownLoss;
    long truncatedPages;
    long corruptPages;

    /**
     * A decoder for one tracefs: its page header and the formats of the events to decode.
     *
     * @param headerPage the parsed {@code events/header_page}
     * @param formats the parsed {@code format} files of the events to decode; any other event id
     *        is delivered as {@link KvmEventType#OTHER}, and so are the records of a format that
     *        cannot be decoded (see {@link #formatProblems()})
     * @throws IllegalArgumentException if {@code header_page} lacks {@code timestamp},
     *         {@code commit} or {@code data}, or places them where no page can hold them (each
     *         named with its offset and size)
     */
    public RingBufferDecoder(EventFormat headerPage, Collection<EventFormat> formats) {
        this(headerPage, formats, 0);
    }

    /**
     * A decoder for pages of a given size: a trace instance whose sub-buffers are larger than a
     * page ({@code buffer_subbuf_size_kb}) hands out pages of that size, while
     * {@code header_page} keeps describing the default.
     *
     * @param headerPage the parsed {@code events/header_page}
     * @param formats the parsed {@code format} files of the events to decode
     * @param pageSize bytes per page, or 0 for the size {@code header_page} gives
     * @throws IllegalArgumentException if the header lacks a field or places it where no page can
     *         hold it, or the page size leaves no room for data
     */
    public RingBufferDecoder(EventFormat headerPage, Collection<EventFormat> formats, int pageSize) {
        EventFormat.Field timestamp = required(headerPage, "timestamp", "header_page");
        EventFormat.Field commit = required(headerPage, "commit", "header_page");
        EventFormat.Field data = required(headerPage, "data", "header_page");
        // the page header is input too (a trace.dat carries its own): every read of it must lie in the page
        long dataEnd = (long) data.offset() + data.size();
        if (data.offset() < 0 || data.size() <= 0 || dataEnd > MAX_PAYLOAD) {
            throw new IllegalArgumentException("header_page field 'data' at offset " + data.offset() + " size "
                    + data.size() + " lies outside any ring-buffer page (at most " + MAX_PAYLOAD + " bytes)");
        }
        checkHeaderField(timestamp, 8, 8, data.offset());
        checkHeaderField(commit, 4, 8, data.offset());
        this.timestampOffset = timestamp.offset();
        this.commitOffset = commit.offset();
        this.commitSize = commit.size();
        this.dataOffset = data.offset();
        if (pageSize != 0 && pageSize <= data.offset()) {
            throw new IllegalArgumentException("page size " + pageSize + " leaves no room for data after the "
                    + data.offset() + "-byte page header");
        }
        this.dataSize = pageSize == 0 ? data.size() : pageSize - data.offset();
        List<String> problems = new ArrayList<>();
        List<EventFormat> usable = new ArrayList<>();
        int maxId = -1;
        int type = -1;
        int pid = -1;
        long common = 0;
        for (EventFormat format : formats) {
            if (type < 0 && commonProblemOf(format) == null) {
                // every event starts with the same common fields: the first format with sound ones names them
                type = format.fields().get("common_type").offset();
                pid = format.field("common_pid").filter(f -> f.size() == 4).map(EventFormat.Field::offset).orElse(-1);
                for (EventFormat.Field field : format.fields().values()) {
                    if (field.name().startsWith("common_")) {
                        common = Math.max(common, (long) field.offset() + field.size());
                    }
                }
            }
            String problem = problemOf(format);
            if (problem != null) {
                problems.add("format " + format.name() + " (ID " + format.id() + "): " + problem
                        + "; its records are counted as other events");
                continue;
            }
            usable.add(format);
            maxId = Math.max(maxId, format.id());
        }
        if (type < 0) {
            type = 0; // no usable format: every record is OTHER, read for its (16-bit) type only
        }
        this.typeOffset = type;
        this.pidOffset = pid;
        // even a record of an event not decoded here (OTHER) is read for its type and pid
        this.commonEnd = (int) Math.max(common, type + 2);
        this.layoutById = new EventLayout[maxId + 1];
        for (EventFormat format : usable) {
            if (format.id() >= 0) {
                layoutById[format.id()] = new EventLayout(KvmEventType.fromTracepoint(format.name()), format);
            }
        }
        this.formatProblems = List.copyOf(problems);
        this.pageCursor = new RingBufferCursor(this);
    }

    private static EventFormat.Field required(EventFormat format, String field, String where) {
        return format.field(field).orElseThrow(() -> new IllegalArgumentException(
                where + " format has no field '" + field + "': " + format.fields().keySet()));
    }

    private static void checkHeaderField(EventFormat.Field field, int minSize, int maxSize, int dataOffset) {
        if (field.offset() < 0 || (field.size() != minSize && field.size() != maxSize)
                || (long) field.offset() + field.size() > dataOffset) {
            throw new IllegalArgumentException("header_page field '" + field.name() + "' at offset " + field.offset()
                    + " size " + field.size() + " does not lie in the " + dataOffset + "-byte page header before 'data'"
                    + (minSize == maxSize ? " as " + minSize + " bytes" : " as " + minSize + " or " + maxSize + " bytes"));
        }
    }

    /** Why a format cannot be decoded, or null: its id or a field that no record can hold. */
    static String problemOf(EventFormat format) {
        String common = commonProblemOf(format);
        if (common != null) {
            return common;
        }
        if (format.id() < 0 || format.id() > 0xffff) {
            return "ID outside common_type's 0..65535";
        }
        return fieldProblemOf(format, false);
    }

    /** Why a format's common fields (common_type, common_pid, ...) cannot be read, or null. */
    static String commonProblemOf(EventFormat format) {
        EventFormat.Field type = format.fields().get("common_type");
        if (type == null) {
            return "no field 'common_type'";
        }
        if (type.size() != 2) {
            return "common_type is " + type.size() + " bytes, not the 2 of every kernel's trace_entry";
        }
        return fieldProblemOf(format, true);
    }

    private static String fieldProblemOf(EventFormat format, boolean commonOnly) {
        for (EventFormat.Field field : format.fields().values()) {
            if (commonOnly && !field.name().startsWith("common_")) {
                continue;
            }
            if (field.offset() < 0 || field.size() < 0 || (long) field.offset() + field.size() > MAX_PAYLOAD) {
                return "field '" + field.name() + "' at offset " + field.offset() + " size " + field.size()
                        + " lies outside any record";
            }
        }
        return null;
    }

    /**
     * The size of one page: the {@code data} field's end in {@code header_page}.
     *
     * @return bytes per page (4096 with the default sub-buffer size)
     */
    public int pageSize() {
        return dataOffset + dataSize;
    }

    /**
     * Decodes one page and hands each event to {@code sink}; the event is a flyweight valid only
     * during the call.
     *
     * @param page the page bytes from position 0 (position and order are ignored; read as
     *        little-endian, the order of x86 kernels)
     * @param length how many bytes of {@code page} were read
     * @param cpu the CPU whose buffer the page came from
     * @param sink receives each event
     * @return the number of events delivered from this page
     */
    public int decodePage(ByteBuffer page, int length, int cpu, Consumer<? super KvmEvent> sink) {
        ByteBuffer in = page.order() == ByteOrder.LITTLE_ENDIAN ? page : page.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        RingBufferCursor cursor = pageCursor;
        cursor.reset(in, 0, length, cpu, true);
        int delivered = 0;
        while (cursor.advance()) {
            if (cursor.event.type() == KvmEventType.OTHER) {
                otherEvents++;
            }
            events++;
            delivered++;
            sink.accept(cursor.event);
        }
        return delivered;
    }

    /**
     * A cursor that reads pages event by event (pull instead of {@link #decodePage}'s push), for
     * readers that merge several CPUs' pages in time order; each cursor has its own flyweight.
     * Its pages' losses and damage are counted in this decoder's {@link #stats()} (events are
     * counted by whoever delivers them).
     *
     * @return a new cursor, positioned on no page
     */
    public RingBufferCursor newCursor() {
        return new RingBufferCursor(this);
    }

    /**
     * Why some of the formats given to the constructor cannot be decoded (an ID that no record's
     * {@code common_type} can hold, a field beyond any record): their records are delivered as
     * {@link KvmEventType#OTHER}. A format file is input (a trace.dat carries its own), so a
     * malformed one is reported here instead of thrown.
     *
     * @return one sentence per rejected format, naming it; empty when all are usable
     */
    public List<String> formatProblems() {
        return formatProblems;
    }

    /**
     * The counts so far.
     *
     * @return an immutable snapshot
     */
    public RingBufferStats stats() {
        return new RingBufferStats(pages, events, otherEvents, lostEvents, pagesWithUnknownLoss, truncatedPages,
                corruptPages);
    }
}
