/**
 * What a VMCS holds: {@link dev.vmx.vmcs.VmcsField} (every field of SDM Appendix B with its
 * encoding, width and type), {@link dev.vmx.vmcs.FieldEncoding}, the {@link dev.vmx.vmcs.Vmcs}
 * read model with typed views, immutable {@link dev.vmx.vmcs.VmcsSnapshot}s with diffs, and the
 * {@link dev.vmx.vmcs.VmcsSource} SPI with its embedded in-memory default and text format.
 */
package dev.vmx.vmcs;
