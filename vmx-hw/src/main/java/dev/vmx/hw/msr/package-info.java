/**
 * IA32_VMX_* capability MSRs (indexes: {@link dev.vmx.cap.VmxMsr}), raw values
 * ({@link dev.vmx.hw.msr.VmxMsrValues}) read through {@code /dev/cpu/N/msr}
 * ({@link dev.vmx.hw.msr.MsrDevice}) or KVM's feature MSRs ({@code KvmSystem.vmxFeatureMsrs()}).
 */
package dev.vmx.hw.msr;
