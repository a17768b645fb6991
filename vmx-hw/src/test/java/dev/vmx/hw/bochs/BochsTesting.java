package dev.vmx.hw.bochs;

import dev.vmx.hw.NativeUnavailableException;
import org.junit.jupiter.api.Assumptions;

/** The shared runner of the Bochs tests, or a skip that prints why Bochs is missing. */
final class BochsTesting {
    private static BochsRunner runner;
    private static String missing;

    private BochsTesting() {
    }

    static synchronized BochsRunner runner() {
        if (runner == null && missing == null) {
            try {
                runner = BochsRunner.create();
            } catch (NativeUnavailableException e) {
                missing = e.getMessage();
                System.out.println("SKIPPED (Bochs backend): " + missing);
            }
        }
        Assumptions.assumeTrue(runner != null, () -> "Bochs is not installed here: " + missing);
        return runner;
    }
}
