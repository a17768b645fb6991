package dev.vmx.cli;

import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.KvmTraceProblem;
import dev.vmx.trace.KvmTraceReader;
import dev.vmx.trace.KvmTraceSummary;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vmx stat}: the {@code perf kvm stat report} table of kvm trace text. */
@Command(name = "stat", mixinStandardHelpOptions = true, versionProvider = Vmx.Version.class,
        description = {"VM-exit statistics like 'perf kvm stat report' from kvm trace text (tracefs trace or trace_pipe, "
                + "trace-cmd report, perf script): per exit reason (or vCPU, I/O port, MSR, qualification class) the count, "
                + "the share and the exit-to-entry times. Several files add up; - reads standard input. A summary of the lines "
                + "read, unparseable lines (with their line numbers) and events the kernel lost goes to standard error."},
        footerHeading = "%nOutput (stable, for scripts):%n",
        footer = {"table: VM-EXIT, [VCPU | PORT/MSR R/W,] Samples, Samples%%, Min(us), Max(us), Mean(us), P50(us), P99(us); "
                + "then 'Total Samples:N'.",
            "csv: header isa,exit_code,reason,vcpu,detail,write,count,share,timed,min_ns,max_ns,mean_ns,p50_ns,p99_ns; "
                + "exit_code in hex (0x30), vcpu -1 and detail -1 when not grouped by them, share a fraction (6 decimals), "
                + "times in nanoseconds, mean with 1 decimal.",
            "json: {\"total\":N,\"rows\":[{\"isa\",\"exitCode\",\"reason\",\"vcpu\",\"detail\",\"write\",\"count\",\"share\","
                + "\"timed\",\"minNs\",\"maxNs\",\"meanNs\",\"p50Ns\",\"p99Ns\"}]}; exitCode decimal.",
            "Exit status 2 when an input cannot be read or holds no kvm trace event."})
final class StatCommand implements Callable<Integer> {
    /** What a row stands for. */
    enum By {
        reason(ExitStatistics.Grouping.REASON), vcpu(ExitStatistics.Grouping.REASON_AND_VCPU),
        port(ExitStatistics.Grouping.IO_PORT), msr(ExitStatistics.Grouping.MSR),
        qualification(ExitStatistics.Grouping.QUALIFICATION_CLASS);

        final ExitStatistics.Grouping grouping;

        By(ExitStatistics.Grouping grouping) {
            this.grouping = grouping;
        }
    }

    /** Row orders. */
    enum Sort {
        count(ExitStatistics.Order.COUNT), time(ExitStatistics.Order.TIME), reason(ExitStatistics.Order.REASON);

        final ExitStatistics.Order order;

        Sort(ExitStatistics.Order order) {
            this.order = order;
        }
    }

    /** Output forms. */
    enum Format { table, csv, json }

    /** When to draw the progress bar. */
    enum Progress { auto, always, never }

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Trace text files; - for standard input.")
    List<String> files;

