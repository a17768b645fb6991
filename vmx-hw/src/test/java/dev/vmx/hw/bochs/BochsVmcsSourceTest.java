package dev.vmx.hw.bochs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.exit.BasicExitReason;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import dev.vmx.vmcs.VmcsSource;
import dev.vmx.vmcs.VmcsSources;
import org.junit.jupiter.api.Test;

/** The VmcsSource named bochs: the whole VMCS, VMREAD after an exit. */
class BochsVmcsSourceTest {
    @Test
    void discoverableSourceReadsTheVmcsAfterACpuidExit() {
        BochsTesting.runner();
        VmcsSource source = VmcsSources.all().stream().filter(s -> s.name().equals("bochs")).findFirst().orElseThrow();
        assertTrue(source.isAvailable(), source.unavailableReason().toString());
        VmcsSnapshot vmcs = source.read();
        assertEquals(BasicExitReason.CPUID, vmcs.exitReason().basic());
        assertEquals(BochsGuest.CODE, vmcs.guestRip());
        assertEquals(2, vmcs.read(VmcsField.VM_EXIT_INSTRUCTION_LEN));
        assertEquals(BochsGuest.L2_PML4, vmcs.guestCr3());
        assertEquals(-1L, vmcs.read(VmcsField.VMCS_LINK_POINTER));
        // host state the hypervisor wrote, read back
        assertEquals(0x08, vmcs.read(VmcsField.HOST_CS_SELECTOR));
        // every field the CPU has: far more than the exit report
        assertTrue(vmcs.fields().size() > 100, vmcs.fields().size() + " fields");
    }

    @Test
    void aVmcsReadBackReplaysToTheSameExit() {
        BochsRunner runner = BochsTesting.runner();
        BochsCase original = BochsGuest.baseline(runner.capabilities(), "original").pokeBytes(BochsGuest.CODE, ExitPrograms.CPUID.bytes())
                .build();
        VmcsSnapshot after = BochsVmcsSource.of(runner, original).read();
        // the VMCS after the exit, written back whole over the baseline (writeAll skips the read-only exit
        // fields), with RIP put back at the CPUID: the same exit again. Each batch is a fresh boot, so the
        // baseline's memory (page tables, code) is written again too.
        BochsCase replay = BochsGuest.baseline(runner.capabilities(), "replay").pokeBytes(BochsGuest.CODE, ExitPrograms.CPUID.bytes())
                .writeAll(after).write(VmcsField.GUEST_RIP, BochsGuest.CODE).build();
        assertTrue(replay.problems().isEmpty(), replay.problems().toString());
        assertTrue(replay.written(VmcsField.VM_EXIT_REASON).isEmpty(), "read-only fields are not written");
        BochsCaseResult again = runner.run(java.util.List.of(replay)).result(0);
        assertEquals(BasicExitReason.CPUID, again.orThrow().exit(0).reason().basic(), again.toString());
        assertEquals(BochsGuest.CODE, again.exit(0).vmcs().guestRip());
    }
}
