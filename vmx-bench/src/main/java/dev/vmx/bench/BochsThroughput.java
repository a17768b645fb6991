package dev.vmx.bench;

import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.cap.VmxCapabilities;
import dev.vmx.hw.bochs.BochsBatchResult;
import dev.vmx.hw.bochs.BochsCase;
import dev.vmx.hw.bochs.BochsCaseResult;
import dev.vmx.hw.bochs.BochsConfig;
import dev.vmx.hw.bochs.BochsGuest;
import dev.vmx.hw.bochs.BochsOutcome;
import dev.vmx.hw.bochs.BochsRunner;
import dev.vmx.vmcs.VmcsField;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A timed harness (not JMH: one operation is a whole Bochs process) for the Bochs backend: the
 * wall time of a batch of N cases, and cases per second after boot. The baseline, measured in the
 * same run, is a batch of no cases: one boot of Bochs to the hypervisor's HELLO and its shutdown.
 *
 * <p>Each case is a full starting state ({@link BochsGuest#baseline}: about 60 VMWRITEs, three page
 * table fills) whose L2 runs {@code out dx, al; cpuid; hlt} with every I/O exiting: three exits, each
 * reported with the 21 fields of {@link BochsRunner#EXIT_REPORT_FIELDS}. Every fifth case is instead
 * refused at VM entry (pin-based controls 0: VMfailValid), as a differential batch of entry checks
 * would have.
 *
 * <p>Run: {@code java -cp vmx-bench/target/benchmarks.jar dev.vmx.bench.BochsThroughput [cases] [cpu model] [repeats]}
 * (defaults 1000, corei7_skylake_x, 3); prints the median of the repeats and the range.
 */
public final class BochsThroughput {
    private BochsThroughput() {
    }

    /**
     * The batch the harness times.
     *
     * @param caps the CPU's capabilities
     * @param count how many cases
     * @return the cases
     */
    public static List<BochsCase> cases(VmxCapabilities caps, int count) {
        byte[] code = {(byte) 0xEE, 0x0F, (byte) 0xA2, (byte) 0xF4}; // out dx, al; cpuid; hlt
        BochsCase.Builder template = BochsGuest.baseline(caps, "template").pokeBytes(BochsGuest.CODE, code).register(2, 0x80)
                .write(VmcsField.CPU_BASED_VM_EXEC_CONTROL, BochsGuest.primary(caps, PrimaryProcessorBasedControl.UNCONDITIONAL_IO_EXITING))
                .maxExits(3);
        List<BochsCase> cases = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            BochsCase.Builder b = template.copy("case " + i);
            if (i % 5 == 4) {
                b.write(VmcsField.PIN_BASED_VM_EXEC_CONTROL, 0);
            }
            cases.add(b.build());
        }
        return cases;
    }

    /**
     * Runs the harness.
     *
     * @param args [cases] [cpu model] [repeats]
     */
    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        String model = args.length > 1 ? args[1] : BochsConfig.DEFAULT_CPU_MODEL;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        BochsRunner runner = BochsRunner.create(BochsConfig.defaults().withCpuModel(model));
        VmxCapabilities caps = runner.capabilities();
        List<BochsCase> cases = cases(caps, count);
        double[] boot = new double[repeats];
        double[] wall = new double[repeats];
        double[] perSecond = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            boot[r] = seconds(runner.run(List.of()).elapsed());
            BochsBatchResult batch = runner.run(cases);
            check(batch);
            wall[r] = seconds(batch.elapsed());
            perSecond[r] = count / seconds(batch.firstCaseToEnd());
        }
        System.out.printf(Locale.ROOT, "Bochs %s, %d cases (3 exits each, every fifth a VMfail), %d repeats, median [min..max]%n",
                model, count, repeats);
        System.out.printf(Locale.ROOT, "  baseline: empty batch (boot + shutdown) %s s%n", stats(boot, 3));
        System.out.printf(Locale.ROOT, "  batch of %d cases, wall time           %s s%n", count, stats(wall, 3));
        System.out.printf(Locale.ROOT, "  cases per second after boot            %s%n", stats(perSecond, 0));
        System.out.printf(Locale.ROOT, "  projected: 10,000 cases in about %.1f s%n", median(boot) + 10_000 / median(perSecond));
    }

    private static void check(BochsBatchResult batch) {
        for (BochsCaseResult result : batch.results()) {
            BochsOutcome expected = result.bochsCase().written(VmcsField.PIN_BASED_VM_EXEC_CONTROL).orElse(-1) == 0
                    ? BochsOutcome.VM_FAIL : BochsOutcome.EXITED;
            if (result.outcome() != expected || (expected == BochsOutcome.EXITED && result.exits().size() != 3)) {
                throw new IllegalStateException("unexpected result, the timing would be meaningless: " + result);
            }
        }
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String stats(double[] values, int decimals) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        String f = "%." + decimals + "f";
        return String.format(Locale.ROOT, f + " [" + f + ".." + f + "]", median(values), sorted[0], sorted[sorted.length - 1]);
    }
}
