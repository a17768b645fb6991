package dev.vmx.nested;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The physical memory a VMCS points to, as far as routing and entry checks need it (for a nested
 * hypervisor: L1's guest-physical memory): the bytes of the bitmaps, EPT paging structures and
 * EPTP list for {@link ExitRouter}, and the linked VMCS header, PAE PDPTEs and VM-entry MSR-load
 * area for {@link dev.vmx.entry.EntryChecker#withMemory}. Implementations read a live guest (e.g.
 * through KVM) or a snapshot; {@link #builder()} makes a sparse in-memory one.
 */
@FunctionalInterface
public interface GuestMemory {
    /**
     * One byte of L1's memory.
     *
     * @param guestPhysicalAddress the L1 guest-physical address
     * @return the byte, 0..255; empty when the address is not backed by memory
     */
    OptionalInt readByte(long guestPhysicalAddress);

    /**
     * A 64-bit little-endian value (an EPT entry).
     *
     * @param guestPhysicalAddress the address of the first byte
     * @return the value; empty when any byte is not backed
     */
    default java.util.OptionalLong readLong(long guestPhysicalAddress) {
        long value = 0;
        for (int i = 7; i >= 0; i--) {
            OptionalInt b = readByte(guestPhysicalAddress + i);
            if (b.isEmpty()) {
                return java.util.OptionalLong.empty();
            }
            value = (value << 8) | b.getAsInt();
        }
        return java.util.OptionalLong.of(value);
    }

    /**
     * Memory where nothing is backed.
     *
     * @return memory whose every read is empty
     */
    static GuestMemory none() {
        return address -> OptionalInt.empty();
    }

    /**
     * A builder of sparse memory: pages are backed (all zero) as soon as one of their bytes is set
     * or they are declared with {@link Builder#zeroPage(long)}.
     *
     * @return a new builder
     */
    static Builder builder() {
        return new Builder();
    }

    /** Builds an immutable sparse {@link GuestMemory}; not thread-safe. */
    final class Builder {
        private static final int PAGE = 4096;
        private final Map<Long, byte[]> pages = new HashMap<>();

        private Builder() {
        }

        private byte[] page(long address) {
            return pages.computeIfAbsent(address & ~(PAGE - 1L), base -> new byte[PAGE]);
        }

        /**
         * Backs the 4-KByte page holding an address with zeros.
         *
         * @param address any address in the page
         * @return this builder
         */
        public Builder zeroPage(long address) {
            page(address);
            return this;
        }

        /**
         * Sets bit {@code bit} of the bitmap starting at {@code base} (bit n is bit n % 8 of byte n / 8).
         *
         * @param base the bitmap's address
         * @param bit the bit number, 0 or more
         * @return this builder
         */
        public Builder setBit(long base, long bit) {
            long address = base + (bit >>> 3);
            page(address)[(int) (address & (PAGE - 1))] |= (byte) (1 << (bit & 7));
            return this;
        }

        /**
         * Fills bytes with one value (e.g. a bitmap whose every bit is 1).
         *
         * @param address the first byte
         * @param length how many bytes
         * @param value the byte value, 0..255
         * @return this builder
         */
        public Builder fill(long address, int length, int value) {
            for (int i = 0; i < length; i++) {
                page(address + i)[(int) ((address + i) & (PAGE - 1))] = (byte) value;
            }
            return this;
        }

        /**
         * Writes a 64-bit little-endian value (e.g. an EPT entry).
         *
         * @param address the address of the first byte
         * @param value the value
         * @return this builder
         */
        public Builder putLong(long address, long value) {
            for (int i = 0; i < 8; i++) {
                page(address + i)[(int) ((address + i) & (PAGE - 1))] = (byte) (value >>> (8 * i));
            }
            return this;
        }

        /**
         * The memory.
         *
         * @return an immutable copy of what was set
         */
        public GuestMemory build() {
            Map<Long, byte[]> copy = new HashMap<>();
            pages.forEach((base, bytes) -> copy.put(base, bytes.clone()));
            return address -> {
                byte[] page = copy.get(address & ~(PAGE - 1L));
                return page == null ? OptionalInt.empty() : OptionalInt.of(page[(int) (address & (PAGE - 1))] & 0xFF);
            };
        }
    }
}
