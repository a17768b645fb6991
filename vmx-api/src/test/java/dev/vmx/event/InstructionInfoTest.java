package dev.vmx.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Operand descriptions from instruction information plus the displacement in the exit
 * qualification, composed the way Linux's get_vmx_mem_address() (arch/x86/kvm/vmx/nested.c) reads
 * the same bits: scaling 1:0, address size 9:7, Mem/Reg 10, segment 17:15, index 21:18 (invalid 22),
 * base 26:23 (invalid 27).
 */
class InstructionInfoTest {
    private static int field(int scaling, int addressSize, int segment, int index, boolean indexInvalid, int base,
            boolean baseInvalid) {
        return scaling | addressSize << 7 | segment << 15 | index << 18 | (indexInvalid ? 1 << 22 : 0) | base << 23
                | (baseInvalid ? 1 << 27 : 0);
    }

    @Test
    void vmptrldWithBaseIndexScaleAndDisplacement() {
        int raw = field(3, 2, 3, 3, false, 0, false);
        InstructionInfo info = InstructionInfo.of(ExitReason.of(BasicExitReason.VMPTRLD.number()), raw);
        assertEquals(InstructionInfoLayout.VMX_POINTER_AND_XSAVES, info.layout());
        assertEquals(8, info.scale());
        assertEquals(OptionalInt.of(64), info.addressSize());
        assertEquals(Optional.of(SegmentRegister.DS), info.segment());
        assertEquals(Optional.of("qword ptr ds:[rax+rbx*8+0x10]"), info.memoryOperand(0x10));
        assertEquals(Optional.of("qword ptr ds:[rax+rbx*8-0x8]"), info.memoryOperand(-8));
        assertEquals(Optional.of("qword ptr ds:[rax+rbx*8]"), info.memoryOperand(0));
    }

    @Test
    void addressSizeNamesTheRegistersAndWrapsTheDisplacement() {
        int raw = field(0, 1, 2, 0, true, 5, false);
        InstructionInfo info = InstructionInfo.of(BasicExitReason.VMCLEAR, raw);
        assertEquals(Optional.of("qword ptr ss:[ebp-0x4]"), info.memoryOperand(0xffff_fffcL));
        InstructionInfo absolute = InstructionInfo.of(BasicExitReason.INVEPT, field(0, 2, 3, 0, true, 0, true) | 1 << 28);
        assertEquals(Optional.of("xmmword ptr ds:[0x601000]"), absolute.memoryOperand(0x60_1000));
        assertEquals(Optional.of(GeneralRegister.RCX), absolute.reg2(), "the INVEPT type register");
        InstructionInfo sixteen = InstructionInfo.of(BasicExitReason.GDTR_IDTR, field(1, 0, 3, 6, false, 3, false) | 3 << 28 | 1 << 11);
        assertEquals(Optional.of("LIDT"), sixteen.instruction());
        assertEquals(OptionalInt.of(32), sixteen.operandSize());
        assertEquals(Optional.of("ds:[bx+si*2+0x7fff]"), sixteen.memoryOperand(0x7fff));
        assertEquals(Optional.of("ds:[bx+si*2-0x1]"), sixteen.memoryOperand(0xffff));
    }

    @Test
    void registerFormsHaveNoMemoryOperand() {
        // VMREAD rax <- field in rcx, register form (bit 10), Reg1 = rax (0), Reg2 = rcx (1).
        InstructionInfo vmread = InstructionInfo.of(BasicExitReason.VMREAD, 1 << 10 | 0 << 3 | 1 << 28 | 2 << 7);
        assertFalse(vmread.hasMemoryOperand());
        assertEquals(Optional.empty(), vmread.memoryOperand(0x10));
        assertEquals(Optional.of(GeneralRegister.RAX), vmread.registerOperand());
        assertEquals(Optional.of(GeneralRegister.RCX), vmread.reg2());
        InstructionInfo ltr = InstructionInfo.of(BasicExitReason.LDTR_TR, 1 << 10 | 7 << 3 | 3 << 28);
        assertEquals(Optional.of("LTR"), ltr.instruction());
        assertEquals(Optional.of(GeneralRegister.RDI), ltr.registerOperand());
        InstructionInfo rdseed = InstructionInfo.of(BasicExitReason.RDSEED, 9 << 3 | 2 << 11);
        assertEquals(Optional.of(GeneralRegister.R9), rdseed.registerOperand());
        assertEquals(OptionalInt.of(64), rdseed.operandSize());
        assertEquals(OptionalInt.empty(), InstructionInfo.of(BasicExitReason.RDRAND, 3 << 11).operandSize(), "code 3 is undefined");
        InstructionInfo umwait = InstructionInfo.of(BasicExitReason.UMWAIT, 2 << 3);
        assertEquals(Optional.of(GeneralRegister.RDX), umwait.registerOperand());
        assertEquals("LOADIWKEY: xmm1, xmm2 (0x20000008)", InstructionInfo.of(BasicExitReason.LOADIWKEY, 1 << 3 | 2 << 28).toString());
    }

    @Test
    void undefinedEncodingsAreReportedNotGuessed() {
        InstructionInfo odd = InstructionInfo.of(BasicExitReason.XSAVES, field(0, 5, 7, 0, true, 0, false));
        assertEquals(OptionalInt.empty(), odd.addressSize());
        assertEquals(Optional.empty(), odd.segment());
        assertEquals(Optional.of("seg7:[rax]"), odd.memoryOperand(0));
        InstructionInfo none = InstructionInfo.of(BasicExitReason.HLT, -1);
        assertEquals(InstructionInfoLayout.NONE, none.layout());
        assertEquals(Optional.empty(), none.memoryOperand(0));
        assertEquals(Optional.empty(), none.registerOperand());
        InstructionInfo insOuts = InstructionInfo.of(BasicExitReason.IO_INSTRUCTION, 1 << 7 | 3 << 15);
        assertEquals("INS_OUTS: address size 32 segment DS (0x00018080)", insOuts.toString());
        assertTrue(InstructionInfoLayout.VMREAD_VMWRITE.isMemoryOrRegister());
    }
}
