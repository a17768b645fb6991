package dev.vmx.hw.bochs;

import dev.vmx.cap.VmxCapabilities;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a batch gave: one result per case, in the order the cases were given, and the emulated
 * CPU's capability MSRs as the hypervisor read them with RDMSR.
 *
 * @param results one per case, in input order
 * @param msrs every MSR the hypervisor could read: IA32_FEATURE_CONTROL (0x3a) and the IA32_VMX_*
 *        MSRs 0x480..0x493 that the CPU model has
 * @param unreadableMsrs the MSRs whose RDMSR raised #GP (the CPU model lacks them)
 * @param capabilities the IA32_VMX_* MSRs as capabilities
 * @param bootLog Bochs' log lines before the first case
 * @param trailingLog Bochs' log lines after the last case (the shutdown)
 * @param bochsRuns how many Bochs processes ran (more than one after a crash or hang)
 * @param elapsed wall time of the whole batch, boots included
 * @param firstCaseToEnd wall time from the first HELLO to the end of the last case of the first
 *        run: the part that scales with the number of cases
 */
public record BochsBatchResult(List<BochsCaseResult> results, Map<Integer, Long> msrs, Set<Integer> unreadableMsrs,
        VmxCapabilities capabilities, List<String> bootLog, List<String> trailingLog, int bochsRuns, Duration elapsed,
        Duration firstCaseToEnd) {
    /**
     * Checks and copies.
     *
     * @param results per case
     * @param msrs readable MSRs
     * @param unreadableMsrs MSRs with #GP
     * @param capabilities VMX capabilities
     * @param bootLog log before the first case
     * @param trailingLog log after the last case
     * @param bochsRuns processes run
     * @param elapsed total wall time
     * @param firstCaseToEnd wall time of the cases
     */
    public BochsBatchResult {
        results = List.copyOf(results);
        msrs = Map.copyOf(msrs);
        unreadableMsrs = Set.copyOf(unreadableMsrs);
        Objects.requireNonNull(capabilities, "capabilities");
        bootLog = List.copyOf(bootLog);
        trailingLog = List.copyOf(trailingLog);
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(firstCaseToEnd, "firstCaseToEnd");
    }

    /**
     * The result of the case at an index of the input list.
     *
     * @param index the index
     * @return the result
     */
    public BochsCaseResult result(int index) {
        return results.get(index);
    }

    /**
     * IA32_FEATURE_CONTROL as the BIOS left it (or as the hypervisor locked it).
     *
     * @return the MSR's value
     */
    public long featureControl() {
        return msrs.getOrDefault(0x3a, 0L);
    }
}
