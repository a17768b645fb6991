package dev.vmx.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.SourceTable;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Readings of interruption-information values a hypervisor developer meets. */
class InterruptionInfoTest {
    @Test
    void pageFaultWithErrorCode() {
        InterruptionInfo pf = InterruptionInfo.of(0x8000_0b0e);
        assertTrue(pf.isValid());
        assertEquals(InterruptionType.HARDWARE_EXCEPTION, pf.type());
        assertEquals(Optional.of(ExceptionVector.PF), pf.exception());
        assertTrue(pf.isErrorCodeValid());
        assertTrue(pf.isHardwareException(ExceptionVector.PF));
        assertFalse(pf.isHardwareException(ExceptionVector.GP));
        assertEquals("valid hardware exception #PF (vector 14), error code (0x80000b0e)", pf.toString());
        assertEquals(pf, InterruptionInfo.valid(14, InterruptionType.HARDWARE_EXCEPTION, true));
    }

    @Test
    void otherTypes() {
        assertEquals("valid NMI (vector 2) (0x80000202)", InterruptionInfo.of(0x8000_0202).toString());
        assertEquals("valid software exception #BP (vector 3) (0x80000603)", InterruptionInfo.of(0x8000_0603).toString());
        assertEquals("valid software interrupt vector 128 (0x80000480)", InterruptionInfo.of(0x8000_0480).toString());
        assertEquals("valid privileged software exception #DB (vector 1) (0x80000501)", InterruptionInfo.of(0x8000_0501).toString());
        assertEquals("invalid external interrupt vector 0 (0x00000000)", InterruptionInfo.of(0).toString());
        assertEquals(Optional.empty(), InterruptionInfo.of(0x8000_00ec).exception(), "an external interrupt names no exception");
        assertEquals(Optional.empty(), InterruptionInfo.of(0x8000_0316).exception(), "vector 22 is reserved");
    }

    @Test
    void nmiUnblockingAndReservedBitsAreKept() {
        InterruptionInfo info = InterruptionInfo.of(0x8000_1b0d | 1 << 20);
        assertTrue(info.isNmiUnblockingDueToIret());
        assertEquals(1 << 20, info.reservedBits());
        assertEquals("valid hardware exception #GP (vector 13), error code, NMI unblocking due to IRET, "
                + "reserved bits 0x100000 (0x80101b0d)", info.toString());
        assertTrue(InterruptionInfo.isValid(-1));
        assertEquals(InterruptionType.OTHER_EVENT, InterruptionInfo.type(-1));
        assertEquals(255, InterruptionInfo.vector(-1));
    }

    @Test
    void eachFieldUsesTheTypesItsSdmTableLists() {
        int rows = 0;
        for (String[] row : SourceTable.rows(getClass(), "sdm-interruption-field-types.tsv", true)) {
            InterruptionField field = InterruptionField.valueOf(row[0]);
            InterruptionType type = InterruptionType.fromNumber(Integer.parseInt(row[1]));
            assertEquals(row[2].equals("1"), field.usesType(type), field + " type " + type);
            assertEquals(row[3].equals("nmi"), field.hasNmiUnblocking(), field + " bit 12");
            assertEquals(row[3].equals("reserved"), (field.reservedMask() & InterruptionInfo.NMI_UNBLOCKING_MASK) != 0,
                    field + " bit 12 reserved");
            assertEquals(InterruptionInfo.RESERVED_MASK, field.reservedMask() & ~InterruptionInfo.NMI_UNBLOCKING_MASK,
                    field + " reserves 30:13");
            rows++;
        }
        assertEquals(3 * 8, rows);
    }

    @Test
    void readingAsAFieldNamesWhatThatFieldDefines() {
        // Injecting a pending MTF VM exit: type 7, vector 0, only meaningful on VM entry.
        InterruptionInfo mtf = InterruptionInfo.of(0x8000_0700);
        assertEquals(InterruptionType.OTHER_EVENT, mtf.type());
        assertEquals("valid other event vector 0 (pending MTF VM exit) (0x80000700)",
                mtf.describe(InterruptionField.VM_ENTRY_INTERRUPTION_INFO));
        assertEquals("valid other event vector 0 (pending MTF VM exit), type not used in VM_EXIT_INTERRUPTION_INFO (0x80000700)",
                mtf.describe(InterruptionField.VM_EXIT_INTERRUPTION_INFO));
        // Bit 12 is NMI unblocking on exit, undefined in IDT-vectoring info and reserved on entry.
        InterruptionInfo gp = InterruptionInfo.of(0x8000_1b0d);
        assertEquals("valid hardware exception #GP (vector 13), error code, NMI unblocking due to IRET (0x80001b0d)",
                gp.describe(InterruptionField.VM_EXIT_INTERRUPTION_INFO));
        assertEquals("valid hardware exception #GP (vector 13), error code, undefined bit 12 (0x80001b0d)",
                gp.describe(InterruptionField.IDT_VECTORING_INFO));
        assertEquals("valid hardware exception #GP (vector 13), deliver error code, reserved bits 0x1000 (0x80001b0d)",
                gp.describe(InterruptionField.VM_ENTRY_INTERRUPTION_INFO));
        assertEquals(0x1000, gp.reservedBits(InterruptionField.VM_ENTRY_INTERRUPTION_INFO));
        assertEquals(0, gp.reservedBits(InterruptionField.VM_EXIT_INTERRUPTION_INFO));
        // A software interrupt (INT 0x80) can be vectoring or injected, never an exit's own event.
        InterruptionInfo int80 = InterruptionInfo.of(0x8000_0480);
        assertEquals("valid software interrupt vector 128 (0x80000480)", int80.describe(InterruptionField.IDT_VECTORING_INFO));
        assertEquals("valid software interrupt vector 128, type not used in VM_EXIT_INTERRUPTION_INFO (0x80000480)",
                int80.describe(InterruptionField.VM_EXIT_INTERRUPTION_INFO));
        assertEquals("valid reserved type 1 vector 0, type not used in VM_ENTRY_INTERRUPTION_INFO (0x80000100)",
                InterruptionInfo.of(0x8000_0100).describe(InterruptionField.VM_ENTRY_INTERRUPTION_INFO));
    }
}
