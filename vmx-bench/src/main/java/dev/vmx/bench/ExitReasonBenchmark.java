package dev.vmx.bench;

import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import dev.vmx.exit.ExitReasonView;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code ExitReason.of(raw)} plus a switch on the basic reason and flag tests, against the same
 * work written with raw masks ({@code switch (raw & 0xffff)}). Both return the same checksum
 * (asserted by a unit test), so the baseline cannot drift from the work it stands for.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class ExitReasonBenchmark {
    /** Number of exits per benchmark call; results are per call of this many exits. */
    public static final int EXITS = 4096;

    private int[] raws;

    /** Builds the input mix once per trial. */
    @Setup
    public void setUp() {
        raws = ExitMix.rawExitReasons(EXITS, new SplittableRandom(42));
    }

    /** The typed API. */
    @Benchmark
    public long typed() {
        return typedChecksum(raws);
    }

    /** The typed API dispatching with {@code switch (basicNumber())} over {@link BasicExitReason.Numbers}. */
    @Benchmark
    public long typedNumberSwitch() {
        return typedNumberChecksum(raws);
    }

    /** The typed flyweight, {@link ExitReasonView}, with the same number switch. */
    @Benchmark
    public long typedView() {
        return typedViewChecksum(raws);
    }

    /** The hand-written bitmask baseline. */
    @Benchmark
    public long rawBaseline() {
        return rawChecksum(raws);
    }

    /**
     * What a hypervisor's exit dispatcher does, with the typed API.
     *
     * @param raws raw exit-reason values
     * @return a checksum of the dispatch decisions
     */
    public static long typedChecksum(int[] raws) {
        long sum = 0;
        for (int raw : raws) {
            ExitReason reason = ExitReason.of(raw);
            if (reason.isVmEntryFailure()) {
                sum += 1_000_000;
                continue;
            }
            switch (reason.basic()) {
                case EPT_VIOLATION:
                    sum += reason.isEnclaveMode() ? 7 : 1;
                    break;
                case IO_INSTRUCTION:
                    sum += 2;
                    break;
                case MSR_WRITE:
                case MSR_READ:
                    sum += 3;
                    break;
                case HLT:
                    sum += 4;
                    break;
                case EXTERNAL_INTERRUPT:
                    sum += 5;
                    break;
                case PREEMPTION_TIMER:
                    sum += 6;
                    break;
                default:
                    sum += reason.basicNumber() * 10L;
            }
            if (reason.isBusLockDetected()) {
                sum += 100;
            }
        }
        return sum;
    }

    /**
     * The same dispatch as {@link #typedChecksum(int[])}, switching on the basic number constants.
     *
     * @param raws raw exit-reason values
     * @return the same checksum as {@link #rawChecksum(int[])}
     */
    public static long typedNumberChecksum(int[] raws) {
        long sum = 0;
        for (int raw : raws) {
            ExitReason reason = ExitReason.of(raw);
            if (reason.isVmEntryFailure()) {
                sum += 1_000_000;
                continue;
            }
            switch (reason.basicNumber()) {
                case BasicExitReason.Numbers.EPT_VIOLATION:
                    sum += reason.isEnclaveMode() ? 7 : 1;
                    break;
                case BasicExitReason.Numbers.IO_INSTRUCTION:
                    sum += 2;
                    break;
                case BasicExitReason.Numbers.MSR_WRITE:
                case BasicExitReason.Numbers.MSR_READ:
                    sum += 3;
                    break;
                case BasicExitReason.Numbers.HLT:
                    sum += 4;
                    break;
                case BasicExitReason.Numbers.EXTERNAL_INTERRUPT:
                    sum += 5;
                    break;
                case BasicExitReason.Numbers.PREEMPTION_TIMER:
                    sum += 6;
                    break;
                default:
                    sum += reason.basicNumber() * 10L;
            }
            if (reason.isBusLockDetected()) {
                sum += 100;
            }
        }
        return sum;
    }

    /**
     * The same dispatch through a reused {@link ExitReasonView}.
     *
     * @param raws raw exit-reason values
     * @return the same checksum as {@link #rawChecksum(int[])}
     */
    public static long typedViewChecksum(int[] raws) {
        ExitReasonView reason = new ExitReasonView();
        long sum = 0;
        for (int raw : raws) {
            reason.wrap(raw);
            if (reason.isVmEntryFailure()) {
                sum += 1_000_000;
                continue;
            }
            switch (reason.basicNumber()) {
                case BasicExitReason.Numbers.EPT_VIOLATION:
                    sum += reason.isEnclaveMode() ? 7 : 1;
                    break;
                case BasicExitReason.Numbers.IO_INSTRUCTION:
                    sum += 2;
                    break;
                case BasicExitReason.Numbers.MSR_WRITE:
                case BasicExitReason.Numbers.MSR_READ:
                    sum += 3;
                    break;
                case BasicExitReason.Numbers.HLT:
                    sum += 4;
                    break;
                case BasicExitReason.Numbers.EXTERNAL_INTERRUPT:
                    sum += 5;
                    break;
                case BasicExitReason.Numbers.PREEMPTION_TIMER:
                    sum += 6;
                    break;
                default:
                    sum += reason.basicNumber() * 10L;
            }
            if (reason.isBusLockDetected()) {
                sum += 100;
            }
        }
        return sum;
    }

    /**
     * The same dispatch with raw masks, as C code or a quick Java hack would write it.
     *
     * @param raws raw exit-reason values
     * @return the same checksum as {@link #typedChecksum(int[])}
     */
    public static long rawChecksum(int[] raws) {
        long sum = 0;
        for (int raw : raws) {
            if ((raw & 0x8000_0000) != 0) {
                sum += 1_000_000;
                continue;
            }
            int basic = raw & 0xFFFF;
            switch (basic) {
                case 48:
                    sum += (raw & (1 << 27)) != 0 ? 7 : 1;
                    break;
                case 30:
                    sum += 2;
                    break;
                case 32:
                case 31:
                    sum += 3;
                    break;
                case 12:
                    sum += 4;
                    break;
                case 1:
                    sum += 5;
                    break;
                case 52:
                    sum += 6;
                    break;
                default:
                    sum += basic * 10L;
            }
            if ((raw & (1 << 26)) != 0) {
                sum += 100;
            }
        }
        return sum;
    }
}
