package dev.vmx.exit;

/**
 * A flag bit of the 32-bit VM-exit reason field (SDM Vol. 3C, "Basic VM-Exit Information",
 * table "Format of Exit Reason"; Linux {@code union vmx_exit_reason} in
 * {@code arch/x86/kvm/vmx/vmx.h}).
 *
 * <p>Bits 16-25 and 30 are not defined as flags; {@link ExitReason#reservedBits()} keeps them.
 */
public enum ExitReasonFlag {
    /** Bit 26: a bus lock was asserted while in VMX non-root operation (Linux {@code bus_lock_detected}). */
    BUS_LOCK_DETECTED(26, "Bus lock detected", "bus_lock_detected"),
    /** Bit 27: the VM exit was incident to enclave mode (Linux {@code enclave_mode}). */
    ENCLAVE_MODE(27, "VM exit from enclave mode", "enclave_mode"),
    /** Bit 28: pending MTF VM exit, set on SMM VM exits (Linux {@code smi_pending_mtf}). */
    PENDING_MTF(28, "Pending MTF VM exit", "smi_pending_mtf"),
    /** Bit 29: VM exit from VMX root operation, set on SMM VM exits (Linux {@code smi_from_vmx_root}). */
    FROM_VMX_ROOT(29, "VM exit from VMX root operation", "smi_from_vmx_root"),
    /** Bit 31: VM-entry failure; the basic reason is then 33, 34 or 41 (Linux {@code failed_vmentry}). */
    VM_ENTRY_FAILURE(31, "VM-entry failure", "failed_vmentry");

    private final int bit;
    private final String sdmName;
    private final String linuxField;

    ExitReasonFlag(int bit, String sdmName, String linuxField) {
        this.bit = bit;
        this.sdmName = sdmName;
        this.linuxField = linuxField;
    }

    /**
     * The bit position in the exit-reason field.
     *
     * @return 26..31
     */
    public int bit() {
        return bit;
    }

    /**
     * The single-bit mask, {@code 1 << bit()}.
     *
     * @return the mask as an int (bit 31 makes it negative)
     */
    public int mask() {
        return 1 << bit;
    }

    /**
     * The SDM's description of the bit.
     *
     * @return the SDM wording
     */
    public String sdmName() {
        return sdmName;
    }

    /**
     * The name of the bit-field in Linux's {@code union vmx_exit_reason}.
     *
     * @return e.g. {@code failed_vmentry}
     */
    public String linuxField() {
        return linuxField;
    }
}
