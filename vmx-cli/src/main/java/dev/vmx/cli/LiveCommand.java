package dev.vmx.cli;

import dev.vmx.exit.ExitReason;
import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.hw.tracefs.KvmTraceStream;
import dev.vmx.hw.tracefs.RingBufferStats;
import dev.vmx.hw.tracefs.Tracefs;
import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmIsa;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vmx live}: per-reason exit rates from the live tracefs ring buffer, refreshed like kvm_stat. */
@Command(name = "live", mixinStandardHelpOptions = true, versionProvider = Vmx.Version.class,
        description = {"Per-reason VM-exit rates of every guest on this host, from a private tracefs instance's ring buffer, "
                + "refreshed every interval like kvm_stat, until Ctrl-C (or --count refreshes). kvm_exit rows are named "
                + "kvm_exit(REASON); the other kvm events (kvm_entry, kvm_pio, kvm_mmio, kvm_msr, ...) by their tracepoint. "
                + "Needs root and tracefs; where either is missing it says so in one line and exits with 2."},
        footerHeading = "%nColumns:%n",
        footer = {"Event, Total (since start), %%Total (of all events), CurAvg/s (in the last interval); "
                + "then the events the kernel lost (ring buffer overrun)."})
final class LiveCommand implements Callable<Integer> {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)?");

    @Spec
    CommandSpec spec;

    @Option(names = "--interval", paramLabel = "TIME", defaultValue = "1s",
            description = "Refresh interval: 1s, 500ms, 2m (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N refreshes (default: until Ctrl-C).")
    Integer count;

    @Option(names = "--tracefs", paramLabel = "DIR", description = "The tracefs mount (default: found like trace-cmd does).")
    Path tracefsRoot;

    @Override
    public Integer call() throws InterruptedException {
        Duration every = duration(interval);
        if (count != null && count < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1, not " + count);
        }
        Tracefs tracefs;
        KvmTraceStream stream;
        List<String> events = new ArrayList<>();
        try {
            tracefs = tracefsRoot == null ? Tracefs.locate() : Tracefs.at(tracefsRoot);
            for (String event : KvmTraceStream.DEFAULT_EVENTS) {
                if (Files.isDirectory(tracefs.root().resolve("events/kvm").resolve(event))) {
                    events.add(event);
                }
            }
            if (events.isEmpty()) {
                throw new UserError(tracefs.root() + ": no kvm trace events (events/kvm/kvm_exit ...): is the kvm module loaded?");
            }
            stream = KvmTraceStream.open(tracefs, "vmx-live-" + ProcessHandle.current().pid(), events);
        } catch (NativeUnavailableException e) {
            throw Capabilities.refusal(e);
        }
        Object lock = new Object();
        boolean[] closed = {false};
        Runnable close = () -> {
            synchronized (lock) {
                if (!closed[0]) {
                    closed[0] = true;
                    stream.close(); // removes the trace instance
                }
            }
        };
        Thread hook = new Thread(close, "vmx-live-close");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return watch(stream, tracefs, every, lock, closed);
        } finally {
            close.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook runs anyway
            }
        }
    }

    private int watch(KvmTraceStream stream, Tracefs tracefs, Duration every, Object lock, boolean[] closed)
            throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        boolean terminal = System.console() != null;
        Map<String, long[]> counts = new HashMap<>(); // name -> {total, this interval}
        long all = 0;
        for (int refresh = 1; count == null || refresh <= count; refresh++) {
            Thread.sleep(every.toMillis());
            for (long[] row : counts.values()) {
                row[1] = 0;
            }
            synchronized (lock) {
                if (closed[0]) {
                    return Vmx.OK;
                }
                stream.poll(event -> count(counts, event));
            }
            all = counts.values().stream().mapToLong(row -> row[0]).sum();
            if (terminal) {
                out.print("\033[H\033[2J");
            } else if (refresh > 1) {
                out.println();
            }
            out.printf(Locale.ROOT, "vmx live: %s, every %s, %s (refresh %d)%n", tracefs.root(), interval,
                    LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")), refresh);
            out.printf(Locale.ROOT, " %-40s %10s %7s %10s%n", "Event", "Total", "%Total", "CurAvg/s");
            List<Map.Entry<String, long[]>> rows = new ArrayList<>(counts.entrySet());
            rows.sort(Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[1])
                    .thenComparingLong(e -> -e.getValue()[0]).thenComparing(Map.Entry::getKey));
            double seconds = every.toMillis() / 1000.0;
            for (Map.Entry<String, long[]> row : rows) {
                out.printf(Locale.ROOT, " %-40s %10d %6.1f%% %10.0f%n", row.getKey(), row.getValue()[0],
                        all == 0 ? 0.0 : row.getValue()[0] * 100.0 / all, row.getValue()[1] / seconds);
            }
            if (rows.isEmpty()) {
                out.println(" (no kvm events yet: no guest ran on this host in this interval)");
            } else if (rows.stream().noneMatch(row -> row.getKey().startsWith("kvm_exit("))) {
                out.println(" (no kvm_exit events: this kernel's KVM emits only the events above; exit reasons are not traced)");
            }
            RingBufferStats stats = stream.stats();
            if (stats.anyLoss()) {
                out.printf(Locale.ROOT, " lost events: %d (ring buffer overrun; a longer interval loses more)%n", stats.lostEvents());
            }
            out.flush();
        }
        return Vmx.OK;
    }

    private static void count(Map<String, long[]> counts, KvmEvent event) {
        String name;
        if (event.type() == KvmEventType.KVM_EXIT) {
            name = "kvm_exit(" + (event.isa() == KvmIsa.VMX ? ExitReason.of((int) event.exitCode()).toString()
                    : "svm 0x" + Long.toHexString(event.exitCode())) + ")";
        } else if (event.type() == KvmEventType.OTHER) {
            name = "other";
        } else {
            name = event.type().tracepoint();
        }
        long[] row = counts.computeIfAbsent(name, k -> new long[2]);
        row[0]++;
        row[1]++;
    }

    private static Duration duration(String text) {
        Matcher matcher = DURATION.matcher(text.strip());
        if (!matcher.matches()) {
            throw new UserError("--interval: '" + text + "' is not a duration (1s, 500ms, 2m)");
        }
        double amount = Double.parseDouble(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        long millis = Math.round(amount * switch (unit) {
            case "ms" -> 1;
            case "m" -> 60_000;
            default -> 1000;
        });
        if (millis < 10) {
            throw new UserError("--interval: '" + text + "' is shorter than 10 ms");
        }
        return Duration.ofMillis(millis);
    }
}
