package dev.vmx.entry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.cap.PinBasedControl;
import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.cap.SecondaryProcessorBasedControl;
import dev.vmx.cap.VmxCapabilities;
import dev.vmx.exit.ExitReason;
import dev.vmx.nested.GuestMemory;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The rules of SDM 26.2.1.3 (event injection), 26.3.1.5 (activity and interruptibility state, the
 * VMCS link pointer), 26.3.1.6 (PDPTEs loaded from memory) and 26.4 (the MSR-load area) case by
 * case, each both ways, on top of EntryCheckerTest's valid 64-bit guest.
 */
class EntryCheckerRulesTest {
    private static final VmxCapabilities CAPS = VmxCapabilities.fromMsrs(EntryCheckerTest.i7Msrs());
    private static final EntryChecker CHECKER = EntryChecker.create().withCapabilities(CAPS);

    private static CheckOutcome outcome(EntryChecker checker, EntryCheck check, UnaryOperator<VmcsSnapshot.Builder> change) {
        return checker.check(change.apply(EntryCheckerTest.valid64()).build()).outcome(check);
    }

    private static void assertStatus(CheckStatus expected, EntryChecker checker, EntryCheck check,
            UnaryOperator<VmcsSnapshot.Builder> change, String what) {
        CheckOutcome outcome = outcome(checker, check, change);
        assertEquals(expected, outcome.status(), what + ": " + outcome);
    }

    private static UnaryOperator<VmcsSnapshot.Builder> inject(long info, long errorCode, long length) {
        return b -> b.put(VmcsField.VM_ENTRY_INTR_INFO_FIELD, info).put(VmcsField.VM_ENTRY_EXCEPTION_ERROR_CODE, errorCode)
                .put(VmcsField.VM_ENTRY_INSTRUCTION_LEN, length);
    }

    /** The i7-5600U's MSRs with one changed. */
    private static EntryChecker with(int msr, long value) {
        Map<Integer, Long> msrs = EntryCheckerTest.i7Msrs();
        msrs.put(msr, value);
        return EntryChecker.create().withCapabilities(VmxCapabilities.fromMsrs(msrs));
    }

