package dev.vmx.dump;

import dev.vmx.exit.ExitReason;
import dev.vmx.vmcs.VmcsSnapshot;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One {@code dump_vmcs()} block. Field values are keyed by section and the name Linux prints, e.g.
 * {@code guest.RIP}, {@code guest.CR0.actual}, {@code host.CR3}, {@code control.CPUBased},
 * {@code control.VMExit.reason}, {@code control.VMExit.qualification}, {@code control.VMEntry.intr_info}.
 *
 * @param firstLine the 1-based line number of the block's first line
 * @param lastLine the 1-based line number of the block's last line
 * @param cpu the CPU of the last attempted VM entry ("VMCS ..., last attempted VM-entry on CPU n"), if printed
 * @param hardwareError the {@code hardware error 0x...} of the "entry failed" line before the block, if any
 * @param hardwareErrorLine that line's number, if any
 * @param fields the values in print order
 * @param annotations keys whose value carried a note such as {@code (effective)} or {@code (autoload)}
 *        (Linux prints EFER that way when it is not loaded from the VMCS field), with the note
 * @param segments the guest segment table
 * @param msrs the MSR-load/store list entries
 * @param problems lines inside the block that were not understood
 * @param vmcs the printed values that are VMCS fields, keyed by {@link dev.vmx.vmcs.VmcsField} (see
 *        {@link #vmcs()}); values with a note are not in it
 * @param dialect who printed the block
 * @param excerpt true when the block starts mid-dump (no "VMCS ..." line and no
 *        {@code *** Guest State ***} header: a quote in a mail or bug report)
 * @param missingSections the sections ({@code guest}, {@code host}, {@code control}) of which no line
 *        was read: the dump was cut before them, or the excerpt starts after them
 * @param missingFields the keys every kernel since 4.x prints in the sections that were read (or
 *        that a cut-off dump should have reached) but that this block lacks, e.g. because the log
 *        ends in the middle of the control section; conditional lines (PDPTRs, PAT, EPT pointer,
 *        ...) are never listed
 */
public record VmcsDump(long firstLine, long lastLine, OptionalLong cpu, OptionalLong hardwareError,
        OptionalLong hardwareErrorLine, Map<String, Long> fields, Map<String, String> annotations,
        List<VmcsDumpSegment> segments, List<VmcsDumpMsr> msrs, List<VmcsDumpProblem> problems,
        VmcsSnapshot vmcs, VmcsDumpDialect dialect, boolean excerpt, List<String> missingSections,
        List<String> missingFields) {

    /**
     * Copies the collections.
     *
     * @param firstLine see the record component
     * @param lastLine see the record component
     * @param cpu see the record component
     * @param hardwareError see the record component
     * @param hardwareErrorLine see the record component
     * @param fields see the record component
     * @param annotations see the record component
     * @param segments see the record component
     * @param msrs see the record component
     * @param problems see the record component
     * @param vmcs see the record component
     * @param dialect see the record component
     * @param excerpt see the record component
     * @param missingSections see the record component
     * @param missingFields see the record component
     */
    public VmcsDump {
        java.util.Objects.requireNonNull(dialect, "dialect");
        missingSections = List.copyOf(missingSections);
        missingFields = List.copyOf(missingFields);
        fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
        annotations = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(annotations));
        java.util.Objects.requireNonNull(vmcs, "vmcs");
        segments = List.copyOf(segments);
        msrs = List.copyOf(msrs);
        problems = List.copyOf(problems);
    }

    /**
     * A complete Linux block without dialect or completeness information (the form of earlier
     * versions).
     *
     * @param firstLine see the record component
     * @param lastLine see the record component
     * @param cpu see the record component
     * @param hardwareError see the record component
     * @param hardwareErrorLine see the record component
     * @param fields see the record component
     * @param annotations see the record component
     * @param segments see the record component
     * @param msrs see the record component
     * @param problems see the record component
     * @param vmcs see the record component
     */
    public VmcsDump(long firstLine, long lastLine, OptionalLong cpu, OptionalLong hardwareError,
            OptionalLong hardwareErrorLine, Map<String, Long> fields, Map<String, String> annotations,
            List<VmcsDumpSegment> segments, List<VmcsDumpMsr> msrs, List<VmcsDumpProblem> problems, VmcsSnapshot vmcs) {
        this(firstLine, lastLine, cpu, hardwareError, hardwareErrorLine, fields, annotations, segments, msrs, problems, vmcs,
                VmcsDumpDialect.LINUX_KVM, false, List.of(), List.of());
    }

    /**
     * Whether the block holds the whole dump: not an excerpt, no section and no always-printed
     * field missing.
     *
     * @return true when nothing is missing
     */
    public boolean isComplete() {
        return !excerpt && missingSections.isEmpty() && missingFields.isEmpty();
    }

    /**
     * A field by key.
     *
     * @param key e.g. {@code guest.RIP}
     * @return the value, empty if the dump did not print it
     */
    public OptionalLong field(String key) {
        Long value = fields.get(key);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /**
     * The exit reason of the "VMExit:" summary ({@code reason=}).
     *
     * @return the reason, empty if not printed
     */
    public Optional<ExitReason> exitReason() {
        OptionalLong reason = field("control.VMExit.reason");
        return reason.isPresent() ? Optional.of(ExitReason.of((int) reason.getAsLong())) : Optional.empty();
    }

    /**
     * The exit qualification of the "VMExit:" summary.
     *
     * @return the qualification, empty if not printed
     */
    public OptionalLong exitQualification() {
        return field("control.VMExit.qualification");
    }

    /**
     * A segment by name.
     *
     * @param name e.g. {@code CS}
     * @return the row, empty if not printed
     */
    public Optional<VmcsDumpSegment> segment(String name) {
        return segments.stream().filter(segment -> segment.name().equals(name)).findFirst();
    }
}
