package dev.vmx.hw.tracefs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmx.hw.internal.LibC;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link Tracefs#locate()} when tracefs is not mounted, for real: a child JVM runs in a private mount
 * namespace ({@code unshare --mount}) where every tracefs mount was lazily unmounted, so the host's
 * mount and other tests are not disturbed.
 */
class TracefsMountTest {

    private static List<String> probeInPrivateNamespace(String prelude) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("java.class.path");
        String script = "grep ' tracefs ' /proc/self/mounts | cut -d' ' -f2 | sort -r | while read m; do umount -l \"$m\"; done; "
                + prelude + "exec \"$0\" -cp \"$1\" dev.vmx.hw.tracefs.TracefsMountProbe";
        Process process = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                java, classPath).redirectErrorStream(true).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the probe did not finish within 60 s");
        }
        List<String> lines = new ArrayList<>();
        for (String line : new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        assertEquals(0, process.exitValue(), "probe output: " + lines);
        return lines;
    }

    private static void assumeRootWithUnshare() {
        boolean root = LibC.INSTANCE.geteuid() == 0;
        boolean unshare = Files.isExecutable(Path.of("/usr/bin/unshare")) || Files.isExecutable(Path.of("/bin/unshare"));
        String reason = !root ? "needs root to make a mount namespace" : !unshare ? "no unshare(1) (util-linux)" : null;
        if (reason != null) {
            System.out.println("SKIPPED: " + reason);
        }
        assumeTrue(reason == null, reason);
    }

    @Test
    @Tag("root")
    void locateMountsTracefsAtItsDefaultPlaceWhenNoneIsMounted() throws Exception {
        assumeRootWithUnshare();
        assertEquals(List.of("root=/sys/kernel/tracing", "mountedHere=true", "headerPage=true"),
                probeInPrivateNamespace(""));
    }

    @Test
    @Tag("root")
    void anExistingMountIsUsedAndNotMountedAgain() throws Exception {
        assumeRootWithUnshare();
        // mounted elsewhere first: found through /proc/mounts
        assertEquals(List.of("root=/mnt", "mountedHere=false", "headerPage=true"),
                probeInPrivateNamespace("mount -t tracefs nodev /mnt && "));
    }

    @Test
    @Tag("root")
    void withoutTheMountPointItSaysWhatIsMissing() throws Exception {
        assumeRootWithUnshare();
        // hide /sys/kernel/tracing behind an empty /sys/kernel (a tmpfs in the namespace only)
        assertEquals(List.of("error=no tracefs: it is not mounted and /sys/kernel/tracing does not exist"
                + " (kernel without CONFIG_TRACING, or /sys not mounted)"),
                probeInPrivateNamespace("mount -t tmpfs none /sys/kernel && "));
    }
}
