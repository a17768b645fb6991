package dev.vmx.hw.tracedat;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.trace.KvmEvent;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a trace.dat allocates no object per event: a file with about seven times the events
 * costs about the same bytes (a reader's set-up and its per-page timestamps only). Bytes counted
 * with {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}, never timed.
 */
class TraceDatAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private long sum;

    private long readAllocating(Path file) {
        long before = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
        try (TraceDat dat = TraceDat.open(file)) {
            TraceDatReader reader = dat.reader();
            while (reader.advance()) {
                KvmEvent event = reader.event();
                sum += event.exitCode() + event.info1() + event.guestRip() + event.vcpu() + event.pid() + event.port()
                        + event.timestampNanos() + event.type().ordinal();
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
        for (String version : List.of("v6", "v7 zlib")) {
            Path smallFile = Files.write(directory.resolve("small.dat"),
                    version.equals("v6") ? writer.v6(smallPages) : writer.v7(smallPages, true, 10));
            Path largeFile = Files.write(directory.resolve("large.dat"),
                    version.equals("v6") ? writer.v6(largePages) : writer.v7(largePages, true, 10));
            for (int warm = 0; warm < 5; warm++) {
                readAllocating(smallFile);
                readAllocating(largeFile);
            }
            long smallBytes = readAllocating(smallFile);
            long largeBytes = readAllocating(largeFile);
            long moreEvents = large.size() - small.size();
            // v7 zlib reads each compressed chunk and decompresses into one array per CPU: bytes of the
            // data (per chunk of pages), not objects per event
            long data = version.equals("v6") ? 0 : largePages.values().stream().mapToLong(List::size).sum() * 4096L
                    + Files.size(largeFile);
            long perEvent = (largeBytes - smallBytes - data) / moreEvents;
            assertTrue(perEvent < 1, version + ": " + (largeBytes - smallBytes - data) + " more bytes for " + moreEvents
                    + " more events (small " + smallBytes + " B, large " + largeBytes + " B)");
        }
        assertTrue(sum != 0);
    }
}
