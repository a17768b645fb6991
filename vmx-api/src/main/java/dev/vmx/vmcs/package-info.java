/**
 * What a VMCS holds: {@link dev.vmx.vmcs.VmcsField} (every field of SDM Appendix B with its
 * encoding, width and type), {@link dev.vmx.vmcs.FieldEncoding}, the {@link dev.vmx.vmcs.Vmcs}
 * read model with typed views, immutable {@link dev.vmx.vmcs.VmcsSnapshot}s with diffs, and the
 * {@link dev.vmx.vmcs.VmcsSource} SPI with its embedded in-memory default and text format.
 *
 * <p>Thread safety: {@link dev.vmx.vmcs.VmcsField}, {@link dev.vmx.vmcs.FieldEncoding} and
 * {@link dev.vmx.vmcs.VmcsSnapshot} are immutable and safe to share between threads;
 * {@link dev.vmx.vmcs.VmcsSnapshot.Builder} is not. {@link dev.vmx.vmcs.InMemoryVmcsSource} is safe
 * for any number of concurrent readers while one thread writes or loads: each read returns one
 * whole snapshot. Other {@link dev.vmx.vmcs.VmcsSource}s say what they guarantee.
 */
package dev.vmx.vmcs;
