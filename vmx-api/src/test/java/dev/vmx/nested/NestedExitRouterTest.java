package dev.vmx.nested;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.SourceTable;
import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.event.ExceptionVector;
import dev.vmx.event.InterruptionInfo;
import dev.vmx.event.InterruptionType;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NestedExitRouterTest {
    private static final L0Intercepts NOTHING = L0Intercepts.of(Set.of(), false, false);
    private static final long IO_A = 0x10000;
    private static final long IO_B = 0x11000;
    private static final long MSR = 0x12000;
    private static final long USE_IO = PrimaryProcessorBasedControl.USE_IO_BITMAPS.mask();
    private static final long USE_MSR = PrimaryProcessorBasedControl.USE_MSR_BITMAPS.mask();

    private static ExitReason reason(BasicExitReason basic) {
        return ExitReason.of(basic.number());
    }

    private static VmcsSnapshot controls(long pin, long primary, long secondary) {
        return VmcsSnapshot.builder()
                .put(VmcsField.PIN_BASED_VM_EXEC_CONTROL, pin)
                .put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, primary)
                .put(VmcsField.SECONDARY_VM_EXEC_CONTROL, secondary)
                .put(VmcsField.IO_BITMAP_A, IO_A)
                .put(VmcsField.IO_BITMAP_B, IO_B)
                .put(VmcsField.MSR_BITMAP, MSR)
                .put(VmcsField.EXCEPTION_BITMAP, 0)
                .put(VmcsField.PAGE_FAULT_ERROR_CODE_MASK, 0)
                .put(VmcsField.PAGE_FAULT_ERROR_CODE_MATCH, 0)
                .build();
    }

    private static InMemoryGuestMemory.Builder bitmaps() {
        return InMemoryGuestMemory.builder().zeroed(IO_A, 0x3000);
    }

    /** KVM 6.1 nested_vmx_l1_wants_exit() cross-check, per exit reason and control setting. */
    @Test
    void agreesWithKvm61L1WantsExit() {
        List<String[]> rows = SourceTable.rows(NestedExitRouterTest.class, "kvm61-l1-wants.txt", false);
        GuestMemory memory = bitmaps().build();
        for (String[] row : rows) {
            BasicExitReason basic = BasicExitReason.valueOf(row[0]);
            VmcsSnapshot vmcs = controls(Long.parseLong(row[1], 16), Long.parseLong(row[2], 16),
                    Long.parseLong(row[3], 16));
            NestedExit exit = basic == BasicExitReason.MSR_READ || basic == BasicExitReason.MSR_WRITE
                    ? NestedExit.msr(reason(basic), 0x10) : NestedExit.of(reason(basic), 0);
            RoutingDecision decision = ExitRouter.route(exit, vmcs, memory, NOTHING);
            assertEquals(Route.valueOf(row[4]), decision.route(), String.join(" ", row) + " -> " + decision);
        }
    }

    @Test
    void failedEntryIsVmFail() {
        RoutingDecision d = ExitRouter.route(NestedExit.of(ExitReason.of(0x8000_0021), 0), controls(0, 0, 0),
                bitmaps().build(), NOTHING);
        assertEquals(Route.VM_FAIL, d.route());
        assertTrue(d.toString().contains("bit 31"), d.toString());
    }

    @Test
    void unknownReasonStaysWithL0AndSaysSo() {
        RoutingDecision d = ExitRouter.route(NestedExit.of(ExitReason.of(0xFFF0), 0), controls(0, 0, 0),
                bitmaps().build(), NOTHING);
        assertEquals(Route.L0_WANTS, d.route());
        assertTrue(d.rule().contains("not defined by the SDM"), d.rule());
    }

    private static long ioQual(int port, int sizeBytes, boolean in) {
        return ((long) port << 16) | (sizeBytes - 1) | (in ? 8 : 0);
    }

    private static Route io(GuestMemory memory, int port, int size) {
        return ExitRouter.route(NestedExit.of(reason(BasicExitReason.IO_INSTRUCTION), ioQual(port, size, false)),
                controls(0, USE_IO, 0), memory, NOTHING).route();
    }

    @Test
    void ioBitmapsAAndBBoundaryAndWrap() {
        GuestMemory port7fff = bitmaps().setBit(IO_A, 0x7FFF).build();
        assertEquals(Route.L1_WANTS, io(port7fff, 0x7FFF, 1));
        assertEquals(Route.L0_WANTS, io(port7fff, 0x8000, 1));
        GuestMemory port8000 = bitmaps().setBit(IO_B, 0).build();
        assertEquals(Route.L1_WANTS, io(port8000, 0x8000, 1));
        assertEquals(Route.L0_WANTS, io(port8000, 0x7FFF, 1));
        // 4-byte access at 0x7FFE covers 0x7FFE..0x8001: spans A and B; the bit in B decides
        assertEquals(Route.L1_WANTS, io(port8000, 0x7FFE, 4));
        assertEquals(Route.L0_WANTS, io(port8000, 0x7FFC, 4));
        // 2-byte access at 0xFFFF wraps: exits even with all bits clear
        GuestMemory empty = bitmaps().build();
        assertEquals(Route.L1_WANTS, io(empty, 0xFFFF, 2));
        assertEquals(Route.L0_WANTS, io(empty, 0xFFFF, 1));
    }

    @Test
    void ioDecisionNamesBitmapAndBit() {
        RoutingDecision d = ExitRouter.route(NestedExit.of(reason(BasicExitReason.IO_INSTRUCTION),
                ioQual(0x3F8, 1, false)), controls(0, USE_IO, 0), bitmaps().setBit(IO_A, 0x3F8).build(), NOTHING);
        assertEquals(Route.L1_WANTS, d.route());
        assertEquals(PrimaryProcessorBasedControl.USE_IO_BITMAPS, d.control().orElseThrow());
        assertTrue(d.rule().contains("IO_BITMAP_A bit 1016"), d.rule());
    }

    private static Route msr(GuestMemory memory, boolean write, long index) {
        BasicExitReason basic = write ? BasicExitReason.MSR_WRITE : BasicExitReason.MSR_READ;
        return ExitRouter.route(NestedExit.msr(reason(basic), index), controls(0, USE_MSR, 0), memory, NOTHING)
                .route();
    }

    @Test
    void msrBitmapQuartersAndRanges() {
        // SDM: read-low at +0, read-high at +1024, write-low at +2048, write-high at +3072 bytes
        GuestMemory m = bitmaps().setBit(MSR, 0x1FFF).setBit(MSR + 1024, 0).setBit(MSR + 2048, 0x10)
                .setBit(MSR + 3072, 0x80).build();
        assertEquals(Route.L1_WANTS, msr(m, false, 0x1FFF));
        assertEquals(Route.L0_WANTS, msr(m, true, 0x1FFF));
        assertEquals(Route.L1_WANTS, msr(m, false, 0x2000)); // outside both ranges: always exits
        assertEquals(Route.L1_WANTS, msr(m, false, 0xC000_0000L));
        assertEquals(Route.L0_WANTS, msr(m, true, 0xC000_0000L));
        assertEquals(Route.L1_WANTS, msr(m, true, 0x10));
        assertEquals(Route.L0_WANTS, msr(m, false, 0x10));
        assertEquals(Route.L1_WANTS, msr(m, true, 0xC000_0080L));
        assertEquals(Route.L1_WANTS, msr(m, false, 0xC000_2000L));
        // bits 63:32 of RCX are ignored
        assertEquals(Route.L1_WANTS, msr(m, false, 0xFFFF_FFFF_0000_1FFFL));
    }

    private static Route pf(int errorCode, long bitmap, long mask, long match) {
        VmcsSnapshot vmcs = controls(0, 0, 0).toBuilder().put(VmcsField.EXCEPTION_BITMAP, bitmap)
                .put(VmcsField.PAGE_FAULT_ERROR_CODE_MASK, mask).put(VmcsField.PAGE_FAULT_ERROR_CODE_MATCH, match)
                .build();
        int info = InterruptionInfo.valid(14, InterruptionType.HARDWARE_EXCEPTION, true).raw();
        return ExitRouter.route(NestedExit.exception(reason(BasicExitReason.EXCEPTION_NMI), 0x1000, info, errorCode),
                vmcs, bitmaps().build(), NOTHING).route();
    }

    @Test
    void pageFaultMaskMatch() {
        // bit 14 set: exits when (PFEC & mask) == match
        assertEquals(Route.L1_WANTS, pf(0x2, 1 << 14, 0x2, 0x2));
        assertEquals(Route.L0_WANTS, pf(0x0, 1 << 14, 0x2, 0x2));
        // bit 14 clear: exits when they do not match
        assertEquals(Route.L1_WANTS, pf(0x0, 0, 0x2, 0x2));
        assertEquals(Route.L0_WANTS, pf(0x2, 0, 0x2, 0x2));
        // mask = match = 0 always matches: bit 14 alone decides
        assertEquals(Route.L1_WANTS, pf(0x7, 1 << 14, 0, 0));
        assertEquals(Route.L0_WANTS, pf(0x7, 0, 0, 0));
    }

    @Test
    void exceptionBitmapAndL0Exceptions() {
        int ud = InterruptionInfo.valid(6, InterruptionType.HARDWARE_EXCEPTION, false).raw();
        NestedExit exit = NestedExit.exception(reason(BasicExitReason.EXCEPTION_NMI), 0, ud, 0);
        VmcsSnapshot set = controls(0, 0, 0).toBuilder().put(VmcsField.EXCEPTION_BITMAP, 1 << 6).build();
        assertEquals(Route.L1_WANTS, ExitRouter.route(exit, set, bitmaps().build(), NOTHING).route());
        assertEquals(Route.L0_WANTS, ExitRouter.route(exit, controls(0, 0, 0), bitmaps().build(), NOTHING).route());
        L0Intercepts l0Ud = L0Intercepts.of(EnumSet.of(ExceptionVector.UD), false, false);
        assertEquals(Route.L0_WANTS, ExitRouter.route(exit, set, bitmaps().build(), l0Ud).route());
    }

    @Test
    void l0InterceptsComeFirst() {
        NestedExit ept = NestedExit.of(reason(BasicExitReason.EPT_VIOLATION), 0);
        assertEquals(Route.L0_WANTS, ExitRouter.route(ept, controls(0, 0, 0), bitmaps().build(),
                L0Intercepts.kvmDefault()).route());
        NestedExit intr = NestedExit.of(reason(BasicExitReason.EXTERNAL_INTERRUPT), 0);
        assertEquals(Route.L0_WANTS, ExitRouter.route(intr, controls(1, 0, 0), bitmaps().build(),
                L0Intercepts.kvmDefault()).route());
        assertEquals(Route.L1_WANTS, ExitRouter.route(intr, controls(1, 0, 0), bitmaps().build(), NOTHING).route());
    }

    @Test
    void missingFieldOrPageIsNamed() {
        VmcsSnapshot noControls = VmcsSnapshot.builder().put(VmcsField.EXCEPTION_BITMAP, 0).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExitRouter.route(
                NestedExit.of(reason(BasicExitReason.HLT), 0), noControls, bitmaps().build(), NOTHING));
        assertTrue(e.getMessage().contains("CPU_BASED_VM_EXEC_CONTROL") && e.getMessage().contains("HLT"),
                e.getMessage());
        IllegalArgumentException page = assertThrows(IllegalArgumentException.class, () -> ExitRouter.route(
                NestedExit.of(reason(BasicExitReason.IO_INSTRUCTION), ioQual(0x60, 1, true)), controls(0, USE_IO, 0),
                InMemoryGuestMemory.builder().build(), NOTHING));
        assertTrue(page.getMessage().contains("IO_BITMAP_A"), page.getMessage());
        IllegalArgumentException rcx = assertThrows(IllegalArgumentException.class, () -> ExitRouter.route(
                NestedExit.of(reason(BasicExitReason.MSR_READ), 0), controls(0, USE_MSR, 0), bitmaps().build(),
                NOTHING));
        assertTrue(rcx.getMessage().contains("RCX"), rcx.getMessage());
    }
}
