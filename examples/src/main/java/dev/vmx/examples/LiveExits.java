package dev.vmx.examples;

import dev.vmx.hw.BackendStatus;
import dev.vmx.hw.NativeBackends;
import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.hw.kvm.GuestRun;
import dev.vmx.hw.kvm.GuestRunner;
import dev.vmx.hw.kvm.KvmExit;
import dev.vmx.hw.kvm.KvmExitType;
import dev.vmx.hw.kvm.KvmSystem;
import dev.vmx.hw.tracefs.KvmTraceStream;
import dev.vmx.hw.tracefs.Tracefs;
import dev.vmx.qual.ExitQualification;
import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmIsa;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Tutorial: run a tiny guest under this machine's KVM and watch its exits twice: as user space
 * sees them (the {@code KVM_RUN} return value) and as the kernel traces them (tracefs).
 *
 * <p>Needs {@code /dev/kvm}, and root for tracefs; without them it says why and stops or skips
 * that part.
 * Run: {@code ./mvnw -q -pl examples exec:java -Dexec.mainClass=dev.vmx.examples.LiveExits}
 */
public final class LiveExits {
    private LiveExits() {
    }

    /**
     * Runs the guest and prints both views.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println("LiveExits: a real-mode guest writes \"Hi\" to the serial port 0x3f8, then halts.");
        System.out.println("Every OUT and the HLT make the CPU leave the guest (a VM exit); KVM hands");
        System.out.println("the ones it cannot handle itself to user space as a KVM_RUN exit.");

        // 0. What this machine offers: every native backend says whether it works, and why not.
        System.out.println();
        System.out.println("Native backends on this machine:");
        for (BackendStatus status : NativeBackends.probe()) {
            System.out.println("  " + status);
        }

        // 1. The KVM device. No KVM (no hardware virtualization, a container without /dev/kvm):
        //    the backend says exactly why, and the tutorial stops there.
        KvmSystem kvm;
        try {
            kvm = KvmSystem.open();
        } catch (NativeUnavailableException e) {
            System.out.println();
            System.out.println("No KVM on this machine: " + e.getMessage());
            return;
        }
        try (kvm) {
            // 2. The kernel's view: a private trace instance with the kvm events enabled. It needs
            //    root; without it we still run the guest and show the user-space view.
            Optional<KvmTraceStream> stream = openStream();
            try {
                // 3. Run the guest: at most 16 exits, so a broken guest cannot hang us.
                GuestRun run = GuestRunner.runRealMode(kvm, GuestRunner.HELLO_SERIAL, 16);
                System.out.println();
                System.out.println("KVM_RUN exits (user space's view):");
                for (KvmExit exit : run.exits()) {
                    System.out.println("  " + exit);
                }
                System.out.println("The guest wrote: " + new String(run.output(0x3f8), StandardCharsets.US_ASCII));

                // 4. The trace: the same run as the kernel recorded it, on this thread only.
                stream.ifPresent(LiveExits::printTrace);
            } finally {
                stream.ifPresent(KvmTraceStream::close);
            }
        }
    }

    private static Optional<KvmTraceStream> openStream() {
        try {
            Tracefs tracefs = Tracefs.locate();
            return Optional.of(KvmTraceStream.open(tracefs, "vmx-liveexits-" + ProcessHandle.current().pid()));
        } catch (NativeUnavailableException e) {
            System.out.println("No tracefs stream (showing KVM_RUN exits only): " + e.getMessage());
            return Optional.empty();
        }
    }

    private static void printTrace(KvmTraceStream stream) {
        int thread = KvmTraceStream.currentThreadId();
        System.out.println();
        System.out.println("tracefs events of this thread (the kernel's view):");
        java.util.List<dev.vmx.trace.KvmEventRecord> events = new java.util.ArrayList<>();
        stream.poll(event -> {
            // the event is a flyweight over the ring-buffer page: read it now, or keep toRecord()
            if (event.pid() == thread) {
                events.add(event.toRecord());
            }
        });
        // pages come CPU by CPU; the thread may have moved between CPUs, so merge by time
        events.sort(java.util.Comparator.comparingLong(KvmEvent::timestampNanos));
        for (KvmEvent event : events) {
            System.out.println("  " + describe(event));
        }
        System.out.println("ring buffer: " + stream.stats());
    }

    private static String describe(KvmEvent event) {
        if (event.type() == KvmEventType.KVM_EXIT && event.isa() == KvmIsa.VMX) {
            // On Intel the recorded exit code is a VMX exit reason and info1 its qualification.
            return "kvm_exit " + event.exitReason() + " rip=0x" + Long.toHexString(event.guestRip()) + ": "
                    + ExitQualification.decode(event.exitReason(), event.info1());
        }
        long micros = event.timestampNanos() / 1000;
        String when = "t=" + micros / 1_000_000 + "." + String.format("%06d", micros % 1_000_000) + "s cpu" + event.cpu() + " ";
        switch (event.type()) {
            case KVM_PIO:
                // the kernel's record of the port access, before it hands the exit to user space
                return when + "kvm_pio " + (event.isWrite() ? "write" : "read") + " port 0x" + Integer.toHexString(event.port())
                        + " size " + event.size() + " value 0x" + Long.toHexString(event.value());
            case KVM_USERSPACE_EXIT:
                // the exit_reason KVM_RUN returns with: the same numbers as kvm_run.exit_reason
                return when + "kvm_userspace_exit " + KvmExitType.fromNumber(event.userspaceExitReason()).uapiName()
                        + " (" + event.userspaceExitReason() + ")";
            default:
                return when + event.toRecord();
        }
    }
}
