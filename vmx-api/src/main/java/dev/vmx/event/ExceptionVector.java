package dev.vmx.event;

import java.util.Optional;

/**
 * The architecturally defined exception vectors (SDM Vol. 3A "Exception and Interrupt Vectors";
 * numbers as in Linux {@code arch/x86/include/asm/trapnr.h}). Vector 2 is the NMI; vectors 22-31
 * other than 29 are reserved and have no constant.
 */
public enum ExceptionVector {
    /** 0: divide error. */
    DE(0, "Divide Error"),
    /** 1: debug exception. */
    DB(1, "Debug"),
    /** 2: non-maskable interrupt. */
    NMI(2, "Non-maskable Interrupt"),
    /** 3: breakpoint (INT3). */
    BP(3, "Breakpoint"),
    /** 4: overflow (INTO). */
    OF(4, "Overflow"),
    /** 5: BOUND range exceeded. */
    BR(5, "BOUND Range Exceeded"),
    /** 6: invalid opcode. */
    UD(6, "Invalid Opcode"),
    /** 7: device not available. */
    NM(7, "Device Not Available"),
    /** 8: double fault. */
    DF(8, "Double Fault"),
    /** 9: coprocessor segment overrun (reserved since the 486). */
    OLD_MF(9, "Coprocessor Segment Overrun"),
    /** 10: invalid TSS. */
    TS(10, "Invalid TSS"),
    /** 11: segment not present. */
    NP(11, "Segment Not Present"),
    /** 12: stack-segment fault. */
    SS(12, "Stack-Segment Fault"),
    /** 13: general protection. */
    GP(13, "General Protection"),
    /** 14: page fault. */
    PF(14, "Page Fault"),
    /** 15: Intel reserved (Linux {@code X86_TRAP_SPURIOUS}). */
    SPURIOUS(15, "Reserved (spurious)"),
    /** 16: x87 floating-point error. */
    MF(16, "x87 Floating-Point Error"),
    /** 17: alignment check. */
    AC(17, "Alignment Check"),
    /** 18: machine check. */
    MC(18, "Machine Check"),
    /** 19: SIMD floating-point exception. */
    XM(19, "SIMD Floating-Point Exception"),
    /** 20: virtualization exception. */
    VE(20, "Virtualization Exception"),
    /** 21: control-protection exception (CET). */
    CP(21, "Control Protection Exception"),
    /** 29: VMM communication exception (AMD SEV-ES; Linux {@code X86_TRAP_VC}). */
    VC(29, "VMM Communication Exception");

    private static final ExceptionVector[] BY_VECTOR = new ExceptionVector[32];

    static {
        for (ExceptionVector vector : values()) {
            BY_VECTOR[vector.vector] = vector;
        }
    }

    private final int vector;
    private final String description;

    ExceptionVector(int vector, String description) {
        this.vector = vector;
        this.description = description;
    }

    /**
     * The vector number.
     *
     * @return 0..31
     */
    public int vector() {
        return vector;
    }

    /**
     * The mnemonic as manuals write it.
     *
     * @return for example {@code "#PF"}; {@code "NMI"} for vector 2
     */
    public String mnemonic() {
        return this == NMI ? "NMI" : this == OLD_MF ? "#MF(old)" : this == SPURIOUS ? "#15" : "#" + name();
    }

    /**
     * The exception's name in words.
     *
     * @return for example {@code "Page Fault"}
     */
    public String description() {
        return description;
    }

    /**
     * The exception with this vector.
     *
     * @param vector any int
     * @return the exception, or empty for vectors 22..31 other than 29 and anything outside 0..31
     */
    public static Optional<ExceptionVector> fromVector(int vector) {
        return vector >= 0 && vector < 32 ? Optional.ofNullable(BY_VECTOR[vector]) : Optional.empty();
    }
}
