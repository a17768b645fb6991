package dev.vmx.hw.bochs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.hw.BackendStatus;
import dev.vmx.hw.NativeBackends;
import dev.vmx.hw.NativeUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe names exactly the parts of Bochs that are missing, and where it looked. */
class BochsInstallationTest {
    @Test
    void nothingInstalledNamesEveryPart(@TempDir Path root) {
        Map<String, String> env = Map.of("PATH", root.resolve("bin").toString());
        NativeUnavailableException e = assertThrows(NativeUnavailableException.class, () -> BochsInstallation.locate(env::get, root));
        assertEquals("Bochs cannot run here: the bochs binary is not on PATH (" + root.resolve("bin") + "); "
                + "the term display plugin libbx_term_gui.so (package bochs-term) is in none of [" + root.resolve("usr/lib/x86_64-linux-gnu/bochs/plugins")
                + ", " + root.resolve("usr/lib/bochs/plugins") + ", " + root.resolve("usr/local/lib/bochs/plugins") + "]; "
                + "the BIOS image BIOS-bochs-latest (package bochsbios) is in none of [" + root.resolve("usr/share/bochs") + ", "
                + root.resolve("usr/local/share/bochs") + "]; "
                + "the VGA BIOS image VGABIOS-lgpl-latest (package vgabios) is in none of [" + root.resolve("usr/share/bochs") + ", "
                + root.resolve("usr/local/share/bochs") + "] nor " + root.resolve("usr/share/vgabios/vgabios.bin") + "; "
                + BochsInstallation.INSTALL_HINT, e.getMessage());
    }

    @Test
    void onlyTheMissingPluginIsNamed(@TempDir Path root) throws IOException {
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.createFile(bin.resolve("bochs"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path share = Files.createDirectories(root.resolve("usr/share/bochs"));
        Files.writeString(share.resolve("BIOS-bochs-latest"), "bios");
        Files.writeString(share.resolve("VGABIOS-lgpl-latest"), "vga");
        Map<String, String> env = Map.of("PATH", bin.toString());
        NativeUnavailableException e = assertThrows(NativeUnavailableException.class, () -> BochsInstallation.locate(env::get, root));
        assertTrue(e.getMessage().startsWith("Bochs cannot run here: the term display plugin libbx_term_gui.so (package bochs-term) is in none of"),
                e.getMessage());
        assertTrue(!e.getMessage().contains("BIOS image") && !e.getMessage().contains("binary"), e.getMessage());
        // with the plugin where LTDL_LIBRARY_PATH says, everything is found; nasm is optional
        Path plugins = Files.createDirectories(root.resolve("plugins"));
        Files.writeString(plugins.resolve("libbx_term_gui.so"), "");
        Map<String, String> withPlugin = Map.of("PATH", bin.toString(), "LTDL_LIBRARY_PATH", plugins.toString());
        BochsInstallation found = BochsInstallation.locate(withPlugin::get, root);
        assertEquals(bin.resolve("bochs"), found.bochs());
        assertTrue(found.nasm().isEmpty());
        assertTrue(found.describe().endsWith("no nasm: only needed to rebuild l1hv.bin from l1hv.asm)"), found.describe());
    }

    @Test
    void theBackendIsProbedByName() {
        BackendStatus status = NativeBackends.probe().stream().filter(s -> s.backend().equals(NativeBackends.BOCHS)).findFirst().orElseThrow();
        System.out.println("backend " + status);
        try {
            BochsInstallation installation = BochsInstallation.locate();
            assertEquals(new BackendStatus("bochs", true, installation.describe()), status);
        } catch (NativeUnavailableException e) {
            assertEquals(new BackendStatus("bochs", false, e.getMessage()), status);
        }
    }
}
