package dev.vmx.examples;

import dev.vmx.exit.ExitReason;
import dev.vmx.hw.kvm.KvmNestedStateVmcsSource;
import dev.vmx.hw.kvm.Vmcs12Field;
import dev.vmx.hw.kvm.Vmcs12Layout;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import dev.vmx.vmcs.VmcsSources;
import java.util.Map;

/**
 * Tutorial: read the VMCS that KVM keeps for a nested hypervisor (vmcs12).
 *
 * <p>When a guest is itself a hypervisor (L1) and runs its own guest (L2), KVM emulates VMX for
 * it: L1's VMREAD/VMWRITE go to an in-memory {@code struct vmcs12}. On an Intel host with
 * {@code kvm_intel nested=1}, {@code KvmVcpu.nestedState(kvm)} ({@code KVM_GET_NESTED_STATE})
 * returns it; this tutorial builds an image with the same codec so it runs anywhere.
 * Run: {@code ./mvnw -q -pl examples exec:java -Dexec.mainClass=dev.vmx.examples.ReadNestedVmcs}
 */
public final class ReadNestedVmcs {
    private ReadNestedVmcs() {
    }

    /**
     * Builds, decodes and explains a vmcs12 image.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        // The layout is KVM's, from arch/x86/kvm/vmx/vmcs12.h: field -> offset/size, frozen
        // for save/restore, with a revision id in the first 4 bytes.
        System.out.println("struct vmcs12: revision 0x" + Integer.toHexString(Vmcs12Layout.REVISION) + ", "
                + Vmcs12Layout.fields().size() + " fields in " + Vmcs12Layout.usedSize() + " of " + Vmcs12Layout.SIZE
                + " bytes");
        // Each field is found by its Linux name or by its VMCS encoding (what VMREAD takes).
        Vmcs12Field guestRip = Vmcs12Layout.fieldByEncoding(0x681e).orElseThrow();
        System.out.println(guestRip.linuxName() + " (encoding 0x" + Integer.toHexString(guestRip.encoding())
                + ") lives at offset " + guestRip.offset());

        // What L0 (KVM) would hold right after L2 touched unmapped memory and exited to L1:
        // an EPT violation (basic reason 48) with its qualification and guest-physical address.
        byte[] image = Vmcs12Layout.encode(Map.of(
                "VM_EXIT_REASON", 0x30L,
                "EXIT_QUALIFICATION", 0x181L,
                "GUEST_PHYSICAL_ADDRESS", 0xfebf0000L,
                "GUEST_RIP", 0xffffffff81234567L,
                "VM_EXIT_INSTRUCTION_LEN", 3L));

        // Decoded, the image is a VmcsSnapshot keyed by VmcsField, with the typed views every Vmcs has.
        VmcsSnapshot vmcs12 = Vmcs12Layout.decode(image).toSnapshot();
        ExitReason reason = vmcs12.exitReason();
        System.out.println();
        System.out.println("L2 exited to L1 with " + reason + " (basic " + reason.basicNumber() + ")");
        // The exit qualification's format depends on the exit reason; dev.vmx.qual picks it.
        System.out.println("  exit qualification 0x" + Long.toHexString(vmcs12.read(VmcsField.EXIT_QUALIFICATION)) + ": "
                + vmcs12.exitQualification());
        System.out.println("  guest-physical address 0x" + Long.toHexString(vmcs12.guestPhysicalAddress()));
        System.out.println("  L2 RIP 0x" + Long.toHexString(vmcs12.guestRip()));

        // The live path: the kvm-nested VmcsSource, found with ServiceLoader, says whether this
        // machine can do it and, if not, exactly why.
        System.out.println();
        System.out.println("Live: on an Intel host with kvm_intel nested=1, KvmNestedStateVmcsSource.of(kvm, vcpu).read()");
        System.out.println("returns this snapshot for a vCPU that runs an L1 hypervisor (KVM_GET_NESTED_STATE).");
        VmcsSources.find(KvmNestedStateVmcsSource.NAME).ifPresent(source -> System.out.println("This machine's "
                + source.name() + " source: " + source.unavailableReason().map(why -> "unavailable: " + why)
                .orElse("available")));

        // On a live Intel host, KvmNestedStateVmcsSource.of(kvm, vcpu).read() returns this same
        // snapshot for the vCPU running L1 (KVM_GET_NESTED_STATE): L1's controls, L2's guest state
        // and the last exit L1 saw. Where KVM has no nested state (KVM_CAP_NESTED_STATE is 0: AMD
        // hosts, or VMX without nested=1) its unavailableReason() says so; VmcsSources.all() lists it.
    }
}
