package dev.vmx.cli;

import dev.vmx.cap.VmxCapabilities;
import dev.vmx.dump.VmcsDump;
import dev.vmx.dump.VmcsDumpParser;
import dev.vmx.dump.VmcsDumpProblem;
import dev.vmx.entry.CheckOutcome;
import dev.vmx.entry.EntryCheckReport;
import dev.vmx.entry.EntryChecker;
import dev.vmx.explain.Explain;
import dev.vmx.explain.HardwareError;
import dev.vmx.vmcs.VmcsField;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vmx why}: run the SDM's VM-entry checks over every VMCS a kernel log dumped. */
@Command(name = "why", mixinStandardHelpOptions = true, versionProvider = Vmx.Version.class,
        description = {"Find every dump_vmcs() block in a kernel log (dmesg, journalctl, syslog, a pasted bug report; "
                + "every log prefix and dialect the parser knows), run the VM-entry checks of SDM Vol. 3C \"VM Entries\" over it, "
                + "and print the broken rules with their SDM section, what could not be judged and which input would decide it. "
                + "Exit status 1 when a rule is broken."},
        footerHeading = "%nOutput:%n",
        footer = {"text: per block 'FILE lines A-B: ...', the QEMU 'hardware error' line if the log has one, the verdict, "
                + "'BROKEN' rules (rule, found), 'not judged' checks with the fields or capabilities that would decide them, "
                + "and the lines of the block the parser did not understand.",
            "json: one object {\"input\",\"blocks\":[{\"firstLine\",\"lastLine\",\"hardwareError\",\"verdict\",\"note\",\"broken\":[{\"check\",\"section\","
                + "\"title\",\"rule\",\"found\"}],\"notJudged\":[{\"check\",\"section\",\"detail\",\"needs\":[...]}],"
                + "\"problems\":[{\"line\",\"problem\"}]}]}."})
final class WhyCommand implements Callable<Integer> {
    /** Output forms. */
    enum Format { text, json }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The kernel log; - for standard input.")
    String file;

