package dev.vmx.nested;

/** Who handles an L2 exit; the three steps KVM's nested code takes, in order. */
public enum Route {
    /** The exit is a failed VM-entry (exit-reason bit 31); it is reflected to L1 as such. */
    VM_FAIL,
    /** L0 handles the exit itself (it intercepts it for its own reasons, or nobody else may). */
    L0_WANTS,
    /** L1 asked for the exit in its VMCS for L2, so it is reflected to L1. */
    L1_WANTS
}
