package dev.vmx.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vmx.hw.BackendStatus;
import dev.vmx.hw.NativeUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/** A probe answers with a status whatever goes wrong; it never throws. */
class BackendsTest {
    private static final class Failing extends Backends.Probe {
        Failing(RuntimeException failure) {
            super("failing", () -> {
                throw failure;
            });
        }
    }

    @Test
    void theUnavailableReasonIsTheExceptionsMessage() {
        assertEquals(new BackendStatus("failing", false, "no /dev/x: absent"),
                new Failing(new NativeUnavailableException("/dev/x", "no /dev/x: absent")).probe());
    }

    @Test
    void anyOtherFailureIsReportedAsTheReasonNotThrown() {
        assertEquals(new BackendStatus("failing", false, "probe failed: java.io.UncheckedIOException: java.io.IOException: /proc/cpuinfo: EIO"),
                new Failing(new UncheckedIOException(new IOException("/proc/cpuinfo: EIO"))).probe());
    }
}
