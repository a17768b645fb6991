package dev.vmx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every subcommand run as a process: the real jar (target/vmx.jar, built by the package phase) through
 * the real launcher script (vmx-cli/vmx), on the real public samples under test resources. Expected
 * standard output is compared line by line with the files under src/test/resources/dev/vmx/cli/expected;
 * {@code -Dvmx.it.update=true} rewrites them from the current output (review the diff before committing).
 */
class VmxCommandIT {
    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path LAUNCHER = MODULE.resolve("vmx");
    private static final Path EXPECTED = MODULE.resolve("src/test/resources/dev/vmx/cli/expected");
    private static final String CLI = "src/test/resources/dev/vmx/cli/";
    private static final String API = "../vmx-api/src/test/resources/dev/vmx/";
    private static final String EXAMPLES = "../examples/src/main/resources/dev/vmx/examples/";
    private static final String CAPS = API + "cap/core-i7-5600u-vmx-msrs.txt";
    private static final boolean UPDATE = Boolean.getBoolean("vmx.it.update");

    /** What a run of the launcher gave. */
    record Run(int exitCode, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    static Run vmx(String stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add(LAUNCHER.toString());
        command.addAll(List.of(args));
        return run(command, stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8));
    }

    /** Runs {@code bash -c script} with {@code $VMX} set to the launcher (for pipes such as {@code <(cat f)}). */
    static Run bash(String script) {
        return run(List.of("bash", "-c", "VMX='" + LAUNCHER + "'; " + script), null);
    }

    static Run run(List<String> command, byte[] stdin) {
        String[] args = command.subList(1, command.size()).toArray(String[]::new);
        ProcessBuilder builder = new ProcessBuilder(command).directory(MODULE.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("VMX_JAR");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread outReader = pump(process.getInputStream(), out);
            Thread errReader = pump(process.getErrorStream(), err);
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            }
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                fail("vmx " + String.join(" ", args) + " did not end within 120 s");
            }
            outReader.join();
            errReader.join();
            return new Run(process.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static Thread pump(InputStream from, ByteArrayOutputStream to) {
        Thread thread = new Thread(() -> {
            try {
                from.transferTo(to);
            } catch (IOException e) {
                // the process ended
            }
        });
        thread.start();
        return thread;
    }

    static String resource(String name) throws IOException {
        return Files.readString(MODULE.resolve(CLI + name));
    }

    /** Compares standard output with an expected file, line by line, naming the first line that differs. */
    static void assertOutput(String expectedFile, Run run) throws IOException {
        Path file = EXPECTED.resolve(expectedFile);
        if (UPDATE) {
            Files.createDirectories(EXPECTED);
            Files.writeString(file, run.out());
        }
        List<String> expected = Files.readAllLines(file);
        List<String> actual = run.out().lines().toList();
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            String want = i < expected.size() ? expected.get(i) : "(end of output)";
            String got = i < actual.size() ? actual.get(i) : "(end of output)";
            assertEquals(want, got, expectedFile + " line " + (i + 1) + "; stderr: " + run.err());
        }
    }

    static void assertOneLineError(Run run, String start) {
        assertEquals(2, run.exitCode(), run.err());
        assertEquals(1, run.errLines().size(), "one line on stderr: " + run.err());
        assertTrue(run.err().startsWith(start), "stderr should start with '" + start + "': " + run.err());
        assertNoStackTrace(run);
    }

    static void assertNoStackTrace(Run run) {
        assertFalse(run.err().contains("\tat ") || run.err().contains("Exception"), "no stack trace: " + run.err());
    }

    // ------------------------------------------------------------------ conventions

