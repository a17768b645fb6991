package dev.vmx.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.trace.ExitStatistics;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TraceDatBenchmark's trace.dat, its text twin and its page copy agree: same events, same statistics. */
class TraceDatAgreementTest {
    @Test
    void theTraceDatHoldsTheTextsEventsAndGivesTheSameStatistics(@TempDir Path directory) throws Exception {
        Path text = directory.resolve("trace.txt");
        Path dat = directory.resolve("trace.dat");
        TraceTextMix.write(text, 40_000, 7);
        assertEquals(40_000, TraceDatMix.write(text, dat));
        ExitStatistics fromText = ExitStatistics.byReason();
        fromText.readFile(text, 1);
        for (int threads : new int[] {1, 2, 4}) {
            ExitStatistics fromDat = ExitStatistics.byReason();
            assertEquals(40_000, fromDat.readFile(dat, threads).events());
            assertEquals(fromText.rows(ExitStatistics.Order.REASON), fromDat.rows(ExitStatistics.Order.REASON),
                    "threads " + threads);
        }
        assertEquals(20_000, TraceDatBenchmark.statistics(dat, 1));
        assertEquals(TraceDatBenchmark.statistics(text, 1), TraceDatBenchmark.statistics(dat, 2));
        // the copy baseline reads every page of the file
        assertTrue(Files.size(dat) % TraceDatMix.PAGE_SIZE == 0);
        assertEquals(40_000, TraceDatBenchmark.walkRecords(dat), "the record walk finds every event");
        assertEquals(40_000, TraceDatBenchmark.walkRecordsPaired(dat), "the paired record walk finds every event");
        // the hand-over baseline is handed every field of every event, as the time-ordered reader gives them
        long[] expected = {0};
        dev.vmx.trace.ExitEntryConsumer summing = TraceDatBenchmark.summing(expected);
        try (dev.vmx.hw.tracedat.TraceDat trace = dev.vmx.hw.tracedat.TraceDat.open(dat)) {
            dev.vmx.hw.tracedat.TraceDatReader reader = trace.reader();
            while (reader.advance()) {
                dev.vmx.trace.ExitEntryConsumer.dispatch(summing, reader.event());
            }
        }
        assertTrue(expected[0] != 0);
        assertEquals(expected[0], TraceDatBenchmark.handOverOnly(dat));
        assertEquals(TraceDatBenchmark.copyPages(dat, new byte[TraceDatMix.PAGE_SIZE]),
                TraceDatBenchmark.copyPages(dat, new byte[TraceDatMix.PAGE_SIZE]));
    }
}
