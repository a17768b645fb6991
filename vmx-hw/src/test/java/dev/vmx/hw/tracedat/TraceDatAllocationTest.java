package dev.vmx.hw.tracedat;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.trace.ExitEntryConsumer;
import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmIsa;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a trace.dat allocates no object per event, one by one or by thread: a file with about seven times the events
 * costs about the same bytes (a reader's set-up and its per-page timestamps only). Bytes counted
 * with {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}, never timed.
 */
class TraceDatAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private long sum;

    /** Sums what it is handed, allocating nothing. */
    private final ExitEntryConsumer summing = new ExitEntryConsumer() {
        @Override
        public void acceptExit(int pid, long timestampNanos, KvmIsa isa, long exitCode, long guestRip, int vcpu,
                long info1, int intrInfo) {
            sum += pid + timestampNanos + isa.ordinal() + exitCode + guestRip + vcpu + info1 + intrInfo;
        }

        @Override
        public void acceptEntry(int pid, long timestampNanos, int vcpu) {
            sum += pid + timestampNanos + vcpu;
        }

        @Override
        public void acceptOther(KvmEvent event) {
            sum += event.port() + event.pid() + event.timestampNanos() + event.type().ordinal();
        }
    };

    private long readAllocating(Path file, boolean byThread, TraceDat.Storage storage) {
        long before = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
        try (TraceDat dat = TraceDat.open(file, storage)) {
            if (byThread) {
                dat.readByThread(1, index -> summing);
            } else {
                TraceDatReader reader = dat.reader();
                while (reader.advance()) {
                    KvmEvent event = reader.event();
                    sum += event.exitCode() + event.info1() + event.guestRip() + event.vcpu() + event.pid() + event.port()
                            + event.timestampNanos() + event.type().ordinal();
                }
            }
        }
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
    }

    @Test
    void readingAllocatesNothingPerEvent(@TempDir Path directory) throws Exception {
        TraceDatWriter writer = new TraceDatWriter("kvm_exit", "kvm_entry", "kvm_pio");
        List<TraceDatWriter.Event> small = WrittenTraceDatTest.workload(new Random(1), 4, 200);
        List<TraceDatWriter.Event> large = WrittenTraceDatTest.workload(new Random(1), 4, 1500);
        Map<Integer, List<byte[]>> smallPages = writer.pages(small, WrittenTraceDatTest.CPUS);
        Map<Integer, List<byte[]>> largePages = writer.pages(large, WrittenTraceDatTest.CPUS);
        for (String version : List.of("v6", "v7 zlib", "v6 by thread", "v7 zlib by thread", "v7 zlib, temporary files")) {
            boolean byThread = version.endsWith("by thread");
            // past the heap budget, decompressed data goes to temporary files: no heap for it at all
            boolean files = version.endsWith("temporary files");
            TraceDat.Storage storage = files ? new TraceDat.Storage(1L << 30, 0) : TraceDat.Storage.DEFAULT;
            Path smallFile = Files.write(directory.resolve("small.dat"),
                    version.startsWith("v6") ? writer.v6(smallPages) : writer.v7(smallPages, true, 10));
            Path largeFile = Files.write(directory.resolve("large.dat"),
                    version.startsWith("v6") ? writer.v6(largePages) : writer.v7(largePages, true, 10));
            for (int warm = 0; warm < 5; warm++) {
                readAllocating(smallFile, byThread, storage);
                readAllocating(largeFile, byThread, storage);
            }
            long smallBytes = readAllocating(smallFile, byThread, storage);
            long largeBytes = readAllocating(largeFile, byThread, storage);
            long moreEvents = large.size() - small.size();
            // v7 zlib reads each compressed chunk and decompresses into one array per CPU: bytes of the
            // data (per chunk of pages), not objects per event
            // (with temporary files only the compressed chunks are read onto the heap)
            long data = version.startsWith("v6") ? 0 : (files ? 0 : largePages.values().stream().mapToLong(List::size).sum()
                    * 4096L) + Files.size(largeFile);
            long perEvent = (largeBytes - smallBytes - data) / moreEvents;
            assertTrue(perEvent < 1, version + ": " + (largeBytes - smallBytes - data) + " more bytes for " + moreEvents
                    + " more events (small " + smallBytes + " B, large " + largeBytes + " B)");
        }
        assertTrue(sum != 0);
    }
}
