package dev.vmx.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ExitStatistics#merge}, {@link ExitStatistics#acceptMeasuredExit} and the serialized forms:
 * any split of the events into streams, each read into its own statistics and merged in any order
 * and shape (directly, or after a trip through bytes or JSON), gives exactly the statistics of one
 * reader over all of them. Traces are synthesized in the Linux 6.1 TP_printk layouts of
 * arch/x86/kvm/trace.h (kvm_exit, kvm_entry, kvm_pio, kvm_msr).
 */
class ExitStatisticsMergeTest {
    private static final String[] REASONS = {"EPT_VIOLATION", "IO_INSTRUCTION", "MSR_WRITE", "MSR_READ", "HLT",
        "EXTERNAL_INTERRUPT", "CPUID", "CR_ACCESS", "EXCEPTION_NMI", "INVALID_STATE FAILED_VMENTRY"};

    /** Interleaved vCPU threads; times repeat often (so buckets hold one value or several), RIPs in both halves. */
    static String trace(SplittableRandom random, int lines, int threads) {
        StringBuilder text = new StringBuilder();
        long[] time = new long[threads];
        for (int i = 0; i < lines; i++) {
            int vcpu = random.nextInt(threads);
            int pid = 7000 + vcpu;
            int step = random.nextInt(50) == 0 ? -3_000 : random.nextBoolean() ? 2_000 + 1_000 * random.nextInt(2)
                    : (int) Math.pow(10, 1 + random.nextDouble() * 5);
            time[vcpu] = Math.max(0, time[vcpu] + step);
            String prefix = String.format(" CPU %d/KVM-%d [%03d] d..1. %d.%09d: ", vcpu, pid, vcpu,
                    time[vcpu] / 1_000_000_000L, time[vcpu] % 1_000_000_000L);
            int kind = random.nextInt(100);
            String rip = random.nextInt(3) == 0 ? "0x00007f12345678a0" : "0xffffffff81000000";
            if (kind < 40) {
                text.append(prefix).append("kvm_exit: vcpu ").append(vcpu).append(" reason ").append(REASONS[random.nextInt(REASONS.length)])
                        .append(" rip ").append(rip).append(" info1 0x").append(Long.toHexString(random.nextInt(0x200)))
                        .append(" info2 0x0000000000000000 intr_info 0x80000b0e error_code 0x00000000");
            } else if (kind < 50) {
                text.append(prefix).append("kvm_pio: pio_").append(random.nextBoolean() ? "write" : "read")
                        .append(" at 0x").append(Integer.toHexString(0x3f8 + random.nextInt(3))).append(" size 1 count 1 val 0x41");
            } else if (kind < 58) {
                text.append(prefix).append("kvm_msr: msr_").append(random.nextBoolean() ? "write" : "read")
                        .append(random.nextBoolean() ? " 6e0" : " 1b").append(" = 0x1234");
            } else if (kind < 64) {
                text.append(prefix).append("kvm_page_fault: vcpu ").append(vcpu).append(" rip ").append(rip)
                        .append(" address 0x0000000").append(Integer.toHexString(0xfee00 + random.nextInt(4))).append("123 error_code 0x")
                        .append(Integer.toHexString(0x180 + 1 + random.nextInt(4)));
            } else {
                text.append(prefix).append("kvm_entry: vcpu ").append(vcpu).append(", rip ").append(rip)
                        .append(" intr_info 0x00000000 error_code 0x00000000");
            }
            text.append('\n');
        }
        return text.toString();
    }

    private static List<KvmEventRecord> events(String text) {
        List<KvmEventRecord> events = new ArrayList<>();
        try (KvmTraceReader reader = KvmTraceReader.of(new StringReader(text), "t")) {
            while (reader.advance()) {
                events.add(KvmEventRecord.copyOf(reader.event()));
            }
            assertEquals(0, reader.problemCount());
        }
        return events;
    }

    private static ExitStatistics read(List<? extends KvmEvent> events, ExitStatistics.Grouping grouping) {
        ExitStatistics statistics = ExitStatistics.by(grouping).keepSlowest(7, 0);
        events.forEach(statistics::accept);
        return statistics;
    }

    private static void assertSame(ExitStatistics expected, ExitStatistics actual, String context) {
        assertEquals(expected.rows(ExitStatistics.Order.REASON), actual.rows(ExitStatistics.Order.REASON), context);
        assertEquals(expected.totalExits(), actual.totalExits(), context);
        assertEquals(expected.unattributedExits(), actual.unattributedExits(), context);
        assertEquals(expected.unpairedEntries(), actual.unpairedEntries(), context);
        assertEquals(expected.backwardIntervals(), actual.backwardIntervals(), context);
        assertEquals(expected.toTable(ExitStatistics.Order.COUNT), actual.toTable(ExitStatistics.Order.COUNT), context);
        assertArrayEquals(expected.toBytes(), actual.toBytes(), context);
        assertEquals(expected.toStateJson(), actual.toStateJson(), context);
    }

