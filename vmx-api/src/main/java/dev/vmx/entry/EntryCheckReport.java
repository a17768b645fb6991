package dev.vmx.entry;

import dev.vmx.event.VmInstructionError;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import dev.vmx.exit.ExitReasonFlag;
import dev.vmx.qual.InvalidGuestStateQualification;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * The outcomes of all checks over one VMCS, and what the processor does with it: the first phase
 * (controls, host state, guest state, MSR loading) with a failed check decides. Immutable.
 */
public final class EntryCheckReport {
    private final List<CheckOutcome> outcomes;
    private final long failedMsrEntry;

    EntryCheckReport(List<CheckOutcome> outcomes, long failedMsrEntry) {
        this.outcomes = List.copyOf(outcomes);
        this.failedMsrEntry = failedMsrEntry;
    }

    /**
     * Every outcome, in {@link EntryCheck} order.
     *
     * @return the outcomes
     */
    public List<CheckOutcome> outcomes() {
        return outcomes;
    }

    /**
     * The outcome of one check.
     *
     * @param check the check
     * @return its outcome
     */
    public CheckOutcome outcome(EntryCheck check) {
        return outcomes.get(check.ordinal());
    }

    /**
     * The failed checks.
     *
     * @return the failures, in order
     */
    public List<CheckOutcome> failures() {
        return with(CheckStatus.FAILED);
    }

    /**
     * The checks that could not be judged, with what they lacked.
     *
     * @return the outcomes, in order
     */
    public List<CheckOutcome> notJudged() {
        return with(CheckStatus.NOT_JUDGED);
    }

    private List<CheckOutcome> with(CheckStatus status) {
        return outcomes.stream().filter(outcome -> outcome.status() == status).collect(Collectors.toUnmodifiableList());
    }

    /**
     * The phase whose failure the processor reports: the first with a failed check.
     *
     * @return the phase; empty when no check failed
     */
    public Optional<EntryPhase> failedPhase() {
        return failures().stream().map(outcome -> outcome.check().phase()).min(Enum::compareTo);
    }

    /**
     * VMfailValid's VM-instruction error when controls (7) or host state (8) fail.
     *
     * @return the error; empty for a VM entry that loads guest state
     */
    public Optional<VmInstructionError> vmInstructionError() {
        return failedPhase().flatMap(phase -> phase == EntryPhase.CONTROLS ? Optional.of(VmInstructionError.fromNumber(7))
                : phase == EntryPhase.HOST_STATE ? Optional.of(VmInstructionError.fromNumber(8)) : Optional.empty());
    }

    /**
     * The VM exit a failed guest-state or MSR-loading check causes: INVALID_STATE or MSR_LOAD_FAIL
     * with the VM-entry-failure flag (bit 31).
     *
     * @return the exit reason; empty when entry fails earlier or nothing failed
     */
    public Optional<ExitReason> exitReason() {
        return failedPhase().flatMap(phase -> phase == EntryPhase.GUEST_STATE
                ? Optional.of(ExitReason.of(BasicExitReason.INVALID_STATE, ExitReasonFlag.VM_ENTRY_FAILURE))
                : phase == EntryPhase.MSR_LOADING ? Optional.of(ExitReason.of(BasicExitReason.MSR_LOAD_FAIL, ExitReasonFlag.VM_ENTRY_FAILURE))
                : Optional.empty());
    }

    /**
     * The exit qualification of that VM exit: for INVALID_STATE 2 (PDPTEs), 3 (NMI injection with
     * blocking by STI) or 4 (VMCS link pointer) when the first failed check is one of those, else 0;
     * for MSR_LOAD_FAIL the 1-based number of the failing entry.
     *
     * @return the qualification; empty when there is no such exit
     */
    public OptionalLong exitQualification() {
        Optional<EntryPhase> phase = failedPhase();
        if (phase.isEmpty() || phase.get() == EntryPhase.CONTROLS || phase.get() == EntryPhase.HOST_STATE) {
            return OptionalLong.empty();
        }
        CheckOutcome first = failures().stream().filter(outcome -> outcome.check().phase() == phase.get()).findFirst().orElseThrow();
        if (phase.get() == EntryPhase.MSR_LOADING) {
            return OptionalLong.of(failedMsrEntry);
        }
        switch (first.check()) {
            case GUEST_PDPTES:
            case GUEST_PDPTES_FROM_MEMORY:
                return OptionalLong.of(InvalidGuestStateQualification.Cause.PDPTE.number());
            case GUEST_NMI_INJECTION_STI_BLOCKING:
                return OptionalLong.of(InvalidGuestStateQualification.Cause.NMI.number());
            case GUEST_VMCS_LINK_POINTER:
                return OptionalLong.of(InvalidGuestStateQualification.Cause.VMCS_LINK_POINTER.number());
            default:
                return OptionalLong.of(InvalidGuestStateQualification.Cause.DEFAULT.number());
        }
    }

    /**
     * What the processor does, in one sentence.
     *
     * @return e.g. "VM exit INVALID_STATE|VM_ENTRY_FAILURE, qualification 0" or "VM entry passes every judged check"
     */
    public String verdict() {
        Optional<VmInstructionError> error = vmInstructionError();
        if (error.isPresent()) {
            return "VMfailValid, VM-instruction error " + error.get().number() + " (" + error.get().meaning() + ")";
        }
        Optional<ExitReason> exit = exitReason();
        if (exit.isPresent()) {
            return "VM exit " + exit.get() + ", qualification " + exitQualification().getAsLong();
        }
        return notJudged().isEmpty() ? "VM entry passes every check" : "VM entry passes every judged check ("
                + notJudged().size() + " not judged)";
    }

    @Override
    public String toString() {
        return verdict() + failures().stream().map(outcome -> "\n  " + outcome).collect(Collectors.joining());
    }
}
