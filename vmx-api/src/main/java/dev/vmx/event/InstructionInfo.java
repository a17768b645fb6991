package dev.vmx.event;

import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.ToLongFunction;

/**
 * The VM-exit instruction-information field, read in the layout its exit reason selects
 * ({@link InstructionInfoLayout}). Bit positions common to the SDM's layouts:
 *
 * <pre>
 *  1:0   scaling (0: none, 1: *2, 2: *4, 3: *8)
 *  6:3   Reg1 (register operand; destination of RDRAND/RDSEED; XMM of LOADIWKEY; data register
 *        of immediate-form RDMSR/WRMSRNS)
 *  9:7   address size (0: 16-bit, 1: 32-bit, 2: 64-bit)
 * 10     Mem/Reg (0: memory, 1: register) for LLDT/LTR/SLDT/STR and VMREAD/VMWRITE
 * 11     operand size of LGDT/LIDT/SGDT/SIDT (0: 16-bit, 1: 32-bit)
 * 12:11  operand size of RDRAND/RDSEED (0: 16, 1: 32, 2: 64)
 * 17:15  segment register
 * 21:18  IndexReg, 22 IndexReg invalid
 * 26:23  BaseReg, 27 BaseReg invalid
 * 29:28  instruction identity (descriptor-table and LDTR/TR layouts)
 * 31:28  Reg2 (INVEPT/INVPCID/INVVPID type, VMREAD/VMWRITE field encoding, LOADIWKEY XMM)
 * </pre>
 *
 * Accessors return the raw bit fields whatever the layout (bits the layout leaves undefined read as
 * they are); the {@code Optional} forms answer only where the layout defines the field.
 */
public final class InstructionInfo {
    private final BasicExitReason basic;
    private final InstructionInfoLayout layout;
    private final int raw;

    private InstructionInfo(BasicExitReason basic, int raw) {
        this.basic = basic;
        this.layout = InstructionInfoLayout.forBasic(basic);
        this.raw = raw;
    }

    /**
     * Decodes the field for an exit; every int is accepted.
     *
     * @param reason the exit reason, which selects the layout
     * @param raw the 32-bit VMX_INSTRUCTION_INFO field
     * @return the decoded view
     */
    public static InstructionInfo of(ExitReason reason, int raw) {
        return new InstructionInfo(reason.basic(), raw);
    }

    /**
     * Decodes the field for a basic exit reason.
     *
     * @param basic the basic exit reason
     * @param raw the 32-bit field
     * @return the decoded view
     */
    public static InstructionInfo of(BasicExitReason basic, int raw) {
        return new InstructionInfo(basic, raw);
    }

    /**
     * The raw field.
     *
     * @return the 32 bits as given
     */
    public int raw() {
        return raw;
    }

    /**
     * The layout in which this field is read.
     *
     * @return the layout
     */
    public InstructionInfoLayout layout() {
        return layout;
    }

    /**
     * Bits 1:0 as a factor.
     *
     * @return 1, 2, 4 or 8
     */
    public int scale() {
        return 1 << (raw & 3);
    }

    /**
     * Bits 6:3, Reg1.
     *
     * @return the register number 0..15
     */
    public int reg1Number() {
        return (raw >>> 3) & 15;
    }

    /**
     * Bits 9:7, the address-size code.
     *
     * @return 0..7 as stored
     */
    public int addressSizeCode() {
        return (raw >>> 7) & 7;
    }

    /**
     * The address size in bits.
     *
     * @return 16, 32 or 64; empty for the undefined codes 3..7
     */
    public OptionalInt addressSize() {
        int code = addressSizeCode();
        return code <= 2 ? OptionalInt.of(16 << code) : OptionalInt.empty();
    }

    /**
     * Bit 10: the operand is a register (LLDT/LTR/SLDT/STR, VMREAD/VMWRITE).
     *
     * @return whether bit 10 is set
     */
    public boolean isRegisterOperand() {
        return (raw & (1 << 10)) != 0;
    }

    /**
     * Bits 17:15, the segment-register code.
     *
     * @return 0..7 as stored
     */
    public int segmentCode() {
        return (raw >>> 15) & 7;
    }

    /**
     * The segment register of the memory operand. For INS the SDM leaves bits 17:15 undefined (INS
     * always writes through ES); only OUTS reports its source segment. The direction is bit 3 of the
     * I/O-instruction exit qualification, which this field does not hold.
     *
     * @return the register; empty for codes 6 and 7
     */
    public Optional<SegmentRegister> segment() {
        return SegmentRegister.fromNumber(segmentCode());
    }

    /**
     * Bits 21:18, IndexReg.
     *
     * @return the register
     */
    public GeneralRegister indexRegister() {
        return GeneralRegister.fromNumber(raw >>> 18);
    }

    /**
     * Bit 22 clear: IndexReg is used.
     *
     * @return whether the index register is valid
     */
    public boolean isIndexValid() {
        return (raw & (1 << 22)) == 0;
    }

    /**
     * Bits 26:23, BaseReg.
     *
     * @return the register
     */
    public GeneralRegister baseRegister() {
        return GeneralRegister.fromNumber(raw >>> 23);
    }

