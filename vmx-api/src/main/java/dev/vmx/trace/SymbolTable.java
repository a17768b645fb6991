package dev.vmx.trace;

import dev.vmx.exit.BasicExitReason;

/**
 * Open-addressing lookup from a symbol printed by {@code __print_symbolic} (a byte range of the
 * ASCII line) to its code, without creating a String.
 */
final class SymbolTable {
    static final long ABSENT = Long.MIN_VALUE;

    private final byte[][] keys;
    private final long[] codes;
    // per slot: the key's first and last eight bytes (see words()), so most compares are two longs
    private final long[] firstWords;
    private final long[] lastWords;
    private final int mask;

    private SymbolTable(String[] names, long[] values) {
        int capacity = Integer.highestOneBit(names.length * 4);
        keys = new byte[capacity][];
        codes = new long[capacity];
        firstWords = new long[capacity];
        lastWords = new long[capacity];
        mask = capacity - 1;
        for (int i = 0; i < names.length; i++) {
            byte[] key = names[i].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            long first = firstWord(key, 0, key.length);
            long last = lastWord(key, 0, key.length);
            int slot = hash(first, last, key.length) & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            codes[slot] = values[i];
            firstWords[slot] = first;
            lastWords[slot] = last;
        }
    }

    static SymbolTable of(String[] names, long[] values) {
        return new SymbolTable(names, values);
    }

    /** VMX_EXIT_REASONS: Linux prints the EXIT_REASON_ suffix, which is the enum constant name. */
    static SymbolTable vmxExitReasons() {
        BasicExitReason[] all = BasicExitReason.values();
        int count = 0;
        for (BasicExitReason reason : all) {
            if (reason.linuxName().isPresent()) {
                count++;
            }
        }
        String[] names = new String[count];
        long[] values = new long[count];
        int index = 0;
        for (BasicExitReason reason : all) {
            if (reason.linuxName().isPresent()) {
                names[index] = reason.name();
                values[index++] = reason.number();
            }
        }
        return new SymbolTable(names, values);
    }

    long lookup(byte[] chars, int from, int to) {
        int length = to - from;
        long first = firstWord(chars, from, to);
        long last = lastWord(chars, from, to);
        int slot = hash(first, last, length) & mask;
        while (keys[slot] != null) {
            byte[] key = keys[slot];
            // up to 16 bytes the two words cover the whole key; longer keys are compared in full
            if (key.length == length && firstWords[slot] == first && lastWords[slot] == last
                    && (length <= 16 || java.util.Arrays.equals(key, 0, length, chars, from, to))) {
                return codes[slot];
            }
            slot = (slot + 1) & mask;
        }
        return ABSENT;
    }

    private static final java.lang.invoke.VarHandle LONG = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /** The first eight bytes (little-endian), or all of a shorter range with zeros above. */
    private static long firstWord(byte[] chars, int from, int to) {
        if (to - from >= 8) {
            return (long) LONG.get(chars, from);
        }
        if (from + 8 <= chars.length) {
            // a short symbol inside a longer line: one load, the bytes past the symbol masked off
            return (long) LONG.get(chars, from) & ((1L << ((to - from) << 3)) - 1);
        }
        long word = 0;
        for (int i = to - 1; i >= from; i--) {
            word = (word << 8) | (chars[i] & 0xFF);
        }
        return word;
    }

    /** The last eight bytes of a range of eight or more, else 0. */
    private static long lastWord(byte[] chars, int from, int to) {
        return to - from >= 8 ? (long) LONG.get(chars, to - 8) : 0;
    }

    /** From the first and last eight bytes and the length: two loads instead of a loop over the symbol. */
    private static int hash(long first, long last, int length) {
        long hash = first * 0x9E37_79B9_7F4A_7C15L ^ last * 0xC2B2_AE3D_27D4_EB4FL ^ length;
        return (int) (hash ^ (hash >>> 29));
    }
}
