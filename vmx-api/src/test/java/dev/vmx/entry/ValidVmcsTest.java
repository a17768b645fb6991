package dev.vmx.entry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.cap.ControlField;
import dev.vmx.cap.EntryControl;
import dev.vmx.cap.PrimaryExitControl;
import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.cap.SampleCapabilities;
import dev.vmx.cap.SecondaryProcessorBasedControl;
import dev.vmx.cap.VmxCapabilities;
import dev.vmx.cap.VmxMsr;
import dev.vmx.entry.ValidVmcs.GuestKind;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * {@link ValidVmcs} on two real capability sets (Bochs 2.7 corei7_skylake_x and a Core i7-5600U): every
 * kind of guest passes every entry check with nothing left unjudged, has the mode its kind names, and
 * uses only controls the capabilities allow; a processor that cannot run a kind is named.
 */
class ValidVmcsTest {
    static Stream<Arguments> cases() {
        return Stream.of(GuestKind.values()).flatMap(kind -> Stream.of(
                Arguments.of(kind, "bochs-skylake-x", SampleCapabilities.bochsSkylakeX()),
                Arguments.of(kind, "core-i7-5600u", SampleCapabilities.coreI7_5600u())));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void passesEveryCheckWithNothingUnjudged(GuestKind kind, String cpu, VmxCapabilities caps) {
        VmcsSnapshot vmcs = ValidVmcs.forGuest(kind, caps);
        EntryCheckReport report = EntryChecker.create().withCapabilities(caps).check(vmcs);
        assertEquals(0, report.failures().size(), report::toString);
        assertEquals(0, report.notJudged().size(), () -> report.notJudged().toString());
        assertEquals("VM entry passes every check", report.verdict());
        assertTrue(report.failedPhase().isEmpty());
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void hasTheModeItsKindNames(GuestKind kind, String cpu, VmxCapabilities caps) {
        VmcsSnapshot vmcs = ValidVmcs.forGuest(kind, caps);
        long cr0 = vmcs.read(VmcsField.GUEST_CR0);
        long entry = vmcs.read(VmcsField.VM_ENTRY_CONTROLS);
        boolean ia32e = (entry & EntryControl.IA32E_MODE_GUEST.mask()) != 0;
        long csAr = vmcs.read(VmcsField.GUEST_CS_AR_BYTES);
        switch (kind) {
            case IA32E_64BIT:
                assertTrue(ia32e);
                assertEquals(0x8000_0001L, cr0 & 0x8000_0001L, "PG and PE");
                assertEquals(0x20, vmcs.read(VmcsField.GUEST_CR4) & 0x20, "PAE");
                assertEquals(1 << 13, csAr & (3 << 13), "CS.L 1, CS.D 0");
                break;
            case PROTECTED_32BIT:
                assertFalse(ia32e);
                assertEquals(0x8000_0001L, cr0 & 0x8000_0001L, "PG and PE");
                assertEquals(0, vmcs.read(VmcsField.GUEST_CR4) & 0x20, "no PAE: no PDPTEs to load");
                assertEquals(1 << 14, csAr & (3 << 13), "CS.D 1, CS.L 0");
                break;
            case REAL_MODE_UNRESTRICTED:
                assertFalse(ia32e);
                assertEquals(0, cr0 & 0x8000_0001L, "PG and PE 0");
                long secondary = vmcs.read(VmcsField.SECONDARY_VM_EXEC_CONTROL);
                assertTrue((secondary & SecondaryProcessorBasedControl.UNRESTRICTED_GUEST.mask()) != 0);
                assertTrue((secondary & SecondaryProcessorBasedControl.ENABLE_EPT.mask()) != 0);
                assertEquals(0x40000 | (3 << 3) | 6, vmcs.read(VmcsField.EPT_POINTER), "WB, 4-level walk, default root");
                assertEquals(0xFFFF, vmcs.read(VmcsField.GUEST_CS_LIMIT));
                break;
            default:
                throw new AssertionError(kind);
        }
        assertTrue((vmcs.read(VmcsField.VM_EXIT_CONTROLS) & PrimaryExitControl.HOST_ADDRESS_SPACE_SIZE.mask()) != 0, "64-bit host by default");
        assertEquals(-1L, vmcs.read(VmcsField.VMCS_LINK_POINTER));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void controlsAreTheMinimumTheCapabilitiesAllow(GuestKind kind, String cpu, VmxCapabilities caps) {
        VmcsSnapshot vmcs = ValidVmcs.forGuest(kind, caps);
        // the pin-based controls ask for nothing: exactly the bits allowed-0 forces
        assertEquals(caps.allowed(ControlField.PIN_BASED).allowed0(), vmcs.read(VmcsField.PIN_BASED_VM_EXEC_CONTROL));
        for (Map.Entry<ControlField, VmcsField> control : Map.of(ControlField.PIN_BASED, VmcsField.PIN_BASED_VM_EXEC_CONTROL,
                ControlField.PRIMARY_PROCESSOR_BASED, VmcsField.CPU_BASED_VM_EXEC_CONTROL, ControlField.PRIMARY_EXIT,
                VmcsField.VM_EXIT_CONTROLS, ControlField.ENTRY, VmcsField.VM_ENTRY_CONTROLS).entrySet()) {
            assertTrue(caps.check(control.getKey(), vmcs.read(control.getValue())).isEmpty(), control.getKey().toString());
        }
        boolean secondary = (vmcs.read(VmcsField.CPU_BASED_VM_EXEC_CONTROL) & PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS.mask()) != 0;
        assertEquals(kind == GuestKind.REAL_MODE_UNRESTRICTED, secondary, "secondary controls only where the guest kind needs them");
    }

    @Test
    void aProcessorWithoutUnrestrictedGuestCannotHaveARealModeGuest() {
        Map<Integer, Long> msrs = SampleCapabilities.bochsSkylakeXMsrs();
        msrs.put(VmxMsr.IA32_VMX_PROCBASED_CTLS2.index(), msrs.get(VmxMsr.IA32_VMX_PROCBASED_CTLS2.index())
                & ~(SecondaryProcessorBasedControl.UNRESTRICTED_GUEST.mask() << 32));
        VmxCapabilities caps = VmxCapabilities.fromMsrs(msrs);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ValidVmcs.forGuest(GuestKind.REAL_MODE_UNRESTRICTED, caps));
        assertTrue(e.getMessage().contains("unrestricted guest") && e.getMessage().contains("IA32_VMX_PROCBASED_CTLS2")
                && e.getMessage().contains("0x80"), e.getMessage());
        // the other kinds still work
        assertTrue(EntryChecker.create().withCapabilities(caps).check(ValidVmcs.forGuest(GuestKind.PROTECTED_32BIT, caps)).failures().isEmpty());
    }

    @Test
    void aThirtyTwoBitHostCannotEnterASixtyFourBitGuest() {
        VmxCapabilities caps = SampleCapabilities.bochsSkylakeX();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ValidVmcs.builder(GuestKind.IA32E_64BIT, caps).hostLongMode(false).build());
        assertTrue(e.getMessage().contains("26.2.4"), e.getMessage());
        VmcsSnapshot vmcs = ValidVmcs.builder(GuestKind.PROTECTED_32BIT, caps).hostLongMode(false).hostEntry(0x1234, 0x8000).build();
        assertEquals(0, vmcs.read(VmcsField.VM_EXIT_CONTROLS) & PrimaryExitControl.HOST_ADDRESS_SPACE_SIZE.mask());
        assertEquals(0, vmcs.read(VmcsField.HOST_CR4) & 0x20, "no PAE needed");
        assertEquals(0x1234, vmcs.read(VmcsField.HOST_RIP));
        assertTrue(EntryChecker.create().withCapabilities(caps).check(vmcs).failures().isEmpty());
    }

    @Test
    void controlsAProcessorForcesGetTheFieldsTheyNeed() {
        // a processor that forces "use I/O bitmaps", "use TPR shadow" and (secondary) "enable VPID" to 1
        Map<Integer, Long> msrs = SampleCapabilities.bochsSkylakeXMsrs();
        int primary = VmxMsr.IA32_VMX_TRUE_PROCBASED_CTLS.index();
        msrs.put(primary, msrs.get(primary) | PrimaryProcessorBasedControl.USE_IO_BITMAPS.mask()
                | PrimaryProcessorBasedControl.USE_TPR_SHADOW.mask() | PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS.mask());
        int secondary = VmxMsr.IA32_VMX_PROCBASED_CTLS2.index();
        msrs.put(secondary, msrs.get(secondary) | SecondaryProcessorBasedControl.ENABLE_VPID.mask());
        VmxCapabilities caps = VmxCapabilities.fromMsrs(msrs);
        for (GuestKind kind : GuestKind.values()) {
            VmcsSnapshot vmcs = ValidVmcs.forGuest(kind, caps);
            EntryCheckReport report = EntryChecker.create().withCapabilities(caps).check(vmcs);
            assertTrue(report.failures().isEmpty() && report.notJudged().isEmpty(), report::toString);
            assertEquals(0, vmcs.read(VmcsField.IO_BITMAP_A) & 0xFFF);
            assertEquals(1, vmcs.read(VmcsField.VIRTUAL_PROCESSOR_ID));
            assertEquals(0, vmcs.read(VmcsField.TPR_THRESHOLD));
        }
    }

    @Test
    void fieldsBehindControlsTheProcessorLacksAreLeftOut() {
        // without "load IA32_PAT" (entry bit 14, exit bit 19) the PAT fields do not exist
        Map<Integer, Long> msrs = SampleCapabilities.bochsSkylakeXMsrs();
        for (VmxMsr msr : new VmxMsr[] {VmxMsr.IA32_VMX_ENTRY_CTLS, VmxMsr.IA32_VMX_TRUE_ENTRY_CTLS}) {
            msrs.put(msr.index(), msrs.get(msr.index()) & ~(EntryControl.LOAD_IA32_PAT.mask() << 32));
        }
        for (VmxMsr msr : new VmxMsr[] {VmxMsr.IA32_VMX_EXIT_CTLS, VmxMsr.IA32_VMX_TRUE_EXIT_CTLS}) {
            msrs.put(msr.index(), msrs.get(msr.index()) & ~(PrimaryExitControl.LOAD_IA32_PAT.mask() << 32));
        }
        VmxCapabilities caps = VmxCapabilities.fromMsrs(msrs);
        VmcsSnapshot vmcs = ValidVmcs.forGuest(GuestKind.IA32E_64BIT, caps);
        assertTrue(vmcs.find(VmcsField.GUEST_IA32_PAT).isEmpty());
        assertTrue(vmcs.find(VmcsField.HOST_IA32_PAT).isEmpty());
        assertTrue(ValidVmcs.forGuest(GuestKind.IA32E_64BIT, SampleCapabilities.bochsSkylakeX()).find(VmcsField.GUEST_IA32_PAT).isPresent());
    }

    @Test
    void impossibleFixedBitsAreReportedWithTheFailedChecks() {
        // CR4_FIXED0 demanding PCIDE (bit 17) outside IA-32e mode cannot be satisfied by a 32-bit guest
        Map<Integer, Long> msrs = SampleCapabilities.bochsSkylakeXMsrs();
        msrs.put(VmxMsr.IA32_VMX_CR4_FIXED0.index(), 0x2000L | (1L << 17));
        VmxCapabilities caps = VmxCapabilities.fromMsrs(msrs);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ValidVmcs.forGuest(GuestKind.PROTECTED_32BIT, caps));
        assertTrue(e.getMessage().contains("GUEST_IA32E_MODE_PAGING"), e.getMessage());
    }

    @Test
    void badEptRootIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ValidVmcs.builder(GuestKind.REAL_MODE_UNRESTRICTED, SampleCapabilities.bochsSkylakeX()).eptRoot(0x1008));
        assertTrue(e.getMessage().contains("0x1008"), e.getMessage());
    }
}
