package dev.vmx.cap;

/**
 * IA32_VMX_BASIC (MSR 0x480, SDM Vol. 3D A.1). Total: any 64-bit value decodes; reserved bits stay in {@link #raw()}.
 *
 * @param raw the MSR value
 */
public record VmxBasic(long raw) {
    /**
     * Decodes an IA32_VMX_BASIC value.
     *
     * @param raw the MSR value
     * @return the decoded value
     */
    public static VmxBasic of(long raw) {
        return new VmxBasic(raw);
    }

    /**
     * VMCS revision identifier, bits 30:0.
     *
     * @return the revision id
     */
    public int revisionId() {
        return (int) (raw & 0x7fff_ffffL);
    }

    /**
     * Bytes to allocate for the VMXON region and each VMCS region, bits 44:32.
     *
     * @return the region size (at most 4096 on real hardware)
     */
    public int regionSize() {
        return (int) ((raw >>> 32) & 0x1fff);
    }

    /**
     * Bit 48: VMXON/VMCS and referenced structures must lie below 4 GiB.
     *
     * @return true if physical addresses are limited to 32 bits
     */
    public boolean physicalAddressesLimitedTo32Bits() {
        return bit(48);
    }

    /**
     * Bit 49: dual-monitor treatment of SMIs and SMM supported.
     *
     * @return true if supported
     */
    public boolean dualMonitorSmm() {
        return bit(49);
    }

    /**
     * Memory type for the VMCS and referenced structures, bits 53:50 (6 = write-back).
     *
     * @return the memory type number
     */
    public int memoryType() {
        return (int) ((raw >>> 50) & 0xf);
    }

    /**
     * Bit 54: VM exits due to INS/OUTS report the VM-exit instruction-information field.
     *
     * @return true if reported
     */
    public boolean insOutsReporting() {
        return bit(54);
    }

    /**
     * Bit 55: default-1 controls may be cleared, and the IA32_VMX_TRUE_*_CTLS MSRs exist.
     *
     * @return true if the TRUE control MSRs are to be used
     */
    public boolean trueControls() {
        return bit(55);
    }

    /**
     * Bit 56: VM entry may deliver a hardware exception with or without an error code regardless of vector.
     *
     * @return true if no error code is required
     */
    public boolean noErrorCodeRequired() {
        return bit(56);
    }

    /**
     * Bits the SDM reserves (31, 47:45, 63:57) that are set; kept for inspection.
     *
     * @return the set reserved bits
     */
    public long reservedBits() {
        return raw & (0x8000_0000L | 0x0000_e000_0000_0000L | 0xfe00_0000_0000_0000L);
    }

    private boolean bit(int n) {
        return (raw >>> n & 1) != 0;
    }

    @Override
    public String toString() {
        return "VmxBasic{revision=0x" + Integer.toHexString(revisionId()) + ", regionSize=" + regionSize()
                + ", memoryType=" + memoryType() + ", addr32=" + physicalAddressesLimitedTo32Bits()
                + ", dualMonitor=" + dualMonitorSmm() + ", insOuts=" + insOutsReporting()
                + ", trueControls=" + trueControls() + ", noErrorCodeRequired=" + noErrorCodeRequired()
                + (reservedBits() != 0 ? ", reserved=0x" + Long.toHexString(reservedBits()) : "") + "}";
    }
}