    @Option(names = "--by", paramLabel = "GROUP", defaultValue = "reason",
            description = "Rows per: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    By by;

    @Option(names = "--sort", paramLabel = "ORDER", defaultValue = "count",
            description = "Row order: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Sort sort;

    @Option(names = "--threads", paramLabel = "N", description = "Threads reading one file (default: the number of cores).")
    Integer threads;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--progress", paramLabel = "WHEN", defaultValue = "auto",
            description = "Progress bar on standard error for inputs that take more than a second: ${COMPLETION-CANDIDATES} "
                    + "(default: ${DEFAULT-VALUE}, when standard error is a terminal).")
    Progress progress;

    @Override
    public Integer call() {
        int readers = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (readers < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--threads must be at least 1, not " + readers);
        }
        PrintWriter err = spec.commandLine().getErr();
        ExitStatistics statistics = ExitStatistics.by(by.grouping);
        List<String> failures = new ArrayList<>();
        for (String file : files) {
            String name = Inputs.displayName(file);
            KvmTraceSummary summary = read(statistics, file, readers, err);
            report(err, name, summary);
            if (summary.events() == 0) {
                String first = summary.problems().isEmpty() ? "" : "; first problem: line " + summary.problems().get(0).lineNumber()
                        + ": " + summary.problems().get(0).problem();
                failures.add(name + ": no kvm trace event in " + summary.lines() + " lines" + first);
            }
        }
        if (!failures.isEmpty()) {
            throw new UserError(String.join("\nvmx stat: ", failures));
        }
        if (statistics.unattributedExits() > 0) {
            err.println("vmx stat: " + statistics.unattributedExits() + " exits had no " + (by == By.port ? "kvm_pio" : "kvm_msr")
                    + " event before their next entry (other exit reasons); they are not in the table");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(switch (format) {
            case table -> statistics.toTable(sort.order);
            case csv -> statistics.toCsv(sort.order);
            case json -> statistics.toJson(sort.order) + "\n";
        });
        out.flush();
        err.flush();
        return Vmx.OK;
    }

    private KvmTraceSummary read(ExitStatistics statistics, String file, int readers, PrintWriter err) {
        String name = Inputs.displayName(file);
        boolean show = progress == Progress.always || (progress == Progress.auto && System.console() != null);
        // regular files go to ExitStatistics.readFile (split among the readers; every recorded format the
        // library reads); pipes (<(zcat trace.gz)), stdin and missing files go the sequential way, which
        // also gives the right message for a file that cannot be read
        if (!Inputs.isStdin(file) && Files.isRegularFile(Path.of(file)) && Files.isReadable(Path.of(file))) {
            Path path = Path.of(file);
            long size = sizeOf(path);
            try (ProgressBar bar = new ProgressBar(err, name, show, size, null)) {
                return statistics.readFile(path, readers);
            } catch (UncheckedIOException e) {
                throw Inputs.cannotRead(file, e);
            }
        }
        AtomicLong consumed = new AtomicLong();
        InputStream raw = Inputs.stream(file);
        InputStream counted = new FilterInputStream(raw) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    consumed.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    consumed.addAndGet(n);
                }
                return n;
            }
        };
        long size = Inputs.isStdin(file) ? -1 : sizeOf(Path.of(file));
        try (ProgressBar bar = new ProgressBar(err, name, show, size, consumed);
                KvmTraceReader reader = KvmTraceReader.of(counted, name)) {
            while (reader.advance()) {
                statistics.accept(reader.event());
            }
            return new KvmTraceSummary(reader.lineNumber(), reader.eventCount(), reader.otherCount(), reader.headerCount(),
                    reader.lossLines(), reader.lostEvents(), reader.problemCount(), reader.problems());
        } catch (UncheckedIOException e) {
            throw Inputs.cannotRead(file, e);
        }
    }

    private static long sizeOf(Path path) {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return -1;
        }
    }

    private static void report(PrintWriter err, String name, KvmTraceSummary summary) {
        err.printf(Locale.ROOT, "vmx stat: %s: %d lines, %d events (%d of other tracepoints), %d header lines, "
                + "%d unparseable lines, %d lost events (%d loss lines)%n", name, summary.lines(), summary.events(),
                summary.otherEvents(), summary.headers(), summary.problemCount(), summary.lostEvents(), summary.lossLines());
        for (KvmTraceProblem problem : summary.problems()) {
            err.println("  " + name + ":" + problem.lineNumber() + ": " + problem.problem());
        }
        long more = summary.problemCount() - summary.problems().size();
        if (more > 0) {
            err.println("  ... and " + more + " more unparseable lines");
        }
    }

    /**
     * A progress line on standard error, drawn only after the first second and only when asked for:
     * a bar with the share of bytes read where that is known, elapsed seconds otherwise.
     */
    static final class ProgressBar implements AutoCloseable {
        private static final long DELAY_MILLIS = 1000;
        private final PrintWriter err;
        private final Thread painter;
        private volatile boolean done;
        private boolean drawn;

        ProgressBar(PrintWriter err, String name, boolean show, long size, AtomicLong consumed) {
            this.err = err;
            if (!show) {
                painter = null;
                return;
            }
            long start = System.nanoTime();
            painter = new Thread(() -> {
                try {
                    Thread.sleep(DELAY_MILLIS);
                    while (!done) {
                        paint(name, size, consumed, (System.nanoTime() - start) / 1_000_000_000L);
                        Thread.sleep(200);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "vmx-stat-progress");
            painter.setDaemon(true);
            painter.start();
        }

        private synchronized void paint(String name, long size, AtomicLong consumed, long seconds) {
            StringBuilder line = new StringBuilder("\rvmx stat: ").append(name).append(' ');
            if (consumed != null && size > 0) {
                int percent = (int) Math.min(100, consumed.get() * 100 / size);
                line.append('[').append("#".repeat(percent / 5)).append(" ".repeat(20 - percent / 5)).append("] ")
                        .append(percent).append('%');
            } else if (consumed != null) {
                line.append(consumed.get() / (1 << 20)).append(" MiB");
            } else {
                line.append(size > 0 ? (size / (1 << 20)) + " MiB, " : "").append("reading");
            }
            line.append(", ").append(seconds).append(" s");
            err.print(line);
            err.flush();
            drawn = true;
        }

        @Override
        public void close() {
            if (painter == null) {
                return;
            }
            done = true;
            painter.interrupt();
            try {
                painter.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (this) {
                if (drawn) {
                    err.print("\r\033[K");
                    err.flush();
                }
            }
        }
    }
}
