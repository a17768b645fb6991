package dev.vmx.hw.bochs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed l1hv.bin is what nasm makes of l1hv.asm today: the image is committed so that the
 * backend needs no assembler at build or run time, and this test keeps the two from drifting.
 */
class HypervisorImageTest {
    @Test
    void committedImageIsTheAssembledSource(@TempDir Path dir) throws Exception {
        var nasm = BochsInstallation.onPath("nasm");
        Assumptions.assumeTrue(nasm.isPresent(), () -> {
            System.out.println("SKIPPED: nasm is not on PATH (apt-get install nasm): l1hv.bin not rebuilt");
            return "no nasm";
        });
        Path source = Path.of("src/main/asm/l1hv.asm");
        Assumptions.assumeTrue(Files.isReadable(source), "run from vmx-hw's directory (Maven does)");
        Path out = dir.resolve("l1hv.bin");
        Process p = new ProcessBuilder(nasm.get().toString(), "-f", "bin", "-o", out.toString(), source.toString())
                .redirectErrorStream(true).start();
        String messages = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("nasm did not finish in 60 s");
        }
        assertEquals(0, p.exitValue(), messages);
        byte[] built = Files.readAllBytes(out);
        assertEquals(BochsRunner.HYPERVISOR_BYTES, built.length);
        assertArrayEquals(built, BochsRunner.hypervisorImage(),
                "l1hv.bin differs from l1hv.asm: run nasm -f bin -o src/main/resources/dev/vmx/hw/bochs/l1hv.bin src/main/asm/l1hv.asm");
        // a boot sector: signature 0x55 0xAA at 510
        assertEquals((byte) 0x55, built[510]);
        assertEquals((byte) 0xAA, built[511]);
    }
}
