package dev.vmx.nested;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vmx.SourceTable;
import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import org.junit.jupiter.api.Test;

/** The I/O-bitmap cases of kvm-unit-tests' x86/vmx_tests.c iobmp_main(), as routing decisions. */
class NestedKvmUnitTestsTest {
    private static final long IO_A = 0x40000;
    private static final long IO_B = 0x41000;

    @Test
    void iobmpCases() {
        for (String[] row : SourceTable.rows(NestedKvmUnitTestsTest.class, "kvm-unit-tests-iobmp.txt", true)) {
            long primary = 0;
            for (String control : row[1].split(",")) {
                primary |= control.equals("IO") ? PrimaryProcessorBasedControl.USE_IO_BITMAPS.mask()
                        : PrimaryProcessorBasedControl.UNCONDITIONAL_IO_EXITING.mask();
            }
            GuestMemory.Builder memory = GuestMemory.builder().zeroPage(IO_A).zeroPage(IO_B);
            if (!row[2].equals("-")) {
                memory.setBit(row[2].startsWith("A") ? IO_A : IO_B, Long.parseLong(row[2].substring(2), 16));
            }
            VmcsSnapshot vmcs = VmcsSnapshot.builder()
                    .put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, primary)
                    .put(VmcsField.IO_BITMAP_A, IO_A)
                    .put(VmcsField.IO_BITMAP_B, IO_B)
                    .build();
            long qualification = (Long.parseLong(row[3], 16) << 16) | (Integer.parseInt(row[4]) - 1) | 8;
            RoutingDecision decision = ExitRouter.route(
                    NestedExit.of(ExitReason.of(BasicExitReason.IO_INSTRUCTION.number()), qualification), vmcs,
                    memory.build(), L0Intercepts.none());
            assertEquals(Route.valueOf(row[5]), decision.route(), row[0] + ": " + decision);
        }
    }
}
