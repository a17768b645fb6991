package dev.vmx.vmcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.SourceTable;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@link FieldEncoding} against the SDM's "Structure of VMCS Component Encoding" table. */
class FieldEncodingTest {

    private static int mask(String[] row) {
        int low = Integer.parseInt(row[1]);
        int high = Integer.parseInt(row[2]);
        return (int) (((1L << (high - low + 1)) - 1) << low);
    }

    /** The bit ranges and codes of the table, applied to every well-formed encoding below 0x8000. */
    @Test
    void everyPartDecodesFromTheBitsTheSdmGivesIt() {
        int reserved = 0;
        int covered = 0;
        for (String[] row : SourceTable.rows(getClass(), "sdm-component-encoding.tsv", true)) {
            covered |= mask(row);
            if (row[0].equals("reserved")) {
                reserved |= mask(row);
            }
        }
        assertEquals(-1, covered, "the table covers all 32 bits");
        assertEquals(reserved, FieldEncoding.RESERVED_MASK);
        for (String[] row : SourceTable.rows(getClass(), "sdm-component-encoding.tsv", true)) {
            int low = Integer.parseInt(row[1]);
            int mask = mask(row);
            for (int encoding = 0; encoding < 0x8000; encoding++) {
                if (!FieldEncoding.isWellFormed(encoding)) {
                    continue;
                }
                FieldEncoding decoded = FieldEncoding.decode(encoding);
                int part = (encoding & mask) >>> low;
                switch (row[0]) {
                    case "access":
                        if (Integer.parseInt(row[3]) == part) {
                            assertEquals(row[4].equals("high") ? AccessType.HIGH : AccessType.FULL, decoded.accessType());
                        }
                        break;
                    case "index":
                        assertEquals(part, decoded.index());
                        break;
                    case "type":
                        if (Integer.parseInt(row[3]) == part) {
                            assertEquals(typeNamed(row[4]), decoded.type(), row[4]);
                            assertEquals(part, decoded.type().code());
                        }
                        break;
                    case "width":
                        if (Integer.parseInt(row[3]) == part) {
                            assertEquals(widthNamed(row[4]), decoded.width(), row[4]);
                            assertEquals(part, decoded.width().code());
                        }
                        break;
                    case "reserved":
                        assertEquals(0, part);
                        break;
                    default:
                        throw new AssertionError("unknown part " + row[0]);
                }
            }
        }
    }

    private static FieldType typeNamed(String sdm) {
        switch (sdm) {
            case "control":
                return FieldType.CONTROL;
            case "VM-exit information":
                return FieldType.EXIT_INFO;
            case "guest state":
                return FieldType.GUEST_STATE;
            case "host state":
                return FieldType.HOST_STATE;
            default:
                throw new AssertionError(sdm);
        }
    }

    private static FieldWidth widthNamed(String sdm) {
        switch (sdm) {
            case "16-bit":
                return FieldWidth.BITS_16;
            case "64-bit":
                return FieldWidth.BITS_64;
            case "32-bit":
                return FieldWidth.BITS_32;
            case "natural-width":
                return FieldWidth.NATURAL;
            default:
                throw new AssertionError(sdm);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "0x1000,     'malformed VMCS field encoding 0x1000: bit 12 is reserved and must be 0'",
        "0x681f,     'malformed VMCS field encoding 0x681f: HIGH access (bit 0) on a NATURAL field; only 64-bit fields have one'",
        "0x0001,     'malformed VMCS field encoding 0x1: HIGH access (bit 0) on a BITS_16 field; only 64-bit fields have one'",
        "0x4403,     'malformed VMCS field encoding 0x4403: HIGH access (bit 0) on a BITS_32 field; only 64-bit fields have one'",
        "0x8000,     'malformed VMCS field encoding 0x8000: bits 31:15 are reserved and must be 0'",
        "0x80002000, 'malformed VMCS field encoding 0x80002000: bits 31:15 are reserved and must be 0'",
        "0x00012000, 'malformed VMCS field encoding 0x12000: bits 31:15 are reserved and must be 0'",
    })
    void malformedEncodingsAreRejectedNamingTheEncodingInHex(String hex, String message) {
        int encoding = Integer.parseUnsignedInt(hex.substring(2), 16);
        assertFalse(FieldEncoding.isWellFormed(encoding));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> FieldEncoding.decode(encoding));
        assertEquals(message, error.getMessage());
    }

    @Test
    void highAccessIsWellFormedOnlyOn64BitFields() {
        for (FieldWidth width : FieldWidth.values()) {
            for (FieldType type : FieldType.values()) {
                int full = (width.code() << 13) | (type.code() << 10) | (5 << 1);
                assertTrue(FieldEncoding.isWellFormed(full), width + " " + type);
                assertEquals(width == FieldWidth.BITS_64, FieldEncoding.isWellFormed(full | 1), width + " " + type);
            }
        }
    }

    @Test
    void buildingFromPartsChecksItsArguments() {
        assertEquals(0x681e, FieldEncoding.of(FieldWidth.NATURAL, FieldType.GUEST_STATE, 15, AccessType.FULL).encoding());
        assertEquals(0x2001, FieldEncoding.of(FieldWidth.BITS_64, FieldType.CONTROL, 0, AccessType.HIGH).encoding());
        assertEquals("VMCS field index 512 is outside 0..511", assertThrows(IllegalArgumentException.class,
                () -> FieldEncoding.of(FieldWidth.BITS_32, FieldType.CONTROL, 512, AccessType.FULL)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> FieldEncoding.of(FieldWidth.BITS_32, FieldType.CONTROL, -1, AccessType.FULL));
        IllegalArgumentException high = assertThrows(IllegalArgumentException.class,
                () -> FieldEncoding.of(FieldWidth.BITS_16, FieldType.HOST_STATE, 3, AccessType.HIGH));
        assertTrue(high.getMessage().contains("0xc07"), high.getMessage());
    }

    @Test
    void valuesAreEqualByEncodingAndPrintTheirParts() {
        SplittableRandom random = new SplittableRandom(12);
        for (int i = 0; i < 10_000; i++) {
            int encoding = random.nextInt(0x8000) & ~0x1000 & ~1;
            FieldEncoding a = FieldEncoding.decode(encoding);
            assertEquals(a, FieldEncoding.decode(encoding));
            assertEquals(a.hashCode(), FieldEncoding.decode(encoding).hashCode());
            assertEquals(a, FieldEncoding.of(a.width(), a.type(), a.index(), a.accessType()));
        }
        assertNotEquals(FieldEncoding.decode(0x2000), FieldEncoding.decode(0x2001));
        assertEquals("0x6820 (NATURAL GUEST_STATE index 16 FULL)", FieldEncoding.decode(0x6820).toString());
        assertEquals("0x2001 (BITS_64 CONTROL index 0 HIGH)", FieldEncoding.decode(0x2001).toString());
    }
}
