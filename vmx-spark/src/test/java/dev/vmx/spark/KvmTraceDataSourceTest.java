package dev.vmx.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmIsa;
import dev.vmx.trace.KvmTraceReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvmTraceDataSourceTest {
    private final SparkSession spark = TestSpark.session();

    @TempDir
    Path dir;

    private Dataset<Row> load(String... paths) {
        return spark.read().format("kvmtrace").load(paths);
    }

    private static List<Row> sorted(Dataset<Row> rows) {
        return rows.orderBy("source", "line").collectAsList();
    }

    private Path write(String name, String... lines) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }

    // Linux 6.x tracefs lines: two vCPU threads (pids 11 and 12) interleaved
    private static final String[] TWO_THREADS = {
        "# tracer: nop",
        " CPU 0/KVM-11 [001] d..1. 100.000100: kvm_exit: vcpu 0 reason EPT_VIOLATION rip 0xffffffff81001000 info1 0x0000000000000182 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000",
        " CPU 1/KVM-12 [002] d..1. 100.000150: kvm_exit: vcpu 1 reason HLT rip 0x401000 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000",
        " CPU 0/KVM-11 [001] d..1. 100.000130: kvm_entry: vcpu 0, rip 0xffffffff81001000",
        " CPU 0/KVM-11 [001] d..1. 100.000200: kvm_exit: vcpu 0 reason INVALID_STATE FAILED_VMENTRY rip 0x0 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000",
        " CPU 0/KVM-11 [001] d..1. 100.000300: kvm_exit: vcpu 0 reason CPUID rip 0x1000 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000",
        " CPU 1/KVM-12 [002] d..1. 100.001150: kvm_entry: vcpu 1, rip 0x401001",
        " CPU 1/KVM-12 [002] d..1. 100.001200: kvm_exit: vcpu 1 reason MSR_WRITE rip 0x401001 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000",
        " CPU 1/KVM-12 [002] d..1. 100.001190: kvm_entry: vcpu 1, rip 0x401002",
    };

    @Test
    void pairsEachExitWithTheNextEntryOfItsThread() throws IOException {
        Path file = write("host-a/t.txt", TWO_THREADS);
        List<Row> rows = sorted(load(file.toString()).select("line", "event", "vcpu", "exit_reason", "exit_code",
                "exit_basic", "exit_flags", "exit_to_entry_ns", "host", "problem"));
        assertEquals(8, rows.size());
        // line 2: EPT violation of thread 11, entered 30 us later (line 4)
        assertEquals(List.of(2L, "kvm_exit", 0, "EPT_VIOLATION", 48L, 48, 30_000L, "host-a"),
                values(rows.get(0), "line", "event", "vcpu", "exit_reason", "exit_code", "exit_basic", "exit_to_entry_ns", "host"));
        assertEquals(1_000_000L, rows.get(1).<Long>getAs("exit_to_entry_ns")); // HLT: 1 ms until line 7
        assertNull(rows.get(2).getAs("exit_to_entry_ns")); // the entry itself carries no interval
        // a failed entry followed by another exit of the thread before any entry: counted, not timed
        Row failed = rows.get(3);
        assertEquals("INVALID_STATE FAILED_VMENTRY", failed.getAs("exit_reason"));
        assertEquals(0x8000_0021L, failed.<Long>getAs("exit_code"));
        assertEquals(33, failed.<Integer>getAs("exit_basic"));
        assertEquals(List.of("VM_ENTRY_FAILURE"), failed.getList(failed.fieldIndex("exit_flags")));
        assertNull(failed.getAs("exit_to_entry_ns"));
        assertNull(rows.get(4).getAs("exit_to_entry_ns")); // CPUID: the file ends before an entry
        // an entry stamped before its exit (unsynchronised clocks): the negative interval is kept
        assertEquals(-10_000L, rows.get(6).<Long>getAs("exit_to_entry_ns"));
        assertTrue(rows.stream().allMatch(r -> r.isNullAt(r.fieldIndex("problem"))));
        assertNull(rows.get(2).getAs("exit_reason")); // entries have no exit columns
    }

    @Test
    void linux4ExitsTakeTheVcpuOfTheThreadsLastEntry() throws IOException {
        Path file = write("old/t.txt",
                " qemu-kvm-7 [000] 5.000001: kvm_exit: reason EPT_VIOLATION rip 0xffffffff8104e46a info 181 0",
                " qemu-kvm-7 [000] 5.000002: kvm_entry: vcpu 3",
                " qemu-kvm-7 [000] 5.000004: kvm_exit: reason HLT rip 0xffffffff8104e46b info 0 0",
                " qemu-kvm-7 [000] 5.000009: kvm_entry: vcpu 3");
        List<Row> rows = sorted(load(file.toString()).select("line", "vcpu", "isa", "exit_to_entry_ns"));
        assertEquals(Arrays.asList(-1, 3, 3, 3), rows.stream().map(r -> r.getAs("vcpu")).toList());
        assertEquals(5_000L, rows.get(2).<Long>getAs("exit_to_entry_ns"));
        assertEquals("VMX", rows.get(2).getAs("isa"));
    }

    @Test
    void everyColumnEqualsTheReadersEvent() throws IOException {
        Path file = dir.resolve("h/f.txt");
        SimulatedFleet.writeFile(file, 400, false, false, new SplittableRandom(3));
        List<Row> rows = sorted(load(file.toString()));
        int i = 0;
        try (KvmTraceReader reader = KvmTraceReader.open(file)) {
            while (reader.advance()) {
                KvmEvent e = reader.event();
                Row row = rows.get(i++);
                assertEquals(reader.lineNumber(), row.<Long>getAs("line"));
                assertEquals(file.toUri().toString().replace("file:///", "file:/"), row.getAs("source"));
                assertEquals("h", row.getAs("host"));
                assertEquals(e.cpu(), row.<Integer>getAs("cpu"));
                assertEquals(e.timestampNanos(), row.<Long>getAs("timestamp_ns"));
                assertEquals(e.pid(), row.<Integer>getAs("pid"));
                assertEquals(e.task().toString(), row.getAs("task"));
                assertEquals(e.type() == KvmEventType.OTHER ? "other" : e.type().tracepoint(), row.getAs("event"));
                assertEquals(e.guestRip(), row.<Long>getAs("rip"));
                assertEquals(e.info1(), row.<Long>getAs("info1"));
                assertEquals(e.info2(), row.<Long>getAs("info2"));
                assertEquals(e.intrInfo(), row.<Integer>getAs("intr_info"));
                assertEquals(e.errorCode(), row.<Integer>getAs("error_code"));
                if (e.type() == KvmEventType.KVM_EXIT) {
                    assertEquals(e.vcpu(), row.<Integer>getAs("vcpu"));
                    assertEquals(e.exitCode(), row.<Long>getAs("exit_code"));
                    assertEquals(e.isa().name(), row.getAs("isa"));
                    assertEquals(KvmIsa.VMX.exitName(e.exitCode()), row.getAs("exit_reason"));
                    assertEquals(e.exitReason().basicNumber(), row.<Integer>getAs("exit_basic"));
                } else {
                    assertNull(row.getAs("exit_code"));
                }
            }
            assertEquals(reader.eventCount(), rows.size());
            assertEquals(0, reader.problemCount());
        }
    }

    @Test
    void badLinesAndLostEventsAreRowsNamingFileAndLine() throws IOException {
        List<String> lines = new ArrayList<>(Arrays.asList(TWO_THREADS));
        lines.add(4, " CPU 0/KVM-11 [001] d..1. 100.000140: kvm_exit: vcpu 0 reason NOT_A_REASON rip 0x0");
        lines.add(2, "CPU:2 [LOST 57 EVENTS]");
        Path file = write("h/bad.txt", lines.toArray(String[]::new));
        Dataset<Row> all = load(file.toString());
        List<Row> problems = sorted(all.where("problem IS NOT NULL").select("source", "line", "problem", "text", "event"));
        assertEquals(2, problems.size(), problems.toString());
        assertEquals(4L, problems.get(0).<Long>getAs("line")); // the loss line is line 3; the row names the event after it
        assertEquals("lost events: the kernel overwrote 57 events before line 4 (1 CPU:N [LOST EVENTS] lines)",
                problems.get(0).getAs("problem"));
        assertEquals(6L, problems.get(1).<Long>getAs("line"));
        assertEquals("unparsable line: unknown exit reason symbol", problems.get(1).getAs("problem"));
        assertEquals(lines.get(5), problems.get(1).getAs("text"));
        assertNull(problems.get(1).getAs("event"));
        assertTrue(problems.get(1).<String>getAs("source").endsWith("h/bad.txt"));
        assertEquals(8, all.where("problem IS NULL").count()); // every good line is still there
    }

    @Test
    void moreBadLinesThanTheReaderDetailsAreCountedInOneRow() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < KvmTraceReader.DEFAULT_PROBLEM_DETAILS + 5; i++) {
            lines.add("garbage " + i);
        }
        lines.add(TWO_THREADS[1]);
        Path file = write("h/garbage.txt", lines.toArray(String[]::new));
        List<Row> problems = sorted(load(file.toString()).where("problem IS NOT NULL"));
        assertEquals(KvmTraceReader.DEFAULT_PROBLEM_DETAILS + 1, problems.size());
        Row last = problems.get(problems.size() - 1);
        assertEquals("undetailed problems: 5 more lines could not be parsed (the first 20 are reported with their lines)",
                last.getAs("problem"));
        assertEquals(26L, last.<Long>getAs("line"));
    }

    @Test
    void unreadableAndUnknownFilesAreRows() throws IOException {
        Path binary = dir.resolve("h/core.bin");
        Files.createDirectories(binary.getParent());
        Files.write(binary, new byte[] {0x7f, 'E', 'L', 'F', 0, 0, 1});
        Path traceDat = dir.resolve("h/trace.dat");
        Files.write(traceDat, new byte[] {0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g', '6', 0});
        Path good = write("h/good.txt", TWO_THREADS);
        // a gzip file cut short: it breaks while being read, after the lines before the cut
        Path truncated = dir.resolve("h/cut.txt.gz");
        Path plain = dir.resolve("plain/cut.txt");
        SimulatedFleet.writeFile(plain, 2_000, false, false, new SplittableRandom(5));
        byte[] zipped = gzip(Files.readString(plain));
        Files.write(truncated, Arrays.copyOf(zipped, zipped.length / 2));
        Path missing = dir.resolve("h/missing.txt");

        List<Row> problems = sorted(load(binary.toString(), traceDat.toString(), good.toString(), truncated.toString(),
                missing.toString()).where("problem IS NOT NULL").select("source", "line", "problem"));
        assertEquals(4, problems.size(), problems.toString());
        assertTrue(problems.get(0).<String>getAs("problem").startsWith("unknown format: not kvm trace text (it has NUL bytes)"));
        assertTrue(problems.get(0).<String>getAs("problem").endsWith("first bytes 7f454c46000001"));
        Row cut = problems.get(1);
        assertTrue(cut.<String>getAs("source").endsWith("cut.txt.gz"));
        assertTrue(cut.<String>getAs("problem").startsWith("unreadable file: cannot read from line " + cut.<Long>getAs("line")),
                cut.toString());
        assertTrue(cut.<Long>getAs("line") > 100, cut.toString());
        assertTrue(problems.get(2).<String>getAs("source").endsWith("missing.txt"));
        assertEquals("unreadable file: no such file or directory", problems.get(2).getAs("problem"));
        // a trace.dat's magic and version but nothing after: the trace.dat format takes it and says why it cannot
        assertTrue(problems.get(3).<String>getAs("problem").startsWith("unreadable file: not a readable trace.dat: "),
                problems.get(3).toString());
        // the good file and the part of the cut one before the cut are all there
        assertEquals(8, load(good.toString()).count());
    }

    @Test
    void aRegisteredFormatIsPickedByItsMagicBeforeText() throws IOException {
        Path file = dir.resolve("h/prefixed.bin");
        Files.createDirectories(file.getParent());
        byte[] text = (String.join("\n", TWO_THREADS) + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = Arrays.copyOf(PrefixedTextFormat.MAGIC, PrefixedTextFormat.MAGIC.length + text.length);
        System.arraycopy(text, 0, bytes, PrefixedTextFormat.MAGIC.length, text.length);
        Files.write(file, bytes);
        Dataset<Row> rows = load(file.toString());
        assertEquals(8, rows.where("problem IS NULL").count());
        assertEquals(0, rows.where("problem IS NOT NULL").count());
        assertEquals(1_000_000L, rows.where("exit_reason = 'HLT'").first().<Long>getAs("exit_to_entry_ns"));
    }

    @Test
    void failFastStopsAtTheFirstProblemNamingFileAndLine() throws IOException {
        Path file = write("h/bad.txt", TWO_THREADS[1], "not a trace line");
        Exception e = assertThrows(Exception.class,
                () -> spark.read().format("kvmtrace").option("mode", "FAILFAST").load(file.toString()).collectAsList());
        String message = String.valueOf(rootCause(e).getMessage());
        assertTrue(message.contains(file.getFileName() + " line 2: unparsable line: no [CPU] field"), message);
        assertThrows(IllegalArgumentException.class,
                () -> spark.read().format("kvmtrace").option("mode", "LENIENT").load(file.toString()).collectAsList());
    }

    @Test
    void directoriesGlobsCompressionAndHostPattern() throws IOException {
        Path a = write("fleet/rack1/node-7/a.txt", TWO_THREADS);
        Files.write(dir.resolve("fleet/rack1/node-7/b.txt.gz"), gzip(String.join("\n", TWO_THREADS) + "\n"));
        write("fleet/rack1/node-7/_SUCCESS", "not a trace");
        write("fleet/rack1/node-7/.hidden", "not a trace");
        Dataset<Row> byDir = load(dir.resolve("fleet").toString());
        assertEquals(16, byDir.count());
        assertEquals(0, byDir.where("problem IS NOT NULL").count());
        assertEquals(List.of("node-7"), byDir.select("host").distinct().collectAsList().stream().map(r -> r.getString(0)).toList());
        Dataset<Row> byGlob = spark.read().format("kvmtrace").option("hostPattern", "/(rack\\d+)/")
                .load(dir.resolve("fleet/*/*/*.txt").toString());
        assertEquals(8, byGlob.count());
        assertEquals("rack1", byGlob.select("host").first().getString(0));
        // only the columns asked for are built; the pairing works without the interval column too
        assertEquals(5, load(a.toString()).where("exit_reason IS NOT NULL").select("exit_reason").count());
        assertArrayEquals(new Object[] {5L}, new Object[] {load(a.toString()).where("event = 'kvm_exit'").count()});
    }

    static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            if (t.getMessage() != null && t.getMessage().contains("kvmtrace:")) {
                break;
            }
            t = t.getCause();
        }
        return t;
    }

    private static byte[] gzip(String text) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
        }
        return bytes.toByteArray();
    }

    private static List<Object> values(Row row, String... names) {
        List<Object> values = new ArrayList<>();
        for (String name : names) {
            values.add(row.getAs(name));
        }
        return values;
    }
}