    @Test
    void anyRandomSplitMergedInAnyOrderAndShapeEqualsOneReader() {
        SplittableRandom random = new SplittableRandom(18);
        int slowestChecked = 0;
        for (int round = 0; round < 12; round++) {
            int threads = 1 + random.nextInt(9);
            List<KvmEventRecord> events = events(trace(random, 500 + random.nextInt(4_000), threads));
            for (ExitStatistics.Grouping grouping : ExitStatistics.Grouping.values()) {
                ExitStatistics whole = read(events, grouping);
                // split: each vCPU thread's events go to one of k streams (pairing is per thread)
                int k = 1 + random.nextInt(5);
                Map<Integer, Integer> streamOf = new HashMap<>();
                List<ExitStatistics> streams = new ArrayList<>();
                for (int i = 0; i < k; i++) {
                    streams.add(ExitStatistics.by(grouping).keepSlowest(7, 0));
                }
                for (KvmEventRecord event : events) {
                    streams.get(streamOf.computeIfAbsent(event.pid(), pid -> random.nextInt(k))).accept(event);
                }
                ExitStatistics direct = ExitStatistics.by(grouping).keepSlowest(7, 0);
                for (ExitStatistics stream : streams) {
                    direct.merge(stream);
                }
                // some streams travel as bytes or JSON, as if computed on another host
                Deque<ExitStatistics> pool = new ArrayDeque<>();
                for (ExitStatistics stream : streams) {
                    int trip = random.nextInt(3);
                    pool.add(trip == 0 ? stream : trip == 1 ? ExitStatistics.fromBytes(stream.toBytes())
                            : ExitStatistics.fromStateJson(stream.toStateJson()));
                }
                // merge in a random tree shape and order
                List<ExitStatistics> list = new ArrayList<>(pool);
                while (list.size() > 1) {
                    ExitStatistics a = list.remove(random.nextInt(list.size()));
                    ExitStatistics b = list.remove(random.nextInt(list.size()));
                    list.add(a.merge(b));
                }
                String context = grouping + ", round " + round + ", " + k + " streams";
                assertSame(whole, list.get(0), context);
                // the slowest intervals of the merged streams are the slowest of all (the serialized
                // forms do not carry them: merged here before the streams travel or are merged into)
                assertEquals(whole.slowestExits().stream().map(SlowExit::nanos).toList(),
                        direct.slowestExits().stream().map(SlowExit::nanos).toList(), context);
                slowestChecked++;
            }
        }
        assertTrue(slowestChecked > 5, "merges of streams that kept their slowest intervals: " + slowestChecked);
    }

    /**
     * What lets a binary trace reader hand over each CPU's events in runs: the statistics depend
     * only on each thread's own events in order, however the threads interleave, and the same
     * events fed as plain values through {@link ExitStatistics#asConsumer} count the same.
     */
    @Test
    void onlyEachThreadsOrderCountsAndTheConsumerPathCountsTheSame() {
        SplittableRandom random = new SplittableRandom(23);
        for (int round = 0; round < 8; round++) {
            int threads = 2 + random.nextInt(7);
            List<KvmEventRecord> events = events(trace(random, 500 + random.nextInt(3_000), threads));
            // another interleaving: each thread's events keep their order, threads are taken at random
            Map<Integer, Deque<KvmEventRecord>> byThread = new HashMap<>();
            for (KvmEventRecord event : events) {
                byThread.computeIfAbsent(event.pid(), pid -> new ArrayDeque<>()).add(event);
            }
            List<Deque<KvmEventRecord>> queues = new ArrayList<>(byThread.values());
            List<KvmEventRecord> shuffled = new ArrayList<>();
            while (!queues.isEmpty()) {
                int pick = random.nextInt(queues.size());
                for (int run = 1 + random.nextInt(20); run > 0 && !queues.get(pick).isEmpty(); run--) {
                    shuffled.add(queues.get(pick).poll());
                }
                if (queues.get(pick).isEmpty()) {
                    queues.remove(pick);
                }
            }
            assertEquals(events.size(), shuffled.size());
            assertTrue(!shuffled.equals(events), "the interleaving differs");
            for (ExitStatistics.Grouping grouping : ExitStatistics.Grouping.values()) {
                String context = grouping + ", round " + round;
                ExitStatistics inOrder = read(events, grouping);
                ExitStatistics interleaved = read(shuffled, grouping);
                ExitStatistics consumed = ExitStatistics.by(grouping).keepSlowest(7, 0);
                ExitEntryConsumer consumer = consumed.asConsumer();
                shuffled.forEach(event -> ExitEntryConsumer.dispatch(consumer, event));
                assertSame(inOrder, interleaved, context);
                assertSame(inOrder, consumed, context + ", as plain values");
                // equally slow intervals may be kept for other exits; their times are the same
                assertEquals(inOrder.slowestExits().stream().map(SlowExit::nanos).toList(),
                        consumed.slowestExits().stream().map(SlowExit::nanos).toList(), context);
            }
        }
    }

