package dev.vmx.hw.kvm;

import java.util.List;

/**
 * What a {@link GuestRunner} run produced: every exit in order, and why the run stopped.
 *
 * @param exits every {@code KVM_RUN} exit, in order (immutable)
 * @param reachedExitLimit true if the run stopped because it hit its exit limit rather than at
 *        a final exit (HLT, SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR, or one the runner cannot serve)
 * @param timedOut true if the run stopped because it hit its time limit (a guest that loops
 *        without exiting); the last exit is then {@code KVM_EXIT_INTR}
 */
public record GuestRun(List<KvmExit> exits, boolean reachedExitLimit, boolean timedOut) {
    /**
     * Copies the exits.
     *
     * @param exits the exits
     * @param reachedExitLimit whether the exit limit stopped the run
     * @param timedOut whether the time limit stopped the run
     */
    public GuestRun {
        exits = List.copyOf(exits);
    }

    /**
     * Whether the guest ended with HLT.
     *
     * @return true if the last exit is {@code KVM_EXIT_HLT}
     */
    public boolean halted() {
        return !exits.isEmpty() && exits.get(exits.size() - 1) instanceof KvmExit.Halt;
    }

    /**
     * The bytes the guest wrote with OUT to one port, in order (e.g. a serial console).
     *
     * @param port the I/O port, e.g. 0x3f8
     * @return the bytes
     */
    public byte[] output(int port) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (KvmExit exit : exits) {
            if (exit instanceof KvmExit.Io io && io.isOut() && io.port() == port) {
                bytes.writeBytes(io.data());
            }
        }
        return bytes.toByteArray();
    }
}
