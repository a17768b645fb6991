package dev.vmx.hw.tracedat;

import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmIsa;

/**
 * A cursor's event as the file gives it: the file's clock correction applied to its timestamp
 * (trace-input.c {@code timestamp_calc}: the TSC2NSEC multiplier and shift, then the DATE/OFFSET
 * offsets) and its task named from the file's saved cmdlines. One per CPU stream, never one per
 * event.
 */
final class TraceDatEvent implements KvmEvent {
    private final KvmEvent raw;
    private final long mult;
    private final int shift;
    private final long offset;
    private final SavedCmdlines cmdlines;

    TraceDatEvent(KvmEvent raw, long mult, int shift, long offset, SavedCmdlines cmdlines) {
        this.raw = raw;
        this.mult = mult;
        this.shift = shift;
        this.offset = offset;
        this.cmdlines = cmdlines;
    }

    /** mul_u64_u32_shr: (ts * mult) >> shift with a 96-bit product. */
    static long scale(long ts, long mult, int shift) {
        long low = (ts & 0xffff_ffffL) * mult;
        long high = (ts >>> 32) * mult;
        if (shift == 0) {
            return low + (high << 32);
        }
        return (low >>> shift) + (shift >= 32 ? high >>> (shift - 32) : (high << (32 - shift)));
    }

    @Override
    public long timestampNanos() {
        return shifted(raw.timestampNanos(), mult, shift, offset);
    }

    /** A ring-buffer timestamp with the file's correction: scaled when {@code mult} is not 0, then offset. */
    static long shifted(long ts, long mult, int shift, long offset) {
        return (mult != 0 ? scale(ts, mult, shift) : ts) + offset;
    }

    @Override
    public KvmEventType type() {
        return raw.type();
    }

    @Override
    public int cpu() {
        return raw.cpu();
    }

    @Override
    public int pid() {
        return raw.pid();
    }

    @Override
    public CharSequence task() {
        return cmdlines.taskOf(raw.pid());
    }

    @Override
    public int vcpu() {
        return raw.vcpu();
    }

    @Override
    public KvmIsa isa() {
        return raw.isa();
    }

    @Override
    public long exitCode() {
        return raw.exitCode();
    }

    @Override
    public long info1() {
        return raw.info1();
    }

    @Override
    public long info2() {
        return raw.info2();
    }

    @Override
    public long requests() {
        return raw.requests();
    }

    @Override
    public boolean isImmediateExit() {
        return raw.isImmediateExit();
    }

    @Override
    public int intrInfo() {
        return raw.intrInfo();
    }

    @Override
    public int errorCode() {
        return raw.errorCode();
    }

    @Override
    public long guestRip() {
        return raw.guestRip();
    }

    @Override
    public boolean isWrite() {
        return raw.isWrite();
    }

    @Override
    public int port() {
        return raw.port();
    }

    @Override
    public int size() {
        return raw.size();
    }

    @Override
    public int count() {
        return raw.count();
    }

    @Override
    public int mmioType() {
        return raw.mmioType();
    }

    @Override
    public long gpa() {
        return raw.gpa();
    }

    @Override
    public int msrIndex() {
        return raw.msrIndex();
    }

    @Override
    public boolean isMsrException() {
        return raw.isMsrException();
    }

    @Override
    public int crNumber() {
        return raw.crNumber();
    }

    @Override
    public long value() {
        return raw.value();
    }

    @Override
    public int userspaceExitReason() {
        return raw.userspaceExitReason();
    }

    @Override
    public int errno() {
        return raw.errno();
    }

    @Override
    public CharSequence message() {
        return raw.message();
    }

    @Override
    public String toString() {
        return toRecord().toString();
    }
}
