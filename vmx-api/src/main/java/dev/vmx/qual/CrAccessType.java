package dev.vmx.qual;

/** Access type, bits 5:4 of the control-register-access qualification (Linux {@code CONTROL_REG_ACCESS_TYPE}). */
public enum CrAccessType {
    /** 0: MOV to CR. */
    MOV_TO_CR,
    /** 1: MOV from CR. */
    MOV_FROM_CR,
    /** 2: CLTS. */
    CLTS,
    /** 3: LMSW. */
    LMSW;

    private static final CrAccessType[] BY_NUMBER = values();

    /**
     * The type with this number; only the low two bits are used.
     *
     * @param number bits 5:4 shifted down
     * @return the type
     */
    public static CrAccessType fromNumber(int number) {
        return BY_NUMBER[number & 3];
    }
}
