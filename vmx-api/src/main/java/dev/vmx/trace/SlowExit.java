package dev.vmx.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One of the slowest exit-to-entry intervals {@link ExitStatistics#keepSlowest} keeps, like the
 * events perf-prof's {@code --than} prints: the exit, the {@code kvm_entry} that closed it, and
 * where both are in the trace.
 *
 * @param nanos the exit-to-entry time
 * @param isa the isa of the exit
 * @param exitCode the exit code (VMX: full exit reason)
 * @param reasonName the reason's name as the statistics' rows print it
 * @param pid the vCPU thread
 * @param vcpu the vCPU the exit names, -1 if it names none (Linux 4.x)
 * @param exitTimestampNanos the exit's timestamp
 * @param guestRip the guest RIP of the exit
 * @param exitLine the 1-based line number of the exit in its trace, -1 if unknown (events given
 *     without line numbers)
 * @param entryLine the line number of the entry, -1 if unknown
 * @param exitText the exit's line, empty until {@link #withLines} reads it
 * @param entryText the entry's line, empty until {@link #withLines} reads it
 */
public record SlowExit(long nanos, KvmIsa isa, long exitCode, String reasonName, int pid, int vcpu,
        long exitTimestampNanos, long guestRip, long exitLine, long entryLine, String exitText, String entryText) {

    /**
     * The intervals with the text of their lines, read from the trace they were counted from in one
     * pass over it.
     *
     * @param file the text trace whose line numbers the intervals carry
     * @param exits the intervals
     * @return the same intervals, in the same order, with {@code exitText} and {@code entryText} set
     *     where the line number is known
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException if a line number lies beyond the file's end
     */
    public static List<SlowExit> withLines(Path file, List<SlowExit> exits) {
        Map<Long, String> wanted = new HashMap<>();
        long last = 0;
        for (SlowExit exit : exits) {
            for (long line : new long[] {exit.exitLine, exit.entryLine}) {
                if (line > 0) {
                    wanted.put(line, "");
                    last = Math.max(last, line);
                }
            }
        }
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            long number = 0;
            for (String text = reader.readLine(); text != null && number < last; text = reader.readLine()) {
                number++;
                if (wanted.containsKey(number)) {
                    wanted.put(number, text);
                }
            }
            if (number < last) {
                throw new IllegalArgumentException(file + " has " + number + " lines, but an interval names line " + last);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kvm trace " + file, e);
        }
        List<SlowExit> result = new ArrayList<>();
        for (SlowExit exit : exits) {
            result.add(new SlowExit(exit.nanos, exit.isa, exit.exitCode, exit.reasonName, exit.pid, exit.vcpu,
                    exit.exitTimestampNanos, exit.guestRip, exit.exitLine, exit.entryLine,
                    wanted.getOrDefault(exit.exitLine, ""), wanted.getOrDefault(exit.entryLine, "")));
        }
        return List.copyOf(result);
    }

    /**
     * The same interval with its line numbers moved by {@code lines} (a part of a file read from
     * some line on).
     */
    SlowExit shiftedBy(long lines) {
        return new SlowExit(nanos, isa, exitCode, reasonName, pid, vcpu, exitTimestampNanos, guestRip,
                exitLine < 0 ? exitLine : exitLine + lines, entryLine < 0 ? entryLine : entryLine + lines, exitText, entryText);
    }
}
