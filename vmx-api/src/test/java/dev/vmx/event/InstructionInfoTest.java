package dev.vmx.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.function.ToLongFunction;
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

    private static ToLongFunction<GeneralRegister> registers(long... values) {
        return register -> values[register.number()];
    }

    @Test
    void effectiveAndLinearAddressSayWhichOperandFaulted() {
        // VMPTRLD qword ptr ds:[rax+rbx*8+0x10] with rax = 0x1000, rbx = 2.
        InstructionInfo vmptrld = InstructionInfo.of(BasicExitReason.VMPTRLD, field(3, 2, 3, 3, false, 0, false));
        ToLongFunction<GeneralRegister> regs = registers(0x1000, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertEquals(OptionalLong.of(0x1020), vmptrld.effectiveAddress(0x10, regs));
        assertEquals(OptionalLong.of(0x1020), vmptrld.linearAddress(0x10, regs, 0xdead_0000L, true),
                "DS has no base in 64-bit mode");
        // VMCLEAR qword ptr ss:[ebp-0x4], 32-bit address size: the sum wraps at 32 bits, high register bits ignored.
        InstructionInfo vmclear = InstructionInfo.of(BasicExitReason.VMCLEAR, field(0, 1, 2, 0, true, 5, false));
        ToLongFunction<GeneralRegister> ebp = registers(0, 0, 0, 0, 0, 0x1_0000_0002L, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertEquals(OptionalLong.of(0xffff_fffeL), vmclear.effectiveAddress(0xffff_fffcL, ebp));
        assertEquals(OptionalLong.of(0x0000_fffeL), vmclear.linearAddress(0xffff_fffcL, ebp, 0x1_0000L, false),
                "outside 64-bit mode base + offset wraps at 32 bits");
        // LIDT ds:[bx+si*2+0x7fff], 16-bit address size: wraps at 16 bits.
        InstructionInfo lidt = InstructionInfo.of(BasicExitReason.GDTR_IDTR, field(1, 0, 3, 6, false, 3, false) | 3 << 28);
        ToLongFunction<GeneralRegister> bxsi = registers(0, 0, 0, 0xffff, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertEquals(OptionalLong.of(0x8000), lidt.effectiveAddress(0x7fff, bxsi));
        assertEquals(OptionalLong.of(0), lidt.effectiveAddress(0xffff, bxsi), "0xffff is -1: 0xffff + 2 - 1 wraps to 0");
        // INVEPT xmmword ptr fs:[r12], 64-bit: FS keeps its base in 64-bit mode.
        InstructionInfo invept = InstructionInfo.of(BasicExitReason.INVEPT, field(0, 2, 4, 0, true, 12, false) | 1 << 28);
        ToLongFunction<GeneralRegister> r12 = registers(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0);
        assertEquals(OptionalLong.of(0x7f00_0000_0040L), invept.linearAddress(0, r12, 0x7f00_0000_0000L, true));
        // No memory operand, or an address size the SDM does not define: no answer, not a guess.
        InstructionInfo vmread = InstructionInfo.of(BasicExitReason.VMREAD, 1 << 10);
        assertEquals(OptionalLong.empty(), vmread.effectiveAddress(0, regs));
        assertEquals(OptionalLong.empty(), InstructionInfo.of(BasicExitReason.XSAVES, 3 << 7).effectiveAddress(0, regs));
        assertEquals(OptionalLong.empty(), InstructionInfo.of(BasicExitReason.HLT, 0).linearAddress(0, regs, 0, true));
    }

    /**
     * Linux 6.1 get_vmx_mem_address() (arch/x86/kvm/vmx/nested.c, lines 4934-4996), transcribed
     * statement by statement for the address computation (the #GP/#SS checks left out).
     */
    private static long kvmGetVmxMemAddress(long exitQualification, int info, long[] regs, long segBase, boolean longMode) {
        int scaling = info & 3;
        int addrSize = (info >>> 7) & 7;
        int segReg = (info >>> 15) & 7;
        int indexReg = (info >>> 18) & 0xf;
        boolean indexIsValid = (info & (1 << 22)) == 0;
        int baseReg = (info >>> 23) & 0xf;
        boolean baseIsValid = (info & (1 << 27)) == 0;
        long off = exitQualification;
        if (addrSize == 1) {
            off = (int) off;
        } else if (addrSize == 0) {
            off = (short) off;
        }
        if (baseIsValid) {
            off += regs[baseReg];
        }
        if (indexIsValid) {
            off += regs[indexReg] << scaling;
        }
        if (addrSize == 1) {
            off &= 0xffffffffL;
        } else if (addrSize == 0) {
            off &= 0xffff;
        }
        if (longMode) {
            return segReg == 4 || segReg == 5 ? segBase + off : off;
        }
        return (segBase + off) & 0xffffffffL;
    }

    @Test
    void linearAddressAgreesWithKvmsComputation() {
        SplittableRandom random = new SplittableRandom(0x6e7_4d3dL);
        BasicExitReason[] memoryExits = {BasicExitReason.VMPTRLD, BasicExitReason.VMCLEAR, BasicExitReason.INVEPT,
            BasicExitReason.INVVPID, BasicExitReason.INVPCID, BasicExitReason.VMREAD, BasicExitReason.GDTR_IDTR,
            BasicExitReason.LDTR_TR, BasicExitReason.XSAVES, BasicExitReason.VMON};
        int compared = 0;
        for (int i = 0; i < 20_000; i++) {
            int info = random.nextInt() & ~(1 << 10) & ~(7 << 7) | random.nextInt(3) << 7;
            long[] regs = new long[16];
            for (int r = 0; r < 16; r++) {
                regs[r] = random.nextLong();
            }
            long displacement = random.nextLong();
            long base = random.nextLong();
            boolean longMode = random.nextBoolean();
            BasicExitReason exit = memoryExits[random.nextInt(memoryExits.length)];
            InstructionInfo decoded = InstructionInfo.of(exit, info);
            assertEquals(OptionalLong.of(kvmGetVmxMemAddress(displacement, info, regs, base, longMode)),
                    decoded.linearAddress(displacement, r -> regs[r.number()], base, longMode),
                    exit + " info 0x" + Integer.toHexString(info));
            compared++;
        }
        assertEquals(20_000, compared);
    }

    @Test
    void immediateMsrFormsNameTheirDataRegister() {
        InstructionInfo rdmsr = InstructionInfo.of(ExitReason.of(BasicExitReason.MSR_READ_IMM.number()), 13 << 3);
        assertEquals(InstructionInfoLayout.MSR_IMMEDIATE, rdmsr.layout());
        assertEquals(Optional.of(GeneralRegister.R13), rdmsr.registerOperand());
        assertFalse(rdmsr.hasMemoryOperand());
        assertEquals("MSR_IMMEDIATE: register r13 (0x00000068)", rdmsr.toString());
        // URDMSR/UWRMSR: the layout Xen's USER-MSR patch reads (msr_imm_instr_info_t, bits 6:3), see
        // ../qual/xen-user-msr-exit-information.txt; no SDM edition consulted documents them
        for (BasicExitReason user : new BasicExitReason[] {BasicExitReason.URDMSR, BasicExitReason.UWRMSR}) {
            InstructionInfo info = InstructionInfo.of(ExitReason.of(user.number()), 2 << 3 | 0x7);
            assertEquals(InstructionInfoLayout.MSR_IMMEDIATE, InstructionInfoLayout.forBasic(user));
            assertEquals(Optional.of(GeneralRegister.RDX), info.registerOperand(), user.name());
            assertEquals("MSR_IMMEDIATE: register rdx (0x00000017)", info.toString());
        }
    }
}
