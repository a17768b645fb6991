/**
 * Exit qualifications: one immutable value type per format of Intel SDM Vol. 3C "Exit
 * Qualification for ..." and {@link dev.vmx.qual.ExitQualification#decode(dev.vmx.exit.ExitReason, long)}
 * to pick the right one.
 *
 * <p>Every decoder is total: any 64-bit input decodes, and bits the SDM reserves are kept
 * ({@code reservedBits()}). The hot formats ({@link dev.vmx.qual.EptViolationQualification},
 * {@link dev.vmx.qual.CrAccessQualification}, {@link dev.vmx.qual.IoInstructionQualification})
 * also offer static accessors on the raw {@code long}, so a hot path decodes without allocating.
 */
package dev.vmx.qual;
