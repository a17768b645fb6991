/**
 * VMX controls and capability MSRs: enums of every control bit (SDM and Linux names), decoders for the
 * IA32_VMX_* capability MSRs, and {@link dev.vmx.cap.VmxCapabilities} to check and adjust proposed controls.
 */
package dev.vmx.cap;
