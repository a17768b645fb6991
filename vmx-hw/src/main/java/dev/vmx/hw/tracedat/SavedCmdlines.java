package dev.vmx.hw.tracedat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A trace.dat's saved cmdlines: the task name of each pid the kernel had seen when the trace was
 * taken (tracefs {@code saved_cmdlines}, one {@code "PID COMM"} line each). Ring-buffer records hold
 * only the pid; {@code trace-cmd report} names each event's task from this table, and so does the
 * reader. Looked up by binary search on a sorted pid array: no object per lookup.
 */
final class SavedCmdlines {
    /** What libtraceevent (event-parse.c find_cmdline) prints for pid 0. */
    static final String IDLE = "<idle>";
    /** What it prints for a pid the table does not name. */
    static final String UNKNOWN = "<...>";
    /** Unreadable lines reported one by one; the rest are reported as one count. */
    static final int REPORTED_LINES = 10;
    static final SavedCmdlines NONE = new SavedCmdlines(new int[0], new String[0]);

    private final int[] pids;
    private final String[] names;

    private SavedCmdlines(int[] pids, String[] names) {
        this.pids = pids;
        this.names = names;
    }

    /**
     * Parses the table as libtraceevent's tep_parse_saved_cmdlines does ({@code sscanf(line, "%d
     * %m[^\n]")} per line: a decimal pid, blanks, then the rest of the line is the name, spaces and
     * all, as in QEMU's "CPU 0/KVM"). Where libtraceevent stops at the first line it cannot read,
     * this reports the line and goes on. A pid named twice (the kernel writes each once) keeps its
     * first name here and the second is reported; libtraceevent keeps both and may find either.
     *
     * @param text the table's text
     * @param offset the file offset of the text, for problems
     * @param problems receives each problem's file offset and description
     * @return the table
     */
    static SavedCmdlines parse(String text, long offset, BiConsumer<Long, String> problems) {
        List<long[]> entries = new ArrayList<>(); // pid, index into names
        List<String> names = new ArrayList<>();
        int lineNumber = 0;
        int start = 0;
        int badLines = 0;
        long firstUnreported = -1;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            lineNumber++;
            if (end > start) { // strtok skips empty lines
                String line = text.substring(start, end);
                int at = skipBlanks(line, 0);
                int digitsFrom = at < line.length() && (line.charAt(at) == '-' || line.charAt(at) == '+') ? at + 1 : at;
                int digitsTo = digitsFrom;
                while (digitsTo < line.length() && line.charAt(digitsTo) >= '0' && line.charAt(digitsTo) <= '9') {
                    digitsTo++;
                }
                int nameFrom = skipBlanks(line, digitsTo);
                Integer pid = null;
                if (digitsTo > digitsFrom) {
                    try {
                        pid = Integer.parseInt(line.substring(at, digitsTo));
                    } catch (NumberFormatException e) {
                        pid = null; // beyond int
                    }
                }
                if (pid == null || nameFrom >= line.length()) {
                    badLines++;
                    if (badLines <= REPORTED_LINES) {
                        problems.accept(offset + byteOffset(text, start), "saved cmdlines line " + lineNumber + " '"
                                + (line.length() > 80 ? line.substring(0, 80) + "..." : line)
                                + "' is not 'PID NAME'; that line is skipped");
                    } else if (badLines == REPORTED_LINES + 1) {
                        firstUnreported = offset + byteOffset(text, start);
                    }
                } else {
                    entries.add(new long[] {pid, names.size()});
                    names.add(line.substring(nameFrom));
                }
            }
            start = end + 1;
        }
        if (badLines > REPORTED_LINES) {
            // a damaged block can be all bad lines: each is counted, the first few are shown
            problems.accept(firstUnreported, (badLines - REPORTED_LINES) + " more saved cmdlines lines are not"
                    + " 'PID NAME' (the first of them here); they are skipped");
        }
        entries.sort((a, b) -> Long.compare(a[0], b[0]) != 0 ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int[] pids = new int[entries.size()];
        String[] sortedNames = new String[entries.size()];
        int count = 0;
        for (long[] entry : entries) {
            String name = names.get((int) entry[1]);
            if (count > 0 && pids[count - 1] == entry[0]) {
                problems.accept(offset, "saved cmdlines name pid " + entry[0] + " again as '" + name
                        + "'; its first name, '" + sortedNames[count - 1] + "', is kept");
                continue;
            }
            pids[count] = (int) entry[0];
            sortedNames[count] = name;
            count++;
        }
        return new SavedCmdlines(Arrays.copyOf(pids, count), Arrays.copyOf(sortedNames, count));
    }

    /** sscanf's white space: space, tab, and the other C isspace characters except the newline. */
    private static int skipBlanks(String line, int at) {
        while (at < line.length() && " \t\r\f\u000b".indexOf(line.charAt(at)) >= 0) {
            at++;
        }
        return at;
    }

    private static long byteOffset(String text, int charIndex) {
        return text.substring(0, charIndex).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /** The task name of {@code pid} as trace-cmd report prints it: {@link #IDLE} for 0, {@link #UNKNOWN} if not named. */
    String taskOf(int pid) {
        if (pid == 0) {
            return IDLE;
        }
        int at = Arrays.binarySearch(pids, pid);
        return at >= 0 ? names[at] : UNKNOWN;
    }

    /** How many pids the table names. */
    int size() {
        return pids.length;
    }
}
