package dev.vmx.cli;

import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.KvmTraceProblem;
import dev.vmx.trace.KvmTraceReader;
import dev.vmx.trace.KvmTraceSummary;
import dev.vmx.trace.SlowExit;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vmx stat}: the {@code perf kvm stat report} table of a kvm trace (text or trace.dat), and statistics saved and merged. */
@Command(name = "stat", mixinStandardHelpOptions = true, versionProvider = Vmx.Version.class,
        description = {"VM-exit statistics like 'perf kvm stat report' from a kvm trace: text (tracefs trace or trace_pipe, "
                + "trace-cmd report, perf script) or trace-cmd's binary trace.dat (v6, v7; found by its magic): per exit reason (or vCPU, I/O port, MSR, qualification class, guest-physical "
                + "page of EPT violations) the count and its share, the share of all exit-to-entry time, the total, min, max, "
                + "average with its spread, p50 and p99, and the share of exits from the guest kernel. Several files add up; "
                + "- reads standard input. --save writes the statistics for another host to --load and merge. A summary of "
                + "the lines read, unparseable lines (with their line numbers; in a trace.dat, problems with their byte offsets) "
                + "and events the kernel lost goes to standard error."},
        footerHeading = "%nOutput (stable, for scripts; columns are only added at the end):%n",
        footer = {"table: VM-EXIT, [VCPU | PORT/MSR R/W | GPA PAGE ACCESS,] Samples, Samples%%, Time%%, Total(us), Min(us), "
                + "Max(us), Avg(us), (+-%%), P50(us), P99(us) (<= marks a bounded percentile), Kernel%%; then "
                + "'Total Samples:N'; a table without rows says why.",
            "csv: header isa,exit_code,reason,vcpu,detail,write,count,share,timed,min_ns,max_ns,mean_ns,p50_ns,p99_ns,"
                + "time_share,total_ns,mean_spread_pct,p50_low_ns,p50_high_ns,p99_low_ns,p99_high_ns,guest_kernel; with "
                + "--slowest or --than instead the intervals: nanos,isa,exit_code,reason,vcpu,pid,file,exit_line,entry_line,"
                + "exit_timestamp_ns,guest_rip.",
            "json: {\"total\":N[,\"empty\":WHY],\"rows\":[{\"isa\",\"exitCode\",\"reason\",\"vcpu\",\"detail\",\"write\",\"count\","
                + "\"share\",\"timed\",\"minNs\",\"maxNs\",\"meanNs\",\"p50Ns\",\"p99Ns\",\"timeShare\",\"totalNs\",\"meanSpreadPct\","
                + "\"p50\":{\"lowNs\",\"highNs\",\"exact\"},\"p99\":{...},\"guestKernel\"}][,\"slowest\":[{\"nanos\",\"isa\","
                + "\"exitCode\",\"reason\",\"vcpu\",\"pid\",\"file\",\"exitLine\",\"entryLine\",\"exitTimestampNs\",\"guestRip\"}]]}.",
            "--save FILE: the binary form of ExitStatistics.toBytes() (format VMXS), or its JSON state form when FILE ends "
                + "in .json; --load reads either.",
            "Exit status 2 when an input cannot be read, holds no kvm trace event, is a trace.dat cut off or damaged before "
                + "its event data, or a saved file is corrupt (the message names the file and the byte offset)."})
final class StatCommand implements Callable<Integer> {
    /** What a row stands for: the names users type for {@link ExitStatistics.Grouping}. */
    enum By {
        reason("reason", ExitStatistics.Grouping.REASON), vcpu("vcpu", ExitStatistics.Grouping.REASON_AND_VCPU),
        port("port", ExitStatistics.Grouping.IO_PORT), msr("msr", ExitStatistics.Grouping.MSR),
        qualification("qualification", ExitStatistics.Grouping.QUALIFICATION_CLASS),
        eptPage("ept-page", ExitStatistics.Grouping.EPT_PAGE);

        final String label;
        final ExitStatistics.Grouping grouping;

        By(String label, ExitStatistics.Grouping grouping) {
            this.label = label;
            this.grouping = grouping;
        }

