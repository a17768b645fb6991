package dev.vmx.cap;

import java.util.ArrayList;
import java.util.List;

/** The VMX control fields, each with its capability MSRs and the enum of its bits. */
public enum ControlField {
    /** Pin-based VM-execution controls. */
    PIN_BASED(PinBasedControl.class, VmxMsr.IA32_VMX_PINBASED_CTLS, VmxMsr.IA32_VMX_TRUE_PINBASED_CTLS, 32),
    /** Primary processor-based VM-execution controls. */
    PRIMARY_PROCESSOR_BASED(PrimaryProcessorBasedControl.class, VmxMsr.IA32_VMX_PROCBASED_CTLS,
            VmxMsr.IA32_VMX_TRUE_PROCBASED_CTLS, 32),
    /** Secondary processor-based VM-execution controls (no TRUE variant). */
    SECONDARY_PROCESSOR_BASED(SecondaryProcessorBasedControl.class, VmxMsr.IA32_VMX_PROCBASED_CTLS2, null, 32),
    /** Tertiary processor-based VM-execution controls: 64 bits, allowed-1 settings only. */
    TERTIARY_PROCESSOR_BASED(TertiaryProcessorBasedControl.class, VmxMsr.IA32_VMX_PROCBASED_CTLS3, null, 64),
    /** Primary VM-exit controls. */
    PRIMARY_EXIT(PrimaryExitControl.class, VmxMsr.IA32_VMX_EXIT_CTLS, VmxMsr.IA32_VMX_TRUE_EXIT_CTLS, 32),
    /** Secondary VM-exit controls: 64 bits, allowed-1 settings only. */
    SECONDARY_EXIT(SecondaryExitControl.class, VmxMsr.IA32_VMX_EXIT_CTLS2, null, 64),
    /** VM-entry controls. */
    ENTRY(EntryControl.class, VmxMsr.IA32_VMX_ENTRY_CTLS, VmxMsr.IA32_VMX_TRUE_ENTRY_CTLS, 32);

    private final List<ControlBit> bits;
    private final ControlBit[] byBit = new ControlBit[64];
    private final VmxMsr capabilityMsr;
    private final VmxMsr trueMsr;
    private final int width;

    ControlField(Class<? extends Enum<? extends ControlBit>> type, VmxMsr capabilityMsr, VmxMsr trueMsr, int width) {
        List<ControlBit> list = new ArrayList<>();
        for (Enum<? extends ControlBit> constant : type.getEnumConstants()) {
            list.add((ControlBit) constant);
        }
        this.bits = List.copyOf(list);
        for (ControlBit bit : list) {
            byBit[bit.bit()] = bit;
        }
        this.capabilityMsr = capabilityMsr;
        this.trueMsr = trueMsr;
        this.width = width;
    }

    /**
     * Every bit the SDM or Linux defines for this field.
     *
     * @return the bits, in bit order
     */
    public List<ControlBit> bits() {
        return bits;
    }

    /**
     * Width of the field in bits: 32, or 64 for the tertiary and secondary VM-exit controls.
     *
     * @return 32 or 64
     */
    public int width() {
        return width;
    }

    /**
     * The capability MSR reporting this field's allowed settings.
     *
     * @return the MSR
     */
    public VmxMsr capabilityMsr() {
        return capabilityMsr;
    }

    /**
     * The TRUE capability MSR, used when IA32_VMX_BASIC bit 55 is set.
     *
     * @return the TRUE MSR, if this field has one
     */
    public java.util.Optional<VmxMsr> trueMsr() {
        return java.util.Optional.ofNullable(trueMsr);
    }

    /**
     * The control that makes this field exist: "activate secondary controls" (primary bit 31) for the
     * secondary processor-based controls, "activate tertiary controls" (primary bit 17) for the
     * tertiary ones, "activate secondary controls" (primary VM-exit bit 31) for the secondary VM-exit
     * controls. The SDM (Vol. 3D, Appendix A) says the field's capability MSR exists only when that
     * control may be 1, and the processor ignores the field while that control is 0.
     *
     * @return the activating control; empty for the fields that always exist
     */
    public java.util.Optional<ControlBit> activatedBy() {
        switch (this) {
            case SECONDARY_PROCESSOR_BASED:
                return java.util.Optional.of(PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS);
            case TERTIARY_PROCESSOR_BASED:
                return java.util.Optional.of(PrimaryProcessorBasedControl.ACTIVATE_TERTIARY_CONTROLS);
            case SECONDARY_EXIT:
                return java.util.Optional.of(PrimaryExitControl.ACTIVATE_SECONDARY_CONTROLS);
            default:
                return java.util.Optional.empty();
        }
    }

    /**
     * The defined bit at a position.
     *
     * @param bit 0..63
     * @return the bit, empty if the position is undefined or out of range
     */
    public java.util.Optional<ControlBit> bitAt(int bit) {
        if (bit < 0 || bit > 63) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.ofNullable(byBit[bit]);
    }

    /**
     * Mask of every defined bit.
     *
     * @return the OR of all bit masks
     */
    public long definedMask() {
        long mask = 0;
        for (ControlBit bit : bits) {
            mask |= bit.mask();
        }
        return mask;
    }

    /**
     * Decodes a control value into its defined bits plus the undefined bits that were set (kept, not dropped).
     * Total: never throws.
     *
     * @param value the control value (upper 32 bits are undefined for 32-bit fields)
     * @return the decoded set
     */
    public ControlSet decode(long value) {
        List<ControlBit> set = new ArrayList<>();
        for (ControlBit bit : bits) {
            if ((value & bit.mask()) != 0) {
                set.add(bit);
            }
        }
        return new ControlSet(this, value, set, value & ~definedMask());
    }

}
