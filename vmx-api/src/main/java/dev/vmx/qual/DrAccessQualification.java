package dev.vmx.qual;

import dev.vmx.event.GeneralRegister;

/**
 * Exit qualification for MOV DR (SDM Vol. 3C Table "Exit Qualification for MOV DR"; Linux
 * {@code DEBUG_REG_ACCESS_*}): bits 2:0 debug register, bit 4 direction (0 MOV to DR, 1 MOV from
 * DR), bits 11:8 general-purpose register; bits 3, 7:5 and 63:12 reserved.
 */
public final class DrAccessQualification implements ExitQualification {
    /** Bits 2:0. */ public static final long DR_NUMBER_MASK = 7L;
    /** Bit 4. */ public static final long MOV_FROM_DR = 0x10L;
    /** Bits 11:8. */ public static final long REGISTER_MASK = 0xf00L;
    /** Everything else. */ public static final long RESERVED_MASK = ~(DR_NUMBER_MASK | MOV_FROM_DR | REGISTER_MASK);

    private final long raw;

    DrAccessQualification(long raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw qualification; every value is accepted.
     *
     * @param raw the exit qualification
     * @return the decoded view
     */
    public static DrAccessQualification of(long raw) {
        return new DrAccessQualification(raw);
    }

    @Override
    public long raw() {
        return raw;
    }

    /**
     * The debug register.
     *
     * @return bits 2:0
     */
    public int drNumber() {
        return (int) (raw & DR_NUMBER_MASK);
    }

    /**
     * The direction.
     *
     * @return bit 4: true for MOV from DR, false for MOV to DR
     */
    public boolean isMovFromDr() {
        return (raw & MOV_FROM_DR) != 0;
    }

    /**
     * The general-purpose register.
     *
     * @return bits 11:8
     */
    public GeneralRegister register() {
        return GeneralRegister.fromNumber((int) (raw >>> 8));
    }

    /**
     * Reserved bits in place.
     *
     * @return bits 3, 7:5 and 63:12
     */
    public long reservedBits() {
        return raw & RESERVED_MASK;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DrAccessQualification && ((DrAccessQualification) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /** Reads like {@code MOV to DR7 from rax}. */
    @Override
    public String toString() {
        return (isMovFromDr() ? "MOV from DR" + drNumber() + " to " : "MOV to DR" + drNumber() + " from ")
                + register().name(64)
                + (reservedBits() != 0 ? String.format(", reserved bits 0x%x", reservedBits()) : "")
                + String.format(" (0x%x)", raw);
    }
}
