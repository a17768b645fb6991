package dev.vmx.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the tutorial's main and the measurement harness, so that neither can rot. */
class FleetTutorialTest {
    @Test
    void tutorialPrintsThePerHostTableAndTheProblems() throws IOException {
        TestSpark.session(); // the tutorial uses the running session and leaves it running
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            FleetTutorial.main(new String[0]);
        } finally {
            System.setOut(saved);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        saved.print(out);
        assertTrue(out.contains("Read 8 files: "), out);
        assertTrue(out.contains("2 problem rows:"), out);
        // the cut line and the loss line appended to host-03's second file (its lines 11139 and 11140)
        assertTrue(out.contains("host-03 line 11139: unparsable line: no 'reason'"), out);
        assertTrue(out.contains("host-03 line 11140: lost events: the kernel overwrote 1200 events by the end of the file"), out);
        for (String host : List.of("host-00", "host-01", "host-02", "host-03")) {
            assertEquals(3, out.lines().filter(l -> l.startsWith(host + " ")).count(), host + " in\n" + out);
        }
        assertTrue(out.contains("Across the fleet: "), out);
    }

    @Test
    void throughputHarnessRunsAndAgrees() throws Exception {
        // its own JVM: it starts local[N] sessions of its own, and a JVM holds one Spark context at a time
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-agentlib") && !a.startsWith("-javaagent")).toList());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), FleetThroughput.class.getName(),
                "--hosts", "2", "--files", "1", "--exits", "2000", "--threads", "2", "--repeat", "1"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output;
        try {
            output = process.getInputStream().readAllBytes();
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "harness did not end");
        } finally {
            process.destroyForcibly();
        }
        String out = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("\\s+2\\s+\\d+\\s+\\d+\\s+[0-9.]+\\s+\\d+")), out);
    }
}