        static By of(ExitStatistics.Grouping grouping) {
            for (By by : values()) {
                if (by.grouping == grouping) {
                    return by;
                }
            }
            throw new IllegalArgumentException("no --by for " + grouping);
        }

        /** The labels, for completion and help. */
        static final class Labels implements Iterable<String> {
            @Override
            public Iterator<String> iterator() {
                return Arrays.stream(values()).map(by -> by.label).iterator();
            }
        }

        /** Reads a label, case-insensitively, with picocli's wording for a bad one. */
        static final class Converter implements ITypeConverter<By> {
            @Override
            public By convert(String value) {
                for (By by : values()) {
                    if (by.label.equalsIgnoreCase(value.strip())) {
                        return by;
                    }
                }
                throw new TypeConversionException("expected one of " + Arrays.stream(values()).map(by -> by.label).toList()
                        + " (case-insensitive) but was '" + value + "'");
            }
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

    /** A duration as users write it: {@code 250us}, {@code 1.5ms}, {@code 2s}, {@code 800ns} or plain nanoseconds. */
    static final class Nanos implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String text = value.strip().toLowerCase(Locale.ROOT);
            long scale = 1;
            for (String[] unit : new String[][] {{"ns", "1"}, {"us", "1000"}, {"µs", "1000"}, {"ms", "1000000"}, {"s", "1000000000"}}) {
                if (text.endsWith(unit[0]) && !(unit[0].equals("s") && (text.endsWith("ns") || text.endsWith("us")
                        || text.endsWith("ms") || text.endsWith("µs")))) {
                    text = text.substring(0, text.length() - unit[0].length()).strip();
                    scale = Long.parseLong(unit[1]);
                    break;
                }
            }
            try {
                java.math.BigDecimal nanos = new java.math.BigDecimal(text).multiply(java.math.BigDecimal.valueOf(scale));
                if (nanos.signum() < 0) {
                    throw new TypeConversionException("'" + value + "' is negative");
                }
                return nanos.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
            } catch (NumberFormatException | ArithmeticException e) {
                throw new TypeConversionException("'" + value + "' is not a duration (e.g. 250us, 1.5ms, 2s, 800ns, "
                        + "or nanoseconds)");
            }
        }
    }

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "FILE", description = "Trace text or trace.dat files; - for standard input. "
            + "At least one FILE or --load.")
    List<String> files = new ArrayList<>();

    @Option(names = "--by", paramLabel = "GROUP", converter = By.Converter.class, completionCandidates = By.Labels.class,
            description = "Rows per: ${COMPLETION-CANDIDATES} (default: reason, or the grouping of the --load files). "
                    + "port, msr and ept-page need the kvm_pio, kvm_msr and kvm_page_fault events.")
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

    @Option(names = "--slowest", paramLabel = "N",
            description = "Also list the N slowest exit-to-entry intervals with their file and lines (a trace.dat's: "
                    + "with their time, as trace-cmd report -t prints it; default 10 with --than).")
    Integer slowest;

    @Option(names = "--than", paramLabel = "TIME", converter = Nanos.class,
            description = "List only intervals of at least TIME (250us, 1.5ms, 2s, 800ns, or nanoseconds), like perf-prof --than.")
    Long than;

    @Option(names = "--save", paramLabel = "FILE",
            description = "Write the statistics to FILE (binary; JSON when FILE ends in .json) for --load elsewhere.")
    Path save;

    @Option(names = "--load", paramLabel = "FILE",
            description = "Merge statistics another run saved with --save (repeatable; with or without trace FILEs).")
    List<Path> loads = new ArrayList<>();

    /** One input's slowest intervals, with the input's name. */
    record Slow(String file, SlowExit exit) {
    }

    @Override
    public Integer call() {
        int readers = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (readers < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be at least 1, not " + readers);
        }
        if (slowest != null && slowest < 1) {
            throw new ParameterException(spec.commandLine(), "--slowest must be at least 1, not " + slowest);
        }
        if (files.isEmpty() && loads.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Missing required parameter: 'FILE' (or --load FILE)");
        }
        if (save != null) {
            // refuse before reading what may be a large trace
            Path parent = save.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
                throw UserError.at(save.toString(), 0, 0, "cannot write: " + parent + " is not a writable directory");
            }
        }
        boolean keepSlowest = slowest != null || than != null;
        int keep = slowest == null ? 10 : slowest;
        PrintWriter err = spec.commandLine().getErr();
        // saved statistics first: they fix the grouping when --by is not given
        List<ExitStatistics> loaded = new ArrayList<>();
        for (Path file : loads) {
            ExitStatistics statistics = load(file);
            By theirs = By.of(statistics.grouping());
            if (by == null) {
                by = theirs;
            } else if (by != theirs) {
                throw UserError.at(file.toString(), 0, 0, "statistics grouped by " + theirs.label + ", not by " + by.label
                        + " (merge only statistics of one grouping; --by " + theirs.label + " reads them)");
            }
            loaded.add(statistics);
        }
        if (by == null) {
            by = By.reason;
        }
        ExitStatistics total = ExitStatistics.by(by.grouping);
        for (ExitStatistics statistics : loaded) {
            total.merge(statistics);
        }
        if (!loaded.isEmpty() && keepSlowest) {
            err.println("vmx stat: saved statistics carry no intervals; --slowest lists those of the trace files only");
        }
        List<String> failures = new ArrayList<>();
        List<Slow> slow = new ArrayList<>();
        for (String file : files) {
            String name = Inputs.displayName(file);
            // each input on its own: an exit at the end of one file never pairs with an entry of the next
            ExitStatistics statistics = ExitStatistics.by(by.grouping);
            if (keepSlowest) {
                statistics.keepSlowest(keep, than == null ? 0 : than);
            }
            KvmTraceSummary summary = read(statistics, file, readers, err);
            report(err, name, summary);
            if (summary.events() == 0) {
                String first = summary.problems().isEmpty() ? "" : "; first problem: " + summary.problems().get(0).where()
                        + ": " + summary.problems().get(0).problem();
                failures.add(name + ": no kvm trace event in " + (summary.isText() ? summary.lines() + " lines"
                        : "the " + summary.format()) + first);
            }
            for (SlowExit exit : statistics.slowestExits()) {
                slow.add(new Slow(name, exit));
            }
            total.merge(statistics);
        }
        if (!failures.isEmpty()) {
            throw new UserError(String.join("\nvmx stat: ", failures));
        }
        slow.sort(Comparator.comparingLong((Slow s) -> s.exit().nanos()).reversed());
        List<Slow> slowList = slow.subList(0, Math.min(keep, slow.size()));
        java.util.Optional<String> empty = total.whyEmpty();
        if (empty.isPresent()) {
            if (format != Format.table) {
                err.println("vmx stat: no rows: " + empty.get()); // the table says it on standard output
            }
        } else if (total.unattributedExits() > 0) {
            err.println("vmx stat: " + total.unattributedExits() + " exits had no " + detailEvent() + " event before their next "
                    + "entry (" + (by == By.eptPage ? "EPT violations KVM handled without one" : "other exit reasons")
                    + "); they are not in the table");
        }
        if (save != null) {
            save(total, save);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(switch (format) {
            case table -> total.toTable(sort.order) + (keepSlowest ? slowTable(slowList, keep) : "");
            case csv -> keepSlowest ? slowCsv(slowList) : total.toCsv(sort.order);
            case json -> withSlowest(total.toJson(sort.order), keepSlowest ? slowList : null) + "\n";
        });
        out.flush();
        err.flush();
        return Vmx.OK;
    }

    private String detailEvent() {
        return by == By.port ? "kvm_pio" : by == By.msr ? "kvm_msr" : "kvm_page_fault";
    }

    /** Statistics a --save wrote: the binary form, or the JSON state form. */
    private static ExitStatistics load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw Inputs.cannotRead(file.toString(), e);
        }
        try {
            int first = 0;
            while (first < bytes.length && Character.isWhitespace(bytes[first])) {
                first++;
            }
            boolean json = first < bytes.length && bytes[first] == '{';
            return json ? ExitStatistics.fromStateJson(new String(bytes, StandardCharsets.UTF_8)) : ExitStatistics.fromBytes(bytes);
        } catch (IllegalArgumentException e) {
            throw UserError.at(file.toString(), 0, 0, e.getMessage());
        }
    }

    private static void save(ExitStatistics statistics, Path file) {
        try {
            if (file.getFileName() != null && file.getFileName().toString().endsWith(".json")) {
                Files.writeString(file, statistics.toStateJson() + "\n");
            } else {
                Files.write(file, statistics.toBytes());
            }
        } catch (IOException e) {
            throw UserError.at(file.toString(), 0, 0, "cannot write: " + e.getMessage());
        }
    }

    /** The intervals as a table for people, after the statistics. */
    private String slowTable(List<Slow> slow, int keep) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%nSlowest exit-to-entry intervals (%d of at most %d%s):%n",
                slow.size(), keep, than == null ? "" : String.format(Locale.ROOT, ", at least %.2f us", than / 1000.0)));
        if (slow.isEmpty()) {
            return out.append(String.format(Locale.ROOT, "  none%n")).toString();
        }
        int width = "VM-EXIT".length();
        for (Slow s : slow) {
            width = Math.max(width, s.exit().reasonName().length());
        }
        String format = "%12s  %-" + width + "s %5s %8s  %s%n";
        // a trace.dat has no lines: its exits are found by their time, as trace-cmd report -t prints it
        boolean lineless = slow.stream().anyMatch(s -> s.exit().exitLine() < 0);
        out.append(String.format(Locale.ROOT, format, "Time(us)", "VM-EXIT", "VCPU", "PID",
                "EXIT AT FILE:LINE (ENTRY LINE)" + (lineless ? " | FILE @ SECONDS" : "")));
        for (Slow s : slow) {
            SlowExit exit = s.exit();
            long at = exit.exitTimestampNanos();
            String place = exit.exitLine() >= 0 ? s.file() + ":" + exit.exitLine() + " (" + exit.entryLine() + ")"
                    : String.format(Locale.ROOT, "%s @ %s%d.%09d", s.file(), at < 0 ? "-" : "",
                            Math.abs(at / 1_000_000_000L), Math.abs(at % 1_000_000_000L));
            out.append(String.format(Locale.ROOT, format, String.format(Locale.ROOT, "%.3f", exit.nanos() / 1000.0),
                    exit.reasonName(), exit.vcpu() < 0 ? "-" : Integer.toString(exit.vcpu()), exit.pid(), place));
        }
        return out.toString();
    }

    private static String slowCsv(List<Slow> slow) {
        StringBuilder out = new StringBuilder("nanos,isa,exit_code,reason,vcpu,pid,file,exit_line,entry_line,exit_timestamp_ns,guest_rip\n");
        for (Slow s : slow) {
            SlowExit exit = s.exit();
            out.append(exit.nanos()).append(',').append(exit.isa()).append(",0x").append(Long.toHexString(exit.exitCode()))
                    .append(',').append(csv(exit.reasonName())).append(',').append(exit.vcpu()).append(',').append(exit.pid())
                    .append(',').append(csv(s.file())).append(',').append(exit.exitLine()).append(',').append(exit.entryLine())
                    .append(',').append(exit.exitTimestampNanos()).append(",0x").append(Long.toHexString(exit.guestRip()))
                    .append('\n');
        }
        return out.toString();
    }

    /** RFC 4180 quoting where needed. */
    private static String csv(String text) {
        boolean plain = text.chars().noneMatch(c -> c == ',' || c == '"' || c == '\r' || c == '\n');
        return plain ? text : '"' + text.replace("\"", "\"\"") + '"';
    }

    /** The statistics' JSON object with a {@code slowest} member added at its end, when asked for. */
    private static String withSlowest(String json, List<Slow> slow) {
        if (slow == null) {
            return json;
        }
        Json array = new Json().openArray();
        for (Slow s : slow) {
            SlowExit exit = s.exit();
            array.open().key("nanos").value(exit.nanos()).key("isa").value(exit.isa().name()).key("exitCode").value(exit.exitCode())
                    .key("reason").value(exit.reasonName()).key("vcpu").value(exit.vcpu()).key("pid").value(exit.pid())
                    .key("file").value(s.file()).key("exitLine").value(exit.exitLine()).key("entryLine").value(exit.entryLine())
                    .key("exitTimestampNs").value(exit.exitTimestampNanos())
                    .key("guestRip").value(String.format(Locale.ROOT, "0x%x", exit.guestRip())).close();
        }
        array.closeArray();
        return json.substring(0, json.length() - 1) + ",\"slowest\":" + array + "}";
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
            } catch (IllegalArgumentException e) {
                // a binary trace whose metadata cannot be read (the message names the file and offset)
                throw new UserError(e.getMessage());
            }
        }
        AtomicLong consumed = new AtomicLong();
        InputStream raw = new BufferedInputStream(Inputs.stream(file), 1 << 16);
        if (Inputs.startsAsBinaryTrace(raw, file)) {
            return readSpooled(statistics, file, raw, readers);
        }
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
                statistics.accept(reader.event(), reader.lineNumber());
            }
            return new KvmTraceSummary(reader.lineNumber(), reader.eventCount(), reader.otherCount(), reader.headerCount(),
                    reader.lossLines(), reader.lostEvents(), reader.problemCount(), reader.problems());
        } catch (UncheckedIOException e) {
            throw Inputs.cannotRead(file, e);
        }
    }

    /**
     * A trace.dat from standard input or a pipe ({@code zcat trace.dat.gz | vmx stat -}): its reader
     * needs to seek (the CPUs' data lies after the metadata, each CPU's apart), so the stream goes to
     * a temporary file first, removed after.
     */
    private static KvmTraceSummary readSpooled(ExitStatistics statistics, String file, InputStream in, int readers) {
        String name = Inputs.displayName(file);
        Path spool = null;
        try (in) {
            spool = Files.createTempFile("vmx-stat-", ".dat");
            Files.copy(in, spool, StandardCopyOption.REPLACE_EXISTING);
            return statistics.readFile(spool, readers);
        } catch (IOException | UncheckedIOException e) {
            throw Inputs.cannotRead(file, e);
        } catch (IllegalArgumentException e) {
            throw new UserError(spool == null ? name + ": " + e.getMessage()
                    : e.getMessage().replace(spool.toString(), name));
        } finally {
            if (spool != null) {
                try {
                    Files.deleteIfExists(spool);
                } catch (IOException e) {
                    // a temporary file left behind is not worth failing the statistics over
                }
            }
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
        if (summary.isText()) {
            err.printf(Locale.ROOT, "vmx stat: %s: %d lines, %d events (%d of other tracepoints), %d header lines, "
                    + "%d unparseable lines, %d lost events (%d loss lines)%n", name, summary.lines(), summary.events(),
                    summary.otherEvents(), summary.headers(), summary.problemCount(), summary.lostEvents(),
                    summary.lossLines());
        } else {
            // a binary trace has records, not lines: its problems and losses have byte offsets
            err.printf(Locale.ROOT, "vmx stat: %s: %s: %d events (%d of other tracepoints), %d problems, "
                    + "%d lost events (%d loss reports)%n", name, summary.format(), summary.events(),
                    summary.otherEvents(), summary.problemCount(), summary.lostEvents(), summary.lossLines());
        }
        for (KvmTraceProblem problem : summary.problems()) {
            err.println("  " + where(name, problem) + ": " + problem.problem());
        }
        // the list holds the first problems and loss reports; the count of problems excludes losses
        long more = summary.problemCount() + (summary.isText() ? 0 : summary.lossLines()) - summary.problems().size();
        if (more > 0) {
            err.println("  ... and " + more + (summary.isText() ? " more unparseable lines" : " more problems and loss reports"));
        }
    }

    /** {@code file:12} for a line of text, {@code file: offset 0x21004} for a binary trace. */
    private static String where(String name, KvmTraceProblem problem) {
        return problem.inBinaryTrace() ? name + ": " + problem.where() : name + ":" + problem.lineNumber();
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
