package dev.vmx.cap;

import java.util.List;
import java.util.StringJoiner;

/**
 * A decoded control value: the defined bits that are set, and the set bits no source defines.
 *
 * @param field the control field
 * @param value the raw value
 * @param bits the defined bits that are set, in bit order
 * @param undefinedBits set bits that neither the SDM (ia32-doc) nor Linux names
 */
public record ControlSet(ControlField field, long value, List<ControlBit> bits, long undefinedBits) {
    /**
     * Canonical constructor; copies the bit list.
     *
     * @param field the control field
     * @param value the raw value
     * @param bits the defined bits that are set
     * @param undefinedBits set bits nobody names
     */
    public ControlSet {
        bits = List.copyOf(bits);
    }

    /**
     * Whether a bit is set in the value.
     *
     * @param bit the bit
     * @return true if set
     */
    public boolean contains(ControlBit bit) {
        return (value & bit.mask()) != 0;
    }

    @Override
    public String toString() {
        StringJoiner joiner = new StringJoiner(", ", field.name() + "{", "}");
        for (ControlBit bit : bits) {
            joiner.add(bit instanceof Enum<?> e ? e.name() : String.valueOf(bit.bit()));
        }
        if (undefinedBits != 0) {
            joiner.add("undefined=0x" + Long.toHexString(undefinedBits));
        }
        return joiner.toString();
    }
}
