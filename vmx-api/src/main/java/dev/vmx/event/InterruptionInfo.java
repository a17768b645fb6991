package dev.vmx.event;

import java.util.Optional;

/**
 * An interruption-information field: VM-exit interruption information, IDT-vectoring information
 * or VM-entry interruption information (SDM Vol. 3C "Information for VM Exits Due to Vectored
 * Events", "Information for VM Exits That Occur During Event Delivery", "VM-Entry Controls for
 * Event Injection"). The three share one layout:
 *
 * <pre>
 *  7:0   vector                          (Linux INTR_INFO_VECTOR_MASK)
 * 10:8   interruption type               (INTR_INFO_INTR_TYPE_MASK, INTR_TYPE_*)
 * 11     error code valid / deliver      (INTR_INFO_DELIVER_CODE_MASK)
 * 12     NMI unblocking due to IRET      (INTR_INFO_UNBLOCK_NMI; VM-exit interruption info only,
 *                                         undefined in IDT-vectoring info, 0 on VM entry)
 * 30:13  reserved
 * 31     valid                           (INTR_INFO_VALID_MASK)
 * </pre>
 *
 * <p>A final class wrapping the int; every accessor is a mask computed on demand, and each has a
 * static twin taking the raw int so a hot path can decode without creating an object.
 */
public final class InterruptionInfo {
    /** Bits 7:0, the vector. */
    public static final int VECTOR_MASK = 0xff;
    /** Bits 10:8, the interruption type. */
    public static final int TYPE_MASK = 0x700;
    /** Bit 11, error code valid (VM exit) or deliver error code (VM entry). */
    public static final int ERROR_CODE_VALID_MASK = 0x800;
    /** Bit 12, NMI unblocking due to IRET. */
    public static final int NMI_UNBLOCKING_MASK = 0x1000;
    /** Bit 31, valid. */
    public static final int VALID_MASK = 0x8000_0000;
    /** Bits 30:13, reserved in all three fields. */
    public static final int RESERVED_MASK = 0x7fff_e000;

    private final int raw;

