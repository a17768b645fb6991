package dev.vmx.hw.tracefs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.vmx.hw.internal.LibC;
import dev.vmx.trace.KvmEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A poll of a machine with many idle CPUs allocates nothing: every CPU's {@code trace_pipe_raw}
 * answers a non-blocking read with {@code EAGAIN}, and that answer must not become an object
 * (before the direct-mapped read it was a JNA {@code LastErrorException} with its stack trace, per
 * idle CPU per poll: garbage in proportion to the CPU count, about 80 KB per poll on 16 CPUs).
 * The CPUs are simulated by empty non-blocking FIFOs with a writer open, which answer a read
 * exactly as an idle {@code trace_pipe_raw} does; no root, tracefs or KVM needed.
 */
class IdleCpuPollAllocationTest {
    private static final int CPUS = 128;
    private static final int POLLS = 2_000;

    @Test
    void pollingManyIdleCpusAllocatesNothing() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes per thread");
        threads.setThreadAllocatedMemoryEnabled(true);
        Path directory = Files.createTempDirectory("vmx-idle-cpus-");
        int[] readers = new int[CPUS];
        int[] writers = new int[CPUS];
        Arrays.fill(readers, -1);
        Arrays.fill(writers, -1);
        try {
            for (int cpu = 0; cpu < CPUS; cpu++) {
                String fifo = directory.resolve("cpu" + cpu).toString();
                Process mkfifo = new ProcessBuilder("mkfifo", fifo).inheritIO().start();
                assertEquals(0, mkfifo.waitFor(), "mkfifo " + fifo);
                readers[cpu] = LibC.INSTANCE.open(fifo, LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
                writers[cpu] = LibC.INSTANCE.open(fifo, 1 /* O_WRONLY */ | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
            }
            int[] cpus = new int[CPUS];
            Arrays.setAll(cpus, i -> i);
            RingBufferDecoder decoder = new RingBufferDecoder(Formats.headerPage(), Formats.kvmEvents());
            Memory memory = new Memory(decoder.pageSize());
            ByteBuffer page = memory.getByteBuffer(0, decoder.pageSize()).order(ByteOrder.LITTLE_ENDIAN);
            long[] seen = new long[1];
            Consumer<KvmEvent> sink = event -> seen[0]++;
            int delivered = 0;
            for (int i = 0; i < POLLS; i++) { // warm up: class loading, the interpreter's first calls, JIT
                delivered += KvmTraceStream.readAvailable(readers, cpus, Pointer.nativeValue(memory), page, decoder, sink, directory);
            }
            long thread = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < POLLS; i++) {
                delivered += KvmTraceStream.readAvailable(readers, cpus, Pointer.nativeValue(memory), page, decoder, sink, directory);
            }
            long bytes = threads.getThreadAllocatedBytes(thread) - before;
            long reads = (long) CPUS * POLLS;
            System.out.println("idle poll: " + bytes + " bytes for " + POLLS + " polls of " + CPUS + " idle CPUs (" + reads
                    + " EAGAIN reads)");
            assertEquals(0, delivered);
            assertEquals(0, seen[0]);
            // less than one byte per idle CPU per poll: nothing per CPU (one object per read would be >= 16 bytes)
            assertTrue(bytes < reads, bytes + " bytes allocated for " + reads + " EAGAIN reads of idle CPUs");
        } finally {
            for (int cpu = 0; cpu < CPUS; cpu++) {
                if (readers[cpu] >= 0) {
                    LibC.INSTANCE.close(readers[cpu]);
                }
                if (writers[cpu] >= 0) {
                    LibC.INSTANCE.close(writers[cpu]);
                }
            }
            try (java.util.stream.Stream<Path> files = Files.walk(directory)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** A read error other than EAGAIN is not mistaken for an idle CPU: it is named, with its errno. */
    @Test
    void aFailingReadIsNamedWithItsCpuAndErrno() throws Exception {
        RingBufferDecoder decoder = new RingBufferDecoder(Formats.headerPage(), Formats.kvmEvents());
        Memory memory = new Memory(decoder.pageSize());
        ByteBuffer page = memory.getByteBuffer(0, decoder.pageSize()).order(ByteOrder.LITTLE_ENDIAN);
        Path where = Path.of("/sys/kernel/tracing/instances/test");
        // fd 1_000_000 is above any limit: EBADF (9, asm-generic/errno-base.h)
        dev.vmx.hw.NativeUnavailableException error = org.junit.jupiter.api.Assertions.assertThrows(
                dev.vmx.hw.NativeUnavailableException.class, () -> KvmTraceStream.readAvailable(new int[] {1_000_000},
                        new int[] {7}, Pointer.nativeValue(memory), page, decoder, event -> { }, where));
        assertTrue(error.getMessage().contains("read of cpu7/trace_pipe_raw failed: Bad file descriptor"), error.getMessage());
        assertEquals(9, error.errno());
    }
}
