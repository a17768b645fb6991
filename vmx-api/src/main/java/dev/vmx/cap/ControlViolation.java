package dev.vmx.cap;

import java.util.Optional;

/**
 * One bit of a proposed control value that the processor does not allow.
 *
 * @param field the control field
 * @param bitNumber the bit position
 * @param control the named control at that position, empty if no source names it
 * @param mustBeOne true if the bit must be 1 but is 0; false if it must be 0 but is 1
 * @param source the capability MSR that says so
 */
public record ControlViolation(ControlField field, int bitNumber, Optional<ControlBit> control, boolean mustBeOne,
        VmxMsr source) {
    @Override
    public String toString() {
        String name = control.map(c -> c instanceof Enum<?> e ? e.name() : "bit " + c.bit()).orElse("undefined bit");
        return field.name() + " bit " + bitNumber + " (" + name + ") must be " + (mustBeOne ? "1" : "0")
                + " per " + source.name();
    }
}
