package dev.vmx.event;

/**
 * The three VMCS fields in the interruption-information format, and what each leaves undefined
 * (SDM Vol. 3C tables "Format of the VM-Exit Interruption-Information Field", "Format of the
 * IDT-Vectoring Information Field", "Format of the VM-Entry Interruption-Information Field"):
 *
 * <pre>
 *                        types used                       bit 12
 * VM-exit interruption   0, 2, 3, 5, 6                    NMI unblocking due to IRET
 * IDT-vectoring          0, 2, 3, 4, 5, 6                 undefined
 * VM-entry interruption  0, 2, 3, 4, 5, 6, 7 (other)      reserved (30:12 reserved)
 * </pre>
 *
 * Type 1 is "not used" (exit, vectoring) or "reserved" (entry) everywhere; only VM entry uses
 * type 7, "other event" (vector 0: pending MTF VM exit).
 */
public enum InterruptionField {
    /** VM-exit interruption information (VMCS encoding 0x4404). */
    VM_EXIT_INTERRUPTION_INFO(0b0110_1101, InterruptionInfo.RESERVED_MASK),
    /** IDT-vectoring information (0x4408): what was being delivered when the exit happened. */
    IDT_VECTORING_INFO(0b0111_1101, InterruptionInfo.RESERVED_MASK),
    /** VM-entry interruption information (0x4016): the event to inject. */
    VM_ENTRY_INTERRUPTION_INFO(0b1111_1101, InterruptionInfo.RESERVED_MASK | InterruptionInfo.NMI_UNBLOCKING_MASK);

    private final int typesUsed;
    private final int reservedMask;

    InterruptionField(int typesUsed, int reservedMask) {
        this.typesUsed = typesUsed;
        this.reservedMask = reservedMask;
    }

    /**
     * Whether the SDM defines this interruption type for this field.
     *
     * @param type the type
     * @return false for "not used" and "reserved" types
     */
    public boolean usesType(InterruptionType type) {
        return (typesUsed >>> type.number() & 1) != 0;
    }

    /**
     * The bits the field reserves.
     *
     * @return bits 30:13, and bit 12 too for VM-entry interruption information
     */
    public int reservedMask() {
        return reservedMask;
    }

    /**
     * Whether bit 12 means "NMI unblocking due to IRET" in this field.
     *
     * @return true only for the VM-exit interruption information
     */
    public boolean hasNmiUnblocking() {
        return this == VM_EXIT_INTERRUPTION_INFO;
    }
}
