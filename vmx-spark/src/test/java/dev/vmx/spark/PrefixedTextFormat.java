package dev.vmx.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * A second file format for the tests, registered in META-INF/services like a trace.dat reader
 * would be: the magic bytes {@code 00 'V' 'M' 'X'} followed by trace text. The NUL byte makes the
 * built-in text format refuse it, so only this format's magic can make it readable.
 */
public final class PrefixedTextFormat implements KvmTraceFormat {
    static final byte[] MAGIC = {0, 'V', 'M', 'X'};

    /** For ServiceLoader. */
    public PrefixedTextFormat() {
    }

    @Override
    public String name() {
        return "prefixed text (tests)";
    }

    @Override
    public boolean recognizes(byte[] head, int length) {
        if (length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (head[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public KvmTraceCursor open(InputStream in, String sourceName) {
        try {
            if (in.readNBytes(MAGIC.length).length != MAGIC.length) {
                throw new IllegalStateException(sourceName + ": shorter than its magic");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return TextTraceFormat.INSTANCE.open(in, sourceName);
    }
}
