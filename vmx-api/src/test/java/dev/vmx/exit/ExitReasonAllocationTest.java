package dev.vmx.exit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ExitReason#of(int)} allocates nothing for known basic reasons with any flags. Counted in
 * bytes with {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}, never timed.
 */
class ExitReasonAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int ROUNDS = 200;

    private static int[] knownRaws;
    private static int[] reservedRaws;

    @BeforeAll
    static void inputs() {
        int[] flagMasks = new int[32];
        ExitReasonFlag[] flags = ExitReasonFlag.values();
        for (int combination = 0; combination < 32; combination++) {
            for (int i = 0; i < flags.length; i++) {
                if ((combination & (1 << i)) != 0) {
                    flagMasks[combination] |= flags[i].mask();
                }
            }
        }
        int known = BasicExitReason.values().length - 1;
        knownRaws = new int[known * 32];
        reservedRaws = new int[known * 32];
        int i = 0;
        for (BasicExitReason basic : BasicExitReason.values()) {
            if (basic == BasicExitReason.UNRECOGNIZED) {
                continue;
            }
            for (int mask : flagMasks) {
                knownRaws[i] = basic.number() | mask;
                reservedRaws[i] = basic.number() | mask | 0x0001_0000;
                i++;
            }
        }
        assertTrue(THREADS.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes");
        THREADS.setThreadAllocatedMemoryEnabled(true);
    }

    /**
     * Bytes this thread allocates while decoding every input ROUNDS times. Each result is stored
     * in a pre-allocated array, so it escapes and the JIT cannot remove an allocation that happens.
     */
    private static long allocatedBytes(int[] raws) {
        ExitReason[] sink = new ExitReason[raws.length];
        long threadId = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(threadId);
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < raws.length; i++) {
                sink[i] = ExitReason.of(raws[i]);
                sink[i].flags();
            }
        }
        long after = THREADS.getThreadAllocatedBytes(threadId);
        assertTrue(sink[raws.length - 1].raw() == raws[raws.length - 1]);
        return after - before;
    }

    @Test
    void knownReasonsWithAnyFlagsAllocateNothing() {
        for (int warmup = 0; warmup < 5; warmup++) {
            allocatedBytes(knownRaws);
        }
        long decodes = (long) ROUNDS * knownRaws.length;
        long bytes = allocatedBytes(knownRaws);
        // The measurement itself may allocate a few bytes; one object per decode would be >= 16 * decodes.
        assertTrue(bytes < 1024, bytes + " bytes allocated for " + decodes + " decodes");
    }

    /** The control: the same measurement does see allocation where it happens, so it can fail. */
    @Test
    void theMeasurementSeesAllocationWhenThereIsSome() {
        long decodes = (long) ROUNDS * reservedRaws.length;
        long bytes = allocatedBytes(reservedRaws);
        assertTrue(bytes >= 16 * decodes / 2, bytes + " bytes for " + decodes + " decodes with reserved bits");
    }
}