    @Test
    void eventInjectionFields() {
        EntryCheck check = EntryCheck.ENTRY_EVENT_INJECTION;
        Object[][] table = {
            // info, error code, instruction length, expected, why
            {0x8000_0B0EL, 0x6L, 0L, CheckStatus.PASSED, "#PF with its error code"},
            {0x8000_030EL, 0L, 0L, CheckStatus.FAILED, "#PF without an error code"},
            {0x8000_0B06L, 0L, 0L, CheckStatus.FAILED, "#UD with an error code"},
            {0x8000_0B0DL, 0x1_0000L, 0L, CheckStatus.FAILED, "error code bits 31:16 set"},
            {0x8000_0B0EL, 0x8000L, 0L, CheckStatus.PASSED, "bit 15 (the SGX bit of a #PF error code) may be set"},
            {0x8000_0B15L, 0x1L, 0L, CheckStatus.PASSED, "#CP (21) delivers an error code"},
            {0x8000_0430L, 0L, 2L, CheckStatus.PASSED, "INT 30h, 2 bytes"},
            {0x8000_0430L, 0L, 16L, CheckStatus.FAILED, "instruction length 16"},
            {0x8000_0430L, 0L, 0L, CheckStatus.FAILED, "instruction length 0 without IA32_VMX_MISC[30]"},
            {0x8000_0603L, 0L, 1L, CheckStatus.PASSED, "INT3"},
            {0x8000_0700L, 0L, 0L, CheckStatus.PASSED, "pending MTF exit (the i7-5600U has the monitor trap flag)"},
            {0x8000_0701L, 0L, 0L, CheckStatus.FAILED, "type 7 with vector 1"},
            {0x8000_0100L, 0L, 0L, CheckStatus.FAILED, "reserved type 1"},
            {0x8000_0320L, 0L, 0L, CheckStatus.FAILED, "hardware exception vector 32"},
            {0x8001_0020L, 0L, 0L, CheckStatus.FAILED, "reserved bit 16"},
            {0x0000_0B0EL, 0L, 0L, CheckStatus.PASSED, "not valid: nothing else is looked at"},
        };
        for (Object[] row : table) {
            assertStatus((CheckStatus) row[3], CHECKER, check, inject((Long) row[0], (Long) row[1], (Long) row[2]), (String) row[4]);
        }
        // IA32_VMX_BASIC[56]: a hardware exception may have an error code whatever its vector, and need not have one
        EntryChecker relaxed = with(0x480, 0xda040000000012L | (1L << 56));
        assertStatus(CheckStatus.PASSED, relaxed, check, inject(0x8000_0B06L, 0, 0), "#UD with an error code, BASIC[56] 1");
        assertStatus(CheckStatus.PASSED, relaxed, check, inject(0x8000_030EL, 0, 0), "#PF without one, BASIC[56] 1");
        assertStatus(CheckStatus.FAILED, relaxed, check, inject(0x8000_0A02L, 0, 0), "an NMI never has one");
        // IA32_VMX_MISC[30]: zero-length software events
        assertStatus(CheckStatus.PASSED, with(0x485, 0x300481e5L | (1L << 30)), check, inject(0x8000_0430L, 0, 0), "MISC[30] 1");
        assertStatus(CheckStatus.NOT_JUDGED, EntryChecker.create(), check, inject(0x8000_0430L, 0, 0), "MISC unknown");
        // type 7 needs the 1-setting of the monitor trap flag (allowed-1 bit 27 of the TRUE procbased MSR 0x48E)
        long noMtf = EntryCheckerTest.i7Msrs().get(0x48E) & ~(PrimaryProcessorBasedControl.MONITOR_TRAP_FLAG.mask() << 32);
        assertStatus(CheckStatus.FAILED, with(0x48E, noMtf), check, inject(0x8000_0700L, 0, 0), "no MTF");
        // with "unrestricted guest" and CR0.PE 0 a #GP delivers no error code (real mode)
        UnaryOperator<VmcsSnapshot.Builder> realMode = b -> inject(0x8000_030DL, 0, 0).apply(b).put(VmcsField.GUEST_CR0, 0x30);
        assertStatus(CheckStatus.PASSED, CHECKER, check, realMode, "real-mode #GP without error code");
    }

    @Test
    void activityStateAgainstBlockingAndInjection() {
        Object[][] blocking = {
            // activity, interruptibility, expected
            {0L, 1L, CheckStatus.PASSED}, {1L, 0L, CheckStatus.PASSED}, {1L, 1L, CheckStatus.FAILED}, {2L, 2L, CheckStatus.FAILED},
        };
        for (Object[] row : blocking) {
            assertStatus((CheckStatus) row[2], CHECKER, EntryCheck.GUEST_ACTIVITY_STATE_BLOCKING,
                    b -> b.put(VmcsField.GUEST_ACTIVITY_STATE, (Long) row[0]).put(VmcsField.GUEST_INTERRUPTIBILITY_INFO, (Long) row[1]),
                    "activity " + row[0] + " interruptibility " + row[1]);
        }
        Object[][] injection = {
            // activity, injected event, expected
            {1L, 0x8000_0030L, CheckStatus.PASSED, "external interrupt into HLT"},
            {1L, 0x8000_0202L, CheckStatus.PASSED, "NMI into HLT"},
            {1L, 0x8000_0301L, CheckStatus.PASSED, "#DB into HLT"},
            {1L, 0x8000_0312L, CheckStatus.PASSED, "#MC into HLT"},
            {1L, 0x8000_0700L, CheckStatus.PASSED, "pending MTF into HLT"},
            {1L, 0x8000_0603L, CheckStatus.FAILED, "INT3 into HLT"},
            {2L, 0x8000_0202L, CheckStatus.PASSED, "NMI into shutdown"},
            {2L, 0x8000_0312L, CheckStatus.PASSED, "#MC into shutdown"},
            {2L, 0x8000_0030L, CheckStatus.FAILED, "external interrupt into shutdown"},
            {3L, 0x8000_0202L, CheckStatus.FAILED, "NMI into wait-for-SIPI"},
            {3L, 0L, CheckStatus.PASSED, "nothing injected into wait-for-SIPI"},
            {0L, 0x8000_0603L, CheckStatus.PASSED, "anything into the active state"},
        };
        for (Object[] row : injection) {
            assertStatus((CheckStatus) row[2], CHECKER, EntryCheck.GUEST_ACTIVITY_STATE_INJECTION,
                    b -> b.put(VmcsField.GUEST_ACTIVITY_STATE, (Long) row[0]).put(VmcsField.VM_ENTRY_INTR_INFO_FIELD, (Long) row[1])
                            .put(VmcsField.VM_ENTRY_INSTRUCTION_LEN, 1),
                    (String) row[3]);
        }
    }

