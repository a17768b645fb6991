package dev.vmx.trace;

import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * A binary kvm trace file format that {@link ExitStatistics#readFile} reads like a text trace:
 * found with {@link java.util.ServiceLoader} (vmx-hw provides trace-cmd's {@code trace.dat}), so
 * this module keeps no run-time dependency. Implementations are stateless and thread-safe.
 */
public interface BinaryKvmTraceFormat {
    /**
     * Whether a file that starts with these bytes is of this format.
     *
     * @param head the file's first bytes
     * @param length how many of them were read (at most 16)
     * @return true if this format reads the file
     */
    boolean recognizes(byte[] head, int length);

    /**
     * Reads a file's events split into consecutive time windows, at most {@code threads} of them
     * read at once. Window {@code i}'s consumer comes from {@code parts.apply(i)}, called by the
     * thread that reads the window, and gets that window's events in time order; every event of
     * window {@code i} is at or before every event of window {@code i + 1}, so feeding the windows
     * in index order is the same as feeding the whole file in time order.
     *
     * @param file the file
     * @param threads how many threads may read at once, at least 1
     * @param parts the consumer of each window's events
     * @return what was read: events, losses ({@code lossLines} are the places that reported lost
     *         events) and problems (with line number 0 and the file offset in their text)
     * @throws java.io.UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException if the file's header is not of this format
     */
    KvmTraceSummary read(Path file, int threads, IntFunction<Consumer<? super KvmEvent>> parts);
}
