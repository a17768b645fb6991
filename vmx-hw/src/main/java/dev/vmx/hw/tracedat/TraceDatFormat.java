package dev.vmx.hw.tracedat;

import dev.vmx.trace.BinaryKvmTraceFormat;
import dev.vmx.trace.ExitEntryConsumer;
import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmTraceSummary;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * The trace.dat {@link BinaryKvmTraceFormat}: with vmx-hw present, {@code ExitStatistics.readFile}
 * reads trace-cmd files through {@link TraceDat#readInWindows}. Registered as a service; not for
 * direct use.
 */
public final class TraceDatFormat implements BinaryKvmTraceFormat {
    /** The service instance {@link java.util.ServiceLoader} creates. */
    public TraceDatFormat() {
    }

    @Override
    public boolean recognizes(byte[] head, int length) {
        return TraceDat.hasMagic(head, length);
    }

    @Override
    public KvmTraceSummary read(Path file, int threads, IntFunction<Consumer<? super KvmEvent>> parts) {
        try (TraceDat dat = TraceDat.open(file)) {
            return dat.readInWindows(threads, parts);
        }
    }

    @Override
    public KvmTraceSummary readByThread(Path file, int threads, IntFunction<ExitEntryConsumer> parts) {
        try (TraceDat dat = TraceDat.open(file)) {
            return dat.readByThread(threads, parts);
        }
    }
}
