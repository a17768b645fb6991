package dev.vmx.examples;

import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.event.InterruptionInfo;
import dev.vmx.event.InterruptionType;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import dev.vmx.nested.ExitRouter;
import dev.vmx.nested.InMemoryGuestMemory;
import dev.vmx.nested.L0Intercepts;
import dev.vmx.nested.NestedExit;
import dev.vmx.nested.RoutingDecision;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;

/**
 * Nested virtualization: L0 (e.g. KVM on the host) runs L1 (a guest hypervisor) which runs L2.
 * The CPU knows only one VMCS at a time, so every exit of L2 lands in L0 first, and L0 must
 * decide: is it an exit L1 asked for in the VMCS it wrote for L2 ("vmcs12"), or one L0 keeps?
 * This tutorial builds a vmcs12 with an I/O bitmap and an MSR bitmap and routes a few exits.
 */
public final class WhoHandlesThisExit {
    private WhoHandlesThisExit() {
    }

    /**
     * Routes five L2 exits and prints who handles each and why.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        // Where L1 put its bitmaps, in its own guest-physical memory.
        long ioBitmapA = 0x10000, ioBitmapB = 0x11000, msrBitmap = 0x12000;
        // L1 wants: the serial port 0x3f8 (bit 0x3f8 of I/O bitmap A), and RDMSR of IA32_TSC_AUX
        // 0xC0000103 (read-high quarter, which starts 1024 bytes into the MSR bitmap).
        InMemoryGuestMemory l1Memory = InMemoryGuestMemory.builder()
                .zeroed(ioBitmapA, 0x3000)
                .setBit(ioBitmapA, 0x3f8)
                .setBit(msrBitmap + 1024, 0x103)
                .build();
        // L1's VMCS for L2: use I/O and MSR bitmaps; intercept #PF only for writes (error-code
        // bit 1): exception-bitmap bit 14 = 1, PFEC mask = match = 0x2.
        VmcsSnapshot vmcs12 = VmcsSnapshot.builder()
                .put(VmcsField.PIN_BASED_VM_EXEC_CONTROL, 0)
                .put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, PrimaryProcessorBasedControl.USE_IO_BITMAPS.mask()
                        | PrimaryProcessorBasedControl.USE_MSR_BITMAPS.mask())
                .put(VmcsField.SECONDARY_VM_EXEC_CONTROL, 0)
                .put(VmcsField.IO_BITMAP_A, ioBitmapA)
                .put(VmcsField.IO_BITMAP_B, ioBitmapB)
                .put(VmcsField.MSR_BITMAP, msrBitmap)
                .put(VmcsField.EXCEPTION_BITMAP, 1 << 14)
                .put(VmcsField.PAGE_FAULT_ERROR_CODE_MASK, 0x2)
                .put(VmcsField.PAGE_FAULT_ERROR_CODE_MATCH, 0x2)
                .build();
        // What L0 keeps for itself whatever L1 says (KVM: #MC, external interrupts, its own EPT).
        L0Intercepts l0 = L0Intercepts.kvmDefault();

        // OUT to port 0x3f8, 1 byte: qualification bits 31:16 = port, 2:0 = size - 1, bit 3 = IN.
        show("OUT 0x3f8", NestedExit.of(io(), 0x3f8L << 16), vmcs12, l1Memory, l0);
        show("OUT 0x80", NestedExit.of(io(), 0x80L << 16), vmcs12, l1Memory, l0);
        // RDMSR: the MSR index is in the guest's ECX, which is not in the VMCS, so we pass it.
        show("RDMSR 0xc0000103", NestedExit.msr(ExitReason.of(BasicExitReason.MSR_READ.number()), 0xC000_0103L),
                vmcs12, l1Memory, l0);
        // #PF on a read (error code 0x0) and on a write (0x2).
        int pf = InterruptionInfo.valid(14, InterruptionType.HARDWARE_EXCEPTION, true).raw();
        ExitReason exception = ExitReason.of(BasicExitReason.EXCEPTION_NMI.number());
        show("#PF read", NestedExit.exception(exception, 0x7000, pf, 0x0), vmcs12, l1Memory, l0);
        show("#PF write", NestedExit.exception(exception, 0x7000, pf, 0x2), vmcs12, l1Memory, l0);
        // A VMX instruction in L2: L1 emulates it (that is what makes L3 possible).
        show("VMPTRLD", NestedExit.of(ExitReason.of(BasicExitReason.VMPTRLD.number()), 0), vmcs12, l1Memory, l0);
    }

    private static ExitReason io() {
        return ExitReason.of(BasicExitReason.IO_INSTRUCTION.number());
    }

    private static void show(String what, NestedExit exit, VmcsSnapshot vmcs12, InMemoryGuestMemory memory,
            L0Intercepts l0) {
        RoutingDecision decision = ExitRouter.route(exit, vmcs12, memory, l0);
        System.out.printf("%-17s -> %s%n", what, decision);
    }
}
