package dev.vmx.hw.tracedat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.trace.ExitEntryConsumer;
import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmEventRecord;
import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmIsa;
import dev.vmx.trace.KvmTraceSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * trace.dat files with kvm_exit and kvm_entry, which the recording host does not emit, written by
 * {@link TraceDatWriter} with the real kernel's format files: {@code trace-cmd report} judges them
 * valid and prints the same events the reader delivers (v6, v7), the zlib-compressed v7 reads the
 * same, and the exit statistics of the file are the same at 1, 2 and 4 threads as those of the
 * events fed in time order, even though vCPU threads move between CPUs between exit and entry.
 */
class WrittenTraceDatTest {
    static final int CPUS = 3;
    /** Exit reasons (SDM Vol. 3C Appendix C): HLT 12, IO_INSTRUCTION 30, MSR_WRITE 32, EPT_VIOLATION 48. */
    static final int[] REASONS = {12, 30, 32, 48};

    @TempDir
    static Path directory;
    static TraceDatWriter writer;
    static List<TraceDatWriter.Event> written;
    static List<KvmEventRecord> expected;
    static Path v6;
    static Path v7;
    static Path v7zlib;

    @BeforeAll
    static void write() throws IOException {
        writer = new TraceDatWriter("kvm_exit", "kvm_entry", "kvm_pio");
        written = workload(new Random(17), 4, 1500);
        expected = written.stream().map(WrittenTraceDatTest::record).toList();
        Map<Integer, List<byte[]>> pages = writer.pages(written, CPUS);
        v6 = Files.write(directory.resolve("written-v6.dat"), writer.v6(pages));
        v7 = Files.write(directory.resolve("written-v7.dat"), writer.v7(pages, false, 10));
        v7zlib = Files.write(directory.resolve("written-v7-zlib.dat"), writer.v7(pages, true, 10));
    }

    /**
     * vCPU threads (pids 1001.., vCPU 0..) exit and enter again; an I/O exit is followed by its
     * kvm_pio; a HLT exit may wake on another CPU, so its entry is on that CPU; now and then the
     * guest runs long enough for a time-extend record.
     */
    static List<TraceDatWriter.Event> workload(Random random, int threads, int exitsPerThread) {
        List<TraceDatWriter.Event> events = new ArrayList<>();
        for (int vcpu = 0; vcpu < threads; vcpu++) {
            long pid = 1001 + vcpu;
            int cpu = vcpu % CPUS;
            long time = 1_000_000_000L + vcpu * 777;
            for (int i = 0; i < exitsPerThread; i++) {
                int reason = REASONS[random.nextInt(REASONS.length)];
                long rip = 0xffffffff81000000L + random.nextInt(1 << 20);
                events.add(new TraceDatWriter.Event("kvm_exit", cpu, time, Map.of("common_pid", pid, "exit_reason",
                        (long) reason, "guest_rip", rip, "isa", 1L, "info1", random.nextLong() & 0xffff, "info2", 0L,
                        "intr_info", 0L, "error_code", 0L, "vcpu_id", (long) vcpu)));
                if (reason == 30) {
                    events.add(new TraceDatWriter.Event("kvm_pio", cpu, time + 150, Map.of("common_pid", pid, "rw",
                            (long) random.nextInt(2), "port", random.nextBoolean() ? 0x3f8L : 0x70L, "size", 1L,
                            "count", 1L, "val", (long) random.nextInt(256))));
                }
                long handled = 300 + random.nextInt(reason == 12 ? 200_000 : 5_000);
                if (reason == 12 && random.nextBoolean()) {
                    cpu = (cpu + 1 + random.nextInt(CPUS - 1)) % CPUS; // woke on another CPU
                }
                time += handled;
                events.add(new TraceDatWriter.Event("kvm_entry", cpu, time, Map.of("common_pid", pid, "vcpu_id",
                        (long) vcpu, "rip", rip + 2)));
                time += random.nextInt(100) == 0 ? 200_000_000L : 200 + random.nextInt(20_000);
            }
        }
        // time order, as each CPU's ring buffer holds them (no two events share a timestamp per CPU here)
        events.sort(Comparator.comparingLong(TraceDatWriter.Event::timestamp).thenComparingInt(TraceDatWriter.Event::cpu));
        return events;
    }

