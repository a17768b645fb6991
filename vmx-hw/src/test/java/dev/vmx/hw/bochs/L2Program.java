package dev.vmx.hw.bochs;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A small 64-bit L2 program written as (nasm source, bytes) pairs, so that each instruction's
 * address is known and {@link L2ProgramTest} can check every byte string against nasm.
 */
final class L2Program {
    /** One instruction: its nasm text and its encoding. */
    record Instruction(String asm, byte[] bytes) {
    }

    /** Every instruction any test program used, for the nasm check. */
    static final List<Instruction> ALL = new ArrayList<>();

    private final List<Instruction> instructions = new ArrayList<>();
    private final List<Long> addresses = new ArrayList<>();
    private final ByteArrayOutputStream code = new ByteArrayOutputStream();
    private final long base;

    L2Program(long base) {
        this.base = base;
    }

    static L2Program at(long base) {
        return new L2Program(base);
    }

    /**
     * Appends an instruction.
     *
     * @param asm its nasm text (bits 64)
     * @param hex its bytes, in hex with optional spaces
     * @return this program
     */
    L2Program op(String asm, String hex) {
        byte[] bytes = HexFormat.of().parseHex(hex.replace(" ", ""));
        Instruction instruction = new Instruction(asm, bytes);
        synchronized (ALL) {
            if (ALL.stream().noneMatch(i -> i.asm().equals(asm))) {
                ALL.add(instruction);
            }
        }
        addresses.add(base + code.size());
        instructions.add(instruction);
        code.writeBytes(bytes);
        return this;
    }

    /** The address of the n-th instruction (0 = first). */
    long address(int n) {
        return addresses.get(n);
    }

    /** The length of the n-th instruction. */
    int length(int n) {
        return instructions.get(n).bytes().length;
    }

    byte[] bytes() {
        return code.toByteArray();
    }

    long base() {
        return base;
    }
}
