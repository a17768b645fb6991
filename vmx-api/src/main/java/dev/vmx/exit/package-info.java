/**
 * What a VM exit is: {@link dev.vmx.exit.ExitReason} (the full 32-bit exit-reason field),
 * {@link dev.vmx.exit.BasicExitReason} (bits 15:0, one constant per SDM number) and
 * {@link dev.vmx.exit.ExitReasonFlag} (the flag bits).
 *
 * <p>Source: Intel SDM Vol. 3D Appendix C "VMX Basic Exit Reasons" and Vol. 3C "Basic VM-Exit
 * Information"; Linux {@code arch/x86/include/uapi/asm/vmx.h} and {@code union vmx_exit_reason}.
 *
 * <p>Thread safety: every type here is immutable ({@code ExitReason} instances are shared between
 * threads by {@link dev.vmx.exit.ExitReason#of(int)}) except the reusable flyweight
 * {@link dev.vmx.exit.ExitReasonView}, which belongs to one thread.
 */
package dev.vmx.exit;
