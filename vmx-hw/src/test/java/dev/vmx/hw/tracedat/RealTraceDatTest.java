package dev.vmx.hw.tracedat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.KvmEventRecord;
import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmTraceSummary;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * trace.dat files recorded on a real host (see the resources' README.md): every event the reader
 * delivers equals what {@code trace-cmd report} prints for the same file, in v6, v7 and
 * zstd-compressed v7; damage is reported with its place and the rest is still read.
 */
class RealTraceDatTest {
    @TempDir
    Path directory;

    /** The events and losses a reader delivers, as report lines. */
    static List<TraceCmdReport.Line> read(TraceDat dat) {
        List<TraceCmdReport.Line> lines = new ArrayList<>();
        TraceDatReader reader = dat.reader();
        while (reader.advance()) {
            lines.add(new TraceCmdReport.Line(reader.buffer(), reader.event().toRecord(), -1, 0));
        }
        return lines;
    }

    /** assertEquals for long lists, naming the first difference instead of printing both lists. */
    static void assertSameLines(List<TraceCmdReport.Line> expected, List<TraceCmdReport.Line> actual, String what) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                throw new AssertionError(what + ": line " + i + " differs: expected " + expected.get(i) + " but read "
                        + actual.get(i));
            }
        }
        if (expected.size() != actual.size()) {
            throw new AssertionError(what + ": " + actual.size() + " lines read, " + expected.size() + " expected; "
                    + (expected.size() > actual.size() ? "first missing " + expected.get(actual.size())
                            : "first extra " + actual.get(expected.size())));
        }
    }

    static List<TraceCmdReport.Line> eventsOnly(List<TraceCmdReport.Line> lines) {
        return lines.stream().filter(line -> line.event() != null).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"guest-v7-zstd.dat", "guest-v6.dat.gz", "guest-v7-none.dat.gz"})
    void everyEventEqualsWhatTraceCmdReportPrints(String resource) {
        Path file = TraceCmdReport.resource(resource, directory);
        try (TraceDat dat = TraceDat.open(file)) {
            assertEquals(resource.contains("v6") ? 6 : 7, dat.version());
            assertEquals(resource.contains("zstd") ? "zstd" : "none", dat.compression());
            assertEquals(List.of("vmxb", "vmxa"), dat.buffers());
            assertEquals(List.of(), dat.problems());
            List<TraceCmdReport.Line> actual = read(dat);
            List<TraceCmdReport.Line> expected = TraceCmdReport.parse(TraceCmdReport.text("guest.report.txt"), dat.buffers());
            assertEquals(404, expected.size());
            assertSameLines(expected, actual, resource);
            // what the guest did: 40 OUT and 40 IN of port 0x3f8, 81 returns to user space, seen by both buffers
            assertEquals(80, actual.stream().filter(l -> l.event().type() == KvmEventType.KVM_PIO).count());
            assertEquals(40, actual.stream().filter(l -> l.event().type() == KvmEventType.KVM_PIO && l.event().isWrite()
                    && l.event().port() == 0x3f8 && l.event().value() == 'A').count());
            assertEquals(81, actual.stream().filter(l -> l.buffer().equals("vmxb")).count());
            Optional<String> live = TraceCmdReport.run(file);
            if (live.isPresent()) {
                assertSameLines(expected, TraceCmdReport.parse(live.get(), dat.buffers()), "installed trace-cmd report");
            } else {
                System.out.println("trace-cmd is not installed: " + resource + " compared with the committed report only");
            }
        }
    }

    @Test
    void lostEventsAreReportedWithCpuOffsetAndCountAndEverythingElseIsRead() {
        Path file = TraceCmdReport.resource("lost-v7-zstd.dat", directory);
        try (TraceDat dat = TraceDat.open(file)) {
            List<TraceCmdReport.Line> expected = TraceCmdReport.parse(TraceCmdReport.text("lost.report.txt"), dat.buffers());
            TraceDatReader reader = dat.reader();
            List<TraceCmdReport.Line> actual = new ArrayList<>();
            while (reader.advance()) {
                actual.add(new TraceCmdReport.Line(reader.buffer(), reader.event().toRecord(), -1, 0));
            }
            assertSameLines(eventsOnly(expected), actual, "lost");
            List<TraceCmdReport.Line> losses = expected.stream().filter(line -> line.event() == null).toList();
            assertEquals(List.of(new TraceCmdReport.Line("vmxa", null, 1, 2133)), losses);
            assertEquals(1, reader.lossReports());
            assertEquals(2133, reader.lostEvents());
            assertEquals(0, reader.problemCount());
            TraceDatProblem loss = reader.problems().get(0);
            assertEquals("vmxa", loss.buffer());
            assertEquals(1, loss.cpu());
            assertTrue(loss.problem().startsWith("2133 events were lost by the kernel before page 0"), loss.problem());
            TraceDat.CpuStream stream = dat.streams.stream().filter(s -> s.buffer.equals("vmxa") && s.cpu == 1)
                    .findFirst().orElseThrow();
            assertEquals(stream.offset + 4, loss.offset(), "the offset of the compressed chunk holding the page");
            if (TraceCmdReport.installed()) {
                assertSameLines(expected, TraceCmdReport.parse(TraceCmdReport.run(file).orElseThrow(), dat.buffers()), "live");
            }
        }
    }

    @Test
    void exitStatisticsReadsATraceDatLikeATextFile() {
        Path file = TraceCmdReport.resource("lost-v7-zstd.dat", directory);
        for (int threads : new int[] {1, 2, 4}) {
            KvmTraceSummary summary = ExitStatistics.by(ExitStatistics.Grouping.IO_PORT).readFile(file, threads);
            long events = eventsOnly(TraceCmdReport.parse(TraceCmdReport.text("lost.report.txt"),
                    List.of("vmxa", "vmxb"))).size();
            assertEquals(events, summary.events(), "threads " + threads);
            assertEquals(1, summary.lossLines());
            assertEquals(2133, summary.lostEvents());
            assertEquals(0, summary.problemCount());
            assertEquals(events + 1, summary.lines());
        }
    }

    @Test
    void aTruncatedFileDeliversEverythingBeforeTheCutAndSaysWhatIsMissing() throws IOException {
        Path full = TraceCmdReport.resource("guest-v6.dat.gz", directory);
        List<TraceCmdReport.Line> all;
        TraceDat.CpuStream vmxa;
        try (TraceDat dat = TraceDat.open(full)) {
            all = read(dat);
            vmxa = dat.streams.stream().filter(s -> s.buffer.equals("vmxa")).findFirst().orElseThrow();
        }
        assertTrue(vmxa.size >= 2L * 4096, "vmxa has " + vmxa.size + " bytes");
        long cut = vmxa.offset + 4096 + 1000; // inside vmxa's second page
        Path truncated = directory.resolve("truncated.dat");
        Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(full), (int) cut));
        try (TraceDat dat = TraceDat.open(truncated)) {
            TraceDatReader reader = dat.reader();
            List<TraceCmdReport.Line> read = new ArrayList<>();
            while (reader.advance()) {
                read.add(new TraceCmdReport.Line(reader.buffer(), reader.event().toRecord(), -1, 0));
            }
            // every vmxb event (its data lies before vmxa's in the file), and vmxa's up to the cut: page 0
            // whole and the records of page 1 that end before byte 1000
            long lastVmxa = read.stream().filter(l -> l.buffer().equals("vmxa")).mapToLong(l -> l.event().timestampNanos())
                    .max().orElseThrow();
            List<TraceCmdReport.Line> expected = all.stream().filter(l -> !l.buffer().equals("vmxa")
                    || l.event().timestampNanos() <= lastVmxa).toList();
            assertSameLines(expected, read, "truncated");
            assertTrue(read.stream().filter(l -> l.buffer().equals("vmxa")).count() > 4080 / 40,
                    "more than page 0's events of vmxa are read");
            assertTrue(read.size() < all.size(), read.size() + " of " + all.size());
            List<String> problems = reader.problems().stream().map(TraceDatProblem::toString).toList();
            assertTrue(problems.get(0).startsWith("offset 0x" + Long.toHexString(cut) + ", buffer vmxa, CPU "
                    + vmxa.cpu + ": file truncated: " + (4096 + 1000) + " of the CPU's " + vmxa.size + " bytes"), problems.toString());
            assertTrue(problems.get(1).contains("page 1 is cut off after 1000 of 4096 bytes"), problems.toString());
        }
    }

    @Test
    void aCorruptPageIsSkippedAndNamedWhileTheOtherPagesAreRead() throws IOException {
        Path full = TraceCmdReport.resource("guest-v6.dat.gz", directory);
        List<TraceCmdReport.Line> all;
        TraceDat.CpuStream vmxa;
        try (TraceDat dat = TraceDat.open(full)) {
            all = read(dat);
            vmxa = dat.streams.stream().filter(s -> s.buffer.equals("vmxa")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(full);
        // page 0's commit (header_page: offset 8, 8 bytes) far beyond the page
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong((int) vmxa.offset + 8, 1_000_000);
        Path corrupt = directory.resolve("corrupt.dat");
        Files.write(corrupt, bytes);
        try (TraceDat dat = TraceDat.open(corrupt)) {
            TraceDatReader reader = dat.reader();
            List<TraceCmdReport.Line> read = new ArrayList<>();
            while (reader.advance()) {
                read.add(new TraceCmdReport.Line(reader.buffer(), reader.event().toRecord(), -1, 0));
            }
            assertEquals(1, reader.problemCount(), reader.problems().toString());
            assertEquals(TraceDatProblem.of(vmxa.offset, "vmxa", vmxa.cpu, "page 0 has a damaged header (commit beyond"
                    + " the page, or the page is shorter than its header); its events are lost"), reader.problems().get(0));
            assertTrue(all.containsAll(read));
            long lostOnPage0 = all.size() - read.size();
            assertTrue(lostOnPage0 > 0 && read.stream().anyMatch(l -> l.buffer().equals("vmxa")), "lost " + lostOnPage0);
            assertEquals(all.stream().filter(l -> l.buffer().equals("vmxb")).toList(),
                    read.stream().filter(l -> l.buffer().equals("vmxb")).toList());
        }
    }

    @Test
    void aChunkThatDoesNotDecompressIsNamedAndTheOtherBuffersAreRead() throws IOException {
        Path full = TraceCmdReport.resource("guest-v7-zstd.dat", directory);
        List<TraceCmdReport.Line> all;
        TraceDat.CpuStream vmxa;
        try (TraceDat dat = TraceDat.open(full)) {
            all = read(dat);
            vmxa = dat.streams.stream().filter(s -> s.buffer.equals("vmxa")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(full);
        int chunk = (int) vmxa.offset + 4; // after the chunk count: compressed size, size, zstd frame
        for (int i = chunk + 8; i < chunk + 8 + 64; i++) {
            bytes[i] ^= (byte) 0x5a;
        }
        Path corrupt = directory.resolve("chunk.dat");
        Files.write(corrupt, bytes);
        try (TraceDat dat = TraceDat.open(corrupt)) {
            TraceDatReader reader = dat.reader();
            List<TraceCmdReport.Line> read = new ArrayList<>();
            while (reader.advance()) {
                read.add(new TraceCmdReport.Line(reader.buffer(), reader.event().toRecord(), -1, 0));
            }
            assertSameLines(all.stream().filter(l -> !l.buffer().equals("vmxa")).toList(), read, "chunk");
            assertEquals(1, reader.problemCount());
            TraceDatProblem problem = reader.problems().get(0);
            assertEquals(chunk, problem.offset());
            assertEquals("vmxa", problem.buffer());
            assertTrue(problem.problem().startsWith("chunk 0 does not decompress ("), problem.problem());
            assertTrue(problem.problem().endsWith("); the events of its 2 pages are lost"), problem.problem());
        }
    }

    @Test
    void anUnknownOptionIsReportedAndSkipped() throws IOException {
        Path full = TraceCmdReport.resource("guest-v6.dat.gz", directory);
        byte[] bytes = Files.readAllBytes(full);
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int at = indexOf(bytes, "options  \0".getBytes(java.nio.charset.StandardCharsets.US_ASCII)) + 10;
        int changed = -1;
        while (in.getShort(at) != 0) {
            int id = in.getShort(at);
            int size = in.getInt(at + 2);
            if (id == 5 /* UNAME */ && changed < 0) {
                in.putShort(at, (short) 200);
                changed = at;
            }
            at += 6 + size;
        }
        assertTrue(changed > 0, "the file has a UNAME option");
        Path file = directory.resolve("option.dat");
        Files.write(file, bytes);
        try (TraceDat dat = TraceDat.open(file)) {
            assertEquals(1, dat.problems().size());
            TraceDatProblem problem = dat.problems().get(0);
            assertEquals(changed, problem.offset());
            assertTrue(problem.problem().startsWith("unknown option 200 ("), problem.problem());
            assertEquals(404, read(dat).size());
        }
    }

    @Test
    void filesThatAreNotReadableTraceDatsAreRejectedNamingTheOffset() throws IOException {
        Path full = TraceCmdReport.resource("guest-v6.dat.gz", directory);
        byte[] bytes = Files.readAllBytes(full);
        Path text = directory.resolve("text.dat");
        Files.writeString(text, "CPU 0/KVM-1234 [001] 1.000: kvm_exit: reason HLT\n");
        IllegalArgumentException notTraceDat = assertThrows(IllegalArgumentException.class, () -> TraceDat.open(text));
        assertTrue(notTraceDat.getMessage().endsWith("is not a trace.dat: it does not start with trace-cmd's magic"
                + " 0x17 0x08 0x44 \"tracing\""), notTraceDat.getMessage());
        Path cut = directory.resolve("cut.dat");
        Files.write(cut, java.util.Arrays.copyOf(bytes, 100));
        IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class, () -> TraceDat.open(cut));
        assertTrue(truncated.getMessage().startsWith(cut + ": the file ends inside its metadata, before any event data"
                + " (header_page at offset 38 needs "), truncated.getMessage());
        byte[] version8 = bytes.clone();
        version8[10] = '8';
        Path eight = directory.resolve("v8.dat");
        Files.write(eight, version8);
        IllegalArgumentException version = assertThrows(IllegalArgumentException.class, () -> TraceDat.open(eight));
        assertTrue(version.getMessage().endsWith("trace.dat version 8 at offset 10; this reader reads versions 6 and 7"),
                version.getMessage());
    }

    static int indexOf(byte[] bytes, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= bytes.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (bytes[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void aRecordKeepsItsValuesAfterTheReaderMoves() {
        Path file = TraceCmdReport.resource("guest-v7-zstd.dat", directory);
        try (TraceDat dat = TraceDat.open(file)) {
            TraceDatReader reader = dat.reader();
            assertThrows(IllegalStateException.class, reader::event);
            assertTrue(reader.advance());
            KvmEventRecord first = reader.event().toRecord();
            while (reader.advance()) {
                // the flyweight moves, the record stays
            }
            assertEquals(KvmEventType.OTHER, first.type());
            assertEquals(404, reader.eventCount());
            assertEquals(162, reader.otherCount());
        }
    }
}
