package dev.vmx.bench;

import dev.vmx.exit.BasicExitReason;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a realistic kvm trace text file: alternating {@code kvm_exit} / {@code kvm_entry} lines of
 * four vCPU threads in the Linux 6.1 tracefs format (flags column, {@code TP_printk} of
 * arch/x86/kvm/trace.h), with exit reasons drawn by {@link ExitMix} from the counts KVM measured
 * for a real Ubuntu guest (HLT, MSR writes, external interrupts, I/O, CPUID, ...), including its
 * rare failed entries and flag bits printed the way Linux prints them. Also a command line tool for {@code awk-baseline.sh}:
 * {@code java -cp vmx-bench.jar dev.vmx.bench.TraceTextMix FILE LINES}.
 */
public final class TraceTextMix {

    private TraceTextMix() {
    }

    /**
     * Writes {@code lines} trace lines (half exits, half entries) plus a tracefs header.
     *
     * @param file the output file
     * @param lines the number of event lines (even)
     * @param seed the random seed
     */
    public static void write(Path file, int lines, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] time = new long[4];
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("# tracer: nop\n#\n");
            int[] raws = ExitMix.rawExitReasons(lines / 2, random);
            for (int i = 0; i < lines / 2; i++) {
                int vcpu = i & 3;
                int pid = 4242 + vcpu;
                // how Linux prints the reason: the basic reason's name, " FAILED_VMENTRY" for bit 31
                // and any other flag bits left over as hex (__print_flags)
                int raw = raws[i];
                String reason = BasicExitReason.fromNumber(raw & 0xffff).name();
                int flags = raw & 0xffff_0000;
                if (flags != 0) {
                    reason += (flags & 0x8000_0000) != 0 ? " FAILED_VMENTRY" : "";
                    flags &= 0x7fff_ffff;
                    reason += flags != 0 ? " 0x" + Integer.toHexString(flags) : "";
                }
                time[vcpu] += 1_000 + random.nextInt(50_000);
                long rip = 0xffffffff81000000L + random.nextInt(1 << 20);
                out.write(String.format(" CPU %d/KVM-%d    [%03d] d..1. %d.%06d: kvm_exit: vcpu %d reason %s rip 0x%x"
                        + " info1 0x%016x info2 0x%016x intr_info 0x%08x error_code 0x%08x%n",
                        vcpu, pid, vcpu, time[vcpu] / 1_000_000_000L, time[vcpu] / 1000 % 1_000_000, vcpu,
                        reason, rip, (long) random.nextInt(0x1000), 0L, 0, 0));
                time[vcpu] += 1_000 + random.nextInt(20_000);
                out.write(String.format(" CPU %d/KVM-%d    [%03d] d..1. %d.%06d: kvm_entry: vcpu %d, rip 0x%x"
                        + " intr_info 0x00000000 error_code 0x00000000%n",
                        vcpu, pid, vcpu, time[vcpu] / 1_000_000_000L, time[vcpu] / 1000 % 1_000_000, vcpu, rip));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * Writes a file for the awk baseline.
     *
     * @param args FILE LINES
     */
    public static void main(String[] args) {
        write(Path.of(args[0]), Integer.parseInt(args[1]), 7);
    }
}
