package dev.vmx.bench;

import dev.vmx.event.InterruptionInfo;
import dev.vmx.qual.CrAccessQualification;
import dev.vmx.qual.EptViolationQualification;
import dev.vmx.qual.IoInstructionQualification;
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
 * Exit-qualification and interruption-information decoding with the typed value classes, against
 * hand-written masks over the same inputs (the masks a C hypervisor uses; bit positions from the
 * SDM tables the decoders are tested against). Each pair returns the same checksum, asserted by
 * {@code ChecksumAgreementTest}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class QualificationBenchmark {
    /** Values decoded per benchmark call. */
    public static final int VALUES = 4096;

    private long[] eptQualifications;
    private long[] crQualifications;
    private long[] ioQualifications;
    private int[] interruptionInfos;

    /** Builds the inputs once per trial. */
    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(7);
        eptQualifications = QualificationMix.eptViolations(VALUES, random);
        crQualifications = QualificationMix.crAccesses(VALUES, random);
        ioQualifications = QualificationMix.ioInstructions(VALUES, random);
        interruptionInfos = QualificationMix.interruptionInfos(VALUES, random);
    }

    /** @return checksum */
    @Benchmark
    public long eptTyped() {
        return eptTyped(eptQualifications);
    }

    /** @return checksum */
    @Benchmark
    public long eptBaseline() {
        return eptBaseline(eptQualifications);
    }

    /** @return checksum */
    @Benchmark
    public long crTyped() {
        return crTyped(crQualifications);
    }

    /** @return checksum */
    @Benchmark
    public long crTypedPredicates() {
        return crTypedPredicates(crQualifications);
    }

    /** @return checksum */
    @Benchmark
    public long crBaseline() {
        return crBaseline(crQualifications);
    }

    /** @return checksum */
    @Benchmark
    public long ioTyped() {
        return ioTyped(ioQualifications);
    }

    /** @return checksum */
    @Benchmark
    public long ioBaseline() {
        return ioBaseline(ioQualifications);
    }

    /** @return checksum */
    @Benchmark
    public long interruptionTyped() {
        return interruptionTyped(interruptionInfos);
    }

    /** @return checksum */
    @Benchmark
    public long interruptionBaseline() {
        return interruptionBaseline(interruptionInfos);
    }

    // --- the work, shared with the checksum test ---

    static long eptTyped(long[] raws) {
        long sum = 0;
        for (long raw : raws) {
            EptViolationQualification q = EptViolationQualification.of(raw);
            sum += (q.isWrite() ? 1 : 0) + (q.isInstructionFetch() ? 2 : 0) + (q.isEntryReadable() ? 4 : 0)
                    + (q.isEntryWritable() ? 8 : 0) + (q.isGuestLinearAddressValid() ? 16 : 0)
                    + (q.isTranslatedAccess() ? 32 : 0) + (q.isNmiUnblockingDueToIret() ? 64 : 0);
        }
        return sum;
    }

    static long eptBaseline(long[] raws) {
        long sum = 0;
        for (long raw : raws) {
            sum += ((raw & 0x2) != 0 ? 1 : 0) + ((raw & 0x4) != 0 ? 2 : 0) + ((raw & 0x8) != 0 ? 4 : 0)
                    + ((raw & 0x10) != 0 ? 8 : 0) + ((raw & 0x80) != 0 ? 16 : 0)
                    + ((raw & 0x180) == 0x180 ? 32 : 0) + ((raw & 0x1000) != 0 ? 64 : 0);
        }
        return sum;
    }

    static long crTyped(long[] raws) {
        long sum = 0;
        for (long raw : raws) {
            CrAccessQualification q = CrAccessQualification.of(raw);
            switch (q.accessType()) {
                case MOV_TO_CR:
                    sum += q.crNumber() * 16L + q.register().ordinal();
                    break;
                case MOV_FROM_CR:
                    sum += 1000 + q.crNumber() * 16L + q.register().ordinal();
                    break;
                case CLTS:
                    sum += 2000;
                    break;
                default:
                    sum += 3000 + q.lmswSourceData();
            }
        }
        return sum;
    }

    /** The same work as {@link #crTyped}, branching on the mask predicates instead of an enum switch. */
    static long crTypedPredicates(long[] raws) {
        long sum = 0;
        for (long raw : raws) {
            CrAccessQualification q = CrAccessQualification.of(raw);
            if (q.isMovToCr()) {
                sum += q.crNumber() * 16L + q.registerNumber();
            } else if (q.isMovFromCr()) {
                sum += 1000 + q.crNumber() * 16L + q.registerNumber();
            } else if (q.isClts()) {
                sum += 2000;
            } else {
                sum += 3000 + q.lmswSourceData();
            }
        }
        return sum;
    }

    static long crBaseline(long[] raws) {
        long sum = 0;
        for (long raw : raws) {
            int crNumber = (int) (raw & 0xF);
            int register = (int) ((raw >>> 8) & 0xF);
            switch ((int) ((raw >>> 4) & 3)) {
                case 0:
                    sum += crNumber * 16L + register;
                    break;
                case 1:
                    sum += 1000 + crNumber * 16L + register;
                    break;
                case 2:
                    sum += 2000;
                    break;
                default:
                    sum += 3000 + ((raw >>> 16) & 0xFFFF);
            }
        }
        return sum;
    }

    static long ioTyped(long[] raws) {
        long sum = 0;
        for (long raw : raws) {
            IoInstructionQualification q = IoInstructionQualification.of(raw);
            sum += q.port() * 8L + q.sizeBytes() + (q.isIn() ? 0x100000 : 0) + (q.isString() ? 0x200000 : 0)
                    + (q.isRep() ? 0x400000 : 0);
        }
        return sum;
    }

    static long ioBaseline(long[] raws) {
        long sum = 0;
        for (long raw : raws) {
            sum += ((raw >>> 16) & 0xFFFF) * 8L + ((raw & 7) + 1) + ((raw & 8) != 0 ? 0x100000 : 0)
                    + ((raw & 0x10) != 0 ? 0x200000 : 0) + ((raw & 0x20) != 0 ? 0x400000 : 0);
        }
        return sum;
    }

    static long interruptionTyped(int[] raws) {
        long sum = 0;
        for (int raw : raws) {
            InterruptionInfo info = InterruptionInfo.of(raw);
            if (!info.isValid()) {
                continue;
            }
            sum += info.vector() + info.type().number() * 256L + (info.isErrorCodeValid() ? 4096 : 0)
                    + (info.isNmiUnblockingDueToIret() ? 8192 : 0);
        }
        return sum;
    }

    static long interruptionBaseline(int[] raws) {
        long sum = 0;
        for (int raw : raws) {
            if (raw >= 0) {
                continue;
            }
            sum += (raw & 0xFF) + ((raw >>> 8) & 7) * 256L + ((raw & 0x800) != 0 ? 4096 : 0)
                    + ((raw & 0x1000) != 0 ? 8192 : 0);
        }
        return sum;
    }
}
