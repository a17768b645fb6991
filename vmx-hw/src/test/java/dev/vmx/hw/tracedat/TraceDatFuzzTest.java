package dev.vmx.hw.tracedat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.vmx.trace.ExitEntryConsumer;
import dev.vmx.trace.KvmTraceSummary;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged trace.dat files (deterministic mutations of the real and written ones: bit flips, byte
 * runs set to 0xff, truncation) are either rejected when opened, with the documented
 * IllegalArgumentException naming the file and offset, or read with the damage reported; nothing
 * else is thrown, and no input takes long.
 */
class TraceDatFuzzTest {
    @TempDir
    Path directory;

    private void readOrReject(byte[] bytes, String what) throws Exception {
        Path file = Files.write(directory.resolve("fuzz.dat"), bytes);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            TraceDat dat;
            try {
                dat = TraceDat.open(file);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                // the message says which file (a user may pass several) and, for damage, where
                if (e.getMessage() == null || !e.getMessage().contains(file.toString())) {
                    throw new AssertionError(what + ": rejected without naming the file: " + e.getMessage(), e);
                }
                return;
            }
            try (dat) {
                TraceDatReader reader = dat.reader();
                long events = 0;
                while (reader.advance()) {
                    events += reader.event().exitCode() >= 0 ? 1 : 1;
                    reader.event().toRecord();
                }
                reader.summary();
                for (int threads : new int[] {1, 3}) {
                    dat.readInWindows(threads, index -> event -> event.toRecord());
                    // the by-thread path hands over the same events, each thread's in the same order
                    List<PerThreadRecorder> inOrder = windows(threads);
                    KvmTraceSummary ordered = dat.readInWindows(threads,
                            index -> event -> ExitEntryConsumer.dispatch(inOrder.get(index), event));
                    List<PerThreadRecorder> byThread = windows(threads);
                    KvmTraceSummary fast = dat.readByThread(threads, byThread::get);
                    assertEquals(PerThreadRecorder.joined(inOrder), PerThreadRecorder.joined(byThread), what);
                    assertEquals(ordered.events(), fast.events(), what);
                    assertEquals(ordered.otherEvents(), fast.otherEvents(), what);
                    assertEquals(ordered.lossLines(), fast.lossLines(), what);
                    assertEquals(ordered.lostEvents(), fast.lostEvents(), what);
                    assertEquals(ordered.problemCount(), fast.problemCount(), what);
                    // the same problems, in the same order (the by-thread path reads two pages at once)
                    assertEquals(ordered.problems(), fast.problems(), what);
                }
            }
            // and the same with the data held in one-page segments from temporary files
            assertEquals(TraceDatStorageTest.fingerprint(file, TraceDat.Storage.DEFAULT),
                    TraceDatStorageTest.fingerprint(file, TraceDatStorageTest.ONE_PAGE_FILES), what);
        }, what);
    }

    private static List<PerThreadRecorder> windows(int threads) {
        List<PerThreadRecorder> windows = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            windows.add(new PerThreadRecorder());
        }
        return windows;
    }

    @Test
    void mutationsOfRealAndWrittenFilesAreReadOrRejectedNeverThrown() throws Exception {
        Random random = new Random(19);
        TraceDatWriter writer = new TraceDatWriter("kvm_exit", "kvm_entry", "kvm_pio");
        var pages = writer.pages(WrittenTraceDatTest.workload(new Random(3), 2, 60), WrittenTraceDatTest.CPUS);
        List<byte[]> samples = List.of(
                Files.readAllBytes(TraceCmdReport.resource("guest-v7-zstd.dat", directory)),
                Files.readAllBytes(TraceCmdReport.resource("guest-v6.dat.gz", directory)),
                writer.v6(pages), writer.v7(pages, true, 3), writer.v7(pages, false, 3));
        int inputs = 0;
        for (int s = 0; s < samples.size(); s++) {
            byte[] sample = samples.get(s);
            for (int i = 0; i < 90; i++) {
                byte[] mutated = sample.clone();
                int at = random.nextInt(mutated.length);
                switch (i % 3) {
                    case 0 -> mutated[at] ^= (byte) (1 << random.nextInt(8));
                    case 1 -> Arrays.fill(mutated, at, Math.min(mutated.length, at + 1 + random.nextInt(8)), (byte) 0xff);
                    default -> mutated = Arrays.copyOf(mutated, at);
                }
                readOrReject(mutated, "sample " + s + " mutation " + i + " at " + at);
                inputs++;
            }
            // the metadata, byte by byte: every small offset flipped
            for (int at = 0; at < Math.min(sample.length, 200); at++) {
                byte[] mutated = sample.clone();
                mutated[at] = (byte) ~mutated[at];
                readOrReject(mutated, "sample " + s + " inverted byte " + at);
                inputs++;
            }
        }
        System.out.println(inputs + " damaged trace.dat files read or rejected");
    }
}
