package dev.vmx.hw.bochs;

import dev.vmx.exit.ExitReason;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import java.util.Objects;
import java.util.Set;

/**
 * One VM exit (or VM-entry failure) as the emulated CPU reported it: the report fields VMREAD right
 * after the exit, as raw values. Decode them with the library: {@code vmcs().exitReason()},
 * {@code vmcs().exitQualification()}, {@code vmcs().exitInterruptionInfo()},
 * {@code vmcs().idtVectoringInfo()}, {@code InstructionInfo}...
 *
 * @param index 0 for the case's first exit
 * @param vmcs the fields read, with their values
 * @param unsupported report fields whose VMREAD failed (the emulated CPU lacks them)
 */
public record BochsExit(int index, VmcsSnapshot vmcs, Set<VmcsField> unsupported) {
    /**
     * Checks and copies.
     *
     * @param index the exit's index in its case
     * @param vmcs the fields read
     * @param unsupported fields the CPU lacks
     */
    public BochsExit {
        Objects.requireNonNull(vmcs, "vmcs");
        unsupported = Set.copyOf(unsupported);
    }

    /**
     * VM_EXIT_REASON.
     *
     * @return the exit reason
     * @throws java.util.NoSuchElementException when VM_EXIT_REASON was not among the report fields
     */
    public ExitReason reason() {
        return vmcs.exitReason();
    }

    /**
     * EXIT_QUALIFICATION as a raw value.
     *
     * @return the qualification
     */
    public long qualification() {
        return vmcs.read(VmcsField.EXIT_QUALIFICATION);
    }

    @Override
    public String toString() {
        return "exit " + index + ": " + (vmcs.find(VmcsField.VM_EXIT_REASON).isPresent() ? reason().toString() : "?")
                + vmcs.find(VmcsField.EXIT_QUALIFICATION).stream().mapToObj(q -> " qualification 0x" + Long.toHexString(q))
                        .findFirst().orElse("");
    }
}
