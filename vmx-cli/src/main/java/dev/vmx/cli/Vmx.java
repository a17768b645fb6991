package dev.vmx.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code vmx} command: explanations, VM-entry checks, exit statistics, capabilities, live exit
 * rates and VMCS differences from the command line. Exit codes: 0 ok, 1 a finding (a broken rule, a
 * rejected control value, differing VMCSs), 2 bad usage or unreadable input, 3 an internal error.
 */
@Command(name = "vmx", mixinStandardHelpOptions = true, versionProvider = Vmx.Version.class,
        description = "Explain Intel VMX numbers, check VM entries, summarize KVM exit traces.",
        subcommands = {ExplainCommand.class, WhyCommand.class, StatCommand.class, CapsCommand.class, LiveCommand.class,
            DiffCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:a finding: a broken VM-entry rule, a rejected control value, VMCSs that differ",
            "2:bad usage or unreadable input (the message names the input, line and column)",
            "3:internal error (a bug in vmx: the stack trace follows)"},
        footerHeading = "%nSee also:%n",
        footer = {"vmx COMMAND --help for each command; the man pages vmx(1), vmx-explain(1), ... built in vmx-cli/target/man."})
public final class Vmx implements Runnable {
    /** Everything went as asked. */
    static final int OK = 0;
    /** The command found something: a broken rule, a rejected value, a difference. */
    static final int FINDING = 1;
    /** Bad usage or unreadable input. */
    static final int BAD_INPUT = 2;
    /** A bug in vmx. */
    static final int INTERNAL = 3;

    @Spec
    CommandSpec spec;

    /** Creates the top command (picocli instantiates it). */
    public Vmx() {
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing command: one of explain, why, stat, caps, live, diff");
    }

    /**
     * The command line as the launcher runs it; exits with the command's exit code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Runs one command line.
     *
     * @param out where results go
     * @param err where errors go
     * @param args the arguments
     * @return the exit code
     */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine line = commandLine();
        line.setOut(out);
        line.setErr(err);
        return line.execute(args);
    }

    /**
     * The command model with vmx's error handling: user errors are one line on stderr, no stack trace.
     *
     * @return the command line
     */
    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new Vmx());
        line.setCaseInsensitiveEnumValuesAllowed(true);
        line.setParameterExceptionHandler((problem, args) -> {
            CommandLine command = problem.getCommandLine();
            PrintWriter err = command.getErr();
            err.println(name(command) + ": " + problem.getMessage());
            err.println("Try '" + name(command) + " --help' for more information.");
            return BAD_INPUT;
        });
        line.setExecutionExceptionHandler((problem, command, parsed) -> {
            PrintWriter err = command.getErr();
            if (problem instanceof UserError) {
                err.println(name(command) + ": " + problem.getMessage());
                return BAD_INPUT;
            }
            err.println(name(command) + ": internal error: " + problem);
            problem.printStackTrace(err);
            return INTERNAL;
        });
        return line;
    }

    private static String name(CommandLine command) {
        return command.getCommandSpec().qualifiedName(" ");
    }

    /**
     * The version Maven wrote into version.properties.
     *
     * @return e.g. {@code 0.1.0}
     */
    static String version() {
        java.util.Properties properties = new java.util.Properties();
        try (java.io.InputStream in = Vmx.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (java.io.IOException e) {
            // no version: said so below
        }
        return properties.getProperty("version", "(unknown version)");
    }

    /** The version for --version and the man pages. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"vmx " + version(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
