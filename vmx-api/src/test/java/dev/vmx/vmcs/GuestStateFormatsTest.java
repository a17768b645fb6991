package dev.vmx.vmcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The five guest-state value types against their sources: the SDM tables (sdm-guest-state-formats.tsv)
 * and Linux's arch/x86/include/asm/vmx.h (linux-vmx-guest-state-bits.txt), table-driven, plus
 * readable output for values taken from real dumps.
 */
class GuestStateFormatsTest {

    private static List<String> lines(String name) throws IOException {
        try (InputStream in = GuestStateFormatsTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("# ") && !l.isBlank()).toList();
        }
    }

    /** The SDM rows of one format as bit masks by meaning. */
    private static Map<String, Long> sdm(String format) throws IOException {
        Map<String, Long> masks = new HashMap<>();
        for (String row : lines("sdm-guest-state-formats.tsv")) {
            String[] cells = row.split("\t");
            if (!cells[0].equals(format)) {
                continue;
            }
            String[] range = cells[1].split(":");
            int high = Integer.parseInt(range[0]);
            int low = range.length == 2 ? Integer.parseInt(range[1]) : high;
            long mask = high == 63 ? -1L << low : ((1L << (high + 1)) - 1) & (-1L << low);
            masks.merge(cells[2], mask, (a, b) -> a | b);
        }
        return masks;
    }

    /** The numeric #defines of the Linux excerpt, (1 << n) and (1ull << n) evaluated. */
    private static Map<String, Long> linux() throws IOException {
        Map<String, Long> values = new HashMap<>();
        Pattern define = Pattern.compile("#define (\\w+)\\s+\\(?(0x[0-9a-fA-F]+|\\d+)(?:ull)?(?:\\s*<<\\s*(\\d+))?\\)?\\s*");
        for (String line : lines("linux-vmx-guest-state-bits.txt")) {
            Matcher m = define.matcher(line);
            if (m.matches()) {
                long value = Long.decode(m.group(2));
                values.put(m.group(1), m.group(3) == null ? value : value << Integer.parseInt(m.group(3)));
            }
        }
        return values;
    }

    @Test
    void interruptibilityAgainstSdmAndLinux() throws IOException {
        Map<String, Long> sdm = sdm("interruptibility");
        Map<String, Long> linux = linux();
        Object[][] table = {
            {"blocking by STI", "GUEST_INTR_STATE_STI", GuestInterruptibility.BLOCKING_BY_STI},
            {"blocking by MOV SS", "GUEST_INTR_STATE_MOV_SS", GuestInterruptibility.BLOCKING_BY_MOV_SS},
            {"blocking by SMI", "GUEST_INTR_STATE_SMI", GuestInterruptibility.BLOCKING_BY_SMI},
            {"blocking by NMI", "GUEST_INTR_STATE_NMI", GuestInterruptibility.BLOCKING_BY_NMI},
            {"enclave interruption", "GUEST_INTR_STATE_ENCLAVE_INTR", GuestInterruptibility.ENCLAVE_INTERRUPTION},
        };
        for (Object[] row : table) {
            long mask = Integer.toUnsignedLong((Integer) row[2]);
            assertEquals(sdm.get(row[0]), mask, (String) row[0]);
            assertEquals(linux.get(row[1]), mask, (String) row[1]);
        }
        assertEquals(sdm.get("reserved"), Integer.toUnsignedLong(GuestInterruptibility.RESERVED_MASK));
        GuestInterruptibility all = GuestInterruptibility.of(0x1f);
        assertTrue(all.isBlockingBySti() && all.isBlockingByMovSs() && all.isBlockingBySmi() && all.isBlockingByNmi()
                && all.isEnclaveInterruption());
        assertEquals(0, all.reservedBits());
        assertEquals("0x9: blocking by STI, blocking by NMI", GuestInterruptibility.of(9).toString());
        assertEquals("0x0: no blocking", GuestInterruptibility.of(0).toString());
        assertEquals("0x22: blocking by MOV SS, reserved bits 0x20", GuestInterruptibility.of(0x22).toString());
        assertThrows(IllegalArgumentException.class, () -> GuestInterruptibility.from(0x1_0000_0000L));
        assertEquals(GuestInterruptibility.of(1), GuestInterruptibility.from(1));
    }

    @Test
    void activityStateAgainstSdmAndLinuxAndUnknownValuesKept() throws IOException {
        Map<String, Long> sdm = sdm("activity");
        Map<String, Long> linux = linux();
        Object[][] table = {
            {"active", "GUEST_ACTIVITY_ACTIVE", GuestActivityState.ACTIVE},
            {"HLT", "GUEST_ACTIVITY_HLT", GuestActivityState.HLT},
            {"shutdown", "GUEST_ACTIVITY_SHUTDOWN", GuestActivityState.SHUTDOWN},
            {"wait-for-SIPI", "GUEST_ACTIVITY_WAIT_SIPI", GuestActivityState.WAIT_FOR_SIPI},
        };
        for (Object[] row : table) {
            GuestActivityState state = (GuestActivityState) row[2];
            // the tsv's "bits" column holds the value: a one-bit "mask" 1 << value
            assertEquals(sdm.get(row[0]), 1L << state.raw(), (String) row[0]);
            assertEquals(linux.get(row[1]), state.raw(), (String) row[1]);
            assertEquals(row[0], state.name());
            assertSame(state, GuestActivityState.of(state.raw()));
        }
        GuestActivityState unknown = GuestActivityState.of(7);
        assertFalse(unknown.isKnown());
        assertEquals(7, unknown.raw());
        assertEquals("7 (unknown)", unknown.toString());
        assertEquals("1 (HLT)", GuestActivityState.HLT.toString());
        assertEquals(GuestActivityState.of(7), unknown);
    }

    @Test
    void accessRightsAgainstSdmAndLinux() throws IOException {
        Map<String, Long> sdm = sdm("access-rights");
        Map<String, Long> linux = linux();
        assertEquals(sdm.get("segment type"), (long) SegmentAccessRights.TYPE_MASK);
        assertEquals(linux.get("VMX_AR_TYPE_MASK"), (long) SegmentAccessRights.TYPE_MASK);
        assertEquals(sdm.get("S - descriptor type (0 = system; 1 = code or data)"), (long) SegmentAccessRights.S);
        assertEquals(linux.get("VMX_AR_S_MASK"), (long) SegmentAccessRights.S);
        assertEquals(sdm.get("DPL - descriptor privilege level"), 3L << SegmentAccessRights.DPL_SHIFT);
        assertEquals(linux.get("VMX_AR_DPL_SHIFT"), (long) SegmentAccessRights.DPL_SHIFT);
        assertEquals(sdm.get("P - segment present"), (long) SegmentAccessRights.P);
        assertEquals(linux.get("VMX_AR_P_MASK"), (long) SegmentAccessRights.P);
        assertEquals(sdm.get("AVL - available for use by system software"), (long) SegmentAccessRights.AVL);
        assertEquals(sdm.get("L - 64-bit mode active (for CS only)"), (long) SegmentAccessRights.L);
        assertEquals(linux.get("VMX_AR_L_MASK"), (long) SegmentAccessRights.L);
        assertEquals(sdm.get("D/B - default operation size"), (long) SegmentAccessRights.DB);
        assertEquals(linux.get("VMX_AR_DB_MASK"), (long) SegmentAccessRights.DB);
        assertEquals(sdm.get("G - granularity"), (long) SegmentAccessRights.G);
        assertEquals(linux.get("VMX_AR_G_MASK"), (long) SegmentAccessRights.G);
        assertEquals(sdm.get("segment unusable"), (long) SegmentAccessRights.UNUSABLE);
        assertEquals(linux.get("VMX_AR_UNUSABLE_MASK"), (long) SegmentAccessRights.UNUSABLE);
        assertEquals(sdm.get("reserved"), Integer.toUnsignedLong(SegmentAccessRights.RESERVED_MASK));
        assertEquals(linux.get("VMX_AR_RESERVD_MASK"), Integer.toUnsignedLong(SegmentAccessRights.RESERVED_MASK));
        // type numbers Linux names
        assertEquals("32/64-bit TSS busy", SegmentAccessRights.of(linux.get("VMX_AR_TYPE_BUSY_64_TSS").intValue()).typeName());
        assertEquals("16-bit TSS busy", SegmentAccessRights.of(linux.get("VMX_AR_TYPE_BUSY_16_TSS").intValue()).typeName());
        assertEquals("LDT", SegmentAccessRights.of(linux.get("VMX_AR_TYPE_LDT").intValue()).typeName());
        assertTrue(SegmentAccessRights.of(SegmentAccessRights.S | linux.get("VMX_AR_TYPE_CODE_MASK").intValue()).isCode());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // values from real dumps in dev/vmx/dump (coconut-svsm#1081, dosemu2#1274, drakvuf#388, the 6.1 format)
        "c09b  | 0xc09b: code execute/read accessed, DPL 0, present, 32-bit, 4K granular",
        "a09b  | 0xa09b: code execute/read accessed, DPL 0, present, 64-bit, 4K granular",
        "c093  | 0xc093: data read/write accessed, DPL 0, present, 32-bit, 4K granular",
        "f3    | 0xf3: data read/write accessed, DPL 3, present, 16-bit, byte granular",
        "9b    | 0x9b: code execute/read accessed, DPL 0, present, 16-bit, byte granular",
        "8b    | 0x8b: 32/64-bit TSS busy, DPL 0, present, byte granular",
        "82    | 0x82: LDT, DPL 0, present, byte granular",
        "1c000 | 0x1c000: unusable, system type 0 (reserved), DPL 0, not present, 4K granular",
        "e09b  | 0xe09b: code execute/read accessed, DPL 0, present, L and D/B both 1, 4K granular",
        "109b  | 0x109b: code execute/read accessed, DPL 0, present, AVL, 16-bit, byte granular",
        "20f9b | 0x20f9b: code execute/read accessed, DPL 0, present, 16-bit, byte granular, reserved bits 0x20f00",
    })
    void accessRightsRead(String hex, String expected) {
        SegmentAccessRights rights = SegmentAccessRights.of(Integer.parseUnsignedInt(hex.trim(), 16));
        assertEquals(expected.trim(), rights.toString());
    }

    @Test
    void pendingDebugExceptionsAgainstSdm() throws IOException {
        Map<String, Long> sdm = sdm("pending-debug");
        assertEquals(sdm.get("B3-B0"), PendingDebugExceptions.BREAKPOINTS_MASK);
        assertEquals(sdm.get("enabled breakpoint"), PendingDebugExceptions.ENABLED_BREAKPOINT);
        assertEquals(sdm.get("BS"), PendingDebugExceptions.BS);
        assertEquals(sdm.get("RTM"), PendingDebugExceptions.RTM);
        assertEquals(sdm.get("reserved"), PendingDebugExceptions.RESERVED_MASK);
        PendingDebugExceptions pending = PendingDebugExceptions.of(0x5005);
        assertTrue(pending.breakpoint(0) && pending.breakpoint(2) && !pending.breakpoint(1));
        assertTrue(pending.isEnabledBreakpoint() && pending.isSingleStep() && !pending.isRtm());
        assertEquals("0x5005: B0, B2, enabled breakpoint, BS", pending.toString());
        assertEquals("0x0: none", PendingDebugExceptions.of(0).toString());
        assertEquals("0x12000: RTM, reserved bits 0x2000", PendingDebugExceptions.of(0x12000).toString());
        assertThrows(IllegalArgumentException.class, () -> pending.breakpoint(4));
    }

    @Test
    void eptPointerAgainstSdmAndLinux() throws IOException {
        Map<String, Long> sdm = sdm("eptp");
        Map<String, Long> linux = linux();
        assertEquals(sdm.get("EPT paging-structure memory type (0 = uncacheable; 6 = write-back)"), EptPointer.MEMORY_TYPE_MASK);
        assertEquals(linux.get("VMX_EPTP_MT_MASK"), EptPointer.MEMORY_TYPE_MASK);
        assertEquals(sdm.get("EPT page-walk length minus 1"), EptPointer.PAGE_WALK_MASK);
        assertEquals(linux.get("VMX_EPTP_PWL_MASK"), EptPointer.PAGE_WALK_MASK);
        assertEquals(sdm.get("enable accessed and dirty flags"), EptPointer.ACCESSED_DIRTY_ENABLE);
        assertEquals(linux.get("VMX_EPTP_AD_ENABLE_BIT"), EptPointer.ACCESSED_DIRTY_ENABLE);
        assertEquals(sdm.get("enable enforcement of access rights for supervisor shadow-stack pages"), EptPointer.SUPERVISOR_SHADOW_STACK);
        assertEquals(sdm.get("reserved"), EptPointer.RESERVED_MASK);
        assertEquals(sdm.get("physical address of the EPT PML4 table"), EptPointer.ADDRESS_MASK);
        assertEquals(4, EptPointer.of(linux.get("VMX_EPTP_PWL_4")).pageWalkLength());
        assertEquals(5, EptPointer.of(linux.get("VMX_EPTP_PWL_5")).pageWalkLength());
        // the EPT pointer of the Linux 6.1 format sample and of drakvuf#465 (Xen)
        EptPointer linux61 = EptPointer.of(0x10a3c105eL);
        assertEquals(EptPointer.WRITE_BACK, linux61.memoryType());
        assertTrue(linux61.isAccessedDirtyEnabled());
        assertFalse(linux61.isSupervisorShadowStackEnforced());
        assertEquals(0x10a3c1000L, linux61.tableAddress());
        assertEquals("0x10a3c105e: WB, 4-level walk, A/D enabled, PML4 at 0x10a3c1000", linux61.toString());
        assertEquals("0x39495301e: WB, 4-level walk, PML4 at 0x394953000", EptPointer.of(0x39495301eL).toString());
        assertEquals("0x1ad: memory type 5 (not UC or WB), 6-level walk (not 4 or 5), supervisor shadow-stack enforced, reserved bits 0x100, PML4 at 0x0",
                EptPointer.of(0x1adL).toString());
    }

    @Test
    void typedViewsOfAVmcs() {
        VmcsSnapshot vmcs = VmcsSnapshot.builder().put(VmcsField.GUEST_INTERRUPTIBILITY_INFO, 1).put(VmcsField.GUEST_ACTIVITY_STATE, 1)
                .put(VmcsField.GUEST_CS_AR_BYTES, 0xc09b).put(VmcsField.GUEST_PENDING_DBG_EXCEPTIONS, 0x4000)
                .put(VmcsField.EPT_POINTER, 0x10a3c105eL).build();
        assertTrue(vmcs.guestInterruptibility().isBlockingBySti());
        assertSame(GuestActivityState.HLT, vmcs.guestActivityState());
        assertEquals(0xc09b, vmcs.guestAccessRights(GuestSegment.CS).raw());
        assertTrue(vmcs.guestPendingDebugExceptions().isSingleStep());
        assertEquals(4, vmcs.eptPointer().pageWalkLength());
        assertThrows(java.util.NoSuchElementException.class, () -> vmcs.guestAccessRights(GuestSegment.SS));
    }
}
