package dev.vmx.nested;

/**
 * Where an exit of a nested (L2) guest goes: the three steps KVM's {@code nested_vmx_reflect_vmexit()}
 * takes, in this order.
 */
public enum Route {
    /**
     * The VM entry to L2 failed with VMfailValid (no VM exit happened): L1's VMLAUNCH/VMRESUME
     * reports the VM-instruction error.
     */
    VM_FAIL,
    /** The outer hypervisor (L0) handles the exit itself, whatever L1 asked for, or because L1 did not ask. */
    L0_WANTS,
    /** The exit is reflected to the guest hypervisor (L1): its VMCS for L2 asked for it. */
    L1_WANTS
}
