package dev.vmx.hw.tracefs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link RingBufferCursor#nextRecordsPaired} against its definition: the same records, ends,
 * cursor states and decoder counts as {@code a.nextRecords} then {@code b.nextRecords}, on pages
 * that mix every record kind, on damaged and cut pages, and with limits that stop mid-page.
 */
class PairedWalkTest {
    private static final int PAGE = 4096;

    @Test
    void pairedWalkEqualsTwoSingleWalksOnMixedDamagedAndCutPages() {
        SplittableRandom random = new SplittableRandom(20261205);
        int pairsWithSharedRecords = 0;
        for (int round = 0; round < 3000; round++) {
            byte[] first = page(random, round);
            byte[] second = page(random, round + 1);
            ByteBuffer buffer = ByteBuffer.allocate(2 * PAGE).order(ByteOrder.LITTLE_ENDIAN);
            buffer.put(0, first).put(PAGE, second);
            int lengthA = random.nextInt(6) == 0 ? random.nextInt(PAGE + 1) : PAGE;
            int lengthB = random.nextInt(6) == 0 ? random.nextInt(PAGE + 1) : PAGE;
            int room = PAGE / 8 + 1;
            int limitA = random.nextInt(5) == 0 ? random.nextInt(room) : room;
            int limitB = random.nextInt(5) == 0 ? random.nextInt(room) : room;
            int fromA = random.nextInt(3);
            int fromB = fromA + room + random.nextInt(3);

            RingBufferDecoder oneByOne = new RingBufferDecoder(Formats.headerPage(), Formats.kvmEvents());
            RingBufferCursor singleA = oneByOne.newCursor();
            RingBufferCursor singleB = oneByOne.newCursor();
            long[] expected = new long[RingBufferCursor.RECORD_LONGS * (2 * room + 8)];
            singleA.reset(buffer, 0, lengthA, 0, true);
            singleB.reset(buffer, PAGE, lengthB, 0, true);
            int endA = singleA.nextRecords(expected, fromA, fromA + limitA);
            int endB = singleB.nextRecords(expected, fromB, fromB + limitB);

            RingBufferDecoder paired = new RingBufferDecoder(Formats.headerPage(), Formats.kvmEvents());
            RingBufferCursor pairA = paired.newCursor();
            RingBufferCursor pairB = paired.newCursor();
            long[] actual = new long[expected.length];
            pairA.reset(buffer, 0, lengthA, 0, true);
            pairB.reset(buffer, PAGE, lengthB, 0, true);
            long ends = RingBufferCursor.nextRecordsPaired(pairA, actual, fromA, fromA + limitA, pairB, actual, fromB,
                    fromB + limitB);

            String where = "round " + round + " (lengths " + lengthA + "/" + lengthB + ", limits " + limitA + "/" + limitB + ")";
            assertEquals(endA, (int) (ends >>> 32), where + ": first cursor's end");
            assertEquals(endB, (int) ends, where + ": second cursor's end");
            assertArrayEquals(expected, actual, where + ": records");
            assertEquals(singleA.position(), pairA.position(), where + ": first cursor's position");
            assertEquals(singleB.position(), pairB.position(), where + ": second cursor's position");
            assertEquals(singleA.damageOffset(), pairA.damageOffset(), where + ": first cursor's damage");
            assertEquals(singleB.damageOffset(), pairB.damageOffset(), where + ": second cursor's damage");
            assertEquals(singleA.timestampNanos(), pairA.timestampNanos(), where + ": first cursor's last time");
            assertEquals(singleB.timestampNanos(), pairB.timestampNanos(), where + ": second cursor's last time");
            assertEquals(oneByOne.stats(), paired.stats(), where + ": decoder counts");
            // the cursors go on from where they stopped as a single walk does
            assertEquals(singleA.advance(), pairA.advance(), where + ": first cursor's next record");
            if (endA - fromA > 4 && endB - fromB > 4) {
                pairsWithSharedRecords++;
            }
        }
        // the shared loop must have run, not only the single walks it hands over to
        assertTrue(pairsWithSharedRecords > 1000, "pairs that walked records together: " + pairsWithSharedRecords);
    }