    @Test
    void smiNmiAndEnclaveInterruptibilityBits() {
        EntryCheck check = EntryCheck.GUEST_INTERRUPTIBILITY_SMI_NMI_ENCLAVE;
        // the valid guest has "virtual NMIs" 1
        assertStatus(CheckStatus.PASSED, CHECKER, check, b -> b.put(VmcsField.GUEST_INTERRUPTIBILITY_INFO, 0x8), "NMI blocking alone");
        assertStatus(CheckStatus.FAILED, CHECKER, check, b -> b.put(VmcsField.GUEST_INTERRUPTIBILITY_INFO, 0x8)
                .put(VmcsField.VM_ENTRY_INTR_INFO_FIELD, 0x8000_0202L), "NMI blocking while injecting an NMI with virtual NMIs");
        long noVirtualNmis = CAPS.adjust(dev.vmx.cap.ControlField.PIN_BASED, PinBasedControl.EXTERNAL_INTERRUPT_EXITING.mask()
                | PinBasedControl.NMI_EXITING.mask());
        assertStatus(CheckStatus.PASSED, CHECKER, check, b -> b.put(VmcsField.GUEST_INTERRUPTIBILITY_INFO, 0x8)
                .put(VmcsField.VM_ENTRY_INTR_INFO_FIELD, 0x8000_0202L).put(VmcsField.PIN_BASED_VM_EXEC_CONTROL, noVirtualNmis),
                "NMI blocking while injecting an NMI without virtual NMIs (SDM note)");
        assertStatus(CheckStatus.FAILED, CHECKER, check, b -> b.put(VmcsField.GUEST_INTERRUPTIBILITY_INFO, 0x12), "enclave + MOV SS");
        assertStatus(CheckStatus.PASSED, CHECKER, check, b -> b.put(VmcsField.GUEST_INTERRUPTIBILITY_INFO, 0x10), "enclave alone");
        assertStatus(CheckStatus.FAILED, CHECKER, check, b -> b.put(VmcsField.GUEST_INTERRUPTIBILITY_INFO, 0x4), "SMI blocking outside SMM");
    }

    private static final long LINK = 0x4_0000L;

    private static GuestMemory header(long value) {
        GuestMemory.Builder builder = GuestMemory.builder();
        for (int i = 0; i < 4; i++) {
            builder.fill(LINK + i, 1, (int) ((value >>> (8 * i)) & 0xFF));
        }
        return builder.build();
    }

