package dev.vmx.dump;

import dev.vmx.vmcs.VmcsField;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds and parses VMCS dump blocks in kernel-log text: Linux's {@code dump_vmcs()}
 * ({@code arch/x86/kvm/vmx/vmx.c}, formats of 4.x to 6.x; {@code arch/x86/kvm/vmx.c} before 5.0)
 * Xen's {@code vmcs_dump_vcpu()} ({@code (XEN)} console lines, from "**** VMCS Area ****" to the
 * closing line of stars) and Intel HAXM's field dump ({@code haxm_warning: 4002 NAME: value}, a run
 * of such lines), all into the same {@link VmcsDump} model ({@link VmcsDump#dialect()}).
 *
 * <p>Log prefixes it removes: dmesg {@code [seconds]} and {@code dmesg -T} timestamps,
 * {@code CONFIG_PRINTK_CALLER} ids ({@code [ T1289]}, {@code [    C3]}), {@code dmesg -x}
 * facility/level columns, {@code dmesg -r} levels ({@code <4>}), syslog and journal lines
 * ({@code ... kernel: }), {@code kvm_intel:} / {@code kvm:} module prefixes, Xen's {@code (XEN)},
 * and mail quoting ({@code > }). Lines wrapped by a mail client are joined: a line without any log
 * prefix that follows a prefixed line of a block continues it (problems then name the first line).
 *
 * <p>A block starts at "VMCS ..., last attempted VM-entry on CPU n" (5.12 and later), at
 * "*** Guest State ***", or, for an excerpt quoted in a mail or bug report, at any line only
 * {@code dump_vmcs()} prints ({@code CR4: actual=...}, {@code VMExit: intr_info=...}, a segment row,
 * ...; {@link VmcsDump#excerpt()}). An excerpt that starts with a line both the guest and the host
 * section print ({@code Sysenter RSP=...}, {@code EFER}, {@code PAT}) takes its section from the
 * next line that tells; if none does, those lines are reported. A block ends before two
 * consecutive lines after "*** Control State ***" that are no dump lines, or at the next block; a
 * single foreign line followed by dump lines was interleaved and is reported. The nearest earlier
 * "entry failed, hardware error 0x..." line (printed by QEMU, often copied into the same report)
 * is linked.
 *
 * <p>Nothing is dropped silently: a line inside a block that is not understood, a label no kernel
 * prints, a value with fewer hex digits than the kernel's fixed-width format prints (cut off), a
 * value too wide for its field or for 64 bits, and a number outside its range are each a
 * {@link VmcsDumpProblem} with line and column, and the rest of the block is kept. What a cut-off
 * dump lacks is listed in {@link VmcsDump#missingSections()} and {@link VmcsDump#missingFields()}.
 * The parser takes time linear in the input; lines longer than {@value #MAX_LINE} characters are
 * no dump lines (reported inside a block, not examined outside).
 */
public final class VmcsDumpParser {
    /** The longest line examined; dump lines are under 200 characters, wrapped ones a few times that. */
    static final int MAX_LINE = 16384;

    // mail quoting "> ", Xen's "(XEN) " (with its optional "[timestamp] "), syslog/journal
    // "... kernel: ", dmesg -x "kern  :err   : ", dmesg -r "<4>", dmesg "[  12.345678]" or
    // dmesg -T "[Tue Dec  1 17:41:26 2026]", CONFIG_PRINTK_CALLER "[ T1289]" / "[    C3]", then the
    // module prefix of newer kernels
    private static final Pattern PREFIX = Pattern.compile(
            "^\\s*(?:> ?)*(?:\\(XEN\\) ?(?:\\[[0-9 :.-]{1,40}\\] ?)?)?(?:[^\\n]{0,200}?\\bkernel: )?(?:[a-z]{1,10} *:[a-z]{1,10} *: )?(?:<\\d{1,3}>)?"
                    + "(?:\\[\\s{0,12}\\d{1,12}\\.\\d{1,9}\\]\\s?|\\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\\]\\s?)?"
                    + "(?:\\[\\s{0,8}[TC]\\d{1,10}\\]\\s?)?"
                    + "(?:kvm_intel: |kvm: |kvm \\[\\d{1,10}\\]: )?");
    // what a mail or a Markdown quote puts before a log line: blanks and '>' marks
    private static final Pattern QUOTE = Pattern.compile("\\s*(?:> ?)*");
    private static final Pattern XEN = Pattern.compile("^\\s*(?:> ?)*\\(XEN\\)");
    private static final Pattern START = Pattern.compile("VMCS (\\S{1,40}), last attempted VM-entry on CPU (\\d+)");
    // QEMU's "KVM: entry failed, hardware error 0x80000021", Xen's "d1v0 vmentry failure (reason 0x80000021): ..."
    private static final Pattern HARDWARE_ERROR = Pattern.compile(
            "(?:entry failed, hardware error|vmentry failure \\(reason) ([^\\s)]{0,40})");
    private static final Pattern HEX_NUMBER = Pattern.compile("0x([0-9a-fA-F]+)");
    // HAXM: "haxm_warning: 4002 VMX_PRIMARY_PROCESSOR_CONTROLS: 960061fa" after any log prefix
    private static final Pattern HAXM_LINE = Pattern.compile(
            "haxm_[a-z]{1,10}: ?([0-9a-fA-F]{1,8}) ([A-Z][A-Z0-9_]{0,60}): ([0-9a-fA-F]+)\\s*$");
    private static final Pattern HAXM_CUT = Pattern.compile("haxm_[a-z]{1,10}: ?([0-9a-fA-F]{1,8}(?: [A-Z][A-Z0-9_]{0,60}:?)?)\\s*$");
    private static final Pattern XEN_START = Pattern.compile("\\*{5,} VMCS Area \\*{5,}");
    private static final Pattern XEN_END = Pattern.compile("\\*{20,}");
    // Xen's segment table: "       sel  attr  limit   base", "  CS: 0010 0a09b ffffffff 0000000000000000",
    // "GDTR:            0000007f ffff88001f40c000"
    private static final Pattern XEN_SEGMENT = Pattern.compile(
            "\\s*(CS|DS|SS|ES|FS|GS|LDTR|TR): ([0-9a-fA-F]+) ([0-9a-fA-F]+) ([0-9a-fA-F]+) ([0-9a-fA-F]+)\\s*");
    private static final Pattern XEN_CUT_ROW = Pattern.compile(
            "\\s*(CS|DS|SS|ES|FS|GS|LDTR|TR|GDTR|IDTR):\\s+([0-9a-fA-F][0-9a-fA-F ]{0,40})");
    private static final Pattern XEN_TABLE = Pattern.compile("\\s*(GDTR|IDTR):\\s+([0-9a-fA-F]+) ([0-9a-fA-F]+)\\s*");
    private static final Pattern SEGMENT = Pattern.compile(
            "(CS|DS|SS|ES|FS|GS|GDTR|LDTR|IDTR|TR):\\s+(?:sel=0x([0-9a-fA-F]+), attr=0x([0-9a-fA-F]+), )?"
                    + "limit=0x([0-9a-fA-F]+), base=0x([0-9a-fA-F]+)\\s*");
    private static final Pattern SEGMENT_START = Pattern.compile("\\s*(CS|DS|SS|ES|FS|GS|GDTR|LDTR|IDTR|TR):\\s+(?:sel=|limit=)");
    private static final Pattern MSR_LIST = Pattern.compile("MSR (.+):");
    private static final Pattern MSR_ENTRY = Pattern.compile("\\s*(\\d+): msr=0x([0-9a-fA-F]+) value=0x([0-9a-fA-F]+)\\s*");
    private static final Pattern SYSENTER = Pattern.compile(
            "Sysenter RSP=([0-9a-fA-F]+) CS:RIP=([0-9a-fA-F]+):([0-9a-fA-F]+)\\s*");
    private static final Pattern GROUP = Pattern.compile("(CR0|CR4|VMEntry|VMExit|IDTVectoring):\\s*(.*)");

    private VmcsDumpParser() {
    }

    /**
     * Parses every dump block of a text.
     *
     * @param in the kernel log text; not closed
     * @return the blocks in input order, empty if there are none
     * @throws UncheckedIOException if reading fails
     */
    public static List<VmcsDump> parse(Reader in) {
        return read(in).dumps();
    }

    /**
     * Parses every dump block of a text and reports the problems outside them too.
     *
     * @param in the kernel log text; not closed
     * @return the blocks and the problems on lines outside every block
     * @throws UncheckedIOException if reading fails (the message names the line)
     */
    public static VmcsDumpLog read(Reader in) {
        BufferedReader reader = in instanceof BufferedReader buffered ? buffered : new BufferedReader(in);
        List<VmcsDump> dumps = new ArrayList<>();
        List<VmcsDumpProblem> outside = new ArrayList<>();
        Block block = null;
        long lineNumber = 0;
        OptionalLong errorValue = OptionalLong.empty();
        long errorLine = -1;
        try {
            String next = reader.readLine();
            while (next != null) {
                String raw = next;
                lineNumber++;
                long firstLineNumber = lineNumber;
                next = reader.readLine();
                if (raw.length() > MAX_LINE) {
                    if (block != null) {
                        block.tooLong(raw, firstLineNumber);
                    }
                    continue;
                }
                // A log pasted into a mail or bug report wraps long lines: inside a block of prefixed
                // kernel lines, a following line without any log prefix continues the line. A
                // StringBuilder keeps a long run of such lines linear; MAX_LINE ends the joining.
                String stripped = stripPrefix(raw).trim();
                if ((block != null && block.section != Section.PREAMBLE || startsDumpText(stripped)) && !stripped.startsWith("*** ")
                        && hasPrefix(raw) && continues(next)) {
                    StringBuilder joined = new StringBuilder(raw);
                    while (continues(next) && joined.length() + next.length() < MAX_LINE) {
                        joined.append(' ').append(continuation(next));
                        lineNumber++;
                        next = reader.readLine();
                    }
                    raw = joined.toString();
                }
                String line = stripPrefix(raw);
                int prefixLength = raw.length() - line.length();
                Matcher error = HARDWARE_ERROR.matcher(raw);
                if (error.find()) {
                    Matcher number = HEX_NUMBER.matcher(error.group(1));
                    if (!number.matches()) {
                        VmcsDumpProblem problem = new VmcsDumpProblem(firstLineNumber, error.start(1) + 1, raw,
                                "hardware error '" + error.group(1) + "' is not a hex number 0x...");
                        (block != null ? block.problems : outside).add(problem);
                        continue;
                    }
                    String digits = number.group(1);
                    if (digits.length() > 16) {
                        VmcsDumpProblem problem = new VmcsDumpProblem(firstLineNumber, error.start(1) + 3, raw,
                                "hardware error 0x" + abbreviate(digits) + " has " + digits.length()
                                        + " hex digits; KVM's hardware_entry_failure_reason is 64 bits at most");
                        (block != null ? block.problems : outside).add(problem);
                    } else {
                        errorValue = OptionalLong.of(Long.parseUnsignedLong(digits, 16));
                        errorLine = firstLineNumber;
                    }
                    continue;
                }
                Matcher haxm = HAXM_LINE.matcher(raw);
                if (haxm.find()) {
                    if (block == null || block.dialect != VmcsDumpDialect.HAXM) {
                        if (block != null) {
                            dumps.add(block.finish());
                        }
                        block = new Block(firstLineNumber, errorValue, errorLine, VmcsDumpDialect.HAXM, false);
                        block.firstRaw = raw;
                        errorValue = OptionalLong.empty();
                        errorLine = -1;
                    }
                    block.haxm(haxm, raw, firstLineNumber);
                    block.lastLine = lineNumber;
                    continue;
                }
                if (block != null && block.dialect == VmcsDumpDialect.HAXM) {
                    Matcher cut = HAXM_CUT.matcher(raw);
                    if (cut.find()) {
                        block.problems.add(new VmcsDumpProblem(firstLineNumber, cut.start(1) + 1, raw,
                                "a HAXM field line cut off: the dump is incomplete from here"));
                        block.lastLine = lineNumber;
                    }
                    dumps.add(block.finish()); // HAXM's dump is a run of field lines; any other line ends it
                    block = null;
                }
                Matcher start = START.matcher(line);
                boolean guestHeader = line.trim().equals("*** Guest State ***");
                boolean linuxStart = start.find();
                boolean startLine = linuxStart || XEN_START.matcher(line.trim()).matches();
                if (startLine || (guestHeader && (block == null || block.section != Section.PREAMBLE))) {
                    if (block != null) {
                        dumps.add(block.finish());
                    }
                    block = new Block(firstLineNumber, errorValue, errorLine, dialect(raw), false);
                    block.firstRaw = raw;
                    errorValue = OptionalLong.empty();
                    errorLine = -1;
                    if (!guestHeader) {
                        if (!linuxStart) {
                            continue; // Xen's "**** VMCS Area ****": no CPU printed
                        }
                        try {
                            block.cpu = OptionalLong.of(Long.parseLong(start.group(2)));
                        } catch (NumberFormatException e) {
                            block.problems.add(new VmcsDumpProblem(firstLineNumber, prefixLength + start.start(2) + 1, raw,
                                    "CPU number " + abbreviate(start.group(2)) + " is out of range"));
                        }
                        block.lastLine = lineNumber;
                        continue;
                    }
                }
                if (block == null) {
                    Section section = classify(line.trim());
                    if (section == null) {
                        continue;
                    }
                    Block excerpt = new Block(firstLineNumber, errorValue, errorLine, dialect(raw), true);
                    excerpt.section = section;
                    excerpt.accept(line, raw, firstLineNumber);
                    boolean header = line.trim().startsWith("*** ");
                    if (!excerpt.problems.isEmpty() || excerpt.suspect != null || (excerpt.isEmpty() && !header)) {
                        continue; // a label a dump prints, in a line that is no dump line
                    }
                    excerpt.lastLine = lineNumber;
                    block = excerpt;
                    errorValue = OptionalLong.empty();
                    errorLine = -1;
                    continue;
                }
                if (!block.accept(line, raw, firstLineNumber) || block.ended) {
                    dumps.add(block.finish());
                    block = null;
                } else if (block.suspect == null) {
                    block.lastLine = lineNumber;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel log at line " + (lineNumber + 1), e);
        }
        if (block != null) {
            dumps.add(block.finish());
        }
        return new VmcsDumpLog(dumps, outside, lineNumber);
    }

    /** Whether a line starts with a log prefix (mail quoting alone is none: a wrapped quoted line has it too). */
    static boolean hasPrefix(String raw) {
        Matcher prefix = PREFIX.matcher(raw);
        if (!prefix.find() || prefix.end() == 0) {
            return false;
        }
        Matcher quote = QUOTE.matcher(raw);
        return !quote.lookingAt() || prefix.end() > quote.end();
    }

    /** Whether a line continues the wrapped line before it: text without a log prefix, no elision mark. */
    private static boolean continues(String next) {
        if (next == null || hasPrefix(next)) {
            return false;
        }
        String text = continuation(next);
        return !text.isEmpty() && !isElision(text);
    }

    private static boolean isElision(String text) {
        return text.equals("...") || text.equals("[...]") || text.equals("[snip]");
    }

    /** A continuation line as joined: without its mail quoting and blanks. */
    private static String continuation(String raw) {
        Matcher quote = QUOTE.matcher(raw);
        return (quote.lookingAt() ? raw.substring(quote.end()) : raw).trim();
    }

    static String stripPrefix(String raw) {
        Matcher prefix = PREFIX.matcher(raw);
        return prefix.find() ? raw.substring(prefix.end()) : raw;
    }

    /** The 1-based column of a line's first character after its log prefix and blanks. */
    static int textColumn(String raw) {
        if (raw.length() > MAX_LINE) {
            return 1;
        }
        String line = stripPrefix(raw);
        int column = raw.length() - line.length();
        while (column < raw.length() && Character.isWhitespace(raw.charAt(column))) {
            column++;
        }
        return column >= raw.length() ? 1 : column + 1;
    }

    /** A line outside a block that a dump prints: its wrapped continuation is joined to it. */
    private static boolean startsDumpText(String text) {
        return (text.startsWith("VMCS ") && !START.matcher(text).find()) || classify(text) != null;
    }

    private static VmcsDumpDialect dialect(String raw) {
        return XEN.matcher(raw).find() ? VmcsDumpDialect.XEN : VmcsDumpDialect.LINUX_KVM;
    }

    private static String abbreviate(String digits) {
        return digits.length() <= 24 ? digits : digits.substring(0, 20) + "...";
    }

    private enum Section {
        PREAMBLE, GUEST, HOST, CONTROL,
        /** An excerpt's line that both the guest and the host section print; the next lines decide. */
        GUEST_OR_HOST
    }

    /**
     * The section a line belongs to when only {@code dump_vmcs()} prints it there, GUEST_OR_HOST
     * when both the guest and the host section print it, null when no dump prints it.
     */
    static Section classify(String text) {
        if (text.isEmpty() || text.length() > MAX_LINE) {
            return null;
        }
        if (text.equals("*** Host State ***")) {
            return Section.HOST;
        }
        if (text.equals("*** Control State ***")) {
            return Section.CONTROL;
        }
        for (String start : GUEST_STARTS) {
            if (text.startsWith(start)) {
                return Section.GUEST;
            }
        }
        for (String start : HOST_STARTS) {
            if (text.startsWith(start)) {
                return Section.HOST;
            }
        }
        for (String start : CONTROL_STARTS) {
            if (text.startsWith(start)) {
                return Section.CONTROL;
            }
        }
        for (String start : EITHER_STARTS) {
            if (text.startsWith(start)) {
                return Section.GUEST_OR_HOST;
            }
        }
        return SEGMENT.matcher(text).matches() ? Section.GUEST : null;
    }

    // the guest section prints "RSP = ... RIP = ...", the host section "RIP = ... RSP = ..."
    private static final List<String> GUEST_STARTS = List.of("CR0: actual=", "CR4: actual=", "CR3 = ", "PDPTR0 = ", "PDPTR2 = ",
            "RSP = ", "RFLAGS=", "DebugCtl = ", "Interruptibility = ", "InterruptStatus = ", "BndCfgS = ", "MSR guest auto",
            "EFER =     0x");
    private static final List<String> HOST_STARTS = List.of("RIP = ", "CS=", "FSBase=", "GDTBase=", "CR0=", "MSR host autoload");
    private static final List<String> CONTROL_STARTS = List.of("CPUBased=", "PinBased=", "ExceptionBitmap=", "VMEntry:",
            "VMExit:", "IDTVectoring:", "TSC Offset", "TSC Multiplier", "SVI|RVI", "TPR Threshold", "APIC-access addr",
            "virt-APIC addr", "PostedIntrVec", "EPT pointer", "PLE Gap", "Virtual processor ID", "CR3 target", "reason=");
    private static final List<String> EITHER_STARTS = List.of("Sysenter RSP=", "EFER=", "EFER =", "PAT = ", "PerfGlobCtl = ");

    /** One problem found in a line: where (0-based index in the line without prefix) and why. */
    private record Issue(int index, String message) {
    }

    private static final Issue NOT_XEN_SEGMENT = new Issue(0, "not a segment row");

    /** A line of an excerpt kept until the next lines say whether it was the guest's or the host's. */
    private record Held(String line, String raw, long lineNumber) {
    }

    private static final class Block {
        final long firstLine;
        long lastLine;
        final OptionalLong errorValue;
        final long errorLine;
        final VmcsDumpDialect dialect;
        final boolean excerpt;
        /** Xen's closing line of stars was read. */
        boolean ended;
        String firstRaw = "";
        OptionalLong cpu = OptionalLong.empty();
        Section section = Section.PREAMBLE;
        final java.util.Set<Section> seen = java.util.EnumSet.noneOf(Section.class);
        String msrList;
        String lastGroup;
        VmcsDumpProblem suspect;
        String unknownLabels;
        int unknownLabelsIndex;
        final List<Held> held = new ArrayList<>();
        final Map<String, Long> fields = new LinkedHashMap<>();
        /** HAXM's values by the field its encoding names. */
        final Map<VmcsField, Long> haxmFields = new LinkedHashMap<>();
        final Map<String, String> annotations = new LinkedHashMap<>();
        final List<VmcsDumpSegment> segments = new ArrayList<>();
        final List<VmcsDumpMsr> msrs = new ArrayList<>();
        final List<VmcsDumpProblem> problems = new ArrayList<>();
        /** Problems of single values in the line being parsed; the rest of the line is kept. */
        final List<Issue> valueIssues = new ArrayList<>();

        Block(long firstLine, OptionalLong errorValue, long errorLine, VmcsDumpDialect dialect, boolean excerpt) {
            this.firstLine = firstLine;
            this.lastLine = firstLine;
            this.errorValue = errorValue;
            this.errorLine = errorLine;
            this.dialect = dialect;
            this.excerpt = excerpt;
        }

        boolean isEmpty() {
            return fields.isEmpty() && segments.isEmpty() && msrs.isEmpty() && held.isEmpty() && msrList == null;
        }

        void tooLong(String raw, long lineNumber) {
            problems.add(new VmcsDumpProblem(lineNumber, 1, raw.substring(0, 200) + "...",
                    "line of " + raw.length() + " characters is no dump line (longer than " + MAX_LINE + ")"));
        }

        /**
         * Returns false when the line ends the block (it is then not part of it). Before the guest
         * section and in the control section, where a dump may end at any line, a line that is no
         * dump line is held as {@link #suspect}: if a dump line follows, it was interleaved (another
         * CPU's or program's output) and is reported as a problem; if not, the dump ended before it.
         */
        boolean accept(String line, String raw, long lineNumber) {
            int prefixLength = raw.length() - line.length();
            String text = line.trim();
            Issue problem = null;
            valueIssues.clear();
            if (dialect == VmcsDumpDialect.XEN && XEN_END.matcher(text).matches()) {
                ended = true;
                lastLine = lineNumber;
                return true;
            }
            if (text.isEmpty()) {
                return true; // an empty line (a mail's, a Markdown quote's) says nothing and ends nothing
            }
            if (isElision(text)) {
                // the person who quoted the log left lines out here: say so, and go on
                problems.add(new VmcsDumpProblem(lineNumber, raw, "lines left out here by whoever quoted the log ('" + text
                        + "'): fields printed there are missing"));
                return true;
            }
            switch (text) {
                case "*** Guest State ***" -> enter(Section.GUEST, Section.PREAMBLE);
                case "*** Host State ***" -> enter(Section.HOST, Section.GUEST);
                case "*** Control State ***" -> enter(Section.CONTROL, Section.HOST);
                default -> {
                    if (section == Section.GUEST_OR_HOST) {
                        Section tells = classify(text);
                        if (tells == Section.GUEST_OR_HOST || tells == null) {
                            held.add(new Held(line, raw, lineNumber));
                            return true;
                        }
                        resolve(tells == Section.CONTROL ? Section.HOST : tells);
                        section = tells;
                    }
                    problem = parseLine(line);
                }
            }
            if (section != Section.PREAMBLE) {
                seen.add(section);
            }
            if (problem != null) {
                VmcsDumpProblem reported = new VmcsDumpProblem(lineNumber, prefixLength + problem.index() + 1, raw, problem.message());
                if (section == Section.CONTROL || section == Section.PREAMBLE) {
                    if (suspect != null) {
                        return false; // two lines that are no dump lines: the dump is over
                    }
                    suspect = reported;
                    return true;
                }
                problems.add(reported);
            } else {
                if (suspect != null) {
                    problems.add(new VmcsDumpProblem(suspect.lineNumber(), suspect.column(), suspect.line(),
                            "not a dump line, interleaved with the dump: " + suspect.problem()));
                    suspect = null;
                }
                for (Issue issue : valueIssues) {
                    problems.add(new VmcsDumpProblem(lineNumber, prefixLength + issue.index() + 1, raw, issue.message()));
                }
                if (unknownLabels != null) {
                    problems.add(new VmcsDumpProblem(lineNumber, prefixLength + unknownLabelsIndex + 1, raw, unknownLabels));
                    unknownLabels = null;
                }
            }
            lastLine = lineNumber;
            return true;
        }

        /** A section header; lines of an excerpt held until now belong to the section before it. */
        private void enter(Section next, Section before) {
            if (section == Section.GUEST_OR_HOST) {
                resolve(before == Section.PREAMBLE ? null : before);
            }
            section = next;
        }

        /** Parses the held lines as lines of the section they turned out to be in, or reports them. */
        private void resolve(Section resolved) {
            List<Held> lines = List.copyOf(held);
            held.clear();
            for (Held line : lines) {
                if (resolved == null) {
                    problems.add(new VmcsDumpProblem(line.lineNumber(), line.raw(),
                            "the excerpt does not say whether this line is of the guest or the host section; values not kept"));
                    continue;
                }
                section = resolved;
                seen.add(resolved);
                Issue problem = parseLine(line.line());
                int prefixLength = line.raw().length() - line.line().length();
                if (problem != null) {
                    problems.add(new VmcsDumpProblem(line.lineNumber(), prefixLength + problem.index() + 1, line.raw(), problem.message()));
                }
                for (Issue issue : valueIssues) {
                    problems.add(new VmcsDumpProblem(line.lineNumber(), prefixLength + issue.index() + 1, line.raw(), issue.message()));
                }
                valueIssues.clear();
            }
        }

        private static int firstNonBlank(String line) {
            int index = 0;
            while (index < line.length() && Character.isWhitespace(line.charAt(index))) {
                index++;
            }
            return index;
        }

        /** One HAXM field line: the encoding names the field; HAXM's name is kept as the key. */
        void haxm(Matcher m, String raw, long lineNumber) {
            String digits = m.group(3);
            String key = "haxm." + m.group(2);
            if (digits.length() > 16) {
                problems.add(new VmcsDumpProblem(lineNumber, m.start(3) + 1, raw, "value 0x" + abbreviate(digits) + " of "
                        + key + " has " + digits.length() + " hex digits, more than 64 bits"));
                return;
            }
            long value = Long.parseUnsignedLong(digits, 16);
            int encoding = Integer.parseUnsignedInt(m.group(1), 16);
            java.util.Optional<VmcsField> field = VmcsField.fromEncoding(encoding);
            if (field.isEmpty()) {
                fields.put(key, value);
                problems.add(new VmcsDumpProblem(lineNumber, m.start(1) + 1, raw, "encoding 0x" + m.group(1)
                        + " is no VMCS field; the value is in fields() only"));
                return;
            }
            if (!DumpFields.fits(field.get(), value)) {
                problems.add(new VmcsDumpProblem(lineNumber, m.start(3) + 1, raw, String.format(Locale.ROOT,
                        "value 0x%x of %s does not fit %s, a %d-bit field; not kept", value, key, field.get(), field.get().valueBits())));
                return;
            }
            fields.put(key, value);
            haxmFields.put(field.get(), value);
        }

        /** Parses a row of Xen's segment table; returns NOT_XEN_SEGMENT when the line is none. */
        private Issue xenSegment(String line) {
            if (line.trim().equals("sel  attr  limit   base")) {
                return null; // the table's header
            }
            Matcher row = XEN_SEGMENT.matcher(line);
            Matcher table = XEN_TABLE.matcher(line);
            boolean isRow = row.matches();
            if (!isRow && !table.matches()) {
                Matcher cut = XEN_CUT_ROW.matcher(line);
                return cut.matches() ? new Issue(cut.start(2), "the " + cut.group(1) + " row is cut off; not kept") : NOT_XEN_SEGMENT;
            }
            Matcher m = isRow ? row : table;
            int[] widths = isRow ? new int[] {4, 5, 8, 16} : new int[] {8, 16};
            String[] names = isRow ? new String[] {"selector", "attr", "limit", "base"} : new String[] {"limit", "base"};
            boolean cut = false;
            for (int i = 0; i < widths.length; i++) {
                String digits = m.group(i + 2);
                int max = widths[i] == 5 ? 8 : widths[i];
                if (digits.length() > max) {
                    return new Issue(m.start(i + 2), m.group(1) + " " + names[i] + " 0x" + abbreviate(digits) + " is wider than "
                            + (max * 4) + " bits");
                }
                cut |= shortValue(m.group(1) + " " + names[i], digits, widths[i], m.start(i + 2)) != null;
            }
            if (!cut) {
                segments.add(isRow
                        ? new VmcsDumpSegment(m.group(1), OptionalInt.of(Integer.parseInt(m.group(2), 16)),
                                OptionalInt.of(Integer.parseInt(m.group(3), 16)), Long.parseUnsignedLong(m.group(4), 16),
                                Long.parseUnsignedLong(m.group(5), 16))
                        : new VmcsDumpSegment(m.group(1), OptionalInt.empty(), OptionalInt.empty(),
                                Long.parseUnsignedLong(m.group(2), 16), Long.parseUnsignedLong(m.group(3), 16)));
            }
            return null;
        }

        /** Returns null if understood (value problems go to {@link #valueIssues}), else why not. */
        Issue parseLine(String line) {
            int indent = firstNonBlank(line);
            String prefix = section.name().toLowerCase(Locale.ROOT) + ".";
            Matcher segment = SEGMENT.matcher(line);
            if (segment.matches()) {
                msrList = null;
                boolean hasSelector = segment.group(2) != null;
                if (hasSelector && segment.group(2).length() > 4) {
                    return new Issue(segment.start(2), "selector 0x" + abbreviate(segment.group(2)) + " is wider than 16 bits");
                }
                if (hasSelector && segment.group(3).length() > 8) {
                    return new Issue(segment.start(3), "attributes 0x" + abbreviate(segment.group(3)) + " are wider than 32 bits");
                }
                if (segment.group(4).length() > 8) {
                    return new Issue(segment.start(4), "limit 0x" + abbreviate(segment.group(4)) + " is wider than 32 bits");
                }
                if (segment.group(5).length() > 16) {
                    return new Issue(segment.start(5), "base 0x" + abbreviate(segment.group(5)) + " is wider than 64 bits");
                }
                String name = segment.group(1);
                String cut = hasSelector ? shortValue(name + " selector", segment.group(2), 4, segment.start(2)) : null;
                cut = cut != null ? cut : hasSelector ? shortValue(name + " attr", segment.group(3), 5, segment.start(3)) : null;
                cut = cut != null ? cut : shortValue(name + " limit", segment.group(4), 8, segment.start(4));
                cut = cut != null ? cut : shortValue(name + " base", segment.group(5), 16, segment.start(5));
                if (cut != null) {
                    return null; // reported in valueIssues; a row with a cut-off value is not kept
                }
                segments.add(new VmcsDumpSegment(name,
                        hasSelector ? OptionalInt.of(Integer.parseInt(segment.group(2), 16)) : OptionalInt.empty(),
                        hasSelector ? OptionalInt.of(Integer.parseInt(segment.group(3), 16)) : OptionalInt.empty(),
                        Long.parseUnsignedLong(segment.group(4), 16), Long.parseUnsignedLong(segment.group(5), 16)));
                return null;
            }
            if (dialect == VmcsDumpDialect.XEN) {
                Issue xen = xenSegment(line);
                if (xen != NOT_XEN_SEGMENT) {
                    return xen;
                }
            }
            Matcher partialRow = SEGMENT_START.matcher(line);
            if (partialRow.lookingAt()) {
                // "GDTR:   limit=0x0000001f" where the post or the log ends: a row, cut off
                return new Issue(partialRow.start(1), "the " + partialRow.group(1) + " row is cut off; not kept");
            }
            Matcher list = MSR_LIST.matcher(line.trim());
            if (list.matches()) {
                msrList = list.group(1);
                return null;
            }
            Matcher entry = MSR_ENTRY.matcher(line);
            if (entry.matches()) {
                if (msrList == null) {
                    return new Issue(indent, "MSR entry outside an MSR list");
                }
                int slot;
                try {
                    slot = Integer.parseInt(entry.group(1));
                } catch (NumberFormatException e) {
                    return new Issue(entry.start(1), "MSR list slot " + abbreviate(entry.group(1)) + " is out of range");
                }
                if (entry.group(2).length() > 8) {
                    return new Issue(entry.start(2), "MSR index 0x" + abbreviate(entry.group(2)) + " is wider than 32 bits");
                }
                if (entry.group(3).length() > 16) {
                    return new Issue(entry.start(3), "MSR value 0x" + abbreviate(entry.group(3)) + " is wider than 64 bits");
                }
                if (shortValue("MSR index", entry.group(2), 8, entry.start(2)) == null
                        & shortValue("MSR value", entry.group(3), 16, entry.start(3)) == null) {
                    msrs.add(new VmcsDumpMsr(msrList, slot, Long.parseUnsignedLong(entry.group(2), 16),
                            Long.parseUnsignedLong(entry.group(3), 16)));
                }
                return null;
            }
            msrList = null;
            Matcher sysenter = SYSENTER.matcher(line);
            if (sysenter.region(indent, line.length()).matches()) {
                put(prefix + "Sysenter RSP", sysenter.group(1), sysenter.start(1));
                put(prefix + "Sysenter CS", sysenter.group(2), sysenter.start(2));
                put(prefix + "Sysenter RIP", sysenter.group(3), sysenter.start(3));
                return null;
            }
            int restIndex = indent;
            String rest = line.substring(indent);
            Matcher group = GROUP.matcher(rest);
            if (group.matches()) {
                lastGroup = group.group(1);
                prefix = prefix + lastGroup + ".";
                restIndex += group.start(2);
                rest = group.group(2);
            } else if (rest.startsWith("reason=") && "VMExit".equals(lastGroup)) {
                prefix = prefix + "VMExit.";
            } else {
                lastGroup = null;
            }
            if (section == Section.PREAMBLE) {
                return new Issue(indent, "not a dump line");
            }
            Issue issue = pairs(prefix, rest, restIndex);
            return issue == null ? null : new Issue(restIndex + issue.index(), issue.message());
        }

        /**
         * Reads {@code name=value} pairs with a hand-written scanner (a regular expression with a
         * repeated group overflows the stack on a long line of words and backtracks in quadratic
         * time): names of words separated by single spaces, {@code =} with optional blanks, hex
         * digits with an optional {@code 0x}, an optional {@code |value} (SVI|RVI) and comma, and a
         * parenthetical note after a value.
         */
        Issue pairs(String prefix, String rest, int base) {
            int n = rest.length();
            int position = 0;
            String lastKey = null;
            Map<String, String> annotated = new LinkedHashMap<>();
            Map<String, Long> parsed = new LinkedHashMap<>();
            Map<String, Integer> columns = new LinkedHashMap<>();
            List<Issue> issues = new ArrayList<>();
            int found = 0;
            while (position < n) {
                char c = rest.charAt(position);
                if (Character.isWhitespace(c)) {
                    position++;
                    continue;
                }
                if (c == '(' && lastKey != null) {
                    // "(autoload)", "(effective)": the value is not the VMCS field's; kept, and marked
                    int close = rest.indexOf(')', position);
                    if (close < 0) {
                        return new Issue(position, "'(' without ')'");
                    }
                    annotated.put(lastKey, rest.substring(position, close + 1));
                    position = close + 1;
                    continue;
                }
                if (!isLetter(c)) {
                    return new Issue(position, found == 0 ? "no name=value fields" : "unexpected text");
                }
                int nameStart = position;
                position = word(rest, position);
                while (position + 1 < n && rest.charAt(position) == ' ' && isLetter(rest.charAt(position + 1))) {
                    position = word(rest, position + 1);
                }
                String name = rest.substring(nameStart, position);
                while (position < n && rest.charAt(position) == ' ') {
                    position++;
                }
                if (position >= n || rest.charAt(position) != '=') {
                    return new Issue(nameStart, found == 0 ? "no name=value fields" : "expected '=' after " + abbreviate(name));
                }
                position++;
                while (position < n && rest.charAt(position) == ' ') {
                    position++;
                }
                if (rest.startsWith("0x", position)) {
                    position += 2;
                }
                int valueStart = position;
                position = hexEnd(rest, position);
                if (position == valueStart) {
                    return new Issue(valueStart, "no hex digits in the value of " + abbreviate(name));
                }
                String digits = rest.substring(valueStart, position);
                String second = null;
                int secondStart = -1;
                if (position < n && rest.charAt(position) == '|') {
                    secondStart = position + 1;
                    position = hexEnd(rest, secondStart);
                    second = rest.substring(secondStart, position);
                }
                if (position < n && rest.charAt(position) == ',') {
                    position++;
                }
                if (position < n && !Character.isWhitespace(rest.charAt(position)) && rest.charAt(position) != '(') {
                    return new Issue(position, "unexpected text after the value of " + abbreviate(name));
                }
                int bar = name.indexOf('|');
                if (second != null || bar >= 0) {
                    // "SVI|RVI = 00|00"
                    String[] names = name.split("\\|", -1);
                    if (names.length != 2 || second == null || second.isEmpty()) {
                        return new Issue(nameStart, "unexpected '|' value");
                    }
                    value(prefix + names[0], digits, valueStart, parsed, columns, issues);
                    value(prefix + names[1], second, secondStart, parsed, columns, issues);
                    lastKey = null;
                } else {
                    if (prefix.equals("control.") && name.startsWith("target") && rest.startsWith("CR3 target")) {
                        // 4.x-5.x "CR3 target%u=%016lx target%u=%016lx": the second label lacks "CR3 "
                        name = "CR3 " + name;
                    }
                    lastKey = value(prefix + name, digits, valueStart, parsed, columns, issues) ? prefix + name : null;
                }
                found++;
            }
            if (found == 0) {
                return new Issue(0, "no name=value fields");
            }
            if (section == Section.CONTROL && parsed.keySet().stream().noneMatch(DumpFields::isKnown)
                    && issues.isEmpty()) {
                return new Issue(0, "no control-state field dump_vmcs() prints");
            }
            fields.putAll(parsed);
            annotations.putAll(annotated);
            for (Issue issue : issues) {
                valueIssues.add(new Issue(base + issue.index(), issue.message()));
            }
            List<String> unknown = parsed.keySet().stream().filter(key -> !DumpFields.isKnown(key)).toList();
            if (!unknown.isEmpty()) {
                unknownLabelsIndex = base + columns.get(unknown.get(0));
                unknownLabels = "label(s) " + unknown + " not known as VMCS fields; the values are in fields() only";
            }
            return null;
        }

        /** Checks one value; returns true when it is kept, else reports why not in issues. */
        private boolean value(String key, String digits, int index, Map<String, Long> parsed, Map<String, Integer> columns,
                List<Issue> issues) {
            if (digits.length() > 16) {
                issues.add(new Issue(index, "value 0x" + abbreviate(digits) + " of " + key + " has " + digits.length()
                        + " hex digits, more than 64 bits"));
                return false;
            }
            int expected = DumpFields.minDigits(key);
            if (digits.length() < expected) {
                issues.add(new Issue(index, "value 0x" + digits + " of " + key + " has " + digits.length()
                        + " hex digits where dump_vmcs() prints " + expected + ": cut off, not kept"));
                return false;
            }
            long value = Long.parseUnsignedLong(digits, 16);
            VmcsField field = DumpFields.field(key).orElse(null);
            if (field != null && !DumpFields.fits(field, value)) {
                issues.add(new Issue(index, String.format(Locale.ROOT, "value 0x%x of %s does not fit %s, a %d-bit field; not kept",
                        value, key, field, field.valueBits())));
                return false;
            }
            parsed.put(key, value);
            columns.put(key, index);
            return true;
        }

        /** Puts one value of a fixed-format line (Sysenter), reporting a bad one in valueIssues. */
        private void put(String key, String digits, int index) {
            Map<String, Long> parsed = new LinkedHashMap<>();
            if (value(key, digits, index, parsed, new LinkedHashMap<>(), valueIssues)) {
                fields.putAll(parsed);
            }
        }

        /** Reports a value with fewer digits than its format prints; returns the report or null. */
        private String shortValue(String what, String digits, int expected, int index) {
            if (digits.length() >= expected) {
                return null;
            }
            String message = what + " 0x" + digits + " has " + digits.length() + " hex digits where the dump prints " + expected
                    + ": cut off, not kept";
            valueIssues.add(new Issue(index, message));
            return message;
        }

        private static boolean isLetter(char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        }

        private static int word(String text, int position) {
            int end = position + 1;
            while (end < text.length()) {
                char c = text.charAt(end);
                if (isLetter(c) || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '|') {
                    end++;
                } else {
                    break;
                }
            }
            return end;
        }

        private static int hexEnd(String text, int position) {
            int end = position;
            while (end < text.length() && Character.digit(text.charAt(end), 16) >= 0 && text.charAt(end) < 128) {
                end++;
            }
            return end;
        }

        VmcsDump finish() {
            if (!held.isEmpty()) {
                resolve(null);
            }
            if (suspect != null && section == Section.PREAMBLE) {
                // the lines after a "VMCS ..." line were no dump lines: say so rather than return an empty block
                problems.add(suspect);
                suspect = null;
            }
            if (dialect == VmcsDumpDialect.XEN && !ended) {
                problems.add(new VmcsDumpProblem(lastLine, "(end of block)",
                        "Xen's dump ends with a line of stars; this one ends before it: cut off"));
            }
            List<String> missingSections = new ArrayList<>();
            List<String> missingFields = new ArrayList<>();
            Section[] order = {Section.GUEST, Section.HOST, Section.CONTROL};
            int firstSeen = -1;
            for (int i = 0; i < order.length; i++) {
                if (seen.contains(order[i]) && firstSeen < 0) {
                    firstSeen = i;
                }
            }
            for (int i = 0; i < order.length && dialect != VmcsDumpDialect.HAXM; i++) {
                String name = order[i].name().toLowerCase(Locale.ROOT);
                boolean expected = !excerpt || (firstSeen >= 0 && i >= firstSeen);
                if (!seen.contains(order[i])) {
                    missingSections.add(name);
                } else if (expected && dialect == VmcsDumpDialect.LINUX_KVM) {
                    // Xen and HAXM print other sets of lines
                    for (String key : DumpFields.ALWAYS.get(name)) {
                        boolean present = key.contains(".") ? fields.containsKey(key)
                                : segments.stream().anyMatch(row -> row.name().equals(key));
                        if (!present && !(excerpt && i == firstSeen)) {
                            missingFields.add(key.contains(".") ? key : "guest." + key);
                        }
                    }
                }
            }
            if (fields.isEmpty() && segments.isEmpty() && msrs.isEmpty() && problems.isEmpty()) {
                problems.add(new VmcsDumpProblem(firstLine, firstRaw, "the block has no fields: the dump ends after its first line"));
            }
            VmcsDumpDialect named = dialect;
            long unknownLabels = fields.keySet().stream().filter(key -> !DumpFields.isKnown(key)).count();
            if (dialect != VmcsDumpDialect.HAXM && unknownLabels >= 3 && unknownLabels > fields.size() - unknownLabels) {
                named = VmcsDumpDialect.UNKNOWN; // mostly labels neither Linux nor Xen prints
            }
            dev.vmx.vmcs.VmcsSnapshot snapshot = DumpFields.snapshot(fields, annotations, segments);
            if (!haxmFields.isEmpty()) {
                dev.vmx.vmcs.VmcsSnapshot.Builder builder = dev.vmx.vmcs.VmcsSnapshot.builder();
                haxmFields.forEach(builder::put);
                snapshot = builder.build();
            }
            return new VmcsDump(firstLine, lastLine, cpu, errorValue,
                    errorLine < 0 ? OptionalLong.empty() : OptionalLong.of(errorLine), fields, annotations, segments,
                    msrs, problems, snapshot, named, excerpt, missingSections,
                    missingFields);
        }
    }
}
