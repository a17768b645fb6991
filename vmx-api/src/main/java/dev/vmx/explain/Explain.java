package dev.vmx.explain;

import dev.vmx.VmxParseException;
import dev.vmx.event.InterruptionField;
import dev.vmx.event.InterruptionInfo;
import dev.vmx.event.VmInstructionError;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import dev.vmx.exit.ExitReasonFlag;
import dev.vmx.explain.Explanation.Detail;
import dev.vmx.explain.Explanation.Subject;
import dev.vmx.qual.ExceptionQualification;
import dev.vmx.qual.ExitQualification;
import dev.vmx.qual.LinearAddressQualification;
import dev.vmx.qual.NoQualification;
import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmIsa;
import dev.vmx.trace.KvmTraceReader;
import dev.vmx.vmcs.FieldEncoding;
import dev.vmx.vmcs.VmcsField;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Explanations of VMX numbers, one entry point per kind of input. Pure functions of their inputs;
 * a malformed input gives a {@link VmxParseException} naming the input and the column.
 */
public final class Explain {
    /** Prefix given to a pasted line that starts at its tracepoint name, so the trace reader reads it. */
    private static final String PASTED_PREFIX = "<pasted>-0 [000] 0.000000: ";
    /** The tracepoint name after a trace line's timestamp, e.g. {@code kvm_page_fault} or {@code kvm:kvm_entry}. */
    private static final Pattern TRACEPOINT = Pattern.compile(
            "\\d\\.\\d+:\\s+(?:[a-z0-9_]+:)?([a-z0-9_]+):");

    private Explain() {
    }

    // ---------------------------------------------------------------- exit reason

    /**
     * Explains a 32-bit exit reason: basic reason with its SDM name, flags, reserved bits, and for a
     * failed VM entry what to look at next.
     *
     * @param reason the exit reason
     * @return the explanation
     */
    public static Explanation exitReason(ExitReason reason) {
        return exitReason(reason, String.format("0x%x", reason.raw()));
    }

    /**
     * Explains an exit reason written as {@link ExitReason#parse(CharSequence)} reads it
     * ({@code 0x80000021}, {@code 48}, {@code EPT_VIOLATION}, {@code INVALID_STATE|VM_ENTRY_FAILURE}).
     *
     * @param text the text
     * @return the explanation
     * @throws VmxParseException if the text is not an exit reason
     */
    public static Explanation exitReason(CharSequence text) {
        return exitReason(ExitReason.parse(text), String.valueOf(text).trim());
    }

    private static Explanation exitReason(ExitReason reason, String input) {
        List<Detail> details = new ArrayList<>();
        details.add(new Detail("raw", String.format("0x%08x", reason.raw())));
        details.add(new Detail("basic_reason", basicName(reason)));
        details.add(new Detail("flags", flags(reason)));
        List<String> next = new ArrayList<>(entryFailureSteps(reason));
        if (reason.reservedBits() != 0) {
            details.add(new Detail("reserved_bits", String.format("0x%08x (the SDM defines none of them)", reason.reservedBits())));
            next.add(String.format("reserved bits are set: if the number was meant as hex, write 0x%s",
                    input.startsWith("0x") || input.startsWith("0X") ? input.substring(2) : input));
        }
        return new Explanation(Subject.EXIT_REASON, input, reason + ": " + sentenceOf(reason), details, next);
    }

    private static String basicName(ExitReason reason) {
        return reason.basic() == BasicExitReason.UNRECOGNIZED
                ? reason.basicNumber() + " (no basic exit reason of that number in the SDM or Linux)"
                : reason.basicNumber() + " " + reason.basic().name() + " (" + reason.basic().sdmName() + ")";
    }

    private static String sentenceOf(ExitReason reason) {
        return reason.basic() == BasicExitReason.UNRECOGNIZED
                ? "unrecognized basic exit reason " + reason.basicNumber()
                : reason.basic().sdmName();
    }

