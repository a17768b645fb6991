package dev.vmx.trace;

/** A reusable view of a range of a char array, so text fields need no String per line. */
final class CharSlice implements CharSequence {
    private char[] chars = new char[0];
    private int from;
    private int length;

    void set(char[] chars, int from, int to) {
        this.chars = chars;
        this.from = from;
        this.length = to - from;
    }

    void clear() {
        length = 0;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException(index);
        }
        return chars[from + index];
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return toString().subSequence(start, end);
    }

    @Override
    public String toString() {
        return new String(chars, from, length);
    }
}
