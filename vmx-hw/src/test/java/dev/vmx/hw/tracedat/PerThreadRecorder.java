package dev.vmx.hw.tracedat;

import dev.vmx.trace.ExitEntryConsumer;
import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmIsa;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records what an {@link ExitEntryConsumer} is handed, each thread's (pid's) events in the order
 * they came: what {@code readByThread} promises to keep, whatever order it interleaves threads in.
 * The time-ordered reader's events go through {@link ExitEntryConsumer#dispatch} into one of these,
 * so both paths are recorded the same way.
 */
final class PerThreadRecorder implements ExitEntryConsumer {
    final Map<Integer, List<String>> byPid = new TreeMap<>();
    long events;

    private void add(int pid, String event) {
        byPid.computeIfAbsent(pid, key -> new ArrayList<>()).add(event);
        events++;
    }

    @Override
    public void acceptExit(int pid, long timestampNanos, KvmIsa isa, long exitCode, long guestRip, int vcpu, long info1,
            int intrInfo) {
        add(pid, "exit " + timestampNanos + " " + isa + " " + exitCode + " " + Long.toHexString(guestRip) + " vcpu " + vcpu
                + " " + Long.toHexString(info1) + " " + Integer.toHexString(intrInfo));
    }

    @Override
    public void acceptEntry(int pid, long timestampNanos, int vcpu) {
        add(pid, "entry " + timestampNanos + " vcpu " + vcpu);
    }

    @Override
    public void acceptOther(KvmEvent event) {
        add(event.pid(), event.toRecord().toString());
    }

    /** Several windows' recorders as one, in window order. */
    static Map<Integer, List<String>> joined(List<PerThreadRecorder> windows) {
        Map<Integer, List<String>> all = new TreeMap<>();
        for (PerThreadRecorder window : windows) {
            window.byPid.forEach((pid, events) -> all.computeIfAbsent(pid, key -> new ArrayList<>()).addAll(events));
        }
        return all;
    }
}
