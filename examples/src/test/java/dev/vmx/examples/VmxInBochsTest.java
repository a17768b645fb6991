package dev.vmx.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.hw.BackendStatus;
import dev.vmx.hw.NativeBackends;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** What VmxInBochs teaches, where Bochs is installed (TutorialsTest runs it everywhere). */
class VmxInBochsTest {
    @Test
    void explainsTheExitsOfAGuestOnTheEmulatedCpu() {
        BackendStatus bochs = NativeBackends.probe().stream().filter(s -> s.backend().equals(NativeBackends.BOCHS)).findFirst()
                .orElseThrow();
        if (!bochs.available()) {
            System.out.println("SKIPPED: " + bochs);
        }
        Assumptions.assumeTrue(bochs.available(), bochs::toString);
        String output = TutorialsTest.run(Tour.TUTORIALS.stream().filter(t -> t.type() == VmxInBochs.class).findFirst().orElseThrow());
        for (String line : new String[] {
            "CPU model corei7_skylake_x: VMCS revision 0x2b, IA32_VMX_PROCBASED_CTLS2 0x02177fff00000000",
            "  exit 0 at RIP 0x200000: IO_INSTRUCTION",
            "    qualification: OUT 1 byte to port 0x3f8 (dx)",
            "  exit 1 at RIP 0x200001: CPUID",
            "  exit 2 at RIP 0x200003: EXCEPTION_NMI",
            "error code 0x0",
            "The refused entry: ENTRY_INVALID_CONTROL_FIELD",
            "  Bochs says: VMFAIL: VMCS EXEC CTRL: VMX pin-based controls allowed 0-settings",
            "GUEST_CR3 0x100000, HOST_RIP 0x",
            "EXCEPTION_BITMAP 0x4000",
        }) {
            assertTrue(output.contains(line), "VmxInBochs should print: " + line);
        }
    }
}
