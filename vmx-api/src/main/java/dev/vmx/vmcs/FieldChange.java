package dev.vmx.vmcs;

import java.util.OptionalLong;

/**
 * One difference between two VMCS snapshots: a field whose value changed, appeared or disappeared.
 *
 * @param field the field
 * @param before the value in the first snapshot, empty if absent there
 * @param after the value in the second snapshot, empty if absent there
 */
public record FieldChange(VmcsField field, OptionalLong before, OptionalLong after) {
    /** E.g. {@code GUEST_RIP: 0xfff0 -> 0xfff2}, {@code EXIT_QUALIFICATION: (absent) -> 0x181}. */
    @Override
    public String toString() {
        return field + ": " + text(before) + " -> " + text(after);
    }

    private static String text(OptionalLong value) {
        return value.isPresent() ? "0x" + Long.toHexString(value.getAsLong()) : "(absent)";
    }
}
