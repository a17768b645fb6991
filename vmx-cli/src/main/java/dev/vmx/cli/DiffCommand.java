package dev.vmx.cli;

import dev.vmx.VmxParseException;
import dev.vmx.dump.VmcsDump;
import dev.vmx.dump.VmcsDumpParser;
import dev.vmx.vmcs.FieldChange;
import dev.vmx.vmcs.VmcsSnapshot;
import dev.vmx.vmcs.VmcsText;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vmx diff}: the VMCS fields that differ between two dumps or snapshots. */
@Command(name = "diff", mixinStandardHelpOptions = true, versionProvider = Vmx.Version.class,
        description = {"The VMCS fields that differ between A and B, each a kernel log with a dump_vmcs() block or a VMCS "
                + "snapshot in the embedded text format ('FIELD_NAME = value' per line, as VmcsText writes it). FILE#N picks the "
                + "N-th dump_vmcs block of a log (default: the first), so two blocks of one log compare as LOG#1 LOG#2. "
                + "Exit status 1 when they differ, like diff(1)."},
        footerHeading = "%nOutput:%n",
        footer = {"text: one line per field in encoding order, 'FIELD: 0xA -> 0xB', '(absent)' for a field only one side has.",
            "csv: header field,encoding,a,b; values hex with 0x, empty where absent.",
            "json: {\"a\":\"A\",\"b\":\"B\",\"changes\":[{\"field\",\"encoding\",\"a\",\"b\"}]}; values hex strings or null."})
final class DiffCommand implements Callable<Integer> {
    private static final Pattern BLOCK = Pattern.compile("(.*)#(\\d+)");

    /** Output forms. */
    enum Format { text, csv, json }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "A", description = "The first dump or snapshot (FILE, FILE#N or -).")
    String a;

    @Parameters(index = "1", paramLabel = "B", description = "The second dump or snapshot (FILE, FILE#N or -).")
    String b;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    public Integer call() {
        if (Inputs.isStdin(a) && Inputs.isStdin(b)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "only one of A and B can be - (standard input)");
        }
        VmcsSnapshot first = load(a);
        VmcsSnapshot second = load(b);
        List<FieldChange> changes = first.diff(second);
        PrintWriter out = spec.commandLine().getOut();
        switch (format) {
            case text -> changes.forEach(out::println);
            case csv -> {
                out.println("field,encoding,a,b");
                for (FieldChange change : changes) {
                    out.printf("%s,0x%x,%s,%s%n", change.field(), change.field().encoding(), hex(change.before(), ""),
                            hex(change.after(), ""));
                }
            }
            case json -> {
                Json json = new Json().open().key("a").value(a).key("b").value(b).key("changes").openArray();
                for (FieldChange change : changes) {
                    json.open().key("field").value(change.field().name()).key("encoding")
                            .value(String.format("0x%x", change.field().encoding())).key("a");
                    value(json, change.before());
                    json.key("b");
                    value(json, change.after());
                    json.close();
                }
                out.println(json.closeArray().close());
            }
        }
        out.flush();
        return changes.isEmpty() ? Vmx.OK : Vmx.FINDING;
    }

    private static void value(Json json, OptionalLong value) {
        if (value.isPresent()) {
            json.value(hex(value, null));
        } else {
            json.nullValue();
        }
    }

    private static String hex(OptionalLong value, String absent) {
        return value.isPresent() ? "0x" + Long.toHexString(value.getAsLong()) : absent;
    }

    /** A VMCS from a log (its N-th dump_vmcs block) or from the snapshot text format. */
    static VmcsSnapshot load(String argument) {
        String file = argument;
        int block = 0;
        Matcher selector = BLOCK.matcher(argument);
        if (selector.matches() && !Files.exists(Path.of(argument))) {
            file = selector.group(1);
            block = Integer.parseInt(selector.group(2));
            if (block < 1) {
                throw new UserError(argument + ": blocks count from 1");
            }
        }
        String name = Inputs.displayName(file);
        String text = Inputs.text(file);
        List<VmcsDump> dumps = VmcsDumpParser.parse(new StringReader(text));
        if (!dumps.isEmpty()) {
            if (block > dumps.size()) {
                throw UserError.at(name, 0, 0, "has " + dumps.size() + " dump_vmcs block(s), not " + block);
            }
            return dumps.get(Math.max(block, 1) - 1).vmcs();
        }
        if (block > 0) {
            throw UserError.at(name, 0, 0, "has no dump_vmcs block, so no block " + block);
        }
        try {
            return VmcsText.parse(text);
        } catch (VmxParseException e) {
            throw UserError.at(name, e.lineNumber(), e.errorIndex() + 1,
                    ExplainCommand.problemOf(e) + " (neither a dump_vmcs() log nor a VMCS snapshot 'FIELD = value')");
        }
    }
}
