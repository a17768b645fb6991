package dev.vmx.hw.tracedat;

import io.airlift.compress.MalformedInputException;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The decompression of trace.dat v7 blocks and chunks, by the name the file's compression header
 * gives ({@code lib/trace-cmd/trace-compress-zstd.c} writes whole zstd frames with
 * {@code ZSTD_compress}; {@code trace-compress-zlib.c} writes zlib streams with {@code compress2}).
 * Not thread-safe; one per reading thread.
 */
abstract class Decompressor {
    /**
     * Decompresses one block into {@code out[outOffset, outOffset + outLength)}.
     *
     * @return the bytes written
     * @throws IllegalArgumentException naming what is wrong with the data
     */
    abstract int decompress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLength);

    /** The decompressor for a compression name, or null if this library has none for it. */
    static Decompressor forName(String name) {
        switch (name) {
            case "zstd":
                return new Zstd();
            case "zlib":
                return new Zlib();
            default:
                return null;
        }
    }

    /** zstd through aircompressor (pure Java). */
    static final class Zstd extends Decompressor {
        private final ZstdDecompressor zstd = new ZstdDecompressor();

        @Override
        int decompress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLength) {
            try {
                return zstd.decompress(in, inOffset, inLength, out, outOffset, outLength);
            } catch (MalformedInputException e) {
                throw new IllegalArgumentException("malformed zstd data at byte " + e.getOffset() + " of the block: "
                        + e.getMessage(), e);
            } catch (RuntimeException e) {
                // aircompressor signals some damage with other runtime exceptions (index checks)
                throw new IllegalArgumentException("malformed zstd data: " + e, e);
            }
        }
    }

    /** zlib through java.util.zip. */
    static final class Zlib extends Decompressor {
        private final Inflater inflater = new Inflater();

        @Override
        int decompress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLength) {
            inflater.reset();
            inflater.setInput(in, inOffset, inLength);
            try {
                int total = 0;
                while (total < outLength && !inflater.finished()) {
                    int n = inflater.inflate(out, outOffset + total, outLength - total);
                    if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        throw new IllegalArgumentException("zlib data ends after " + total + " of " + outLength
                                + " bytes");
                    }
                    total += n;
                }
                return total;
            } catch (DataFormatException e) {
                throw new IllegalArgumentException("malformed zlib data: " + e.getMessage(), e);
            }
        }
    }
}
