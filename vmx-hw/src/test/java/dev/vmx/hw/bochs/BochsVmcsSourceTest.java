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
}
