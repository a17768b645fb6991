/**
 * Native backends shared types: {@link dev.vmx.hw.NativeUnavailableException} says exactly why a
 * native backend cannot work on this machine.
 */
package dev.vmx.hw;
