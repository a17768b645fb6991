package dev.vmx.hw.tracefs;

import dev.vmx.hw.tracefs.EventLayout.Slot;
import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmIsa;
import java.nio.ByteBuffer;

/**
 * The flyweight {@link KvmEvent} over one record of a ring-buffer page: {@link RingBufferDecoder}
 * repositions it on every record and each accessor reads its field in place, at the offset the
 * event's {@code format} file gave. No object per event; valid until the decoder moves on.
 */
final class RingBufferEvent implements KvmEvent {
    private ByteBuffer page;
    private int payload;
    private int payloadLength;
    private EventLayout layout;
    private KvmEventType type = KvmEventType.OTHER;
    private long timestampNanos;
    private int cpu = -1;
    private int pidOffset = -1;
    private final AsciiView message = new AsciiView();

    void position(ByteBuffer page, int payload, int payloadLength, EventLayout layout, KvmEventType type,
            long timestampNanos, int cpu, int pidOffset) {
        this.page = page;
        this.payload = payload;
        this.payloadLength = payloadLength;
        this.layout = layout;
        this.type = type;
        this.timestampNanos = timestampNanos;
        this.cpu = cpu;
        this.pidOffset = pidOffset;
    }

    private long read(Slot slot) {
        return layout == null ? 0 : layout.read(page, payload, slot);
    }

    @Override
    public KvmEventType type() {
        return type;
    }

    @Override
    public long timestampNanos() {
        return timestampNanos;
    }

    @Override
    public int cpu() {
        return cpu;
    }

    @Override
    public int pid() {
        return pidOffset < 0 ? 0 : page.getInt(payload + pidOffset);
    }

    @Override
    public CharSequence task() {
        return "";
    }

    @Override
    public int vcpu() {
        return layout == null ? -1 : layout.vcpu(page, payload);
    }

    @Override
    public KvmIsa isa() {
        return layout == null ? KvmIsa.UNKNOWN : layout.isa(page, payload);
    }

    @Override
    public long exitCode() {
        return read(Slot.EXIT_CODE);
    }

    @Override
    public long info1() {
        return read(Slot.INFO1);
    }

    @Override
    public long info2() {
        return read(Slot.INFO2);
    }

    @Override
    public long requests() {
        return read(Slot.REQUESTS);
    }

    @Override
    public boolean isImmediateExit() {
        return read(Slot.IMMEDIATE_EXIT) != 0;
    }

    @Override
    public int intrInfo() {
        return (int) read(Slot.INTR_INFO);
    }

    @Override
    public int errorCode() {
        return (int) read(Slot.ERROR_CODE);
    }

    @Override
    public long guestRip() {
        return read(Slot.GUEST_RIP);
    }

    @Override
    public boolean isWrite() {
        return read(Slot.WRITE) != 0;
    }

    @Override
    public int port() {
        return (int) read(Slot.PORT);
    }

    @Override
    public int size() {
        return (int) read(Slot.SIZE);
    }

    @Override
    public int count() {
        return (int) read(Slot.COUNT);
    }

    @Override
    public int mmioType() {
        return (int) read(Slot.MMIO_TYPE);
    }

    @Override
    public long gpa() {
        return read(Slot.GPA);
    }

    @Override
    public int msrIndex() {
        return (int) read(Slot.MSR_INDEX);
    }

    @Override
    public boolean isMsrException() {
        return read(Slot.MSR_EXCEPTION) != 0;
    }

    @Override
    public int crNumber() {
        return (int) read(Slot.CR);
    }

    @Override
    public long value() {
        return read(Slot.VALUE);
    }

    @Override
    public int userspaceExitReason() {
        return (int) read(Slot.USERSPACE_REASON);
    }

    @Override
    public int errno() {
        return (int) read(Slot.ERRNO);
    }

    /**
     * The {@code __data_loc char[] msg}: a 32-bit {@code length << 16 | offset} into the payload;
     * the text stops at its NUL. A location outside the record reads as empty.
     */
    @Override
    public CharSequence message() {
        if (layout == null || layout.offsets[Slot.MESSAGE.ordinal()] < 0) {
            message.reset(null, 0, 0);
            return message;
        }
        int location = (int) read(Slot.MESSAGE);
        int offset = location & 0xffff;
        int length = location >>> 16;
        if (offset + length > payloadLength) {
            length = 0;
        }
        int end = payload + offset;
        while (end < payload + offset + length && page.get(end) != 0) {
            end++;
        }
        message.reset(page, payload + offset, end - payload - offset);
        return message;
    }

    @Override
    public String toString() {
        return toRecord().toString();
    }

    /** A reusable ASCII {@link CharSequence} view over bytes of the page. */
    static final class AsciiView implements CharSequence {
        private ByteBuffer bytes;
        private int start;
        private int length;

        void reset(ByteBuffer bytes, int start, int length) {
            this.bytes = bytes;
            this.start = start;
            this.length = length;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(int index) {
            if (index < 0 || index >= length) {
                throw new IndexOutOfBoundsException(index);
            }
            return (char) (bytes.get(start + index) & 0xff);
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            return toString().substring(from, to);
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                text.append(charAt(i));
            }
            return text.toString();
        }
    }
}
