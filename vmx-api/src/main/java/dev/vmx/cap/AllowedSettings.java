package dev.vmx.cap;

/**
 * The allowed settings of one control field as reported by a capability MSR: a bit set in
 * {@code allowed0} must be 1; a bit clear in {@code allowed1} must be 0.
 *
 * @param field the control field
 * @param source the MSR the settings were read from
 * @param allowed0 bits that must be 1 (the "allowed 0-settings" word: 0 there means 0 is allowed)
 * @param allowed1 bits that may be 1
 */
public record AllowedSettings(ControlField field, VmxMsr source, long allowed0, long allowed1) {
    /**
     * Decodes a 32-bit control capability MSR: allowed-0 settings in bits 31:0, allowed-1 in 63:32.
     *
     * @param field the field
     * @param source the MSR read
     * @param msrValue its value
     * @return the settings
     */
    public static AllowedSettings ofPair(ControlField field, VmxMsr source, long msrValue) {
        return new AllowedSettings(field, source, msrValue & 0xffff_ffffL, msrValue >>> 32);
    }

    /**
     * Decodes a 64-bit allowed-1-only capability MSR (PROCBASED_CTLS3, EXIT_CTLS2): every bit may be 0.
     *
     * @param field the field
     * @param source the MSR read
     * @param msrValue its value
     * @return the settings
     */
    public static AllowedSettings ofAllowed1(ControlField field, VmxMsr source, long msrValue) {
        return new AllowedSettings(field, source, 0, msrValue);
    }

    /**
     * Whether a control may be set to 1.
     *
     * @param bit the control
     * @return true if allowed-1
     */
    public boolean canBeOne(ControlBit bit) {
        return (allowed1 & bit.mask()) != 0;
    }

    /**
     * Whether a control may be set to 0.
     *
     * @param bit the control
     * @return true if allowed-0
     */
    public boolean canBeZero(ControlBit bit) {
        return (allowed0 & bit.mask()) == 0;
    }

    /**
     * Adjusts a proposed value the way hypervisors do: {@code (proposed | allowed0) & allowed1}.
     *
     * @param proposed the proposed control value
     * @return the nearest value the processor accepts
     */
    public long adjust(long proposed) {
        return (proposed | allowed0) & allowed1;
    }

    /**
     * Bits that are 0 in a proposed value but must be 1.
     *
     * @param proposed the proposed value
     * @return the missing must-be-one bits
     */
    public long missingOnes(long proposed) {
        return allowed0 & ~proposed;
    }

    /**
     * Bits that are 1 in a proposed value but must be 0.
     *
     * @param proposed the proposed value
     * @return the forbidden bits set
     */
    public long forbiddenOnes(long proposed) {
        return proposed & ~allowed1;
    }
}
