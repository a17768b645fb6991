/**
 * Bochs as this project's VMX hardware: a tiny L1 hypervisor (l1hv.asm) that Bochs boots, and the
 * Java API that feeds it batches of cases and reads back what the emulated VMX CPU did.
 *
 * <p>Entry points: {@link dev.vmx.hw.bochs.BochsRunner} (batches), {@link dev.vmx.hw.bochs.BochsCase}
 * (one VMCS set-up and L2 program), {@link dev.vmx.hw.bochs.BochsGuest} (a valid starting state),
 * {@link dev.vmx.hw.bochs.BochsCaseResult} and {@link dev.vmx.hw.bochs.BochsExit} (what came back),
 * {@link dev.vmx.hw.bochs.BochsVmcsSource} (the {@code bochs} VMCS source). Bochs is a model of the
 * SDM, not silicon: where it deviates, {@code BochsDeviations} in the tests says so with the SDM text.
 */
package dev.vmx.hw.bochs;
