package dev.vmx.hw.bochs;

import dev.vmx.hw.NativeUnavailableException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The parts of a Bochs installation this backend needs, found on this machine: the {@code bochs}
 * binary (on {@code PATH}), its {@code term} display plugin ({@code libbx_term_gui.so}, Debian's
 * package {@code bochs-term}: Debian's build has no {@code nogui} display), the system BIOS and the
 * VGA BIOS images, and, optionally, {@code nasm} (only needed to rebuild the committed hypervisor
 * image {@code l1hv.bin} from {@code l1hv.asm}).
 *
 * <p>Searched where Debian 12 and a source build put them: plugins in {@code $LTDL_LIBRARY_PATH},
 * {@code /usr/lib/x86_64-linux-gnu/bochs/plugins}, {@code /usr/lib/bochs/plugins},
 * {@code /usr/local/lib/bochs/plugins}; images in {@code $BXSHARE}, {@code /usr/share/bochs},
 * {@code /usr/local/share/bochs} (VGA BIOS also {@code /usr/share/vgabios/vgabios.bin}).
 *
 * @param bochs the emulator binary
 * @param termPlugin the term display plugin
 * @param bios the system BIOS image
 * @param vgaBios the VGA BIOS image
 * @param nasm the assembler, when installed
 */
public record BochsInstallation(Path bochs, Path termPlugin, Path bios, Path vgaBios, Optional<Path> nasm) {
    /** Debian's package names, for the message that says what to install. */
    static final String INSTALL_HINT = "install Debian's packages: apt-get install bochs bochs-term bochsbios vgabios (and nasm to rebuild l1hv.bin)";

    /**
     * Checks the parts.
     *
     * @param bochs the emulator binary
     * @param termPlugin the term display plugin
     * @param bios the system BIOS image
     * @param vgaBios the VGA BIOS image
     * @param nasm the assembler, when installed
     */
    public BochsInstallation {
        Objects.requireNonNull(bochs, "bochs");
        Objects.requireNonNull(termPlugin, "termPlugin");
        Objects.requireNonNull(bios, "bios");
        Objects.requireNonNull(vgaBios, "vgaBios");
        Objects.requireNonNull(nasm, "nasm");
    }

    /**
     * Finds the installation on this machine.
     *
     * @return the parts found
     * @throws NativeUnavailableException naming every missing part and where it was looked for
     */
    public static BochsInstallation locate() {
        return locate(System::getenv, Path.of("/"));
    }

    /**
     * Finds the installation with another environment and file-system root (tests).
     *
     * @param getenv the environment
     * @param root where the absolute search paths are resolved
     * @return the parts found
     */
    static BochsInstallation locate(java.util.function.UnaryOperator<String> getenv, Path root) {
        List<String> missing = new ArrayList<>();
        Optional<Path> bochs = onPath("bochs", getenv.apply("PATH"));
        if (bochs.isEmpty()) {
            missing.add("the bochs binary is not on PATH (" + getenv.apply("PATH") + ")");
        }
        List<Path> pluginDirs = new ArrayList<>();
        String ltdl = getenv.apply("LTDL_LIBRARY_PATH");
        if (ltdl != null && !ltdl.isEmpty()) {
            for (String dir : ltdl.split(File.pathSeparator)) {
                pluginDirs.add(Path.of(dir));
            }
        }
        pluginDirs.addAll(List.of(root.resolve("usr/lib/x86_64-linux-gnu/bochs/plugins"), root.resolve("usr/lib/bochs/plugins"),
                root.resolve("usr/local/lib/bochs/plugins")));
        Optional<Path> term = first(pluginDirs, "libbx_term_gui.so");
        if (term.isEmpty()) {
            missing.add("the term display plugin libbx_term_gui.so (package bochs-term) is in none of " + pluginDirs);
        }
        List<Path> shareDirs = new ArrayList<>();
        String bxshare = getenv.apply("BXSHARE");
        if (bxshare != null && !bxshare.isEmpty()) {
            shareDirs.add(Path.of(bxshare));
        }
        shareDirs.addAll(List.of(root.resolve("usr/share/bochs"), root.resolve("usr/local/share/bochs")));
        Optional<Path> bios = first(shareDirs, "BIOS-bochs-latest");
        if (bios.isEmpty()) {
            missing.add("the BIOS image BIOS-bochs-latest (package bochsbios) is in none of " + shareDirs);
        }
        List<Path> vgaDirs = new ArrayList<>(shareDirs);
        Path debianVga = root.resolve("usr/share/vgabios/vgabios.bin");
        Optional<Path> vga = first(vgaDirs, "VGABIOS-lgpl-latest")
                .or(() -> Files.isReadable(debianVga) ? Optional.of(debianVga) : Optional.empty());
        if (vga.isEmpty()) {
            missing.add("the VGA BIOS image VGABIOS-lgpl-latest (package vgabios) is in none of " + vgaDirs
                    + " nor " + debianVga);
        }
        if (!missing.isEmpty()) {
            throw new NativeUnavailableException(bochs.map(Path::toString).orElse("bochs"),
                    "Bochs cannot run here: " + String.join("; ", missing) + "; " + INSTALL_HINT);
        }
        return new BochsInstallation(bochs.get(), term.get(), bios.get(), vga.get(), onPath("nasm", getenv.apply("PATH")));
    }

    /**
     * One line for {@code NativeBackends.probe()}: the parts found, and whether nasm is there.
     *
     * @return e.g. {@code /usr/bin/bochs, term plugin ..., nasm /usr/bin/nasm}
     */
    public String describe() {
        return bochs + " (term plugin " + termPlugin + ", BIOS " + bios + ", VGA BIOS " + vgaBios + "; "
                + nasm.map(p -> "nasm " + p).orElse("no nasm: only needed to rebuild l1hv.bin from l1hv.asm") + ")";
    }

    /**
     * An executable on {@code PATH}.
     *
     * @param name the command
     * @return its path, when found
     */
    static Optional<Path> onPath(String name) {
        return onPath(name, System.getenv("PATH"));
    }

    private static Optional<Path> onPath(String name, String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> first(List<Path> dirs, String name) {
        for (Path dir : dirs) {
            Path candidate = dir.resolve(name);
            if (Files.isReadable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
