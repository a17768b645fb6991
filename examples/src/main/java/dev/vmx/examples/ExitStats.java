package dev.vmx.examples;

import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.ExitStatisticsRow;
import dev.vmx.trace.KvmTraceReader;
import dev.vmx.trace.SlowExit;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Tutorial: the {@code perf kvm stat report} table, computed from kvm trace text, then more: the
 * slowest exits with their lines, a drill-down by exit qualification, and the statistics of two
 * hosts merged.
 *
 * <p>Every VM exit hands the CPU from the guest back to KVM; the time until KVM enters the guest
 * again ({@code kvm_exit} to the next {@code kvm_entry} of the same vCPU) is time the guest does not
 * run. Which exit reasons happen most, and which cost most, is the first question when a VM is slow.
 * Record a trace with {@code trace-cmd record -e kvm:kvm_exit -e kvm:kvm_entry} (or read
 * {@code /sys/kernel/tracing/trace}); this tutorial reads two small bundled ones.
 */
public final class ExitStats {
    private ExitStats() {
    }

    /**
     * Prints the exit tables of the bundled traces.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        // Keep the three slowest exit-to-entry intervals too (perf-prof calls this --than).
        ExitStatistics stats = ExitStatistics.byReason().keepSlowest(3, 0);
        // The reader reuses one event object per line: no garbage per line, so multi-GB traces stream.
        try (KvmTraceReader reader = KvmTraceReader.of(resource("guest-boot-trace.txt"), "guest-boot-trace.txt")) {
            while (reader.advance()) {
                stats.accept(reader.event(), reader.lineNumber()); // the line number is for the slowest list
            }
            System.out.println("Read " + reader.eventCount() + " events (" + reader.headerCount() + " header lines, "
                    + reader.problemCount() + " unparseable lines).");
        }
        System.out.println();
        // Sorted by total time: a rare but slow exit can matter more than a frequent cheap one.
        System.out.print(stats.toTable(ExitStatistics.Order.TIME));
        System.out.println();
        System.out.println("Samples% is the share of exits, Time% the share of all exit-to-entry time. Avg is the mean with");
        System.out.println("perf's '+-': how far the mean itself may be off (standard deviation / sqrt(samples), over the mean).");
        System.out.println("P50 and P99 are times some exit really took; '<=x' marks a percentile only known to be at most x.");
        System.out.println("Kernel% is the share of exits whose guest RIP lies in the kernel half of the address space.");
        System.out.println("HLT exits are the guest idling: their long 'exit-to-entry' time is the vCPU sleeping,"
                + " not overhead. EPT_VIOLATION and IO_INSTRUCTION are the ones to look at.");

        // The slowest intervals, with the two lines that bound each.
        System.out.println();
        System.out.println("The three slowest exits, and the lines of the trace that show them:");
        List<String> lines = lines("guest-boot-trace.txt");
        for (SlowExit slow : stats.slowestExits()) {
            System.out.printf(Locale.ROOT, "  %.2f us %s on vCPU %d, lines %d-%d%n", slow.nanos() / 1000.0, slow.reasonName(),
                    slow.vcpu(), slow.exitLine(), slow.entryLine());
            System.out.println("    " + lines.get((int) slow.exitLine() - 1).strip());
            System.out.println("    " + lines.get((int) slow.entryLine() - 1).strip());
        }

        // Drill down: the same exits split by what their exit qualification says (the access of an
        // EPT violation, the direction of an I/O instruction, ...).
        ExitStatistics byQualification = read("guest-boot-trace.txt", ExitStatistics.Grouping.QUALIFICATION_CLASS);
        System.out.println();
        System.out.println("By exit qualification:");
        for (ExitStatisticsRow row : byQualification.rows(ExitStatistics.Order.COUNT)) {
            System.out.printf(Locale.ROOT, "  %-30s %3d exits, mean %.2f us%n", row.reasonName(), row.count(), row.meanNanos() / 1000.0);
        }
        // A grouping the trace cannot answer says why instead of printing an empty table.
        System.out.print("By I/O port: " + read("guest-boot-trace.txt", ExitStatistics.Grouping.IO_PORT)
                .toTable(ExitStatistics.Order.COUNT).lines().findFirst().orElseThrow() + System.lineSeparator());

        // Two hosts: each computes its own statistics and ships them as a few hundred bytes (or as
        // JSON); whoever collects them merges them exactly, as if one reader had read both traces.
        ExitStatistics otherHost = read("second-host-trace.txt", ExitStatistics.Grouping.REASON);
        byte[] shipped = otherHost.toBytes();
        ExitStatistics fleet = read("guest-boot-trace.txt", ExitStatistics.Grouping.REASON)
                .merge(ExitStatistics.fromBytes(shipped));
        System.out.println();
        System.out.println("The second host's statistics travel as " + shipped.length + " bytes (format version 1);"
                + " merged with the first host's:");
        System.out.print(fleet.toTable(ExitStatistics.Order.TIME));
        System.out.println("The same numbers as CSV (toCsv) or JSON (toJson) feed a spreadsheet or a dashboard.");
    }

    private static ExitStatistics read(String name, ExitStatistics.Grouping grouping) {
        ExitStatistics statistics = ExitStatistics.by(grouping);
        try (KvmTraceReader reader = KvmTraceReader.of(resource(name), name)) {
            while (reader.advance()) {
                statistics.accept(reader.event());
            }
        }
        return statistics;
    }

    /** A bundled trace. */
    private static InputStream resource(String name) {
        InputStream in = ExitStats.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("missing tutorial resource " + name);
        }
        return in;
    }

    /** A bundled trace's lines. */
    private static List<String> lines(String name) {
        try (InputStream in = resource(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }
}
