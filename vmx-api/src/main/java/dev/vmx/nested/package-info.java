/**
 * Nested VMX exit routing: for a VM exit of an L2 guest, whether it is a failed VM entry
 * ({@link dev.vmx.nested.Route#VM_FAIL}), an exit the outer hypervisor handles itself
 * ({@link dev.vmx.nested.Route#L0_WANTS}) or one the guest hypervisor asked for in its VMCS for L2
 * ({@link dev.vmx.nested.Route#L1_WANTS}), with the control bit, bitmap bit, mask bit or rule that
 * decided it and the SDM section that says so. Entry point: {@link dev.vmx.nested.ExitRouter}.
 */
package dev.vmx.nested;
