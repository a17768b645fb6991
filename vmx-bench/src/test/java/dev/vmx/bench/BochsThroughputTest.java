package dev.vmx.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.hw.bochs.BochsBatchResult;
import dev.vmx.hw.bochs.BochsOutcome;
import dev.vmx.hw.bochs.BochsRunner;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The harness's batch is what it claims (no timing is asserted: timings belong to the harness's own run). */
class BochsThroughputTest {
    @Test
    void harnessBatchRunsAsDescribed() {
        BochsRunner runner;
        try {
            runner = BochsRunner.create();
        } catch (NativeUnavailableException e) {
            System.out.println("SKIPPED: " + e.getMessage());
            Assumptions.abort(e.getMessage());
            return;
        }
        BochsBatchResult batch = runner.run(BochsThroughput.cases(runner.capabilities(), 10));
        for (int i = 0; i < 10; i++) {
            assertEquals(i % 5 == 4 ? BochsOutcome.VM_FAIL : BochsOutcome.EXITED, batch.result(i).outcome(), batch.result(i).toString());
        }
        assertEquals(3, batch.result(0).exits().size());
        BochsThroughput.main(new String[] {"20", "corei7_skylake_x", "1"});
    }
}
