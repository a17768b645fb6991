package dev.vmx.qual;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.event.InterruptionInfo;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The static accessors of the hot formats (EPT violation, CR access, I/O, interruption info)
 * allocate nothing. Counted in bytes with {@code com.sun.management.ThreadMXBean}, never timed.
 */
class HotDecodeAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int ROUNDS = 200;
    private static final long[] RAWS = new long[4096];

    @BeforeAll
    static void inputs() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < RAWS.length; i++) {
            RAWS[i] = random.nextLong();
        }
        assertTrue(THREADS.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes");
        THREADS.setThreadAllocatedMemoryEnabled(true);
    }

    private static long decodeStatically() {
        long sink = 0;
        for (long raw : RAWS) {
            sink += EptViolationQualification.isWrite(raw) ? 1 : 0;
            sink += EptViolationQualification.isGuestLinearAddressValid(raw) ? 2 : 0;
            sink += EptViolationQualification.isTranslatedAccess(raw) ? 4 : 0;
            sink += EptViolationQualification.isEntryNotPresent(raw) ? 8 : 0;
            sink += CrAccessQualification.crNumber(raw) + CrAccessQualification.registerNumber(raw)
                    + CrAccessQualification.accessTypeNumber(raw) + CrAccessQualification.lmswSourceData(raw);
            sink += IoInstructionQualification.port(raw) + IoInstructionQualification.sizeBytes(raw)
                    + (IoInstructionQualification.isIn(raw) ? 1 : 0) + (IoInstructionQualification.isString(raw) ? 1 : 0);
            int info = (int) raw;
            sink += InterruptionInfo.vector(info) + InterruptionInfo.type(info).number()
                    + (InterruptionInfo.isValid(info) ? 1 : 0) + (InterruptionInfo.isErrorCodeValid(info) ? 1 : 0);
        }
        return sink;
    }

    private static long allocatedBytes(Runnable work) {
        long threadId = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(threadId);
        work.run();
        return THREADS.getThreadAllocatedBytes(threadId) - before;
    }

    @Test
    void staticAccessorsAllocateNothing() {
        long[] result = new long[1];
        Runnable work = () -> {
            for (int round = 0; round < ROUNDS; round++) {
                result[0] += decodeStatically();
            }
        };
        for (int warmup = 0; warmup < 5; warmup++) {
            work.run();
        }
        long bytes = allocatedBytes(work);
        long decodes = (long) ROUNDS * RAWS.length;
        assertTrue(bytes < 1024, bytes + " bytes allocated for " + decodes + " decodes");
        assertTrue(result[0] != 0);
    }

    /** The control: the same measurement sees allocation when each decode keeps an object. */
    @Test
    void theMeasurementSeesAllocationWhenThereIsSome() {
        EptViolationQualification[] kept = new EptViolationQualification[RAWS.length];
        long bytes = allocatedBytes(() -> {
            for (int round = 0; round < ROUNDS; round++) {
                for (int i = 0; i < RAWS.length; i++) {
                    kept[i] = EptViolationQualification.of(RAWS[i]);
                }
            }
        });
        long decodes = (long) ROUNDS * RAWS.length;
        assertTrue(bytes >= 16 * decodes / 2, bytes + " bytes for " + decodes + " kept objects");
    }
}