    @Test
    void theSameCursorTwiceIsRefused() {
        RingBufferCursor cursor = new RingBufferDecoder(Formats.headerPage(), Formats.kvmEvents()).newCursor();
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> RingBufferCursor.nextRecordsPaired(cursor, new long[3], 0, 1, cursor, new long[3], 0, 1));
        assertTrue(thrown.getMessage().contains("same one twice"), thrown.getMessage());
    }

    /** Where the page's data records with their length in the header (type_len 1..28) start. */
    private static List<Integer> dataRecordHeaders(byte[] bytes) {
        ByteBuffer page = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int end = 16 + (int) (page.getLong(8) & 0xfffff);
        List<Integer> found = new ArrayList<>();
        int at = 16;
        while (at + 4 <= Math.min(end, bytes.length)) {
            int typeLength = page.getInt(at) & 0x1f;
            if (typeLength >= 1 && typeLength <= 28) {
                found.add(at);
                at += 4 + 4 * typeLength;
            } else if (typeLength == 30 || typeLength == 31) {
                at += 8;
            } else {
                at += 4 + page.getInt(at + 4); // padding or a long record: its length word
            }
        }
        return found;
    }

    /** A page of kvm events with, now and then, time records, discarded records and long records, sometimes damaged. */
    private static byte[] page(SplittableRandom random, int index) {
        EventFormat exit = Formats.event("kvm_exit");
        EventFormat entry = Formats.event("kvm_entry");
        EventFormat pio = Formats.event("kvm_pio");
        PageBuilder builder = new PageBuilder(1_000_000L * index);
        int usable = PAGE - 64 - 160;
        List<Runnable> kinds = new ArrayList<>();
        kinds.add(() -> builder.event(400, exit, Map.of("exit_reason", (long) random.nextInt(80), "guest_rip",
                random.nextLong(), "isa", 1L, "info1", random.nextLong(), "vcpu_id", (long) random.nextInt(4))));
        kinds.add(() -> builder.event(900, entry, Map.of("vcpu_id", (long) random.nextInt(4), "rip", random.nextLong())));
        kinds.add(() -> builder.event(100, pio, Map.of("port", (long) random.nextInt(65536), "size", 1L, "count", 1L, "rw", 1L)));
        while (builder.used() < usable) {
            int kind = random.nextInt(40);
            if (kind == 0) {
                builder.timeExtend(1L << 28);
            } else if (kind == 1) {
                builder.timeStamp(5_000_000_000L + random.nextInt(1000));
            } else if (kind == 2) {
                builder.discarded(4 * random.nextInt(1, 8));
            } else if (kind == 3) {
                builder.raw(7, new byte[128]); // longer than type_len can say: a length word
            } else {
                kinds.get(kind % kinds.size()).run();
            }
        }
        ByteBuffer built = builder.build(0);
        byte[] bytes = new byte[PAGE];
        built.duplicate().position(0).limit(Math.min(PAGE, built.capacity())).get(bytes, 0, Math.min(PAGE, built.capacity()));
        List<Integer> headers = dataRecordHeaders(bytes);
        if (!headers.isEmpty() && random.nextInt(3) == 0) {
            // damage one record's header as a bad kernel or disk would: each way ends the page's walk
            // at that record in nextRecord()'s common case (too short, past the commit, too short
            // for its format)
            int at = headers.get(random.nextInt(headers.size()));
            ByteBuffer page = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int header = page.getInt(at);
            switch (random.nextInt(3)) {
                case 0 -> page.putInt(at, (header & ~0x1f) | 1); // 4 payload bytes: less than the common fields
                case 1 -> page.putInt(at, (header & ~0x1f) | 28); // 112 bytes: may run past the commit
                default -> page.putShort(at + 4, (short) exit.id()); // a kvm_exit id on whatever record it is
            }
        }
        if (random.nextInt(4) == 0) {
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                int at = random.nextInt(PAGE);
                bytes[at] = (byte) random.nextInt(256);
            }
        }
        return bytes;
    }
}
