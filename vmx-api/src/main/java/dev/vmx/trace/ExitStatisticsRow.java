package dev.vmx.trace;

/**
 * One row of {@link ExitStatistics}: an exit reason (and vCPU, when grouped so) with its count,
 * share and exit-to-entry times in nanoseconds.
 *
 * @param isa the isa the exits were recorded under
 * @param exitCode the exit code (VMX: full exit reason incl. flags; SVM: exit code)
 * @param reasonName the name Linux prints for the code, e.g. {@code EPT_VIOLATION} or {@code npf}
 * @param vcpu the vCPU, -1 when not grouped by vCPU
 * @param detail the I/O port ({@code IO_PORT} grouping) or MSR index ({@code MSR} grouping), -1 otherwise
 * @param write whether the port or MSR access writes ({@code IO_PORT}, {@code MSR} groupings)
 * @param count exits counted
 * @param share count / all exits
 * @param timedCount exits followed by a kvm_entry on the same thread
 * @param totalNanos summed exit-to-entry time
 * @param minNanos shortest exit-to-entry time, 0 if none timed
 * @param maxNanos longest exit-to-entry time, 0 if none timed
 * @param p50Nanos median (histogram resolution about 3%)
 * @param p99Nanos 99th percentile (histogram resolution about 3%)
 */
public record ExitStatisticsRow(KvmIsa isa, long exitCode, String reasonName, int vcpu, long detail, boolean write, long count, double share,
        long timedCount, long totalNanos, long minNanos, long maxNanos, long p50Nanos, long p99Nanos) {

    /**
     * Mean exit-to-entry time.
     *
     * @return nanoseconds, 0 if none timed
     */
    public double meanNanos() {
        return timedCount == 0 ? 0 : (double) totalNanos / timedCount;
    }
}
