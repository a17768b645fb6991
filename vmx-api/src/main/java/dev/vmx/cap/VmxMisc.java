package dev.vmx.cap;

/**
 * IA32_VMX_MISC (MSR 0x485, SDM Vol. 3D A.6), field layout from ia32-doc {@code ArchitecturalMsr.yml}. Total.
 *
 * @param raw the MSR value
 */
public record VmxMisc(long raw) {
    /**
     * Decodes a value.
     *
     * @param raw the MSR value
     * @return the decoded value
     */
    public static VmxMisc of(long raw) {
        return new VmxMisc(raw);
    }

    /**
     * Bits 4:0: the preemption timer counts down by 1 each time TSC bit X changes, X = this value.
     *
     * @return the TSC shift
     */
    public int preemptionTimerTscShift() {
        return (int) (raw & 0x1f);
    }

    /**
     * Bit 5: VM exits store IA32_EFER.LMA into the "IA-32e mode guest" entry control.
     *
     * @return true if stored
     */
    public boolean storesEferLmaOnExit() {
        return bit(5);
    }

    /**
     * Bits 8:6: supported activity states (bit 6 HLT, 7 shutdown, 8 wait-for-SIPI), shifted to bits 2:0.
     *
     * @return the activity-state bitmap
     */
    public int activityStates() {
        return (int) ((raw >>> 6) & 0x7);
    }

    /**
     * Bit 14: Intel PT can be used in VMX operation.
     *
     * @return true if available
     */
    public boolean intelPtInVmx() {
        return bit(14);
    }

    /**
     * Bit 15: RDMSR can read IA32_SMBASE in SMM.
     *
     * @return true if so
     */
    public boolean rdmsrSmbaseInSmm() {
        return bit(15);
    }

    /**
     * Bits 24:16: number of CR3-target values supported.
     *
     * @return the count
     */
    public int cr3TargetCount() {
        return (int) ((raw >>> 16) & 0x1ff);
    }

    /**
     * Recommended maximum number of MSRs in each VM-exit/entry MSR list: 512 * (N + 1), N = bits 27:25.
     *
     * @return the MSR-list limit
     */
    public int maxMsrListEntries() {
        return 512 * ((int) ((raw >>> 25) & 0x7) + 1);
    }

    /**
     * Bit 28: bit 2 of IA32_SMM_MONITOR_CTL can be set.
     *
     * @return true if so
     */
    public boolean smmMonitorCtlBit2() {
        return bit(28);
    }

    /**
     * Bit 29: VMWRITE may write the VM-exit information fields.
     *
     * @return true if so
     */
    public boolean vmwriteToExitInfo() {
        return bit(29);
    }

    /**
     * Bit 30: VM entry may inject software interrupts/exceptions with instruction length 0.
     *
     * @return true if so
     */
    public boolean zeroLengthInjection() {
        return bit(30);
    }

    /**
     * Bits 63:32: MSEG revision identifier.
     *
     * @return the MSEG revision id
     */
    public long msegRevisionId() {
        return raw >>> 32;
    }

    /**
     * Reserved bits that are set (13:9, 31).
     *
     * @return the set reserved bits
     */
    public long reservedBits() {
        return raw & (0x3e00L | 0x8000_0000L);
    }

    private boolean bit(int n) {
        return (raw >>> n & 1) != 0;
    }
}