    @Test
    void vmcsLinkPointerChecksTheLinkedVmcsHeader() {
        EntryCheck check = EntryCheck.GUEST_VMCS_LINK_POINTER;
        UnaryOperator<VmcsSnapshot.Builder> linked = b -> b.put(VmcsField.VMCS_LINK_POINTER, LINK);
        long shadowing = EntryCheckerTest.valid64().build().read(VmcsField.SECONDARY_VM_EXEC_CONTROL)
                | SecondaryProcessorBasedControl.VMCS_SHADOWING.mask();
        UnaryOperator<VmcsSnapshot.Builder> shadow = b -> linked.apply(b).put(VmcsField.SECONDARY_VM_EXEC_CONTROL, shadowing);
        // revision 0x12 is the i7-5600U's (IA32_VMX_BASIC bits 30:0)
        assertStatus(CheckStatus.PASSED, CHECKER.withMemory(header(0x12)), check, linked, "an ordinary VMCS, no shadowing (SDM allows it)");
        assertStatus(CheckStatus.FAILED, CHECKER.withMemory(header(0x8000_0012L)), check, linked, "a shadow VMCS without shadowing");
        assertStatus(CheckStatus.PASSED, CHECKER.withMemory(header(0x8000_0012L)), check, shadow, "a shadow VMCS with shadowing");
        assertStatus(CheckStatus.FAILED, CHECKER.withMemory(header(0x12)), check, shadow, "an ordinary VMCS with shadowing");
        assertStatus(CheckStatus.FAILED, CHECKER.withMemory(header(0x13)), check, linked, "wrong revision");
        assertStatus(CheckStatus.FAILED, CHECKER, check, b -> b.put(VmcsField.VMCS_LINK_POINTER, 1L << 52), "beyond 52 bits");
        CheckOutcome noMemory = outcome(CHECKER, check, linked);
        assertEquals(CheckStatus.NOT_JUDGED, noMemory.status());
        assertEquals("needs the header of the VMCS at VMCS_LINK_POINTER 0x40000, which is in memory, not in the VMCS", noMemory.detail());
        CheckOutcome unbacked = outcome(CHECKER.withMemory(GuestMemory.none()), check, linked);
        assertEquals("needs the header of the VMCS at VMCS_LINK_POINTER 0x40000, but byte 0x40003 is not in the memory given",
                unbacked.detail());
        EntryCheckReport failed = CHECKER.withMemory(header(0x13)).check(linked.apply(EntryCheckerTest.valid64()).build());
        assertEquals(OptionalLong.of(4), failed.exitQualification());
    }

    private static final long PAE_CR3 = 0x3000_0020L;

    private static UnaryOperator<VmcsSnapshot.Builder> paeWithoutEpt() {
        return b -> b.put(VmcsField.VM_ENTRY_CONTROLS, b.build().read(VmcsField.VM_ENTRY_CONTROLS)
                & ~dev.vmx.cap.EntryControl.IA32E_MODE_GUEST.mask())
                .put(VmcsField.SECONDARY_VM_EXEC_CONTROL, SecondaryProcessorBasedControl.ENABLE_VPID.mask())
                .put(VmcsField.GUEST_IA32_EFER, 0x800).put(dev.vmx.vmcs.GuestSegment.CS.accessRights(), 0xC09B)
                .put(VmcsField.GUEST_RIP, 0x100000).put(VmcsField.GUEST_CR3, PAE_CR3);
    }

    private static GuestMemory pdpt(long... entries) {
        GuestMemory.Builder builder = GuestMemory.builder();
        for (int i = 0; i < entries.length; i++) {
            builder.putLong(PAE_CR3 + 8L * i, entries[i]);
        }
        return builder.build();
    }

    @Test
    void pdptesWithoutEptComeFromMemoryAtCr3() {
        EntryCheck check = EntryCheck.GUEST_PDPTES_FROM_MEMORY;
        assertStatus(CheckStatus.PASSED, CHECKER.withMemory(pdpt(0x5000_1001L, 0, 0x5000_3001L, 0)), check, paeWithoutEpt(), "good table");
        assertStatus(CheckStatus.PASSED, CHECKER.withMemory(pdpt(0x5000_1001L, 0x5000_20E6L, 0, 0)), check, paeWithoutEpt(),
                "reserved bits in a not-present entry do not count");
        assertStatus(CheckStatus.FAILED, CHECKER.withMemory(pdpt(0x5000_1001L, 0, 0, 0x5000_1021L)), check, paeWithoutEpt(), "bit 5");
        assertStatus(CheckStatus.FAILED, CHECKER.withMemory(pdpt(0x0010_0000_0000_1001L, 0, 0, 0)), check, paeWithoutEpt(), "bit 52");
        CheckOutcome unbacked = outcome(CHECKER.withMemory(GuestMemory.none()), check, paeWithoutEpt());
        assertEquals(CheckStatus.NOT_JUDGED, unbacked.status());
        assertEquals("needs PDPTE 0 at 0x30000020 (CR3 0x30000020), but byte 0x30000027 is not in the memory given", unbacked.detail());
        assertEquals(CheckStatus.NOT_JUDGED, outcome(CHECKER, check, paeWithoutEpt()).status());
        // with EPT the PDPTE fields of the VMCS are checked instead (GUEST_PDPTES), and 64-bit paging has none
        assertEquals("no PAE paging without EPT", outcome(CHECKER, check, b -> b).detail());
        EntryCheckReport report = CHECKER.withMemory(pdpt(0x5000_1007L, 0, 0, 0)).check(paeWithoutEpt().apply(EntryCheckerTest.valid64()).build());
        assertEquals(Optional.of(ExitReason.of(0x8000_0021)), report.exitReason());
        assertEquals(OptionalLong.of(2), report.exitQualification());
    }

