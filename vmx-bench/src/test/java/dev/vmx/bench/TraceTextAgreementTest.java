package dev.vmx.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.ExitStatisticsRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed trace path and the BufferedReader baseline of TraceTextBenchmark see the same lines. */
class TraceTextAgreementTest {
    @Test
    void typedPathAndLineCountAgree(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("trace.txt");
        TraceTextMix.write(file, 20_000, 7);
        long lines = TraceTextBenchmark.lineCount(file);
        assertEquals(20_000 + 2, lines); // two tracefs header lines
        assertEquals(lines, TraceTextBenchmark.typedLineCount(file));
        assertEquals(lines, TraceTextBenchmark.newlineCount(file));
        ExitStatistics stats = TraceTextBenchmark.typed(file);
        assertEquals(10_000, stats.totalExits());
        assertEquals(10_000, stats.rows(ExitStatistics.Order.COUNT).stream().mapToLong(ExitStatisticsRow::timedCount).sum());
        assertEquals(0, stats.unpairedEntries());
        // the awk baseline counts the same per-reason exits: reason words in the file
        long hlt = Files.readAllLines(file).stream().filter(line -> line.contains(" reason HLT ")).count();
        assertEquals(hlt, stats.rows(ExitStatistics.Order.COUNT).stream()
                .filter(row -> row.reasonName().equals("HLT")).mapToLong(ExitStatisticsRow::count).sum());
    }
}
