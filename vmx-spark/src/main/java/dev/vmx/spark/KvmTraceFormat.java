package dev.vmx.spark;

import java.io.InputStream;
import java.nio.file.Path;

/**
 * A kind of kvm trace file the {@code kvmtrace} data source can read, recognised by the first bytes
 * of the file (its magic), not by its name. The text format (tracefs {@code trace},
 * {@code trace-cmd report}, {@code perf script}) is built in; further formats (trace.dat, which
 * vmx-spark registers itself) are found
 * with {@link java.util.ServiceLoader} under {@code META-INF/services/dev.vmx.spark.KvmTraceFormat}
 * and are asked before the built-in one.
 *
 * <p>Implementations must be stateless and thread-safe: one instance opens many files at once.
 */
public interface KvmTraceFormat {
    /**
     * How many leading bytes {@link #recognizes} gets at most.
     */
    int HEAD_BYTES = 64;

    /**
     * A short name for messages, e.g. {@code text} or {@code trace.dat}.
     *
     * @return the name
     */
    String name();

    /**
     * Whether a file that starts with these bytes is in this format.
     *
     * @param head the file's first bytes
     * @param length how many of them there are (fewer than {@link #HEAD_BYTES} for short files)
     * @return true to read the file with {@link #open}
     */
    boolean recognizes(byte[] head, int length);

    /**
     * Starts reading a file of this format.
     *
     * @param in the file's bytes from the start; the cursor closes it
     * @param sourceName the file's name for messages
     * @return the cursor over its events and problems
     */
    KvmTraceCursor open(InputStream in, String sourceName);

    /**
     * Whether this format reads a local, seekable file ({@link #open(Path, String)}) rather than a
     * stream: trace.dat keeps each CPU's data at an offset the header gives. The data source then
     * hands it the file itself when it is on the local file system and not compressed, and otherwise
     * a copy in a local temporary file, deleted when the cursor closes.
     *
     * @return true to be opened with {@link #open(Path, String)}
     */
    default boolean needsLocalFile() {
        return false;
    }

    /**
     * Starts reading a local file of this format (for formats that {@link #needsLocalFile()}).
     *
     * @param file the local file; the caller deletes it, if it is a copy, after the cursor closes
     * @param sourceName the file's name for messages (the original's, not the copy's)
     * @return the cursor over its events and problems
     * @throws UnsupportedOperationException if this format reads streams only
     */
    default KvmTraceCursor open(Path file, String sourceName) {
        throw new UnsupportedOperationException(name() + " reads streams: open(InputStream, String)");
    }
}
