package dev.vmx.vmcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.VmxParseException;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.qual.EptViolationQualification;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmcsSnapshotTest {
    private static VmcsSnapshot eptViolationExit() {
        return VmcsSnapshot.builder()
                .put(VmcsField.VM_EXIT_REASON, 0x30)
                .put(VmcsField.EXIT_QUALIFICATION, 0x182)
                .put(VmcsField.GUEST_PHYSICAL_ADDRESS, 0xfee00000L)
                .put(VmcsField.GUEST_RIP, 0xffffffff81000000L)
                .put(VmcsField.GUEST_CS_SELECTOR, 0x10)
                .build();
    }

    @Test
    void snapshotsAreValueEqualAndTheGeneratedValueChecksWhatTheBuilderChecks() {
        VmcsSnapshot a = VmcsSnapshot.builder().put(VmcsField.GUEST_RIP, 0xfff0).put(VmcsField.GUEST_CS_SELECTOR, 0xf000).build();
        VmcsSnapshot b = VmcsSnapshot.builder().put(VmcsField.GUEST_CS_SELECTOR, 0xf000).put(VmcsField.GUEST_RIP, 0xfff0).build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, a.toBuilder().put(VmcsField.GUEST_RIP, 0xfff1).build());
        assertNotEquals(a, a.toBuilder().remove(VmcsField.GUEST_CS_SELECTOR).build());
        assertTrue(a.toString().contains("GUEST_RIP"), a.toString());
        // the generated value rejects what the builder would have rejected
        assertEquals("value 0x10000 does not fit GUEST_ES_SELECTOR, a 16-bit field",
                assertThrows(IllegalArgumentException.class,
                        () -> ImmutableVmcsSnapshot.of(Map.of(VmcsField.GUEST_ES_SELECTOR, 0x1_0000L))).getMessage());
        assertEquals("IO_BITMAP_A_HIGH is a HIGH half; snapshots hold FULL fields",
                assertThrows(IllegalArgumentException.class,
                        () -> ImmutableVmcsSnapshot.of(Map.of(VmcsField.IO_BITMAP_A_HIGH, 1L))).getMessage());
    }

    @Test
    void typedViewsDecodeTheExit() {
        VmcsSnapshot vmcs = eptViolationExit();
        assertTrue(vmcs.exitReason().is(BasicExitReason.EPT_VIOLATION));
        EptViolationQualification qualification = (EptViolationQualification) vmcs.exitQualification();
        assertTrue(qualification.isWrite());
        assertEquals(0xfee00000L, vmcs.guestPhysicalAddress());
        assertEquals(0xffffffff81000000L, vmcs.guestRip());
        NoSuchElementException missing = assertThrows(NoSuchElementException.class, vmcs::guestCr3);
        assertEquals("VMCS has no value for GUEST_CR3 (encoding 0x6802)", missing.getMessage());
    }

    @Test
    void valuesWiderThanTheFieldAreRejectedByName() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> VmcsSnapshot.builder().put(VmcsField.GUEST_CS_SELECTOR, 0x1_0000));
        assertEquals("value 0x10000 does not fit GUEST_CS_SELECTOR, a 16-bit field", error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VmcsSnapshot.builder().put(VmcsField.VM_EXIT_REASON, 1L << 32));
        assertThrows(IllegalArgumentException.class, () -> VmcsSnapshot.builder().put(VmcsField.IO_BITMAP_A_HIGH, 1L << 32));
        VmcsSnapshot.builder().put(VmcsField.GUEST_RIP, -1L).put(VmcsField.IO_BITMAP_A, -1L).build();
    }

    @Test
    void highHalvesAreTheUpperBitsOfTheFullField() {
        VmcsSnapshot vmcs = VmcsSnapshot.builder().put(VmcsField.IO_BITMAP_A, 0x1234_5678_9abc_def0L).build();
        assertEquals(OptionalLong.of(0x1234_5678L), vmcs.find(VmcsField.IO_BITMAP_A_HIGH));
        VmcsSnapshot merged = vmcs.toBuilder().put(VmcsField.IO_BITMAP_A_HIGH, 0xcafe_f00dL).build();
        assertEquals(0xcafe_f00d_9abc_def0L, merged.read(VmcsField.IO_BITMAP_A));
        assertEquals(java.util.Set.of(VmcsField.IO_BITMAP_A), merged.fields());
    }

    @Test
    void diffNamesEveryChangedAddedAndRemovedField() {
        VmcsSnapshot before = eptViolationExit();
        VmcsSnapshot after = before.toBuilder().put(VmcsField.GUEST_RIP, 0xffffffff81000003L)
                .remove(VmcsField.GUEST_PHYSICAL_ADDRESS).put(VmcsField.GUEST_CR3, 0x1000).build();
        List<FieldChange> changes = before.diff(after);
        assertEquals(List.of(
                "GUEST_PHYSICAL_ADDRESS: 0xfee00000 -> (absent)",
                "GUEST_CR3: (absent) -> 0x1000",
                "GUEST_RIP: 0xffffffff81000000 -> 0xffffffff81000003"),
                changes.stream().map(FieldChange::toString).collect(java.util.stream.Collectors.toList()));
        assertTrue(before.diff(before).isEmpty());
    }

    @Test
    void textFormatRoundTripsEveryFieldAtFullWidth() {
        SplittableRandom random = new SplittableRandom(3);
        VmcsSnapshot.Builder builder = VmcsSnapshot.builder();
        for (VmcsField field : VmcsField.values()) {
            if (!field.isHighHalf()) {
                long value = random.nextLong();
                builder.put(field, field.valueBits() == 64 ? value : value >>> (64 - field.valueBits()));
            }
        }
        VmcsSnapshot all = builder.build();
        String text = VmcsText.format(all);
        assertEquals(all, VmcsText.parse(text));
        assertEquals(text, VmcsText.format(VmcsText.parse(text)));
        assertTrue(text.contains("GUEST_CS_SELECTOR"), text);
    }

    @Test
    void textFormatAcceptsCommentsAliasesAndDecimal() {
        VmcsSnapshot vmcs = VmcsText.parse("# an EPT violation\n\nVM_EXIT_REASON = 0x30   # basic 48\n"
                + "  VMCS_GUEST_RIP=0xfff0\nVIRTUAL_PROCESSOR_ID = 1\n");
        assertEquals(0x30, vmcs.read(VmcsField.VM_EXIT_REASON));
        assertEquals(0xfff0, vmcs.guestRip());
        assertEquals(1, vmcs.read(VmcsField.VIRTUAL_PROCESSOR_ID));
    }

    private static VmxParseException parseError(String text) {
        return assertThrows(VmxParseException.class, () -> VmcsText.parse(text));
    }

    @Test
    void badLinesReportLineAndColumn() {
        VmxParseException unknown = parseError("GUEST_RIP = 0x1\n  GUEST_RIPP = 0x2\n");
        assertEquals(2, unknown.lineNumber());
        assertEquals(2, unknown.errorIndex());
        assertEquals("unknown VMCS field 'GUEST_RIPP' at line 2, column 3 of '  GUEST_RIPP = 0x2'", unknown.getMessage());

        VmxParseException noEquals = parseError("GUEST_RIP 0x1\n");
        assertTrue(noEquals.getMessage().startsWith("expected '=' after GUEST_RIP at line 1, column 11"), noEquals.getMessage());

        VmxParseException badDigit = parseError("GUEST_RIP = 0x12z4\n");
        assertEquals(16, badDigit.errorIndex());

        VmxParseException tooWide = parseError("GUEST_CS_SELECTOR = 0x10000\n");
        assertTrue(tooWide.getMessage().contains("does not fit GUEST_CS_SELECTOR, a 16-bit field"), tooWide.getMessage());

        VmxParseException twice = parseError("GUEST_RIP = 1\n# x\nGUEST_RIP = 2\n");
        assertEquals(3, twice.lineNumber());
        assertTrue(twice.getMessage().startsWith("GUEST_RIP given twice (first on line 1)"), twice.getMessage());

        VmxParseException high = parseError("IO_BITMAP_A_HIGH = 1\n");
        assertTrue(high.getMessage().contains("give the 64-bit IO_BITMAP_A instead"), high.getMessage());

        assertEquals(1, parseError("GUEST_RIP = \n").lineNumber());
        assertEquals(1, parseError("= 0x1\n").lineNumber());
        assertTrue(parseError("GUEST_RIP = 0x1_0000_0000_0000_0000\n").getMessage().contains("unexpected character '_'"));
        assertTrue(parseError("GUEST_RIP = 0x10000000000000000\n").getMessage().contains("does not fit in 64 bits"));
        assertTrue(parseError("GUEST_RIP = 18446744073709551616\n").getMessage().contains("does not fit in 64 bits"));
        assertEquals(-1L, VmcsText.parse("GUEST_RIP = 18446744073709551615\n").guestRip());
    }

    @Test
    void theEmbeddedSourceIsFoundLoadsAndSaves(@TempDir Path dir) throws Exception {
        assertTrue(VmcsSources.all().stream().anyMatch(s -> s.name().equals(InMemoryVmcsSource.NAME)));
        assertEquals(InMemoryVmcsSource.NAME, VmcsSources.all().get(0).name());
        VmcsSource found = VmcsSources.find("memory").orElseThrow();
        assertTrue(found.isAvailable());
        IllegalStateException empty = assertThrows(IllegalStateException.class, found::read);
        assertTrue(empty.getMessage().contains("holds no VMCS yet"), empty.getMessage());
        assertTrue(VmcsSources.find("no-such-source").isEmpty());

        InMemoryVmcsSource source = InMemoryVmcsSource.of(eptViolationExit());
        StringWriter saved = new StringWriter();
        source.save(saved);
        Path file = dir.resolve("exit.vmcs");
        Files.writeString(file, saved.toString());
        InMemoryVmcsSource loaded = VmcsSources.embedded();
        assertEquals(eptViolationExit(), loaded.load(file));
        assertEquals(eptViolationExit(), loaded.read());
        Files.writeString(file, "GUEST_RIP = 1\nBOGUS = 2\n");
        VmxParseException error = assertThrows(VmxParseException.class, () -> loaded.load(file));
        assertEquals(2, error.lineNumber());
        assertEquals(eptViolationExit(), loaded.read(), "a failed load keeps the previous VMCS");
    }
}
