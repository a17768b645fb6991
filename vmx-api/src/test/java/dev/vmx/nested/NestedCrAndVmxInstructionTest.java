package dev.vmx.nested;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.cap.SecondaryProcessorBasedControl;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * CR access (MOV to/from CR, CLTS, LMSW), VMREAD/VMWRITE with shadow-VMCS bitmaps and ENCLS,
 * after SDM Vol. 3C 25.1.3 "Instructions That Cause VM Exits Conditionally" and KVM 6.1
 * nested_vmx_exit_handled_cr()/_vmcs_access()/_encls().
 */
class NestedCrAndVmxInstructionTest {
    private static final L0Intercepts NOTHING = L0Intercepts.of(Set.of(), false, false);
    private static final GuestMemory MEMORY = InMemoryGuestMemory.builder().zeroed(0x20000, 0x2000)
            .setBit(0x20000, 0x681e).build();
    private static final long SECONDARY = PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS.mask();

    private static VmcsSnapshot.Builder vmcs(long primary, long secondary) {
        return VmcsSnapshot.builder()
                .put(VmcsField.PIN_BASED_VM_EXEC_CONTROL, 0)
                .put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, primary)
                .put(VmcsField.SECONDARY_VM_EXEC_CONTROL, secondary)
                .put(VmcsField.CR0_GUEST_HOST_MASK, 0)
                .put(VmcsField.CR0_READ_SHADOW, 0)
                .put(VmcsField.CR4_GUEST_HOST_MASK, 0)
                .put(VmcsField.CR4_READ_SHADOW, 0)
                .put(VmcsField.CR3_TARGET_COUNT, 0)
                .put(VmcsField.CR3_TARGET_VALUE0, 0)
                .put(VmcsField.CR3_TARGET_VALUE1, 0)
                .put(VmcsField.CR3_TARGET_VALUE2, 0)
                .put(VmcsField.CR3_TARGET_VALUE3, 0)
                .put(VmcsField.VMREAD_BITMAP, 0x20000)
                .put(VmcsField.VMWRITE_BITMAP, 0x21000)
                .put(VmcsField.ENCLS_EXITING_BITMAP, 0);
    }

    private static final ExitReason CR = ExitReason.of(BasicExitReason.CR_ACCESS.number());

    /** Qualification: bits 3:0 CR number, 5:4 access type, 11:8 register, 31:16 LMSW source. */
    private static long crQual(int cr, int type, int register, int lmswSource) {
        return cr | (type << 4) | (register << 8) | ((long) lmswSource << 16);
    }

    private static Route route(NestedExit exit, VmcsSnapshot vmcs) {
        return ExitRouter.route(exit, vmcs, MEMORY, NOTHING).route();
    }

    @Test
    void movToCr0AndCr4ComparedWithShadowUnderMask() {
        VmcsSnapshot v = vmcs(0, 0).put(VmcsField.CR0_GUEST_HOST_MASK, 0x8000_0001L)
                .put(VmcsField.CR0_READ_SHADOW, 0x8000_0001L).put(VmcsField.CR4_GUEST_HOST_MASK, 0x2000)
                .build();
        assertEquals(Route.L0_WANTS, route(NestedExit.withOperand(CR, crQual(0, 0, 0, 0), 0x8000_0033L), v));
        assertEquals(Route.L1_WANTS, route(NestedExit.withOperand(CR, crQual(0, 0, 0, 0), 0x0000_0033L), v));
        assertEquals(Route.L1_WANTS, route(NestedExit.withOperand(CR, crQual(4, 0, 0, 0), 0x2000), v));
        assertEquals(Route.L0_WANTS, route(NestedExit.withOperand(CR, crQual(4, 0, 0, 0), 0x20), v));
    }

    @Test
    void movToCr3HonoursCr3TargetValues() {
        long load = PrimaryProcessorBasedControl.CR3_LOAD_EXITING.mask();
        VmcsSnapshot v = vmcs(load, 0).put(VmcsField.CR3_TARGET_COUNT, 1).put(VmcsField.CR3_TARGET_VALUE0, 0x5000)
                .put(VmcsField.CR3_TARGET_VALUE1, 0x6000).build();
        assertEquals(Route.L0_WANTS, route(NestedExit.withOperand(CR, crQual(3, 0, 0, 0), 0x5000), v));
        // target 1 is beyond the count of 1, so it does not count
        assertEquals(Route.L1_WANTS, route(NestedExit.withOperand(CR, crQual(3, 0, 0, 0), 0x6000), v));
        assertEquals(Route.L0_WANTS, route(NestedExit.withOperand(CR, crQual(3, 0, 0, 0), 0x6000), vmcs(0, 0).build()));
    }

    @Test
    void movFromCr3AndCr8AndMovToCr8() {
        long store = PrimaryProcessorBasedControl.CR3_STORE_EXITING.mask();
        assertEquals(Route.L1_WANTS, route(NestedExit.of(CR, crQual(3, 1, 0, 0)), vmcs(store, 0).build()));
        assertEquals(Route.L0_WANTS, route(NestedExit.of(CR, crQual(8, 1, 0, 0)), vmcs(store, 0).build()));
        long cr8 = PrimaryProcessorBasedControl.CR8_LOAD_EXITING.mask();
        assertEquals(Route.L1_WANTS, route(NestedExit.of(CR, crQual(8, 0, 0, 0)), vmcs(cr8, 0).build()));
        assertEquals(Route.L0_WANTS, route(NestedExit.of(CR, crQual(8, 0, 0, 0)), vmcs(0, 0).build()));
    }

    @Test
    void cltsNeedsTsInMaskAndShadow() {
        VmcsSnapshot both = vmcs(0, 0).put(VmcsField.CR0_GUEST_HOST_MASK, 8).put(VmcsField.CR0_READ_SHADOW, 8).build();
        VmcsSnapshot maskOnly = vmcs(0, 0).put(VmcsField.CR0_GUEST_HOST_MASK, 8).build();
        assertEquals(Route.L1_WANTS, route(NestedExit.of(CR, crQual(0, 2, 0, 0)), both));
        assertEquals(Route.L0_WANTS, route(NestedExit.of(CR, crQual(0, 2, 0, 0)), maskOnly));
    }

    @Test
    void lmswCanSetButNotClearPe() {
        VmcsSnapshot pe = vmcs(0, 0).put(VmcsField.CR0_GUEST_HOST_MASK, 1).put(VmcsField.CR0_READ_SHADOW, 0).build();
        assertEquals(Route.L1_WANTS, route(NestedExit.of(CR, crQual(0, 3, 0, 1)), pe));
        VmcsSnapshot peShadowSet = vmcs(0, 0).put(VmcsField.CR0_GUEST_HOST_MASK, 1).put(VmcsField.CR0_READ_SHADOW, 1)
                .build();
        // LMSW with PE = 0 does not clear PE, so no exit even though it differs from the shadow
        assertEquals(Route.L0_WANTS, route(NestedExit.of(CR, crQual(0, 3, 0, 0)), peShadowSet));
        VmcsSnapshot ts = vmcs(0, 0).put(VmcsField.CR0_GUEST_HOST_MASK, 8).build();
        assertEquals(Route.L1_WANTS, route(NestedExit.of(CR, crQual(0, 3, 0, 8)), ts));
        assertEquals(Route.L0_WANTS, route(NestedExit.of(CR, crQual(0, 3, 0, 4)), ts));
    }

    @Test
    void vmreadVmwriteWithAndWithoutShadowing() {
        ExitReason vmread = ExitReason.of(BasicExitReason.VMREAD.number());
        ExitReason vmwrite = ExitReason.of(BasicExitReason.VMWRITE.number());
        VmcsSnapshot noShadow = vmcs(0, 0).build();
        assertEquals(Route.L1_WANTS, route(NestedExit.of(vmread, 0), noShadow));
        VmcsSnapshot shadow = vmcs(SECONDARY, SecondaryProcessorBasedControl.VMCS_SHADOWING.mask()).build();
        assertEquals(Route.L1_WANTS, route(NestedExit.withOperand(vmread, 0, 0x681e), shadow));
        assertEquals(Route.L0_WANTS, route(NestedExit.withOperand(vmwrite, 0, 0x681e), shadow));
        assertEquals(Route.L0_WANTS, route(NestedExit.withOperand(vmread, 0, 0x6820), shadow));
        assertEquals(Route.L1_WANTS, route(NestedExit.withOperand(vmread, 0, 0x8000), shadow));
    }

    @Test
    void enclsBitmapLeafAbove62UsesBit63() {
        ExitReason encls = ExitReason.of(BasicExitReason.ENCLS.number());
        long enable = SecondaryProcessorBasedControl.ENABLE_ENCLS_EXITING.mask();
        VmcsSnapshot v = vmcs(SECONDARY, enable).put(VmcsField.ENCLS_EXITING_BITMAP, (1L << 63) | 2).build();
        assertEquals(Route.L1_WANTS, route(NestedExit.withOperand(encls, 0, 1), v));
        assertEquals(Route.L0_WANTS, route(NestedExit.withOperand(encls, 0, 0), v));
        assertEquals(Route.L1_WANTS, route(NestedExit.withOperand(encls, 0, 100), v));
        assertEquals(Route.L0_WANTS, route(NestedExit.withOperand(encls, 0, 1), vmcs(SECONDARY, 0).build()));
    }

    @Test
    void missingOperandIsNamed() {
        VmcsSnapshot v = vmcs(0, 0).put(VmcsField.CR0_GUEST_HOST_MASK, 1).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> route(NestedExit.of(CR, crQual(0, 0, 0, 0)), v));
        assertTrue(e.getMessage().contains("CR0") && e.getMessage().contains("CR_ACCESS"), e.getMessage());
    }
}
