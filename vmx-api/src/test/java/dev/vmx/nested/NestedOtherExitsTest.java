package dev.vmx.nested;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vmx.SourceTable;
import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.cap.SecondaryProcessorBasedControl;
import dev.vmx.event.InterruptionInfo;
import dev.vmx.event.InterruptionType;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** L0's own intercepts (KVM 6.1 table) and the exits governed by secondary controls and small bitmaps. */
class NestedOtherExitsTest {
    private static final L0Intercepts NOTHING = L0Intercepts.of(Set.of(), false, false);
    private static final GuestMemory MEMORY = InMemoryGuestMemory.builder().build();
    private static final long SECONDARY = PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS.mask();

    /** Every control and bitmap set: L1 would want everything, so only L0's own intercepts can keep an exit. */
    private static VmcsSnapshot everything() {
        return VmcsSnapshot.builder()
                .put(VmcsField.PIN_BASED_VM_EXEC_CONTROL, 0xFFFF_FFFFL)
                .put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, 0xFFFF_FFFFL & ~PrimaryProcessorBasedControl.USE_IO_BITMAPS.mask()
                        & ~PrimaryProcessorBasedControl.USE_MSR_BITMAPS.mask())
                .put(VmcsField.SECONDARY_VM_EXEC_CONTROL, 0xFFFF_FFFFL)
                .put(VmcsField.EXCEPTION_BITMAP, 0xFFFF_FFFFL)
                .put(VmcsField.PAGE_FAULT_ERROR_CODE_MASK, 0)
                .put(VmcsField.PAGE_FAULT_ERROR_CODE_MATCH, 0)
                .put(VmcsField.VM_FUNCTION_CONTROL, 0)
                .build();
    }

    private static VmcsSnapshot secondary(long bits) {
        return VmcsSnapshot.builder()
                .put(VmcsField.PIN_BASED_VM_EXEC_CONTROL, 0)
                .put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, SECONDARY)
                .put(VmcsField.SECONDARY_VM_EXEC_CONTROL, bits)
                .put(VmcsField.XSS_EXIT_BITMAP, 0x100)
                .put(VmcsField.VM_FUNCTION_CONTROL, 1)
                .build();
    }

    @Test
    void kvm61L0WantsTheseWhateverL1Says() {
        for (String[] row : SourceTable.rows(NestedOtherExitsTest.class, "kvm61-l0-wants.txt", false)) {
            BasicExitReason basic = BasicExitReason.valueOf(row[0]);
            ExitReason reason = ExitReason.of(basic.number());
            NestedExit exit = row[1].equals("-") ? NestedExit.withOperand(reason, 0, 0)
                    : NestedExit.exception(reason, 0,
                            InterruptionInfo.valid(Integer.parseInt(row[1]), InterruptionType.NMI, false).raw(), 0);
            assertEquals(Route.L0_WANTS, ExitRouter.route(exit, everything(), MEMORY, L0Intercepts.kvm61()).route(),
                    String.join(" ", row));
            // without L0's intercepts the same exit goes to L1, so the table rows are not vacuous
            assertEquals(Route.L1_WANTS, ExitRouter.route(exit, everything(), MEMORY, NOTHING).route(),
                    String.join(" ", row) + " without L0 intercepts");
        }
    }

    private static Route route(BasicExitReason basic, long operand, VmcsSnapshot vmcs) {
        return ExitRouter.route(NestedExit.withOperand(ExitReason.of(basic.number()), 0, operand), vmcs, MEMORY,
                NOTHING).route();
    }

    @Test
    void secondaryControlExits() {
        Object[][] cases = {
            {BasicExitReason.PML_FULL, SecondaryProcessorBasedControl.ENABLE_PML},
            {BasicExitReason.BUS_LOCK, SecondaryProcessorBasedControl.ENABLE_VMM_BUS_LOCK_DETECTION},
            {BasicExitReason.NOTIFY, SecondaryProcessorBasedControl.ENABLE_INSTRUCTION_TIMEOUT_EXIT},
            {BasicExitReason.SPP_EVENT, SecondaryProcessorBasedControl.SUB_PAGE_WRITE_PERMISSIONS_FOR_EPT},
            {BasicExitReason.EPT_VIOLATION, SecondaryProcessorBasedControl.ENABLE_EPT},
        };
        for (Object[] c : cases) {
            BasicExitReason basic = (BasicExitReason) c[0];
            long bit = ((SecondaryProcessorBasedControl) c[1]).mask();
            assertEquals(Route.L1_WANTS, route(basic, 0, secondary(bit)), basic.name());
            assertEquals(Route.L0_WANTS, route(basic, 0, secondary(0)), basic.name());
        }
    }

    @Test
    void xsavesUsesXssExitingBitmap() {
        VmcsSnapshot on = secondary(SecondaryProcessorBasedControl.ENABLE_XSAVES.mask());
        assertEquals(Route.L1_WANTS, route(BasicExitReason.XSAVES, 0x100, on));
        assertEquals(Route.L0_WANTS, route(BasicExitReason.XRSTORS, 0x80, on));
        assertEquals(Route.L0_WANTS, route(BasicExitReason.XSAVES, 0x100, secondary(0)));
    }

    @Test
    void vmfuncExitsForFunctionsL1DidNotEnable() {
        VmcsSnapshot on = secondary(SecondaryProcessorBasedControl.ENABLE_VM_FUNCTIONS.mask());
        assertEquals(Route.L1_WANTS, route(BasicExitReason.VMFUNC, 1, on));
        assertEquals(Route.L0_WANTS, route(BasicExitReason.VMFUNC, 0, on));
        assertEquals(Route.L1_WANTS, route(BasicExitReason.VMFUNC, 200, on));
    }

    @Test
    void l0ExitReasonsAdded() {
        L0Intercepts hlt = NOTHING.withExitReasons(EnumSet.of(BasicExitReason.HLT));
        NestedExit exit = NestedExit.of(ExitReason.of(BasicExitReason.HLT.number()), 0);
        assertEquals(Route.L0_WANTS, ExitRouter.route(exit, everything(), MEMORY, hlt).route());
        assertEquals(Route.L1_WANTS, ExitRouter.route(exit, everything(), MEMORY, NOTHING).route());
    }

    @Test
    void everyBasicReasonGetsADecisionWithAReason() {
        VmcsSnapshot full = VmcsSnapshot.builder().putAll(everything())
                .put(VmcsField.TERTIARY_VM_EXEC_CONTROL, 1)
                .put(VmcsField.CR0_GUEST_HOST_MASK, 0).put(VmcsField.CR0_READ_SHADOW, 0)
                .put(VmcsField.CR4_GUEST_HOST_MASK, 0).put(VmcsField.CR4_READ_SHADOW, 0)
                .put(VmcsField.CR3_TARGET_COUNT, 0)
                .put(VmcsField.VMREAD_BITMAP, 0).put(VmcsField.VMWRITE_BITMAP, 0)
                .put(VmcsField.XSS_EXIT_BITMAP, 0).put(VmcsField.ENCLS_EXITING_BITMAP, 0)
                .put(VmcsField.ENCLV_EXITING_BITMAP, 0).put(VmcsField.PCONFIG_EXITING_BITMAP, 0)
                .build();
        GuestMemory zeroPage = InMemoryGuestMemory.builder().zeroed(0, 0x1000).build();
        for (BasicExitReason basic : BasicExitReason.values()) {
            NestedExit exit = NestedExit.withOperand(ExitReason.of(basic == BasicExitReason.UNRECOGNIZED ? 0xFFFF
                    : basic.number()), 0, 0);
            RoutingDecision decision = ExitRouter.route(exit, full, zeroPage, NOTHING);
            org.junit.jupiter.api.Assertions.assertFalse(decision.rule().isEmpty(), basic.name());
            org.junit.jupiter.api.Assertions.assertTrue(decision.toString().contains("[SDM "), decision.toString());
        }
    }

    @Test
    void loadiwkeyNeedsTertiaryControls() {
        long tertiary = PrimaryProcessorBasedControl.ACTIVATE_TERTIARY_CONTROLS.mask();
        VmcsSnapshot on = VmcsSnapshot.builder().put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, tertiary)
                .put(VmcsField.TERTIARY_VM_EXEC_CONTROL, 1).build();
        VmcsSnapshot notActivated = VmcsSnapshot.builder().put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, 0)
                .put(VmcsField.TERTIARY_VM_EXEC_CONTROL, 1).build();
        assertEquals(Route.L1_WANTS, route(BasicExitReason.LOADIWKEY, 0, on));
        assertEquals(Route.L0_WANTS, route(BasicExitReason.LOADIWKEY, 0, notActivated));
    }

    @Test
    void pconfigBitmap() {
        VmcsSnapshot on = VmcsSnapshot.builder().putAll(secondary(SecondaryProcessorBasedControl.ENABLE_PCONFIG.mask()))
                .put(VmcsField.PCONFIG_EXITING_BITMAP, 1).build();
        assertEquals(Route.L1_WANTS, route(BasicExitReason.PCONFIG, 0, on));
        assertEquals(Route.L0_WANTS, route(BasicExitReason.PCONFIG, 1, on));
    }
}
