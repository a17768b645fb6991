package dev.vmx.hw.tracefs;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Realistic ring-buffer pages for benchmarks (vmx-bench uses this class from the vmx-hw test jar):
 * alternating {@code kvm_exit} / {@code kvm_entry} records of a busy VMX guest, built from this
 * kernel's copied format files exactly as the kernel lays them out.
 */
public final class SamplePages {
    private final List<ByteBuffer> pages = new ArrayList<>();
    private final long events;
    private final long exitCodeSum;

    private SamplePages(int pageCount, long seed) {
        EventFormat exit = Formats.event("kvm_exit");
        EventFormat entry = Formats.event("kvm_entry");
        SplittableRandom random = new SplittableRandom(seed);
        long[] exitCodes = {48, 48, 48, 30, 30, 32, 1, 12, 52, 10};
        long eventCount = 0;
        long codeSum = 0;
        for (int p = 0; p < pageCount; p++) {
            PageBuilder builder = new PageBuilder(1_000_000L * p);
            int usable = Formats.headerPage().field("data").orElseThrow().size() - 128;
            while (builder.used() < usable) {
                long exitCode = exitCodes[random.nextInt(exitCodes.length)];
                builder.event(400, exit, Map.of("exit_reason", exitCode, "guest_rip", 0xffffffff81000000L + random.nextInt(1 << 20),
                        "isa", 1L, "info1", 0x181L, "info2", 0L, "vcpu_id", (long) random.nextInt(4)));
                builder.event(900, entry, Map.of("vcpu_id", (long) random.nextInt(4), "rip", 0xffffffff81000000L));
                eventCount += 2;
                codeSum += exitCode;
            }
            pages.add(builder.build(0));
        }
        this.events = eventCount;
        this.exitCodeSum = codeSum;
    }

    /**
     * Builds pages.
     *
     * @param pageCount how many pages
     * @param seed random seed for the exit mix
     * @return the pages and what they hold
     */
    public static SamplePages build(int pageCount, long seed) {
        return new SamplePages(pageCount, seed);
    }

    /**
     * A decoder for these pages, configured from the same format files.
     *
     * @return a new decoder
     */
    public RingBufferDecoder decoder() {
        return new RingBufferDecoder(Formats.headerPage(), Formats.kvmEvents());
    }

    /**
     * The pages, each a little-endian buffer of one page size.
     *
     * @return the pages
     */
    public List<ByteBuffer> pages() {
        return pages;
    }

    /**
     * How many events the pages hold.
     *
     * @return kvm_exit plus kvm_entry records
     */
    public long events() {
        return events;
    }

    /**
     * The sum of the exit codes of all kvm_exit records, for checking a decode.
     *
     * @return the sum
     */
    public long exitCodeSum() {
        return exitCodeSum;
    }
}
