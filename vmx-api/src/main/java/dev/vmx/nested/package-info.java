/**
 * Nested VMX exit routing: for an exit of an L2 guest, decide whether it is a failed VM-entry,
 * an exit L0 (the outer hypervisor) must handle, or one L1 asked for in its VMCS for L2, and say
 * which control bit, bitmap bit or rule decided it (Intel SDM Vol. 3C, "Instructions That Cause
 * VM Exits Conditionally" and related sections).
 */
package dev.vmx.nested;
