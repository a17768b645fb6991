package dev.vmx.hw.bochs;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Splits Bochs' standard output into the hypervisor's report frames (port 0xE9) and Bochs' own text
 * (its log, which the generated bochsrc sends to the same stream so that the order is kept).
 *
 * <p>A frame is {@code A5 5A, u8 type, u32 seq, u16 len, payload, u32 sum} (see l1hv.asm); 0xA5 never
 * occurs in Bochs' ASCII text, so text and frames are told apart byte by byte. A frame whose
 * sum does not match is reported as {@link Listener#corrupt} with its offset in the stream and not
 * delivered; a sound frame whose sequence number is not the next one is reported the same way (frames
 * were lost before it), then delivered: nothing is skipped silently.
 */
final class ReportParser {
    /** Frame types, as l1hv.asm numbers them. */
    static final int HELLO = 1;
    static final int WRITE_FAIL = 2;
    static final int VMFAIL = 3;
    static final int EXIT = 4;
    static final int CASE_END = 5;
    static final int FATAL = 6;
    static final int BYE = 7;
    static final int CASE_START = 8;
    static final int STREAM_ERROR = 9;

    /** What the parser found. */
    interface Listener {
        /**
         * A text line (without its newline).
         *
         * @param line the line
         */
        void line(String line);

        /**
         * A well-formed frame.
         *
         * @param type the frame type
         * @param payload the payload, little-endian, positioned at 0
         */
        void frame(int type, ByteBuffer payload);

        /**
         * A damaged frame.
         *
         * @param offset where it starts in the stream
         * @param why what is wrong
         */
        void corrupt(long offset, String why);
    }

    private static final int HEADER = 9; // magic 2, type 1, seq 4, len 2

    private final Listener listener;
    private final ByteArrayOutputStream text = new ByteArrayOutputStream();
    private byte[] frame = new byte[256];
    private int frameLength; // bytes of the current frame collected, 0 when in text
    private long offset;
    private long frameOffset;
    private long expectedSeq;

    ReportParser(Listener listener) {
        this.listener = listener;
    }

    /**
     * Feeds bytes.
     *
     * @param bytes the buffer
     * @param from first byte
     * @param count how many
     */
    void feed(byte[] bytes, int from, int count) {
        for (int i = from; i < from + count; i++) {
            feed(bytes[i]);
        }
    }

    private void feed(byte b) {
        long at = offset++;
        if (frameLength > 0) {
            put(b);
            if (frameLength == 2 && b != 0x5A) {
                // 0xA5 not followed by 0x5A: not a frame; keep both bytes as text
                frameLength = 0;
                text.write(0xA5);
                textByte(b);
                return;
            }
            if (frameLength >= HEADER) {
                int payloadLength = (frame[7] & 0xFF) | (frame[8] & 0xFF) << 8;
                if (frameLength == HEADER + payloadLength + 4) {
                    finishFrame(payloadLength);
                    frameLength = 0;
                }
            }
            return;
        }
        if ((b & 0xFF) == 0xA5) {
            frameOffset = at;
            frameLength = 0;
            put(b);
            return;
        }
        textByte(b);
    }

    private void textByte(byte b) {
        if (b == '\n') {
            flushLine();
        } else {
            text.write(b);
        }
    }

    private void flushLine() {
        String line = text.toString(StandardCharsets.ISO_8859_1).stripTrailing();
        text.reset();
        if (!line.isBlank()) {
            listener.line(line);
        }
    }

    private void put(byte b) {
        if (frameLength == frame.length) {
            frame = java.util.Arrays.copyOf(frame, frame.length * 2);
        }
        frame[frameLength++] = b;
    }

    private void finishFrame(int payloadLength) {
        ByteBuffer buffer = ByteBuffer.wrap(frame, 0, frameLength).order(ByteOrder.LITTLE_ENDIAN);
        int type = frame[2] & 0xFF;
        long seq = buffer.getInt(3) & 0xFFFFFFFFL;
        long sum = 0;
        for (int i = 2; i < HEADER + payloadLength; i++) {
            sum += frame[i] & 0xFF;
        }
        long expectedSum = buffer.getInt(HEADER + payloadLength) & 0xFFFFFFFFL;
        if ((sum & 0xFFFFFFFFL) != expectedSum) {
            listener.corrupt(frameOffset, "frame type " + type + " seq " + seq + " has sum 0x" + Long.toHexString(expectedSum)
                    + " but its bytes add up to 0x" + Long.toHexString(sum & 0xFFFFFFFFL));
            // not delivered; it still counts as one frame, so the next good one is not reported lost too
            expectedSeq++;
            return;
        }
        if (seq != expectedSeq) {
            // the frame itself is sound: reported, then delivered (what the lost frames held is gone)
            listener.corrupt(frameOffset, "frame type " + type + " has sequence number " + seq + ", expected " + expectedSeq
                    + " (" + (seq > expectedSeq ? seq - expectedSeq + " frames lost" : "repeated") + ")");
        }
        expectedSeq = seq + 1;
        byte[] payload = java.util.Arrays.copyOfRange(frame, HEADER, HEADER + payloadLength);
        listener.frame(type, ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * The stream ended: a partial frame is reported as corrupt (truncated), a partial line as a line.
     */
    void end() {
        if (frameLength > 0) {
            listener.corrupt(frameOffset, "stream ended inside a frame after " + frameLength + " bytes (truncated)");
            frameLength = 0;
        }
        if (text.size() > 0) {
            flushLine();
        }
    }

    /**
     * Bytes consumed so far.
     *
     * @return the count
     */
    long offset() {
        return offset;
    }
}
