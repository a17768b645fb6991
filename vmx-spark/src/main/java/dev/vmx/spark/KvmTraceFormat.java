package dev.vmx.spark;

import java.io.InputStream;

/**
 * A kind of kvm trace file the {@code kvmtrace} data source can read, recognised by the first bytes
 * of the file (its magic), not by its name. The text format (tracefs {@code trace},
 * {@code trace-cmd report}, {@code perf script}) is built in; further formats (trace.dat) are found
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
}
