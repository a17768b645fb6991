package dev.vmx.trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** The characters of a {@link Reader} as UTF-8 bytes, so {@link KvmTraceReader} parses one representation. */
final class Utf8ReaderInputStream extends InputStream {
    private final Reader in;
    private final CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final CharBuffer chars = CharBuffer.allocate(8192);
    private final ByteBuffer bytes = ByteBuffer.allocate(3 * 8192 + 8);
    private boolean eof;

    Utf8ReaderInputStream(Reader in) {
        this.in = in;
        chars.flip();
        bytes.flip();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        while (!bytes.hasRemaining()) {
            if (!refill()) {
                return -1;
            }
        }
        int n = Math.min(length, bytes.remaining());
        bytes.get(target, offset, n);
        return n;
    }

    /** Encodes more characters; false at the end of input with nothing left. */
    private boolean refill() throws IOException {
        bytes.clear();
        if (!eof) {
            chars.compact();
            int read = in.read(chars);
            chars.flip();
            eof = read < 0;
        }
        CoderResult result = encoder.encode(chars, bytes, eof);
        if (result.isOverflow()) {
            throw new IllegalStateException("UTF-8 buffer too small"); // 3 bytes per char always fit
        }
        if (eof && !chars.hasRemaining()) {
            encoder.flush(bytes);
        }
        bytes.flip();
        return bytes.hasRemaining() || !(eof && !chars.hasRemaining());
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