    /**
     * Bit 27 clear: BaseReg is used.
     *
     * @return whether the base register is valid
     */
    public boolean isBaseValid() {
        return (raw & (1 << 27)) == 0;
    }

    /**
     * Bits 31:28, Reg2.
     *
     * @return the register number 0..15
     */
    public int reg2Number() {
        return raw >>> 28;
    }

    /**
     * Bits 29:28, the instruction identity of the descriptor-table and LDTR/TR layouts.
     *
     * @return 0..3 as stored
     */
    public int instructionIdentityCode() {
        return (raw >>> 28) & 3;
    }

    /**
     * The instruction that exited, where the layout names it.
     *
     * @return SGDT, SIDT, LGDT, LIDT (descriptor-table layout), SLDT, STR, LLDT, LTR (LDTR/TR layout);
     *     empty for other layouts
     */
    public Optional<String> instruction() {
        int identity = instructionIdentityCode();
        if (layout == InstructionInfoLayout.DESCRIPTOR_TABLE) {
            return Optional.of(new String[] {"SGDT", "SIDT", "LGDT", "LIDT"}[identity]);
        }
        if (layout == InstructionInfoLayout.LDTR_TR) {
            return Optional.of(new String[] {"SLDT", "STR", "LLDT", "LTR"}[identity]);
        }
        return Optional.empty();
    }

    /**
     * The operand size in bits where the layout defines one: bit 11 for LGDT/LIDT/SGDT/SIDT
     * (16 or 32), bits 12:11 for RDRAND/RDSEED (16, 32, 64).
     *
     * @return the size; empty for other layouts and for the undefined RDRAND/RDSEED code 3
     */
    public OptionalInt operandSize() {
        if (layout == InstructionInfoLayout.DESCRIPTOR_TABLE) {
            return OptionalInt.of((raw & (1 << 11)) == 0 ? 16 : 32);
        }
        if (layout == InstructionInfoLayout.RDRAND_RDSEED) {
            int code = (raw >>> 11) & 3;
            return code <= 2 ? OptionalInt.of(16 << code) : OptionalInt.empty();
        }
        return OptionalInt.empty();
    }

    /**
     * The register operand, where the layout has one: Reg1 of a register-form LLDT/LTR/SLDT/STR or
     * VMREAD/VMWRITE, the destination of RDRAND/RDSEED, the operand of TPAUSE/UMWAIT, the data
     * register of RDMSR/WRMSRNS with an immediate MSR index and of URDMSR/UWRMSR.
     *
     * @return the register; empty otherwise
     */
    public Optional<GeneralRegister> registerOperand() {
        switch (layout) {
            case LDTR_TR:
            case VMREAD_VMWRITE:
                return isRegisterOperand() ? Optional.of(GeneralRegister.fromNumber(reg1Number())) : Optional.empty();
            case RDRAND_RDSEED:
            case TPAUSE_UMWAIT:
            case MSR_IMMEDIATE:
                return Optional.of(GeneralRegister.fromNumber(reg1Number()));
            default:
                return Optional.empty();
        }
    }

    /**
     * Reg2 where the layout defines it as a general-purpose register (INVEPT/INVPCID/INVVPID type
     * register, VMREAD/VMWRITE field-encoding register).
     *
     * @return the register; empty otherwise (LOADIWKEY's Reg2 is an XMM register, see
     *     {@link #reg2Number()})
     */
    public Optional<GeneralRegister> reg2() {
        if (layout == InstructionInfoLayout.INVALIDATION || layout == InstructionInfoLayout.VMREAD_VMWRITE) {
            return Optional.of(GeneralRegister.fromNumber(reg2Number()));
        }
        return Optional.empty();
    }

    /**
     * Whether the exiting instruction had a memory operand described by this field.
     *
     * @return true for memory layouts, unless bit 10 says the operand is a register
     */
    public boolean hasMemoryOperand() {
        return layout.hasMemoryOperand() && !(layout.isMemoryOrRegister() && isRegisterOperand());
    }

    /**
     * Describes the memory operand in assembler syntax, given the displacement that the exit
     * qualification holds for these exits (SDM: "the exit qualification receives the value of the
     * instruction's displacement field"). For example {@code "qword ptr ds:[rax+rbx*8+0x10]"}.
     * The size prefix appears where the instruction fixes the operand size.
     *
     * @param displacement the exit qualification of the same exit
     * @return the operand; empty when the instruction had no memory operand described here
     */
    public Optional<String> memoryOperand(long displacement) {
        if (!hasMemoryOperand()) {
            return Optional.empty();
        }
        int bits = addressSize().orElse(64);
        StringBuilder text = new StringBuilder();
        String size = sizePrefix();
        if (!size.isEmpty()) {
            text.append(size).append(' ');
        }
        Optional<SegmentRegister> segment = segment();
        text.append(segment.isPresent() ? segment.get().name().toLowerCase(java.util.Locale.ROOT) : "seg" + segmentCode());
        text.append(":[");
        boolean any = false;
        if (isBaseValid()) {
            text.append(baseRegister().name(bits));
            any = true;
        }
        if (isIndexValid()) {
            if (any) {
                text.append('+');
            }
            text.append(indexRegister().name(bits));
            if (scale() != 1) {
                text.append('*').append(scale());
            }
            any = true;
        }
        // The displacement is sign-extended to the address size.
        long signed = bits == 16 ? (short) displacement : bits == 32 ? (int) displacement : displacement;
        if (!any) {
            text.append(hex(bits == 64 ? signed : signed & (bits == 16 ? 0xffffL : 0xffff_ffffL)));
        } else if (signed > 0) {
            text.append('+').append(hex(signed));
        } else if (signed < 0) {
            text.append('-').append(signed == Long.MIN_VALUE ? "0x8000000000000000" : hex(-signed));
        }
        return Optional.of(text.append(']').toString());
    }

