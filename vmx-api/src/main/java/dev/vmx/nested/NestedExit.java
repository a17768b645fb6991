package dev.vmx.nested;

import dev.vmx.event.GeneralRegister;
import dev.vmx.event.VmInstructionError;
import dev.vmx.exit.ExitReason;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One exit of an L2 guest as L0 sees it: the VM-exit information fields of the hardware VMCS
 * (vmcs02) and the guest registers some decisions need (RCX for RDMSR/WRMSR, the source register
 * of MOV to CR0/CR4, the field-encoding register of VMREAD/VMWRITE, RAX for ENCLS/VMFUNC/PCONFIG,
 * EDX:EAX for XSAVES/XRSTORS), or the VM-instruction error when the entry to L2 failed with
 * VMfailValid and no exit happened. Immutable; built with {@link #builder(ExitReason)}, {@link #of(ExitReason, long)} or {@link #vmFail(VmInstructionError)}.
 */
public final class NestedExit {
    private final ExitReason reason;
    private final long qualification;
    private final int interruptionInfo;
    private final OptionalInt interruptionErrorCode;
    private final int instructionInfo;
    private final OptionalLong guestPhysicalAddress;
    private final OptionalLong ia32Xss;
    private final Map<GeneralRegister, Long> registers;
    private final Optional<VmInstructionError> vmInstructionError;
    private final OptionalInt cpl;

    private NestedExit(Builder builder) {
        this.reason = builder.reason;
        this.qualification = builder.qualification;
        this.interruptionInfo = builder.interruptionInfo;
        this.interruptionErrorCode = builder.interruptionErrorCode;
        this.instructionInfo = builder.instructionInfo;
        this.guestPhysicalAddress = builder.guestPhysicalAddress;
        this.ia32Xss = builder.ia32Xss;
        this.registers = Collections.unmodifiableMap(new EnumMap<>(builder.registers));
        this.vmInstructionError = builder.vmInstructionError;
        this.cpl = builder.cpl;
    }

    /**
     * An exit with its reason and exit qualification only.
     *
     * @param reason the exit reason
     * @param qualification the exit qualification
     * @return the exit
     */
    public static NestedExit of(ExitReason reason, long qualification) {
        return builder(reason).qualification(qualification).build();
    }

    /**
     * A builder for an exit.
     *
     * @param reason the exit reason
     * @return a new builder
     */
    public static Builder builder(ExitReason reason) {
        return new Builder(Objects.requireNonNull(reason, "reason"));
    }

    /**
     * A failed entry to L2: VMLAUNCH/VMRESUME of the hardware VMCS ended in VMfailValid.
     *
     * @param error the VM-instruction error
     * @return the (non-)exit
     */
    public static NestedExit vmFail(VmInstructionError error) {
        Builder builder = new Builder(ExitReason.of(0));
        builder.vmInstructionError = Optional.of(Objects.requireNonNull(error, "error"));
        return builder.build();
    }

    /**
     * The exit reason (meaningless for a {@link #vmInstructionError() VM-Fail}).
     *
     * @return the reason
     */
    public ExitReason reason() {
        return reason;
    }

    /**
     * The exit qualification.
     *
     * @return the raw qualification
     */
    public long qualification() {
        return qualification;
    }

    /**
     * The VM-exit interruption information (for exception, NMI and external-interrupt exits).
     *
     * @return the raw 32-bit value
     */
    public int interruptionInfo() {
        return interruptionInfo;
    }

    /**
     * The VM-exit interruption error code, when the interruption has one.
     *
     * @return the error code
     */
    public OptionalInt interruptionErrorCode() {
        return interruptionErrorCode;
    }

    /**
     * The VM-exit instruction information.
     *
     * @return the raw 32-bit value
     */
    public int instructionInfo() {
        return instructionInfo;
    }

    /**
     * The guest-physical address of an EPT violation or misconfiguration.
     *
     * @return the address
     */
    public OptionalLong guestPhysicalAddress() {
        return guestPhysicalAddress;
    }

    /**
     * L2's IA32_XSS, which XSAVES/XRSTORS exits depend on.
     *
     * @return the MSR value
     */
    public OptionalLong ia32Xss() {
        return ia32Xss;
    }

    /**
     * A guest general-purpose register at the exit.
     *
     * @param register the register
     * @return its value, if given
     */
    public OptionalLong register(GeneralRegister register) {
        Long value = registers.get(register);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /**
     * L2's current privilege level at the exit (SS.DPL), which PAUSE-loop exiting depends on.
     *
     * @return the CPL, 0..3, if given
     */
    public OptionalInt cpl() {
        return cpl;
    }

    /**
     * The VM-instruction error when the entry to L2 failed with VMfailValid.
     *
     * @return the error; empty for a real VM exit
     */
    public Optional<VmInstructionError> vmInstructionError() {
        return vmInstructionError;
    }

    @Override
    public String toString() {
        return vmInstructionError.map(error -> "VM-Fail " + error)
                .orElse(reason + " qualification=0x" + Long.toHexString(qualification));
    }

    /** Builds a {@link NestedExit}; not thread-safe. */
    public static final class Builder {
        private final ExitReason reason;
        private long qualification;
        private int interruptionInfo;
        private OptionalInt interruptionErrorCode = OptionalInt.empty();
        private int instructionInfo;
        private OptionalLong guestPhysicalAddress = OptionalLong.empty();
        private OptionalLong ia32Xss = OptionalLong.empty();
        private final Map<GeneralRegister, Long> registers = new EnumMap<>(GeneralRegister.class);
        private Optional<VmInstructionError> vmInstructionError = Optional.empty();
        private OptionalInt cpl = OptionalInt.empty();

        private Builder(ExitReason reason) {
            this.reason = reason;
        }

        /**
         * Sets the exit qualification.
         *
         * @param value the raw qualification
         * @return this builder
         */
        public Builder qualification(long value) {
            this.qualification = value;
            return this;
        }

        /**
         * Sets the VM-exit interruption information.
         *
         * @param value the raw value
         * @return this builder
         */
        public Builder interruptionInfo(int value) {
            this.interruptionInfo = value;
            return this;
        }

        /**
         * Sets the VM-exit interruption error code.
         *
         * @param value the error code
         * @return this builder
         */
        public Builder interruptionErrorCode(int value) {
            this.interruptionErrorCode = OptionalInt.of(value);
            return this;
        }

        /**
         * Sets the VM-exit instruction information.
         *
         * @param value the raw value
         * @return this builder
         */
        public Builder instructionInfo(int value) {
            this.instructionInfo = value;
            return this;
        }

        /**
         * Sets the guest-physical address of an EPT exit.
         *
         * @param value the address
         * @return this builder
         */
        public Builder guestPhysicalAddress(long value) {
            this.guestPhysicalAddress = OptionalLong.of(value);
            return this;
        }

        /**
         * Sets L2's IA32_XSS.
         *
         * @param value the MSR value
         * @return this builder
         */
        public Builder ia32Xss(long value) {
            this.ia32Xss = OptionalLong.of(value);
            return this;
        }

        /**
         * Sets L2's current privilege level (SS.DPL of the guest state).
         *
         * @param value the CPL
         * @return this builder
         * @throws IllegalArgumentException if the value is not 0..3
         */
        public Builder cpl(int value) {
            if (value < 0 || value > 3) {
                throw new IllegalArgumentException("CPL " + value + " is not 0..3");
            }
            this.cpl = OptionalInt.of(value);
            return this;
        }

        /**
         * Sets a guest register.
         *
         * @param register the register
         * @param value its value
         * @return this builder
         */
        public Builder register(GeneralRegister register, long value) {
            registers.put(Objects.requireNonNull(register, "register"), value);
            return this;
        }

        /**
         * The exit.
         *
         * @return the immutable exit
         */
        public NestedExit build() {
            return new NestedExit(this);
        }
    }
}
