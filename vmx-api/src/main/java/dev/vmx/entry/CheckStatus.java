package dev.vmx.entry;

/** The result of one check. */
public enum CheckStatus {
    /** The VMCS satisfies the check. */
    PASSED,
    /** The VMCS violates the check. */
    FAILED,
    /** A field (or the capability MSRs, or the MSR-load list) the check needs was not given. */
    NOT_JUDGED
}
