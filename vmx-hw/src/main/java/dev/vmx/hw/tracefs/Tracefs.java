package dev.vmx.hw.tracefs;

import com.sun.jna.LastErrorException;
import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.hw.internal.LibC;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A located tracefs mount: where {@code events/}, {@code instances/} and {@code per_cpu/} live.
 * {@link #locate()} finds it in {@code /proc/mounts}, or mounts it at {@code /sys/kernel/tracing}
 * when running as root and it is not mounted.
 */
public final class Tracefs {
    /** The standard mount point. */
    public static final Path DEFAULT_MOUNT = Path.of("/sys/kernel/tracing");
    /** The legacy location under debugfs. */
    public static final Path DEBUGFS_MOUNT = Path.of("/sys/kernel/debug/tracing");

    private final Path root;
    private final boolean mountedHere;

    private Tracefs(Path root, boolean mountedHere) {
        this.root = root;
        this.mountedHere = mountedHere;
    }

    /**
     * Finds tracefs: a {@code tracefs} line of {@code /proc/mounts}, else the debugfs location,
     * else mounts it at {@link #DEFAULT_MOUNT} when running as root.
     *
     * @return the tracefs
     * @throws NativeUnavailableException if tracefs is not mounted and cannot be mounted here
     */
    public static Tracefs locate() {
        Path mounts = Path.of("/proc/mounts");
        Path unreadable = null; // a tracefs mount this process may not read
        try {
            if (Files.isReadable(mounts)) {
                for (String line : Files.readAllLines(mounts)) {
                    String[] fields = line.split(" ");
                    if (fields.length > 2 && fields[2].equals("tracefs")) {
                        Path mountPoint = Path.of(fields[1].replace("\\040", " "));
                        if (Files.isReadable(mountPoint.resolve("events/header_page"))) {
                            return new Tracefs(mountPoint, false);
                        }
                        unreadable = unreadable == null ? mountPoint : unreadable;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (Files.isReadable(DEBUGFS_MOUNT.resolve("events/header_page"))) {
            return new Tracefs(DEBUGFS_MOUNT, false);
        }
        if (unreadable != null) {
            throw new NativeUnavailableException(unreadable.toString(), "tracefs is mounted at " + unreadable + ", but "
                    + unreadable.resolve("events/header_page") + " is not readable by this process: tracefs needs root"
                    + " (or CAP_SYS_ADMIN, or ownership of the mount)");
        }
        if (!Files.isDirectory(DEFAULT_MOUNT)) {
            throw new NativeUnavailableException(DEFAULT_MOUNT.toString(), "no tracefs: it is not mounted and "
                    + DEFAULT_MOUNT + " does not exist (kernel without CONFIG_TRACING, or /sys not mounted)");
        }
        if (LibC.INSTANCE.geteuid() != 0) {
            throw new NativeUnavailableException(DEFAULT_MOUNT.toString(), "no tracefs: it is not mounted, and mounting it at "
                    + DEFAULT_MOUNT + " needs root (run: mount -t tracefs nodev " + DEFAULT_MOUNT + ")");
        }
        try {
            LibC.INSTANCE.mount("nodev", DEFAULT_MOUNT.toString(), "tracefs", 0, null);
        } catch (LastErrorException e) {
            throw new NativeUnavailableException(DEFAULT_MOUNT.toString(), e.getErrorCode(), "mount -t tracefs on "
                    + DEFAULT_MOUNT + " failed: " + LibC.INSTANCE.strerror(e.getErrorCode()) + " (errno "
                    + e.getErrorCode() + ")");
        }
        return at(DEFAULT_MOUNT, true);
    }

    /** "{call} of {path} failed: {strerror} (errno N)", for a system call on a tracefs file. */
    static NativeUnavailableException callFailed(String call, String path, LastErrorException e) {
        return new NativeUnavailableException(path, e.getErrorCode(), call + " of " + path + " failed: "
                + LibC.INSTANCE.strerror(e.getErrorCode()) + " (errno " + e.getErrorCode() + ")");
    }

    /**
     * A tracefs at a known path (a container's bind mount, or a test's copy).
     *
     * @param root the directory holding {@code events/header_page}
     * @return the tracefs
     * @throws NativeUnavailableException if {@code root} holds no readable {@code events/header_page}
     */
    public static Tracefs at(Path root) {
        return at(root, false);
    }

    private static Tracefs at(Path root, boolean mountedHere) {
        Path header = root.resolve("events/header_page");
        if (!Files.exists(header)) {
            throw new NativeUnavailableException(root.toString(), "no tracefs at " + root + ": " + header + " does not exist");
        }
        if (!Files.isReadable(header)) {
            throw new NativeUnavailableException(root.toString(), "no permission to read " + header
                    + ": tracefs needs root (or CAP_SYS_ADMIN, or ownership of the mount)");
        }
        return new Tracefs(root, mountedHere);
    }

    /**
     * The mount point.
     *
     * @return e.g. {@code /sys/kernel/tracing}
     */
    public Path root() {
        return root;
    }

    /**
     * Whether {@link #locate()} mounted tracefs itself (it leaves it mounted: other tools may use it).
     *
     * @return true if this process mounted it
     */
    public boolean mountedHere() {
        return mountedHere;
    }

    /**
     * The parsed {@code events/header_page}.
     *
     * @return the page header layout
     */
    public EventFormat headerPage() {
        return EventFormat.parse(read(root.resolve("events/header_page")));
    }

    /**
     * The parsed format of one event.
     *
     * @param system the event system, e.g. {@code kvm}
     * @param event the event, e.g. {@code kvm_exit}
     * @return the format
     * @throws NativeUnavailableException if the event does not exist on this kernel
     */
    public EventFormat format(String system, String event) {
        Path format = root.resolve("events").resolve(system).resolve(event).resolve("format");
        if (!Files.exists(format)) {
            throw missingEvent(system, event, format);
        }
        return EventFormat.parse(read(format));
    }

    static NativeUnavailableException missingEvent(String system, String event, Path where) {
        return new NativeUnavailableException(where.toString(), "tracefs event " + system + ":" + event
                + " does not exist (no " + where + "): the " + system + " module is not loaded or this kernel has no such tracepoint");
    }

    /**
     * The CPUs that have a ring buffer ({@code per_cpu/cpuN}).
     *
     * @param instance the instance directory (or the root)
     * @return the CPU numbers, ascending
     */
    static List<Integer> cpus(Path instance) {
        try (var entries = Files.list(instance.resolve("per_cpu"))) {
            return entries.map(path -> path.getFileName().toString())
                    .filter(name -> name.matches("cpu\\d+"))
                    .map(name -> Integer.parseInt(name.substring(3)))
                    .sorted()
                    .collect(java.util.stream.Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        // tracefs files report size 0, so read the stream to its end instead of trusting the size
        try (var in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new NativeUnavailableException(file.toString(), "no permission to read " + file
                    + ": tracefs needs root (or CAP_SYS_ADMIN, or ownership of the mount)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "tracefs at " + root;
    }
}
