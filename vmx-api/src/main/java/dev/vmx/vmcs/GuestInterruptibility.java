package dev.vmx.vmcs;

import java.util.ArrayList;
import java.util.List;

/**
 * The guest interruptibility state ({@link VmcsField#GUEST_INTERRUPTIBILITY_INFO}; SDM Vol. 3C
 * Table "Format of Interruptibility State", §24.4.2 of the September 2016 edition,
 * §25.4.2 in the editions that renumbered the chapters one higher (search by the table title); Linux {@code GUEST_INTR_STATE_*}): bit 0 blocking by STI,
 * bit 1 blocking by MOV SS, bit 2 blocking by SMI, bit 3 blocking by NMI, bit 4 enclave
 * interruption; bits 31:5 reserved (kept and reported, never dropped).
 */
public final class GuestInterruptibility {
    /** Bit 0. */ public static final int BLOCKING_BY_STI = 1;
    /** Bit 1. */ public static final int BLOCKING_BY_MOV_SS = 1 << 1;
    /** Bit 2. */ public static final int BLOCKING_BY_SMI = 1 << 2;
    /** Bit 3. */ public static final int BLOCKING_BY_NMI = 1 << 3;
    /** Bit 4. */ public static final int ENCLAVE_INTERRUPTION = 1 << 4;
    /** Bits 31:5. */ public static final int RESERVED_MASK = ~0x1f;

    private final int raw;

    private GuestInterruptibility(int raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw value; every value is accepted.
     *
     * @param raw the 32-bit field
     * @return the decoded view
     */
    public static GuestInterruptibility of(int raw) {
        return new GuestInterruptibility(raw);
    }

    /**
     * Wraps the field as {@link Vmcs#read(VmcsField)} returns it.
     *
     * @param field the value, at most 32 bits
     * @return the decoded view
     * @throws IllegalArgumentException if bits 63:32 are set (names the value)
     */
    public static GuestInterruptibility from(long field) {
        if ((field >>> 32) != 0) {
            throw new IllegalArgumentException(String.format("interruptibility state 0x%x is wider than 32 bits", field));
        }
        return new GuestInterruptibility((int) field);
    }

    /** @return the raw 32-bit value */
    public int raw() {
        return raw;
    }

    /** @return bit 0 */
    public boolean isBlockingBySti() {
        return (raw & BLOCKING_BY_STI) != 0;
    }

    /** @return bit 1 */
    public boolean isBlockingByMovSs() {
        return (raw & BLOCKING_BY_MOV_SS) != 0;
    }

    /** @return bit 2 */
    public boolean isBlockingBySmi() {
        return (raw & BLOCKING_BY_SMI) != 0;
    }

    /** @return bit 3 */
    public boolean isBlockingByNmi() {
        return (raw & BLOCKING_BY_NMI) != 0;
    }

    /** @return bit 4: the last VM exit interrupted an enclave */
    public boolean isEnclaveInterruption() {
        return (raw & ENCLAVE_INTERRUPTION) != 0;
    }

    /** @return bits 31:5 in place */
    public int reservedBits() {
        return raw & RESERVED_MASK;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GuestInterruptibility && ((GuestInterruptibility) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return raw;
    }

    /** {@return e.g. {@code 0x9: blocking by STI, blocking by NMI} or {@code 0x0: no blocking}} */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (isBlockingBySti()) {
            parts.add("blocking by STI");
        }
        if (isBlockingByMovSs()) {
            parts.add("blocking by MOV SS");
        }
        if (isBlockingBySmi()) {
            parts.add("blocking by SMI");
        }
        if (isBlockingByNmi()) {
            parts.add("blocking by NMI");
        }
        if (isEnclaveInterruption()) {
            parts.add("enclave interruption");
        }
        if (reservedBits() != 0) {
            parts.add(String.format("reserved bits 0x%x", reservedBits()));
        }
        return String.format("0x%x: %s", raw, parts.isEmpty() ? "no blocking" : String.join(", ", parts));
    }
}
