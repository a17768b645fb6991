package dev.vmx.hw.tracedat;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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

    /**
     * zstd through aircompressor (pure Java), called through a method handle: its jar names no
     * module, and a module that {@code requires} a name derived from a jar's file name must not be
     * published (javac warns so). vmx-hw depends on it in Maven; on the module path it is resolved
     * with the other automatic modules (JNA is one), on the class path it is simply there.
     */
    static final class Zstd extends Decompressor {
        private static final String CLASS = "io.airlift.compress.zstd.ZstdDecompressor";
        private static final MethodHandle DECOMPRESS;
        private static final MethodHandle CREATE;
        private static final String MISSING;

        static {
            MethodHandle decompress = null;
            MethodHandle create = null;
            String missing = null;
            try {
                Class<?> type = Class.forName(CLASS, true, Decompressor.class.getClassLoader());
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                create = lookup.findConstructor(type, MethodType.methodType(void.class));
                decompress = lookup.findVirtual(type, "decompress", MethodType.methodType(int.class, byte[].class,
                        int.class, int.class, byte[].class, int.class, int.class));
            } catch (ReflectiveOperationException | LinkageError e) {
                missing = "zstd needs io.airlift:aircompressor (2.x) on the class or module path: " + e;
            }
            DECOMPRESS = decompress;
            CREATE = create;
            MISSING = missing;
        }

        private final Object zstd;

        Zstd() {
            if (MISSING != null) {
                throw new IllegalStateException(MISSING);
            }
            try {
                zstd = CREATE.invoke();
            } catch (Throwable e) {
                throw new IllegalStateException("cannot create " + CLASS + ": " + e, e);
            }
        }

        @Override
        int decompress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLength) {
            try {
                return (int) DECOMPRESS.invoke(zstd, in, inOffset, inLength, out, outOffset, outLength);
            } catch (RuntimeException e) {
                // MalformedInputException (with the byte offset in its message), or an index check
                throw new IllegalArgumentException("malformed zstd data: " + e.getMessage(), e);
            } catch (Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
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
