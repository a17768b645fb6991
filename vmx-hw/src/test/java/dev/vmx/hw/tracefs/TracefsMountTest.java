package dev.vmx.hw.tracefs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmx.hw.internal.LibC;
import java.io.File;
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

    /**
     * Runs the probe in a private mount namespace and returns its report: the lines of its
     * standard output only. The child's standard error (JNA's "restricted method" warnings on JDK
     * 24+, the shell's messages) is kept apart and shown only when the probe fails, so what the
     * JVM prints on the side cannot change what the test compares.
     */
    private static List<String> probeInPrivateNamespace(String prelude) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("java.class.path");
        String script = "grep ' tracefs ' /proc/self/mounts | cut -d' ' -f2 | sort -r | while read m; do umount -l \"$m\"; done; "
                + prelude + "exec \"$0\" -cp \"$1\" dev.vmx.hw.tracefs.TracefsMountProbe";
        ProbeOutput output = run(new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                java, classPath));
        assertEquals(0, output.exitValue, output.toString());
        return output.reportLines();
    }

    /** What a child process wrote, its two streams kept apart. */
    private static final class ProbeOutput {
        final int exitValue;
        final String stdout;
        final String stderr;

        ProbeOutput(int exitValue, String stdout, String stderr) {
            this.exitValue = exitValue;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        List<String> reportLines() {
            List<String> lines = new ArrayList<>();
            for (String line : stdout.split("\n")) {
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
            return lines;
        }

        @Override
        public String toString() {
            return "exit " + exitValue + ", stdout: " + reportLines() + ", stderr: " + stderr.strip();
        }
    }

    /** Runs a child with stderr in a file of its own (read after exit, so neither pipe can fill and block it). */
    private static ProbeOutput run(ProcessBuilder builder) throws IOException, InterruptedException {
        Path stderr = Files.createTempFile("vmx-probe-stderr-", ".txt");
        try {
            Process process = builder.redirectError(stderr.toFile()).start();
            byte[] stdout = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the probe did not finish within 60 s");
            }
            return new ProbeOutput(process.exitValue(), new String(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        } finally {
            Files.delete(stderr);
        }
    }

    private static void assumeRootWithUnshare() {
        boolean root = LibC.INSTANCE.geteuid() == 0;
        boolean unshare = Files.isExecutable(Path.of("/usr/bin/unshare")) || Files.isExecutable(Path.of("/bin/unshare"));
        String reason = !root ? "needs root to make a mount namespace" : !unshare ? "no unshare(1) (util-linux)" : null;
        if (reason == null) {
            try {
                // a container may forbid new mount namespaces even to root
                Process probe = new ProcessBuilder("unshare", "--mount", "true").redirectErrorStream(true).start();
                String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (probe.waitFor() != 0) {
                    reason = "unshare --mount is not permitted here: " + output;
                }
            } catch (IOException | InterruptedException e) {
                reason = "cannot run unshare: " + e.getMessage();
            }
        }
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
        Path elsewhere = Files.createTempDirectory("vmx-tracefs-");
        try {
            assertEquals(List.of("root=" + elsewhere, "mountedHere=false", "headerPage=true"),
                    probeInPrivateNamespace("mount -t tracefs nodev '" + elsewhere + "' && "));
        } finally {
            Files.delete(elsewhere); // mounted only inside the probe's namespace
        }
    }

    @Test
    @Tag("root")
    void aMountThisUserMayNotReadIsNamedNotMistakenForNoMount() throws Exception {
        assumeRootWithUnshare();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "no setpriv(1) (util-linux)");
        Path mount = Tracefs.locate().root();
        String permissions = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(mount));
        assumeTrue(permissions.endsWith("---"), "tracefs at " + mount + " is open to others here: " + permissions);
        // the probe runs as nobody (uid 65534) from world-readable copies of the classes it needs
        Path copies = Files.createTempDirectory("vmx-probe-");
        try {
            List<String> entries = new ArrayList<>();
            for (Class<?> anchor : new Class<?>[] {TracefsMountProbe.class, Tracefs.class, dev.vmx.exit.ExitReason.class,
                    com.sun.jna.Native.class}) {
                Path source = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
                Path copy = copies.resolve(entries.size() + "-" + source.getFileName());
                copyTree(source, copy);
                entries.add(copy.toString());
            }
            makeWorldReadable(copies);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProbeOutput output = run(new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", java,
                    "-Djna.tmpdir=" + copies, "-cp", String.join(File.pathSeparator, entries),
                    "dev.vmx.hw.tracefs.TracefsMountProbe"));
            assertEquals(List.of("error=tracefs is mounted at " + mount + ", but " + mount.resolve("events/header_page")
                    + " is not readable by this process: tracefs needs root (or CAP_SYS_ADMIN, or ownership of the mount)"),
                    output.reportLines(), output.toString());
        } finally {
            try (java.util.stream.Stream<Path> walk = Files.walk(copies)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        if (Files.isRegularFile(source)) {
            Files.copy(source, target);
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(source)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                Path to = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(path, to);
                }
            }
        }
    }

    private static void makeWorldReadable(Path root) throws IOException {
        try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString(
                        Files.isDirectory(path) ? "rwxrwxrwx" : "rw-r--r--"));
            }
        }
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
