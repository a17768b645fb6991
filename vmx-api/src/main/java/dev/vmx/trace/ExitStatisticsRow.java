package dev.vmx.trace;

/**
 * One row of {@link ExitStatistics}: an exit reason (and vCPU, when grouped so) with its count,
 * share and exit-to-entry times in nanoseconds.
 *
 * @param isa the isa the exits were recorded under
 * @param exitCode the exit code (VMX: full exit reason incl. flags; SVM: exit code)
 * @param reasonName the name Linux prints for the code, e.g. {@code EPT_VIOLATION} or {@code npf}
 * @param vcpu the vCPU, -1 when not grouped by vCPU
 * @param detail the I/O port ({@code IO_PORT} grouping), MSR index ({@code MSR} grouping), the
 *     guest-physical page address with the access in bits 2:0 ({@code EPT_PAGE}: 1 read, 2 write, 4
 *     fetch), the qualification class ({@code QUALIFICATION_CLASS}), -1 otherwise
 * @param write whether the port or MSR access writes ({@code IO_PORT}, {@code MSR} groupings)
 * @param count exits counted
 * @param share count / all exits
 * @param timedCount exits followed by a kvm_entry on the same thread
 * @param totalNanos summed exit-to-entry time (perf's "total handled time" of the row)
 * @param minNanos shortest exit-to-entry time, 0 if none timed
 * @param maxNanos longest exit-to-entry time, 0 if none timed
 * @param p50 median, exact or between two recorded times (see {@link LatencyPercentile})
 * @param p99 99th percentile, exact or between two recorded times
 * @param timeShare totalNanos / the summed exit-to-entry time of all rows: perf's {@code Time%} / 100
 *     (tools/perf/builtin-kvm.c: update_kvm_event() adds every event's time to {@code kvm->total_time},
 *     the report divides the event's time by it)
 * @param meanSpreadPercent the relative spread of the mean as perf prints it in {@code Avg time (+- x%)}:
 *     builtin-kvm.c's kvm_event_rel_stddev() is {@code rel_stddev_stats(stddev_stats(), avg_stats())}
 *     of tools/perf/util/stat.c, i.e. 100 * sqrt(M2 / (n - 1) / n) / mean, the sample standard deviation
 *     over sqrt(timedCount) over the mean; 0 for fewer than two timed exits. Computed from an exact
 *     128-bit sum of squares, so that it merges exactly (perf updates M2 by Welford's method)
 * @param guestKernelCount exits whose guest RIP has bit 63 set (the upper, kernel half of a 64-bit
 *     guest's canonical address space); the rest ran in the lower half. The rule is wrong for
 *     32-bit and real-mode guest code, whose RIP is always below 2^32 and counts as user
 */
public record ExitStatisticsRow(KvmIsa isa, long exitCode, String reasonName, int vcpu, long detail, boolean write, long count, double share,
        long timedCount, long totalNanos, long minNanos, long maxNanos, LatencyPercentile p50, LatencyPercentile p99,
        double timeShare, double meanSpreadPercent, long guestKernelCount) {

    /**
     * Mean exit-to-entry time.
     *
     * @return nanoseconds, 0 if none timed
     */
    public double meanNanos() {
        return timedCount == 0 ? 0 : (double) totalNanos / timedCount;
    }

    /**
     * The median to report: exact, or the recorded upper bound (see {@link LatencyPercentile#nanos()}).
     *
     * @return nanoseconds
     */
    public long p50Nanos() {
        return p50.nanos();
    }

    /**
     * The 99th percentile to report: exact, or the recorded upper bound.
     *
     * @return nanoseconds
     */
    public long p99Nanos() {
        return p99.nanos();
    }

    /**
     * The share of these exits whose guest RIP lies in the kernel half (see {@code guestKernelCount}).
     *
     * @return guestKernelCount / count, 0 for no exits
     */
    public double guestKernelShare() {
        return count == 0 ? 0 : (double) guestKernelCount / count;
    }
}
