package dev.vmx.vmcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.SourceTable;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every VMCS field checked against Linux's enum vmcs_field and ia32-doc's SDM transcription. */
class VmcsFieldSourcesTest {

    @Test
    void everyLinuxFieldHasItsNameAndEncoding() {
        Set<VmcsField> seen = EnumSet.noneOf(VmcsField.class);
        for (String file : new String[] {"linux-6.1-vmcs-fields.txt", "linux-6.18-vmcs-additions.txt"}) {
            for (String[] row : SourceTable.rows(getClass(), file, false)) {
                VmcsField field = VmcsField.valueOf(row[0]);
                assertEquals((int) SourceTable.cInteger(row[1]), field.encoding(), row[0]);
                assertTrue(field.isLinuxName(), row[0]);
                assertEquals(Optional.of(field), VmcsField.fromEncoding(field.encoding()));
                seen.add(field);
            }
        }
        assertEquals(198, seen.size(), "192 fields in Linux 6.1 plus 6 CET fields");
    }

    @Test
    void everySdmFieldOfIa32DocIsInTheCatalogUnderItsEncoding() {
        int rows = 0;
        for (String[] row : SourceTable.rows(getClass(), "ia32-doc-vmcs-fields.txt", false)) {
            int encoding = (int) SourceTable.cInteger(row[1]);
            VmcsField field = VmcsField.fromEncoding(encoding).orElseThrow(() -> new AssertionError(row[0]));
            assertEquals(Optional.of(row[0]), field.sdmName(), "SDM alias of " + field);
            assertEquals(Optional.of(field), VmcsField.fromName(row[0]), "lookup by SDM name " + row[0]);
            rows++;
        }
        assertEquals(180, rows);
    }

    /** Fields of KVM patch series not in a released kernel: their names and encodings, not claimed as Linux's. */
    @Test
    void everyKvmPatchSeriesFieldHasItsNameAndEncoding() {
        int rows = 0;
        for (String[] row : SourceTable.rows(getClass(), "linux-kvm-patches-vmcs-fields.txt", false)) {
            VmcsField field = VmcsField.valueOf(row[0]);
            assertEquals((int) SourceTable.cInteger(row[1]), field.encoding(), row[0]);
            assertFalse(field.isLinuxName(), row[0] + " is not in a released Linux");
            rows++;
        }
        assertEquals(40, rows, "16 FRED guest, 16 FRED host, 4 event data, 4 APIC-timer deadline halves");
    }

    /**
     * Bochs' vmx.h, an independent transcription of Appendix B and the ISE: every encoding it has
     * is in the catalog, with the width its name states (VMCS_16BIT_, VMCS_32BIT_, VMCS_64BIT_, else
     * natural width) and "_HI" exactly on HIGH halves.
     */
    @Test
    void everyBochsEncodingIsInTheCatalogWithTheWidthItsNameStates() {
        Set<VmcsField> seen = EnumSet.noneOf(VmcsField.class);
        for (String[] row : SourceTable.rows(getClass(), "bochs-vmcs-fields.txt", false)) {
            int encoding = (int) SourceTable.cInteger(row[1]);
            VmcsField field = VmcsField.fromEncoding(encoding).orElseThrow(() -> new AssertionError(row[0] + " " + row[1]));
            String name = row[0];
            FieldWidth width = name.startsWith("VMCS_16BIT_") ? FieldWidth.BITS_16
                    : name.startsWith("VMCS_32BIT_") ? FieldWidth.BITS_32
                    : name.startsWith("VMCS_64BIT_") ? FieldWidth.BITS_64 : FieldWidth.NATURAL;
            assertEquals(width, field.width(), name);
            assertEquals(name.endsWith("_HI"), field.isHighHalf(), name);
            seen.add(field);
        }
        Set<VmcsField> notInBochs = EnumSet.complementOf(EnumSet.copyOf(seen));
        // Bochs lacks only the architectural-LBR guest field, which ia32-doc and the SDM list
        assertEquals(EnumSet.of(VmcsField.GUEST_IA32_LBR_CTL, VmcsField.GUEST_IA32_LBR_CTL_HIGH), notInBochs);
        assertEquals(Optional.of("VMCS_GUEST_LBR_CTL"), VmcsField.GUEST_IA32_LBR_CTL.sdmName());
    }

