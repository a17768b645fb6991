/**
 * VM-entry checks: the checks of SDM Vol. 3C chapter 26 "VM Entries" (section 26.2 "Checks on VMX
 * Controls and Host-State Area", 26.3.1 "Checks on the Guest State Area", 26.4 "Loading MSRs"),
 * each a named {@link dev.vmx.entry.EntryCheck} with its section, run over a
 * {@link dev.vmx.vmcs.Vmcs} by {@link dev.vmx.entry.EntryChecker}. The
 * {@link dev.vmx.entry.EntryCheckReport} says what the processor does with the VMCS: VMfailValid
 * with VM-instruction error 7 or 8, or the consistency-check VM exit (INVALID_STATE or
 * MSR_LOAD_FAIL with the VM-entry-failure flag and its qualification) a nested hypervisor
 * synthesizes for L1.
 */
package dev.vmx.entry;
