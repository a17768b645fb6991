package dev.vmx.examples;

import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.event.GeneralRegister;
import dev.vmx.event.InterruptionInfo;
import dev.vmx.event.InterruptionType;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import dev.vmx.nested.ExitRouter;
import dev.vmx.nested.GuestMemory;
import dev.vmx.nested.L0Intercepts;
import dev.vmx.nested.NestedExit;
import dev.vmx.nested.RoutingDecision;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;

/**
 * Tutorial: nested virtualization. A hypervisor (L1) runs inside a VM of the real hypervisor (L0)
 * and starts its own guest (L2). The CPU knows only L0, so every exit of L2 lands in L0 first, and
 * L0 must decide: handle it itself, or hand it to L1 as if L1's own VMCS had caused it. This is the
 * decision KVM makes in {@code nested_vmx_reflect_vmexit()}.
 *
 * <p>Run: {@code ./mvnw -q -pl examples exec:java -Dexec.mainClass=dev.vmx.examples.WhoHandlesThisExit}
 */
public final class WhoHandlesThisExit {
    // Where L1 keeps its bitmaps, in its own (guest-physical) memory.
    private static final long IO_BITMAP_A = 0x7000_0000L;
    private static final long IO_BITMAP_B = 0x7000_1000L;
    private static final long MSR_BITMAP = 0x7000_2000L;

    private WhoHandlesThisExit() {
    }

    /**
     * Routes a handful of L2 exits.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        // 1. L1's VMCS for L2 ("vmcs12"): what L1 asked the CPU to intercept. This L1 emulates a
        //    serial port (so it wants port 0x3f8), watches writes to IA32_EFER (MSR 0xc0000080),
        //    wants HLT, and wants #PF only for protection faults (error code bit 0 = 1).
        long primary = PrimaryProcessorBasedControl.USE_IO_BITMAPS.mask() | PrimaryProcessorBasedControl.USE_MSR_BITMAPS.mask()
                | PrimaryProcessorBasedControl.HLT_EXITING.mask();
        VmcsSnapshot vmcs12 = VmcsSnapshot.builder()
                .put(VmcsField.PIN_BASED_VM_EXEC_CONTROL, 0)
                .put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, primary)
                .put(VmcsField.IO_BITMAP_A, IO_BITMAP_A).put(VmcsField.IO_BITMAP_B, IO_BITMAP_B)
                .put(VmcsField.MSR_BITMAP, MSR_BITMAP)
                .put(VmcsField.EXCEPTION_BITMAP, 1L << 14)
                .put(VmcsField.PAGE_FAULT_ERROR_CODE_MASK, 1).put(VmcsField.PAGE_FAULT_ERROR_CODE_MATCH, 1)
                .build();

        // 2. The bitmaps themselves live in L1's memory: one bit per port, one bit per MSR.
        //    The MSR bitmap page has four quarters: read-low, read-high, write-low, write-high.
        GuestMemory l1Memory = GuestMemory.builder()
                .zeroPage(IO_BITMAP_A).zeroPage(IO_BITMAP_B).zeroPage(MSR_BITMAP)
                .setBit(IO_BITMAP_A, 0x3f8)
                .setBit(MSR_BITMAP + 3072, 0x80) // write-high quarter, bit 0x80: MSR 0xc0000080
                .build();

        // 3. L0's own policy: KVM always keeps NMIs, external interrupts, EPT exits and a few more.
        L0Intercepts kvm = L0Intercepts.kvm();

        // 4. Exits of L2, as L0 sees them in the hardware VMCS.
        NestedExit[] exits = {
            // OUT to the serial port: bit 0x3f8 of I/O bitmap A is 1.
            NestedExit.of(ExitReason.of(BasicExitReason.IO_INSTRUCTION), 0x3f8L << 16),
            // OUT to port 0x80 (POST codes): L1 did not ask, so L0 emulates it without bothering L1.
            NestedExit.of(ExitReason.of(BasicExitReason.IO_INSTRUCTION), 0x80L << 16),
            // WRMSR IA32_EFER: the MSR index is in RCX, which is not in the VMCS.
            NestedExit.builder(ExitReason.of(BasicExitReason.MSR_WRITE)).register(GeneralRegister.RCX, 0xc0000080L).build(),
            // RDMSR IA32_EFER: L1 only watches writes.
            NestedExit.builder(ExitReason.of(BasicExitReason.MSR_READ)).register(GeneralRegister.RCX, 0xc0000080L).build(),
            // A not-present page fault (error code 0x6): mask 1 / match 1 means L1 only wants protection faults.
            NestedExit.builder(ExitReason.of(BasicExitReason.EXCEPTION_NMI))
                    .interruptionInfo(InterruptionInfo.valid(14, InterruptionType.HARDWARE_EXCEPTION, true).raw())
                    .interruptionErrorCode(0x6).build(),
            // L2 runs VMXON: VMX instructions always exit, and they are L1's to emulate.
            NestedExit.of(ExitReason.of(BasicExitReason.VMON), 0),
            // An external interrupt: the host's, so L0 keeps it.
            NestedExit.of(ExitReason.of(BasicExitReason.EXTERNAL_INTERRUPT), 0),
            // HLT: L1 set HLT exiting.
            NestedExit.of(ExitReason.of(BasicExitReason.HLT), 0),
        };
        for (NestedExit exit : exits) {
            RoutingDecision decision = ExitRouter.route(exit, vmcs12, l1Memory, kvm);
            System.out.printf("%-16s -> %s%n", exit.reason(), decision.route());
            System.out.println("    " + decision.reason());
            decision.section().ifPresent(section -> System.out.println("    per " + section));
        }
    }
}
