package dev.vmx.vmcs;

import java.util.ArrayList;
import java.util.List;

/**
 * The guest's pending debug exceptions ({@link VmcsField#GUEST_PENDING_DBG_EXCEPTIONS}; SDM Vol. 3C
 * Table "Format of Pending-Debug-Exceptions", Table 24-4 in §24.4.2 of the September 2016 edition
 *): bits 3:0 B3-B0 (a breakpoint condition met, DR6 layout), bit 12 enabled
 * breakpoint, bit 14 BS (single step), bit 16 RTM (a debug exception inside an RTM region); bits
 * 11:4, 13, 15 and 63:17 reserved.
 */
public final class PendingDebugExceptions {
    /** Bits 3:0. */ public static final long BREAKPOINTS_MASK = 0xfL;
    /** Bit 12. */ public static final long ENABLED_BREAKPOINT = 1L << 12;
    /** Bit 14. */ public static final long BS = 1L << 14;
    /** Bit 16. */ public static final long RTM = 1L << 16;
    /** Everything else. */ public static final long RESERVED_MASK = ~(BREAKPOINTS_MASK | ENABLED_BREAKPOINT | BS | RTM);

    private final long raw;

    private PendingDebugExceptions(long raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw value; every value is accepted.
     *
     * @param raw the natural-width field
     * @return the decoded view
     */
    public static PendingDebugExceptions of(long raw) {
        return new PendingDebugExceptions(raw);
    }

    /** @return the raw value */
    public long raw() {
        return raw;
    }

    /**
     * Whether breakpoint condition {@code n} was met.
     *
     * @param n 0 to 3
     * @return bit n
     * @throws IllegalArgumentException if n is not 0 to 3
     */
    public boolean breakpoint(int n) {
        if (n < 0 || n > 3) {
            throw new IllegalArgumentException("breakpoint " + n + " is not 0 to 3");
        }
        return (raw & (1L << n)) != 0;
    }

    /** @return bit 12: at least one of B3-B0 belongs to an enabled breakpoint */
    public boolean isEnabledBreakpoint() {
        return (raw & ENABLED_BREAKPOINT) != 0;
    }

    /** @return bit 14: a single-step trap is pending */
    public boolean isSingleStep() {
        return (raw & BS) != 0;
    }

    /** @return bit 16: the debug exception occurred inside an RTM region */
    public boolean isRtm() {
        return (raw & RTM) != 0;
    }

    /** @return reserved bits in place */
    public long reservedBits() {
        return raw & RESERVED_MASK;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PendingDebugExceptions && ((PendingDebugExceptions) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /** {@return e.g. {@code 0x4001: B0, BS} or {@code 0x0: none}} */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (int n = 0; n < 4; n++) {
            if (breakpoint(n)) {
                parts.add("B" + n);
            }
        }
        if (isEnabledBreakpoint()) {
            parts.add("enabled breakpoint");
        }
        if (isSingleStep()) {
            parts.add("BS");
        }
        if (isRtm()) {
            parts.add("RTM");
        }
        if (reservedBits() != 0) {
            parts.add(String.format("reserved bits 0x%x", reservedBits()));
        }
        return String.format("0x%x: %s", raw, parts.isEmpty() ? "none" : String.join(", ", parts));
    }
}
