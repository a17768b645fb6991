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
    private final int mask;

    private SymbolTable(String[] names, long[] values) {
        int capacity = Integer.highestOneBit(names.length * 4);
        keys = new byte[capacity][];
        codes = new long[capacity];
        mask = capacity - 1;
        for (int i = 0; i < names.length; i++) {
            byte[] key = names[i].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            int slot = hash(key, 0, key.length) & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            codes[slot] = values[i];
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
        int slot = hash(chars, from, to) & mask;
        while (keys[slot] != null) {
            byte[] key = keys[slot];
            if (key.length == to - from && java.util.Arrays.equals(key, 0, key.length, chars, from, to)) {
                return codes[slot];
            }
            slot = (slot + 1) & mask;
        }
        return ABSENT;
    }

    private static int hash(byte[] chars, int from, int to) {
        int hash = 0;
        for (int i = from; i < to; i++) {
            hash = 31 * hash + chars[i];
        }
        return hash ^ (hash >>> 16);
    }
}
