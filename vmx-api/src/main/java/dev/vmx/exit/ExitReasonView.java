package dev.vmx.exit;

/**
 * A reusable, mutable view of one raw exit-reason value, for loops that dispatch millions of exits
 * (trace replay, statistics, emulators): the flyweight of {@link ExitReason}, in the style of
 * SBE/Agrona decoders. {@link #wrap(int)} points it at a value; the accessors read that value
 * with masks, so the JIT keeps it in a register: no allocation and no table or field load
 * between the input and a {@code switch (view.basicNumber())}.
 *
 * <p>It offers the same type-safe questions as {@link ExitReason} ({@link #is(BasicExitReason)}
 * compares the basic reason only, {@link #basicNumber()} and {@link #raw()} name which number they
 * return) but is not a value: keep {@link #toExitReason()} when the reason must outlive the next
 * {@code wrap}. Not thread-safe; one view per thread.
 *
 * <pre>{@code
 * ExitReasonView view = new ExitReasonView();
 * for (int raw : raws) {
 *     view.wrap(raw);
 *     if (view.isVmEntryFailure()) { ... }
 *     switch (view.basicNumber()) {
 *         case BasicExitReason.Numbers.EPT_VIOLATION: ...
 *     }
 * }
 * }</pre>
 */
public final class ExitReasonView {
    private int raw;

    /** A view of raw value 0 (EXCEPTION_NMI). */
    public ExitReasonView() {
    }

    /**
     * Points the view at a raw exit-reason value; never throws.
     *
     * @param raw the 32-bit exit-reason field
     * @return this view
     */
    public ExitReasonView wrap(int raw) {
        this.raw = raw;
        return this;
    }

    /**
     * The full 32-bit value.
     *
     * @return the raw value
     */
    public int raw() {
        return raw;
    }

    /**
     * Bits 15:0.
     *
     * @return the basic exit-reason number
     */
    public int basicNumber() {
        return raw & 0xFFFF;
    }

    /**
     * The basic exit reason (a table lookup; prefer {@link #basicNumber()} in a {@code switch}).
     *
     * @return the basic reason, {@link BasicExitReason#UNRECOGNIZED} for undefined numbers
     */
    public BasicExitReason basic() {
        return BasicExitReason.fromNumber(raw & 0xFFFF);
    }

    /**
     * Whether the basic reason is {@code reason}, whatever the flags.
     *
     * @param reason a basic reason
     * @return true if bits 15:0 are its number
     */
    public boolean is(BasicExitReason reason) {
        return reason != BasicExitReason.UNRECOGNIZED && (raw & 0xFFFF) == reason.number();
    }

    /**
     * Whether a flag bit is set.
     *
     * @param flag the flag
     * @return true if set
     */
    public boolean has(ExitReasonFlag flag) {
        return (raw & flag.mask()) != 0;
    }

    /**
     * Bit 26: a bus lock was detected.
     *
     * @return true if set
     */
    public boolean isBusLockDetected() {
        return (raw & (1 << 26)) != 0;
    }

    /**
     * Bit 27: the VM exit was incident to enclave mode.
     *
     * @return true if set
     */
    public boolean isEnclaveMode() {
        return (raw & (1 << 27)) != 0;
    }

    /**
     * Bit 31: VM-entry failure.
     *
     * @return true if set
     */
    public boolean isVmEntryFailure() {
        return raw < 0;
    }

    /**
     * The immutable value, to keep (does not allocate for cached values, see {@link ExitReason#of(int)}).
     *
     * @return the exit reason
     */
    public ExitReason toExitReason() {
        return ExitReason.of(raw);
    }

    /** Like {@link ExitReason#toString()}. */
    @Override
    public String toString() {
        return toExitReason().toString();
    }
}
