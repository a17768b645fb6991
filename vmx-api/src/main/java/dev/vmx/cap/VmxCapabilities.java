package dev.vmx.cap;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The VMX capabilities of one processor, built from raw capability-MSR values (e.g. read through KVM or
 * {@code /dev/cpu/N/msr}).
 *
 * <p>Required MSRs: IA32_VMX_BASIC, IA32_VMX_PINBASED_CTLS, IA32_VMX_PROCBASED_CTLS, IA32_VMX_EXIT_CTLS,
 * IA32_VMX_ENTRY_CTLS, IA32_VMX_MISC, IA32_VMX_CR0_FIXED0/1, IA32_VMX_CR4_FIXED0/1, and the four
 * IA32_VMX_TRUE_*_CTLS when IA32_VMX_BASIC bit 55 is set. Optional (queried only when used): IA32_VMX_VMCS_ENUM,
 * IA32_VMX_PROCBASED_CTLS2, IA32_VMX_EPT_VPID_CAP, IA32_VMX_VMFUNC, IA32_VMX_PROCBASED_CTLS3,
 * IA32_VMX_EXIT_CTLS2; asking for a field whose MSR is absent throws {@link NoSuchElementException} naming it,
 * except for a secondary, tertiary or secondary VM-exit field the processor cannot activate, which allows nothing.
 */
public final class VmxCapabilities {
    private static final VmxMsr[] REQUIRED = {VmxMsr.IA32_VMX_BASIC, VmxMsr.IA32_VMX_PINBASED_CTLS,
        VmxMsr.IA32_VMX_PROCBASED_CTLS, VmxMsr.IA32_VMX_EXIT_CTLS, VmxMsr.IA32_VMX_ENTRY_CTLS, VmxMsr.IA32_VMX_MISC,
        VmxMsr.IA32_VMX_CR0_FIXED0, VmxMsr.IA32_VMX_CR0_FIXED1, VmxMsr.IA32_VMX_CR4_FIXED0,
        VmxMsr.IA32_VMX_CR4_FIXED1};

    private final EnumMap<VmxMsr, Long> values;
    private final VmxBasic basic;

    private VmxCapabilities(EnumMap<VmxMsr, Long> values) {
        this.values = values;
        for (VmxMsr msr : REQUIRED) {
            require(msr);
        }
        this.basic = VmxBasic.of(values.get(VmxMsr.IA32_VMX_BASIC));
        if (basic.trueControls()) {
            for (ControlField field : ControlField.values()) {
                field.trueMsr().ifPresent(this::require);
            }
        }
    }

    /**
     * Builds capabilities from a map of MSR index to value. Indexes that are not VMX capability MSRs are rejected.
     *
     * @param msrs MSR index to value
     * @return the capabilities
     * @throws IllegalArgumentException if an index is not a VMX capability MSR
     * @throws NoSuchElementException if a required MSR is missing (the message names it)
     */
    public static VmxCapabilities fromMsrs(Map<Integer, Long> msrs) {
        Builder builder = builder();
        msrs.forEach((index, value) -> builder.msr(VmxMsr.ofIndex(index).orElseThrow(() ->
                new IllegalArgumentException("MSR 0x" + Integer.toHexString(index)
                        + " is not a VMX capability MSR (0x480..0x493)")), value));
        return builder.build();
    }

    /**
     * A builder to add MSR values one by one.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects MSR values for {@link VmxCapabilities}. */
    public static final class Builder {
        private final EnumMap<VmxMsr, Long> values = new EnumMap<>(VmxMsr.class);

        private Builder() {
        }

        /**
         * Sets one MSR value.
         *
         * @param msr the MSR
         * @param value its value
         * @return this builder
         */
        public Builder msr(VmxMsr msr, long value) {
            values.put(msr, value);
            return this;
        }

        /**
         * Builds the capabilities.
         *
         * @return the capabilities
         * @throws NoSuchElementException if a required MSR is missing
         */
        public VmxCapabilities build() {
            return new VmxCapabilities(new EnumMap<>(values));
        }
    }

