package dev.vmx.hw.tracedat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Task names of trace.dat events come from the file's saved cmdlines, as {@code trace-cmd report}
 * prints them (libtraceevent event-parse.c: find_cmdline gives "<idle>" for pid 0 and "<...>" for
 * a pid the table lacks; tep_parse_saved_cmdlines reads "%d %m[^\n]" per line, so a name keeps its
 * spaces). The installed trace-cmd is the judge where it is present.
 */
class SavedCmdlinesTest {
    @TempDir
    Path directory;

    /** kvm_entry events of the given pids, one per pid, on CPU 0 then 1 in turn. */
    private static List<TraceDatWriter.Event> entries(int... pids) {
        List<TraceDatWriter.Event> events = new ArrayList<>();
        long time = 2_000_000_000L;
        for (int i = 0; i < pids.length; i++) {
            events.add(new TraceDatWriter.Event("kvm_entry", i % 2, time + i * 1000L, Map.of("common_pid", (long) pids[i],
                    "vcpu_id", (long) i, "rip", 0xffffffff81000000L + i)));
        }
        return events;
    }

    private static List<String> tasks(Path file, List<TraceDatProblem> problems) {
        try (TraceDat dat = TraceDat.open(file)) {
            problems.addAll(dat.problems());
            List<String> tasks = new ArrayList<>();
            TraceDatReader reader = dat.reader();
            while (reader.advance()) {
                tasks.add(reader.event().task().toString());
            }
            return tasks;
        }
    }

    @Test
    void tasksAreNamedAsTraceCmdReportNamesThem() throws IOException {
        TraceDatWriter writer = new TraceDatWriter("kvm_exit", "kvm_entry", "kvm_pio")
                .cmdlines("1001 CPU 0/KVM\n1002 qemu-system-x86\n\n77   kworker/u4:2\n");
        var pages = writer.pages(entries(1001, 1002, 0, 4242, 77), 2);
        List<String> expected = List.of("CPU 0/KVM", "qemu-system-x86", "<idle>", "<...>", "kworker/u4:2");
        Path v6 = Files.write(directory.resolve("named-v6.dat"), writer.v6(pages));
        Path v7 = Files.write(directory.resolve("named-v7.dat"), writer.v7(pages, false, 4));
        // (Debian's trace-cmd 3.1.6 decompresses zstd only, so the zlib file is judged by the rules alone)
        Path v7zlib = Files.write(directory.resolve("named-v7-zlib.dat"), writer.v7(pages, true, 4));
        for (Path file : List.of(v6, v7, v7zlib)) {
            List<TraceDatProblem> problems = new ArrayList<>();
            assertEquals(expected, tasks(file, problems), file.getFileName().toString());
            assertEquals(List.of(), problems);
            Optional<String> report = file == v7zlib ? Optional.empty() : TraceCmdReport.run(file);
            if (report.isEmpty()) {
                if (file == v7zlib) {
                    continue;
                }
                System.out.println("trace-cmd is not installed: task names of " + file.getFileName() + " checked against"
                        + " libtraceevent's rules only");
                continue;
            }
            List<String> printed = TraceCmdReport.parse(report.get(), List.of()).stream()
                    .map(line -> line.event().task().toString()).toList();
            assertEquals(expected, printed, "trace-cmd report " + file.getFileName());
        }
    }

    @Test
    void unreadableLinesAndRepeatedPidsAreReportedAndTheOtherLinesStillName() throws IOException {
        String cmdlines = "1001 vcpu0\nnot-a-pid x\n1002\n1001 again\n1003 vcpu2\n";
        TraceDatWriter writer = new TraceDatWriter("kvm_exit", "kvm_entry", "kvm_pio").cmdlines(cmdlines);
        var pages = writer.pages(entries(1001, 1002, 1003), 2);
        byte[] v6 = writer.v6(pages);
        Path file = Files.write(directory.resolve("bad-cmdlines-v6.dat"), v6);
        List<TraceDatProblem> problems = new ArrayList<>();
        assertEquals(List.of("vcpu0", "<...>", "vcpu2"), tasks(file, problems));
        assertEquals(3, problems.size(), problems.toString());
        // where the table's text starts in the file: the offsets name the line's first byte
        int textAt = RealTraceDatTest.indexOf(v6, cmdlines.getBytes(StandardCharsets.UTF_8));
        assertTrue(textAt > 0);
        assertEquals(textAt + cmdlines.indexOf("not-a-pid"), problems.get(0).offset());
        assertTrue(problems.get(0).problem().contains("line 2 'not-a-pid x'"), problems.get(0).problem());
        assertEquals(textAt + cmdlines.indexOf("1002"), problems.get(1).offset());
        assertTrue(problems.get(1).problem().contains("line 3 '1002'"), problems.get(1).problem());
        assertTrue(problems.get(2).problem().contains("pid 1001 again as 'again'; its first name, 'vcpu0', is kept"),
                problems.get(2).problem());
    }

    @Test
    void aDamagedBlockReportsItsFirstBadLinesOneByOneAndCountsTheRest() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            text.append("garbage ").append(i).append('\n');
        }
        text.append("42 survivor\n");
        List<String> problems = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        SavedCmdlines table = SavedCmdlines.parse(text.toString(), 1000, (offset, problem) -> {
            offsets.add(offset);
            problems.add(problem);
        });
        assertEquals(SavedCmdlines.REPORTED_LINES + 1, problems.size(), problems.toString());
        assertEquals(1000L, offsets.get(0));
        assertTrue(problems.get(0).contains("line 1 'garbage 0'"), problems.get(0));
        assertEquals(1000L + text.indexOf("garbage 10\n"), offsets.get(SavedCmdlines.REPORTED_LINES));
        assertEquals("15 more saved cmdlines lines are not 'PID NAME' (the first of them here); they are skipped",
                problems.get(SavedCmdlines.REPORTED_LINES));
        assertEquals(1, table.size());
        assertEquals("survivor", table.taskOf(42));
        assertEquals("<...>", table.taskOf(43));
        assertEquals("<idle>", table.taskOf(0));
    }

    @Test
    void aV7FileWithoutCmdlinesSaysSoAndNamesEveryTaskUnknown() throws IOException {
        TraceDatWriter writer = new TraceDatWriter("kvm_exit", "kvm_entry", "kvm_pio");
        byte[] v7 = writer.v7(writer.pages(entries(1001, 0), 2), false, 4);
        // turn the CMDLINES option into an unknown-to-nobody padding option id (CPUCOUNT, 8) of the same size
        byte[] option = {21, 0, 8, 0, 0, 0};
        int at = RealTraceDatTest.indexOf(v7, option);
        assertTrue(at > 0, "the CMDLINES option");
        v7[at] = 8;
        Path file = Files.write(directory.resolve("no-cmdlines-v7.dat"), v7);
        List<TraceDatProblem> problems = new ArrayList<>();
        assertEquals(List.of("<...>", "<idle>"), tasks(file, problems));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).problem().startsWith("no CMDLINES option"), problems.get(0).problem());
    }
}
