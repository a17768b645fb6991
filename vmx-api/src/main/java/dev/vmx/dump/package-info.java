/**
 * Parsing of the VMCS dumps Linux's {@code dump_vmcs()} ({@code arch/x86/kvm/vmx/vmx.c}) writes to
 * the kernel log when a VM entry fails or an exit cannot be handled: {@link dev.vmx.dump.VmcsDumpParser}
 * finds the blocks in a dmesg or journal excerpt and returns one {@link dev.vmx.dump.VmcsDump} each.
 */
package dev.vmx.dump;
