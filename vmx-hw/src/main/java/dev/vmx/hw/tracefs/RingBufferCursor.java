package dev.vmx.hw.tracefs;

import dev.vmx.trace.ExitEntryConsumer;
import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmIsa;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads one ring-buffer page at a time, event by event: {@link #reset} places it on a page inside
 * any buffer (a page read from {@code trace_pipe_raw}, or one of many in a mapped or decompressed
 * trace.dat), and each {@link #advance()} moves its flyweight {@link #event()} to the next record.
 * The page layout and the record header are {@link RingBufferDecoder}'s; damage and losses go to
 * that decoder's counts. Not thread-safe; one cursor per CPU stream.
 */
public final class RingBufferCursor {
    private final RingBufferDecoder decoder;
    final RingBufferEvent event = new RingBufferEvent();

    private ByteBuffer in;
    private int position;
    private int end;
    private int cpu;
    private long clock;
    private long pageClock;
    /** Whether the page was read shorter than its commit: damage at the cut is that truncation. */
    private boolean cut;
    /** Whether this page's damage is counted (a page read twice counts once). */
    private boolean counted;
    private int damageAt = -1;
    // the record nextRecord() found last
    private int recordPayload;
    private int recordPayloadLength;
    // its format's id, not its layout: a reference stored per record would go through the
    // garbage collector's write barrier on every record; an int does not
    private int recordTypeId;
    private long recordClock;

    // deliverExitOrEntry(): the type ids of the kvm_exit and kvm_entry formats with the usual
    // widths (-1: none) and their fields' offsets (-1: absent), copied out of the layouts once,
    // so that handing an event over loads no layout, offsets array or type per event
    private final int typeOffset;
    private final int pidOffset;
    private final int exitId;
    private final int exitCodeAt;
    private final int exitRipAt;
    private final int exitIsaAt;
    private final int exitVcpuAt;
    private final int exitInfo1At;
    private final int exitIntrInfoAt;
    private final int entryId;
    private final int entryVcpuAt;

    RingBufferCursor(RingBufferDecoder decoder) {
        this.decoder = decoder;
        this.typeOffset = decoder.typeOffset;
        this.pidOffset = decoder.pidOffset;
        int exit = -1;
        int entry = -1;
        EventLayout[] layouts = decoder.layoutById;
        for (int id = 0; id < layouts.length; id++) {
            EventLayout layout = layouts[id];
            if (layout != null && layout.usualWidths) {
                if (layout.type == KvmEventType.KVM_EXIT && exit < 0) {
                    exit = id;
                } else if (layout.type == KvmEventType.KVM_ENTRY && entry < 0) {
                    entry = id;
                }
            }
        }
        int[] exitOffsets = exit < 0 ? null : layouts[exit].offsets;
        this.exitId = exit;
        this.exitCodeAt = exitOffsets == null ? -1 : exitOffsets[EventLayout.Slot.EXIT_CODE.ordinal()];
        this.exitRipAt = exitOffsets == null ? -1 : exitOffsets[EventLayout.Slot.GUEST_RIP.ordinal()];
        this.exitIsaAt = exitOffsets == null ? -1 : exitOffsets[EventLayout.Slot.ISA.ordinal()];
        this.exitVcpuAt = exitOffsets == null ? -1 : exitOffsets[EventLayout.Slot.VCPU.ordinal()];
        this.exitInfo1At = exitOffsets == null ? -1 : exitOffsets[EventLayout.Slot.INFO1.ordinal()];
        this.exitIntrInfoAt = exitOffsets == null ? -1 : exitOffsets[EventLayout.Slot.INTR_INFO.ordinal()];
        this.entryId = entry;
        this.entryVcpuAt = entry < 0 ? -1 : layouts[entry].offsets[EventLayout.Slot.VCPU.ordinal()];
    }

    /**
     * Places the cursor before the first event of a page.
     *
     * @param buffer the bytes holding the page; read as little-endian (x86), its own position and
     *        order are ignored, and it must be in little-endian order (use
     *        {@code order(ByteOrder.LITTLE_ENDIAN)} once; it is not copied)
     * @param pageStart where the page starts in {@code buffer}
     * @param length how many bytes of the page are present
     * @param cpu the CPU whose buffer the page came from
     * @param count whether the page's header, losses and damage are counted in the decoder's
     *        {@link RingBufferDecoder#stats()} (false when the same page is read again)
     * @return the page's loss flag: the number of events lost before it, -1 when the page says
     *         events were lost but not how many, 0 when none were, or -2 when the page header is
     *         damaged or cut and the page has no events to read
     * @throws IllegalArgumentException if {@code buffer} is not little-endian
     */
    public long reset(ByteBuffer buffer, int pageStart, int length, int cpu, boolean count) {
        if (buffer.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("ring-buffer pages are read little-endian; the buffer is " + buffer.order());
        }
        this.in = buffer;
        this.cpu = cpu;
        this.counted = count;
        this.damageAt = -1;
        this.position = 0;
        this.end = 0;
        RingBufferDecoder d = decoder;
        if (count) {
            d.pages++;
        }
        if (length < d.dataOffset || pageStart < 0 || (long) pageStart + length > buffer.capacity()) {
            if (count) {
                d.truncatedPages++;
            }
            damageAt = pageStart;
            return -2;
        }
        long stamp = buffer.getLong(pageStart + d.timestampOffset);
        clock = stamp;
        pageClock = stamp;
        long commitWord = d.commitSize == 8 ? buffer.getLong(pageStart + d.commitOffset)
                : Integer.toUnsignedLong(buffer.getInt(pageStart + d.commitOffset));
        int commit = (int) (commitWord & (RingBufferDecoder.RB_MISSED_STORED - 1));
        // ring_buffer.c adds RB_MISSED_EVENTS, the int (1 << 31), to the 64-bit local_t commit: it
        // is sign-extended, so bits 63:32 are all ones when bit 31 is set; set in any other way,
        // they are damage
        long high = commitWord >>> 32;
        boolean signExtended = high == 0xffff_ffffL && (commitWord & RingBufferDecoder.RB_MISSED_EVENTS) != 0;
        if (commit > d.dataSize || (high != 0 && !signExtended)) {
            if (count) {
                d.corruptPages++;
            }
            damageAt = pageStart + d.commitOffset;
            return -2;
        }
        int dataEnd = d.dataOffset + commit;
        // a page read shorter than its commit: whole records before the cut still decode, and a
        // record cut by it counts as this truncation, not as corruption
        cut = dataEnd > length;
        if (cut) {
            if (count) {
                d.truncatedPages++;
            }
            dataEnd = length;
        }
        long lost = 0;
        if ((commitWord & RingBufferDecoder.RB_MISSED_STORED) != 0) {
            if (d.dataOffset + commit + 8 <= length) {
                lost = buffer.getLong(pageStart + d.dataOffset + commit);
                if (lost <= 0) {
                    lost = -1; // a stored count that is no count: the loss is known, its size is not
                }
            } else {
                lost = -1;
            }
        } else if ((commitWord & RingBufferDecoder.RB_MISSED_EVENTS) != 0) {
            lost = -1;
        }
        if (count) {
            if (lost > 0) {
                d.lostEvents += lost;
            } else if (lost < 0) {
                d.pagesWithUnknownLoss++;
            }
        }
        position = pageStart + d.dataOffset;
        end = pageStart + dataEnd;
        return lost;
    }

    /**
     * Moves to the next event of the page.
     *
     * @return false at the end of the page's data, or at damage (after which the rest of the
     *         page is skipped; see {@link #damageOffset()})
     */
    public boolean advance() {
        if (nextRecord() < 0) {
            return false;
        }
        EventLayout[] layouts = decoder.layoutById;
        EventLayout layout = recordTypeId < layouts.length ? layouts[recordTypeId] : null;
        event.position(in, recordPayload, recordPayloadLength, layout, layout == null ? KvmEventType.OTHER : layout.type,
                recordClock, cpu, decoder.pidOffset);
        return true;
    }

    /**
     * Moves to the next event of the page without placing {@link #event()} on it.
     *
     * @return the offset in the buffer of the event's payload (its common fields first), or -1
     *         where {@link #advance()} returns false
     */
    private int nextRecord() {
        // the common record first, kept small so that callers' loops inline it: a data record whose
        // length is in its header (type_len 1..28), whole and long enough; anything else (padding,
        // time stamps, long records, damage, the page's end) goes the full way
        int at = position;
        if (at + 4 <= end) {
            ByteBuffer in = this.in;
            int header = in.getInt(at);
            int typeLength = header & 0x1f;
            if (typeLength != 0 && typeLength < RingBufferDecoder.TYPE_PADDING) {
                RingBufferDecoder d = decoder;
                int payloadLength = typeLength * 4;
                int payload = at + 4;
                if (payloadLength + 4 <= end - at && payloadLength >= d.commonEnd) {
                    EventLayout[] layouts = d.layoutById;
                    int id = Short.toUnsignedInt(in.getShort(payload + d.typeOffset));
                    EventLayout layout = id < layouts.length ? layouts[id] : null;
                    if (layout == null || payloadLength >= layout.minimumPayload) {
                        long stamp = clock + (header >>> 5);
                        clock = stamp;
                        recordClock = stamp;
                        recordPayload = payload;
                        recordPayloadLength = payloadLength;
                        recordTypeId = id;
                        position = payload + payloadLength;
                        return payload;
                    }
                }
            }
        }
        return nextRecordAnyKind();
    }

    /** Longs per event that {@link #nextRecords} writes. */
    public static final int RECORD_LONGS = 3;

    /**
     * Moves over the rest of the page's events at once (at most {@code limit - from} of them)
     * without placing {@link #event()} on them, for readers that look at an event's time and
     * thread first and hand it over later ({@link #eventAt}, {@link #deliverExitOrEntry}): each
     * is written as {@link #RECORD_LONGS} longs from {@code records[RECORD_LONGS * from]} on: its
     * timestamp; its payload offset in bits 63:32 and its {@code common_pid} (0 when the format
     * has none) in bits 31:0; its payload length. Damage stops it as it stops {@link #advance()}.
     *
     * @param records receives the events
     * @param from the first event index to write
     * @param limit the event index to stop before
     * @return the event index after the last one written
     */
    public int nextRecords(long[] records, int from, int limit) {
        int i = from;
        while (i < limit) {
            int payload = nextRecord();
            if (payload < 0) {
                break;
            }
            int at = i * RECORD_LONGS;
            records[at] = recordClock;
            records[at + 1] = (long) payload << 32 | Integer.toUnsignedLong(pidAt(payload));
            records[at + 2] = recordPayloadLength;
            i++;
        }
        return i;
    }

    /**
     * {@link #nextRecords} on two cursors at once, normally on two pages of one CPU's buffer: the
     * result is exactly that of {@code a.nextRecords(recordsA, fromA, limitA)} followed by
     * {@code b.nextRecords(recordsB, fromB, limitB)}. Each record's place is known only from the
     * header before it, so one page's walk is a chain of dependent loads and waits on each; two
     * pages' chains, stepped in one loop, overlap those waits (on this project's machine the bare
     * header walk of a 1,000,000-event file takes 6.8 ms this way against 13.0 ms page by page).
     * Ordinary data records of both pages take the shared loop; the first record of either that is
     * anything else (padding, a time stamp, a long record, damage, the page's end) ends it, and
     * each cursor finishes on its own.
     *
     * @param a the first cursor
     * @param recordsA receives {@code a}'s events, as {@link #nextRecords} writes them
     * @param fromA the first event index to write for {@code a}
     * @param limitA the event index to stop {@code a} before
     * @param b the second cursor, not {@code a}
     * @param recordsB receives {@code b}'s events (may be {@code recordsA}, in another range)
     * @param fromB the first event index to write for {@code b}
     * @param limitB the event index to stop {@code b} before
     * @return {@code a}'s end index in bits 63:32 and {@code b}'s in bits 31:0
     * @throws IllegalArgumentException if {@code a} and {@code b} are the same cursor
     */
    public static long nextRecordsPaired(RingBufferCursor a, long[] recordsA, int fromA, int limitA,
            RingBufferCursor b, long[] recordsB, int fromB, int limitB) {
        if (a == b) {
            throw new IllegalArgumentException("nextRecordsPaired needs two cursors, got the same one twice");
        }
        int i = fromA;
        int j = fromB;
        ByteBuffer inA = a.in;
        ByteBuffer inB = b.in;
        int atA = a.position;
        int atB = b.position;
        int endA = a.end;
        int endB = b.end;
        long clockA = a.clock;
        long clockB = b.clock;
        RingBufferDecoder decoderA = a.decoder;
        RingBufferDecoder decoderB = b.decoder;
        EventLayout[] layoutsA = decoderA.layoutById;
        EventLayout[] layoutsB = decoderB.layoutById;
        int typeAtA = decoderA.typeOffset;
        int typeAtB = decoderB.typeOffset;
        int commonA = decoderA.commonEnd;
        int commonB = decoderB.commonEnd;
        int pidAtA = decoderA.pidOffset;
        int pidAtB = decoderB.pidOffset;
        int lastA = -1;
        int lastB = -1;
        while (i < limitA && j < limitB && atA + 4 <= endA && atB + 4 <= endB) {
            int headerA = inA.getInt(atA);
            int headerB = inB.getInt(atB);
            int typeLengthA = headerA & 0x1f;
            int typeLengthB = headerB & 0x1f;
            // the same tests as nextRecord()'s common case, for both
            if (typeLengthA == 0 || typeLengthA >= RingBufferDecoder.TYPE_PADDING
                    || typeLengthB == 0 || typeLengthB >= RingBufferDecoder.TYPE_PADDING) {
                break;
            }
            int lengthA = typeLengthA * 4;
            int lengthB = typeLengthB * 4;
            if (lengthA + 4 > endA - atA || lengthA < commonA || lengthB + 4 > endB - atB || lengthB < commonB) {
                break;
            }
            int payloadA = atA + 4;
            int payloadB = atB + 4;
            int idA = Short.toUnsignedInt(inA.getShort(payloadA + typeAtA));
            int idB = Short.toUnsignedInt(inB.getShort(payloadB + typeAtB));
            EventLayout layoutA = idA < layoutsA.length ? layoutsA[idA] : null;
            EventLayout layoutB = idB < layoutsB.length ? layoutsB[idB] : null;
            if ((layoutA != null && lengthA < layoutA.minimumPayload) || (layoutB != null && lengthB < layoutB.minimumPayload)) {
                break;
            }
            clockA += headerA >>> 5;
            clockB += headerB >>> 5;
            int slotA = i * RECORD_LONGS;
            recordsA[slotA] = clockA;
            recordsA[slotA + 1] = (long) payloadA << 32 | Integer.toUnsignedLong(pidAtA < 0 ? 0 : inA.getInt(payloadA + pidAtA));
            recordsA[slotA + 2] = lengthA;
            int slotB = j * RECORD_LONGS;
            recordsB[slotB] = clockB;
            recordsB[slotB + 1] = (long) payloadB << 32 | Integer.toUnsignedLong(pidAtB < 0 ? 0 : inB.getInt(payloadB + pidAtB));
            recordsB[slotB + 2] = lengthB;
            lastA = idA;
            lastB = idB;
            atA = payloadA + lengthA;
            atB = payloadB + lengthB;
            i++;
            j++;
        }
        if (i > fromA) {
            a.tookRecord(atA, clockA, recordsA, i - 1, lastA);
        }
        if (j > fromB) {
            b.tookRecord(atB, clockB, recordsB, j - 1, lastB);
        }
        int doneA = a.nextRecords(recordsA, i, limitA);
        int doneB = b.nextRecords(recordsB, j, limitB);
        return (long) doneA << 32 | doneB;
    }

    /** After {@link #nextRecordsPaired}'s shared loop: the state nextRecord() leaves after the record {@code index}. */
    private void tookRecord(int nextPosition, long stamp, long[] records, int index, int typeId) {
        position = nextPosition;
        clock = stamp;
        recordClock = stamp;
        recordPayload = (int) (records[index * RECORD_LONGS + 1] >>> 32);
        recordPayloadLength = (int) records[index * RECORD_LONGS + 2];
        recordTypeId = typeId;
    }

    /** {@link #nextRecord()} for a record of any kind. */
    private int nextRecordAnyKind() {
        RingBufferDecoder d = decoder;
        ByteBuffer in = this.in;
        int end = this.end;
        while (position + 4 <= end) {
            int header = in.getInt(position);
            int typeLength = header & 0x1f;
            long delta = Integer.toUnsignedLong(header) >>> 5;
            int payload;
            int payloadLength;
            int recordLength;
            if (typeLength == RingBufferDecoder.TYPE_PADDING) {
                if (delta == 0) {
                    break; // the rest of the page is unused
                }
                if (position + 8 > end) {
                    return damaged(cut);
                }
                recordLength = in.getInt(position + 4) + 4;
                if (recordLength < 8 || recordLength > end - position) {
                    return damaged(cut);
                }
                position += recordLength;
                continue;
            } else if (typeLength == RingBufferDecoder.TYPE_TIME_EXTEND || typeLength == RingBufferDecoder.TYPE_TIME_STAMP) {
                if (position + 8 > end) {
                    return damaged(cut);
                }
                long stamp = (Integer.toUnsignedLong(in.getInt(position + 4)) << RingBufferDecoder.TS_SHIFT) + delta;
                if (typeLength == RingBufferDecoder.TYPE_TIME_EXTEND) {
                    clock += stamp;
                } else {
                    // ring_buffer.c rb_fix_abs_ts: restore the clock's top bits from the page stamp
                    if ((pageClock & RingBufferDecoder.TS_MSB) != 0) {
                        stamp |= pageClock & RingBufferDecoder.TS_MSB;
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
                    return damaged(cut);
                }
                long length0 = Integer.toUnsignedLong(in.getInt(position + 4));
                if (length0 < 4) {
                    return damaged(false);
                }
                payload = position + 8;
                payloadLength = (int) Math.min(Integer.MAX_VALUE, length0 - 4);
                recordLength = (int) Math.min(Integer.MAX_VALUE, (length0 + 4 + 3) & ~3L);
            } else {
                payload = position + 4;
                payloadLength = typeLength * 4;
                recordLength = payloadLength + 4;
            }
            if (recordLength > end - position) {
                return damaged(cut);
            }
            if (payloadLength < d.commonEnd) {
                return damaged(false);
            }
            int id = Short.toUnsignedInt(in.getShort(payload + d.typeOffset));
            EventLayout layout = id < d.layoutById.length ? d.layoutById[id] : null;
            if (layout != null && payloadLength < layout.minimumPayload) {
                return damaged(false);
            }
            clock += delta;
            recordClock = clock;
            recordPayload = payload;
            recordPayloadLength = payloadLength;
            recordTypeId = id;
            position += recordLength;
            return payload;
        }
        this.end = 0;
        return -1;
    }

    /** Stops reading the page at damage; returns -1 for {@link #nextRecord()}. */
    private int damaged(boolean cutByRead) {
        if (!cutByRead) {
            if (counted) {
                decoder.corruptPages++;
            }
            damageAt = position;
        }
        this.end = 0;
        return -1;
    }

    /**
     * The current event, valid until the next {@link #advance()} or {@link #reset}.
     *
     * @return the flyweight
     */
    public KvmEvent event() {
        return event;
    }

    /**
     * The current event's timestamp (the same as {@code event().timestampNanos()}).
     *
     * @return the ring-buffer clock in its own unit (nanoseconds for the default clock)
     */
    public long timestampNanos() {
        return recordClock;
    }

    /** The {@code common_pid} of an event this cursor found, read in place; 0 when the format has none. */
    private int pidAt(int payload) {
        int pidOffset = decoder.pidOffset;
        return pidOffset < 0 ? 0 : in.getInt(payload + pidOffset);
    }

    /**
     * Places {@link #event()} on an event this cursor found earlier in the buffer it reads now.
     *
     * @param payload its payload offset, as {@link #nextRecords} wrote it
     * @param payloadLength its payload length, as {@link #nextRecords} wrote it
     * @param timestamp its timestamp, as {@link #nextRecords} wrote it
     * @return the flyweight, valid until the cursor moves or is placed again
     */
    public KvmEvent eventAt(int payload, int payloadLength, long timestamp) {
        EventLayout layout = layoutAt(payload);
        event.position(in, payload, payloadLength, layout, layout == null ? KvmEventType.OTHER : layout.type, timestamp,
                cpu, decoder.pidOffset);
        return event;
    }

    /**
     * Hands an event this cursor found earlier to {@code consumer} as plain values, read in place,
     * if it is a {@code kvm_exit} or {@code kvm_entry}.
     *
     * @param payload its payload offset, as {@link #nextRecords} wrote it
     * @param timestampNanos the time to hand over with it
     * @param consumer the consumer
     * @return false, having called nothing, for an event of another type
     */
    public boolean deliverExitOrEntry(int payload, long timestampNanos, ExitEntryConsumer consumer) {
        ByteBuffer page = in;
        int id = Short.toUnsignedInt(page.getShort(payload + typeOffset));
        int pid = pidOffset < 0 ? 0 : page.getInt(payload + pidOffset);
        if (id == exitId) {
            // the widths every kernel's kvm_exit has: fixed loads instead of a switch per field
            consumer.acceptExit(pid, timestampNanos,
                    exitIsaAt < 0 ? KvmIsa.UNKNOWN : KvmIsa.fromCode(page.getInt(payload + exitIsaAt)),
                    Integer.toUnsignedLong(page.getInt(payload + exitCodeAt)), page.getLong(payload + exitRipAt),
                    exitVcpuAt < 0 ? -1 : page.getInt(payload + exitVcpuAt), page.getLong(payload + exitInfo1At),
                    page.getInt(payload + exitIntrInfoAt));
            return true;
        }
        if (id == entryId) {
            consumer.acceptEntry(pid, timestampNanos, entryVcpuAt < 0 ? -1 : page.getInt(payload + entryVcpuAt));
            return true;
        }
        return deliverUnusual(payload, timestampNanos, consumer);
    }

    /** {@link #deliverExitOrEntry} for formats whose fields have other widths, and other events. */
    private boolean deliverUnusual(int payload, long timestampNanos, ExitEntryConsumer consumer) {
        EventLayout layout = layoutAt(payload);
        if (layout == null) {
            return false;
        }
        ByteBuffer page = in;
        if (layout.type == KvmEventType.KVM_EXIT) {
            consumer.acceptExit(pidAt(payload), timestampNanos, layout.isa(page, payload),
                    layout.read(page, payload, EventLayout.Slot.EXIT_CODE), layout.read(page, payload, EventLayout.Slot.GUEST_RIP),
                    layout.vcpu(page, payload), layout.read(page, payload, EventLayout.Slot.INFO1),
                    (int) layout.read(page, payload, EventLayout.Slot.INTR_INFO));
            return true;
        }
        if (layout.type == KvmEventType.KVM_ENTRY) {
            consumer.acceptEntry(pidAt(payload), timestampNanos, layout.vcpu(page, payload));
            return true;
        }
        return false;
    }

    private EventLayout layoutAt(int payload) {
        EventLayout[] layouts = decoder.layoutById;
        int id = Short.toUnsignedInt(in.getShort(payload + decoder.typeOffset));
        return id < layouts.length ? layouts[id] : null;
    }

    /**
     * Where the last page's damage was found: the offset in the buffer of the record (or header
     * field) that could not be read; the rest of the page after it was skipped.
     *
     * @return the offset, or -1 when the page read cleanly so far
     */
    public int damageOffset() {
        return damageAt;
    }

    /**
     * Where the cursor stopped on its page: after {@link #advance()} returned false because of
     * damage, the bytes from here to the page's commit end were not read.
     *
     * @return the offset in the buffer of the next record to read
     */
    public int position() {
        return position;
    }

}
