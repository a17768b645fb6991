package dev.vmx.hw.bochs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every hand-encoded L2 instruction is what nasm assembles from its text: the source of the bytes is nasm. */
class L2ProgramTest {
    @Test
    void everyInstructionIsWhatNasmAssembles(@TempDir Path dir) throws IOException, InterruptedException {
        var nasm = BochsInstallation.onPath("nasm");
        Assumptions.assumeTrue(nasm.isPresent(), () -> {
            System.out.println("SKIPPED: nasm is not on PATH (apt-get install nasm)");
            return "nasm is not on PATH";
        });
        ExitPrograms.load();
        List<L2Program.Instruction> all = List.copyOf(L2Program.ALL);
        assertFalse(all.isEmpty());
        for (L2Program.Instruction instruction : all) {
            Path source = dir.resolve("i.asm");
            Path out = dir.resolve("i.bin");
            Files.writeString(source, "bits 64\n" + instruction.asm() + "\n", StandardCharsets.US_ASCII);
            Process p = new ProcessBuilder(nasm.get().toString(), "-f", "bin", "-o", out.toString(), source.toString())
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("nasm hung on " + instruction.asm());
            }
            assertEquals(0, p.exitValue(), instruction.asm() + ": " + output);
            assertEquals(HexFormat.of().formatHex(Files.readAllBytes(out)), HexFormat.of().formatHex(instruction.bytes()),
                    instruction.asm());
        }
    }
}
