package dev.vmx.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.hw.tracedat.TraceDat;
import dev.vmx.hw.tracedat.TraceDatProblem;
import dev.vmx.hw.tracedat.TraceDatReader;
import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.ExitStatisticsRow;
import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmTraceSummary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code kvmtrace} source over trace-cmd trace.dat files: the real recordings of vmx-hw's tests
 * (v6, v7 uncompressed, v7 zstd, one with lost events; from vmx-hw's test jar) and a written one with
 * kvm_exit/kvm_entry (src/test/resources/dev/vmx/spark/README.md), compared event by event with what
 * {@link TraceDatReader} delivers, and their exit tables with {@link ExitStatistics#readFile}.
 */
class TraceDatSourceTest {
    private static final String REAL = "/dev/vmx/hw/tracedat/";
    private static final String WRITTEN = "/dev/vmx/spark/";
    private static final List<String> COLUMNS = List.of("line", "cpu", "timestamp_ns", "pid", "task", "vcpu", "event", "isa",
            "exit_code", "exit_reason", "rip", "info1", "info2", "intr_info", "error_code", "exit_to_entry_ns");

    private final SparkSession spark = TestSpark.session();

    @TempDir
    Path dir;

    /** Copies a test resource into host-t/ under the temporary directory, as it is (a .gz stays gzipped). */
    private Path resource(String name) throws IOException {
        Path file = dir.resolve("host-t").resolve(name.substring(name.lastIndexOf('/') + 1));
        Files.createDirectories(file.getParent());
        try (InputStream in = TraceDatSourceTest.class.getResourceAsStream(name)) {
            assertNotNull(in, name);
            Files.copy(in, file);
        }
        return file;
    }

    /** The trace.dat itself: a gzipped resource unzipped next to it (for the reader the test compares with). */
    private static Path plain(Path file) throws IOException {
        if (!file.toString().endsWith(".gz")) {
            return file;
        }
        Path unzipped = file.resolveSibling("plain-" + file.getFileName().toString().replace(".gz", ""));
        if (!Files.exists(unzipped)) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
                Files.copy(in, unzipped);
            }
        }
        return unzipped;
    }

    private Dataset<Row> load(Path file) {
        return spark.read().format("kvmtrace").load(file.toString());
    }

    /** What the rows of a file must be, from TraceDatReader: event columns by event index, and the problems. */
    private record Expected(List<List<Object>> events, List<String> problems, long lostEvents) {
    }

    private static Expected expected(Path traceDat) {
        List<List<Object>> events = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (TraceDat dat = TraceDat.open(traceDat)) {
            for (TraceDatProblem problem : dat.problems()) {
                problems.add(TraceDatKvmTraceFormat.kind(problem) + problem);
            }
            TraceDatReader reader = dat.reader();
            Map<Integer, Integer> vcpuOfThread = new HashMap<>();
            Map<Integer, List<Object>> pendingExit = new HashMap<>();
            while (reader.advance()) {
                KvmEvent e = reader.event();
                KvmEventType type = e.type();
                boolean exit = type == KvmEventType.KVM_EXIT || type == KvmEventType.KVM_NESTED_VMEXIT
                        || type == KvmEventType.KVM_NESTED_VMEXIT_INJECT;
                int vcpu = e.vcpu();
                if (type == KvmEventType.KVM_EXIT && vcpu < 0) {
                    vcpu = vcpuOfThread.getOrDefault(e.pid(), -1);
                }
                List<Object> row = new ArrayList<>(Arrays.asList(reader.eventCount(), e.cpu(), e.timestampNanos(), e.pid(),
                        e.task().toString(), vcpu, type == KvmEventType.OTHER ? "other" : type.tracepoint(), exit ? e.isa().name() : null,
                        exit ? e.exitCode() : null, exit ? e.isa().exitName(e.exitCode()) : null, e.guestRip(), e.info1(),
                        e.info2(), e.intrInfo(), e.errorCode(), null));
                events.add(row);
                // exit_to_entry_ns: an exit and the next entry of its thread, as ExitStatistics pairs them
                if (type == KvmEventType.KVM_EXIT) {
                    pendingExit.put(e.pid(), row);
                } else if (type == KvmEventType.KVM_ENTRY) {
                    if (e.vcpu() >= 0) {
                        vcpuOfThread.put(e.pid(), e.vcpu());
                    }
                    List<Object> open = pendingExit.remove(e.pid());
                    if (open != null) {
                        open.set(15, e.timestampNanos() - (Long) open.get(2));
                    }
                }
            }
            for (TraceDatProblem problem : reader.problems()) {
                problems.add(TraceDatKvmTraceFormat.kind(problem) + problem);
            }
            assertEquals(reader.problemCount() + reader.lossReports(), reader.problems().size(), "all problems detailed");
            assertEquals(reader.eventCount(), events.size());
            return new Expected(events, problems, reader.lostEvents());
        }
    }

    /** The file's rows equal the reader's events one by one, and its problem rows the reader's problems. */
    private Expected assertSameAsReader(Path file) throws IOException {
        Expected expected = expected(plain(file));
        Dataset<Row> rows = load(file).cache();
        List<Row> events = rows.where("problem IS NULL").orderBy("line").selectExpr(COLUMNS.toArray(String[]::new))
                .collectAsList();
        assertEquals(expected.events().size(), events.size(), file.toString());
        for (int i = 0; i < events.size(); i++) {
            List<Object> actual = new ArrayList<>();
            for (int c = 0; c < COLUMNS.size(); c++) {
                actual.add(events.get(i).get(c));
            }
            assertEquals(expected.events().get(i), actual, file + " event " + (i + 1));
        }
        // the task column comes from the file's saved cmdlines, as trace-cmd report names tasks
        assertTrue(events.stream().noneMatch(row -> row.getString(4).isEmpty()), file + ": a row without its task name");
        List<String> problems = rows.where("problem IS NOT NULL").orderBy("line").select("problem").collectAsList()
                .stream().map(r -> r.getString(0)).toList();
        // problems found at the same event index have no order among them
        assertEquals(expected.problems().stream().sorted().toList(), problems.stream().sorted().toList(), file.toString());
        Set<String> sources = rows.select("source", "host").collectAsList().stream()
                .map(r -> r.getString(0).substring(r.getString(0).lastIndexOf('/') + 1) + " " + r.getString(1))
                .collect(Collectors.toSet());
        assertEquals(Set.of(file.getFileName() + " host-t"), sources);
        rows.unpersist();
        return expected;
    }

    private static Set<Path> localCopies() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith(LocalCopy.PREFIX)).collect(Collectors.toSet());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {REAL + "guest-v7-zstd.dat", REAL + "guest-v6.dat.gz", REAL + "guest-v7-none.dat.gz",
        WRITTEN + "written-exits-v7-zlib.dat", WRITTEN + "written-exits-v6.dat"})
    void eachEventIsTheReadersInItsTimeOrder(String name) throws IOException {
        Set<Path> copiesBefore = localCopies();
        Expected expected = assertSameAsReader(resource(name));
        assertTrue(expected.events().size() >= 404, expected.events().size() + " events");
        assertEquals(List.of(), expected.problems(), "an undamaged file");
        if (name.startsWith(WRITTEN)) {
            long timed = expected.events().stream().filter(r -> r.get(15) != null).count();
            assertTrue(timed > 500, timed + " exits paired with their entries");
        }
        // a .gz is decompressed into a local copy for the reader, and the copy is gone afterwards
        assertEquals(copiesBefore, localCopies());
    }

    @Test
    void lostEventsAreProblemRowsNamingTheOffset() throws IOException {
        Path file = resource(REAL + "lost-v7-zstd.dat");
        Expected expected = assertSameAsReader(file);
        assertEquals(2133, expected.lostEvents());
        List<Row> lost = load(file)
                .where("problem LIKE 'lost events:%'").select("line", "problem", "event").collectAsList();
        assertTrue(lost.stream().anyMatch(r -> r.getString(1).matches(
                "lost events: offset 0x[0-9a-f]+, buffer vmxa, CPU 1: 2133 events were lost by the kernel before page 0.*")),
                lost.toString());
        assertTrue(lost.stream().allMatch(r -> r.isNullAt(2)), "problem rows carry no event");
    }

    @ParameterizedTest
    @EnumSource(value = ExitStatistics.Grouping.class, names = {"REASON", "REASON_AND_VCPU", "QUALIFICATION_CLASS"})
    void exitTableEqualsExitStatisticsReadFileRowByRow(ExitStatistics.Grouping grouping) throws IOException {
        Path file = resource(WRITTEN + "written-exits-v7-zlib.dat");
        ExitStatistics want = ExitStatistics.by(grouping);
        KvmTraceSummary summary = want.readFile(file, 1);
        assertEquals(0, summary.problemCount());
        assertTrue(summary.events() > 1000, "readFile read the trace.dat: " + summary);
        List<ExitStatisticsRow> wantRows = want.rows(ExitStatistics.Order.REASON);
        List<Row> got = ExitStatisticsAggregator.table(load(file), grouping, "host").collectAsList();
        assertEquals(wantRows.size(), got.size());
        assertTrue(wantRows.size() >= 4, "a table worth comparing: " + wantRows.size());
        for (int i = 0; i < wantRows.size(); i++) {
            assertEquals("host-t", got.get(i).getString(0));
            ExitStatisticsAggregatorTest.assertRow(grouping + " row " + i, wantRows.get(i), got.get(i));
        }
    }

    @Test
    void aTruncatedFileGivesProblemRowsAndKeepsItsReadableEvents() throws IOException {
        Path full = resource(WRITTEN + "written-exits-v6.dat");
        byte[] bytes = Files.readAllBytes(full);
        int allEvents = expected(full).events().size();
        // v6 keeps the CPUs' pages last: the cut falls inside the last CPU's pages
        Path truncated = dir.resolve("host-t/truncated.dat");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 3000));
        Expected expected = assertSameAsReader(truncated);
        assertTrue(expected.events().size() > allEvents / 2 && expected.events().size() < allEvents,
                expected.events().size() + " of " + allEvents);
        assertTrue(expected.problems().stream().anyMatch(p -> p.matches(
                "damaged data: offset 0x" + Long.toHexString(bytes.length - 3000) + ", CPU \\d+: file truncated.*")),
                expected.problems().toString());

        // the same cut inside a gzip stream: the copy stops at the cut, and what it holds is read
        Set<Path> copiesBefore = localCopies();
        Path gz = dir.resolve("host-t/cut.dat.gz");
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(bytes);
        }
        byte[] zipped = Files.readAllBytes(gz);
        Files.write(gz, Arrays.copyOf(zipped, zipped.length * 3 / 4));
        List<Row> rows = load(gz).orderBy("line").collectAsList();
        Row first = rows.get(0);
        assertTrue(first.<String>getAs("problem").startsWith("unreadable file: cannot read past byte "), first.toString());
        long events = rows.stream().filter(r -> r.getAs("problem") == null).count();
        assertTrue(events > 0 && events < allEvents, events + " of " + allEvents);
        assertTrue(rows.stream().anyMatch(r -> r.getAs("problem") != null && r.<String>getAs("problem").contains("file truncated")),
                "the reader says where the copy ends");
        assertEquals(copiesBefore, localCopies());
    }

    @Test
    void failFastStopsAtTheFirstTraceDatProblem() throws IOException {
        Path lost = resource(REAL + "lost-v7-zstd.dat");
        Exception e = assertThrows(Exception.class,
                () -> spark.read().format("kvmtrace").option("mode", "FAILFAST").load(lost.toString()).count());
        Throwable cause = e;
        while (cause.getCause() != null && !String.valueOf(cause.getMessage()).contains("lost events:")) {
            cause = cause.getCause();
        }
        assertTrue(String.valueOf(cause.getMessage()).contains("lost-v7-zstd.dat"), cause.toString());
        assertTrue(String.valueOf(cause.getMessage()).contains("lost events: offset 0x"), cause.toString());
    }

    @Test
    void theStreamEntryOfTheFormatReadsACopy() throws IOException {
        Path file = resource(WRITTEN + "written-exits-v7-zlib.dat");
        Set<Path> copiesBefore = localCopies();
        long events = 0;
        try (KvmTraceCursor cursor = new TraceDatKvmTraceFormat().open(Files.newInputStream(file), file.toString())) {
            while (cursor.advance()) {
                assertTrue(!cursor.isProblem(), cursor::problem);
                events++;
                assertEquals(events, cursor.position());
            }
            assertEquals(1, localCopies().size() - copiesBefore.size(), "the copy exists while the cursor reads");
        }
        assertEquals(expected(file).events().size(), events);
        assertEquals(copiesBefore, localCopies());
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("disk on fire");
            }
        };
        UncheckedIOException failure = assertThrows(UncheckedIOException.class,
                () -> new TraceDatKvmTraceFormat().open(broken, "hdfs://x/y.dat"));
        assertEquals("cannot read hdfs://x/y.dat after byte 0", failure.getMessage());
        assertEquals(copiesBefore, localCopies());
    }

    @Test
    void readingATraceDatNeedsNoJna() {
        // vmx-spark excludes vmx-hw's JNA: every trace.dat test above ran without it on the class path
        assertThrows(ClassNotFoundException.class, () -> Class.forName("com.sun.jna.Native"));
    }
}