    /**
     * Raw value of an MSR, if supplied.
     *
     * @param msr the MSR
     * @return its value
     */
    public OptionalLong msr(VmxMsr msr) {
        Long value = values.get(msr);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /**
     * The decoded IA32_VMX_BASIC.
     *
     * @return basic VMX information
     */
    public VmxBasic basic() {
        return basic;
    }

    /**
     * The decoded IA32_VMX_MISC.
     *
     * @return miscellaneous data
     */
    public VmxMisc misc() {
        return VmxMisc.of(values.get(VmxMsr.IA32_VMX_MISC));
    }

    /**
     * Allowed settings of a control field, from the TRUE MSR when IA32_VMX_BASIC bit 55 is set.
     *
     * @param field the control field
     * @return its allowed settings
     * @throws NoSuchElementException if the reporting MSR was not supplied (for an activated field: although
     *     the activating control may be 1)
     */
    public AllowedSettings allowed(ControlField field) {
        VmxMsr msr = field.trueMsr().filter(t -> basic.trueControls()).orElse(field.capabilityMsr());
        if (!values.containsKey(msr) && field.activatedBy().isPresent()) {
            // The MSR exists only if the activating control may be 1 (SDM Vol. 3D A.3.3, A.3.4, A.4.2).
            // When the processor forbids that control, the field cannot be used: nothing may be 1.
            ControlBit gate = field.activatedBy().get();
            AllowedSettings parent = allowed(gate.field());
            if (!parent.canBeOne(gate)) {
                return new AllowedSettings(field, parent.source(), 0, 0);
            }
            throw new NoSuchElementException(msr.name() + " (MSR 0x" + Integer.toHexString(msr.index())
                    + ") was not supplied, although " + parent.source().name() + " allows " + gate + " to be 1");
        }
        long value = require(msr);
        return field.width() == 64 ? AllowedSettings.ofAllowed1(field, msr, value)
                : AllowedSettings.ofPair(field, msr, value);
    }

    /**
     * Checks a proposed control value.
     *
     * @param field the control field
     * @param proposed the proposed value
     * @return every violating bit, in bit order; empty if the processor accepts the value
     */
    public List<ControlViolation> check(ControlField field, long proposed) {
        AllowedSettings allowed = allowed(field);
        long missing = allowed.missingOnes(proposed);
        long forbidden = allowed.forbiddenOnes(proposed);
        List<ControlViolation> violations = new ArrayList<>();
        for (int bit = 0; bit < 64; bit++) {
            long mask = 1L << bit;
            if ((missing & mask) != 0 || (forbidden & mask) != 0) {
                violations.add(new ControlViolation(field, bit, field.bitAt(bit), (missing & mask) != 0,
                        allowed.source()));
            }
        }
        return violations;
    }

    /**
     * Adjusts a proposed value to what the processor accepts: {@code (proposed | allowed0) & allowed1}.
     *
     * @param field the control field
     * @param proposed the proposed value
     * @return the adjusted value
     */
    public long adjust(ControlField field, long proposed) {
        return allowed(field).adjust(proposed);
    }

    /**
     * CR0 bits that violate IA32_VMX_CR0_FIXED0/FIXED1 (must-be-1 bits clear, or must-be-0 bits set).
     *
     * @param cr0 a CR0 value
     * @return the offending bits; 0 if valid
     */
    public long cr0Violations(long cr0) {
        return fixedViolations(cr0, VmxMsr.IA32_VMX_CR0_FIXED0, VmxMsr.IA32_VMX_CR0_FIXED1);
    }

    /**
     * CR4 bits that violate IA32_VMX_CR4_FIXED0/FIXED1.
     *
     * @param cr4 a CR4 value
     * @return the offending bits; 0 if valid
     */
    public long cr4Violations(long cr4) {
        return fixedViolations(cr4, VmxMsr.IA32_VMX_CR4_FIXED0, VmxMsr.IA32_VMX_CR4_FIXED1);
    }

    private long fixedViolations(long value, VmxMsr fixed0, VmxMsr fixed1) {
        return (require(fixed0) & ~value) | (value & ~require(fixed1));
    }

    /**
     * Highest index value in VMCS field encodings, from IA32_VMX_VMCS_ENUM bits 9:1.
     *
     * @return the highest index, empty if the MSR was not supplied
     */
    public OptionalLong highestVmcsIndex() {
        Long value = values.get(VmxMsr.IA32_VMX_VMCS_ENUM);
        return value == null ? OptionalLong.empty() : OptionalLong.of((value >>> 1) & 0x1ff);
    }

    /**
     * IA32_VMX_EPT_VPID_CAP, if supplied.
     *
     * @return the decoded EPT/VPID capabilities
     */
    public Optional<EptVpidCapability> eptVpid() {
        return Optional.ofNullable(values.get(VmxMsr.IA32_VMX_EPT_VPID_CAP)).map(EptVpidCapability::of);
    }

    /**
     * IA32_VMX_VMFUNC: bit X set means VM function X may be enabled in the VM-function controls
     * (bit 0, EPTP switching, is the only one the SDM defines so far).
     *
     * @return the allowed-1 VM-function controls, empty if the MSR was not supplied
     */
    public OptionalLong vmFunctions() {
        return msr(VmxMsr.IA32_VMX_VMFUNC);
    }

    /**
     * Whether VM function 0 (EPTP switching) is supported.
     *
     * @return true if IA32_VMX_VMFUNC was supplied and its bit 0 is set
     */
    public boolean eptpSwitching() {
        return (vmFunctions().orElse(0) & 1) != 0;
    }

    private long require(VmxMsr msr) {
        Long value = values.get(msr);
        if (value == null) {
            throw new NoSuchElementException(msr.name() + " (MSR 0x" + Integer.toHexString(msr.index())
                    + ") was not supplied");
        }
        return value;
    }
}
