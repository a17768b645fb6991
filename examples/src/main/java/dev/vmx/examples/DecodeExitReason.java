package dev.vmx.examples;

import static dev.vmx.exit.BasicExitReason.EPT_VIOLATION;
import static dev.vmx.exit.BasicExitReason.MCE_DURING_VMENTRY;

import dev.vmx.exit.ExitReason;
import dev.vmx.exit.ExitReasonFlag;

/**
 * Tutorial 1: decode the exit reasons a KVM user meets in logs.
 *
 * <p>Run: {@code ./mvnw -q -pl examples exec:java -Dexec.mainClass=dev.vmx.examples.DecodeExitReason}
 */
public final class DecodeExitReason {
    private DecodeExitReason() {
    }

    /**
     * Prints the decoded values and the classic comparison mistake.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        // On a VM exit the processor writes a 32-bit "exit reason". Bits 15:0 are the *basic*
        // exit reason (why the guest stopped: 48 = EPT violation, 30 = I/O instruction, ...).
        // The high bits are flags; bit 31 says the VM entry itself failed.

        // "KVM: entry failed, hardware error 0x80000021" in dmesg: KVM prints the full value.
        ExitReason entryFailed = ExitReason.parse("0x80000021");
        describe("dmesg 'hardware error 0x80000021'", entryFailed);
        // Basic reason 33 plus the VM-entry-failure flag: the guest state in the VMCS broke a
        // rule of the SDM's guest-state checks, so the processor refused to enter the guest.

        // A plain EPT violation: the guest touched guest-physical memory that the EPT page
        // tables do not map (or map without the needed permission). The most common exit.
        describe("kvm_exit reason 0x30", ExitReason.of(0x30));

        // The same EPT violation taken while the guest ran inside an SGX enclave: bit 27 is set.
        // The basic reason is still EPT_VIOLATION; code that compares the full value with 48
        // would miss it.
        ExitReason inEnclave = ExitReason.of(0x08000030);
        describe("exit reason 0x08000030", inEnclave);
        System.out.println("  is(EPT_VIOLATION) = " + inEnclave.is(EPT_VIOLATION)
                + ", raw() == 48? " + (inEnclave.raw() == 48));

        // The bug that made Linux KVM turn exit_reason into a union: a machine check during VM
        // entry reports basic reason 41 *with* bit 31 set (0x80000029). Comparing the full value
        // with 41 is always false, so the machine check went unhandled.
        ExitReason machineCheck = ExitReason.of(0x80000029);
        boolean buggy = machineCheck.raw() == MCE_DURING_VMENTRY.number();
        boolean correct = machineCheck.is(MCE_DURING_VMENTRY);
        System.out.println();
        System.out.println("Machine check during VM entry, raw 0x80000029:");
        System.out.println("  C-style  'exit_reason == 41'          -> " + buggy + "   (the bug)");
        System.out.println("  vmx      'is(MCE_DURING_VMENTRY)'     -> " + correct + "    (compares bits 15:0 only)");
        // ExitReason and BasicExitReason are different types, and is() is the only comparison
        // the API offers, so the mistake has to be written out by hand with raw() to happen.
    }

    private static void describe(String where, ExitReason reason) {
        System.out.println();
        System.out.println(where + ":");
        System.out.println("  " + reason + "  (basic " + reason.basicNumber() + ": " + reason.basic().sdmName() + ")");
        for (ExitReasonFlag flag : reason.flags()) {
            System.out.println("  flag bit " + flag.bit() + ": " + flag.sdmName());
        }
    }
}
