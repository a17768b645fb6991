package dev.vmx.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each typed benchmark and its raw baseline do the same work: same checksum on the same input. */
class ChecksumAgreementTest {
    @Test
    void exitReasonTypedAndRawAgree() {
        for (long seed = 0; seed < 20; seed++) {
            int[] raws = ExitMix.rawExitReasons(ExitReasonBenchmark.EXITS, new SplittableRandom(seed));
            long typed = ExitReasonBenchmark.typedChecksum(raws);
            assertEquals(ExitReasonBenchmark.rawChecksum(raws), typed, "seed " + seed);
            assertEquals(typed, ExitReasonBenchmark.typedNumberChecksum(raws), "seed " + seed);
            assertNotEquals(0, typed);
        }
        // every raw value, not only the mix: the two dispatchers must never disagree
        int[] all = new int[1 << 16];
        for (int flags = 0; flags < 32; flags++) {
            for (int basic = 0; basic < all.length; basic++) {
                all[basic] = basic | ((flags & 0xF) << 26) | ((flags & 0x10) << 27);
            }
            assertEquals(ExitReasonBenchmark.rawChecksum(all), ExitReasonBenchmark.typedChecksum(all), "flags " + flags);
            assertEquals(ExitReasonBenchmark.rawChecksum(all), ExitReasonBenchmark.typedNumberChecksum(all), "flags " + flags);
        }
    }
}
