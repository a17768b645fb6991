package dev.vmx.vmcs;

/**
 * The access type, bit 0 of a VMCS field encoding: the whole field, or the upper 32 bits of a
 * 64-bit field.
 */
public enum AccessType {
    /** 0: full access. */
    FULL,
    /** 1: high access, the upper 32 bits of a 64-bit field. */
    HIGH
}