    @Test
    void everyCatalogFieldComesFromASource() {
        Set<Integer> patchSeries = new java.util.HashSet<>();
        for (String[] row : SourceTable.rows(getClass(), "linux-kvm-patches-vmcs-fields.txt", false)) {
            patchSeries.add((int) SourceTable.cInteger(row[1]));
        }
        Set<Integer> bochs = new java.util.HashSet<>();
        for (String[] row : SourceTable.rows(getClass(), "bochs-vmcs-fields.txt", false)) {
            bochs.add((int) SourceTable.cInteger(row[1]));
        }
        int linuxOnly = 0;
        int bochsOnly = 0;
        for (VmcsField field : VmcsField.values()) {
            boolean fromSdm = field.sdmName().isPresent() || field.fullField().sdmName().isPresent();
            boolean fromPatch = patchSeries.contains(field.encoding());
            assertTrue(field.isLinuxName() || fromSdm || fromPatch || bochs.contains(field.encoding()), field + " has no source");
            if (!field.isLinuxName() && !fromPatch) {
                assertTrue(field.name().equals(field.fullField().name() + "_HIGH") || field.sdmName().isPresent()
                        || !fromSdm, field.name());
            }
            if (field.isLinuxName() && !fromSdm) {
                linuxOnly++;
            }
            if (!field.isLinuxName() && !fromSdm && !fromPatch) {
                bochsOnly++;
            }
        }
        assertEquals(284, VmcsField.values().length);
        assertTrue(linuxOnly > 0, "Linux has fields ia32-doc lacks (e.g. TERTIARY_VM_EXEC_CONTROL)");
        assertEquals(8, bochsOnly, "VIRTUAL_TIMER_VECTOR, MSR_DATA(+HIGH), GUEST/HOST_IA32_SPEC_CTRL(+HIGH), SEAM_GUEST_KEYID");
    }

    @Test
    void theRecentSdmFieldsTheIssueNamesArePresent() {
        for (String name : new String[] {"TERTIARY_VM_EXEC_CONTROL", "SECONDARY_VM_EXIT_CONTROLS", "GUEST_IA32_PKRS",
            "HOST_IA32_PKRS", "GUEST_S_CET", "HOST_INTR_SSP_TABLE", "GUEST_IA32_LBR_CTL", "LOW_PASID_DIRECTORY_ADDRESS",
            "HIGH_PASID_DIRECTORY_ADDRESS", "NOTIFY_WINDOW", "ENCLS_EXITING_BITMAP", "ENCLV_EXITING_BITMAP",
            "PCONFIG_EXITING_BITMAP", "HLAT_PREFIX_SIZE", "HLAT_POINTER", "PID_POINTER_TABLE", "LAST_PID_POINTER_INDEX",
            "IA32_SPEC_CTRL_MASK", "IA32_SPEC_CTRL_SHADOW", "GUEST_IA32_FRED_CONFIG", "HOST_IA32_FRED_SSP3",
            "INJECTED_EVENT_DATA", "ORIGINAL_EVENT_DATA", "GUEST_DEADLINE_VIR", "GUEST_DEADLINE_PHY",
            "VIRTUAL_TIMER_VECTOR", "MSR_DATA", "SEAM_GUEST_KEYID"}) {
            assertTrue(VmcsField.fromName(name).isPresent(), name);
        }
    }

