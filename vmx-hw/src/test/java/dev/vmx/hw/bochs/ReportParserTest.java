package dev.vmx.hw.bochs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The frame format of l1hv.asm, text between frames, and every way a frame can be damaged. */
class ReportParserTest {
    private final List<String> events = new ArrayList<>();
    private final ReportParser parser = new ReportParser(new ReportParser.Listener() {
        @Override
        public void line(String line) {
            events.add("line " + line);
        }

        @Override
        public void frame(int type, ByteBuffer payload) {
            events.add("frame " + type + " " + payload.remaining() + " bytes, first u32 " + (payload.remaining() >= 4 ? payload.getInt(0) : -1));
        }

        @Override
        public void corrupt(long offset, String why) {
            events.add("corrupt at " + offset + ": " + why);
        }
    });

    /** A frame as l1hv.asm writes it. */
    static byte[] frame(int type, long seq, byte[] payload, int sumDelta) {
        ByteBuffer b = ByteBuffer.allocate(9 + payload.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0xA5).put((byte) 0x5A).put((byte) type).putInt((int) seq).putShort((short) payload.length).put(payload);
        long sum = 0;
        for (int i = 2; i < b.position(); i++) {
            sum += b.get(i) & 0xFF;
        }
        b.putInt((int) sum + sumDelta);
        return b.array();
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private void feed(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        byte[] bytes = all.toByteArray();
        // one byte at a time: frames split across reads must work
        for (int i = 0; i < bytes.length; i++) {
            parser.feed(bytes, i, 1);
        }
        parser.end();
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void framesAndLinesInOrder() {
        // a frame whose payload holds 0x0A and 0xA5 bytes: they are data, not text
        feed(text("00012e[CPU0  ] VMFAIL: x\n"), frame(8, 0, u32(0x0AA5_0A0A), 0), text("tail line\n"), frame(5, 1, new byte[12], 0),
                text("no newline at the end"));
        assertEquals(List.of("line 00012e[CPU0  ] VMFAIL: x", "frame 8 4 bytes, first u32 178588170", "line tail line",
                "frame 5 12 bytes, first u32 0", "line no newline at the end"), events);
    }

    @Test
    void aChecksumMismatchIsReportedWithItsOffset() {
        // type 8 + length 4 + payload byte 7 = 0x13; the frame claims one more
        feed(text("ab\n"), frame(8, 0, u32(7), 1));
        assertEquals(List.of("line ab", "corrupt at 3: frame type 8 seq 0 has sum 0x14 but its bytes add up to 0x13"), events);
    }

    @Test
    void aLostFrameIsReportedBySequenceNumber() {
        feed(frame(8, 0, u32(1), 0), frame(8, 3, u32(2), 0), frame(8, 4, u32(3), 0));
        assertEquals(List.of("frame 8 4 bytes, first u32 1", "corrupt at 17: frame type 8 has sequence number 3, expected 1 (2 frames lost)",
                "frame 8 4 bytes, first u32 2", "frame 8 4 bytes, first u32 3"), events);
    }

    @Test
    void aTruncatedFrameIsReported() {
        byte[] whole = frame(4, 0, new byte[30], 0);
        feed(java.util.Arrays.copyOf(whole, 20));
        assertEquals(List.of("corrupt at 0: stream ended inside a frame after 20 bytes (truncated)"), events);
    }

    @Test
    void a5WithoutMagicIsText() {
        feed(new byte[] {'x', (byte) 0xA5, 'y', '\n'});
        assertEquals(List.of("line x\u00a5y"), events);
    }

    @Test
    void aDamagedFrameIsBlamedOnTheCaseThatReportedLast() {
        BochsRunner.RunState state = new BochsRunner.RunState(List.of(dev.vmx.vmcs.VmcsField.VM_EXIT_REASON));
        ReportParser p = new ReportParser(state);
        byte[] hello = frame(1, 0, new byte[8], 0); // version 0, no MSRs
        byte[] start = frame(8, 1, u32(7), 0);
        byte[] damagedExit = frame(4, 2, new byte[12 + 9], 5);
        byte[] end = frame(5, 3, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(7).putInt(1).putInt(0).array(), 0);
        for (byte[] f : List.of(hello, start, damagedExit, end)) {
            p.feed(f, 0, f.length);
        }
        p.end();
        BochsRunner.CaseState seven = state.cases.get(7);
        assertEquals(true, seven.ended);
        assertEquals(0, seven.exits.size(), "the damaged exit is not taken");
        // at 21 (HELLO) + 17 (CASE_START) = 38; type 4 + seq 2 + length 21 = 0x1b, claimed 5 more
        assertEquals("damaged report at byte 38 of Bochs' output: frame type 4 seq 2 has sum 0x20 but its bytes add up to 0x1b",
                seven.damage);
    }
}
