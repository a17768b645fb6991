package dev.vmx.entry;

import dev.vmx.vmcs.VmcsField;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of one check.
 *
 * @param check the check
 * @param status passed, failed or not judged
 * @param detail what was found, with the values involved (or what was missing)
 * @param missing the fields a NOT_JUDGED check lacked; empty otherwise
 */
public record CheckOutcome(EntryCheck check, CheckStatus status, String detail, List<VmcsField> missing) {
    /**
     * Copies the list.
     *
     * @param check see the record component
     * @param status see the record component
     * @param detail see the record component
     * @param missing see the record component
     */
    public CheckOutcome {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
        missing = List.copyOf(missing);
    }

    /** E.g. {@code FAILED GUEST_RIP_UPPER_BITS (SDM 27.3.1.4, 26.3.1.4 in 2016): ...}: the current and the 2016 section number. */
    @Override
    public String toString() {
        return status + " " + check + " (SDM " + check.currentSection() + ", " + check.section() + " in 2016): " + detail;
    }
}
