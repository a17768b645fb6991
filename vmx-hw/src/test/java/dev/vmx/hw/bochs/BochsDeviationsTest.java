package dev.vmx.hw.bochs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.cap.ControlField;
import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.cap.VmxCapabilities;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.vmcs.VmcsField;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rows of bochs-deviations.md: each test asserts what Bochs 2.7 does where it differs from the
 * SDM, so a Bochs that changes fails here and the table must be updated.
 */
class BochsDeviationsTest {
    @Test
    void everyRowOfTheTableNamesATestThatExists() throws IOException {
        String table;
        try (InputStream in = BochsDeviationsTest.class.getResourceAsStream("bochs-deviations.md")) {
            table = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String line : table.split("\n")) {
            if (line.startsWith("| ") && !line.startsWith("| id ")) {
                String[] cells = line.split("\\|");
                String test = cells[cells.length - 1].trim().replace("`", "");
                String[] parts = test.split("\\.");
                assertEquals(2, parts.length, line);
                try {
                    Class<?> type = Class.forName("dev.vmx.hw.bochs." + parts[0]);
                    assertTrue(java.util.Arrays.stream(type.getDeclaredMethods()).anyMatch(m -> m.getName().equals(parts[1])), test);
                } catch (ClassNotFoundException e) {
                    throw new AssertionError("bochs-deviations.md names " + test + ", which does not exist", e);
                }
            }
        }
    }

    @Test
    void skylakeModelHasNoMtf() {
        VmxCapabilities caps = BochsTesting.runner().capabilities();
        assertFalse(caps.allowed(ControlField.PRIMARY_PROCESSOR_BASED).canBeOne(PrimaryProcessorBasedControl.MONITOR_TRAP_FLAG));
    }

    @Test
    void mtfControlCausesNoExitAfterInstructions() {
        BochsRunner tigerlake = BochsRunner.create(BochsTesting.runner().config().withCpuModel("tigerlake"));
        VmxCapabilities caps = tigerlake.capabilities();
        assertTrue(caps.allowed(ControlField.PRIMARY_PROCESSOR_BASED).canBeOne(PrimaryProcessorBasedControl.MONITOR_TRAP_FLAG));
        BochsCase control = BochsGuest.baseline(caps, "mtf-control").pokeBytes(BochsGuest.CODE, ExitPrograms.NOPS.bytes())
                .write(VmcsField.CPU_BASED_VM_EXEC_CONTROL, BochsGuest.primary(caps, PrimaryProcessorBasedControl.MONITOR_TRAP_FLAG))
                .build();
        // VM-entry interruption information: valid, type 7 (other event), vector 0 = pending MTF
        BochsCase injected = BochsGuest.baseline(caps, "mtf-injected").pokeBytes(BochsGuest.CODE, ExitPrograms.NOPS.bytes())
                .write(VmcsField.VM_ENTRY_INTR_INFO_FIELD, 0x80000700L).maxExits(2).build();
        BochsBatchResult batch = tigerlake.run(List.of(control, injected));
        // the deviation: the two NOPs ran without an MTF exit; HLT is the first exit
        BochsExit first = batch.result(0).orThrow().exit(0);
        assertEquals(BasicExitReason.HLT, first.reason().basic(), batch.result(0).toString());
        assertEquals(ExitPrograms.NOPS.address(2), first.vmcs().guestRip());
        // what works: a pending MTF injected at entry exits before the first instruction
        BochsExit mtf = batch.result(1).orThrow().exit(0);
        assertEquals(BasicExitReason.MONITOR_TRAP_FLAG, mtf.reason().basic(), batch.result(1).toString());
        assertEquals(ExitPrograms.NOPS.address(0), mtf.vmcs().guestRip());
        assertEquals(BasicExitReason.HLT, batch.result(1).exit(1).reason().basic(), "then the L2 runs to its HLT");
    }
}
