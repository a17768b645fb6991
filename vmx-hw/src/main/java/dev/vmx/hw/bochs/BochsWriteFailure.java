package dev.vmx.hw.bochs;

import dev.vmx.event.VmInstructionError;

/**
 * A VMWRITE the emulated CPU refused.
 *
 * @param encoding the field encoding
 * @param value the value written
 * @param valid true for VMfailValid (the error number is meaningful), false for VMfailInvalid
 * @param errorNumber the VM-instruction error number (0 for VMfailInvalid)
 */
public record BochsWriteFailure(int encoding, long value, boolean valid, int errorNumber) {
    /**
     * The VM-instruction error.
     *
     * @return the error (e.g. {@code UNSUPPORTED_VMCS_COMPONENT}, 12)
     */
    public VmInstructionError error() {
        return VmInstructionError.fromNumber(errorNumber);
    }

    @Override
    public String toString() {
        return "VMWRITE 0x" + Integer.toHexString(encoding) + " = 0x" + Long.toHexString(value) + " failed: "
                + (valid ? VmInstructionError.describe(errorNumber) : "VMfailInvalid");
    }
}
