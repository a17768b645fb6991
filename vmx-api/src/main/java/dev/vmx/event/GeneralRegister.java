package dev.vmx.event;

/**
 * A general-purpose register as VMX encodes it in exit qualifications and instruction information
 * (0 = RAX, 1 = RCX, 2 = RDX, 3 = RBX, 4 = RSP, 5 = RBP, 6 = RSI, 7 = RDI, 8-15 = R8-R15; SDM Vol. 3C
 * "Exit Qualification for Control-Register Accesses").
 */
public enum GeneralRegister {
    /** 0. */ RAX("rax", "eax", "ax"),
    /** 1. */ RCX("rcx", "ecx", "cx"),
    /** 2. */ RDX("rdx", "edx", "dx"),
    /** 3. */ RBX("rbx", "ebx", "bx"),
    /** 4. */ RSP("rsp", "esp", "sp"),
    /** 5. */ RBP("rbp", "ebp", "bp"),
    /** 6. */ RSI("rsi", "esi", "si"),
    /** 7. */ RDI("rdi", "edi", "di"),
    /** 8. */ R8("r8", "r8d", "r8w"),
    /** 9. */ R9("r9", "r9d", "r9w"),
    /** 10. */ R10("r10", "r10d", "r10w"),
    /** 11. */ R11("r11", "r11d", "r11w"),
    /** 12. */ R12("r12", "r12d", "r12w"),
    /** 13. */ R13("r13", "r13d", "r13w"),
    /** 14. */ R14("r14", "r14d", "r14w"),
    /** 15. */ R15("r15", "r15d", "r15w");

    private static final GeneralRegister[] BY_NUMBER = values();

    private final String name64;
    private final String name32;
    private final String name16;

    GeneralRegister(String name64, String name32, String name16) {
        this.name64 = name64;
        this.name32 = name32;
        this.name16 = name16;
    }

    /**
     * The register with this 4-bit number; only the low four bits are used.
     *
     * @param number the encoded register
     * @return the register
     */
    public static GeneralRegister fromNumber(int number) {
        return BY_NUMBER[number & 15];
    }

    /**
     * The register's number.
     *
     * @return 0..15
     */
    public int number() {
        return ordinal();
    }

    /**
     * The assembler name of the register at an operand width.
     *
     * @param bits 16, 32 or 64 (anything else gives the 64-bit name)
     * @return for example {@code "eax"} for 32
     */
    public String name(int bits) {
        return bits == 16 ? name16 : bits == 32 ? name32 : name64;
    }
}
