package dev.vmx.hw.bochs;

import dev.vmx.event.VmInstructionError;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What happened to one {@link BochsCase}.
 *
 * @param bochsCase the case
 * @param outcome how it ended
 * @param exits the exits the emulated CPU reported, in order (the last is the VM-entry failure for
 *        {@link BochsOutcome#ENTRY_FAILURE}); empty when the case never entered
 * @param vmFailValid for {@link BochsOutcome#VM_FAIL}: true for VMfailValid, false for VMfailInvalid
 * @param vmInstructionErrorNumber for {@link BochsOutcome#VM_FAIL} with VMfailValid: the
 *        VM-instruction error number; 0 otherwise
 * @param writeFailures the VMWRITEs the CPU refused
 * @param log the Bochs log lines emitted while this case ran (from the end of the case before it to
 *        its end), e.g. {@code VMFAIL: VMCS EXEC CTRL: VMX pin-based controls allowed 0-settings}
 * @param problem for REJECTED, CRASHED, HUNG, NOT_RUN: what went wrong; empty otherwise
 */
public record BochsCaseResult(BochsCase bochsCase, BochsOutcome outcome, List<BochsExit> exits, boolean vmFailValid,
        int vmInstructionErrorNumber, List<BochsWriteFailure> writeFailures, List<String> log, Optional<String> problem) {
    /**
     * Checks and copies.
     *
     * @param bochsCase the case
     * @param outcome how it ended
     * @param exits the exits
     * @param vmFailValid VMfailValid or not
     * @param vmInstructionErrorNumber the error number
     * @param writeFailures refused VMWRITEs
     * @param log attributed log lines
     * @param problem what went wrong
     */
    public BochsCaseResult {
        Objects.requireNonNull(bochsCase, "bochsCase");
        Objects.requireNonNull(outcome, "outcome");
        exits = List.copyOf(exits);
        writeFailures = List.copyOf(writeFailures);
        log = List.copyOf(log);
        Objects.requireNonNull(problem, "problem");
    }

    /**
     * The VM-instruction error of a VMfailValid.
     *
     * @return the error, or empty unless the outcome is VM_FAIL with VMfailValid
     */
    public Optional<VmInstructionError> vmInstructionError() {
        return outcome == BochsOutcome.VM_FAIL && vmFailValid ? Optional.of(VmInstructionError.fromNumber(vmInstructionErrorNumber))
                : Optional.empty();
    }

    /**
     * The raw VM-instruction error number of a VMfailValid.
     *
     * @return the number, or empty
     */
    public OptionalInt vmInstructionErrorNumberIfFailed() {
        return outcome == BochsOutcome.VM_FAIL && vmFailValid ? OptionalInt.of(vmInstructionErrorNumber) : OptionalInt.empty();
    }

    /**
     * The log lines that name a failed VM-entry check: those with {@code VMFAIL} or {@code VMENTER FAIL}
     * (Bochs' messages in cpu/vmx.cc), without the tick and component prefix.
     *
     * @return e.g. {@code VMENTER FAIL: VMCS guest invalid CR0}
     */
    public List<String> failedChecks() {
        return log.stream().filter(line -> line.contains("VMFAIL") || line.contains("VMENTER FAIL"))
                .map(BochsCaseResult::message).toList();
    }

    /**
     * The exit with this index.
     *
     * @param index 0 for the first
     * @return the exit
     * @throws BochsCaseException naming the case when it has no such exit (with its outcome and problem)
     */
    public BochsExit exit(int index) {
        if (index < 0 || index >= exits.size()) {
            throw new BochsCaseException(bochsCase.name(), "case '" + bochsCase.name() + "' has no exit " + index + " ("
                    + exits.size() + " exits; " + describeOutcome() + ")");
        }
        return exits.get(index);
    }

    /**
     * Throws unless the case ran: for REJECTED, WRITE_FAILED, CRASHED, HUNG and NOT_RUN.
     *
     * @return this result
     * @throws BochsCaseException naming the case and what went wrong
     */
    public BochsCaseResult orThrow() {
        switch (outcome) {
            case EXITED, VM_FAIL, ENTRY_FAILURE -> {
                return this;
            }
            default -> throw new BochsCaseException(bochsCase.name(), "case '" + bochsCase.name() + "': " + describeOutcome());
        }
    }

    /** The message part of a Bochs log line: what follows {@code ] }. */
    static String message(String line) {
        int bracket = line.indexOf("] ");
        return bracket >= 0 && bracket < 40 ? line.substring(bracket + 2) : line;
    }

    private String describeOutcome() {
        return switch (outcome) {
            case VM_FAIL -> vmFailValid ? "VMfailValid, " + VmInstructionError.describe(vmInstructionErrorNumber) : "VMfailInvalid";
            case WRITE_FAILED -> "not launched: " + writeFailures;
            default -> outcome + problem.map(p -> ": " + p).orElse("");
        };
    }

    @Override
    public String toString() {
        return "case '" + bochsCase.name() + "': " + describeOutcome() + (exits.isEmpty() ? "" : ", " + exits);
    }
}