    /** The event the reader should deliver for a written one. */
    static KvmEventRecord record(TraceDatWriter.Event event) {
        Map<String, Long> v = event.values();
        int pid = v.get("common_pid").intValue();
        KvmEventRecord.Builder builder = KvmEventRecord.builder().timestampNanos(event.timestamp()).cpu(event.cpu())
                .pid(pid).task("vcpu" + (pid - 1001)); // TraceDatWriter.CMDLINES
        switch (event.format()) {
            case "kvm_exit" -> builder.type(KvmEventType.KVM_EXIT).isa(KvmIsa.VMX).exitCode(v.get("exit_reason"))
                    .guestRip(v.get("guest_rip")).info1(v.get("info1")).vcpu(v.get("vcpu_id").intValue());
            case "kvm_entry" -> builder.type(KvmEventType.KVM_ENTRY).vcpu(v.get("vcpu_id").intValue()).guestRip(v.get("rip"));
            case "kvm_pio" -> builder.type(KvmEventType.KVM_PIO).write(v.get("rw") != 0).port(v.get("port").intValue())
                    .size(1).count(1).value(v.get("val"));
            default -> throw new AssertionError(event.format());
        }
        return builder.build();
    }

    /**
     * An event as trace-cmd report can show it: its kvm plugin prints kvm_exit as "reason %s rip
     * 0x%lx info %llx %llx" (libtraceevent plugin_kvm.c), without vcpu_id, intr_info and
     * error_code, which the written values check instead.
     */
    static KvmEventRecord asPrinted(KvmEventRecord event) {
        return event.type() == KvmEventType.KVM_EXIT ? KvmEventRecord.builder().from(event).vcpu(-1).intrInfo(0)
                .errorCode(0).build() : event;
    }

    static List<KvmEventRecord> readAll(Path file) {
        try (TraceDat dat = TraceDat.open(file)) {
            List<KvmEventRecord> events = new ArrayList<>();
            TraceDatReader reader = dat.reader();
            while (reader.advance()) {
                events.add(reader.event().toRecord());
            }
            assertEquals(0, reader.problemCount(), reader.problems().toString());
            assertEquals(List.of(), dat.problems());
            return events;
        }
    }

