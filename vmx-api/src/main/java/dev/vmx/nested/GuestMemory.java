package dev.vmx.nested;

/** Read access to L1's guest-physical memory, where the I/O, MSR and VMREAD/VMWRITE bitmaps live. */
public interface GuestMemory {
    /**
     * Reads one byte.
     *
     * @param guestPhysicalAddress the address in L1's guest-physical space
     * @return the byte, 0..255
     * @throws IllegalArgumentException if the address is not backed by this memory
     */
    int readByte(long guestPhysicalAddress);

    /**
     * Reads one bit of a bitmap: bit {@code bitIndex % 8} of the byte at
     * {@code base + bitIndex / 8}.
     *
     * @param base the guest-physical address of the bitmap
     * @param bitIndex the bit number within the bitmap, from 0
     * @return whether the bit is set
     */
    default boolean bit(long base, long bitIndex) {
        return ((readByte(base + (bitIndex >>> 3)) >>> (int) (bitIndex & 7)) & 1) != 0;
    }
}
