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
     *         events) and problems (each at its byte offset, {@link KvmTraceProblem#atOffset}), with
     *         {@link KvmTraceSummary#format()} naming the format
     * @throws java.io.UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException if the file's header is not of this format
     */
    KvmTraceSummary read(Path file, int threads, IntFunction<Consumer<? super KvmEvent>> parts);

    /**
     * As {@link #read}, with each window's events handed to an {@link ExitEntryConsumer} in an
     * order that keeps every thread's events (by {@link KvmEvent#pid()}) in time order, while
     * events of different threads may come in any order: what statistics that pair a thread's
     * exits with its entries need, and what lets a reader take each CPU's events in a run instead
     * of interleaving them one by one. The window rules of {@link #read} hold, and the summary is
     * the same. The default feeds {@link #read}'s time-ordered events through
     * {@link ExitEntryConsumer#dispatch}.
     *
     * @param file the file
     * @param threads how many threads may read at once, at least 1
     * @param parts the consumer of each window's events
     * @return what was read, as {@link #read} reports it
     * @throws java.io.UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException if the file's header is not of this format
     */
    default KvmTraceSummary readByThread(Path file, int threads, IntFunction<ExitEntryConsumer> parts) {
        return read(file, threads, index -> {
            ExitEntryConsumer consumer = parts.apply(index);
            return event -> ExitEntryConsumer.dispatch(consumer, event);
        });
    }
}
