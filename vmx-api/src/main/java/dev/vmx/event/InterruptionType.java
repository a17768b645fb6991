package dev.vmx.event;

/**
 * The interruption type, bits 10:8 of an interruption-information field (SDM Vol. 3C "Format of
 * the VM-Exit Interruption-Information Field"; Linux {@code INTR_TYPE_*}).
 */
public enum InterruptionType {
    /** 0: external interrupt. */
    EXTERNAL_INTERRUPT(0, "external interrupt"),
    /** 1: not used by the SDM (Linux {@code INTR_TYPE_RESERVED}). */
    RESERVED(1, "reserved type 1"),
    /** 2: non-maskable interrupt. */
    NMI(2, "NMI"),
    /** 3: hardware exception (any exception except #BP and #OF raised by INT3/INTO). */
    HARDWARE_EXCEPTION(3, "hardware exception"),
    /** 4: software interrupt (INT n). */
    SOFTWARE_INTERRUPT(4, "software interrupt"),
    /** 5: privileged software exception (INT1, the ICEBP instruction). */
    PRIVILEGED_SOFTWARE_EXCEPTION(5, "privileged software exception"),
    /** 6: software exception (#BP from INT3, #OF from INTO). */
    SOFTWARE_EXCEPTION(6, "software exception"),
    /** 7: other event (VM-entry injection only: pending MTF VM exit). */
    OTHER_EVENT(7, "other event");

    private static final InterruptionType[] BY_NUMBER = values();

    private final int number;
    private final String description;

    InterruptionType(int number, String description) {
        this.number = number;
        this.description = description;
    }

    /**
     * The type's number as stored in bits 10:8.
     *
     * @return 0..7
     */
    public int number() {
        return number;
    }

    /**
     * The type in words, as the SDM names it.
     *
     * @return for example {@code "hardware exception"}
     */
    public String description() {
        return description;
    }

    /**
     * The type with this number; only the low three bits are used, so every int maps to a type.
     *
     * @param number the value of bits 10:8
     * @return the type
     */
    public static InterruptionType fromNumber(int number) {
        return BY_NUMBER[number & 7];
    }

    /**
     * Whether events of this type are exceptions whose vector names an exception
     * ({@link #HARDWARE_EXCEPTION}, {@link #PRIVILEGED_SOFTWARE_EXCEPTION},
     * {@link #SOFTWARE_EXCEPTION}).
     *
     * @return true for the three exception types
     */
    public boolean isException() {
        return this == HARDWARE_EXCEPTION || this == PRIVILEGED_SOFTWARE_EXCEPTION || this == SOFTWARE_EXCEPTION;
    }
}
