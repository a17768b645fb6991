package dev.vmx.dump;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds and parses {@code dump_vmcs()} blocks (Linux {@code arch/x86/kvm/vmx/vmx.c}, formats of
 * 4.x to 6.x; {@code arch/x86/kvm/vmx.c} before 5.0) in kernel-log text: dmesg with or without
 * {@code [seconds]} or {@code dmesg -T} timestamps, {@code dmesg -x} facility/level columns, syslog
 * or journal lines ({@code ... kernel: }), {@code <3>} log levels, {@code kvm_intel:} / {@code kvm:}
 * prefixes, interleaved with unrelated lines, and wrapped (a line without log prefix that follows a
 * prefixed line of a block continues it; problems then name the first line). A block starts at
 * "VMCS ..., last attempted VM-entry on CPU n" (5.12 and later) or "*** Guest State ***" and ends
 * before two consecutive lines after "*** Control State ***" that are no dump lines (a control line
 * must carry a label {@code dump_vmcs()} prints), or at the next block; a single foreign line
 * followed by dump lines was interleaved and is reported. The nearest earlier "entry failed,
 * hardware error 0x..." line (printed by QEMU, often copied into the same report) is linked. Lines
 * inside a block that are not understood, and labels no kernel version prints, are kept as
 * {@link VmcsDumpProblem}s with their line numbers.
 */
