package dev.vmx.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a file in parts on several threads gives exactly the statistics and counts of one reader
 * accepting every event in order: for every grouping, over traces whose vCPU threads interleave,
 * cross the cuts with pending exits, deferred I/O and MSR exits, entries without exits, clocks that
 * run backwards and malformed lines (kvm_exit/kvm_entry/kvm_pio/kvm_msr in the Linux 6.1 and 4.x
 * TP_printk layouts of arch/x86/kvm/trace.h).
 */
class ParallelTraceReadingTest {
    private static final String[] REASONS = {"EPT_VIOLATION", "IO_INSTRUCTION", "MSR_WRITE", "MSR_READ", "HLT",
        "EXTERNAL_INTERRUPT", "CPUID", "INVALID_STATE FAILED_VMENTRY", "EPT_VIOLATION 0x8000000"};

    /** A trace of {@code threads} vCPU threads; {@code old} uses Linux 4.x lines (no vCPU in kvm_exit). */
    private static String trace(SplittableRandom random, int lines, int threads, boolean old) {
        StringBuilder text = new StringBuilder("# tracer: nop\n#\n");
        long[] time = new long[threads];
        for (int i = 0; i < lines; i++) {
            int vcpu = random.nextInt(threads);
            int pid = 7000 + vcpu;
            time[vcpu] += random.nextInt(40) == 0 ? -5_000 : 1_000 + random.nextInt(30_000);
            String prefix = String.format(" CPU %d/KVM-%d [%03d] d..1. %d.%09d: ", vcpu, pid, vcpu,
                    Math.max(0, time[vcpu]) / 1_000_000_000L, Math.max(0, time[vcpu]) % 1_000_000_000L);
            int kind = random.nextInt(100);
            String reason = REASONS[random.nextInt(REASONS.length)];
            if (kind < 40) {
                text.append(prefix).append(old
                        ? "kvm_exit: reason " + reason + " rip 0xffffffff81000000 info 181 0"
                        : "kvm_exit: vcpu " + vcpu + " reason " + reason + " rip 0xffffffff81000000 info1 0x0000000000000181"
                                + " info2 0x0000000000000000 intr_info 0x80000b0e error_code 0x00000000");
            } else if (kind < 50) {
                text.append(prefix).append("kvm_pio: pio_").append(random.nextBoolean() ? "write" : "read")
                        .append(" at 0x").append(Integer.toHexString(0x3f8 + random.nextInt(3))).append(" size 1 count 1 val 0x41");
            } else if (kind < 58) {
                text.append(prefix).append("kvm_msr: msr_").append(random.nextBoolean() ? "write" : "read")
                        .append(" 6e0 = 0x1234");
            } else if (kind < 63) {
                text.append(prefix).append(old ? "kvm_page_fault: address fee00" + random.nextInt(3) + "0 error_code 18" + (1 + random.nextInt(2))
                        : "kvm_page_fault: vcpu " + vcpu + " rip 0xffffffff81000000 address 0x00000000fee0" + random.nextInt(3)
                                + "0b0 error_code 0x18" + (1 + random.nextInt(2)));
            } else if (kind < 98) {
                text.append(prefix).append(old ? "kvm_entry: vcpu " + vcpu
                        : "kvm_entry: vcpu " + vcpu + ", rip 0xffffffff81000000 intr_info 0x00000000 error_code 0x00000000");
            } else if (kind < 99) {
                text.append(prefix).append("kvm_exit: vcpu x reason HLT"); // malformed
            } else {
                text.append("CPU:").append(vcpu).append(" [LOST ").append(1 + random.nextInt(500)).append(" EVENTS]");
            }
            text.append('\n');
        }
        return text.toString();
    }

    private static void assertSameAsOneReader(Path file, ExitStatistics.Grouping grouping, int threads, long minPart) {
        ExitStatistics sequential = ExitStatistics.by(grouping);
        KvmTraceSummary expected;
        try (KvmTraceReader reader = KvmTraceReader.open(file)) {
            while (reader.advance()) {
                sequential.accept(reader.event());
            }
            expected = new KvmTraceSummary(reader.lineNumber(), reader.eventCount(), reader.otherCount(),
                    reader.headerCount(), reader.lossLines(), reader.lostEvents(), reader.problemCount(), reader.problems());
        }
        ExitStatistics parallel = ExitStatistics.by(grouping);
        KvmTraceSummary summary = ParallelTraceReading.read(parallel, file, threads, minPart);
        String context = grouping + " with " + threads + " threads";
        assertEquals(expected, summary, context);
        assertEquals(sequential.rows(ExitStatistics.Order.REASON), parallel.rows(ExitStatistics.Order.REASON), context);
        assertEquals(sequential.totalExits(), parallel.totalExits(), context);
        assertEquals(sequential.unattributedExits(), parallel.unattributedExits(), context);
        assertEquals(sequential.unpairedEntries(), parallel.unpairedEntries(), context);
        assertEquals(sequential.backwardIntervals(), parallel.backwardIntervals(), context);
        assertEquals(sequential.toTable(ExitStatistics.Order.COUNT), parallel.toTable(ExitStatistics.Order.COUNT), context);
        assertTrue(summary.lostEvents() > 0 && summary.lossLines() > 0, "the traces have loss lines");
    }