    private static String flags(ExitReason reason) {
        List<String> names = new ArrayList<>();
        for (ExitReasonFlag flag : reason.flags()) {
            names.add(flag.name() + " (bit " + flag.bit() + ": " + flag.sdmName() + ")");
        }
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    /** What to look at after a VM entry failed with this exit reason; empty for other exits. */
    private static List<String> entryFailureSteps(ExitReason reason) {
        if (!reason.isVmEntryFailure()) {
            return List.of();
        }
        switch (reason.basic()) {
            case INVALID_STATE:
                return List.of(
                        "run 'vmx why' on the host's kernel log: KVM prints the VMCS (dump_vmcs) when kvm_intel.dump_invalid_vmcs=1 "
                                + "(otherwise the log says \"set kvm_intel.dump_invalid_vmcs=1 to dump internal KVM state\")",
                        "decode the exit qualification (0 for most rules; 2 PDPTE loading, 3 NMI injection blocked by STI, "
                                + "4 invalid VMCS link pointer): vmx explain --reason " + String.format("0x%x", reason.raw()) + " --qual Q",
                        "QEMU adds that guests in big real mode fail so on processors without unrestricted guest: "
                                + "check the guest's CR0.PE/PG and segment registers in the dump");
            case MSR_LOAD_FAIL:
                return List.of(
                        "the exit qualification is the 1-based number of the VM-entry MSR-load entry that failed: find it "
                                + "in the \"MSR guest autoload\" list of the kernel's dump_vmcs output",
                        "run 'vmx why' on the kernel log to check the loaded MSR values");
            case MCE_DURING_VMENTRY:
                return List.of(
                        "a machine check hit the processor during VM entry: a host hardware problem, not the guest's state",
                        "read the host's machine-check records (kernel log lines with \"mce:\", rasdaemon or mcelog)");
            default:
                return List.of("an entry failure with basic reason " + reason.basicNumber()
                        + " is not one the SDM defines (33, 34, 41): check how the number was obtained");
        }
    }

    // ---------------------------------------------------------------- exit with fields

    /**
     * Explains one exit from its numbers: the sentence a person wants (e.g. "EPT violation: write
     * to a page mapped read-only in EPT, guest linear address valid") and the decoded fields.
     *
     * @param reason the exit reason
     * @param qualification the exit qualification ({@code info1} of a {@code kvm_exit} line)
     * @param intrInfo the VM-exit interruption information
     * @param errorCode the VM-exit interruption error code
     * @param idtVectoring the IDT-vectoring information ({@code info2} of a {@code kvm_exit} line)
     * @return the explanation; its summary is the sentence
     */
    public static Explanation exit(ExitReason reason, long qualification, int intrInfo, int errorCode, int idtVectoring) {
        String input = String.format("reason 0x%x qual 0x%x intr_info 0x%x error_code 0x%x idt_vectoring 0x%x",
                reason.raw(), qualification, intrInfo, errorCode, idtVectoring);
        List<Detail> details = new ArrayList<>();
        details.add(new Detail("reason", reason + " (" + sentenceOf(reason) + ")"));
        ExitQualification decoded = ExitQualification.decode(reason, qualification);
        details.add(new Detail("qualification", String.format("0x%x: %s", qualification, decoded)));
        InterruptionInfo event = InterruptionInfo.of(intrInfo);
        if (event.isValid() || intrInfo != 0) {
            details.add(new Detail("interruption_info", event.describe(InterruptionField.VM_EXIT_INTERRUPTION_INFO)));
        }
        if (event.isErrorCodeValid()) {
            details.add(new Detail("error_code", String.format("0x%x", errorCode)));
        }
        InterruptionInfo vectoring = InterruptionInfo.of(idtVectoring);
        if (vectoring.isValid() || idtVectoring != 0) {
            details.add(new Detail("idt_vectoring", vectoring.describe(InterruptionField.IDT_VECTORING_INFO)));
        }
        return new Explanation(Subject.EXIT, input, sentence(reason, decoded, event, errorCode, vectoring), details,
                entryFailureSteps(reason));
    }

    private static String sentence(ExitReason reason, ExitQualification decoded, InterruptionInfo event, int errorCode,
            InterruptionInfo vectoring) {
        String sentence;
        if (decoded instanceof ExceptionQualification exception) {
            // the vector in the interruption information says what the qualification means: an
            // address for #PF, DR6-style bits for #DB
            ExitQualification meant = exception.interpret(event);
            sentence = event.exception().map(e -> "guest " + e.description() + " (" + e.mnemonic() + ")")
                    .orElse("guest event: " + event.type().description() + " vector " + event.vector());
            if (event.isErrorCodeValid()) {
                sentence += String.format(", error code 0x%x", errorCode);
            }
            if (meant instanceof LinearAddressQualification address) {
                sentence += String.format(", faulting address 0x%x", address.address());
            } else if (meant != decoded) {
                sentence += ", " + meant;
            }
            sentence += String.format(" (interruption info 0x%08x)", event.raw());
        } else if (reason.basic() == BasicExitReason.EXTERNAL_INTERRUPT) {
            sentence = "the host received an interrupt: " + event;
        } else if (reason.isVmEntryFailure()) {
            sentence = reason + ": " + sentenceOf(reason) + "; " + decoded;
        } else if (decoded instanceof NoQualification) {
            sentence = reason + ": " + sentenceOf(reason) + " (this exit has no qualification)";
        } else {
            sentence = decoded.toString();
        }
        // an exit during the delivery of an event: the hypervisor must re-inject it. The field has the
        // interruption-information layout, but bit 12 means nothing there
        if (vectoring.isValid()) {
            sentence += "; while delivering " + vectoring.describe(InterruptionField.IDT_VECTORING_INFO);
        }
        return sentence;
    }

    // ---------------------------------------------------------------- trace line

    /**
     * Explains one line of kvm trace text in any format {@link KvmTraceReader} reads (tracefs
     * {@code trace}/{@code trace_pipe}, {@code trace-cmd report}, {@code perf script}). A line pasted
     * from its tracepoint name on ({@code kvm_exit: vcpu 0 reason ...}) is read as if it had a trace
     * prefix. {@code kvm_exit} and {@code kvm_nested_vmexit} of VMX are explained with
     * {@link #exit}; {@code kvm_page_fault} with its address and its error code read as an EPT
     * violation's exit qualification (VMX) and as KVM's {@code PFERR_*} bits (SVM nested page faults,
     * intercepted guest #PF), whichever fit; other events are named with their decoded fields.
     *
     * @param line the line
     * @return the explanation
     * @throws VmxParseException with column 0 when the reader cannot parse the line (its message says why)
     */
    public static Explanation traceLine(CharSequence line) {
        String text = String.valueOf(line).strip();
        String fed = text.startsWith("kvm_") || text.startsWith("kvm:") ? PASTED_PREFIX + text : text;
        try (KvmTraceReader reader = KvmTraceReader.of(new StringReader(fed), "trace line")) {
            if (!reader.advance()) {
                String why = reader.problems().isEmpty() ? "no trace event in the line"
                        : reader.problems().get(0).problem();
                throw new VmxParseException("not a kvm trace line: " + why, text, 0);
            }
            KvmEvent event = reader.event();
            KvmEventType type = event.type();
            List<Detail> details = new ArrayList<>();
            details.add(new Detail("event", type == KvmEventType.OTHER ? "other tracepoint" : type.tracepoint()));
            if (event.vcpu() >= 0) {
                details.add(new Detail("vcpu", Integer.toString(event.vcpu())));
            }
            String summary;
            List<String> next = List.of();
            if ((type == KvmEventType.KVM_EXIT || type == KvmEventType.KVM_NESTED_VMEXIT
                    || type == KvmEventType.KVM_NESTED_VMEXIT_INJECT) && event.isa() == KvmIsa.VMX) {
                Explanation exit = exit(ExitReason.of((int) event.exitCode()), event.info1(), event.intrInfo(),
                        event.errorCode(), (int) event.info2());
                summary = exit.summary();
                if (type != KvmEventType.KVM_EXIT) {
                    summary = (type == KvmEventType.KVM_NESTED_VMEXIT ? "L2 exit seen by L0: " : "L2 exit injected into L1: ")
                            + summary;
                }
                details.addAll(exit.details());
                if (event.guestRip() != 0 || type == KvmEventType.KVM_EXIT) {
                    details.add(new Detail("guest_rip", String.format("0x%x", event.guestRip())));
                }
                next = exit.nextSteps();
            } else if (type == KvmEventType.KVM_PAGE_FAULT) {
                return KvmPageFault.explain(text, event, details);
            } else if (type == KvmEventType.KVM_ENTRY) {
                summary = String.format("vCPU %d enters the guest at rip 0x%x", event.vcpu(), event.guestRip());
            } else if (type == KvmEventType.OTHER) {
                Matcher name = TRACEPOINT.matcher(fed);
                String tracepoint = name.find() ? name.group(1) : "this tracepoint";
                details.set(0, new Detail("event", tracepoint));
                summary = tracepoint + ": a trace event vmx reads but does not decode (it decodes "
                        + Arrays.stream(KvmEventType.values()).filter(t -> t != KvmEventType.OTHER)
                                .map(KvmEventType::tracepoint).collect(Collectors.joining(", ")) + ")";
            } else {
                summary = event.toRecord().toString();
            }
            return new Explanation(Subject.TRACE_LINE, text, summary, details, next);
        }
    }

    // ---------------------------------------------------------------- field encoding

    /**
     * Explains a VMCS field encoding (SDM Vol. 3C Appendix B): its field name, width, type, index and
     * access type.
     *
     * @param encoding the 32-bit encoding
     * @return the explanation
     * @throws IllegalArgumentException naming the encoding in hex if it is malformed (reserved bits set)
     */
    public static Explanation fieldEncoding(int encoding) {
        FieldEncoding decoded = FieldEncoding.decode(encoding);
        Optional<VmcsField> field = VmcsField.fromEncoding(encoding);
        List<Detail> details = new ArrayList<>();
        details.add(new Detail("width", decoded.width().name()));
        details.add(new Detail("type", decoded.type().name()));
        details.add(new Detail("index", Integer.toString(decoded.index())));
        details.add(new Detail("access", decoded.accessType().name()));
        field.flatMap(VmcsField::sdmName).ifPresent(name -> details.add(new Detail("sdm_name", name)));
        String summary = String.format("0x%04x: ", encoding) + field.map(f -> f.name() + ", ")
                .orElse("no field of SDM Appendix B, ") + describeEncoding(decoded);
        return new Explanation(Subject.FIELD_ENCODING, String.format("0x%x", encoding), summary, details,
                field.isPresent() ? List.of() : List.of("a well-formed encoding no SDM edition defines: check the number"));
    }

    /**
     * Explains a VMCS field by its Linux name, e.g. {@code GUEST_RIP}.
     *
     * @param name the name
     * @return the explanation of its encoding
     * @throws VmxParseException if no field has that name
     */
    public static Explanation fieldName(String name) {
        return VmcsField.fromName(name.trim()).map(f -> fieldEncoding(f.encoding()))
                .orElseThrow(() -> new VmxParseException("no VMCS field named '" + name.trim() + "'", name, 0));
    }

    private static String describeEncoding(FieldEncoding decoded) {
        String width = switch (decoded.width()) {
            case BITS_16 -> "16-bit";
            case BITS_32 -> "32-bit";
            case BITS_64 -> "64-bit";
            case NATURAL -> "natural-width";
        };
        String type = switch (decoded.type()) {
            case CONTROL -> "control";
            case EXIT_INFO -> "read-only data";
            case GUEST_STATE -> "guest-state";
            case HOST_STATE -> "host-state";
        };
        return width + " " + type + " field, index " + decoded.index() + ", "
                + decoded.accessType().name().toLowerCase(Locale.ROOT) + " access";
    }

    // ---------------------------------------------------------------- interruption info

    /**
     * Explains an interruption-information value read from one of the three fields that share its
     * layout (SDM Vol. 3C "Information for VM Exits Due to Vectored Events", "IDT-Vectoring
     * Information", "VM-Entry Controls for Event Injection").
     *
     * @param raw the 32-bit value
     * @param field the field it was read from
     * @return the explanation
     */
    public static Explanation interruptionInfo(int raw, InterruptionField field) {
        InterruptionInfo info = InterruptionInfo.of(raw);
        List<Detail> details = new ArrayList<>();
        details.add(new Detail("field", field.name()));
        details.add(new Detail("valid", Boolean.toString(info.isValid())));
        details.add(new Detail("vector", Integer.toString(info.vector())));
        details.add(new Detail("type", info.type().number() + " (" + info.type().description() + ")"));
        details.add(new Detail("error_code_valid", Boolean.toString(info.isErrorCodeValid())));
        if (field.hasNmiUnblocking()) {
            details.add(new Detail("nmi_unblocking_due_to_iret", Boolean.toString(info.isNmiUnblockingDueToIret())));
        }
        int reserved = info.reservedBits(field);
        List<String> next = new ArrayList<>();
        if (reserved != 0) {
            details.add(new Detail("reserved_bits", String.format("0x%08x", reserved)));
            next.add("reserved bits are set: the value is not from this field, or is damaged");
        }
        return new Explanation(Subject.INTERRUPTION_INFO, String.format("0x%08x", raw), info.describe(field), details, next);
    }

    // ---------------------------------------------------------------- VM-instruction error

    /**
     * Explains a VM-instruction error number (SDM Vol. 3C "VM-Instruction Error Numbers").
     *
     * @param number the number read from the VM-instruction error field
     * @return the explanation
     */
    public static Explanation vmInstructionError(long number) {
        VmInstructionError error = VmInstructionError.fromNumber(number);
        List<Detail> details = new ArrayList<>();
        details.add(new Detail("number", Long.toString(number)));
        details.add(new Detail("name", error.name()));
        return new Explanation(Subject.VM_INSTRUCTION_ERROR, Long.toString(number),
                VmInstructionError.describe(number), details, instructionErrorSteps(error, number));
    }

    private static List<String> instructionErrorSteps(VmInstructionError error, long number) {
        switch (error) {
            case ENTRY_INVALID_CONTROL_FIELD:
                return List.of("a VM-execution, VM-exit or VM-entry control breaks a rule of SDM Vol. 3C \"Checks on VMX Controls\": "
                        + "run 'vmx why --caps FILE|kvm|msr' on the kernel's dump_vmcs output, or 'vmx caps --check' on each control");
            case ENTRY_INVALID_HOST_STATE_FIELD:
                return List.of("the host-state area breaks a rule of SDM Vol. 3C \"Checks on Host Control Registers, MSRs, and "
                        + "Segment Registers\": run 'vmx why' on the kernel's dump_vmcs output (its *** Host State *** section)");
            case ENTRY_EVENTS_BLOCKED_BY_MOV_SS:
                return List.of("VM entry right after MOV SS/POP SS: the hypervisor entered with blocking by MOV SS in effect");
            case VMLAUNCH_NONCLEAR_VMCS:
            case VMRESUME_NONLAUNCHED_VMCS:
            case VMRESUME_AFTER_VMXOFF:
                return List.of("the hypervisor used VMLAUNCH/VMRESUME in the wrong launch state of the VMCS: a hypervisor bug, "
                        + "not the guest's");
            case UNRECOGNIZED:
                return List.of("no VM-instruction error has number " + number + ": check how the number was obtained");
            default:
                return List.of();
        }
    }

    // ---------------------------------------------------------------- hardware error

    /**
     * Explains QEMU's "KVM: entry failed, hardware error 0xN" line, or any line quoting it.
     *
     * @param line the line
     * @return the explanation, with what to look at next
     * @throws VmxParseException naming the line and column if it carries no "hardware error 0x..."
     */
    public static Explanation hardwareError(CharSequence line) {
        return hardwareError(HardwareError.parse(line), String.valueOf(line).strip());
    }

    /**
     * Explains the number of a "hardware error 0xN" line.
     *
     * @param value the number
     * @return the explanation
     */
    public static Explanation hardwareError(long value) {
        return hardwareError(HardwareError.of(value), String.format("0x%x", value));
    }

    private static Explanation hardwareError(HardwareError error, String input) {
        long value = error.value();
        List<Detail> details = new ArrayList<>();
        details.add(new Detail("value", String.format("0x%x", value)));
        details.add(new Detail("kind", error.kind().name()));
        String summary;
        List<String> next = new ArrayList<>();
        switch (error.kind()) {
            case ENTRY_FAILURE_EXIT_REASON -> {
                ExitReason reason = error.exitReason().orElseThrow();
                summary = String.format("hardware error 0x%x: VM entry failed after loading guest state, exit reason %s (%s)",
                        value, reason, sentenceOf(reason));
                details.add(new Detail("basic_reason", basicName(reason)));
                details.add(new Detail("flags", flags(reason)));
                next.addAll(entryFailureSteps(reason));
            }
            case VM_INSTRUCTION_ERROR -> {
                VmInstructionError instruction = error.instructionError().orElseThrow();
                summary = String.format("hardware error 0x%x: VMLAUNCH/VMRESUME failed (VMfailValid), %s", value,
                        VmInstructionError.describe(value));
                details.add(new Detail("vm_instruction_error", value + " " + instruction.name()));
                next.addAll(instructionErrorSteps(instruction, value));
            }
            case NO_ERROR_NUMBER -> {
                summary = "hardware error 0x0: VMLAUNCH/VMRESUME failed but the VM-instruction error field holds no number";
                next.add("VMfailInvalid (no current VMCS, or a corrupt one) writes no error number: look in the host's kernel "
                        + "log for KVM's 'vmread failed', 'vmwrite failed', 'vmptrld failed' or 'vmclear failed' messages and "
                        + "for a dump_vmcs block");
                next.add("the host kernel, or the hypervisor under it when this host is itself a guest (nested "
                        + "virtualization), is the suspect, not the guest");
            }
            case SVM_VMRUN_FAILED -> {
                summary = "hardware error 0xffffffffffffffff: AMD SVM's VMRUN failed its consistency checks "
                        + "(VMCB exit code SVM_EXIT_ERR, -1)";
                next.add("not a VMX error: read the VMCB dump the kernel printed after it (svm dump_vmcb, \"VMCB Control Area\")");
            }
            default -> {
                summary = String.format("hardware error 0x%x: a value neither KVM path writes (bits 63:32 set)", value);
                next.add("KVM writes a 32-bit exit reason with bit 31 set, a VM-instruction error number, or SVM's -1: "
                        + "check that the number was copied whole");
            }
        }
        return new Explanation(Subject.HARDWARE_ERROR, input, summary, details, next);
    }
}