    /**
     * The effective address of the memory operand (the offset within its segment), computed as
     * Linux's {@code get_vmx_mem_address()} does: the displacement sign-extended from the address
     * size, plus the base register, plus the index register shifted by the scaling, truncated to
     * the address size. With the faulting address of a #PF or an EPT violation this says which
     * operand faulted.
     *
     * @param displacement the exit qualification of the same exit
     * @param registers the guest's general-purpose registers, for example read from the exit's
     *     register dump
     * @return the effective address; empty when the instruction had no memory operand described
     *     here or the address-size code is one the SDM does not define (3..7)
     */
    public OptionalLong effectiveAddress(long displacement, ToLongFunction<GeneralRegister> registers) {
        OptionalInt bits = addressSize();
        if (!hasMemoryOperand() || bits.isEmpty()) {
            return OptionalLong.empty();
        }
        int size = bits.getAsInt();
        long offset = size == 16 ? (short) displacement : size == 32 ? (int) displacement : displacement;
        if (isBaseValid()) {
            offset += registers.applyAsLong(baseRegister());
        }
        if (isIndexValid()) {
            offset += registers.applyAsLong(indexRegister()) << (raw & 3);
        }
        return OptionalLong.of(size == 16 ? offset & 0xffffL : size == 32 ? offset & 0xffff_ffffL : offset);
    }

    /**
     * The linear address of the memory operand: the segment base plus the
     * {@linkplain #effectiveAddress effective address}. In 64-bit mode only FS and GS have a base
     * (the others count as 0) and nothing is truncated; outside 64-bit mode the sum is truncated
     * to 32 bits (Linux {@code get_vmx_mem_address()}).
     *
     * @param displacement the exit qualification of the same exit
     * @param registers the guest's general-purpose registers
     * @param segmentBase the base of the segment {@link #segment()} names
     * @param longMode whether the guest was in 64-bit mode
     * @return the linear address; empty when {@link #effectiveAddress} is
     */
    public OptionalLong linearAddress(long displacement, ToLongFunction<GeneralRegister> registers, long segmentBase,
            boolean longMode) {
        OptionalLong offset = effectiveAddress(displacement, registers);
        if (offset.isEmpty()) {
            return offset;
        }
        if (longMode) {
            boolean based = segmentCode() == SegmentRegister.FS.ordinal() || segmentCode() == SegmentRegister.GS.ordinal();
            return OptionalLong.of(based ? segmentBase + offset.getAsLong() : offset.getAsLong());
        }
        return OptionalLong.of((segmentBase + offset.getAsLong()) & 0xffff_ffffL);
    }

    private String sizePrefix() {
        switch (basic) {
            case INVEPT:
            case INVPCID:
            case INVVPID:
                return "xmmword ptr";
            case VMCLEAR:
            case VMPTRLD:
            case VMPTRST:
            case VMON:
                return "qword ptr";
            case LDTR_TR:
                return "word ptr";
            default:
                return "";
        }
    }

    private static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof InstructionInfo && ((InstructionInfo) other).raw == raw
                && ((InstructionInfo) other).basic == basic;
    }

    @Override
    public int hashCode() {
        return raw * 31 + basic.hashCode();
    }

    /** Reads like {@code VMREAD_VMWRITE: memory operand ds:[rax], reg2 rcx (0x...)}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(layout.name()).append(':');
        instruction().ifPresent(name -> text.append(' ').append(name));
        if (hasMemoryOperand()) {
            text.append(" memory operand ").append(memoryOperand(0).orElse(""));
        }
        registerOperand().ifPresent(register -> text.append(" register ").append(register.name(64)));
        reg2().ifPresent(register -> text.append(" reg2 ").append(register.name(64)));
        operandSize().ifPresent(size -> text.append(" operand size ").append(size));
        if (layout == InstructionInfoLayout.INS_OUTS) {
            text.append(" address size ").append(addressSize().isPresent() ? addressSize().getAsInt() : -1);
            segment().ifPresent(segment -> text.append(" segment ").append(segment));
        }
        if (layout == InstructionInfoLayout.LOADIWKEY) {
            text.append(" xmm").append(reg1Number()).append(", xmm").append(reg2Number());
        }
        return text.append(String.format(" (0x%08x)", raw)).toString();
    }
}
