/**
 * Runnable tutorials for readers new to VMX; {@link dev.vmx.examples.Tour} runs them all.
 */
package dev.vmx.examples;