public final class VmcsDumpParser {
    // syslog/journal "... kernel: ", dmesg -x "kern  :err   : ", "<3>", dmesg "[  12.345678]" or
    // dmesg -T "[Tue Dec  1 17:41:26 2026]", then the module prefix of newer kernels
    private static final Pattern PREFIX = Pattern.compile(
            "^(?:.*?\\bkernel: )?(?:[a-z]+ *:[a-z]+ *: )?(?:<\\d>)?"
                    + "(?:\\[\\s*\\d+\\.\\d+\\]\\s?|\\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\\]\\s?)?"
                    + "(?:kvm_intel: |kvm: |kvm \\[\\d+\\]: )?");
    private static final Pattern START = Pattern.compile("VMCS (\\S+), last attempted VM-entry on CPU (\\d+)");
    private static final Pattern HARDWARE_ERROR = Pattern.compile("entry failed, hardware error 0x([0-9a-fA-F]+)");
    private static final Pattern SEGMENT = Pattern.compile(
            "(CS|DS|SS|ES|FS|GS|GDTR|LDTR|IDTR|TR):\\s+(?:sel=0x([0-9a-fA-F]+), attr=0x([0-9a-fA-F]+), )?"
                    + "limit=0x([0-9a-fA-F]+), base=0x([0-9a-fA-F]+)\\s*");
    private static final Pattern MSR_LIST = Pattern.compile("MSR (.+):");
    private static final Pattern MSR_ENTRY = Pattern.compile("\\s*(\\d+): msr=0x([0-9a-fA-F]+) value=0x([0-9a-fA-F]+)\\s*");
    private static final Pattern SYSENTER = Pattern.compile(
            "Sysenter RSP=([0-9a-fA-F]+) CS:RIP=([0-9a-fA-F]+):([0-9a-fA-F]+)\\s*");
    private static final Pattern GROUP = Pattern.compile("(CR0|CR4|VMEntry|VMExit|IDTVectoring):\\s*(.*)");
    private static final Pattern PAIR = Pattern.compile(
            "([A-Za-z][A-Za-z0-9_\\-]*(?: [A-Za-z][A-Za-z0-9_\\-]*)*)\\s*=\\s*(?:0x)?([0-9a-fA-F]+)(?:\\|([0-9a-fA-F]+))?,?");
    private static final Pattern PARENTHETICAL = Pattern.compile("\\s*\\([^)]*\\)\\s*");

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
        BufferedReader reader = in instanceof BufferedReader buffered ? buffered : new BufferedReader(in);
        List<VmcsDump> dumps = new ArrayList<>();
        Block block = null;
        long lineNumber = 0;
        long errorValue = -1;
        long errorLine = -1;
        try {
            String next = reader.readLine();
            while (next != null) {
                String raw = next;
                lineNumber++;
                long firstLineNumber = lineNumber;
                next = reader.readLine();
                // A log pasted into a mail or bug report wraps long lines: inside a block of prefixed
                // kernel lines, a following line without any log prefix continues the line
                if (block != null && block.section != Section.PREAMBLE && hasPrefix(raw)) {
                    while (next != null && !next.isBlank() && !hasPrefix(next)) {
                        raw = raw + " " + next.trim();
                        lineNumber++;
                        next = reader.readLine();
                    }
                }
                String line = stripPrefix(raw);
                Matcher error = HARDWARE_ERROR.matcher(raw);
                if (error.find()) {
                    errorValue = Long.parseLong(error.group(1), 16);
                    errorLine = lineNumber;
                    continue;
                }
                Matcher start = START.matcher(line);
                boolean guestHeader = line.trim().equals("*** Guest State ***");
                if (start.find() || (guestHeader && (block == null || block.section != Section.PREAMBLE))) {
                    if (block != null) {
                        dumps.add(block.finish());
                    }
                    block = new Block(lineNumber, errorValue, errorLine);
                    errorValue = -1;
                    errorLine = -1;
                    if (!guestHeader) {
                        block.cpu = OptionalLong.of(Long.parseLong(start.group(2)));
                        continue;
                    }
                }
                if (block == null) {
                    continue;
                }
                if (!block.accept(line, raw, firstLineNumber)) {
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
        return dumps;
    }

    static boolean hasPrefix(String raw) {
        Matcher prefix = PREFIX.matcher(raw);
        return prefix.find() && prefix.end() > 0;
    }

    static String stripPrefix(String raw) {
        Matcher prefix = PREFIX.matcher(raw);
        return prefix.find() ? raw.substring(prefix.end()) : raw;
    }

    private enum Section { PREAMBLE, GUEST, HOST, CONTROL }

    private static final class Block {
        final long firstLine;
        long lastLine;
        final long errorValue;
        final long errorLine;
        OptionalLong cpu = OptionalLong.empty();
        Section section = Section.PREAMBLE;
        String msrList;
        String lastGroup;
        VmcsDumpProblem suspect;
        String unknownLabels;
        final Map<String, Long> fields = new LinkedHashMap<>();
        final Map<String, String> annotations = new LinkedHashMap<>();
        final List<VmcsDumpSegment> segments = new ArrayList<>();
        final List<VmcsDumpMsr> msrs = new ArrayList<>();
        final List<VmcsDumpProblem> problems = new ArrayList<>();

        Block(long firstLine, long errorValue, long errorLine) {
            this.firstLine = firstLine;
            this.lastLine = firstLine;
            this.errorValue = errorValue;
            this.errorLine = errorLine;
        }

        /**
         * Returns false when the line ends the block (it is then not part of it). Before the guest
         * section and in the control section, where a dump may end at any line, a line that is no
         * dump line is held as {@link #suspect}: if a dump line follows, it was interleaved (another
         * CPU's or program's output) and is reported as a problem; if not, the dump ended before it.
         */
        boolean accept(String line, String raw, long lineNumber) {
            String text = line.trim();
            String problem = null;
            switch (text) {
                case "*** Guest State ***" -> section = Section.GUEST;
                case "*** Host State ***" -> section = Section.HOST;
                case "*** Control State ***" -> section = Section.CONTROL;
                default -> problem = parseLine(line);
            }
            if (problem != null) {
                if (section == Section.CONTROL || section == Section.PREAMBLE) {
                    if (suspect != null) {
                        return false; // two lines that are no dump lines: the dump is over
                    }
                    suspect = new VmcsDumpProblem(lineNumber, raw, problem);
                    return true;
                }
                problems.add(new VmcsDumpProblem(lineNumber, raw, problem));
            } else {
                if (suspect != null) {
                    problems.add(new VmcsDumpProblem(suspect.lineNumber(), suspect.line(),
                            "not a dump line, interleaved with the dump: " + suspect.problem()));
                    suspect = null;
                }
                if (unknownLabels != null) {
                    problems.add(new VmcsDumpProblem(lineNumber, raw, unknownLabels));
                    unknownLabels = null;
                }
            }
            lastLine = lineNumber;
            return true;
        }

        /** Returns null if understood, else why not. */
        String parseLine(String line) {
            String prefix = section.name().toLowerCase(java.util.Locale.ROOT) + ".";
            Matcher segment = SEGMENT.matcher(line);
            if (segment.matches()) {
                boolean hasSelector = segment.group(2) != null;
                if (hasSelector && (segment.group(2).length() > 4 || segment.group(3).length() > 8)) {
                    return "selector wider than 16 bits or attributes wider than 32 bits";
                }
                if (segment.group(4).length() > 8 || segment.group(5).length() > 16) {
                    return "limit wider than 32 bits or base wider than 64 bits";
                }
                segments.add(new VmcsDumpSegment(segment.group(1),
                        hasSelector ? OptionalInt.of(Integer.parseInt(segment.group(2), 16)) : OptionalInt.empty(),
                        hasSelector ? OptionalInt.of(Integer.parseInt(segment.group(3), 16)) : OptionalInt.empty(),
                        Long.parseUnsignedLong(segment.group(4), 16), Long.parseUnsignedLong(segment.group(5), 16)));
                msrList = null;
                return null;
            }
            Matcher list = MSR_LIST.matcher(line.trim());
            if (list.matches()) {
                msrList = list.group(1);
                return null;
            }
            Matcher entry = MSR_ENTRY.matcher(line);
            if (entry.matches()) {
                if (msrList == null) {
                    return "MSR entry outside an MSR list";
                }
                msrs.add(new VmcsDumpMsr(msrList, Integer.parseInt(entry.group(1)),
                        Long.parseUnsignedLong(entry.group(2), 16), Long.parseUnsignedLong(entry.group(3), 16)));
                return null;
            }
            msrList = null;
            Matcher sysenter = SYSENTER.matcher(line.trim());
            if (sysenter.matches()) {
                fields.put(prefix + "Sysenter RSP", Long.parseUnsignedLong(sysenter.group(1), 16));
                fields.put(prefix + "Sysenter CS", Long.parseUnsignedLong(sysenter.group(2), 16));
                fields.put(prefix + "Sysenter RIP", Long.parseUnsignedLong(sysenter.group(3), 16));
                return null;
            }
            String rest = line.trim();
            Matcher group = GROUP.matcher(rest);
            if (group.matches()) {
                lastGroup = group.group(1);
                prefix = prefix + lastGroup + ".";
                rest = group.group(2);
            } else if (rest.startsWith("reason=") && "VMExit".equals(lastGroup)) {
                prefix = prefix + "VMExit.";
            } else {
                lastGroup = null;
            }
            if (section == Section.PREAMBLE) {
                return "not a dump line";
            }
            return pairs(prefix, rest);
        }

        String pairs(String prefix, String rest) {
            Matcher pair = PAIR.matcher(rest);
            String lastKey = null;
            Map<String, String> annotated = new LinkedHashMap<>();
            int position = 0;
            int found = 0;
            Map<String, Long> parsed = new LinkedHashMap<>();
            while (position < rest.length()) {
                if (Character.isWhitespace(rest.charAt(position))) {
                    position++;
                    continue;
                }
                if (pair.find(position) && pair.start() == position) {
                    String name = pair.group(1);
                    int bar = name.indexOf('|');
                    if (pair.group(3) != null) {
                        // "SVI|RVI = 00|00"
                        String[] names = name.split("\\|");
                        if (names.length != 2) {
                            return "unexpected '|' value";
                        }
                        parsed.put(prefix + names[0], Long.parseUnsignedLong(pair.group(2), 16));
                        parsed.put(prefix + names[1], Long.parseUnsignedLong(pair.group(3), 16));
                    } else if (bar < 0) {
                        if (pair.group(2).length() > 16) {
                            return "value of " + name + " is longer than 64 bits";
                        }
                        parsed.put(prefix + name, Long.parseUnsignedLong(pair.group(2), 16));
                        lastKey = prefix + name;
                    }
                    found++;
                    position = pair.end();
                    continue;
                }
                Matcher note = PARENTHETICAL.matcher(rest);
                if (note.find(position) && note.start() == position && found > 0 && lastKey != null) {
                    // "(autoload)", "(effective)": the value is not the VMCS field's; kept, and marked
                    annotated.put(lastKey, note.group().trim());
                    position = note.end();
                    continue;
                }
                if (rest.startsWith("SVI|RVI", position)) {
                    Matcher split = Pattern.compile("SVI\\|RVI = ([0-9a-fA-F]+)\\|([0-9a-fA-F]+)").matcher(rest);
                    if (split.find(position) && split.start() == position) {
                        parsed.put(prefix + "SVI", Long.parseUnsignedLong(split.group(1), 16));
                        parsed.put(prefix + "RVI", Long.parseUnsignedLong(split.group(2), 16));
                        found++;
                        position = split.end();
                        continue;
                    }
                }
                return "unexpected text at column " + position;
            }
            if (found == 0) {
                return "no name=value fields";
            }
            if (prefix.equals("control.") && rest.startsWith("CR3 target")) {
                // 4.x-5.x "CR3 target%u=%016lx target%u=%016lx": the second label lacks "CR3 "
                Map<String, Long> renamed = new LinkedHashMap<>();
                parsed.forEach((key, value) -> renamed.put(key.startsWith("control.target")
                        ? "control.CR3 " + key.substring("control.".length()) : key, value));
                parsed = renamed;
            }
            if (section == Section.CONTROL && parsed.keySet().stream().noneMatch(DumpFields::isKnown)) {
                return "no control-state field dump_vmcs() prints";
            }
            for (Map.Entry<String, Long> value : parsed.entrySet()) {
                dev.vmx.vmcs.VmcsField field = DumpFields.field(value.getKey()).orElse(null);
                if (field != null && !DumpFields.fits(field, value.getValue())) {
                    return String.format("value 0x%x of %s does not fit %s, a %d-bit field", value.getValue(),
                            value.getKey(), field, field.valueBits());
                }
            }
            fields.putAll(parsed);
            annotations.putAll(annotated);
            List<String> unknown = parsed.keySet().stream().filter(key -> !DumpFields.isKnown(key)).toList();
            if (!unknown.isEmpty()) {
                unknownLabels = "label(s) " + unknown + " not known as VMCS fields; the values are in fields() only";
            }
            return null;
        }

        VmcsDump finish() {
            return new VmcsDump(firstLine, lastLine, cpu,
                    errorValue < 0 ? OptionalLong.empty() : OptionalLong.of(errorValue),
                    errorLine < 0 ? OptionalLong.empty() : OptionalLong.of(errorLine), fields, annotations, segments,
                    msrs, problems, DumpFields.snapshot(fields, annotations, segments));
        }
    }
}
