package dev.vmx.hw.tracefs;

import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmEventType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collection;
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

    private final int timestampOffset;
    private final int commitOffset;
    private final int commitSize;
    private final int dataOffset;
    private final int dataSize;
    private final int typeOffset;
    private final int pidOffset;
    /** The end of the common fields ({@code common_type} .. {@code common_pid}) every record starts with. */
    private final int commonEnd;
    private final EventLayout[] layoutById;
    private final RingBufferEvent event = new RingBufferEvent();

    private long pages;
    private long events;
    private long otherEvents;
    private long lostEvents;
    private long pagesWithUnknownLoss;
    private long truncatedPages;
    private long corruptPages;

    /**
     * A decoder for one tracefs: its page header and the formats of the events to decode.
     *
     * @param headerPage the parsed {@code events/header_page}
     * @param formats the parsed {@code format} files of the events to decode; any other event id
     *        is delivered as {@link KvmEventType#OTHER}
     * @throws IllegalArgumentException if {@code header_page} lacks {@code timestamp},
     *         {@code commit} or {@code data}, or a format lacks {@code common_type}
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
     * @throws IllegalArgumentException if the header lacks a field, or the page size leaves no
     *         room for data
     */
    public RingBufferDecoder(EventFormat headerPage, Collection<EventFormat> formats, int pageSize) {
        EventFormat.Field timestamp = required(headerPage, "timestamp", "header_page");
        EventFormat.Field commit = required(headerPage, "commit", "header_page");
        EventFormat.Field data = required(headerPage, "data", "header_page");
        this.timestampOffset = timestamp.offset();
        this.commitOffset = commit.offset();
        this.commitSize = commit.size();
        this.dataOffset = data.offset();
        if (pageSize != 0 && pageSize <= data.offset()) {
            throw new IllegalArgumentException("page size " + pageSize + " leaves no room for data after the "
                    + data.offset() + "-byte page header");
        }
        this.dataSize = pageSize == 0 ? data.size() : pageSize - data.offset();
        int maxId = 0;
        int type = 0;
        int pid = -1;
        int common = 0;
        for (EventFormat format : formats) {
            maxId = Math.max(maxId, format.id());
            type = required(format, "common_type", format.name()).offset();
            pid = format.field("common_pid").map(EventFormat.Field::offset).orElse(-1);
            for (EventFormat.Field field : format.fields().values()) {
                if (field.name().startsWith("common_")) {
                    common = Math.max(common, field.offset() + field.size());
                }
            }
        }
        this.typeOffset = type;
        this.pidOffset = pid;
        // even a record of an event not decoded here (OTHER) is read for its type and pid
        this.commonEnd = Math.max(common, type + 2);
        this.layoutById = new EventLayout[maxId + 1];
        for (EventFormat format : formats) {
            if (format.id() >= 0) {
                layoutById[format.id()] = new EventLayout(KvmEventType.fromTracepoint(format.name()), format);
            }
        }
    }

    private static EventFormat.Field required(EventFormat format, String field, String where) {
        return format.field(field).orElseThrow(() -> new IllegalArgumentException(
                where + " format has no field '" + field + "': " + format.fields().keySet()));
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
        pages++;
        if (length < dataOffset || length > in.capacity()) {
            truncatedPages++;
            return 0;
        }
        long clock = in.getLong(timestampOffset);
        long pageClock = clock;
        long commitWord = commitSize == 8 ? in.getLong(commitOffset) : Integer.toUnsignedLong(in.getInt(commitOffset));
        int commit = (int) (commitWord & (RB_MISSED_STORED - 1));
        // ring_buffer.c adds RB_MISSED_EVENTS, the int (1 << 31), to the 64-bit local_t commit: it
        // is sign-extended, so bits 63:32 are all ones when bit 31 is set; set in any other way,
        // they are damage
        long high = commitWord >>> 32;
        boolean signExtended = high == 0xffff_ffffL && (commitWord & RB_MISSED_EVENTS) != 0;
        if (commit > dataSize || (high != 0 && !signExtended)) {
            corruptPages++;
            return 0;
        }
        int end = dataOffset + commit;
        // a page read shorter than its commit: whole records before the cut still decode, and a
        // record cut by it counts as this truncation, not as corruption
        boolean cut = end > length;
        if (cut) {
            truncatedPages++;
            end = length;
        }
        if ((commitWord & RB_MISSED_STORED) != 0) {
            if (dataOffset + commit + 8 <= length) {
                lostEvents += in.getLong(dataOffset + commit);
            } else {
                pagesWithUnknownLoss++;
            }
        } else if ((commitWord & RB_MISSED_EVENTS) != 0) {
            pagesWithUnknownLoss++;
        }
        int delivered = 0;
        int position = dataOffset;
        while (position + 4 <= end) {
            int header = in.getInt(position);
            int typeLength = header & 0x1f;
            long delta = Integer.toUnsignedLong(header) >>> 5;
            int payload;
            int payloadLength;
            int recordLength;
            if (typeLength == TYPE_PADDING) {
                if (delta == 0) {
                    break; // the rest of the page is unused
                }
                if (position + 8 > end) {
                    damaged(cut);
                    break;
                }
                recordLength = in.getInt(position + 4) + 4;
                if (recordLength < 8 || recordLength > end - position) {
                    damaged(cut);
                    break;
                }
                position += recordLength;
                continue;
            } else if (typeLength == TYPE_TIME_EXTEND || typeLength == TYPE_TIME_STAMP) {
                if (position + 8 > end) {
                    damaged(cut);
                    break;
                }
                long stamp = (Integer.toUnsignedLong(in.getInt(position + 4)) << TS_SHIFT) + delta;
                if (typeLength == TYPE_TIME_EXTEND) {
                    clock += stamp;
                } else {
                    // ring_buffer.c rb_fix_abs_ts: restore the clock's top bits from the page stamp
                    if ((pageClock & TS_MSB) != 0) {
                        stamp |= pageClock & TS_MSB;
                        if (Long.compareUnsigned(stamp, pageClock) < 0) {
                            stamp += 1L << 59;
                        }
                    }
                    clock = stamp;
                }
                position += 8;
                continue;
            } else if (typeLength == 0) {
                if (position + 8 > end) {
                    damaged(cut);
                    break;
                }
                long length0 = Integer.toUnsignedLong(in.getInt(position + 4));
                payload = position + 8;
                payloadLength = (int) Math.min(Integer.MAX_VALUE, length0 - 4);
                recordLength = (int) Math.min(Integer.MAX_VALUE, (length0 + 4 + 3) & ~3L);
                if (length0 < 4) {
                    corruptPages++;
                    break;
                }
            } else {
                payload = position + 4;
                payloadLength = typeLength * 4;
                recordLength = payloadLength + 4;
            }
            if (recordLength > end - position) {
                damaged(cut);
                break;
            }
            clock += delta;
            if (payloadLength < commonEnd) {
                corruptPages++;
                break;
            }
            int id = Short.toUnsignedInt(in.getShort(payload + typeOffset));
            EventLayout layout = id < layoutById.length ? layoutById[id] : null;
            if (layout != null && payloadLength < layout.minimumPayload) {
                corruptPages++;
                break;
            }
            KvmEventType type = layout == null ? KvmEventType.OTHER : layout.type;
            if (type == KvmEventType.OTHER) {
                otherEvents++;
            }
            event.position(in, payload, payloadLength, layout, type, clock, cpu, pidOffset);
            events++;
            delivered++;
            sink.accept(event);
            position += recordLength;
        }
        return delivered;
    }

    private void damaged(boolean cutByRead) {
        if (!cutByRead) {
            corruptPages++;
        }
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