    @Test
    void versionAndHelpEverywhere() {
        Run version = vmx(null, "--version");
        assertEquals(0, version.exitCode());
        assertEquals("vmx " + Vmx.version(), version.out().lines().findFirst().orElseThrow());
        assertTrue(Vmx.version().matches("\\d+\\.\\d+\\.\\d+.*"), "the build's version: " + Vmx.version());
        Run help = vmx(null, "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().startsWith("Usage: vmx [-hV] [COMMAND]"), help.out());
        for (String command : List.of("explain", "why", "stat", "caps", "live", "diff")) {
            assertTrue(help.out().contains("\n  " + command + " "), command + " listed: " + help.out());
            Run commandHelp = vmx(null, command, "--help");
            assertEquals(0, commandHelp.exitCode(), command);
            assertTrue(commandHelp.out().startsWith("Usage: vmx " + command), commandHelp.out());
            assertEquals("", commandHelp.err());
            Run viaHelp = vmx(null, "help", command);
            assertEquals(commandHelp.out(), viaHelp.out());
        }
        assertTrue(help.out().contains("Exit codes:"), help.out());
    }

    @Test
    void badUsageExitsWithTwoAndNoStackTrace() {
        Run none = vmx(null);
        assertEquals(2, none.exitCode());
        assertEquals(List.of("vmx: missing command: one of explain, why, stat, caps, live, diff",
                "Try 'vmx --help' for more information."), none.errLines());
        Run unknown = vmx(null, "stat", "--by", "colour", "x");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().startsWith("vmx stat: Invalid value for option '--by': expected one of [reason, vcpu, port, msr, "
                + "qualification, ept-page] (case-insensitive) but was 'colour'"), unknown.err());
        assertNoStackTrace(unknown);
        Run missing = vmx(null, "why");
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().startsWith("vmx why: Missing required parameter: 'FILE'"), missing.err());
    }

    @Test
    void manPagesAndCompletionAreGenerated() throws IOException {
        Path man = MODULE.resolve("target/man");
        String top = Files.readString(man.resolve("vmx.adoc"));
        assertTrue(top.contains(":doctype: manpage"), top);
        for (String command : List.of("explain", "why", "stat", "caps", "live", "diff")) {
            String page = Files.readString(man.resolve("vmx-" + command + ".adoc"));
            assertTrue(page.contains("vmx-" + command), command);
            assertTrue(top.contains("xref:vmx-" + command + ".adoc[*" + command + "*]::"), command);
        }
        assertTrue(Files.readString(man.resolve("vmx-stat.adoc")).contains("--format"));
        String completion = Files.readString(MODULE.resolve("target/vmx_completion"));
        assertTrue(completion.contains("complete -F _complete_vmx"), "bash completion function registered");
        assertTrue(completion.contains("local commands=\"explain why stat caps live diff help\""), "subcommands completed");
        assertTrue(completion.contains("(\"reason\" \"vcpu\" \"port\" \"msr\" \"qualification\" \"ept-page\") # --by values"),
                "--by values completed");
    }

    @Test
    void theJarRunsOnJdk24AndLaterWithoutNativeAccessWarnings() throws IOException {
        try (JarFile jar = new JarFile(MODULE.resolve("target/vmx.jar").toFile())) {
            Manifest manifest = jar.getManifest();
            assertEquals("dev.vmx.cli.Vmx", manifest.getMainAttributes().getValue("Main-Class"));
            assertEquals("ALL-UNNAMED", manifest.getMainAttributes().getValue("Enable-Native-Access"));
            assertTrue(jar.getEntry("picocli/CommandLine.class") != null, "picocli inside");
            assertTrue(jar.getEntry("com/sun/jna/Native.class") != null, "JNA inside");
            assertTrue(jar.getEntry("META-INF/services/dev.vmx.hw.NativeBackend") != null, "service files kept");
        }
    }

    @Test
    void theLauncherFindsTheJarThroughASymbolicLink() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("vmx-link");
        Path link = dir.resolve("vmx");
        try {
            Files.createSymbolicLink(link, LAUNCHER);
            Process process = new ProcessBuilder(link.toString(), "explain", "48").directory(dir.toFile()).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue());
            assertTrue(out.startsWith("EPT_VIOLATION: EPT violation"), out);
        } finally {
            Files.deleteIfExists(link);
            Files.deleteIfExists(dir);
        }
    }

    // ------------------------------------------------------------------ explain

    @Test
    void explainArguments() throws IOException {
        Run run = vmx(null, "explain", "0x80000021", "KVM: entry failed, hardware error 0x0", "GUEST_RIP", "--field", "0x2001",
                "--vm-error", "8", "--intr", "0x80000b0e");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err());
        assertOutput("explain-arguments.txt", run);
    }

    @Test
    void explainPastedLinesFromStandardInput() throws IOException {
        Run run = vmx(resource("pasted-lines.txt"), "explain");
        assertEquals(0, run.exitCode(), run.err());
        assertOutput("explain-pasted-lines.txt", run);
        Run dash = vmx(resource("pasted-lines.txt"), "explain", "-");
        assertEquals(run.out(), dash.out());
        Run json = vmx(resource("pasted-lines.txt"), "explain", "--format", "json");
        assertEquals(0, json.exitCode(), json.err());
        assertOutput("explain-pasted-lines.json", json);
    }

    @Test
    void explainAWholeTraceCmdReportSkipsAndCountsItsHeaderLines() throws IOException {
        String report = Files.readString(MODULE.resolve(API + "trace/osdev-trace-cmd-report.txt"));
        Run run = vmx(report, "explain");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of("vmx explain: <stdin>: skipped 3 trace header or loss line(s)"), run.errLines());
        // kvm_page_fault is decoded: each line's address and its error code read as the EPT violation's exit
        // qualification (0x181, 0x182 set bits 7 and 8, which no PFERR bit uses, so only the VMX reading fits)
        List<String> faults = run.out().lines().filter(line -> line.startsWith("kvm_page_fault: ")).toList();
        assertEquals(List.of(
                "kvm_page_fault: EPT violation (VMX) at guest-physical address 0x3f7369712 (page 0x3f7369000), vCPU 3, "
                        + "rip 0x7f80ed32638b, error_code is the exit qualification: EPT violation: read from a page not present "
                        + "in EPT, guest linear address valid, access to the translated address (0x181)",
                "kvm_page_fault: EPT violation (VMX) at guest-physical address 0x3f9ce5a12 (page 0x3f9ce5000), vCPU 3, "
                        + "rip 0x7f80ed32638b, error_code is the exit qualification: EPT violation: read from a page not present "
                        + "in EPT, guest linear address valid, access to the translated address (0x181)",
                "kvm_page_fault: EPT violation (VMX) at guest-physical address 0x3f72089d0 (page 0x3f7208000), vCPU 3, "
                        + "rip 0x7f80ed3251d6, error_code is the exit qualification: EPT violation: write to a page not present "
                        + "in EPT, guest linear address valid, access to the translated address (0x182)"), faults);
        assertTrue(run.out().contains("  page: 0x3f7369000"), run.out());
        assertTrue(run.out().contains("  next: vmx stat --by ept-page counts EPT violations"), run.out());
        assertTrue(run.out().lines().noneMatch(line -> line.contains("does not decode")), run.out());
    }

    @Test
    void explainAnExitFromItsFields() throws IOException {
        Run run = vmx(null, "explain", "--reason", "EXCEPTION_NMI", "--qual", "0x7ffd3a2c1ff8", "--intr-info", "0x80000b0e",
                "--error-code", "6");
        assertEquals(0, run.exitCode(), run.err());
        assertOutput("explain-fields.txt", run);
    }

    @Test
    void explainBadInputNamesArgumentLineAndColumn() {
        Run argument = vmx(null, "explain", "48", "EPT_VIOLATON");
        assertOneLineError(argument, "vmx explain: argument 2, column 1: unknown basic exit reason name 'EPT_VIOLATON' "
                + "(did you mean EPT_VIOLATION?) in 'EPT_VIOLATON'");
        Run stdin = vmx("48\n\n  0x1_0000_0000\n", "explain");
        assertOneLineError(stdin, "vmx explain: <stdin>:3:");
        assertTrue(stdin.err().contains("0x1_0000_0000"), stdin.err());
        Run trace = vmx("kvm_exit: vcpu 0 reason\n", "explain");
        assertOneLineError(trace, "vmx explain: <stdin>:1:1: not a kvm trace line: ");
        Run hardware = vmx(null, "explain", "KVM: entry failed, hardware error 0xzz");
        assertOneLineError(hardware, "vmx explain: argument 1, column 37: expected hex digits after \"hardware error 0x\"");
        Run number = vmx(null, "explain", "--reason", "48", "--qual", "18a");
        assertOneLineError(number, "vmx explain: --qual: '18a' is not a number (column 3); write hex with 0x");
        Run orphan = vmx(null, "explain", "--qual", "0x181");
        assertEquals(2, orphan.exitCode());
        assertTrue(orphan.err().startsWith("vmx explain: --qual, --intr-info, --error-code and --info2 describe an exit: "
                + "give its --reason too"), orphan.err());
        Run field = vmx(null, "explain", "--field", "0x80000000");
        assertOneLineError(field, "vmx explain: --field: ");
        assertTrue(field.err().contains("0x80000000"), field.err());
    }

    // ------------------------------------------------------------------ why

    @Test
    void whyOnAKernelLogWithABrokenRule() throws IOException {
        Run run = vmx(null, "why", EXAMPLES + "entry-failure-dmesg.txt");
        assertEquals(1, run.exitCode(), run.err());
        assertEquals("", run.err());
        assertOutput("why-entry-failure.txt", run);
        Run stdin = vmx(Files.readString(MODULE.resolve(EXAMPLES + "entry-failure-dmesg.txt")), "why", "-");
        assertEquals(1, stdin.exitCode());
        assertEquals(run.out().replace(EXAMPLES + "entry-failure-dmesg.txt", "<stdin>"), stdin.out());
    }

    @Test
    void whyWithCapabilities() throws IOException {
        Run run = vmx(null, "why", "--caps", CAPS, EXAMPLES + "entry-failure-dmesg.txt");
        assertEquals(1, run.exitCode(), run.err());
        assertOutput("why-entry-failure-caps.txt", run);
        Run json = vmx(null, "why", "--format", "json", "--caps", CAPS, EXAMPLES + "entry-failure-dmesg.txt");
        assertEquals(1, json.exitCode(), json.err());
        assertOutput("why-entry-failure-caps.json", json);
    }

    @Test
    void whyOnRealPublicDumps() throws IOException {
        Run coconut = vmx(null, "why", API + "dump/coconut-svsm-1081.txt");
        assertEquals(0, coconut.exitCode(), coconut.err());
        assertOutput("why-coconut-svsm-1081.txt", coconut);
        Run wrapped = vmx(null, "why", API + "dump/edk2-91-wrapped.txt");
        assertEquals(0, wrapped.exitCode(), wrapped.err());
        assertOutput("why-edk2-91-wrapped.txt", wrapped);
    }

    @Test
    void whyBadInput() {
        assertOneLineError(vmx(null, "why", "no-such.log"), "vmx why: no-such.log: no such file");
        Run noDump = vmx(null, "why", API + "trace/gvisor-6757-tracefs.txt");
        assertOneLineError(noDump, "vmx why: " + API + "trace/gvisor-6757-tracefs.txt: no dump_vmcs() block found in 9 lines");
        assertOneLineError(vmx(null, "why", "--caps", CLI + "caps-bad-value.txt", EXAMPLES + "entry-failure-dmesg.txt"),
                "vmx why: " + CLI + "caps-bad-value.txt:7:7: '0x30048g1e5' is not a number (hex with 0x, or decimal)");
        assertOneLineError(vmx(null, "why", "--caps", CLI + "caps-three-cpus.txt", EXAMPLES + "entry-failure-dmesg.txt"),
                "vmx why: --caps " + CLI + "caps-three-cpus.txt: names 3 CPUs; give the one the VM entry ran on");
    }

    // ------------------------------------------------------------------ stat

    @Test
    void statTableCsvJsonAndGroupings() throws IOException {
        String trace = EXAMPLES + "guest-boot-trace.txt";
        Run table = vmx(null, "stat", trace);
        assertEquals(0, table.exitCode(), table.err());
        assertOutput("stat-table.txt", table);
        assertEquals(List.of("vmx stat: " + trace + ": 126 lines, 120 events (0 of other tracepoints), 6 header lines, "
                + "0 unparseable lines, 0 lost events (0 loss lines)"), table.errLines());
        Run csv = vmx(null, "stat", "--by", "vcpu", "--sort", "reason", "--format", "csv", trace);
        assertEquals(0, csv.exitCode(), csv.err());
        assertOutput("stat-vcpu.csv", csv);
        Run json = vmx(null, "stat", "--format", "json", "--threads", "1", trace);
        assertEquals(0, json.exitCode(), json.err());
        assertOutput("stat.json", json);
        Run qualification = vmx(null, "stat", "--by", "qualification", trace);
        assertOutput("stat-qualification.txt", qualification);
        Run stdin = vmx(Files.readString(MODULE.resolve(trace)), "stat", "-");
        assertEquals(table.out(), stdin.out());
        assertTrue(stdin.err().startsWith("vmx stat: <stdin>: 126 lines, 120 events"), stdin.err());
    }

    @Test
    void statDrawsAProgressLineForInputThatTakesMoreThanASecond() throws IOException, InterruptedException {
        String trace = Files.readString(MODULE.resolve(EXAMPLES + "guest-boot-trace.txt"));
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "stat", "--progress", "always", "-")
                .directory(MODULE.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread outReader = pump(process.getInputStream(), out);
        Thread errReader = pump(process.getErrorStream(), err);
        try (OutputStream in = process.getOutputStream()) {
            int half = trace.indexOf('\n', trace.length() / 2) + 1;
            in.write(trace.substring(0, half).getBytes(StandardCharsets.UTF_8));
            in.flush();
            Thread.sleep(2500); // the JVM starts, reads the first half and waits: more than a second
            in.write(trace.substring(half).getBytes(StandardCharsets.UTF_8));
        } finally {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
            process.destroyForcibly();
        }
        outReader.join();
        errReader.join();
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), stderr);
        assertTrue(stderr.startsWith("\rvmx stat: <stdin> 0 MiB, 1 s"), "a progress line: " + stderr);
        assertTrue(stderr.contains("\r\033[K" + "vmx stat: <stdin>: 126 lines, 120 events"), "erased before the summary: " + stderr);
        assertOutput("stat-table.txt", new Run(0, out.toString(StandardCharsets.UTF_8), stderr));
    }

    @Test
    void statOnRealPublicTracesAddsFilesUp() throws IOException {
        Run run = vmx(null, "stat", API + "trace/gvisor-6757-tracefs.txt", API + "trace/osdev-trace-cmd-report.txt");
        assertEquals(0, run.exitCode(), run.err());
        assertOutput("stat-public-traces.txt", run);
        assertEquals(List.of(
                "vmx stat: " + API + "trace/gvisor-6757-tracefs.txt: 9 lines, 8 events (3 of other tracepoints), 1 header lines, "
                        + "0 unparseable lines, 0 lost events (0 loss lines)",
                "vmx stat: " + API + "trace/osdev-trace-cmd-report.txt: 7 lines, 3 events (0 of other tracepoints), 4 header lines, "
                        + "0 unparseable lines, 0 lost events (0 loss lines)"), run.errLines());
    }

    @Test
    void statReadsATraceDatFromAFileAPipeOrStandardInput(@TempDir Path directory) throws IOException {
        String dat = EXAMPLES + "written-exits.dat";
        Run file = vmx(null, "stat", dat);
        assertEquals(0, file.exitCode(), file.err());
        assertTrue(file.out().contains("Total Samples:480"), file.out());
        // a binary trace has no lines: the summary names the format and counts problems, not lines
        assertEquals(List.of("vmx stat: " + dat + ": trace.dat v6: 1070 events (0 of other tracepoints), 0 problems, "
                + "0 lost events (0 loss reports)"), file.errLines());
        // the slowest exits of a trace.dat are placed by time, as trace-cmd report -t prints it
        // ("vcpu2-1003 [001] 1.402953425: kvm_exit: reason HLT rip 0xffffffff810517a4 info b4e 0")
        Run slowest = vmx(null, "stat", "--slowest", "1", dat);
        assertEquals(0, slowest.exitCode(), slowest.err());
        List<String> lines = slowest.out().lines().toList();
        assertTrue(lines.get(lines.size() - 2).endsWith("EXIT AT FILE:LINE (ENTRY LINE) | FILE @ SECONDS"), slowest.out());
        assertEquals("     194.593  HLT         2     1003  " + dat + " @ 1.402953425", lines.get(lines.size() - 1));
        // standard input and pipes cannot be mapped: they go through a temporary file, same result
        Run stdin = run(List.of(LAUNCHER.toString(), "stat", "-"), Files.readAllBytes(MODULE.resolve(dat)));
        assertEquals(file.out(), stdin.out(), stdin.err());
        assertEquals(List.of("vmx stat: <stdin>: trace.dat v6: 1070 events (0 of other tracepoints), 0 problems, "
                + "0 lost events (0 loss reports)"), stdin.errLines());
        Run pipe = bash("\"$VMX\" stat <(cat " + dat + ")");
        assertEquals(file.out(), pipe.out(), pipe.err());
        // text through a pipe too (JDK 17's Files.newInputStream failed on it with 'Illegal seek')
        String text = EXAMPLES + "guest-boot-trace.txt";
        Run textPipe = bash("\"$VMX\" stat <(cat " + text + ")");
        assertEquals(0, textPipe.exitCode(), textPipe.err());
        assertEquals(vmx(null, "stat", text).out(), textPipe.out());
        // losses and problems name their byte offset, buffer and CPU; and nothing else is on stderr: on JDK 24
        // and later zstd (aircompressor, sun.misc.Unsafe) would add a JVM warning but for the launcher's flag
        String lost = "../vmx-hw/src/test/resources/dev/vmx/hw/tracedat/lost-v7-zstd.dat";
        Run losses = vmx(null, "stat", lost);
        assertEquals(0, losses.exitCode(), losses.err());
        assertEquals(List.of("vmx stat: " + lost + ": trace.dat v7, zstd: 871 events (135 of other tracepoints), 0 problems, "
                + "2133 lost events (1 loss reports)", "  " + lost + ": offset 0x21004: buffer vmxa, CPU 1: 2133 events "
                + "were lost by the kernel before page 0 (the ring buffer overwrote or dropped them) (byte 0 of the CPU's "
                + "uncompressed data)"), losses.errLines());
        // the commands that read text refuse a trace.dat by name instead of failing on its first bytes
        String refusal = ": a trace-cmd trace.dat (binary), not text; 'vmx stat' reads trace.dat files, and 'trace-cmd report'"
                + " turns one into text";
        assertOneLineError(vmx(null, "why", dat), "vmx why: " + dat + refusal);
        assertOneLineError(vmx(null, "diff", dat, dat), "vmx diff: " + dat + refusal);
        assertOneLineError(run(List.of(LAUNCHER.toString(), "explain", "-"), Files.readAllBytes(MODULE.resolve(dat))),
                "vmx explain: <stdin>" + refusal);
        // cut inside its metadata, before any event data: refused with the file and offset, exit status 2
        byte[] bytes = Files.readAllBytes(MODULE.resolve(dat));
        Path cut = Files.write(directory.resolve("cut.dat"), java.util.Arrays.copyOf(bytes, 600));
        assertOneLineError(vmx(null, "stat", cut.toString()), "vmx stat: " + cut + ": the file ends inside its metadata, "
                + "before any event data (");
        Run cutStdin = run(List.of(LAUNCHER.toString(), "stat", "-"), java.util.Arrays.copyOf(bytes, 600));
        assertOneLineError(cutStdin, "vmx stat: <stdin>: the file ends inside its metadata, before any event data (");
    }

    @Test
    void statReportsUnparseableLinesAndRefusesInputWithoutEvents() {
        Run mixed = vmx("garbage line\n" + "             exe-110348  [006] d... 410259.258862: kvm_exit: vcpu 1 reason "
                + "EPT_VIOLATION rip 0x5600b39c8132 info1 0x0000000000000181 info2 0x0000000000000000 intr_info 0x00000000 "
                + "error_code 0x00000000\n", "stat", "-");
        assertEquals(0, mixed.exitCode(), mixed.err());
        assertEquals(List.of("vmx stat: <stdin>: 2 lines, 1 events (0 of other tracepoints), 0 header lines, 1 unparseable lines, "
                + "0 lost events (0 loss lines)", "  <stdin>:1: no [CPU] field"), mixed.errLines());
        Run none = vmx(null, "stat", "../README.md");
        assertEquals(2, none.exitCode());
        assertTrue(none.err().lines().anyMatch(line -> line.startsWith("vmx stat: ../README.md: no kvm trace event in ")), none.err());
        assertNoStackTrace(none);
        assertOneLineError(vmx(null, "stat", "no-such.trace"), "vmx stat: no-such.trace: no such file");
        Run threads = vmx(null, "stat", "--threads", "0", "x");
        assertEquals(2, threads.exitCode());
        assertEquals(List.of("vmx stat: --threads must be at least 1, not 0", "Try 'vmx stat --help' for more information."),
                threads.errLines());
    }

    @Test
    void statByEveryGroupingNamesItsRowsOrSaysWhyThereAreNone() throws IOException {
        String boot = EXAMPLES + "guest-boot-trace.txt";
        String pio = API + "trace/exit-statistics-v1.trace.txt";
        String gvisor = API + "trace/gvisor-6757-tracefs.txt";
        Run port = vmx(null, "stat", "--by", "port", "--sort", "reason", pio);
        assertEquals(0, port.exitCode(), port.err());
        assertOutput("stat-by-port.txt", port);
        assertTrue(port.err().contains("vmx stat: 24 exits had no kvm_pio event before their next entry"), port.err());
        // gvisor issue 6757: an EPT violation, then KVM's kvm_page_fault naming its guest-physical page and access
        Run page = vmx(null, "stat", "--by", "EPT-PAGE", "--format", "csv", gvisor);
        assertEquals(0, page.exitCode(), page.err());
        assertOutput("stat-by-ept-page.csv", page);
        Run vcpu = vmx(null, "stat", "--by", "vcpu", boot);
        assertEquals(0, vcpu.exitCode(), vcpu.err());
        assertTrue(vcpu.out().lines().findFirst().orElseThrow().matches("VM-EXIT +VCPU +Samples .*"), vcpu.out());
        // a trace without the events a grouping needs: the reason instead of an empty table, in every format
        Run empty = vmx(null, "stat", "--by", "ept-page", boot);
        assertEquals(0, empty.exitCode(), empty.err());
        assertEquals(List.of("No rows: 60 kvm_exit events were read, but no kvm_page_fault events, which name the guest-physical "
                + "page of an exit (enable the kvm:kvm_page_fault tracepoint when recording); 19 exits were re-entered "
                + "without one.", "Total Samples:0"), empty.out().lines().toList());
        Run emptyJson = vmx(null, "stat", "--by", "msr", "--format", "json", boot);
        assertEquals(0, emptyJson.exitCode(), emptyJson.err());
        assertTrue(emptyJson.out().startsWith("{\"total\":0,\"empty\":\"60 kvm_exit events were read, but no kvm_msr events"),
                emptyJson.out());
        assertTrue(emptyJson.err().contains("vmx stat: no rows: 60 kvm_exit events were read, but no kvm_msr events"), emptyJson.err());
        Run onlyFaults = vmx(null, "stat", "--by", "ept-page", API + "trace/osdev-trace-cmd-report.txt");
        assertEquals(0, onlyFaults.exitCode(), onlyFaults.err());
        assertTrue(onlyFaults.out().startsWith("No rows: no kvm_exit or kvm_entry events were read"), onlyFaults.out());
    }

    @Test
    void statListsTheSlowestIntervalsWithTheirFileAndLines() throws IOException {
        String boot = EXAMPLES + "guest-boot-trace.txt";
        String second = EXAMPLES + "second-host-trace.txt";
        Run table = vmx(null, "stat", "--slowest", "3", boot, second);
        assertEquals(0, table.exitCode(), table.err());
        assertOutput("stat-slowest.txt", table);
        // the table lines name file:line of the exit, and the line is that exit's
        List<String> lines = Files.readAllLines(MODULE.resolve(boot));
        for (String row : table.out().lines().dropWhile(l -> !l.startsWith("Slowest")).skip(2).toList()) {
            String at = row.substring(row.indexOf(EXAMPLES)).split(" ")[0];
            String file = at.substring(0, at.lastIndexOf(':'));
            int line = Integer.parseInt(at.substring(at.lastIndexOf(':') + 1));
            String text = Files.readAllLines(MODULE.resolve(file)).get(line - 1);
            assertTrue(text.contains("kvm_exit: ") && text.contains("reason " + row.trim().split("\\s+")[1]), row + " -> " + text);
        }
        // --than: only intervals of at least that long; csv lists them; the same from standard input
        Run csv = vmx(null, "stat", "--than", "0.4ms", "--format", "csv", boot);
        assertEquals(0, csv.exitCode(), csv.err());
        assertEquals(List.of("nanos,isa,exit_code,reason,vcpu,pid,file,exit_line,entry_line,exit_timestamp_ns,guest_rip",
                "449000,VMX,0xc,HLT,1,4243," + boot + ",98,109,1000001054000,0xffffffff810040ed",
                "419000,VMX,0xc,HLT,1,4243," + boot + ",18,32,1000000145000,0xffffffff810047f3"), csv.out().lines().toList());
        assertTrue(lines.get(98 - 1).contains("kvm_exit: vcpu 1 reason HLT"), lines.get(98 - 1));
        assertTrue(lines.get(109 - 1).contains("kvm_entry: vcpu 1,"), lines.get(109 - 1));
        Run stdin = vmx(Files.readString(MODULE.resolve(boot)), "stat", "--than", "400us", "--format", "csv", "-");
        assertEquals(csv.out().replace(boot, "<stdin>"), stdin.out());
        Run json = vmx(null, "stat", "--than", "440000", "--format", "json", boot);
        assertEquals(0, json.exitCode(), json.err());
        assertTrue(json.out().strip().endsWith(",\"slowest\":[{\"nanos\":449000,\"isa\":\"VMX\",\"exitCode\":12,\"reason\":\"HLT\","
                + "\"vcpu\":1,\"pid\":4243,\"file\":\"" + boot + "\",\"exitLine\":98,\"entryLine\":109,"
                + "\"exitTimestampNs\":1000001054000,\"guestRip\":\"0xffffffff810040ed\"}]}"), json.out());
        Run none = vmx(null, "stat", "--than", "1s", boot);
        assertTrue(none.out().contains("Slowest exit-to-entry intervals (0 of at most 10, at least 1000000.00 us):\n  none"), none.out());
        for (String[] bad : new String[][] {{"--than", "fast"}, {"--than", "-5us"}, {"--slowest", "0"}}) {
            Run run = vmx(null, "stat", bad[0], bad[1], boot);
            assertEquals(2, run.exitCode(), run.err());
            assertTrue(run.err().startsWith("vmx stat: ") && run.err().contains(bad[0]), run.err());
            assertNoStackTrace(run);
        }
    }

    @Test
    void statSavesOnOneHostAndMergesOnAnother() throws IOException {
        String boot = EXAMPLES + "guest-boot-trace.txt";
        String second = EXAMPLES + "second-host-trace.txt";
        Path dir = Files.createTempDirectory(MODULE.resolve("target"), "stat-save");
        Path a = dir.resolve("host-a.vmxstat");
        Path b = dir.resolve("host-b.json");
        Run saveA = vmx(null, "stat", "--save", a.toString(), boot);
        assertEquals(0, saveA.exitCode(), saveA.err());
        assertTrue(Files.readString(a, StandardCharsets.ISO_8859_1).startsWith("VMXS"), "the binary form");
        Run saveB = vmx(null, "stat", "--save", b.toString(), "--format", "csv", second);
        assertEquals(0, saveB.exitCode(), saveB.err());
        assertTrue(Files.readString(b).startsWith("{"), "the JSON state form");
        // merged statistics equal those of one reader over both traces, in every format
        for (String form : List.of("table", "csv", "json")) {
            Run merged = vmx(null, "stat", "--format", form, "--sort", "time", "--load", a.toString(), "--load", b.toString());
            assertEquals(0, merged.exitCode(), merged.err());
            assertEquals("", merged.err());
            Run direct = vmx(null, "stat", "--format", form, "--sort", "time", boot, second);
            assertEquals(direct.out(), merged.out(), form);
        }
        // saved statistics and a trace file add up too
        assertEquals(vmx(null, "stat", boot, second).out(), vmx(null, "stat", "--load", a.toString(), second).out());
        // the grouping comes from the saved file; another --by is refused
        Path vcpu = dir.resolve("vcpu.vmxstat");
        assertEquals(0, vmx(null, "stat", "--by", "vcpu", "--save", vcpu.toString(), boot).exitCode());
        assertEquals(vmx(null, "stat", "--by", "vcpu", boot).out(), vmx(null, "stat", "--load", vcpu.toString()).out());
        assertOneLineError(vmx(null, "stat", "--load", vcpu.toString(), "--load", a.toString()),
                "vmx stat: " + a + ": statistics grouped by reason, not by vcpu");
        // the committed version-1 files of vmx-api read back (a form written by an earlier build)
        Run v1 = vmx(null, "stat", "--load", API + "trace/exit-statistics-v1-io-port.bin");
        assertEquals(0, v1.exitCode(), v1.err());
        assertEquals(vmx(null, "stat", "--by", "port", API + "trace/exit-statistics-v1.trace.txt").out(), v1.out());
        // bad saved files: named, with the byte offset, exit status 2
        byte[] good = Files.readAllBytes(a);
        Path truncated = dir.resolve("truncated.vmxstat");
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length - 3));
        assertOneLineError(vmx(null, "stat", "--load", truncated.toString()),
                "vmx stat: " + truncated + ": serialized exit statistics, byte offset ");
        Path notStats = dir.resolve("not-stats.vmxstat");
        Files.writeString(notStats, "VMXQ and more");
        assertOneLineError(vmx(null, "stat", "--load", notStats.toString()),
                "vmx stat: " + notStats + ": serialized exit statistics, byte offset 3: not serialized exit statistics (no VMXS magic)");
        Path badJson = dir.resolve("bad.json");
        Files.writeString(badJson, "{\"format\":\"something else\"}");
        assertOneLineError(vmx(null, "stat", "--load", badJson.toString()), "vmx stat: " + badJson + ": serialized exit statistics JSON");
        assertOneLineError(vmx(null, "stat", "--load", "no-such.vmxstat"), "vmx stat: no-such.vmxstat: no such file");
        assertOneLineError(vmx(null, "stat", "--save", dir.resolve("no/such/dir.vmxstat").toString(), boot),
                "vmx stat: " + dir.resolve("no/such/dir.vmxstat") + ": cannot write");
        Run nothing = vmx(null, "stat");
        assertEquals(2, nothing.exitCode());
        assertTrue(nothing.err().startsWith("vmx stat: Missing required parameter: 'FILE' (or --load FILE)"), nothing.err());
    }

    // ------------------------------------------------------------------ caps

    @Test
    void capsLikeVmxcap() throws IOException {
        Run run = vmx(null, "caps", "--file", CAPS);
        assertEquals(0, run.exitCode(), run.err());
        assertOutput("caps-i7-5600u.txt", run);
    }

    @Test
    void capsCheckGivesVerdictAndAdjustedValue() throws IOException {
        Run rejected = vmx(null, "caps", "--file", CAPS, "--check", "proc=0x20080080");
        assertEquals(1, rejected.exitCode(), rejected.err());
        List<String> lines = rejected.out().lines().toList();
        int verdict = lines.indexOf("check PRIMARY_PROCESSOR_BASED=0x20080080 against IA32_VMX_TRUE_PROCBASED_CTLS: rejected");
        assertTrue(verdict > 0, rejected.out());
        assertEquals("  adjusted: 0x240861f2 PRIMARY_PROCESSOR_BASED{HLT_EXITING, CR8_LOAD_EXITING, MONITOR_EXITING, "
                + "undefined=0x4006172}", lines.get(lines.size() - 1));
        Run accepted = vmx(null, "caps", "--file", CAPS, "--check", "PRIMARY_PROCESSOR_BASED=0x240861f2");
        assertEquals(0, accepted.exitCode(), accepted.err());
        assertTrue(accepted.out().contains("check PRIMARY_PROCESSOR_BASED=0x240861f2 against IA32_VMX_TRUE_PROCBASED_CTLS: accepted"));
        Run badControl = vmx(null, "caps", "--file", CAPS, "--check", "procs=1");
        assertEquals(2, badControl.exitCode());
        assertTrue(badControl.err().startsWith("vmx caps: --check: no control named 'procs'"), badControl.err());
    }

    @Test
    void capsPrintsEachGroupOfEqualCpus() throws IOException {
        Run run = vmx(null, "caps", "--file", CLI + "caps-three-cpus.txt");
        assertEquals(0, run.exitCode(), run.err());
        assertOutput("caps-three-cpus.txt", run);
    }

    @Test
    void capsBadFiles() {
        assertOneLineError(vmx(null, "caps", "--file", CLI + "caps-bad-value.txt"),
                "vmx caps: " + CLI + "caps-bad-value.txt:7:7: '0x30048g1e5' is not a number (hex with 0x, or decimal)");
        assertOneLineError(vmx(null, "caps", "--file", CLI + "caps-missing-msr.txt"),
                "vmx caps: " + CLI + "caps-missing-msr.txt:2: ");
        assertTrue(vmx(null, "caps", "--file", CLI + "caps-missing-msr.txt").err().contains("IA32_VMX_CR4_FIXED1"));
        assertOneLineError(vmx("0x480 1\n0x12 5\n", "caps", "--file", "-"),
                "vmx caps: <stdin>:2:1: MSR 0x12 is not an IA32_VMX_* capability MSR (0x480-0x493)");
        assertOneLineError(vmx(null, "caps", "--file", "no-such.txt"), "vmx caps: no-such.txt: no such file");
        Run both = vmx(null, "caps", "--kvm", "--file", CAPS);
        assertEquals(2, both.exitCode());
        assertTrue(both.err().startsWith("vmx caps: Error: ") && both.err().contains("are mutually exclusive"), both.err());
    }

    @Test
    void capsFromKvmAndMsrDevicesRefuseClearlyWhereTheMachineLacksThem() {
        assertOneLineError(vmx(null, "caps", "--kvm", "--kvm-device", "/nonexistent/kvm"), "vmx caps: /nonexistent/kvm: ");
        assertOneLineError(vmx(null, "caps", "--msr", "9999"), "vmx caps: /dev/cpu/9999/msr: no /dev/cpu/9999/msr: ");
        // this machine's own KVM: a table where it exposes nested VMX, else one line saying why
        Run kvm = vmx(null, "caps");
        if (kvm.exitCode() == 0) {
            assertTrue(kvm.out().startsWith("Basic VMX Information\n"), kvm.out());
        } else {
            assertOneLineError(kvm, "vmx caps: /dev/kvm: ");
        }
    }

    // ------------------------------------------------------------------ live

    @Test
    void liveRefusesClearlyWithoutTracefs() {
        assertOneLineError(vmx(null, "live", "--tracefs", "/nonexistent", "--count", "1"),
                "vmx live: /nonexistent: no tracefs at /nonexistent");
        assertOneLineError(vmx(null, "live", "--interval", "soon"), "vmx live: --interval: 'soon' is not a duration");
    }

    @Test
    void liveOnThisMachine() throws IOException, InterruptedException {
        // vmx live runs as a process while this JVM runs tiny real-mode guests (OUT "Hi" to port 0x3f8, HLT) on
        // /dev/kvm, so that there is something to see; a machine without root or tracefs gets one line saying which
        boolean kvm = Files.isReadable(Path.of("/dev/kvm")) && Files.isWritable(Path.of("/dev/kvm"));
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "live", "--interval", "1s", "--count", "3")
                .directory(MODULE.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread outReader = pump(process.getInputStream(), out);
        Thread errReader = pump(process.getErrorStream(), err);
        int guests = 0;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (process.isAlive() && System.nanoTime() < deadline) {
                if (kvm) {
                    try (dev.vmx.hw.kvm.KvmSystem system = dev.vmx.hw.kvm.KvmSystem.open()) {
                        dev.vmx.hw.kvm.GuestRunner.runRealMode(system, dev.vmx.hw.kvm.GuestRunner.HELLO_SERIAL, 16);
                        guests++;
                    } catch (dev.vmx.hw.NativeUnavailableException e) {
                        System.out.println("no guest on this machine: " + e.getMessage());
                        kvm = false;
                    }
                }
                Thread.sleep(100);
            }
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "vmx live --count 3 ends");
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        outReader.join();
        errReader.join();
        Run run = new Run(process.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.println(run.out());
        if (run.exitCode() != 0) {
            System.out.println("vmx live cannot run on this machine: " + run.err());
            assertOneLineError(run, "vmx live: ");
            return;
        }
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.get(0).startsWith("vmx live: ") && lines.get(0).endsWith("(refresh 1)"), run.out());
        assertEquals(" Event                                         Total  %Total   CurAvg/s", lines.get(1));
        assertTrue(run.out().contains("(refresh 3)"), run.out());
        if (guests > 0) {
            // what this host's KVM traces of the guests: Intel and AMD KVM emit kvm_exit, and every KVM kvm_pio for the OUT
            assertTrue(run.out().contains(" kvm_pio ") || run.out().contains(" kvm_exit("), guests + " guests ran:\n" + run.out());
        }
    }

    // ------------------------------------------------------------------ diff

    @Test
    void diffTwoRealDumpsInEveryFormat() throws IOException {
        String a = API + "dump/coconut-svsm-1081.txt";
        String b = API + "dump/dosemu2-1274-syslog.txt";
        Run text = vmx(null, "diff", a, b);
        assertEquals(1, text.exitCode(), text.err());
        assertOutput("diff-dumps.txt", text);
        Run csv = vmx(null, "diff", "--format", "csv", a, b);
        assertOutput("diff-dumps.csv", csv);
        Run json = vmx(null, "diff", "--format", "json", a, b);
        assertOutput("diff-dumps.json", json);
        Run same = vmx(null, "diff", a, a + "#1");
        assertEquals(0, same.exitCode(), same.err());
        assertEquals("", same.out());
    }

    @Test
    void diffSnapshots() throws IOException {
        Run run = vmx(null, "diff", CLI + "snapshot-a.txt", CLI + "snapshot-b.txt");
        assertEquals(1, run.exitCode(), run.err());
        // in encoding order: GUEST_PHYSICAL_ADDRESS is 0x2400, VM_EXIT_REASON 0x4402
        assertEquals(List.of("GUEST_PHYSICAL_ADDRESS: 0x7f3e2000 -> (absent)", "VM_EXIT_REASON: 0x30 -> 0x1e",
                "EXIT_QUALIFICATION: 0x18a -> 0x3f80000", "GUEST_RIP: 0xffffffff8103a5c4 -> 0xffffffff8103a5c7"),
                run.out().lines().toList());
        Run stdin = vmx(resource("snapshot-b.txt"), "diff", CLI + "snapshot-a.txt", "-");
        assertEquals(run.out(), stdin.out());
    }

    @Test
    void diffBadInput() {
        Run bad = vmx(null, "diff", CLI + "snapshot-a.txt", CLI + "snapshot-bad.txt");
        assertOneLineError(bad, "vmx diff: " + CLI + "snapshot-bad.txt:4:1: ");
        assertTrue(bad.err().contains("GUEST_RIPP"), bad.err());
        assertOneLineError(vmx(null, "diff", API + "dump/coconut-svsm-1081.txt#2", CLI + "snapshot-a.txt"),
                "vmx diff: " + API + "dump/coconut-svsm-1081.txt: has 1 dump_vmcs block(s), not 2");
        assertOneLineError(vmx(null, "diff", "no-such.txt", CLI + "snapshot-a.txt"), "vmx diff: no-such.txt: no such file");
        Run twoStdin = vmx("", "diff", "-", "-");
        assertEquals(2, twoStdin.exitCode());
        assertTrue(twoStdin.err().startsWith("vmx diff: only one of A and B can be - (standard input)"), twoStdin.err());
    }
}
