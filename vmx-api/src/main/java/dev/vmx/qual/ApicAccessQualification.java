package dev.vmx.qual;

import java.util.Optional;

/**
 * Exit qualification for APIC-access VM exits (SDM Vol. 3C Table "Exit Qualification for
 * APIC-Access VM Exits from Linear Accesses and Guest-Physical Accesses"; Linux
 * {@code APIC_ACCESS_OFFSET}, {@code APIC_ACCESS_TYPE}):
 *
 * <pre>
 * 11:0   offset within the APIC page (linear accesses; undefined for guest-physical ones)
 * 15:12  access type: 0 linear read, 1 linear write, 2 linear instruction fetch,
 *        3 linear access during event delivery, 10 guest-physical access during event delivery,
 *        15 guest-physical access for an instruction fetch or during instruction execution
 * 16     asynchronous to instruction execution
 * 63:17  reserved
 * </pre>
 */
public final class ApicAccessQualification implements ExitQualification {
    /** Bits 11:0. */ public static final long OFFSET_MASK = 0xfffL;
    /** Bits 15:12. */ public static final long TYPE_MASK = 0xf000L;
    /** Bit 16. */ public static final long ASYNCHRONOUS = 1L << 16;
    /** Bits 63:17. */ public static final long RESERVED_MASK = -1L << 17;

    /** The access types the SDM defines. */
    public enum AccessType {
        /** 0. */ LINEAR_READ(0, "linear read"),
        /** 1. */ LINEAR_WRITE(1, "linear write"),
        /** 2. */ LINEAR_INSTRUCTION_FETCH(2, "linear instruction fetch"),
        /** 3. */ LINEAR_EVENT_DELIVERY(3, "linear access during event delivery"),
        /** 10. */ PHYSICAL_EVENT_DELIVERY(10, "guest-physical access during event delivery"),
        /** 15. */ PHYSICAL_INSTRUCTION(15, "guest-physical access for an instruction fetch or during instruction execution");

        private final int number;
        private final String description;

        AccessType(int number, String description) {
            this.number = number;
            this.description = description;
        }

        /**
         * The number in bits 15:12.
         *
         * @return the number
         */
        public int number() {
            return number;
        }

        /**
         * The type in words.
         *
         * @return for example {@code "linear write"}
         */
        public String description() {
            return description;
        }

        /**
         * The type with this number.
         *
         * @param number bits 15:12 shifted down
         * @return the type; empty for numbers the SDM does not define
         */
        public static Optional<AccessType> fromNumber(int number) {
            for (AccessType type : values()) {
                if (type.number == number) {
                    return Optional.of(type);
                }
            }
            return Optional.empty();
        }
    }

    private final long raw;

    ApicAccessQualification(long raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw qualification; every value is accepted.
     *
     * @param raw the exit qualification
     * @return the decoded view
     */
    public static ApicAccessQualification of(long raw) {
        return new ApicAccessQualification(raw);
    }

    @Override
    public long raw() {
        return raw;
    }

    /**
     * The offset within the APIC page.
     *
     * @return bits 11:0
     */
    public int offset() {
        return (int) (raw & OFFSET_MASK);
    }

    /**
     * The access-type number.
     *
     * @return bits 15:12
     */
    public int accessTypeNumber() {
        return (int) (raw >>> 12) & 15;
    }

    /**
     * The access type.
     *
     * @return the type; empty for undefined numbers (kept in {@link #accessTypeNumber()})
     */
    public Optional<AccessType> accessType() {
        return AccessType.fromNumber(accessTypeNumber());
    }

    /**
     * Whether the access was linear (types 0..3), so that {@link #offset()} is defined.
     *
     * @return true for linear accesses
     */
    public boolean isLinear() {
        return accessTypeNumber() <= 3;
    }

    /**
     * Bit 16.
     *
     * @return whether the access was asynchronous to instruction execution
     */
    public boolean isAsynchronous() {
        return (raw & ASYNCHRONOUS) != 0;
    }

    /**
     * Reserved bits in place.
     *
     * @return bits 63:17
     */
    public long reservedBits() {
        return raw & RESERVED_MASK;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ApicAccessQualification && ((ApicAccessQualification) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /** Reads like {@code APIC access: linear write at offset 0x0b0}. */
    @Override
    public String toString() {
        Optional<AccessType> type = accessType();
        String text = "APIC access: " + (type.isPresent() ? type.get().description() : "undefined access type " + accessTypeNumber());
        if (isLinear()) {
            text += String.format(" at offset 0x%03x", offset());
        }
        if (isAsynchronous()) {
            text += ", asynchronous";
        }
        if (reservedBits() != 0) {
            text += String.format(", reserved bits 0x%x", reservedBits());
        }
        return text + String.format(" (0x%x)", raw);
    }
}
