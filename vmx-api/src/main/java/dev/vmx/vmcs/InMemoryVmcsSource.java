package dev.vmx.vmcs;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The embedded default {@link VmcsSource}: holds a VMCS in memory, needs no hardware, and loads and
 * saves it in the {@link VmcsText} format.
 *
 * <p>Thread-safe: readers see a complete immutable snapshot; {@link #write(Vmcs)} and the loaders
 * replace it atomically, so concurrent readers never see a half-loaded VMCS.
 */
public final class InMemoryVmcsSource implements VmcsSource {
    /** The name under which {@link VmcsSources} lists this source. */
    public static final String NAME = "memory";

    private final AtomicReference<VmcsSnapshot> current = new AtomicReference<>();

    /** An empty source (for ServiceLoader); {@link #read()} fails until a VMCS is written or loaded. */
    public InMemoryVmcsSource() {
    }

    /**
     * A source holding a VMCS.
     *
     * @param vmcs the initial VMCS
     * @return the source
     */
    public static InMemoryVmcsSource of(Vmcs vmcs) {
        InMemoryVmcsSource source = new InMemoryVmcsSource();
        source.write(vmcs);
        return source;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Always usable: the embedded source needs no hardware. */
    @Override
    public Optional<String> unavailableReason() {
        return Optional.empty();
    }

    @Override
    public VmcsSnapshot read() {
        VmcsSnapshot snapshot = current.get();
        if (snapshot == null) {
            throw new IllegalStateException("the in-memory VMCS source holds no VMCS yet: write() or load() one");
        }
        return snapshot;
    }

    /**
     * Replaces the held VMCS.
     *
     * @param vmcs the new VMCS (copied)
     */
    public void write(Vmcs vmcs) {
        current.set(VmcsSnapshot.copyOf(vmcs));
    }

    /**
     * Loads a VMCS from a file in the {@link VmcsText} format.
     *
     * @param file the file
     * @return the loaded snapshot, now held
     * @throws dev.vmx.VmxParseException with line and column for a bad line
     * @throws UncheckedIOException if the file cannot be read
     */
    public VmcsSnapshot load(Path file) {
        try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read VMCS file " + file, e);
        }
    }

    /**
     * Loads a VMCS in the {@link VmcsText} format from a reader (not closed). On a parse error the
     * previously held VMCS stays.
     *
     * @param text the text
     * @return the loaded snapshot, now held
     * @throws dev.vmx.VmxParseException with line and column for a bad line
     * @throws UncheckedIOException if reading fails
     */
    public VmcsSnapshot load(Reader text) {
        VmcsSnapshot snapshot = VmcsText.parse(text);
        current.set(snapshot);
        return snapshot;
    }

    /**
     * Saves the held VMCS in the {@link VmcsText} format.
     *
     * @param out where to write (not closed)
     * @throws UncheckedIOException if writing fails
     */
    public void save(Writer out) {
        try {
            out.write(VmcsText.format(read()));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write VMCS text", e);
        }
    }
}