    private static final long AREA = 0x6_0000L;

    private static GuestMemory msrArea(long[][] entries) {
        GuestMemory.Builder builder = GuestMemory.builder().zeroPage(AREA);
        for (int i = 0; i < entries.length; i++) {
            builder.putLong(AREA + 16L * i, entries[i][0]).putLong(AREA + 16L * i + 8, entries[i][1]);
        }
        return builder.build();
    }

    private static UnaryOperator<VmcsSnapshot.Builder> msrLoad(long count) {
        return b -> b.put(VmcsField.VM_ENTRY_MSR_LOAD_COUNT, count).put(VmcsField.VM_ENTRY_MSR_LOAD_ADDR, AREA);
    }

    @Test
    void msrLoadAreaReadFromMemory() {
        GuestMemory area = msrArea(new long[][] {{0x1D9, 0}, {0xC000_0102L, 0xffff888100000000L}, {0xC000_0100L, 0}});
        EntryCheckReport twoGood = CHECKER.withMemory(area).check(msrLoad(2).apply(EntryCheckerTest.valid64()).build());
        assertEquals(CheckStatus.PASSED, twoGood.outcome(EntryCheck.ENTRY_MSR_LOAD_LIST).status(), twoGood.toString());
        EntryCheckReport third = CHECKER.withMemory(area).check(msrLoad(3).apply(EntryCheckerTest.valid64()).build());
        assertEquals(Optional.of(ExitReason.of(0x8000_0022)), third.exitReason());
        assertEquals(OptionalLong.of(3), third.exitQualification());
        assertEquals("entry 3 (MSR 0xc0000100): IA32_FS_BASE cannot be loaded from the MSR-load area (VM entry loads it from the"
                + " guest-state area)", third.outcome(EntryCheck.ENTRY_MSR_LOAD_LIST).detail());
        // bits 63:32 of the first quadword are the reserved half of the entry
        GuestMemory reserved = msrArea(new long[][] {{0x1_0000_01D9L, 0}});
        assertEquals("entry 1 (MSR 0x1d9): bits 63:32 of the entry are not 0", CHECKER.withMemory(reserved)
                .check(msrLoad(1).apply(EntryCheckerTest.valid64()).build()).outcome(EntryCheck.ENTRY_MSR_LOAD_LIST).detail());
        // an explicit list wins over memory
        EntryCheckReport listed = CHECKER.withMemory(area).withEntryMsrLoadList(List.of(MsrEntry.of(0x1D9, 0), MsrEntry.of(0x10, 0),
                MsrEntry.of(0x10, 1))).check(msrLoad(3).apply(EntryCheckerTest.valid64()).build());
        assertEquals(CheckStatus.PASSED, listed.outcome(EntryCheck.ENTRY_MSR_LOAD_LIST).status());
    }

