package dev.vmx.qual;

import dev.vmx.event.GeneralRegister;

/**
 * Exit qualification for control-register accesses (SDM Vol. 3C Table "Exit Qualification for
 * Control-Register Accesses"; Linux {@code CONTROL_REG_ACCESS_*}, {@code LMSW_SOURCE_DATA}):
 *
 * <pre>
 *  3:0   control register (0 for CLTS and LMSW)
 *  5:4   access type (0 MOV to CR, 1 MOV from CR, 2 CLTS, 3 LMSW)
 *  6     LMSW operand type (0 register, 1 memory)
 *  7     reserved
 * 11:8   general-purpose register of MOV CR
 * 15:12  reserved
 * 31:16  LMSW source data
 * 63:32  reserved
 * </pre>
 *
 * <p>Static accessors on the raw value serve allocation-free hot paths.
 */
public final class CrAccessQualification implements ExitQualification {
    /** Bits 3:0. */ public static final long CR_NUMBER_MASK = 0xfL;
    /** Bits 5:4. */ public static final long ACCESS_TYPE_MASK = 0x30L;
    /** Bit 6. */ public static final long LMSW_MEMORY_OPERAND = 0x40L;
    /** Bits 11:8. */ public static final long REGISTER_MASK = 0xf00L;
    /** Bits 31:16. */ public static final long LMSW_SOURCE_DATA_MASK = 0xffff_0000L;
    /** Bits 7, 15:12 and 63:32. */ public static final long RESERVED_MASK = ~(CR_NUMBER_MASK | ACCESS_TYPE_MASK
            | LMSW_MEMORY_OPERAND | REGISTER_MASK | LMSW_SOURCE_DATA_MASK);

    private final long raw;

    CrAccessQualification(long raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw qualification; every value is accepted.
     *
     * @param raw the exit qualification
     * @return the decoded view
     */
    public static CrAccessQualification of(long raw) {
        return new CrAccessQualification(raw);
    }

    @Override
    public long raw() {
        return raw;
    }

    /**
     * The control register of a raw qualification.
     *
     * @param raw the exit qualification
     * @return bits 3:0
     */
    public static int crNumber(long raw) {
        return (int) (raw & CR_NUMBER_MASK);
    }

    /**
     * The access type of a raw qualification.
     *
     * @param raw the exit qualification
     * @return bits 5:4 as a number 0..3
     */
    public static int accessTypeNumber(long raw) {
        return (int) (raw >>> 4) & 3;
    }

    /**
     * The general-purpose register number of a raw qualification.
     *
     * @param raw the exit qualification
     * @return bits 11:8
     */
    public static int registerNumber(long raw) {
        return (int) (raw >>> 8) & 15;
    }

    /**
     * The LMSW source data of a raw qualification.
     *
     * @param raw the exit qualification
     * @return bits 31:16
     */
    public static int lmswSourceData(long raw) {
        return (int) (raw >>> 16) & 0xffff;
    }

    /**
     * The control register.
     *
     * @return bits 3:0 (0, 2, 3, 4 or 8 on real processors; 0 for CLTS and LMSW)
     */
    public int crNumber() {
        return crNumber(raw);
    }

    /**
     * The access type.
     *
     * @return bits 5:4
     */
    public CrAccessType accessType() {
        return CrAccessType.fromNumber(accessTypeNumber(raw));
    }

    /**
     * Access type 0, MOV to CR. The four {@code is…} tests are plain mask tests: an exit handler
     * that branches on them pays nothing over hand-written masks, whereas {@code switch
     * (accessType())} pays javac's enum-switch indirection (see vmx-bench/RESULTS.md).
     *
     * @return true when bits 5:4 are 0
     */
    public boolean isMovToCr() {
        return (raw & ACCESS_TYPE_MASK) == 0x00L;
    }

    /**
     * Access type 1, MOV from CR.
     *
     * @return true when bits 5:4 are 1
     */
    public boolean isMovFromCr() {
        return (raw & ACCESS_TYPE_MASK) == 0x10L;
    }

    /**
     * Access type 2, CLTS.
     *
     * @return true when bits 5:4 are 2
     */
    public boolean isClts() {
        return (raw & ACCESS_TYPE_MASK) == 0x20L;
    }

    /**
     * Access type 3, LMSW.
     *
     * @return true when bits 5:4 are 3
     */
    public boolean isLmsw() {
        return (raw & ACCESS_TYPE_MASK) == 0x30L;
    }

    /**
     * The number of the general-purpose register of MOV CR, the index {@link #register()} names.
     *
     * @return bits 11:8 (0 RAX … 15 R15)
     */
    public int registerNumber() {
        return registerNumber(raw);
    }

    /**
     * The LMSW operand type.
     *
     * @return bit 6: true when LMSW read its operand from memory
     */
    public boolean isLmswMemoryOperand() {
        return (raw & LMSW_MEMORY_OPERAND) != 0;
    }

    /**
     * The general-purpose register of MOV CR.
     *
     * @return bits 11:8
     */
    public GeneralRegister register() {
        return GeneralRegister.fromNumber(registerNumber(raw));
    }

    /**
     * The LMSW source data.
     *
     * @return bits 31:16 (0 for MOV CR and CLTS)
     */
    public int lmswSourceData() {
        return lmswSourceData(raw);
    }

    /**
     * Reserved bits in place.
     *
     * @return bits 7, 15:12 and 63:32
     */
    public long reservedBits() {
        return raw & RESERVED_MASK;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CrAccessQualification && ((CrAccessQualification) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /** Reads like {@code MOV to CR3 from rax}, {@code CLTS}, {@code LMSW 0x1 (register)}. */
    @Override
    public String toString() {
        String text;
        switch (accessType()) {
            case MOV_TO_CR:
                text = "MOV to CR" + crNumber() + " from " + register().name(64);
                break;
            case MOV_FROM_CR:
                text = "MOV from CR" + crNumber() + " to " + register().name(64);
                break;
            case CLTS:
                text = "CLTS";
                break;
            default:
                text = String.format("LMSW 0x%x (%s)", lmswSourceData(), isLmswMemoryOperand() ? "memory" : "register");
                break;
        }
        if (reservedBits() != 0) {
            text += String.format(", reserved bits 0x%x", reservedBits());
        }
        return text + String.format(" (0x%x)", raw);
    }
}
