package dev.vmx.trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** {@link ExitStatistics#readFile}'s hook for binary traces: a {@link BinaryKvmTraceFormat} reads them in time windows. */
final class BinaryTraceFiles {
    /**
     * trace-cmd's magic (trace-cmd.dat(5), "INITIAL FORMAT"): 0x17 0x08 0x44, then "tracing".
     */
    static final byte[] TRACE_DAT_MAGIC = {0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g'};

    private BinaryTraceFiles() {
    }

    /**
     * Reads {@code file} into {@code target} if it is a binary trace.
     *
     * @return the summary, or null if the file is not binary (read it as text)
     * @throws IllegalArgumentException for a trace.dat when no reader of it is present
     */
    static KvmTraceSummary read(ExitStatistics target, Path file, int threads) {
        byte[] head = new byte[16];
        int length;
        try (InputStream in = Files.newInputStream(file)) {
            length = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kvm trace " + file, e);
        }
        for (BinaryKvmTraceFormat format : ServiceLoader.load(BinaryKvmTraceFormat.class)) {
            if (format.recognizes(head, length)) {
                return read(format, target, file, threads);
            }
        }
        if (length >= TRACE_DAT_MAGIC.length && java.util.Arrays.equals(head, 0, TRACE_DAT_MAGIC.length, TRACE_DAT_MAGIC,
                0, TRACE_DAT_MAGIC.length)) {
            throw new IllegalArgumentException(file + " is a trace-cmd trace.dat; reading it needs vmx-hw (module"
                    + " dev.vmx.hw) on the class or module path");
        }
        return null;
    }

    private static KvmTraceSummary read(BinaryKvmTraceFormat format, ExitStatistics target, Path file, int threads) {
        if (target.keepsSlowest()) {
            // which of several equally slow exits is kept depends on the order of all threads' events
            return readInTimeOrder(format, target, file, threads);
        }
        // the statistics depend only on each thread's own events in order (exits pair with the next
        // entry of their thread), so the reader may hand over each CPU's events in runs
        if (threads == 1) {
            return format.readByThread(file, 1, index -> target.asConsumer());
        }
        Map<Integer, ExitStatistics> parts = new TreeMap<>();
        KvmTraceSummary summary = format.readByThread(file, threads, index -> part(target, parts, index).asConsumer());
        return absorbParts(target, parts) ? summary : format.readByThread(file, 1, index -> target.asConsumer());
    }

    private static KvmTraceSummary readInTimeOrder(BinaryKvmTraceFormat format, ExitStatistics target, Path file,
            int threads) {
        if (threads == 1) {
            return format.read(file, 1, index -> target::accept); // one window: the file in time order
        }
        Map<Integer, ExitStatistics> parts = new TreeMap<>();
        KvmTraceSummary summary = format.read(file, threads, index -> part(target, parts, index)::accept);
        return absorbParts(target, parts) ? summary : format.read(file, 1, index -> target::accept);
    }

    private static ExitStatistics part(ExitStatistics target, Map<Integer, ExitStatistics> parts, int index) {
        ExitStatistics part = target.newPart();
        synchronized (parts) {
            parts.put(index, part);
        }
        return part;
    }

    /**
     * Adds the parts to {@code target} in window order.
     *
     * @return false, leaving {@code target} as it was, when the file must be read again by one reader
     */
    private static boolean absorbParts(ExitStatistics target, Map<Integer, ExitStatistics> parts) {
        boolean first = true;
        for (ExitStatistics part : parts.values()) {
            if (!first && part.needsCarriedVcpu()) {
                // per-vCPU rows of a trace whose exits carry no vCPU id: only one reader can name them
                return false;
            }
            first = false;
        }
        for (ExitStatistics part : parts.values()) {
            target.absorb(part, 0); // binary events carry no line numbers (-1), so there is nothing to shift
        }
        return true;
    }
}
