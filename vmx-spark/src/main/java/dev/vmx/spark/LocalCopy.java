package dev.vmx.spark;

import dev.vmx.trace.KvmEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Local temporary copies of trace files for formats that need a seekable local file (trace.dat)
 * when the file is on another file system (HDFS, S3) or compressed: made in {@code java.io.tmpdir}
 * with the prefix {@link #PREFIX}, and deleted when the cursor reading the copy closes.
 */
final class LocalCopy {
    /** The name prefix of the copies. */
    static final String PREFIX = "vmx-kvmtrace-";

    private LocalCopy() {
    }

    /** A copy in progress or done: the file and how many bytes reached it. */
    record Copy(Path file, long bytes, IOException failure) {
    }

    /**
     * Copies the stream to a new temporary file. A read failure part-way keeps what was copied (a
     * truncated trace.dat still gives its readable events) and is returned with it.
     *
     * @throws IOException if the temporary file cannot be created or written
     */
    static Copy of(InputStream in) throws IOException {
        Path file = Files.createTempFile(PREFIX, ".dat");
        long bytes = 0;
        try (var out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (IOException e) {
                    return new Copy(file, bytes, e);
                }
                if (n < 0) {
                    return new Copy(file, bytes, null);
                }
                out.write(buffer, 0, n);
                bytes += n;
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** The cursor, which deletes {@code copy} once it is closed. */
    static KvmTraceCursor deleteOnClose(KvmTraceCursor cursor, Path copy) {
        return new KvmTraceCursor() {
            @Override
            public boolean advance() {
                return cursor.advance();
            }

            @Override
            public boolean isProblem() {
                return cursor.isProblem();
            }

            @Override
            public KvmEvent event() {
                return cursor.event();
            }

            @Override
            public long position() {
                return cursor.position();
            }

            @Override
            public String problem() {
                return cursor.problem();
            }

            @Override
            public String problemText() {
                return cursor.problemText();
            }

            @Override
            public long positionReached() {
                return cursor.positionReached();
            }

            @Override
            public void close() {
                try {
                    cursor.close();
                } finally {
                    delete(copy);
                }
            }
        };
    }

    /** Deletes a copy; a copy that cannot be deleted is left for the temporary directory's cleaning. */
    static void delete(Path copy) {
        try {
            Files.deleteIfExists(copy);
        } catch (IOException e) {
            copy.toFile().deleteOnExit();
        }
    }
}
