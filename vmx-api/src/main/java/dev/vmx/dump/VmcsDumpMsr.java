package dev.vmx.dump;

/**
 * One entry of an MSR-load or MSR-store list printed by {@code vmx_dump_msrs}.
 *
 * @param list the list's name as printed, e.g. {@code guest autoload}
 * @param slot the entry's index in the list
 * @param msrIndex the MSR index
 * @param value the value
 */
public record VmcsDumpMsr(String list, int slot, long msrIndex, long value) {
}
