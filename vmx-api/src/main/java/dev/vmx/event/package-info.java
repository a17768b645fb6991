/**
 * Event and instruction information of a VM exit: interruption information
 * ({@link dev.vmx.event.InterruptionInfo}), VM-exit instruction information
 * ({@link dev.vmx.event.InstructionInfo}) and VM-instruction error numbers
 * ({@link dev.vmx.event.VmInstructionError}). Intel SDM Vol. 3C, chapter "VM Exits"
 * ("Information for VM Exits Due to Vectored Events", "Information for VM Exits Due to Instruction
 * Execution") and "VM-Instruction Error Numbers".
 *
 * <p>Every decoder is total: any 32-bit input decodes, and bits with no definition are kept and
 * exposed (for example {@link dev.vmx.event.InterruptionInfo#reservedBits()}).
 */
package dev.vmx.event;
