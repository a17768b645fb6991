package dev.vmx.examples;

import dev.vmx.dump.VmcsDump;
import dev.vmx.dump.VmcsDumpParser;
import dev.vmx.dump.VmcsDumpSegment;
import dev.vmx.event.InterruptionInfo;
import dev.vmx.exit.ExitReason;
import dev.vmx.explain.Explain;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Tutorial: read the VMCS dump the kernel prints when a VM entry fails.
 *
 * <p>When QEMU says "KVM: entry failed, hardware error 0x80000021", the processor refused to enter
 * the guest because the guest state broke one of the SDM's VM-entry checks, and {@code kvm_intel}
 * printed the whole VMCS to the kernel log ({@code dump_vmcs()}). This tutorial finds that block in
 * a bundled log, names the failing exit reason and shows the guest state to check first.
 */
public final class ExplainEntryFailure {
    private ExplainEntryFailure() {
    }

    /**
     * Explains the bundled entry failure.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        List<VmcsDump> dumps = VmcsDumpParser.parse(new InputStreamReader(
                ExplainEntryFailure.class.getResourceAsStream("entry-failure-dmesg.txt"), StandardCharsets.UTF_8));
        VmcsDump dump = dumps.get(0);
        System.out.println("Found " + dumps.size() + " dump_vmcs block(s); the first spans lines " + dump.firstLine()
                + "-" + dump.lastLine() + ".");
        dump.hardwareError().ifPresent(error -> System.out.println(
                "QEMU reported: hardware error 0x" + Long.toHexString(error) + " (line " + dump.hardwareErrorLine().getAsLong() + ")"));
        // What that number is and what to look at next: dev.vmx.explain classifies it (exit reason or
        // VM-instruction error, the two things KVM puts into that one field).
        dump.hardwareError().ifPresent(error -> System.out.print(Explain.hardwareError(error).toText()));
        ExitReason reason = dump.exitReason().orElseThrow();
        System.out.println("VMExit reason: " + reason + " = " + reason.basic().sdmName());
        System.out.println("Exit qualification: 0x" + Long.toHexString(dump.exitQualification().orElse(0)));
        // Bit 31 set means the VM entry itself failed: the guest never ran; the cause is in guest state.
        if (reason.isVmEntryFailure()) {
            System.out.println("Bit 31 is set: the VM entry failed. Check the guest state first:");
            long cr0 = dump.field("guest.CR0.actual").orElse(0);
            System.out.printf("  CR0 = 0x%x: PE (bit 0) = %d, PG (bit 31) = %d%n", cr0, cr0 & 1, (cr0 >>> 31) & 1);
            long secondary = dump.field("control.SecondaryExec").orElse(0);
            // Without "unrestricted guest" (secondary control bit 7) CR0.PE and CR0.PG must be 1.
            System.out.printf("  unrestricted guest (SecondaryExec bit 7) = %d%n", (secondary >>> 7) & 1);
            System.out.printf("  RFLAGS = 0x%x (bit 1 must be 1)%n", dump.field("guest.RFLAGS").orElse(0));
            for (String name : List.of("CS", "SS", "TR")) {
                VmcsDumpSegment segment = dump.segment(name).orElseThrow();
                System.out.printf("  %-2s sel=0x%04x attr=0x%05x limit=0x%08x base=0x%016x%n", name,
                        segment.selector().orElse(0), segment.accessRights().orElse(0), segment.limit(), segment.base());
                // the attr number decoded: type, DPL, present, size, granularity (SegmentAccessRights)
                segment.rights().ifPresent(rights -> System.out.println("     " + rights));
            }
            // interruptibility and activity state, decoded by their value types
            System.out.println("  interruptibility " + dump.vmcs().guestInterruptibility()
                    + ", activity state " + dump.vmcs().guestActivityState());
            System.out.printf("  VMEntry intr_info = 0x%08x (an event being injected must fit the guest state)%n",
                    dump.field("control.VMEntry.intr_info").orElse(0));
        }
        // Nothing inside the block is skipped silently: lines the parser did not understand come back with their numbers.
        System.out.println("Lines inside the block the parser did not understand: " + dump.problems().size());
        dump.problems().forEach(problem -> System.out.println("  line " + problem.lineNumber() + ": " + problem.problem()));
        System.out.println("dump.vmcs() is the block as a VmcsSnapshot; WhyDidEntryFail runs the SDM's VM-entry checks on it.");

        // Most reports do not carry the whole block: someone pastes the lines that matter into a mail
        // or a bug report, indented, with "..." where lines were left out. The parser takes what is
        // there, and says what is not.
        System.out.println();
        System.out.println("A pasted excerpt (tianocore/edk2#91, quoted in a comment):");
        VmcsDump pasted = VmcsDumpParser.parse(new InputStreamReader(
                ExplainEntryFailure.class.getResourceAsStream("pasted-excerpt-edk2-91.txt"), StandardCharsets.UTF_8)).get(0);
        System.out.println("  fields read: " + pasted.fields().keySet());
        System.out.println("  sections missing: " + pasted.missingSections() + ", always-printed fields missing: "
                + pasted.missingFields().size());
        pasted.problems().forEach(problem -> System.out.println("  line " + problem.lineNumber() + ", column "
                + problem.column() + ": " + problem.problem()));
        long rflags = pasted.field("guest.RFLAGS").orElseThrow();
        InterruptionInfo injected = InterruptionInfo.of((int) pasted.field("control.VMEntry.intr_info").orElseThrow());
        System.out.printf("  RFLAGS = 0x%x: IF (bit 9) = %d%n", rflags, (rflags >>> 9) & 1);
        System.out.println("  VMEntry intr_info: " + injected);
        System.out.println("  An external interrupt is injected while IF = 0: WhyDidEntryFail names the rule this breaks.");
    }
}