    static void assertSameEvents(List<KvmEventRecord> expected, List<KvmEventRecord> actual, String what) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                throw new AssertionError(what + ": event " + i + " differs: expected " + expected.get(i) + " but read "
                        + actual.get(i));
            }
        }
        assertEquals(expected.size(), actual.size(), what + ": event count");
    }

    @Test
    void theWorkloadHasWhatTheTestsNeed() {
        assertTrue(written.stream().anyMatch(e -> e.format().equals("kvm_pio")));
        Map<Integer, List<byte[]>> pages = writer.pages(written, CPUS);
        assertTrue(pages.values().stream().allMatch(cpu -> cpu.size() > 20), "pages per CPU");
        // a thread's exit and its entry on different CPUs
        long moves = 0;
        for (int i = 0; i < written.size(); i++) {
            TraceDatWriter.Event exit = written.get(i);
            if (exit.format().equals("kvm_exit")) {
                for (int j = i + 1; j < written.size(); j++) {
                    TraceDatWriter.Event next = written.get(j);
                    if (next.format().equals("kvm_entry") && next.values().get("common_pid").equals(exit.values().get("common_pid"))) {
                        moves += next.cpu() != exit.cpu() ? 1 : 0;
                        break;
                    }
                }
            }
        }
        assertTrue(moves > 50, moves + " exits entered again on another CPU");
    }

    @Test
    void traceCmdReportJudgesTheWrittenFilesValidAndPrintsTheSameEvents() {
        for (Path file : List.of(v6, v7)) {
            List<KvmEventRecord> read = readAll(file);
            assertSameEvents(expected, read, file.getFileName().toString());
            Optional<String> report = TraceCmdReport.run(file);
            if (report.isEmpty()) {
                System.out.println("trace-cmd is not installed: " + file.getFileName() + " checked against the written events only");
                continue;
            }
            List<KvmEventRecord> printed = TraceCmdReport.parse(report.get(), List.of()).stream()
                    .map(TraceCmdReport.Line::event).toList();
            assertSameEvents(printed, read.stream().map(WrittenTraceDatTest::asPrinted).toList(),
                    "trace-cmd report " + file.getFileName());
        }
    }

    @Test
    void aZlibCompressedFileReadsTheSame() {
        try (TraceDat dat = TraceDat.open(v7zlib)) {
            assertEquals("zlib", dat.compression());
        }
        assertSameEvents(expected, readAll(v7zlib), "v7 zlib");
    }

    @Test
    void exitStatisticsOfATraceDatAreTheSameAtEveryThreadCountAndEqualTheEventsInOrder() {
        for (ExitStatistics.Grouping grouping : List.of(ExitStatistics.Grouping.REASON,
                ExitStatistics.Grouping.REASON_AND_VCPU, ExitStatistics.Grouping.IO_PORT)) {
            ExitStatistics reference = ExitStatistics.by(grouping);
            expected.forEach(reference::accept);
            assertTrue(reference.totalExits() > 1000);
            for (Path file : List.of(v6, v7, v7zlib)) {
                for (int threads : new int[] {1, 2, 4}) {
                    ExitStatistics statistics = ExitStatistics.by(grouping);
                    KvmTraceSummary summary = statistics.readFile(file, threads);
                    String what = grouping + " " + file.getFileName() + " threads " + threads;
                    assertEquals(expected.size(), summary.events(), what);
                    assertEquals(0, summary.problemCount(), what);
                    assertEquals(reference.toTable(ExitStatistics.Order.REASON), statistics.toTable(ExitStatistics.Order.REASON), what);
                    assertEquals(reference.unpairedEntries(), statistics.unpairedEntries(), what);
                    assertEquals(reference.backwardIntervals(), statistics.backwardIntervals(), what);
                    assertEquals(reference.unattributedExits(), statistics.unattributedExits(), what);
                }
            }
        }
    }

    @Test
    void readByThreadHandsOverEveryEventWithEachThreadsInTimeOrder() {
        PerThreadRecorder inOrder = new PerThreadRecorder();
        try (TraceDat dat = TraceDat.open(v6)) {
            dat.read(event -> ExitEntryConsumer.dispatch(inOrder, event));
        }
        assertEquals(expected.size(), inOrder.events);
        assertTrue(inOrder.byPid.size() == 4, "four vCPU threads");
        for (Path file : List.of(v6, v7, v7zlib)) {
            for (int threads : new int[] {1, 2, 4}) {
                String what = file.getFileName() + " threads " + threads;
                List<PerThreadRecorder> windows = new ArrayList<>();
                KvmTraceSummary summary;
                try (TraceDat dat = TraceDat.open(file)) {
                    summary = dat.readByThread(threads, index -> {
                        synchronized (windows) {
                            while (windows.size() <= index) {
                                windows.add(new PerThreadRecorder());
                            }
                            return windows.get(index);
                        }
                    });
                }
                assertEquals(inOrder.byPid, PerThreadRecorder.joined(windows), what);
                assertEquals(expected.size(), summary.events(), what);
                assertEquals(0, summary.problemCount(), what);
            }
        }
    }

    /**
     * Linux 4.x's kvm_exit has no vcpu_id, intr_info or error_code, so its fields do not have the
     * widths the fixed-offset hand-over reads: its exits go the general way (each field read by its
     * format) and must hand over the same values as the time-ordered reader's flyweight.
     */
    @Test
    void exitsInLinux4FormatsAreHandedOverByTheirFormatWithTheSameValues() throws IOException {
        TraceDatWriter old = new TraceDatWriter("kvm_exit-4.x", "kvm_entry-4.x");
        List<TraceDatWriter.Event> events = new ArrayList<>();
        for (TraceDatWriter.Event event : workload(new Random(5), 3, 400)) {
            Map<String, Long> v = event.values();
            if (event.format().equals("kvm_exit")) {
                events.add(new TraceDatWriter.Event("kvm_exit-4.x", event.cpu(), event.timestamp(), Map.of("common_pid",
                        v.get("common_pid"), "exit_reason", v.get("exit_reason"), "guest_rip", v.get("guest_rip"), "isa",
                        v.get("isa"), "info1", v.get("info1"), "info2", v.get("info2"))));
            } else if (event.format().equals("kvm_entry")) {
                events.add(new TraceDatWriter.Event("kvm_entry-4.x", event.cpu(), event.timestamp(),
                        Map.of("common_pid", v.get("common_pid"), "vcpu_id", v.get("vcpu_id"))));
            }
        }
        Path file = Files.write(directory.resolve("linux-4-v6.dat"), old.v6(old.pages(events, CPUS)));
        PerThreadRecorder inOrder = new PerThreadRecorder();
        try (TraceDat dat = TraceDat.open(file)) {
            dat.read(event -> ExitEntryConsumer.dispatch(inOrder, event));
        }
        assertEquals(events.size(), inOrder.events);
        // the first exit of the first thread, as written: no vCPU in a 4.x kvm_exit, no intr_info
        TraceDatWriter.Event first = events.stream().filter(e -> e.values().get("common_pid") == 1001L).findFirst().get();
        assertEquals("exit " + first.timestamp() + " VMX " + first.values().get("exit_reason") + " "
                + Long.toHexString(first.values().get("guest_rip")) + " vcpu -1 " + Long.toHexString(first.values().get("info1"))
                + " 0", inOrder.byPid.get(1001).get(0));
        for (int threads : new int[] {1, 2}) {
            List<PerThreadRecorder> windows = new ArrayList<>();
            try (TraceDat dat = TraceDat.open(file)) {
                dat.readByThread(threads, index -> {
                    synchronized (windows) {
                        while (windows.size() <= index) {
                            windows.add(new PerThreadRecorder());
                        }
                        return windows.get(index);
                    }
                });
            }
            assertEquals(inOrder.byPid, PerThreadRecorder.joined(windows), "threads " + threads);
        }
    }

    @Test
    void pagesOutOfTimeOrderAreReadOneByOneAndGiveTheSameStatistics() throws IOException {
        Map<Integer, List<byte[]>> pages = new java.util.HashMap<>(writer.pages(written, CPUS));
        List<byte[]> cpu0 = new ArrayList<>(pages.get(0));
        assertTrue(cpu0.size() > 3);
        java.util.Collections.swap(cpu0, 1, 2); // CPU 0's second and third pages change places
        pages.put(0, cpu0);
        Path swapped = Files.write(directory.resolve("swapped-pages.dat"), writer.v6(pages));
        PerThreadRecorder inOrder = new PerThreadRecorder();
        PerThreadRecorder byThread = new PerThreadRecorder();
        ExitStatistics reference = ExitStatistics.byReason();
        try (TraceDat dat = TraceDat.open(swapped)) {
            dat.read(event -> {
                ExitEntryConsumer.dispatch(inOrder, event);
                reference.accept(event);
            });
            dat.readByThread(1, index -> byThread);
        }
        assertEquals(expected.size(), inOrder.events);
        assertEquals(inOrder.byPid, byThread.byPid);
        ExitStatistics statistics = ExitStatistics.byReason();
        statistics.readFile(swapped, 1);
        assertEquals(reference.toTable(ExitStatistics.Order.REASON), statistics.toTable(ExitStatistics.Order.REASON));
    }

    @Test
    void severalThreadsReadSeveralTimeWindowsInOrder() {
        try (TraceDat dat = TraceDat.open(v6)) {
            AtomicInteger windows = new AtomicInteger();
            List<List<KvmEventRecord>> parts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                parts.add(new ArrayList<>());
            }
            KvmTraceSummary summary = dat.readInWindows(4, index -> {
                windows.incrementAndGet();
                List<KvmEventRecord> part = parts.get(index);
                return (KvmEvent event) -> part.add(event.toRecord());
            });
            assertEquals(4, windows.get());
            List<KvmEventRecord> joined = new ArrayList<>();
            parts.forEach(joined::addAll);
            assertSameEvents(expected, joined, "windows joined in order");
            assertTrue(parts.stream().allMatch(part -> part.size() > 100), "each window holds a share");
            assertEquals(expected.size(), summary.events());
        }
    }

    @Test
    void theTextPathOfTraceCmdReportGivesTheSameStatistics() throws IOException {
        Optional<String> report = TraceCmdReport.run(v6);
        if (report.isEmpty()) {
            System.out.println("trace-cmd is not installed: the text path is not compared");
            return;
        }
        Path text = Files.writeString(directory.resolve("written.txt"), report.get());
        ExitStatistics fromText = ExitStatistics.byReason();
        fromText.readFile(text, 1);
        ExitStatistics fromBinary = ExitStatistics.byReason();
        fromBinary.readFile(v6, 2);
        assertEquals(fromText.toTable(ExitStatistics.Order.REASON), fromBinary.toTable(ExitStatistics.Order.REASON));
    }
}
