package dev.vmx.hw.bochs;

/** How one {@link BochsCase} ended. */
public enum BochsOutcome {
    /** VM entry succeeded and the L2 made {@link BochsCase#maxExits()} exits. */
    EXITED,
    /**
     * VMLAUNCH (or a later VMRESUME) failed with VMfailValid or VMfailInvalid: no exit; the
     * VM-instruction error says why ({@link BochsCaseResult#vmInstructionError()}).
     */
    VM_FAIL,
    /**
     * VM entry failed while loading guest state or MSRs: an exit with bit 31 of the exit reason set
     * (basic reason 33 invalid guest state, 34 MSR loading, 41 machine-check event), reported as the
     * case's last exit.
     */
    ENTRY_FAILURE,
    /** A VMWRITE of the case failed on the emulated CPU (e.g. a field it lacks); the case was not launched. */
    WRITE_FAILED,
    /** The case had {@link BochsCase#problems()} and was not sent to Bochs. */
    REJECTED,
    /** Bochs, or the hypervisor, ended during this case (a crash, an exception in L1, an unreadable report). */
    CRASHED,
    /** Bochs went silent for longer than the stall timeout during this case and was killed. */
    HUNG,
    /** The case was not run: the batch gave up after too many restarts. */
    NOT_RUN
}
