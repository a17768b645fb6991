package dev.vmx.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.exit.BasicExitReason;
import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.ExitStatisticsRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
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
        // the parallel benchmark computes the same statistics
        ExitStatistics parallel = ExitStatistics.byReason();
        parallel.readFile(file, 2);
        assertEquals(stats.rows(ExitStatistics.Order.REASON), parallel.rows(ExitStatistics.Order.REASON));
        // the awk baseline counts the same per-reason exits: reason words in the file
        long hlt = Files.readAllLines(file).stream().filter(line -> line.contains(" reason HLT ")).count();
        assertEquals(hlt, stats.rows(ExitStatistics.Order.COUNT).stream()
                .filter(row -> (row.exitCode() & 0xffff) == BasicExitReason.HLT.number())
                .mapToLong(ExitStatisticsRow::count).sum());
    }

    @Test
    void awkBaselineCountsTheSameExitsPerBasicReason(@TempDir Path directory) {
        Assumptions.assumeTrue(onPath("awk"), "no awk on the PATH: the awk baseline cannot run here");
        Path file = directory.resolve("trace.txt");
        TraceTextMix.write(file, 20_000, 7);
        Map<String, Long> awk = TraceTextBenchmark.awkCounts(file);
        // awk keys by the word after "reason", i.e. the basic reason's name without flags
        Map<String, Long> typed = new TreeMap<>();
        for (ExitStatisticsRow row : TraceTextBenchmark.typed(file).rows(ExitStatistics.Order.COUNT)) {
            typed.merge(BasicExitReason.fromNumber((int) (row.exitCode() & 0xffff)).name(), row.count(), Long::sum);
        }
        assertEquals(typed, awk);
        assertTrue(awk.size() > 5, "a real exit mix has many reasons: " + awk);
    }

    private static boolean onPath(String command) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(directory, command))) {
                return true;
            }
        }
        return false;
    }
}
