package dev.vmx.qual;

import dev.vmx.exit.BasicExitReason;

/**
 * The explicit "none": the exit reason defines no exit qualification (the SDM clears it or leaves
 * it undefined). The raw value is kept all the same, since nothing read is dropped.
 */
public final class NoQualification implements ExitQualification {
    private final BasicExitReason reason;
    private final long raw;

    NoQualification(BasicExitReason reason, long raw) {
        this.reason = reason;
        this.raw = raw;
    }

    /**
     * The "none" value for a reason.
     *
     * @param reason the basic exit reason
     * @param raw the qualification as read
     * @return the value
     */
    public static NoQualification of(BasicExitReason reason, long raw) {
        return new NoQualification(reason, raw);
    }

    /**
     * The exit reason that has no qualification.
     *
     * @return the basic reason
     */
    public BasicExitReason reason() {
        return reason;
    }

    @Override
    public long raw() {
        return raw;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NoQualification && ((NoQualification) other).raw == raw
                && ((NoQualification) other).reason == reason;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw) * 31 + reason.hashCode();
    }

    /** Reads like {@code no qualification for HLT} (with the raw value when it is not 0). */
    @Override
    public String toString() {
        return "no qualification for " + reason + (raw == 0 ? "" : String.format(" (raw 0x%x)", raw));
    }
}
