package dev.vmx.entry;

/** The order in which VM entry checks (SDM 26.1-26.4), and how a failure in each phase is reported. */
public enum EntryPhase {
    /** VM-execution, VM-exit and VM-entry control fields (26.2.1): VMfailValid, VM-instruction error 7. */
    CONTROLS,
    /** Host-state area (26.2.2-26.2.4): VMfailValid, VM-instruction error 8. */
    HOST_STATE,
    /** Guest-state area (26.3.1): VM exit INVALID_STATE (33) with the VM-entry-failure flag. */
    GUEST_STATE,
    /** The VM-entry MSR-load area (26.4): VM exit MSR_LOAD_FAIL (34) with the VM-entry-failure flag. */
    MSR_LOADING
}
