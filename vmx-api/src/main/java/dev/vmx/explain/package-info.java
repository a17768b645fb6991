/**
 * Explanations of VMX numbers for people and programs: one public entry point per kind of input in
 * {@link dev.vmx.explain.Explain} (exit reason, trace line, exit reason with qualification and
 * information fields, VMCS field encoding, interruption information, VM-instruction error, QEMU's
 * "hardware error 0xN" line). Each returns an {@link dev.vmx.explain.Explanation}: a record with a
 * one-line summary, named details and what to look at next, printable as text
 * ({@link dev.vmx.explain.Explanation#toText()}) or JSON ({@link dev.vmx.explain.Explanation#toJson()}).
 * The tutorials and the {@code vmx} command line build their sentences here and nowhere else.
 */
package dev.vmx.explain;
