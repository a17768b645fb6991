package dev.vmx.qual;

/**
 * Exit qualification for debug exceptions (SDM Vol. 3C Table "Exit Qualification for Debug
 * Exceptions"; the bits mirror DR6, see Linux uapi {@code asm/debugreg.h}): bits 3:0 B0-B3
 * (breakpoint conditions met), bit 11 BLD (bus-lock detected), bit 13 BD (debug-register access
 * detected), bit 14 BS (single step), bit 16 RTM (inside an RTM region); all other bits reserved.
 * Unlike DR6, every bit is active high.
 */
public final class DebugExceptionQualification implements ExitQualification {
    /** Bits 3:0, B0-B3. */ public static final long BREAKPOINTS_MASK = 0xfL;
    /** Bit 11, BLD. */ public static final long BUS_LOCK = 1L << 11;
    /** Bit 13, BD. */ public static final long BD = 1L << 13;
    /** Bit 14, BS. */ public static final long BS = 1L << 14;
    /** Bit 16, RTM. */ public static final long RTM = 1L << 16;
    /** Everything else. */ public static final long RESERVED_MASK = ~(BREAKPOINTS_MASK | BUS_LOCK | BD | BS | RTM);

    private final long raw;

    DebugExceptionQualification(long raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw qualification; every value is accepted.
     *
     * @param raw the exit qualification
     * @return the decoded view
     */
    public static DebugExceptionQualification of(long raw) {
        return new DebugExceptionQualification(raw);
    }

    @Override
    public long raw() {
        return raw;
    }

    /**
     * Whether breakpoint condition {@code n} was met (B0..B3).
     *
     * @param n 0..3 (other values give false)
     * @return bit n
     */
    public boolean isBreakpointHit(int n) {
        return n >= 0 && n < 4 && (raw & (1L << n)) != 0;
    }

    /**
     * B0-B3 as a 4-bit set.
     *
     * @return bits 3:0
     */
    public int breakpoints() {
        return (int) (raw & BREAKPOINTS_MASK);
    }

    /**
     * BLD.
     *
     * @return bit 11: a bus lock was detected
     */
    public boolean isBusLockDetected() {
        return (raw & BUS_LOCK) != 0;
    }

    /**
     * BD.
     *
     * @return bit 13: a debug-register access was detected
     */
    public boolean isDebugRegisterAccess() {
        return (raw & BD) != 0;
    }

    /**
     * BS.
     *
     * @return bit 14: single step
     */
    public boolean isSingleStep() {
        return (raw & BS) != 0;
    }

    /**
     * RTM.
     *
     * @return bit 16: the #DB or #BP happened inside an RTM region
     */
    public boolean isRtm() {
        return (raw & RTM) != 0;
    }

    /**
     * Reserved bits in place.
     *
     * @return bits 10:4, 12, 15, 63:17
     */
    public long reservedBits() {
        return raw & RESERVED_MASK;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DebugExceptionQualification && ((DebugExceptionQualification) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /** Reads like {@code debug exception: B0 B2 BS}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("debug exception:");
        for (int n = 0; n < 4; n++) {
            if (isBreakpointHit(n)) {
                text.append(" B").append(n);
            }
        }
        if (isBusLockDetected()) {
            text.append(" BLD");
        }
        if (isDebugRegisterAccess()) {
            text.append(" BD");
        }
        if (isSingleStep()) {
            text.append(" BS");
        }
        if (isRtm()) {
            text.append(" RTM");
        }
        if (reservedBits() != 0) {
            text.append(String.format(" reserved bits 0x%x", reservedBits()));
        }
        return text.append(String.format(" (0x%x)", raw)).toString();
    }
}