    @Test
    void everyGroupingAndThreadCountGivesTheSequentialResult(@TempDir Path directory) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 3; round++) {
            Path file = directory.resolve("trace-" + round + ".txt");
            Files.writeString(file, trace(random, 20_000, 1 + round * 3, false));
            for (ExitStatistics.Grouping grouping : ExitStatistics.Grouping.values()) {
                for (int threads : new int[] {1, 2, 3, 7}) {
                    assertSameAsOneReader(file, grouping, threads, 4096);
                }
            }
        }
    }

    @Test
    void theSlowestIntervalsAndTheirLinesAreThoseOfOneReader(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("trace-slow.txt");
        Files.writeString(file, trace(new SplittableRandom(77), 30_000, 5, false));
        List<String> lines = Files.readAllLines(file);
        for (ExitStatistics.Grouping grouping : ExitStatistics.Grouping.values()) {
            ExitStatistics sequential = ExitStatistics.by(grouping).keepSlowest(25, 20_000);
            try (KvmTraceReader reader = KvmTraceReader.open(file)) {
                while (reader.advance()) {
                    sequential.accept(reader.event(), reader.lineNumber());
                }
            }
            List<SlowExit> expected = sequential.slowestExits();
            assertEquals(25, expected.size(), grouping.toString());
            for (int threads : new int[] {1, 2, 5}) {
                ExitStatistics parallel = ExitStatistics.by(grouping).keepSlowest(25, 20_000);
                ParallelTraceReading.read(parallel, file, threads, 4096);
                assertEquals(expected, parallel.slowestExits(), grouping + " with " + threads + " threads");
            }
            for (SlowExit slow : SlowExit.withLines(file, expected)) {
                // the lines are the exit and the entry that closed it: same thread, the entry's time minus the exit's
                assertEquals(lines.get((int) slow.exitLine() - 1), slow.exitText());
                assertEquals(lines.get((int) slow.entryLine() - 1), slow.entryText());
                assertTrue(slow.exitText().contains("kvm_exit: ") && slow.exitText().contains("KVM-" + slow.pid() + " "), slow.toString());
                assertTrue(slow.entryText().contains("kvm_entry: ") && slow.entryText().contains("KVM-" + slow.pid() + " "), slow.toString());
                assertTrue(slow.nanos() >= 20_000 && slow.entryLine() > slow.exitLine(), slow.toString());
            }
            for (int i = 1; i < expected.size(); i++) {
                assertTrue(expected.get(i - 1).nanos() >= expected.get(i).nanos());
            }
        }
        // the brute-force answer under REASON: every exit paired with the next entry of its thread
        ExitStatistics stats = ExitStatistics.byReason().keepSlowest(10, 0);
        ParallelTraceReading.read(stats, file, 3, 4096);
        List<Long> brute = new java.util.ArrayList<>();
        java.util.Map<Integer, Long> open = new java.util.HashMap<>();
        try (KvmTraceReader reader = KvmTraceReader.open(file)) {
            while (reader.advance()) {
                KvmEvent event = reader.event();
                if (event.type() == KvmEventType.KVM_EXIT) {
                    open.put(event.pid(), event.timestampNanos());
                } else if (event.type() == KvmEventType.KVM_ENTRY && open.containsKey(event.pid())) {
                    long nanos = event.timestampNanos() - open.remove(event.pid());
                    if (nanos >= 0) {
                        brute.add(nanos);
                    }
                }
            }
        }
        brute.sort(java.util.Comparator.reverseOrder());
        assertEquals(brute.subList(0, 10), stats.slowestExits().stream().map(SlowExit::nanos).toList());
        assertEquals(List.of(), ExitStatistics.byReason().slowestExits());
        assertThrows(IllegalArgumentException.class, () -> ExitStatistics.byReason().keepSlowest(0, 0));
    }

    @Test
    void oldTracesWithoutVcpuInExitsFallBackToOneReaderForPerVcpuRows(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("trace-4x.txt");
        Files.writeString(file, trace(new SplittableRandom(9), 20_000, 4, true));
        for (ExitStatistics.Grouping grouping : ExitStatistics.Grouping.values()) {
            assertSameAsOneReader(file, grouping, 4, 4096);
        }
    }

    @Test
    void problemLineNumbersAreThoseOfTheWholeFile(@TempDir Path directory) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 3_000; i++) {
            text.append(i % 1_000 == 0 ? "garbage line " + i : " CPU 0/KVM-1 [000] 1.000001: kvm_entry: vcpu 0").append('\n');
        }
        Path file = directory.resolve("trace.txt");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        KvmTraceSummary summary = ParallelTraceReading.read(ExitStatistics.byReason(), file, 3, 1024);
        assertEquals(List.of(1_000L, 2_000L, 3_000L), summary.problems().stream().map(KvmTraceProblem::lineNumber).toList());
        assertEquals("garbage line 2000", summary.problems().get(1).line());
        assertEquals(3_000, summary.lines());
        assertEquals(2_997, summary.events());
    }

    @Test
    void smallFilesAreReadByOneThreadAndBadInputIsNamed(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("small.txt");
        Files.writeString(file, " CPU 0/KVM-1 [000] 1.000001: kvm_entry: vcpu 0\n");
        KvmTraceSummary summary = ExitStatistics.byReason().readFile(file, 8);
        assertEquals(1, summary.events());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> ExitStatistics.byReason().readFile(file, 0));
        assertEquals("threads must be at least 1, not 0", zero.getMessage());
        Path missing = directory.resolve("missing.txt");
        UncheckedIOException absent = assertThrows(UncheckedIOException.class,
                () -> ExitStatistics.byReason().readFile(missing, 2));
        assertTrue(absent.getMessage().contains(missing.toString()), absent.getMessage());
    }

    @Test
    void summaryCountsMustAddUp() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new KvmTraceSummary(10, 5, 0, 2, 0, 0, 2, List.of()));
        assertEquals("events 5 + headers 2 + loss lines 0 + problems 2 != lines 10", error.getMessage());
    }
}
