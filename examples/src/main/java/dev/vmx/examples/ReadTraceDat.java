package dev.vmx.examples;

import dev.vmx.hw.tracedat.TraceDat;
import dev.vmx.hw.tracedat.TraceDatProblem;
import dev.vmx.hw.tracedat.TraceDatReader;
import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmTraceSummary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tutorial: read the {@code trace.dat} files operators keep ({@code trace-cmd record} or
 * {@code trace-cmd extract} write them, version 6 or 7, often zstd-compressed) without converting
 * them to text.
 *
 * <p>A trace.dat holds the kernel's ring-buffer pages as they were, one stream per CPU and per
 * buffer (trace instance), together with the format files that say where each field of each event
 * lies. vmx decodes the pages in place with those formats, merges the CPUs in time order like
 * {@code trace-cmd report}, and hands out the same {@link KvmEvent}s the text reader and the live
 * tracefs stream do. What the file lost (events the kernel overwrote, a cut-off file, a damaged
 * page) is reported with its place, and everything else is still read.
 *
 * <p>Run it on your own file: {@code ReadTraceDat /path/to/trace.dat}.
 */
public final class ReadTraceDat {
    private ReadTraceDat() {
    }

    /**
     * Reads a bundled real recording (or the file given), then exit statistics of a bundled file
     * with kvm_exit and kvm_entry.
     *
     * @param args optionally a trace.dat to read instead of the bundled recording
     */
    public static void main(String[] args) {
        Path recording = args.length > 0 ? Path.of(args[0]) : bundled("guest-pio.dat");
        try (TraceDat dat = TraceDat.open(recording)) {
            System.out.println("trace.dat version " + dat.version() + ", compression " + dat.compression()
                    + ", buffers " + dat.buffers());
            // One reader merges every CPU of every buffer in time order; event() is a flyweight
            // (no object per event), valid until the next advance().
            TraceDatReader reader = dat.reader();
            Map<String, Integer> perType = new TreeMap<>();
            Map<String, Integer> portAccesses = new TreeMap<>();
            Map<String, Integer> perTask = new TreeMap<>();
            while (reader.advance()) {
                KvmEvent event = reader.event();
                // A record holds only the pid; the name comes from the file's saved cmdlines, as
                // trace-cmd report prints it (the JVM that ran the guest here: its thread is "java").
                perTask.merge(event.task() + "-" + event.pid(), 1, Integer::sum);
                String name = event.type() == KvmEventType.OTHER ? "other (e.g. kvm_fpu)" : event.type().tracepoint();
                perType.merge(reader.buffer() + " " + name, 1, Integer::sum);
                if (event.type() == KvmEventType.KVM_PIO) {
                    portAccesses.merge((event.isWrite() ? "OUT" : "IN ") + " port 0x" + Integer.toHexString(event.port()),
                            1, Integer::sum);
                }
            }
            System.out.println("events per buffer and type: " + perType);
            System.out.println("port I/O the guest did: " + portAccesses);
            System.out.println("events per task: " + perTask);
            // Nothing is lost silently: the kernel's own loss counts, and any damage, with CPU and offset.
            System.out.println("events lost before they reached the file: " + reader.lostEvents() + " ("
                    + reader.lossReports() + " loss report(s)), unreadable parts: " + reader.problemCount());
            for (TraceDatProblem problem : reader.problems()) {
                System.out.println("  " + problem);
            }
        }
        System.out.println();
        // ExitStatistics.readFile takes a trace.dat like a text trace (it knows the file by its magic);
        // with several threads it reads time slices of all CPUs at once, with the same result.
        Path exits = bundled("written-exits.dat");
        ExitStatistics stats = ExitStatistics.byReason();
        KvmTraceSummary summary = stats.readFile(exits, 2);
        // The summary says what the file was read as; its problems name byte offsets, not lines.
        System.out.println("written-exits.dat (" + summary.format() + "): " + summary.events() + " events, "
                + stats.totalExits() + " exits, " + summary.problemCount() + " problems");
        System.out.print(stats.toTable(ExitStatistics.Order.COUNT));
    }

    /** A bundled file copied out of the jar, since a trace.dat is read by path (it is mapped, not streamed). */
    private static Path bundled(String name) {
        try (InputStream in = ReadTraceDat.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing bundled file " + name);
            }
            Path file = Files.createTempFile("vmx-", "-" + name);
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
