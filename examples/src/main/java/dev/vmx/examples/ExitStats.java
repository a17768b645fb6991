package dev.vmx.examples;

import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.KvmTraceReader;
import java.io.InputStream;

/**
 * Tutorial: the {@code perf kvm stat report} table, computed from kvm trace text.
 *
 * <p>Every VM exit hands the CPU from the guest back to KVM; the time until KVM enters the guest
 * again ({@code kvm_exit} to the next {@code kvm_entry} of the same vCPU) is time the guest does not
 * run. Which exit reasons happen most, and which cost most, is the first question when a VM is slow.
 * Record a trace with {@code trace-cmd record -e kvm:kvm_exit -e kvm:kvm_entry} (or read
 * {@code /sys/kernel/tracing/trace}); this tutorial reads a small bundled one.
 */
public final class ExitStats {
    private ExitStats() {
    }

    /**
     * Prints the exit table of the bundled trace.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        InputStream trace = ExitStats.class.getResourceAsStream("guest-boot-trace.txt");
        ExitStatistics stats = ExitStatistics.byReason();
        // The reader reuses one event object per line: no garbage per line, so multi-GB traces stream.
        try (KvmTraceReader reader = KvmTraceReader.of(trace, "guest-boot-trace.txt")) {
            while (reader.advance()) {
                stats.accept(reader.event());
            }
            System.out.println("Read " + reader.eventCount() + " events (" + reader.headerCount() + " header lines, "
                    + reader.problemCount() + " unparseable lines).");
        }
        System.out.println();
        // Sorted by total time: a rare but slow exit can matter more than a frequent cheap one.
        System.out.print(stats.toTable(ExitStatistics.Order.TIME));
        System.out.println();
        System.out.println("HLT exits are the guest idling: their long 'exit-to-entry' time is the vCPU sleeping,"
                + " not overhead. EPT_VIOLATION and IO_INSTRUCTION are the ones to look at.");
        System.out.println("The same numbers as CSV (toCsv) or JSON (toJson) feed a spreadsheet or a dashboard.");
    }
}
