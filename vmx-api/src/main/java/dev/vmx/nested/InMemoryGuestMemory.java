package dev.vmx.nested;

import java.util.Map;
import java.util.TreeMap;

/**
 * Guest memory made of 4-KiB pages held in a map; an unset page reads as an error, not as zeros,
 * so a bitmap address that was never set up is reported. Immutable; build with {@link #builder()}.
 */
public final class InMemoryGuestMemory implements GuestMemory {
    private static final int PAGE = 4096;
    private final Map<Long, byte[]> pages;

    private InMemoryGuestMemory(Map<Long, byte[]> pages) {
        this.pages = pages;
    }

    /**
     * Starts an empty memory.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public int readByte(long guestPhysicalAddress) {
        byte[] page = pages.get(guestPhysicalAddress & ~(long) (PAGE - 1));
        if (page == null) {
            throw new IllegalArgumentException(String.format(
                    "guest-physical address 0x%x is not backed by this memory", guestPhysicalAddress));
        }
        return page[(int) (guestPhysicalAddress & (PAGE - 1))] & 0xff;
    }

    /** Builds an {@link InMemoryGuestMemory}; pages are created zero-filled when first touched. */
    public static final class Builder {
        private final Map<Long, byte[]> pages = new TreeMap<>();

        private Builder() {
        }

        /**
         * Adds zero-filled pages covering {@code length} bytes from {@code address}.
         *
         * @param address the first guest-physical address
         * @param length the number of bytes
         * @return this builder
         */
        public Builder zeroed(long address, long length) {
            for (long page = address & ~(long) (PAGE - 1); page < address + length; page += PAGE) {
                pages.computeIfAbsent(page, p -> new byte[PAGE]);
            }
            return this;
        }

        /**
         * Sets bit {@code bitIndex} of the bitmap at {@code base}, creating the page if needed.
         *
         * @param base the bitmap's guest-physical address
         * @param bitIndex the bit number from 0
         * @return this builder
         */
        public Builder setBit(long base, long bitIndex) {
            long address = base + (bitIndex >>> 3);
            zeroed(address, 1);
            pages.get(address & ~(long) (PAGE - 1))[(int) (address & (PAGE - 1))] |= (byte) (1 << (bitIndex & 7));
            return this;
        }

        /**
         * Finishes the memory; later changes to this builder do not affect it.
         *
         * @return the memory
         */
        public InMemoryGuestMemory build() {
            Map<Long, byte[]> copy = new TreeMap<>();
            pages.forEach((k, v) -> copy.put(k, v.clone()));
            return new InMemoryGuestMemory(copy);
        }
    }
}
