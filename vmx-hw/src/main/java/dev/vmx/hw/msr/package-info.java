/**
 * IA32_VMX_* capability MSRs: {@link dev.vmx.hw.msr.VmxMsr} (indexes), raw values
 * ({@link dev.vmx.hw.msr.VmxMsrValues}) read through {@code /dev/cpu/N/msr}
 * ({@link dev.vmx.hw.msr.MsrDevice}) or KVM's feature MSRs ({@code KvmSystem.vmxFeatureMsrs()}).
 */
package dev.vmx.hw.msr;
