package dev.vmx.examples;

import dev.vmx.exit.ExitReason;
import dev.vmx.explain.Explain;
import dev.vmx.explain.Explanation;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tutorial: turn the numbers of one {@code kvm_exit} trace line into a sentence.
 *
 * <p>Run: {@code ./mvnw -q -pl examples exec:java -Dexec.mainClass=dev.vmx.examples.ExplainExit}
 */
public final class ExplainExit {
    /**
     * The fields of a Linux 6.1 {@code kvm_exit} line (arch/x86/kvm/trace.h): on Intel, info1 is
     * the exit qualification, info2 the IDT-vectoring information, intr_info the VM-exit
     * interruption information and error_code its error code (vmx_get_exit_info in vmx.c).
     */
    private static final Pattern KVM_EXIT = Pattern.compile("reason (\\S+) rip (0x\\p{XDigit}+) info1 (0x\\p{XDigit}+) "
            + "info2 (0x\\p{XDigit}+) intr_info (0x\\p{XDigit}+) error_code (0x\\p{XDigit}+)");

    /** Lines as `trace-cmd report` or /sys/kernel/tracing/trace_pipe print them. */
    private static final String[] LINES = {
        // The guest wrote to a page that EPT maps read-only (bit 1 = write, bits 5:3 = R only).
        "kvm_exit: vcpu 0 reason EPT_VIOLATION rip 0xffffffff81234567 info1 0x000000000000018a "
                + "info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000",
        // A read of guest memory KVM has not mapped yet (public trace: error_code 0x181 in
        // http://f.osdev.org/viewtopic.php?t=57777): KVM faults the page in and resumes.
        "kvm_exit: vcpu 3 reason EPT_VIOLATION rip 0x7f80ed32638b info1 0x0000000000000181 "
                + "info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000",
        // From a public KVM report ("Re: Deadlock due to EPT_VIOLATION", kvm@vger.kernel.org,
        // 2023-05-30; its older trace format printed "info 683 0"): the guest's page walk had to
        // write an accessed/dirty bit into a page-table page KVM had not mapped. Bit 8 is clear, so
        // bits 11:9 say nothing here.
        "kvm_exit: vcpu 1 reason EPT_VIOLATION rip 0xffffffffbc726140 info1 0x0000000000000683 "
                + "info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000",
        // A byte written to the serial port: `out dx, al` with dx = 0x3f8.
        "kvm_exit: vcpu 0 reason IO_INSTRUCTION rip 0xffffffff8104a2b1 info1 0x0000000003f80000 "
                + "info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000",
        // The guest loaded a new page-table root: mov cr3, rax.
        "kvm_exit: vcpu 1 reason CR_ACCESS rip 0xffffffff81070b3c info1 0x0000000000000003 "
                + "info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000",
        // A page fault the hypervisor intercepts (shadow paging): info1 holds the faulting address.
        "kvm_exit: vcpu 0 reason EXCEPTION_NMI rip 0x0000000000401000 info1 0x00007ffd3a2c1ff8 "
                + "info2 0x0000000000000000 intr_info 0x80000b0e error_code 0x00000006",
        // An EPT violation while the CPU delivered an interrupt to the guest (IDT-vectoring info valid,
        // vector 0xec): the guest's IDT or stack page was not mapped yet; KVM maps it and re-injects.
        "kvm_exit: vcpu 0 reason EPT_VIOLATION rip 0xffffffff828e3a0c info1 0x0000000000000182 "
                + "info2 0x00000000800000ec intr_info 0x00000000 error_code 0x00000000",
        // A host interrupt (vector 0xec, the local APIC timer on Linux) arrived while the guest ran.
        "kvm_exit: vcpu 2 reason EXTERNAL_INTERRUPT rip 0xffffffff81b3c2de info1 0x0000000000000000 "
                + "info2 0x0000000000000000 intr_info 0x800000ec error_code 0x00000000",
    };

    private ExplainExit() {
    }

    /**
     * Explains each sample line.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        for (String line : LINES) {
            Matcher fields = KVM_EXIT.matcher(line);
            if (!fields.find()) {
                throw new IllegalArgumentException("not a kvm_exit line: " + line);
            }
            // Step 1: the numbers. Only these come from the trace; everything else is decoding.
            ExitReason reason = ExitReason.parse(fields.group(1));
            long qualification = Long.parseUnsignedLong(fields.group(3).substring(2), 16);
            int idtVectoring = (int) Long.parseLong(fields.group(4).substring(2), 16);
            int intrInfo = (int) Long.parseLong(fields.group(5).substring(2), 16);
            int errorCode = (int) Long.parseLong(fields.group(6).substring(2), 16);

            System.out.println(reason + " at rip " + fields.group(2));
            // Step 2: the library turns the numbers into a sentence. The exit reason selects the
            // format of the qualification (SDM "Exit Qualification for ..."); for exceptions the
            // vector in the interruption information says what the qualification means (an address
            // for #PF, DR6-style bits for #DB); a valid IDT-vectoring field means the exit interrupted
            // the delivery of an event, which the hypervisor must re-inject.
            Explanation explained = Explain.exit(reason, qualification, intrInfo, errorCode, idtVectoring);
            System.out.println("  " + explained.summary());
        }

        // Step 3: the same in one call from the pasted line, with every decoded field, for people
        // (toText) and programs (the record, or toJson). `vmx explain LINE` prints this.
        System.out.print(Explain.traceLine(LINES[0]).toText());
    }
}
