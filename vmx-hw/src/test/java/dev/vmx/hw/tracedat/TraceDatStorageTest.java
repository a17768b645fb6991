package dev.vmx.hw.tracedat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.trace.KvmTraceSummary;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a file's CPU data is held does not change what is read: data cut into segments (a CPU's data
 * may pass the 2 GiB one ByteBuffer holds; here segments of one and three pages put a segment end
 * between most pages) and decompressed data in temporary files instead of the heap give the same
 * events, in the same order, with the same problems at the same offsets, in time order and by
 * thread. A CPU with more than 2 GiB of data (a sparse file) is read to its end.
 */
class TraceDatStorageTest {
    /** Segments of one page, decompressed data in temporary files. */
    static final TraceDat.Storage ONE_PAGE_FILES = new TraceDat.Storage(4096, 0);
    /** Segments of three pages, decompressed data on the heap. */
    static final TraceDat.Storage THREE_PAGES_HEAP = new TraceDat.Storage(3 * 4096, Long.MAX_VALUE);

    @TempDir
    Path directory;

    /** Everything a reading gives: the time-ordered events and summary (1 and 3 windows), and each thread's events by thread. */
    static String fingerprint(Path file, TraceDat.Storage storage) {
        StringBuilder out = new StringBuilder();
        try (TraceDat dat = TraceDat.open(file, storage)) {
            for (int threads : new int[] {1, 3}) {
                List<String> events = new ArrayList<>();
                KvmTraceSummary summary = dat.readInWindows(threads, index -> event -> {
                    synchronized (events) {
                        events.add(index + " " + event.toRecord());
                    }
                });
                events.sort(null); // windows run at once: their order is the window number, then time order within
                out.append(threads).append(" windows: ").append(summary).append('\n');
                events.forEach(event -> out.append(event).append('\n'));
                List<PerThreadRecorder> windows = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    windows.add(new PerThreadRecorder());
                }
                KvmTraceSummary byThread = dat.readByThread(threads, windows::get);
                out.append("by thread: ").append(byThread).append('\n').append(PerThreadRecorder.joined(windows)).append('\n');
            }
        }
        return out.toString();
    }

    private void assertSameWithEveryStorage(Path file) {
        String expected = fingerprint(file, TraceDat.Storage.DEFAULT);
        assertEquals(expected, fingerprint(file, ONE_PAGE_FILES), file + " in one-page segments from temporary files");
        assertEquals(expected, fingerprint(file, THREE_PAGES_HEAP), file + " in three-page segments on the heap");
    }

    @Test
    void realAndWrittenFilesReadTheSameHoweverTheirDataIsHeld() throws Exception {
        for (String name : List.of("guest-v6.dat.gz", "guest-v7-zstd.dat", "guest-v7-none.dat.gz", "lost-v7-zstd.dat")) {
            assertSameWithEveryStorage(TraceCmdReport.resource(name, directory));
        }
        TraceDatWriter writer = new TraceDatWriter("kvm_exit", "kvm_entry", "kvm_pio");
        var pages = writer.pages(WrittenTraceDatTest.workload(new Random(5), 5, 400), WrittenTraceDatTest.CPUS);
        assertTrue(pages.values().stream().allMatch(cpu -> cpu.size() > 6), "several segments per CPU");
        assertSameWithEveryStorage(Files.write(directory.resolve("v6.dat"), writer.v6(pages)));
        assertSameWithEveryStorage(Files.write(directory.resolve("v7-zlib.dat"), writer.v7(pages, true, 2)));
        assertSameWithEveryStorage(Files.write(directory.resolve("v7-none.dat"), writer.v7(pages, false, 2)));
        // a chunk that does not decompress drops its pages: offsets after it still name the same places
        byte[] damaged = writer.v7(pages, true, 2);
        int middle = damaged.length / 2;
        java.util.Arrays.fill(damaged, middle, middle + 40, (byte) 0x55);
        assertSameWithEveryStorage(Files.write(directory.resolve("v7-damaged.dat"), damaged));
    }

    @Test
    void aCpuWithMoreThan2GiBOfDataIsReadToItsEnd() throws Exception {
        TraceDatWriter writer = new TraceDatWriter("kvm_exit", "kvm_entry", "kvm_pio");
        var events = WrittenTraceDatTest.workload(new Random(8), 2, 100);
        Map<Integer, List<byte[]>> pages = writer.pages(events, WrittenTraceDatTest.CPUS);
        int last = WrittenTraceDatTest.CPUS - 1; // its data ends the file
        assertTrue(pages.get(last).size() >= 2, "pages: " + pages.get(last).size());
        byte[] bytes = writer.v6(pages);
        Path whole = Files.write(directory.resolve("whole.dat"), bytes);
        // the same file with a hole of 2 GiB of empty pages (stamp 0, nothing committed) before the last
        // CPU's last page: sparse, so it takes no disk; that page starts past 2^31 bytes of the CPU's data
        int table = RealTraceDatTest.indexOf(bytes, "flyrecord\0".getBytes(StandardCharsets.ISO_8859_1)) + 10 + 16 * last;
        ByteBuffer entry = ByteBuffer.wrap(bytes, table, 16).order(ByteOrder.LITTLE_ENDIAN);
        long offset = entry.getLong(table);
        long size = entry.getLong(table + 8);
        long hole = (1L << 31) + 4096 * 16;
        long lastPage = offset + size - 4096;
        Path sparse = directory.resolve("sparse.dat");
        try (RandomAccessFile file = new RandomAccessFile(sparse.toFile(), "rw")) {
            file.write(bytes, 0, (int) lastPage);
            file.seek(lastPage + hole);
            file.write(bytes, (int) lastPage, 4096);
            file.seek(table + 8);
            file.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(size + hole).array());
        }
        try (TraceDat expected = TraceDat.open(whole); TraceDat big = TraceDat.open(sparse)) {
            List<String> want = new ArrayList<>();
            TraceDatReader reader = expected.reader();
            while (reader.advance()) {
                want.add(reader.event().toRecord().toString());
            }
            List<String> got = new ArrayList<>();
            TraceDatReader bigReader = big.reader();
            while (bigReader.advance()) {
                got.add(bigReader.event().toRecord().toString());
            }
            assertEquals(events.size(), want.size());
            assertEquals(want, got, "every event, the last page's past 2 GiB too");
            assertEquals(List.of(), bigReader.problems());
            PerThreadRecorder wantByThread = new PerThreadRecorder();
            expected.readByThread(1, index -> wantByThread);
            PerThreadRecorder gotByThread = new PerThreadRecorder();
            big.readByThread(1, index -> gotByThread);
            assertEquals(wantByThread.byPid, gotByThread.byPid);
        }
    }
}