    private InterruptionInfo(int raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw field value; every int is accepted.
     *
     * @param raw the 32-bit field value
     * @return the decoded view
     */
    public static InterruptionInfo of(int raw) {
        return new InterruptionInfo(raw);
    }

    /**
     * Builds a valid field value from its parts, as a hypervisor does to inject an event.
     *
     * @param vector the vector (low 8 bits used)
     * @param type the interruption type
     * @param errorCodeValid whether an error code is delivered
     * @return the decoded view of the composed value
     */
    public static InterruptionInfo valid(int vector, InterruptionType type, boolean errorCodeValid) {
        return new InterruptionInfo(VALID_MASK | (type.number() << 8) | (vector & VECTOR_MASK)
                | (errorCodeValid ? ERROR_CODE_VALID_MASK : 0));
    }

    /**
     * The raw field value.
     *
     * @return the 32 bits as given
     */
    public int raw() {
        return raw;
    }

    /**
     * Bits 7:0.
     *
     * @return the vector, 0..255
     */
    public int vector() {
        return vector(raw);
    }

    /**
     * Bits 7:0 of a raw field.
     *
     * @param raw the field value
     * @return the vector, 0..255
     */
    public static int vector(int raw) {
        return raw & VECTOR_MASK;
    }

    /**
     * Bits 10:8.
     *
     * @return the interruption type
     */
    public InterruptionType type() {
        return type(raw);
    }

    /**
     * Bits 10:8 of a raw field.
     *
     * @param raw the field value
     * @return the interruption type
     */
    public static InterruptionType type(int raw) {
        return InterruptionType.fromNumber(raw >>> 8);
    }

    /**
     * Bit 11.
     *
     * @return whether an error code is valid (exit) or delivered (entry)
     */
    public boolean isErrorCodeValid() {
        return isErrorCodeValid(raw);
    }

    /**
     * Bit 11 of a raw field.
     *
     * @param raw the field value
     * @return whether an error code is valid
     */
    public static boolean isErrorCodeValid(int raw) {
        return (raw & ERROR_CODE_VALID_MASK) != 0;
    }

    /**
     * Bit 12: the exit happened while an IRET unblocked NMIs (meaningful in VM-exit interruption
     * information only).
     *
     * @return whether bit 12 is set
     */
    public boolean isNmiUnblockingDueToIret() {
        return isNmiUnblockingDueToIret(raw);
    }

    /**
     * Bit 12 of a raw field.
     *
     * @param raw the field value
     * @return whether bit 12 is set
     */
    public static boolean isNmiUnblockingDueToIret(int raw) {
        return (raw & NMI_UNBLOCKING_MASK) != 0;
    }

    /**
     * Bit 31.
     *
     * @return whether the field holds an event
     */
    public boolean isValid() {
        return isValid(raw);
    }

    /**
     * Bit 31 of a raw field.
     *
     * @param raw the field value
     * @return whether the field holds an event
     */
    public static boolean isValid(int raw) {
        return raw < 0;
    }

    /**
     * Bits 30:13, which the SDM reserves; kept so that nothing read is lost.
     *
     * @return the reserved bits in place (0 on every processor so far)
     */
    public int reservedBits() {
        return raw & RESERVED_MASK;
    }

    /**
     * The exception the vector names, when the type is an exception or NMI.
     *
     * @return the exception; empty for interrupts, other events, and reserved vectors
     */
    public Optional<ExceptionVector> exception() {
        InterruptionType type = type();
        if (type.isException() || type == InterruptionType.NMI) {
            return ExceptionVector.fromVector(vector());
        }
        return Optional.empty();
    }

    /**
     * Whether this is a valid hardware exception with this vector, the common test in exit
     * handlers ({@code is_page_fault()} and friends in Linux).
     *
     * @param exception the exception
     * @return true when valid, of type hardware exception, and with the exception's vector
     */
    public boolean isHardwareException(ExceptionVector exception) {
        return (raw & (VALID_MASK | TYPE_MASK | VECTOR_MASK)) == (VALID_MASK | (3 << 8) | exception.vector());
    }

    /**
     * The reserved bits of this value read as a particular field.
     *
     * @param field the field the value came from
     * @return the bits that field reserves, in place (bit 12 counts for VM-entry information)
     */
    public int reservedBits(InterruptionField field) {
        return raw & field.reservedMask();
    }

    /**
     * Reads the value as a particular field: like {@link #toString()}, but bit 12 is named only
     * where it means NMI unblocking (undefined in IDT-vectoring information, reserved on entry),
     * and a type the field does not use is called so.
     *
     * @param field the field the value came from
     * @return for example {@code "valid other event vector 0 (pending MTF VM exit) (0x80000700)"}
     */
    public String describe(InterruptionField field) {
        return describe(field, field.hasNmiUnblocking(), reservedBits(field),
                field.usesType(type()) ? "" : ", type not used in " + field);
    }

        @Override
    public boolean equals(Object other) {
        return other instanceof InterruptionInfo && ((InterruptionInfo) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return raw;
    }

    /**
     * Reads like {@code valid hardware exception #PF (vector 14), error code} or
     * {@code invalid (0x00000000)}.
     */
    @Override
    public String toString() {
        return describe(null, true, reservedBits(), "");
    }

    private String describe(InterruptionField field, boolean nmiUnblocking, int reserved, String typeNote) {
        StringBuilder text = new StringBuilder();
        text.append(isValid() ? "valid " : "invalid ");
        InterruptionType type = type();
        Optional<ExceptionVector> exception = exception();
        if (type == InterruptionType.NMI && vector() == ExceptionVector.NMI.vector()) {
            text.append("NMI (vector 2)");
        } else if (exception.isPresent()) {
            text.append(type.description()).append(' ');
            text.append(exception.get().mnemonic()).append(" (vector ").append(vector()).append(')');
        } else {
            text.append(type.description()).append(" vector ").append(vector());
            if (type == InterruptionType.OTHER_EVENT && vector() == 0) {
                text.append(" (pending MTF VM exit)");
            }
        }
        text.append(typeNote);
        if (isErrorCodeValid()) {
            text.append(field == InterruptionField.VM_ENTRY_INTERRUPTION_INFO ? ", deliver error code" : ", error code");
        }
        if (nmiUnblocking && isNmiUnblockingDueToIret()) {
            text.append(", NMI unblocking due to IRET");
        } else if (field == InterruptionField.IDT_VECTORING_INFO && isNmiUnblockingDueToIret()) {
            text.append(", undefined bit 12");
        }
        if (reserved != 0) {
            text.append(String.format(", reserved bits 0x%x", reserved));
        }
        return text.append(String.format(" (0x%08x)", raw)).toString();
    }
}
