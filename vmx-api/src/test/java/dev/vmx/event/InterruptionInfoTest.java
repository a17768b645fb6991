package dev.vmx.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertEquals("valid NMI NMI (vector 2) (0x80000202)", InterruptionInfo.of(0x8000_0202).toString());
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
}
