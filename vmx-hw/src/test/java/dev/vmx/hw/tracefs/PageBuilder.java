package dev.vmx.hw.tracefs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * Builds a ring-buffer page the way the kernel writes one, from the copied description files
 * only: page header offsets from header_page, record header bits and type numbers from
 * header_event, payload field offsets from each event's format.
 */
final class PageBuilder {
    private static final Map<String, Integer> HEADER_EVENT = Formats.headerEvent();
    static final int TYPE_LEN_BITS = HEADER_EVENT.get("type_len");
    static final int TIME_DELTA_BITS = HEADER_EVENT.get("time_delta");
    static final int PADDING = HEADER_EVENT.get("padding");
    static final int TIME_EXTEND = HEADER_EVENT.get("time_extend");
    static final int TIME_STAMP = HEADER_EVENT.get("time_stamp");
    static final int DATA_MAX_TYPE_LEN = HEADER_EVENT.get("data max type_len");

    private final EventFormat header = Formats.headerPage();
    private final int dataOffset = header.field("data").orElseThrow().offset();
    final ByteBuffer page;
    private int position;

    PageBuilder(long pageTimestamp) {
        int size = dataOffset + header.field("data").orElseThrow().size();
        page = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        page.putLong(header.field("timestamp").orElseThrow().offset(), pageTimestamp);
        position = dataOffset;
    }

    private void word(int typeLength, long delta) {
        page.putInt(position, (int) (typeLength | (delta << TYPE_LEN_BITS)));
    }

    /** A data record: payload built from field values at the format's offsets. */
    PageBuilder event(long delta, EventFormat format, Map<String, Long> values) {
        return event(delta, format, values, null, 0);
    }

    /** A data record with a __data_loc string placed after the fixed fields. */
    PageBuilder event(long delta, EventFormat format, Map<String, Long> values, String dataLocField, int textLength) {
        int fixed = 0;
        for (EventFormat.Field field : format.fields().values()) {
            fixed = Math.max(fixed, field.offset() + field.size());
        }
        int payloadLength = (fixed + (dataLocField == null ? 0 : textLength + 1) + 3) & ~3;
        byte[] payload = new byte[payloadLength];
        ByteBuffer out = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort(format.field("common_type").orElseThrow().offset(), (short) format.id());
        for (Map.Entry<String, Long> value : values.entrySet()) {
            EventFormat.Field field = format.field(value.getKey()).orElseThrow(() -> new AssertionError(value.getKey()));
            put(out, field.offset(), field.size(), value.getValue());
        }
        if (dataLocField != null) {
            EventFormat.Field field = format.field(dataLocField).orElseThrow();
            for (int i = 0; i < textLength; i++) {
                payload[fixed + i] = (byte) ('a' + i % 26);
            }
            out.putInt(field.offset(), ((textLength + 1) << 16) | fixed);
        }
        return raw(delta, payload);
    }

    /** A data record holding exactly these payload bytes (length a multiple of 4). */
    PageBuilder raw(long delta, byte[] payload) {
        if (payload.length <= DATA_MAX_TYPE_LEN * 4) {
            word(payload.length / 4, delta);
            page.put(position + 4, payload);
            position += 4 + payload.length;
        } else {
            word(0, delta);
            page.putInt(position + 4, payload.length + 4); // array[0] counts itself
            page.put(position + 8, payload);
            position += 8 + payload.length;
        }
        return this;
    }

    PageBuilder timeExtend(long delta) {
        word(TIME_EXTEND, delta & ((1L << TIME_DELTA_BITS) - 1));
        page.putInt(position + 4, (int) (delta >>> TIME_DELTA_BITS));
        position += 8;
        return this;
    }

    PageBuilder timeStamp(long absolute) {
        word(TIME_STAMP, absolute & ((1L << TIME_DELTA_BITS) - 1));
        page.putInt(position + 4, (int) (absolute >>> TIME_DELTA_BITS));
        position += 8;
        return this;
    }

    /** A discarded record: padding with a non-zero delta and a length. */
    PageBuilder discarded(int payloadLength) {
        word(PADDING, 1);
        page.putInt(position + 4, payloadLength + 4);
        position += 8 + payloadLength;
        return this;
    }

    int used() {
        return position - dataOffset;
    }

    /** Writes commit (used bytes | flags) and returns the page. */
    ByteBuffer build(long commitFlags) {
        page.putLong(header.field("commit").orElseThrow().offset(), used() | commitFlags);
        return page;
    }

    /** Writes commit with RB_MISSED_STORED and the lost count after the data. */
    ByteBuffer buildWithLostCount(long flags, long lost) {
        page.putLong(position, lost);
        return build(flags);
    }

    static void put(ByteBuffer out, int offset, int size, long value) {
        switch (size) {
            case 1 -> out.put(offset, (byte) value);
            case 2 -> out.putShort(offset, (short) value);
            case 4 -> out.putInt(offset, (int) value);
            case 8 -> out.putLong(offset, value);
            default -> throw new AssertionError("size " + size);
        }
    }
}
