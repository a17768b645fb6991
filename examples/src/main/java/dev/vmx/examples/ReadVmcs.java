package dev.vmx.examples;

import dev.vmx.qual.EptViolationQualification;
import dev.vmx.vmcs.FieldChange;
import dev.vmx.vmcs.InMemoryVmcsSource;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import dev.vmx.vmcs.VmcsSource;
import dev.vmx.vmcs.VmcsSources;
import java.io.StringReader;
import java.io.StringWriter;

/**
 * Tutorial: build the VMCS of a guest that just took an EPT violation, read it back through the
 * embedded source, print the typed view, and diff it with the VMCS after the next exit.
 *
 * <p>Run: {@code ./mvnw -q -pl examples exec:java -Dexec.mainClass=dev.vmx.examples.ReadVmcs}
 */
public final class ReadVmcs {
    private ReadVmcs() {
    }

    /**
     * Runs the tutorial.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        // A VMCS is the processor's record of one virtual CPU: guest registers, host registers,
        // the controls that say what makes the guest exit, and - after an exit - why it exited.
        // Each field has a 16-bit encoding (width, type, index) that VMREAD/VMWRITE use.
        System.out.println("GUEST_RIP is encoding " + String.format("0x%04x", VmcsField.GUEST_RIP.encoding())
                + ": " + VmcsField.GUEST_RIP.fieldEncoding());

        // The guest wrote to a page that EPT (the second-level page tables) maps read-only.
        VmcsSnapshot afterExit = VmcsSnapshot.builder()
                .put(VmcsField.VM_EXIT_REASON, 0x30)                  // basic reason 48: EPT violation
                .put(VmcsField.EXIT_QUALIFICATION, 0x18a)             // write; entry readable; GLA valid
                .put(VmcsField.GUEST_PHYSICAL_ADDRESS, 0x7f3e2000L)   // the guest-physical address touched
                .put(VmcsField.GUEST_LINEAR_ADDRESS, 0xffff8880_7f3e2000L)
                .put(VmcsField.GUEST_RIP, 0xffffffff_8103a5c4L)
                .put(VmcsField.GUEST_CR3, 0x10c6c000L)
                .put(VmcsField.VM_EXIT_INSTRUCTION_LEN, 3)
                .build();

        // The embedded source needs no hardware; native sources (vmx-hw) plug into the same SPI.
        InMemoryVmcsSource source = VmcsSources.embedded();
        source.write(afterExit);
        StringWriter saved = new StringWriter();
        source.save(saved);                               // the text format: FIELD = 0x... per line
        System.out.println("\nsaved as text:\n" + saved);

        // ServiceLoader finds the embedded source (and vmx-hw's native ones when present).
        VmcsSource found = VmcsSources.find(InMemoryVmcsSource.NAME).orElseThrow();
        System.out.println("registered sources: " + VmcsSources.all().stream().map(VmcsSource::name).toList()
                + ", '" + found.name() + "' available: " + found.isAvailable());

        // Read it back through the discovered source and use the typed views instead of masks.
        ((InMemoryVmcsSource) found).load(new StringReader(saved.toString()));
        VmcsSnapshot vmcs = found.read();
        System.out.println("read back equals what was written: " + vmcs.equals(afterExit));
        System.out.println("exit reason: " + vmcs.exitReason());
        EptViolationQualification qualification = (EptViolationQualification) vmcs.exitQualification();
        System.out.println("qualification: " + qualification);
        System.out.printf("guest-physical 0x%x, RIP 0x%x%n", vmcs.guestPhysicalAddress(), vmcs.guestRip());

        // The hypervisor maps the page writable and resumes; the guest then does port I/O.
        VmcsSnapshot nextExit = vmcs.toBuilder()
                .put(VmcsField.VM_EXIT_REASON, 30)                    // I/O instruction
                .put(VmcsField.EXIT_QUALIFICATION, 0x3f8_0000L)       // OUT 1 byte to port 0x3f8
                .put(VmcsField.GUEST_RIP, 0xffffffff_8103a5c7L)
                .put(VmcsField.VM_EXIT_INSTRUCTION_LEN, 1)
                .remove(VmcsField.GUEST_PHYSICAL_ADDRESS)             // not saved for I/O exits
                .build();
        System.out.println("\nwhat changed at the next exit (" + nextExit.exitReason() + "):");
        for (FieldChange change : vmcs.diff(nextExit)) {
            System.out.println("  " + change);
        }
    }
}
