package dev.vmx.hw.tracedat;

import dev.vmx.trace.KvmEventRecord;
import dev.vmx.trace.KvmTraceReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code trace-cmd report -t} output as events: each line's buffer prefix ({@code vmxa: }), the
 * event parsed by the project's text reader (task names included: the binary reader names tasks
 * from the file's saved cmdlines as trace-cmd does), and the {@code CPU:N [M EVENTS DROPPED]} lines as losses. The judge of the binary reader.
 */
final class TraceCmdReport {
    /** One line: a buffer and either an event or a loss. */
    record Line(String buffer, KvmEventRecord event, int lossCpu, long lost) {
        @Override
        public String toString() {
            return buffer + ": " + (event != null ? event : "CPU " + lossCpu + " lost " + lost);
        }
    }

    private static final Pattern BUFFER = Pattern.compile("^([A-Za-z0-9_.-]+):(\\s.*)$");
    private static final Pattern DROPPED = Pattern.compile("^\\s*CPU:(\\d+) \\[(\\d+) EVENTS DROPPED\\]$");
    private static final Pattern EVENT_START = Pattern.compile("\\S+-\\d+\\s+\\[\\d+\\]");

    private TraceCmdReport() {
    }

    /** Parses report text; every line that is not "cpus=N", blank, an event or a loss fails the test. */
    static List<Line> parse(String text, List<String> buffers) {
        List<Line> lines = new ArrayList<>();
        List<String> eventLines = new ArrayList<>();
        List<Integer> eventIndexes = new ArrayList<>();
        for (String raw : text.split("\n")) {
            if (raw.isBlank() || raw.startsWith("cpus=")) {
                continue;
            }
            String buffer = "";
            String rest = raw;
            Matcher prefix = BUFFER.matcher(raw);
            if (prefix.matches() && buffers.contains(prefix.group(1))) {
                buffer = prefix.group(1);
                rest = prefix.group(2);
            }
            Matcher dropped = DROPPED.matcher(rest);
            if (dropped.matches()) {
                lines.add(new Line(buffer, null, Integer.parseInt(dropped.group(1)), Long.parseLong(dropped.group(2))));
                continue;
            }
            if (!EVENT_START.matcher(rest).find()) {
                throw new AssertionError("unexpected trace-cmd report line: " + raw);
            }
            eventIndexes.add(lines.size());
            lines.add(null);
            eventLines.add(rest);
        }
        try (KvmTraceReader reader = KvmTraceReader.of(new StringReader(String.join("\n", eventLines)), "report")) {
            int i = 0;
            while (reader.advance()) {
                KvmEventRecord event = reader.event().toRecord();
                int at = eventIndexes.get(i++);
                lines.set(at, new Line("", event, -1, 0));
            }
            if (reader.problemCount() != 0 || i != eventLines.size()) {
                throw new AssertionError("the text reader could not read the report: " + reader.problems());
            }
        }
        // the buffers, in a second pass so that the event list stays aligned
        // trace-cmd prints a loss as "vmxa: CPU:1 [N EVENTS DROPPED]" and the event after it without the prefix
        int index = 0;
        String afterLoss = null;
        for (String raw : text.split("\n")) {
            if (raw.isBlank() || raw.startsWith("cpus=")) {
                continue;
            }
            Matcher prefix = BUFFER.matcher(raw);
            boolean prefixed = prefix.matches() && buffers.contains(prefix.group(1));
            String buffer = prefixed ? prefix.group(1) : afterLoss != null ? afterLoss : "";
            Line line = lines.get(index);
            afterLoss = line.event() == null ? buffer : null;
            lines.set(index++, new Line(buffer, line.event(), line.lossCpu(), line.lost()));
        }
        return lines;
    }

    /** Runs the installed {@code trace-cmd report -t FILE}, if trace-cmd is installed. */
    static Optional<String> run(Path file) {
        Path out;
        try {
            out = Files.createTempFile("trace-cmd-report", ".txt");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Process process = new ProcessBuilder("trace-cmd", "report", "-t", file.toString())
                    .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("trace-cmd report " + file + " ran over 60 s");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("trace-cmd report " + file + " failed with exit " + process.exitValue()
                        + ": it judges the file invalid");
            }
            return Optional.of(Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty(); // no trace-cmd on this machine
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            try {
                Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // a temporary file
            }
        }
    }

    /** Whether trace-cmd can be started here. */
    static boolean installed() {
        try {
            Process process = new ProcessBuilder("trace-cmd", "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            process.waitFor(10, TimeUnit.SECONDS);
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A test resource of this package, unzipped if it ends in .gz, as a temporary file. */
    static Path resource(String name, Path directory) {
        try (InputStream in = TraceCmdReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            byte[] bytes = name.endsWith(".gz") ? new java.util.zip.GZIPInputStream(in).readAllBytes() : in.readAllBytes();
            Path file = directory.resolve(name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name);
            Files.write(file, bytes);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String name) {
        try (InputStream in = TraceCmdReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
