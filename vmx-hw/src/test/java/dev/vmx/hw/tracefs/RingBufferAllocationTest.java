package dev.vmx.hw.tracefs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.trace.KvmEvent;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Decoding pages allocates no object per event: bytes counted with
 * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}, never timed.
 */
class RingBufferAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int ROUNDS = 2000;

    /** Reads every accessor so nothing is skipped; sums into a field so the JIT keeps the reads. */
    static final class Summing implements Consumer<KvmEvent> {
        long sum;

        @Override
        public void accept(KvmEvent event) {
            sum += event.exitCode() + event.info1() + event.info2() + event.intrInfo() + event.errorCode()
                    + event.guestRip() + event.port() + event.size() + event.value() + event.vcpu()
                    + event.timestampNanos() + event.cpu() + event.pid() + event.isa().ordinal()
                    + event.userspaceExitReason() + event.type().ordinal() + event.message().length();
        }
    }

    /** Keeps each event as a record: one object per event, so the measurement must see it. */
    static final class Keeping implements Consumer<KvmEvent> {
        Object last;

        @Override
        public void accept(KvmEvent event) {
            last = event.toRecord();
        }
    }

    private static ByteBuffer page() {
        PageBuilder builder = new PageBuilder(0);
        for (int i = 0; i < 20; i++) {
            builder.event(3, Formats.event("kvm_exit"), Map.of("exit_reason", 0x7bL, "isa", 2L, "info1", (long) i))
                    .event(1, Formats.event("kvm_pio"), Map.of("port", 0x3f8L, "size", 1L, "val", 0x48L))
                    .event(1, Formats.event("kvm_userspace_exit"), Map.of("reason", 2L))
                    .event(2, Formats.event("kvm_entry"), Map.of("vcpu_id", 0L));
        }
        return builder.build(0);
    }

    private static long allocated(RingBufferDecoder decoder, ByteBuffer page, Consumer<KvmEvent> sink) {
        long thread = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(thread);
        for (int round = 0; round < ROUNDS; round++) {
            decoder.decodePage(page, page.capacity(), 0, sink);
        }
        return THREADS.getThreadAllocatedBytes(thread) - before;
    }

    @Test
    void decodingAllocatesNothingPerEvent() {
        assertTrue(THREADS.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes");
        THREADS.setThreadAllocatedMemoryEnabled(true);
        RingBufferDecoder decoder = new RingBufferDecoder(Formats.headerPage(), Formats.kvmEvents());
        ByteBuffer page = page();
        Summing sink = new Summing();
        for (int warmup = 0; warmup < 5; warmup++) {
            allocated(decoder, page, sink);
        }
        long before = decoder.stats().events();
        long bytes = allocated(decoder, page, sink);
        long events = decoder.stats().events() - before;
        assertEquals(80L * ROUNDS, events);
        assertTrue(sink.sum != 0);
        // one object per event would be >= 16 bytes * 160000 events
        assertTrue(bytes < 4096, bytes + " bytes allocated for " + events + " events");

        // the control: keeping records does allocate, and the same measurement sees it
        long kept = allocated(decoder, page, new Keeping());
        assertTrue(kept >= 16L * events, kept + " bytes for " + events + " kept records");
    }
}
