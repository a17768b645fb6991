package dev.vmx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Mutations of real samples for the fuzz tests: each {@link #mutate} applies one to five of bit
 * flips, deletions, insertions (random, NUL, non-UTF-8 bytes), truncation, line duplication,
 * field swaps, huge and negative numbers and CRLF line ends.
 */
public final class Mutations {
    /** Numbers a broken or hostile producer writes in place of a real one. */
    static final String[] HOSTILE_NUMBERS = {
        "0", "-1", "-0x1", "2147483647", "2147483648", "-2147483648", "4294967295", "4294967296",
        "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
        "0xffffffffffffffff", "0x10000000000000000", "99999999999999999999999999", "0x", "1e9", "+5", "00000000000000000001",
    };
    private static final byte[][] ODD_BYTES = {
        {0}, {(byte) 0xff}, {(byte) 0xc3, 0x28}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xe2, (byte) 0x82},
        {'\r', '\n'}, {'\r'}, {'\t'}, {'|'}, {'='}, {'('}, {')'}, {':'}, {','}, {'#'}, {'\n'},
    };

    private Mutations() {
    }

    /**
     * One mutant of a sample.
     *
     * @param sample the real sample
     * @param random the fuzz target's random source
     * @return a new array, the sample changed one to five times
     */
    public static byte[] mutate(byte[] sample, SplittableRandom random) {
        byte[] data = sample;
        int rounds = 1 + random.nextInt(5);
        for (int i = 0; i < rounds; i++) {
            data = once(data, random);
        }
        return data;
    }

    private static byte[] once(byte[] data, SplittableRandom random) {
        int n = data.length;
        int at = n == 0 ? 0 : random.nextInt(n + 1);
        switch (random.nextInt(11)) {
            case 0: { // bit flip
                if (n == 0) {
                    return data;
                }
                byte[] out = data.clone();
                int p = random.nextInt(n);
                out[p] ^= (byte) (1 << random.nextInt(8));
                return out;
            }
            case 1: { // deletion of a run
                int length = Math.min(n - at, 1 + random.nextInt(16));
                return splice(data, at, length, new byte[0]);
            }
            case 2: { // insertion of random bytes
                byte[] bytes = new byte[1 + random.nextInt(8)];
                random.nextBytes(bytes);
                return splice(data, at, 0, bytes);
            }
            case 3: // NUL, non-UTF-8, separators, CR
                return splice(data, at, 0, ODD_BYTES[random.nextInt(ODD_BYTES.length)]);
            case 4: // truncation
                return java.util.Arrays.copyOf(data, at);
            case 5: // a number replaced by a huge or negative one
                return replaceNumber(data, random);
            case 6: // field swap: two whitespace-separated words trade places
                return swapWords(data, random);
            case 7: // CRLF line ends
                return new String(data, StandardCharsets.ISO_8859_1).replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            case 8: { // a line duplicated
                String text = new String(data, StandardCharsets.ISO_8859_1);
                String[] lines = text.split("\n", -1);
                int line = random.nextInt(lines.length);
                return (text + "\n" + lines[line]).getBytes(StandardCharsets.ISO_8859_1);
            }
            case 9: { // a run repeated many times
                int length = Math.min(n - at, 1 + random.nextInt(8));
                byte[] run = java.util.Arrays.copyOfRange(data, at, at + length);
                ByteArrayOutputStream repeated = new ByteArrayOutputStream();
                for (int i = 0, times = 2 + random.nextInt(200); i < times; i++) {
                    repeated.writeBytes(run);
                }
                return splice(data, at, 0, repeated.toByteArray());
            }
            default: { // a byte replaced by a random one
                if (n == 0) {
                    return data;
                }
                byte[] out = data.clone();
                out[random.nextInt(n)] = (byte) random.nextInt(256);
                return out;
            }
        }
    }

    private static byte[] splice(byte[] data, int at, int removed, byte[] inserted) {
        byte[] out = new byte[data.length - removed + inserted.length];
        System.arraycopy(data, 0, out, 0, at);
        System.arraycopy(inserted, 0, out, at, inserted.length);
        System.arraycopy(data, at + removed, out, at + inserted.length, data.length - at - removed);
        return out;
    }

    private static byte[] replaceNumber(byte[] data, SplittableRandom random) {
        int n = data.length;
        if (n == 0) {
            return HOSTILE_NUMBERS[random.nextInt(HOSTILE_NUMBERS.length)].getBytes(StandardCharsets.US_ASCII);
        }
        int from = random.nextInt(n);
        int start = -1;
        for (int i = 0; i < n; i++) { // the first hex digit run at or after a random point, wrapping
            int p = (from + i) % n;
            if (Character.digit(data[p], 16) >= 0) {
                start = p;
                break;
            }
        }
        if (start < 0) {
            return data;
        }
        int end = start;
        while (end < n && (Character.digit(data[end], 16) >= 0 || data[end] == 'x')) {
            end++;
        }
        byte[] number = HOSTILE_NUMBERS[random.nextInt(HOSTILE_NUMBERS.length)].getBytes(StandardCharsets.US_ASCII);
        return splice(data, start, end - start, number);
    }

    private static byte[] swapWords(byte[] data, SplittableRandom random) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        String[] words = text.split(" ", -1);
        if (words.length < 3) {
            return data;
        }
        int a = random.nextInt(words.length);
        int b = random.nextInt(words.length);
        String swap = words[a];
        words[a] = words[b];
        words[b] = swap;
        return String.join(" ", words).getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * A random string of printable ASCII, digits, separators and letters of exit and field names.
     *
     * @param random the random source
     * @param maxLength the longest
     * @return the string
     */
    public static String randomText(SplittableRandom random, int maxLength) {
        String alphabet = "0123456789abcdefxXABCDEF_|() =,:#\t-+EPT_VIOLATIONHLTRESERVEDUNRECOGNIZED\u00e9\u0000";
        int length = random.nextInt(maxLength + 1);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    /**
     * A 32-bit value biased towards the edges decoders get wrong: all bits, single bits, small numbers.
     *
     * @param random the random source
     * @return the value
     */
    public static int edgy32(SplittableRandom random) {
        switch (random.nextInt(6)) {
            case 0: return 1 << random.nextInt(32);
            case 1: return ~(1 << random.nextInt(32));
            case 2: return random.nextInt(256);
            case 3: return random.nextBoolean() ? -1 : 0;
            default: return random.nextInt();
        }
    }

    /**
     * A 64-bit value biased the same way.
     *
     * @param random the random source
     * @return the value
     */
    public static long edgy64(SplittableRandom random) {
        switch (random.nextInt(6)) {
            case 0: return 1L << random.nextInt(64);
            case 1: return ~(1L << random.nextInt(64));
            case 2: return random.nextInt(1 << 16);
            case 3: return random.nextBoolean() ? -1L : 0L;
            default: return random.nextLong();
        }
    }
}
