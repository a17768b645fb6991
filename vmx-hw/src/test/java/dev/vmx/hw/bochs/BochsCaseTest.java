package dev.vmx.hw.bochs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.exit.BasicExitReason;
import dev.vmx.vmcs.VmcsField;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Case building without Bochs: every bad input is named, the stream is what l1hv.asm reads. */
class BochsCaseTest {
    @Test
    void everyProblemNamesTheCaseAndTheInput() {
        BochsCase c = BochsCase.builder("bad").poke(0x1000, 1).poke(0x100004, 1).fill(0x100000, -1, 0, 0).register(4, 1)
                .maxExits(0).write(VmcsField.GUEST_ES_LIMIT, 1L << 32).write(0x7fff, 0).build();
        assertEquals(List.of(
                "case 'bad': address 0x1000 (1 x 8 bytes) is not 8-byte aligned memory between 1 MiB and 4 GiB",
                "case 'bad': address 0x100004 (1 x 8 bytes) is not 8-byte aligned memory between 1 MiB and 4 GiB",
                "case 'bad': fill count -1 is negative",
                "case 'bad': register index 4 is not 0..15 without 4 (RSP)",
                "case 'bad': maxExits 0 is outside 1..1048576",
                "case 'bad': value 0x100000000 is wider than GUEST_ES_LIMIT (encoding 0x4800, 32 bits)",
                "case 'bad': encoding 0x7fff names no VMCS field (use writeUnchecked to send it to the CPU anyway)"), c.problems());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::validate);
        assertTrue(e.getMessage().startsWith("case 'bad': address 0x1000"), e.getMessage());
        assertTrue(c.writes().isEmpty(), "nothing bad is kept");
    }

    @Test
    void aCopyRenamesItsProblems() {
        BochsCase.Builder b = BochsCase.builder("a").register(4, 0);
        assertEquals(List.of("case 'b': register index 4 is not 0..15 without 4 (RSP)"), b.copy("b").build().problems());
    }

    @Test
    void operationsAreTheStreamFormatOfTheHypervisor() {
        BochsCase c = BochsCase.builder("ops").write(VmcsField.GUEST_RIP, 0x200000).poke(0x100000, -1).register(3, 7)
                .advanceRipOn(BasicExitReason.CPUID, BasicExitReason.HLT).maxExits(2).build();
        ByteBuffer ops = ByteBuffer.wrap(c.operations()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(BochsCase.OP_VMWRITE, ops.getInt());
        assertEquals(0x681e, ops.getInt());
        assertEquals(0x200000, ops.getLong());
        assertEquals(BochsCase.OP_POKE, ops.getInt());
        assertEquals(0x100000, ops.getLong());
        assertEquals(-1, ops.getLong());
        assertEquals(BochsCase.OP_GPR, ops.getInt());
        assertEquals(3, ops.getInt());
        assertEquals(7, ops.getLong());
        assertEquals(0, ops.remaining());
        assertEquals((1L << 10) | (1L << 12), c.advanceRipOn());
        assertEquals(2, c.maxExits());
        assertEquals(0x200000, c.written(VmcsField.GUEST_RIP).getAsLong());
    }

    @Test
    void theDefaultAdvanceCoversInstructionExitsOnly() {
        long mask = BochsCase.DEFAULT_ADVANCE;
        for (BasicExitReason reason : List.of(BasicExitReason.CPUID, BasicExitReason.HLT, BasicExitReason.IO_INSTRUCTION,
                BasicExitReason.CR_ACCESS, BasicExitReason.MSR_READ, BasicExitReason.VMCALL, BasicExitReason.RDTSCP)) {
            assertTrue((mask >>> reason.number() & 1) == 1, reason.toString());
        }
        for (BasicExitReason reason : List.of(BasicExitReason.EXCEPTION_NMI, BasicExitReason.EPT_VIOLATION,
                BasicExitReason.PREEMPTION_TIMER, BasicExitReason.MONITOR_TRAP_FLAG, BasicExitReason.INTERRUPT_WINDOW,
                BasicExitReason.TRIPLE_FAULT, BasicExitReason.INVALID_STATE)) {
            assertEquals(0, mask >>> reason.number() & 1, reason.toString());
        }
    }
}