    @Option(names = "--caps", paramLabel = "FILE|kvm|msr[:CPU]",
            description = "Capability MSRs for the checks that need them: a capability dump (see vmx caps --help), "
                    + "KVM's feature MSRs, or the MSR device.")
    String caps;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    public Integer call() {
        String name = Inputs.displayName(file);
        String text = Inputs.text(file);
        List<VmcsDump> dumps;
        try {
            dumps = VmcsDumpParser.parse(new StringReader(text));
        } catch (UncheckedIOException e) {
            throw Inputs.cannotRead(file, e);
        }
        if (dumps.isEmpty()) {
            throw UserError.at(name, 0, 0, "no dump_vmcs() block found in " + text.lines().count()
                    + " lines (a block starts at 'VMCS ..., last attempted VM-entry on CPU n' or '*** Guest State ***')");
        }
        EntryChecker checker = EntryChecker.create();
        if (caps != null) {
            Map<String, VmxCapabilities> sets = Capabilities.fromOption(caps);
            if (sets.size() > 1) {
                throw new UserError("--caps " + caps + ": names " + sets.size() + " CPUs; give the one the VM entry ran on");
            }
            checker = checker.withCapabilities(sets.values().iterator().next());
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean broken = false;
        Json json = new Json().open().key("input").value(name).key("blocks").openArray();
        for (VmcsDump dump : dumps) {
            EntryCheckReport report = checker.check(dump.vmcs());
            broken |= !report.failures().isEmpty();
            if (format == Format.json) {
                block(json, dump, report);
            } else {
                block(out, name, dump, report);
            }
        }
        if (format == Format.json) {
            out.println(json.closeArray().close());
        }
        out.flush();
        return broken ? Vmx.FINDING : Vmx.OK;
    }

    private static void block(PrintWriter out, String name, VmcsDump dump, EntryCheckReport report) {
        out.println(name + " lines " + dump.firstLine() + "-" + dump.lastLine() + ": dump_vmcs block"
                + (dump.cpu().isPresent() ? ", last VM entry on CPU " + dump.cpu().getAsLong() : ""));
        if (dump.hardwareError().isPresent()) {
            out.println("  line " + dump.hardwareErrorLine().getAsLong() + ": "
                    + Explain.hardwareError(dump.hardwareError().getAsLong()).summary());
        }
        out.println("  verdict: " + report.verdict());
        disagreement(dump, report).ifPresent(note -> out.println("  note: " + note));
        List<CheckOutcome> failures = report.failures();
        out.println("  broken rules: " + failures.size());
        for (CheckOutcome failure : failures) {
            // current SDM numbering first, the 2016 number beside it (the VMX chapters moved up by one)
            out.println("  BROKEN " + failure.check() + " (" + failure.check().citation() + ")");
            out.println("    rule:  " + failure.check().statement());
            out.println("    found: " + failure.detail());
        }
        List<CheckOutcome> notJudged = report.notJudged();
        out.println("  not judged: " + notJudged.size() + " of " + report.outcomes().size() + " checks");
        for (CheckOutcome outcome : notJudged) {
            out.println("    " + outcome.check() + " (SDM §" + outcome.check().currentSection() + ", §" + outcome.check().section()
                    + " in 2016): " + outcome.detail()
                    + (!outcome.missing().isEmpty() ? "; decided by " + names(outcome.missing())
                            : outcome.detail().contains("capability") ? "; decided by --caps FILE|kvm|msr" : ""));
        }
        if (!dump.problems().isEmpty()) {
            out.println("  lines of the block not understood: " + dump.problems().size());
            for (VmcsDumpProblem problem : dump.problems()) {
                out.println("    " + name + ":" + problem.lineNumber() + ": " + problem.problem());
            }
        }
    }

    /**
     * When the log says how the entry failed and the checks predict another failure: the capability
     * MSRs given may not be the host's, or the dump lacks what the real cause needs.
     */
    static Optional<String> disagreement(VmcsDump dump, EntryCheckReport report) {
        OptionalLong logged = dump.hardwareError();
        if (logged.isEmpty() || report.failures().isEmpty()) {
            return Optional.empty();
        }
        HardwareError error = HardwareError.of(logged.getAsLong());
        boolean agrees = switch (error.kind()) {
            case ENTRY_FAILURE_EXIT_REASON -> report.vmInstructionError().isEmpty()
                    && report.exitReason().map(r -> r.equals(error.exitReason().orElseThrow())).orElse(false);
            case VM_INSTRUCTION_ERROR -> report.vmInstructionError().map(e -> e.number() == logged.getAsLong()).orElse(false);
            default -> true;
        };
        return agrees ? Optional.empty() : Optional.of(String.format(
                "the log says hardware error 0x%x but the checks predict '%s': check that the capabilities (--caps) are the "
                        + "host's, and read the broken rules of that phase with care", logged.getAsLong(), report.verdict()));
    }

    private static void block(Json json, VmcsDump dump, EntryCheckReport report) {
        json.open().key("firstLine").value(dump.firstLine()).key("lastLine").value(dump.lastLine());
        json.key("hardwareError");
        if (dump.hardwareError().isPresent()) {
            json.value(String.format("0x%x", dump.hardwareError().getAsLong()));
        } else {
            json.nullValue();
        }
        json.key("verdict").value(report.verdict()).key("note");
        Optional<String> note = disagreement(dump, report);
        if (note.isPresent()) {
            json.value(note.get());
        } else {
            json.nullValue();
        }
        json.key("broken").openArray();
        for (CheckOutcome failure : report.failures()) {
            json.open().key("check").value(failure.check().name()).key("section").value(failure.check().section())
                    .key("currentSection").value(failure.check().currentSection()).key("title").value(failure.check().sectionTitle()).key("rule").value(failure.check().statement())
                    .key("found").value(failure.detail()).close();
        }
        json.closeArray().key("notJudged").openArray();
        for (CheckOutcome outcome : report.notJudged()) {
            json.open().key("check").value(outcome.check().name()).key("section").value(outcome.check().section())
                    .key("currentSection").value(outcome.check().currentSection()).key("detail").value(outcome.detail()).key("needs").openArray();
            outcome.missing().forEach(field -> json.value(field.name()));
            json.closeArray().close();
        }
        json.closeArray().key("problems").openArray();
        for (VmcsDumpProblem problem : dump.problems()) {
            json.open().key("line").value(problem.lineNumber()).key("problem").value(problem.problem()).close();
        }
        json.closeArray().close();
    }

    private static String names(List<VmcsField> fields) {
        return fields.stream().map(VmcsField::name).collect(Collectors.joining(", "));
    }
}
