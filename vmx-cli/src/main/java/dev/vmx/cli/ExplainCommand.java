package dev.vmx.cli;

import dev.vmx.VmxParseException;
import dev.vmx.event.InterruptionField;
import dev.vmx.exit.ExitReason;
import dev.vmx.explain.Explain;
import dev.vmx.explain.Explanation;
import dev.vmx.trace.KvmTraceReader;
import dev.vmx.vmcs.VmcsField;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vmx explain}: what a number, a name or a pasted line means. */
@Command(name = "explain", mixinStandardHelpOptions = true, versionProvider = Vmx.Version.class,
        description = {"Explain each ARG, or each line of standard input when there is none (or ARG is -): "
                + "an exit reason (0x80000021, 48, EPT_VIOLATION), a kvm trace line (kvm_exit, kvm_entry, kvm_nested_vmexit, "
                + "with or without its trace prefix), QEMU's \"KVM: entry failed, hardware error 0xN\" line, or a VMCS field name "
                + "(GUEST_RIP). Options explain an exit from its fields (--reason with --qual, --intr-info, --error-code, --info2), "
                + "a field encoding (--field), a VM-instruction error (--vm-error) or an interruption-information value (--intr)."},
        footerHeading = "%nOutput:%n",
        footer = {"text: per input, the summary line, then '  name: value' details and '  next: ...' steps; a blank line between inputs.",
            "json: one JSON object per input and line: {\"subject\",\"input\",\"summary\",\"details\":{name:value},\"next\":[...]}.",
            "Arguments and standard input come first, in their order, then what the options give.",
            "Lines of standard input that are blank or start with # are skipped."})
final class ExplainCommand implements Callable<Integer> {
    private static final Pattern TRACE = Pattern.compile("\\bkvm(?:_[a-z_]+:|:kvm_)");
    private static final Pattern FIELD_NAME = Pattern.compile("[A-Z][A-Z0-9_]*");

    /** Output forms. */
    enum Format { text, json }

