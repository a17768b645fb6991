package dev.vmx.hw.tracefs;

import dev.vmx.hw.NativeUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A private trace instance ({@code instances/NAME}) with its own buffers and enabled events, so
 * the global trace state is untouched; {@link #remove()} deletes it (and with it, its events and
 * buffers). Shared by the binary and the text stream.
 */
final class TraceInstance {
    static final String SYSTEM = "kvm";

    private final Tracefs tracefs;
    private final Path path;
    private final List<Path> enabled = new ArrayList<>();

    private TraceInstance(Tracefs tracefs, Path path) {
        this.tracefs = tracefs;
        this.path = path;
    }

    static TraceInstance create(Tracefs tracefs, String name) {
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("trace instance name '" + name + "' must be letters, digits, '_', '.' or '-'");
        }
        Path instance = tracefs.root().resolve("instances").resolve(name);
        try {
            Files.createDirectory(instance);
        } catch (FileAlreadyExistsException e) {
            throw new NativeUnavailableException(instance.toString(), "trace instance " + instance
                    + " already exists: another stream uses it, or a crashed run left it (remove it with rmdir)");
        } catch (AccessDeniedException e) {
            throw new NativeUnavailableException(instance.toString(), "no permission to create trace instance "
                    + instance + ": tracefs needs root (or CAP_SYS_ADMIN, or ownership of the mount)");
        } catch (IOException e) {
            throw new NativeUnavailableException(instance.toString(), "cannot create trace instance " + instance + ": " + e);
        }
        return new TraceInstance(tracefs, instance);
    }

    Path path() {
        return path;
    }

    /** Sets {@code buffer_size_kb} per CPU when positive. */
    void bufferSizeKb(int kilobytes) {
        if (kilobytes > 0) {
            write(path.resolve("buffer_size_kb"), Integer.toString(kilobytes));
        }
    }

    /** Enables each {@code kvm} event in this instance and returns their formats. */
    List<EventFormat> enable(Collection<String> events) {
        List<EventFormat> formats = new ArrayList<>();
        for (String event : events) {
            Path enable = path.resolve("events").resolve(SYSTEM).resolve(event).resolve("enable");
            if (!Files.exists(enable)) {
                throw Tracefs.missingEvent(SYSTEM, event, enable.getParent());
            }
            formats.add(tracefs.format(SYSTEM, event));
            write(enable, "1");
            enabled.add(enable);
        }
        return formats;
    }

    /** The page size of this instance's sub-buffers (kernels 6.8+), 0 when the file is absent. */
    int subBufferPageSize() {
        Path subBuffer = path.resolve("buffer_subbuf_size_kb");
        return Files.exists(subBuffer) ? Integer.parseInt(Tracefs.read(subBuffer).strip()) * 1024 : 0;
    }

    /** Disables the events and removes the instance; its files must be closed first. */
    void remove() {
        for (Path enable : enabled) {
            try {
                write(enable, "0");
            } catch (RuntimeException e) {
                // removing the instance disables it too
            }
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove trace instance " + path, e);
        }
    }

    static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (AccessDeniedException e) {
            throw new NativeUnavailableException(file.toString(), "no permission to write " + file
                    + ": tracefs needs root (or CAP_SYS_ADMIN, or ownership of the mount)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