    @Test
    void namesAndEncodingsLookUpAndFailCleanly() {
        assertEquals(Optional.of(VmcsField.GUEST_RIP), VmcsField.fromName("GUEST_RIP"));
        assertEquals(Optional.of(VmcsField.GUEST_RIP), VmcsField.fromName("guest_rip"));
        assertEquals(Optional.of(VmcsField.GUEST_RIP), VmcsField.fromName("VMCS_GUEST_RIP"));
        assertEquals(Optional.empty(), VmcsField.fromName("GUEST_RIPP"));
        assertEquals(Optional.empty(), VmcsField.fromEncoding(-1));
        assertEquals(Optional.empty(), VmcsField.fromEncoding(0x8000));
        assertEquals(Optional.of(VmcsField.IO_BITMAP_A_HIGH), VmcsField.fromEncoding(0x2001));
        assertEquals(VmcsField.IO_BITMAP_A_HIGH, VmcsField.of(0x2001));
        assertEquals(VmcsField.GUEST_RIP, VmcsField.of(0x681e));
        assertEquals("no VMCS field has encoding 0x6ffe (well formed, but not in the catalog)",
                assertThrows(IllegalArgumentException.class, () -> VmcsField.of(0x6ffe)).getMessage());
        assertEquals("no VMCS field has encoding 0x1001 (malformed)",
                assertThrows(IllegalArgumentException.class, () -> VmcsField.of(0x1001)).getMessage());
        assertEquals("no VMCS field has encoding 0xffffffff (malformed)",
                assertThrows(IllegalArgumentException.class, () -> VmcsField.of(-1)).getMessage());
        assertEquals(VmcsField.IO_BITMAP_A, VmcsField.IO_BITMAP_A_HIGH.fullField());
        assertTrue(VmcsField.IO_BITMAP_A_HIGH.isHighHalf());
        assertFalse(VmcsField.GUEST_RIP.isHighHalf());
    }

    @Test
    void everyFieldRebuildsItsEncodingFromItsParts() {
        for (VmcsField field : VmcsField.values()) {
            FieldEncoding built = FieldEncoding.of(field.width(), field.type(), field.index(),
                    field.isHighHalf() ? AccessType.HIGH : AccessType.FULL);
            assertEquals(field.encoding(), built.encoding(), field.name());
            assertEquals(field.fieldEncoding(), built);
        }
        assertEquals(FieldWidth.NATURAL, VmcsField.GUEST_RIP.width());
        assertEquals(FieldType.GUEST_STATE, VmcsField.GUEST_RIP.type());
        assertEquals(FieldType.EXIT_INFO, VmcsField.VM_EXIT_REASON.type());
        assertEquals(FieldWidth.BITS_32, VmcsField.VM_EXIT_REASON.width());
        assertEquals(FieldType.HOST_STATE, VmcsField.HOST_RIP.type());
        assertEquals(FieldType.CONTROL, VmcsField.PIN_BASED_VM_EXEC_CONTROL.type());
    }