    /** Which field an --intr value comes from. */
    enum InterruptionSource { exit, idt, entry }

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "ARG", description = "What to explain; - reads standard input.")
    List<String> args = new ArrayList<>();

    @Option(names = "--reason", paramLabel = "REASON", description = "Exit reason of an exit to explain with its fields.")
    String reason;

    @Option(names = {"--qual", "--info1"}, paramLabel = "N", description = "Exit qualification (kvm_exit info1).")
    String qualification;

    @Option(names = "--intr-info", paramLabel = "N", description = "VM-exit interruption information.")
    String intrInfo;

    @Option(names = "--error-code", paramLabel = "N", description = "VM-exit interruption error code.")
    String errorCode;

    @Option(names = {"--info2", "--idt-vectoring"}, paramLabel = "N", description = "IDT-vectoring information (kvm_exit info2).")
    String idtVectoring;

    @Option(names = "--field", paramLabel = "ENCODING", description = "A VMCS field encoding (0x681e) or name.")
    List<String> fields = new ArrayList<>();

    @Option(names = "--vm-error", paramLabel = "N", description = "A VM-instruction error number.")
    List<String> vmErrors = new ArrayList<>();

    @Option(names = "--intr", paramLabel = "N", description = "An interruption-information value.")
    List<String> interruptions = new ArrayList<>();

    @Option(names = "--from", paramLabel = "FIELD", defaultValue = "exit",
            description = "The field --intr values come from: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    InterruptionSource from;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    private int printed;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        boolean exitFields = qualification != null || intrInfo != null || errorCode != null || idtVectoring != null;
        if (exitFields && reason == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--qual, --intr-info, --error-code and --info2 describe an exit: give its --reason too");
        }
        boolean anyOption = reason != null || !fields.isEmpty() || !vmErrors.isEmpty() || !interruptions.isEmpty();
        boolean readStdin = args.isEmpty() && !anyOption;
        for (int i = 0; i < args.size(); i++) {
            if (Inputs.isStdin(args.get(i))) {
                readStdin = true;
                continue;
            }
            print(out, explain(args.get(i), "argument " + (i + 1), 0));
        }
        if (readStdin) {
            BufferedReader in = Inputs.reader("-");
            long lineNumber = 0;
            long headers = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                if (isTraceHeader(line)) {
                    // a whole trace piped in: trace-cmd's "cpus=48", "CPU 0 is empty", "CPU:2 [LOST 7 EVENTS]"
                    headers++;
                    continue;
                }
                print(out, explain(line, Inputs.STDIN, lineNumber));
            }
            if (headers > 0) {
                spec.commandLine().getErr().println("vmx explain: " + Inputs.STDIN + ": skipped " + headers
                        + " trace header or loss line(s)");
            }
        }
        if (reason != null) {
            ExitReason exitReason = parseReason("--reason", reason);
            print(out, Explain.exit(exitReason, qualification == null ? 0 : Inputs.number("--qual", qualification),
                    intrInfo == null ? 0 : Inputs.number32("--intr-info", intrInfo),
                    errorCode == null ? 0 : Inputs.number32("--error-code", errorCode),
                    idtVectoring == null ? 0 : Inputs.number32("--info2", idtVectoring)));
        }
        for (String field : fields) {
            print(out, field(field));
        }
        for (String error : vmErrors) {
            print(out, Explain.vmInstructionError(Inputs.number("--vm-error", error)));
        }
        for (String value : interruptions) {
            InterruptionField source = switch (from) {
                case exit -> InterruptionField.VM_EXIT_INTERRUPTION_INFO;
                case idt -> InterruptionField.IDT_VECTORING_INFO;
                case entry -> InterruptionField.VM_ENTRY_INTERRUPTION_INFO;
            };
            print(out, Explain.interruptionInfo(Inputs.number32("--intr", value), source));
        }
        out.flush();
        return Vmx.OK;
    }

    private void print(PrintWriter out, Explanation explanation) {
        if (format == Format.json) {
            out.println(explanation.toJson());
        } else {
            if (printed > 0) {
                out.println();
            }
            out.print(explanation.toText());
        }
        printed++;
    }

    /**
     * Explains one argument or line, choosing the entry point by its form.
     *
     * @param text the argument or line
     * @param input its name for messages
     * @param lineNumber its line in standard input, 0 for an argument
     */
    static Explanation explain(String text, String input, long lineNumber) {
        String stripped = text.strip();
        // hardware-error lines are parsed as given; the other forms are parsed stripped, so their
        // columns count from the first non-blank character
        int indent = stripped.isEmpty() ? 0 : text.indexOf(stripped);
        try {
            if (stripped.contains("hardware error")) {
                return Explain.hardwareError(text);
            }
            if (TRACE.matcher(stripped).find()) {
                return Explain.traceLine(stripped);
            }
            if (FIELD_NAME.matcher(stripped).matches() && VmcsField.fromName(stripped).isPresent()) {
                return Explain.fieldName(stripped);
            }
            return Explain.exitReason(stripped);
        } catch (VmxParseException e) {
            int column = (stripped.contains("hardware error") ? 0 : indent) + Math.max(e.errorIndex(), 0) + 1;
            throw UserError.at(input, lineNumber, column, problemOf(e) + " in '" + stripped + "'");
        }
    }

    /** Whether the trace reader takes the line for a header or a loss line (no event, no problem). */
    static boolean isTraceHeader(String line) {
        if (!line.startsWith("cpus=") && !line.startsWith("CPU")) {
            return false;
        }
        try (KvmTraceReader reader = KvmTraceReader.of(new StringReader(line), "line")) {
            return !reader.advance() && reader.problemCount() == 0;
        }
    }

    private static ExitReason parseReason(String option, String text) {
        try {
            return ExitReason.parse(text);
        } catch (VmxParseException e) {
            throw new UserError(option + ": " + problemOf(e) + " in '" + text + "' (column " + (e.errorIndex() + 1) + ")");
        }
    }

    private static Explanation field(String text) {
        String stripped = text.strip();
        if (!stripped.isEmpty() && Character.isLetter(stripped.charAt(0)) && !stripped.startsWith("0x")) {
            try {
                return Explain.fieldName(stripped);
            } catch (VmxParseException e) {
                throw new UserError("--field: " + problemOf(e));
            }
        }
        int encoding = Inputs.number32("--field", text);
        try {
            return Explain.fieldEncoding(encoding);
        } catch (IllegalArgumentException e) {
            throw new UserError("--field: " + e.getMessage());
        }
    }

    /** The exception's own problem text, without the input and position it appends. */
    static String problemOf(VmxParseException e) {
        String message = e.getMessage();
        int cut = message.lastIndexOf(" at index ");
        if (cut < 0) {
            cut = message.lastIndexOf(" at line ");
        }
        return cut > 0 ? message.substring(0, cut) : message;
    }
}
