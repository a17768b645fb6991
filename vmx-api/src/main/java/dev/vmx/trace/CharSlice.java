package dev.vmx.trace;

import java.nio.charset.StandardCharsets;

/**
 * A reusable view of a range of the reader's byte buffer, so text fields need no object per line;
 * the bytes are decoded as UTF-8 when the text is first asked for.
 */
final class CharSlice implements CharSequence {
    private byte[] bytes = new byte[0];
    private int from;
    private int length;
    private String decoded;

    void set(byte[] bytes, int from, int to) {
        this.bytes = bytes;
        this.from = from;
        this.length = to - from;
        this.decoded = null;
    }

    void clear() {
        length = 0;
        decoded = null;
    }

    @Override
    public int length() {
        return toString().length();
    }

    @Override
    public char charAt(int index) {
        return toString().charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return toString().subSequence(start, end);
    }

    @Override
    public String toString() {
        if (decoded == null) {
            decoded = length == 0 ? "" : new String(bytes, from, length, StandardCharsets.UTF_8);
        }
        return decoded;
    }
}
