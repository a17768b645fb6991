package dev.vmx.examples;

import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.cap.VmxCapabilities;
import dev.vmx.cap.VmxMsr;
import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.hw.bochs.BochsBatchResult;
import dev.vmx.hw.bochs.BochsCase;
import dev.vmx.hw.bochs.BochsCaseResult;
import dev.vmx.hw.bochs.BochsExit;
import dev.vmx.hw.bochs.BochsGuest;
import dev.vmx.hw.bochs.BochsRunner;
import dev.vmx.hw.bochs.BochsVmcsSource;
import dev.vmx.qual.ExceptionQualification;
import dev.vmx.qual.ExitQualification;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import java.util.List;

/**
 * Tutorial: run a guest on an emulated VMX CPU (Bochs), read its live VMCS, explain its exits.
 *
 * <p>No machine this project runs on has VMX, so Bochs plays the processor: a tiny hypervisor
 * (l1hv.asm in vmx-hw) boots in it, turns VMX on, and for each "case" we hand it writes the VMCS
 * fields we chose, enters the guest (the "L2") and reports every VM exit back to Java.
 *
 * <p>Needs Debian's {@code bochs} and {@code bochs-term}; without them it says what is missing.
 * Run: {@code ./mvnw -q -pl examples exec:java -Dexec.mainClass=dev.vmx.examples.VmxInBochs}
 */
public final class VmxInBochs {
    private VmxInBochs() {
    }

    /**
     * Runs the guest and explains what the emulated CPU reported.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println("VmxInBochs: a guest on Bochs' emulated VMX CPU, its exits and its live VMCS.");
        BochsRunner bochs;
        try {
            bochs = BochsRunner.create();
        } catch (NativeUnavailableException e) {
            System.out.println("Skipped: " + e.getMessage());
            return;
        }

        // 1. The processor's VMX capabilities, read with RDMSR by the hypervisor inside Bochs.
        VmxCapabilities caps = bochs.capabilities();
        System.out.printf("CPU model %s: VMCS revision 0x%x, IA32_VMX_PROCBASED_CTLS2 0x%016x%n", bochs.config().cpuModel(),
                caps.basic().revisionId(), caps.msr(VmxMsr.IA32_VMX_PROCBASED_CTLS2).getAsLong());

        // 2. A guest: BochsGuest gives a valid 64-bit state (segments, CR0/CR4, page tables); we add
        //    its code and the exits we want. Every I/O instruction exits, and #PF through the exception bitmap.
        byte[] code = {
            (byte) 0xEE,                                      // out dx, al      (DX = 0x3f8, AL = 'H')
            0x0F, (byte) 0xA2,                                // cpuid           (always exits)
            0x48, (byte) 0x8B, 0x1C, 0x25, 0, 0, 0, 0x40,     // mov rbx, [0x40000000]  (not mapped: #PF)
        };
        BochsCase guest = BochsGuest.baseline(caps, "three exits")
                .pokeBytes(BochsGuest.CODE, code)
                .register(2, 0x3f8).register(0, 'H')
                .write(VmcsField.CPU_BASED_VM_EXEC_CONTROL,
                        BochsGuest.primary(caps, PrimaryProcessorBasedControl.UNCONDITIONAL_IO_EXITING))
                .write(VmcsField.EXCEPTION_BITMAP, 1 << 14)
                .maxExits(3)
                .build();
        // and one the processor must refuse: pin-based controls without their must-be-one bits
        BochsCase refused = BochsGuest.baseline(caps, "bad controls").write(VmcsField.PIN_BASED_VM_EXEC_CONTROL, 0).build();

        BochsBatchResult batch = bochs.run(List.of(guest, refused));

        // 3. The exits, as the emulated CPU wrote them into the VMCS, decoded by this library.
        System.out.println("The guest's exits:");
        for (BochsExit exit : batch.result(0).exits()) {
            VmcsSnapshot vmcs = exit.vmcs();
            System.out.printf("  exit %d at RIP 0x%x: %s%n", exit.index(), vmcs.guestRip(), vmcs.exitReason());
            ExitQualification qualification = vmcs.exitQualification();
            if (qualification instanceof ExceptionQualification exception) {
                // an exception's qualification depends on its vector: for #PF it is the faulting address
                qualification = exception.interpret(vmcs.exitInterruptionInfo());
            }
            System.out.println("    qualification: " + qualification);
            if (vmcs.exitInterruptionInfo().isValid()) {
                System.out.printf("    event: %s, error code 0x%x%n", vmcs.exitInterruptionInfo(),
                        vmcs.read(VmcsField.VM_EXIT_INTR_ERROR_CODE));
            }
        }

        // 4. A failed VM entry: the VM-instruction error, and the check Bochs names in its log.
        BochsCaseResult failed = batch.result(1);
        System.out.println("The refused entry: " + failed.vmInstructionError().map(Object::toString).orElse("?"));
        failed.failedChecks().forEach(check -> System.out.println("  Bochs says: " + check));

        // 5. The whole VMCS after an exit, through the VmcsSource named "bochs".
        VmcsSnapshot live = BochsVmcsSource.of(bochs, guest).read();
        System.out.printf("Live VMCS after the last exit: %d fields; GUEST_CR3 0x%x, HOST_RIP 0x%x, EXCEPTION_BITMAP 0x%x%n",
                live.fields().size(), live.guestCr3(), live.read(VmcsField.HOST_RIP), live.read(VmcsField.EXCEPTION_BITMAP));
    }
}