    @Test
    void allLowEncodingsClassifyWithoutAnEscapingException() {
        int catalog = 0;
        int unknown = 0;
        int malformed = 0;
        for (int encoding = 0; encoding < 1 << 15; encoding++) {
            if (!FieldEncoding.isWellFormed(encoding)) {
                int value = encoding;
                IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> FieldEncoding.decode(value));
                assertTrue(error.getMessage().contains("0x" + Integer.toHexString(encoding)), error.getMessage());
                assertTrue(VmcsField.fromEncoding(encoding).isEmpty());
                malformed++;
            } else if (VmcsField.fromEncoding(encoding).isPresent()) {
                assertEquals(encoding, FieldEncoding.decode(encoding).encoding());
                catalog++;
            } else {
                FieldEncoding.decode(encoding);
                unknown++;
            }
        }
        assertEquals(284, catalog);
        // bit 12 set: 16384; else HIGH access on 16-bit, 32-bit or natural width: 3/4 of 8192
        assertEquals(16384 + 6144, malformed);
        assertEquals((1 << 15) - malformed - catalog, unknown);
    }

    @Test
    void reservedHighBitsAndHighAccessOnNon64BitFieldsAreRejected() {
        IllegalArgumentException high = assertThrows(IllegalArgumentException.class, () -> FieldEncoding.decode(0x10000));
        assertEquals("malformed VMCS field encoding 0x10000: bits 31:15 are reserved and must be 0", high.getMessage());
        IllegalArgumentException access = assertThrows(IllegalArgumentException.class, () -> FieldEncoding.decode(0x681f));
        assertTrue(access.getMessage().startsWith("malformed VMCS field encoding 0x681f: HIGH access"), access.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FieldEncoding.of(FieldWidth.BITS_32, FieldType.CONTROL, 1, AccessType.HIGH));
        assertThrows(IllegalArgumentException.class, () -> FieldEncoding.of(FieldWidth.BITS_32, FieldType.CONTROL, 512, AccessType.FULL));
    }

    @Test
    void groupingsCoverTheAreas() {
        assertTrue(VmcsField.fields(FieldType.HOST_STATE).contains(VmcsField.HOST_RIP));
        assertTrue(VmcsField.fields(FieldType.HOST_STATE).stream().allMatch(f -> f.name().startsWith("HOST_")));
        // the host-state area is exactly the catalog fields whose encoding has type 3 (bits 11:10)
        java.util.List<VmcsField> hostArea = new java.util.ArrayList<>();
        for (VmcsField field : VmcsField.values()) {
            if (((field.encoding() >>> 10) & 3) == 3) {
                hostArea.add(field);
            }
        }
        assertEquals(hostArea, VmcsField.fields(FieldType.HOST_STATE));
        assertTrue(hostArea.containsAll(java.util.List.of(VmcsField.HOST_CR0, VmcsField.HOST_CR3, VmcsField.HOST_CR4,
                VmcsField.HOST_RSP, VmcsField.HOST_RIP, VmcsField.HOST_TR_SELECTOR, VmcsField.HOST_IA32_EFER)));
        assertEquals(java.util.List.of(VmcsField.GUEST_ES_SELECTOR, VmcsField.GUEST_CS_SELECTOR, VmcsField.GUEST_SS_SELECTOR,
                VmcsField.GUEST_DS_SELECTOR, VmcsField.GUEST_FS_SELECTOR, VmcsField.GUEST_GS_SELECTOR,
                VmcsField.GUEST_LDTR_SELECTOR, VmcsField.GUEST_TR_SELECTOR, VmcsField.GUEST_INTR_STATUS,
                VmcsField.GUEST_PML_INDEX, VmcsField.GUEST_UINV),
                VmcsField.fields(FieldType.GUEST_STATE, FieldWidth.BITS_16), "in encoding order");
        assertTrue(VmcsField.fields(FieldType.GUEST_STATE, FieldWidth.BITS_16).contains(VmcsField.GUEST_CS_SELECTOR));
        int total = 0;
        for (FieldType type : FieldType.values()) {
            for (FieldWidth width : FieldWidth.values()) {
                for (VmcsField field : VmcsField.fields(type, width)) {
                    assertEquals(type, field.type());
                    assertEquals(width, field.width());
                    total++;
                }
            }
        }
        assertEquals(VmcsField.values().length, total);
        for (GuestSegment segment : GuestSegment.values()) {
            // SDM Appendix B numbers the segment fields ES, CS, SS, DS, FS, GS, LDTR, TR from index 0
            int i = segment.ordinal();
            assertEquals(0x0800 + 2 * i, segment.selector().encoding(), segment.name());
            assertEquals(0x6806 + 2 * i, segment.base().encoding(), segment.name());
            assertEquals(0x4800 + 2 * i, segment.limit().encoding(), segment.name());
            assertEquals(0x4814 + 2 * i, segment.accessRights().encoding(), segment.name());
            assertEquals(java.util.List.of(segment.selector(), segment.base(), segment.limit(), segment.accessRights()),
                    segment.fields());
            assertEquals("GUEST_" + segment + "_BASE", segment.base().name());
            assertEquals("GUEST_" + segment + "_LIMIT", segment.limit().name());
            assertEquals("GUEST_" + segment + "_AR_BYTES", segment.accessRights().name());
            assertEquals("GUEST_" + segment + "_SELECTOR", segment.selector().name());
            assertEquals(FieldWidth.BITS_16, segment.selector().width());
            assertEquals(FieldWidth.NATURAL, segment.base().width());
            assertEquals(FieldWidth.BITS_32, segment.limit().width());
            assertEquals(FieldWidth.BITS_32, segment.accessRights().width());
        }
    }
}
