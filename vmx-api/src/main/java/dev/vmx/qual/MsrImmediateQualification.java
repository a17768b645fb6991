package dev.vmx.qual;

import dev.vmx.exit.BasicExitReason;

/**
 * Exit qualification for the immediate forms of RDMSR and WRMSRNS (exit reasons 84 and 85): the
 * MSR index, the instruction's 32-bit immediate operand, in bits 31:0; bits 63:32 are reserved.
 * The register operand is in the instruction information (bits 6:3, see
 * {@link dev.vmx.event.InstructionInfoLayout#MSR_IMMEDIATE}). KVM reads them the same way:
 * {@code handle_rdmsr_imm()} passes {@code vmx_get_exit_qual()} as the MSR and
 * {@code vmx_get_instr_info_reg()} ({@code (info >> 3) & 0xf}) as the register.
 *
 * <p>URDMSR and UWRMSR (exit reasons 80 and 81, USER_MSR) get the same reading: no SDM edition
 * consulted documents their qualification, and Xen's USER-MSR patch (Jan Beulich, v4 2024 to v9
 * 2025) reads the MSR index from the qualification and the data register from bits 6:3 of the
 * instruction information. Bochs, the other public source, stores 0 in the qualification.
 */
public final class MsrImmediateQualification implements ExitQualification {
    /** Bits 31:0, the MSR index. */
    public static final long MSR_INDEX_MASK = 0xffff_ffffL;

    private final BasicExitReason reason;
    private final long raw;

    MsrImmediateQualification(BasicExitReason reason, long raw) {
        this.reason = reason;
        this.raw = raw;
    }

    /**
     * Wraps a raw qualification for an exit reason; every value is accepted.
     *
     * @param reason {@code MSR_READ_IMM}, {@code MSR_WRITE_IMM}, {@code URDMSR} or {@code UWRMSR} (any
     *        reason is kept as given)
     * @param raw the exit qualification
     * @return the decoded view
     */
    public static MsrImmediateQualification of(BasicExitReason reason, long raw) {
        return new MsrImmediateQualification(reason, raw);
    }

    @Override
    public long raw() {
        return raw;
    }

    /**
     * The exit reason, which tells read from write.
     *
     * @return the basic exit reason
     */
    public BasicExitReason reason() {
        return reason;
    }

    /**
     * The MSR the instruction named.
     *
     * @return bits 31:0, unsigned
     */
    public long msrIndex() {
        return raw & MSR_INDEX_MASK;
    }

    /**
     * Reserved bits in place.
     *
     * @return bits 63:32
     */
    public long reservedBits() {
        return raw & ~MSR_INDEX_MASK;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MsrImmediateQualification && ((MsrImmediateQualification) other).raw == raw
                && ((MsrImmediateQualification) other).reason == reason;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw) * 31 + reason.hashCode();
    }

    /** Reads like {@code RDMSR (immediate form) of MSR 0x10 (0x10)} or {@code URDMSR of MSR 0x10 (0x10)}. */
    @Override
    public String toString() {
        String instruction = switch (reason) {
            case MSR_WRITE_IMM -> "WRMSRNS (immediate form)";
            case MSR_READ_IMM -> "RDMSR (immediate form)";
            case URDMSR, UWRMSR -> reason.toString();
            default -> "MSR instruction (" + reason + ")";
        };
        return instruction + String.format(" of MSR 0x%x", msrIndex())
                + (reservedBits() != 0 ? String.format(", reserved bits 0x%x", reservedBits()) : "")
                + String.format(" (0x%x)", raw);
    }
}