    @Test
    void msrLoadCountAgainstMisc() {
        // the i7-5600U's IA32_VMX_MISC bits 27:25 are 0: 512 entries
        assertStatus(CheckStatus.PASSED, CHECKER, EntryCheck.ENTRY_MSR_LOAD_COUNT, msrLoad(512), "512");
        EntryCheckReport over = CHECKER.withMemory(msrArea(new long[0][])).check(msrLoad(513).apply(EntryCheckerTest.valid64()).build());
        assertEquals(CheckStatus.FAILED, over.outcome(EntryCheck.ENTRY_MSR_LOAD_COUNT).status());
        assertEquals(OptionalLong.of(513), over.exitQualification(), over.toString());
        // the list is read only up to the limit; it cannot be judged past it
        assertEquals(CheckStatus.NOT_JUDGED, over.outcome(EntryCheck.ENTRY_MSR_LOAD_LIST).status());
        // a bad entry before the limit is the one reported
        EntryCheckReport badFirst = CHECKER.withMemory(msrArea(new long[][] {{0x808, 0}})).check(msrLoad(513)
                .apply(EntryCheckerTest.valid64()).build());
        assertEquals(OptionalLong.of(1), badFirst.exitQualification());
        // MISC bits 27:25 = 1: 1024 entries
        assertStatus(CheckStatus.PASSED, with(0x485, 0x300481e5L | (1L << 25)), EntryCheck.ENTRY_MSR_LOAD_COUNT, msrLoad(1024), "N=1");
        assertStatus(CheckStatus.NOT_JUDGED, EntryChecker.create(), EntryCheck.ENTRY_MSR_LOAD_COUNT, msrLoad(513), "no MISC");
        assertStatus(CheckStatus.PASSED, EntryChecker.create(), EntryCheck.ENTRY_MSR_LOAD_COUNT, msrLoad(100), "below every limit");
    }

    @Test
    void vmFunctionsAndVirtualizationExceptions() {
        long secondary = EntryCheckerTest.valid64().build().read(VmcsField.SECONDARY_VM_EXEC_CONTROL)
                | SecondaryProcessorBasedControl.ENABLE_VM_FUNCTIONS.mask();
        UnaryOperator<VmcsSnapshot.Builder> eptpSwitching = b -> b.put(VmcsField.SECONDARY_VM_EXEC_CONTROL, secondary)
                .put(VmcsField.VM_FUNCTION_CONTROL, 1).put(VmcsField.EPTP_LIST_ADDRESS, 0xC000);
        EntryCheck check = EntryCheck.VM_FUNCTION_CONTROLS;
        assertStatus(CheckStatus.PASSED, with(0x491, 1), check, eptpSwitching, "EPTP switching allowed");
        assertStatus(CheckStatus.FAILED, with(0x491, 0), check, eptpSwitching, "EPTP switching not in IA32_VMX_VMFUNC");
        assertStatus(CheckStatus.FAILED, with(0x491, 1), check, b -> eptpSwitching.apply(b)
                .put(VmcsField.SECONDARY_VM_EXEC_CONTROL, secondary & ~SecondaryProcessorBasedControl.ENABLE_EPT.mask()
                        & ~SecondaryProcessorBasedControl.UNRESTRICTED_GUEST.mask()), "EPTP switching without EPT");
        assertStatus(CheckStatus.PASSED, CHECKER, check, b -> b, "VM functions off");
        assertTrue(outcome(EntryChecker.create().withCapabilities(CAPS), EntryCheck.VIRTUALIZATION_EXCEPTION_INFO_ALIGNED,
                b -> b.put(VmcsField.SECONDARY_VM_EXEC_CONTROL, secondary | SecondaryProcessorBasedControl.EPT_VIOLATION.mask())
                        .put(VmcsField.VE_INFORMATION_ADDRESS, 0xB000)).status() == CheckStatus.PASSED);
    }

    @Test
    void debugctlAndCet() {
        assertStatus(CheckStatus.PASSED, CHECKER, EntryCheck.GUEST_DEBUGCTL_RESERVED, b -> b.put(VmcsField.GUEST_IA32_DEBUGCTL, 0xDFC7),
                "every defined bit");
        assertStatus(CheckStatus.FAILED, CHECKER, EntryCheck.GUEST_DEBUGCTL_RESERVED, b -> b.put(VmcsField.GUEST_IA32_DEBUGCTL, 0x8),
                "bit 3");
        assertStatus(CheckStatus.PASSED, CHECKER, EntryCheck.GUEST_CET_NEEDS_WP, b -> b.put(VmcsField.GUEST_CR4, 0x26F0L | (1L << 23)),
                "CET with WP");
    }
}
