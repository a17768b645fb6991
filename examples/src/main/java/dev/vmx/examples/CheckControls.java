package dev.vmx.examples;

import dev.vmx.cap.ControlField;
import dev.vmx.cap.ControlViolation;
import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.cap.VmxCapabilities;
import java.util.List;
import java.util.Map;

/**
 * Tutorial: before VMLAUNCH, a hypervisor must pick control values the processor accepts. The processor says
 * which ones in its IA32_VMX_* capability MSRs; this program decodes a real dump and checks a proposed value.
 */
public final class CheckControls {
    private CheckControls() {
    }

    /**
     * Runs the tutorial.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        // Capability MSRs of an Intel Core i7-5600U (Broadwell), as recorded in VirtualBox's CPU database
        // (src/VBox/VMM/VMMR3/cpus/Intel_Core_i7_5600U.h). On a live host, read them with rdmsr.
        Map<Integer, Long> msrs = Map.ofEntries(
                Map.entry(0x480, 0xda040000000012L), Map.entry(0x481, 0x7f00000016L),
                Map.entry(0x482, 0xfff9fffe0401e172L), Map.entry(0x483, 0x7fffff00036dffL),
                Map.entry(0x484, 0xffff000011ffL), Map.entry(0x485, 0x300481e5L),
                Map.entry(0x486, 0x80000021L), Map.entry(0x487, 0xffffffffL),
                Map.entry(0x488, 0x2000L), Map.entry(0x489, 0x3767ffL),
                Map.entry(0x48b, 0x57cff00000000L), Map.entry(0x48d, 0x7f00000016L),
                Map.entry(0x48e, 0xfff9fffe04006172L), Map.entry(0x48f, 0x7fffff00036dfbL),
                Map.entry(0x490, 0xffff000011fbL));
        VmxCapabilities caps = VmxCapabilities.fromMsrs(msrs);

        // IA32_VMX_BASIC bit 55 says the TRUE_* MSRs exist; they allow clearing some "default1" bits.
        System.out.println("VMCS revision 0x" + Integer.toHexString(caps.basic().revisionId())
                + ", region " + caps.basic().regionSize() + " bytes, TRUE controls: " + caps.basic().trueControls());

        // Each control MSR holds two words: bits that must be 1 (low), bits that may be 1 (high).
        ControlField primary = ControlField.PRIMARY_PROCESSOR_BASED;
        System.out.println("allowed from " + caps.allowed(primary).source());

        // A naive hypervisor asks for HLT exiting, MSR bitmaps and tertiary controls, and nothing else.
        long proposed = PrimaryProcessorBasedControl.HLT_EXITING.mask()
                | PrimaryProcessorBasedControl.USE_MSR_BITMAPS.mask()
                | PrimaryProcessorBasedControl.ACTIVATE_TERTIARY_CONTROLS.mask();
        System.out.println("proposed " + primary.decode(proposed));
        List<ControlViolation> violations = caps.check(primary, proposed);
        violations.forEach(v -> System.out.println("  violation: " + v));

        // Hypervisors fix this with (proposed | must-be-1) & may-be-1, as Linux's adjust_vmx_controls() does.
        long adjusted = caps.adjust(primary, proposed);
        System.out.println("adjusted 0x" + Long.toHexString(adjusted) + " -> violations: "
                + caps.check(primary, adjusted).size());

        // A real value from elsewhere: the secondary controls KVM ran a nested guest with on a Xeon 8373C
        // (dump_vmcs "SecondaryExec=0x02040462" in a kvm@vger.kernel.org report, 2024-05-16). This
        // Broadwell laptop has no TSC scaling, so that VMCS would fail VM entry here.
        ControlField secondary = ControlField.SECONDARY_PROCESSOR_BASED;
        long fromXeon = 0x02040462L;
        System.out.println("Xeon secondary " + secondary.decode(fromXeon));
        caps.check(secondary, fromXeon).forEach(v -> System.out.println("  violation: " + v));

        // CR0 and CR4 have fixed bits in VMX operation too: CR4.VMXE (bit 13) must be 1.
        System.out.println("CR4=0x20 offending bits: 0x" + Long.toHexString(caps.cr4Violations(0x20)));
    }
}
