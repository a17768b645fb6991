package dev.vmx.examples;

import dev.vmx.dump.VmcsDump;
import dev.vmx.dump.VmcsDumpParser;
import dev.vmx.entry.CheckOutcome;
import dev.vmx.entry.EntryCheckReport;
import dev.vmx.entry.EntryChecker;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Tutorial: "KVM: entry failed, hardware error 0x80000021" means the processor refused to enter
 * the guest because the guest state in the VMCS broke one of the rules of the SDM's "VM Entries" chapter (27 in
 * current editions, 26 in 2016; each rule prints both numbers). Which
 * one? The processor does not say (the exit qualification is 0 for most rules), so this tutorial
 * runs the rules over the VMCS the kernel dumped.
 *
 * <p>Run: {@code ./mvnw -q -pl examples exec:java -Dexec.mainClass=dev.vmx.examples.WhyDidEntryFail}
 */
public final class WhyDidEntryFail {
    private WhyDidEntryFail() {
    }

    /**
     * Checks the VMCS of the bundled kernel log.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        // 1. The dump_vmcs() block the kernel printed after the failed entry, as a VmcsSnapshot.
        VmcsDump dump = VmcsDumpParser.parse(new InputStreamReader(
                WhyDidEntryFail.class.getResourceAsStream("entry-failure-dmesg.txt"), StandardCharsets.UTF_8)).get(0);
        System.out.println("The log says: " + dump.exitReason().orElseThrow() + ", qualification "
                + dump.exitQualification().orElseThrow());

        // 2. Every check of VM entry, in the order the processor makes them. Without the host's
        //    IA32_VMX_* capability MSRs the checks that need them are "not judged", not passed.
        EntryCheckReport report = EntryChecker.create().check(dump.vmcs());
        System.out.println("The checks say: " + report.verdict());

        // 3. The rules the guest state breaks, with the SDM section to read.
        for (CheckOutcome failure : report.failures()) {
            System.out.println("  " + failure.check() + ": " + failure.check().citation());
            System.out.println("    rule:  " + failure.check().statement());
            System.out.println("    found: " + failure.detail());
        }

        // 4. What the dump could not tell: fields dump_vmcs() does not print, or capabilities.
        List<CheckOutcome> notJudged = report.notJudged();
        System.out.println(notJudged.size() + " of " + report.outcomes().size()
                + " checks not judged, e.g. " + notJudged.stream().findFirst().map(CheckOutcome::toString).orElse("none"));

        // 5. A pasted excerpt works the same way: a few lines quoted in tianocore/edk2#91 (2016), the
        //    guest's RFLAGS and the event KVM was injecting. Every check whose fields are there is
        //    judged; the others say which fields they needed.
        VmcsDump pasted = VmcsDumpParser.parse(new InputStreamReader(
                WhyDidEntryFail.class.getResourceAsStream("pasted-excerpt-edk2-91.txt"), StandardCharsets.UTF_8)).get(0);
        EntryCheckReport excerptReport = EntryChecker.create().check(pasted.vmcs());
        System.out.println("The pasted excerpt holds " + pasted.vmcs().fields().size() + " VMCS fields; the checks say:");
        for (CheckOutcome failure : excerptReport.failures()) {
            System.out.println("  " + failure.check() + ": " + failure.check().citation());
            System.out.println("    found: " + failure.detail());
        }
        System.out.println("  " + excerptReport.notJudged().size() + " checks not judged: the excerpt lacks their fields");
    }
}
