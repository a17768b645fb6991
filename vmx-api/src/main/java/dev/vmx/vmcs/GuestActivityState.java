package dev.vmx.vmcs;

/**
 * The guest activity state ({@link VmcsField#GUEST_ACTIVITY_STATE}; SDM Vol. 3C §24.4.2 of the
 * September 2016 edition, §25.4.2 in the editions that renumbered the chapters one higher (search by the table title); Linux
 * {@code GUEST_ACTIVITY_*}): 0 active, 1 HLT, 2 shutdown, 3 wait-for-SIPI. Other values are kept
 * with their number ({@link #isKnown()} false); a VM entry with one fails.
 */
public final class GuestActivityState {
    /** 0: the logical processor executes instructions normally. */
    public static final GuestActivityState ACTIVE = new GuestActivityState(0);
    /** 1: halted after HLT. */
    public static final GuestActivityState HLT = new GuestActivityState(1);
    /** 2: shut down after a triple fault. */
    public static final GuestActivityState SHUTDOWN = new GuestActivityState(2);
    /** 3: waiting for a startup IPI. */
    public static final GuestActivityState WAIT_FOR_SIPI = new GuestActivityState(3);

    private static final String[] NAMES = {"active", "HLT", "shutdown", "wait-for-SIPI"};
    private static final GuestActivityState[] KNOWN = {ACTIVE, HLT, SHUTDOWN, WAIT_FOR_SIPI};

    private final long raw;

    private GuestActivityState(long raw) {
        this.raw = raw;
    }

    /**
     * The state for a raw value; the four defined states are shared instances.
     *
     * @param raw the field (32 bits; any value is kept)
     * @return the state
     */
    public static GuestActivityState of(long raw) {
        return raw >= 0 && raw < KNOWN.length ? KNOWN[(int) raw] : new GuestActivityState(raw);
    }

    /** @return the raw value */
    public long raw() {
        return raw;
    }

    /** @return whether the SDM defines the value (0 to 3) */
    public boolean isKnown() {
        return raw >= 0 && raw < KNOWN.length;
    }

    /** @return {@code active}, {@code HLT}, {@code shutdown}, {@code wait-for-SIPI} or {@code unknown} */
    public String name() {
        return isKnown() ? NAMES[(int) raw] : "unknown";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GuestActivityState && ((GuestActivityState) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /** {@return e.g. {@code 1 (HLT)} or {@code 7 (unknown)}} */
    @Override
    public String toString() {
        return raw + " (" + name() + ")";
    }
}
