package dev.vmx.spark;

import dev.vmx.exit.BasicExitReason;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes kvm trace text of a simulated fleet: a directory per host, one or more trace files per
 * host, each with two VMs of several vCPU threads whose exits and entries interleave as tracefs
 * prints them (Linux 6.x {@code TP_printk} of arch/x86/kvm/trace.h with the irqs-off flags column;
 * one host in the 4.x form, whose {@code kvm_exit} has no vCPU id). The mix has what real traces
 * have: long HLT exits, EPT violations, MSR writes with their {@code kvm_msr} event, port I/O with
 * {@code kvm_pio}, guest kernel and user RIPs, now and then a failed VM entry, an exit never
 * re-entered before the thread's next exit, and on one host an entry stamped before its exit (a
 * trace merged from unsynchronised per-CPU clocks).
 */
final class SimulatedFleet {
    private static final BasicExitReason[] REASONS = {
        BasicExitReason.HLT, BasicExitReason.EXTERNAL_INTERRUPT, BasicExitReason.EPT_VIOLATION,
        BasicExitReason.MSR_WRITE, BasicExitReason.IO_INSTRUCTION, BasicExitReason.CPUID,
        BasicExitReason.EPT_MISCONFIG, BasicExitReason.PAUSE_INSTRUCTION, BasicExitReason.PREEMPTION_TIMER,
        BasicExitReason.EXCEPTION_NMI, BasicExitReason.CR_ACCESS,
    };
    private static final int[] WEIGHTS = {20, 25, 15, 15, 8, 5, 4, 3, 3, 1, 1};

    private SimulatedFleet() {
    }

    /**
     * Writes {@code hosts} host directories {@code host-NN} under {@code root}, each with
     * {@code filesPerHost} files of about {@code exitsPerFile} exits.
     *
     * @return the files written
     */
    static List<Path> write(Path root, int hosts, int filesPerHost, int exitsPerFile, long seed) {
        List<Path> files = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(seed);
        for (int h = 0; h < hosts; h++) {
            Path dir = root.resolve(String.format(Locale.ROOT, "host-%02d", h));
            for (int f = 0; f < filesPerHost; f++) {
                Path file = dir.resolve("trace-" + f + ".txt");
                writeFile(file, exitsPerFile, h == 1, h == 2, random.split());
                files.add(file);
            }
        }
        return files;
    }

    /** One host's trace: two VMs, 2 to 4 vCPU threads each. */
    static void writeFile(Path file, int exits, boolean linux4, boolean skewedClock, SplittableRandom random) {
        int threads = 2 * (2 + random.nextInt(3));
        int firstPid = 1000 + random.nextInt(50_000);
        boolean[] inGuest = new boolean[threads];
        long[] exitTime = new long[threads];
        long now = 1_000_000_000L * (100 + random.nextInt(1000));
        try {
            Files.createDirectories(file.getParent());
            try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
                out.write("# tracer: nop\n#\n#                                _-----=> irqs-off/BH-disabled\n");
                int written = 0;
                while (written < exits) {
                    int t = random.nextInt(threads);
                    int pid = firstPid + t;
                    int vcpu = t % (threads / 2);
                    int cpu = t;
                    String task = "CPU " + vcpu + "/KVM";
                    now += 200 + random.nextInt(3_000);
                    if (inGuest[t]) {
                        BasicExitReason reason = pick(random);
                        String name = reason.name();
                        if (random.nextInt(2000) == 0) {
                            name = BasicExitReason.INVALID_STATE.name() + " FAILED_VMENTRY";
                        }
                        long rip = random.nextInt(3) == 0 ? 0x5600_0000_0000L + random.nextInt(1 << 24)
                                : 0xffff_ffff_8100_0000L + random.nextInt(1 << 24);
                        long info1 = reason == BasicExitReason.EPT_VIOLATION ? 0x180 | (1 << random.nextInt(3))
                                : reason == BasicExitReason.CR_ACCESS ? random.nextInt(16) : random.nextInt(4);
                        int intrInfo = reason == BasicExitReason.EXCEPTION_NMI ? 0x8000_0b0e : 0;
                        if (linux4) {
                            line(out, task, pid, cpu, now, String.format(Locale.ROOT, "kvm_exit: reason %s rip 0x%x info %x %x",
                                    name, rip, info1, 0));
                        } else {
                            line(out, task, pid, cpu, now, String.format(Locale.ROOT,
                                    "kvm_exit: vcpu %d reason %s rip 0x%x info1 0x%016x info2 0x%016x intr_info 0x%08x error_code 0x%08x",
                                    vcpu, name, rip, info1, 0L, intrInfo, 0));
                        }
                        exitTime[t] = now;
                        inGuest[t] = false;
                        written++;
                        if (reason == BasicExitReason.MSR_WRITE) {
                            line(out, task, pid, cpu, now + 100, String.format(Locale.ROOT, "kvm_msr: msr_write %x = 0x%x",
                                    0x6e0, random.nextInt(1 << 20)));
                        } else if (reason == BasicExitReason.IO_INSTRUCTION) {
                            line(out, task, pid, cpu, now + 100, String.format(Locale.ROOT,
                                    "kvm_pio: pio_write at 0x%x size 1 count 1 val 0x%x", 0x3f8, random.nextInt(256)));
                        }
                        if (reason == BasicExitReason.HLT) {
                            exitTime[t] += 50_000 + random.nextInt(500_000); // halted: entered much later
                        }
                    } else {
                        if (random.nextInt(300) == 0 && written > 0) {
                            inGuest[t] = true; // no entry traced: the thread's next exit leaves this one untimed
                            continue;
                        }
                        long at = Math.max(now, exitTime[t] + 300 + random.nextInt(5_000));
                        if (skewedClock && random.nextInt(500) == 0) {
                            at = exitTime[t] - 1_000; // the entry's CPU clock runs behind
                        }
                        now = Math.max(now, at);
                        line(out, task, pid, cpu, at, linux4 ? "kvm_entry: vcpu " + vcpu
                                : String.format(Locale.ROOT, "kvm_entry: vcpu %d, rip 0x%x intr_info 0x00000000 error_code 0x00000000",
                                        vcpu, 0xffff_ffff_8100_0000L));
                        inGuest[t] = true;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static BasicExitReason pick(SplittableRandom random) {
        int total = 0;
        for (int w : WEIGHTS) {
            total += w;
        }
        int r = random.nextInt(total);
        for (int i = 0; i < WEIGHTS.length; i++) {
            r -= WEIGHTS[i];
            if (r < 0) {
                return REASONS[i];
            }
        }
        throw new AssertionError();
    }

    private static void line(BufferedWriter out, String task, int pid, int cpu, long nanos, String event) throws IOException {
        out.write(String.format(Locale.ROOT, "%16s-%-7d [%03d] d..1. %d.%06d: %s%n", task, pid, cpu,
                nanos / 1_000_000_000L, nanos / 1000 % 1_000_000, event));
    }
}