    @Test
    void exitsPairedElsewhereGiveTheSameStatisticsAsTheEventStream() {
        SplittableRandom random = new SplittableRandom(5);
        List<KvmEventRecord> events = events(trace(random, 6_000, 4));
        for (ExitStatistics.Grouping grouping : ExitStatistics.Grouping.values()) {
            ExitStatistics measured = ExitStatistics.by(grouping);
            // pair per thread as an engine over a table of events would: an exit, the first kvm_pio or
            // kvm_msr before the next entry, and that entry's time
            Map<Integer, KvmEventRecord> pendingExit = new HashMap<>();
            Map<Integer, KvmEventRecord> pendingAccess = new HashMap<>();
            List<Object[]> exits = new ArrayList<>();
            Map<Integer, Object[]> open = new HashMap<>();
            for (KvmEventRecord event : events) {
                switch (event.type()) {
                    case KVM_EXIT -> {
                        Object[] exit = {event, null, OptionalLong.empty()};
                        exits.add(exit);
                        open.put(event.pid(), exit);
                        pendingExit.put(event.pid(), event);
                        pendingAccess.remove(event.pid());
                    }
                    case KVM_PIO, KVM_MSR, KVM_PAGE_FAULT -> {
                        Object[] exit = open.get(event.pid());
                        KvmEventType wanted = grouping == ExitStatistics.Grouping.IO_PORT ? KvmEventType.KVM_PIO
                                : grouping == ExitStatistics.Grouping.MSR ? KvmEventType.KVM_MSR : KvmEventType.KVM_PAGE_FAULT;
                        boolean named = event.type() == wanted;
                        if (exit != null && exit[1] == null && named) {
                            exit[1] = event;
                        }
                    }
                    case KVM_ENTRY -> {
                        Object[] exit = open.remove(event.pid());
                        if (exit != null) {
                            exit[2] = OptionalLong.of(event.timestampNanos() - ((KvmEvent) exit[0]).timestampNanos());
                        }
                    }
                    default -> { }
                }
            }
            for (Object[] exit : exits) {
                if (exit[1] == null) {
                    measured.acceptMeasuredExit((KvmEvent) exit[0], (OptionalLong) exit[2]);
                } else {
                    measured.acceptMeasuredExit((KvmEvent) exit[0], (KvmEvent) exit[1], (OptionalLong) exit[2]);
                }
            }
            ExitStatistics streamed = read(events, grouping);
            assertEquals(streamed.rows(ExitStatistics.Order.REASON), measured.rows(ExitStatistics.Order.REASON), grouping.toString());
            assertEquals(streamed.totalExits(), measured.totalExits(), grouping.toString());
            assertEquals(streamed.unattributedExits(), measured.unattributedExits(), grouping.toString());
            assertEquals(streamed.backwardIntervals(), measured.backwardIntervals(), grouping.toString());
        }
        KvmEventRecord entry = events.stream().filter(e -> e.type() == KvmEventType.KVM_ENTRY).findFirst().orElseThrow();
        IllegalArgumentException notExit = assertThrows(IllegalArgumentException.class,
                () -> ExitStatistics.byReason().acceptMeasuredExit(entry, OptionalLong.of(5)));
        assertEquals("not a kvm_exit event: KVM_ENTRY", notExit.getMessage());
    }

    @Test
    void mergeRefusesAnotherGroupingAndDoublesItself() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExitStatistics.byReason().merge(ExitStatistics.by(ExitStatistics.Grouping.IO_PORT)));
        assertEquals("cannot merge statistics grouped by IO_PORT into statistics grouped by REASON", e.getMessage());
        List<KvmEventRecord> events = events(trace(new SplittableRandom(3), 2_000, 2));
        ExitStatistics once = read(events, ExitStatistics.Grouping.REASON);
        ExitStatistics twice = read(events, ExitStatistics.Grouping.REASON).merge(read(events, ExitStatistics.Grouping.REASON));
        ExitStatistics self = read(events, ExitStatistics.Grouping.REASON);
        assertArrayEquals(twice.toBytes(), self.merge(self).toBytes());
        assertEquals(2 * once.totalExits(), self.totalExits());
    }
}
