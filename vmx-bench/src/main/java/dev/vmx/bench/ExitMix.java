package dev.vmx.bench;

import java.util.SplittableRandom;

/**
 * Realistic inputs: exit reasons drawn with the frequencies of a busy Linux guest under KVM
 * (EPT violations, I/O, MSR writes, HLT and external interrupts dominate), with a few enclave,
 * bus-lock and failed-entry values mixed in so no branch is never taken.
 */
final class ExitMix {
    /** Basic reason numbers and their relative weights. */
    private static final int[][] WEIGHTS = {
        {48, 30}, // EPT_VIOLATION
        {30, 18}, // IO_INSTRUCTION
        {32, 14}, // MSR_WRITE
        {1, 12}, // EXTERNAL_INTERRUPT
        {12, 10}, // HLT
        {52, 5}, // PREEMPTION_TIMER
        {31, 3}, // MSR_READ
        {10, 3}, // CPUID
        {28, 2}, // CR_ACCESS
        {40, 1}, // PAUSE_INSTRUCTION
        {0, 1}, // EXCEPTION_NMI
        {49, 1}, // EPT_MISCONFIG
    };

    private ExitMix() {
    }

    static int[] rawExitReasons(int count, SplittableRandom random) {
        int total = 0;
        for (int[] weight : WEIGHTS) {
            total += weight[1];
        }
        int[] raws = new int[count];
        for (int i = 0; i < count; i++) {
            int pick = random.nextInt(total);
            int basic = 0;
            for (int[] weight : WEIGHTS) {
                pick -= weight[1];
                if (pick < 0) {
                    basic = weight[0];
                    break;
                }
            }
            int raw = basic;
            int rare = random.nextInt(1000);
            if (rare < 3) {
                raw = 0x8000_0021; // INVALID_STATE | VM_ENTRY_FAILURE
            } else if (rare < 8 && basic == 48) {
                raw |= 1 << 27; // enclave mode
            } else if (rare < 10) {
                raw |= 1 << 26; // bus lock detected
            }
            raws[i] = raw;
        }
        return raws;
    }
}
