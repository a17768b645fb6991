package dev.vmx.nested;

import dev.vmx.cap.ControlBit;
import dev.vmx.cap.PinBasedControl;
import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.cap.SecondaryProcessorBasedControl;
import dev.vmx.cap.TertiaryProcessorBasedControl;
import dev.vmx.event.ExceptionVector;
import dev.vmx.event.InterruptionInfo;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import dev.vmx.qual.CrAccessQualification;
import dev.vmx.qual.IoInstructionQualification;
import dev.vmx.vmcs.Vmcs;
import dev.vmx.vmcs.VmcsField;
import java.util.Optional;

/**
 * Decides who handles an exit of an L2 guest, in the three steps KVM's nested code takes:
 * VM-Fail (the exit is a failed VM-entry), L0 wants (L0 intercepts it for itself), L1 wants
 * (L1's VMCS for L2 asks for it). An exit nobody asked for stays with L0. Pure function of its
 * inputs; never throws for an unknown exit reason. A VMCS field or bitmap page the decision needs
 * but that is missing gives an {@link IllegalArgumentException} naming the field and the exit.
 *
 * <p>The L1 rules follow the SDM; KVM 6.1's {@code nested_vmx_l1_wants_exit()} is the cross-check
 * (see the test resources). Deliberate differences from KVM: a #PF applies L1's error-code
 * mask/match (KVM reflects every #PF that reaches it, having merged mask/match into hardware);
 * MOV to CR3 honours L1's CR3-target values; VMFUNC, PML full, preemption timer and bus lock are
 * L0's only through {@link L0Intercepts#kvm61()}. Not modelled (they answer L0_WANTS and say so):
 * ENQCMD/ENQCMDS PASID translation failures, SEAMCALL, TDCALL, RDMSRLIST/WRMSRLIST and the
 * immediate-form RDMSR/WRMSRNS exits; the CPL-0 and gap/window conditions of PAUSE-loop exiting
 * (the decision is by the control alone, as in KVM); failures of an enabled VM function.
 */
public final class ExitRouter {
    private ExitRouter() {
    }

    /**
     * Routes one L2 exit.
     *
     * @param exit the exit
     * @param vmcs12 L1's VMCS for L2 (controls, bitmaps' addresses, exception bitmap ...)
     * @param memory L1's guest memory, for the I/O and MSR bitmaps
     * @param l0 what L0 handles itself
     * @return the decision and its reason
     */
    public static RoutingDecision route(NestedExit exit, Vmcs vmcs12, GuestMemory memory, L0Intercepts l0) {
        ExitReason reason = exit.reason();
        if (reason.isVmEntryFailure()) {
            return new RoutingDecision(Route.VM_FAIL, "exit reason bit 31 (VM-entry failure) is set on " + reason,
                    Optional.empty(), RoutingDecision.SDM_ENTRY_FAILURE);
        }
        Context context = new Context(exit, vmcs12, memory);
        Optional<RoutingDecision> l0Wants = l0Wants(exit, l0);
        if (l0Wants.isPresent()) {
            return l0Wants.get();
        }
        return l1Wants(context);
    }

    private static Optional<RoutingDecision> l0Wants(NestedExit exit, L0Intercepts l0) {
        BasicExitReason basic = exit.reason().basic();
        if (l0.exitReasons().contains(basic)) {
            return Optional.of(l0("L0 keeps every " + basic + " exit of L2 for itself"));
        }
        switch (basic) {
            case EXCEPTION_NMI: {
                int info = exit.interruptionInfo();
                Optional<ExceptionVector> vector = ExceptionVector.fromVector(InterruptionInfo.vector(info));
                if (vector.isPresent() && l0.exceptions().contains(vector.get())) {
                    return Optional.of(l0("L0 intercepts " + vector.get() + " for itself"));
                }
                return Optional.empty();
            }
            case EXTERNAL_INTERRUPT:
                return l0.externalInterrupts() ? Optional.of(l0("L0 owns external interrupts")) : Optional.empty();
            case EPT_VIOLATION:
            case EPT_MISCONFIG:
                return l0.eptViolations() ? Optional.of(l0("L0's EPT backs L2; L0 resolves " + basic))
                        : Optional.empty();
            case UNRECOGNIZED:
                return Optional.of(new RoutingDecision(Route.L0_WANTS, "basic exit reason "
                        + exit.reason().basicNumber() + " is not defined by the SDM", Optional.empty(),
                        RoutingDecision.NO_SDM));
            default:
                return Optional.empty();
        }
    }

    private static RoutingDecision l0(String rule) {
        return new RoutingDecision(Route.L0_WANTS, rule, Optional.empty(), RoutingDecision.SDM_OTHER);
    }

    private static RoutingDecision l1Wants(Context c) {
        BasicExitReason basic = c.exit.reason().basic();
        switch (basic) {
            case TRIPLE_FAULT:
            case INIT_SIGNAL:
            case SIPI_SIGNAL:
            case TASK_SWITCH:
                return always(basic + " always causes a VM exit in VMX non-root operation", RoutingDecision.SDM_OTHER);
            case CPUID:
            case GETSEC:
            case INVD:
            case XSETBV:
            case VMCALL:
            case VMCLEAR:
            case VMLAUNCH:
            case VMPTRLD:
            case VMPTRST:
            case VMRESUME:
            case VMOFF:
            case VMON:
            case INVEPT:
            case INVVPID:
                return always(basic + " causes a VM exit unconditionally", RoutingDecision.SDM_UNCONDITIONAL);
            case EXTERNAL_INTERRUPT:
                return c.control(PinBasedControl.EXTERNAL_INTERRUPT_EXITING, RoutingDecision.SDM_OTHER);
            case INTERRUPT_WINDOW:
                return c.control(PrimaryProcessorBasedControl.INTERRUPT_WINDOW_EXITING, RoutingDecision.SDM_OTHER);
            case NMI_WINDOW:
                return c.control(PrimaryProcessorBasedControl.NMI_WINDOW_EXITING, RoutingDecision.SDM_OTHER);
            case MONITOR_TRAP_FLAG:
                return c.control(PrimaryProcessorBasedControl.MONITOR_TRAP_FLAG, RoutingDecision.SDM_OTHER);
            case PREEMPTION_TIMER:
                return c.control(PinBasedControl.ACTIVATE_VMX_PREEMPTION_TIMER, RoutingDecision.SDM_OTHER);
            case HLT:
                return c.control(PrimaryProcessorBasedControl.HLT_EXITING, RoutingDecision.SDM_CONDITIONAL);
            case INVLPG:
                return c.control(PrimaryProcessorBasedControl.INVLPG_EXITING, RoutingDecision.SDM_CONDITIONAL);
            case RDPMC:
                return c.control(PrimaryProcessorBasedControl.RDPMC_EXITING, RoutingDecision.SDM_CONDITIONAL);
            case RDTSC:
            case RDTSCP:
                return c.control(PrimaryProcessorBasedControl.RDTSC_EXITING, RoutingDecision.SDM_CONDITIONAL);
            case MWAIT_INSTRUCTION:
                return c.control(PrimaryProcessorBasedControl.MWAIT_EXITING, RoutingDecision.SDM_CONDITIONAL);
            case MONITOR_INSTRUCTION:
                return c.control(PrimaryProcessorBasedControl.MONITOR_EXITING, RoutingDecision.SDM_CONDITIONAL);
            case DR_ACCESS:
                return c.control(PrimaryProcessorBasedControl.MOV_DR_EXITING, RoutingDecision.SDM_CONDITIONAL);
            case PAUSE_INSTRUCTION:
                return pause(c);
            case WBINVD:
                return c.secondary(SecondaryProcessorBasedControl.WBINVD_EXITING);
            case RDRAND:
                return c.secondary(SecondaryProcessorBasedControl.RDRAND_EXITING);
            case RDSEED:
                return c.secondary(SecondaryProcessorBasedControl.RDSEED_EXITING);
            case GDTR_IDTR:
            case LDTR_TR:
                return c.secondary(SecondaryProcessorBasedControl.DESCRIPTOR_TABLE_EXITING);
            case IO_INSTRUCTION:
                return io(c);
            case CR_ACCESS:
                return cr(c);
            case VMREAD:
                return vmcsAccess(c, VmcsField.VMREAD_BITMAP);
            case VMWRITE:
                return vmcsAccess(c, VmcsField.VMWRITE_BITMAP);
            case ENCLS:
                return leafBitmap(c, SecondaryProcessorBasedControl.ENABLE_ENCLS_EXITING, VmcsField.ENCLS_EXITING_BITMAP,
                        "ENCLS");
            case ENCLV:
                return leafBitmap(c, SecondaryProcessorBasedControl.ENABLE_ENCLV_EXITING, VmcsField.ENCLV_EXITING_BITMAP,
                        "ENCLV");
            case PCONFIG:
                return leafBitmap(c, SecondaryProcessorBasedControl.ENABLE_PCONFIG, VmcsField.PCONFIG_EXITING_BITMAP,
                        "PCONFIG");
            case LOADIWKEY:
                return c.tertiary(TertiaryProcessorBasedControl.LOADIWKEY_EXITING);
            case TPR_BELOW_THRESHOLD:
                return c.control(PrimaryProcessorBasedControl.USE_TPR_SHADOW, RoutingDecision.SDM_OTHER);
            case APIC_ACCESS:
            case APIC_WRITE:
            case EOI_INDUCED:
                // Only L1's controls (virtualize APIC accesses, APIC-register virtualization,
                // virtual-interrupt delivery) can produce these in L2.
                return always(basic + " arises only from APIC-virtualization controls L1 set", RoutingDecision.SDM_OTHER);
            case MCE_DURING_VMENTRY:
            case INVALID_STATE:
            case MSR_LOAD_FAIL:
                return always(basic + " reports a failure of L1's VM entry", RoutingDecision.SDM_ENTRY_FAILURE);
            case INVPCID: {
                RoutingDecision enabled = c.secondary(SecondaryProcessorBasedControl.ENABLE_INVPCID);
                return enabled.route() == Route.L1_WANTS
                        ? c.control(PrimaryProcessorBasedControl.INVLPG_EXITING, RoutingDecision.SDM_CONDITIONAL)
                        : enabled;
            }
            case PML_FULL:
                return c.secondary(SecondaryProcessorBasedControl.ENABLE_PML);
            case BUS_LOCK:
                return c.secondary(SecondaryProcessorBasedControl.ENABLE_VMM_BUS_LOCK_DETECTION);
            case NOTIFY:
                return c.secondary(SecondaryProcessorBasedControl.ENABLE_INSTRUCTION_TIMEOUT_EXIT);
            case SPP_EVENT:
                return c.secondary(SecondaryProcessorBasedControl.SUB_PAGE_WRITE_PERMISSIONS_FOR_EPT);
            case EPT_VIOLATION:
            case EPT_MISCONFIG:
                // Reached only when L0 does not back L2 with its own EPT: then L1's EPT is the one in use.
                return c.secondary(SecondaryProcessorBasedControl.ENABLE_EPT);
            case XSAVES:
            case XRSTORS:
                return xsaves(c);
            case VMFUNC:
                return vmfunc(c);
            case RSM:
            case IO_SMI:
            case OTHER_SMI:
                return new RoutingDecision(Route.L0_WANTS, basic
                        + " concerns SMM / the SMM monitor, which belongs to L0", Optional.empty(),
                        RoutingDecision.SDM_OTHER);
            case UMWAIT:
            case TPAUSE:
                return c.secondary(SecondaryProcessorBasedControl.ENABLE_USER_WAIT_PAUSE);
            case MSR_READ:
            case MSR_WRITE:
                return msr(c, basic == BasicExitReason.MSR_WRITE);
            case EXCEPTION_NMI:
                return exception(c);
            default:
                // Exits whose L1 rule this version does not model yet stay with L0 and say so.
                return new RoutingDecision(Route.L0_WANTS, "routing of " + basic
                        + " to L1 is not modelled by this version; L0 keeps it", Optional.empty(),
                        RoutingDecision.NO_SDM);
        }
    }

    private static RoutingDecision always(String rule, String section) {
        return new RoutingDecision(Route.L1_WANTS, rule, Optional.empty(), section);
    }

    private static RoutingDecision pause(Context c) {
        RoutingDecision byPrimary = c.control(PrimaryProcessorBasedControl.PAUSE_EXITING, RoutingDecision.SDM_CONDITIONAL);
        if (byPrimary.route() == Route.L1_WANTS) {
            return byPrimary;
        }
        // PAUSE-loop exiting is L1's only when L1 enabled it; KVM 6.1 (nested_vmx_l1_wants_exit) does
        // the same: PAUSE_EXITING, or PAUSE_LOOP_EXITING in secondary controls.
        return c.secondary(SecondaryProcessorBasedControl.PAUSE_LOOP_EXITING);
    }

    private static RoutingDecision decided(boolean exits, String rule, Optional<ControlBit> control) {
        return new RoutingDecision(exits ? Route.L1_WANTS : Route.L0_WANTS, rule, control,
                RoutingDecision.SDM_CONDITIONAL);
    }

    private static RoutingDecision cr(Context c) {
        long q = c.exit.qualification();
        int cr = CrAccessQualification.crNumber(q);
        switch (CrAccessQualification.accessTypeNumber(q)) {
            case 0: // MOV to CR
                if (cr == 0 || cr == 4) {
                    VmcsField maskField = cr == 0 ? VmcsField.CR0_GUEST_HOST_MASK : VmcsField.CR4_GUEST_HOST_MASK;
                    VmcsField shadowField = cr == 0 ? VmcsField.CR0_READ_SHADOW : VmcsField.CR4_READ_SHADOW;
                    long value = c.operand("the value written to CR" + cr);
                    long mask = c.field(maskField);
                    long differs = mask & (value ^ c.field(shadowField));
                    return decided(differs != 0, String.format(
                            "MOV to CR%d of 0x%x: bits 0x%x owned by L1 (%s) differ from %s", cr, value, differs,
                            maskField, shadowField), Optional.empty());
                }
                if (cr == 3) {
                    return cr3Load(c);
                }
                return c.control(PrimaryProcessorBasedControl.CR8_LOAD_EXITING, RoutingDecision.SDM_CONDITIONAL);
            case 1: // MOV from CR
                return c.control(cr == 3 ? PrimaryProcessorBasedControl.CR3_STORE_EXITING
                        : PrimaryProcessorBasedControl.CR8_STORE_EXITING, RoutingDecision.SDM_CONDITIONAL);
            case 2: { // CLTS: exits if CR0.TS (bit 3) is set in both the mask and the read shadow
                boolean exits = (c.field(VmcsField.CR0_GUEST_HOST_MASK) & c.field(VmcsField.CR0_READ_SHADOW) & 8) != 0;
                return decided(exits, "CLTS: CR0.TS (bit 3) is " + (exits ? "" : "not ")
                        + "set in both CR0_GUEST_HOST_MASK and CR0_READ_SHADOW", Optional.empty());
            }
            default: { // LMSW: only bits 3:0; it can set but never clear PE (bit 0)
                long source = CrAccessQualification.lmswSourceData(q) & 0xF;
                long mask = c.field(VmcsField.CR0_GUEST_HOST_MASK);
                long shadow = c.field(VmcsField.CR0_READ_SHADOW);
                long bits31 = mask & 0xE & (source ^ shadow);
                boolean setsPe = (mask & 1) != 0 && (shadow & 1) == 0 && (source & 1) != 0;
                return decided(bits31 != 0 || setsPe, String.format(
                        "LMSW 0x%x: masked bits 3:1 differing from CR0_READ_SHADOW = 0x%x, sets a masked, shadow-clear PE = %b",
                        source, bits31, setsPe), Optional.empty());
            }
        }
    }

    private static RoutingDecision cr3Load(Context c) {
        if (!c.isSet(PrimaryProcessorBasedControl.CR3_LOAD_EXITING)) {
            return c.control(PrimaryProcessorBasedControl.CR3_LOAD_EXITING, RoutingDecision.SDM_CONDITIONAL);
        }
        long count = c.field(VmcsField.CR3_TARGET_COUNT);
        long value = c.operand("the value written to CR3");
        VmcsField[] targets = {VmcsField.CR3_TARGET_VALUE0, VmcsField.CR3_TARGET_VALUE1,
                VmcsField.CR3_TARGET_VALUE2, VmcsField.CR3_TARGET_VALUE3};
        for (int i = 0; i < Math.min(count, targets.length); i++) {
            if (c.field(targets[i]) == value) {
                return decided(false, String.format("MOV to CR3 of 0x%x equals %s (CR3-target count %d)", value,
                        targets[i], count), Optional.of(PrimaryProcessorBasedControl.CR3_LOAD_EXITING));
            }
        }
        return decided(true, String.format("CR3_LOAD_EXITING is 1 and 0x%x is none of the first %d CR3-target values",
                value, count), Optional.of(PrimaryProcessorBasedControl.CR3_LOAD_EXITING));
    }

    private static RoutingDecision vmcsAccess(Context c, VmcsField bitmap) {
        RoutingDecision shadowing = c.secondary(SecondaryProcessorBasedControl.VMCS_SHADOWING);
        if (shadowing.route() != Route.L1_WANTS) {
            return decided(true, c.exit.reason().basic() + " always exits without VMCS shadowing ("
                    + shadowing.rule() + ")", Optional.of(SecondaryProcessorBasedControl.VMCS_SHADOWING));
        }
        long encoding = c.operand("the VMCS-field encoding in the register the instruction information names");
        if ((encoding >>> 15) != 0) {
            return decided(true, String.format("field encoding 0x%x has bits above 14 set, so it always exits",
                    encoding), Optional.of(SecondaryProcessorBasedControl.VMCS_SHADOWING));
        }
        long base = c.field(bitmap);
        boolean set = c.bit(base, encoding, bitmap);
        return decided(set, String.format("VMCS_SHADOWING: %s bit 0x%x at 0x%x is %d", bitmap, encoding,
                base + (encoding >>> 3), set ? 1 : 0), Optional.of(SecondaryProcessorBasedControl.VMCS_SHADOWING));
    }

    /** ENCLS, ENCLV, PCONFIG: the EAX leaf selects a bit of a 64-bit bitmap; leaves above 62 use bit 63. */
    private static RoutingDecision leafBitmap(Context c, SecondaryProcessorBasedControl enable, VmcsField bitmap,
            String instruction) {
        RoutingDecision enabled = c.secondary(enable);
        if (enabled.route() != Route.L1_WANTS) {
            return enabled;
        }
        long leaf = c.operand("the " + instruction + " leaf in EAX") & 0xFFFF_FFFFL;
        int bit = (int) Math.min(leaf, 63);
        boolean set = ((c.field(bitmap) >>> bit) & 1) != 0;
        return decided(set, String.format("%s leaf %d: %s bit %d is %d", instruction, leaf, bitmap, bit, set ? 1 : 0),
                Optional.of(enable));
    }

    private static RoutingDecision xsaves(Context c) {
        RoutingDecision enabled = c.secondary(SecondaryProcessorBasedControl.ENABLE_XSAVES);
        if (enabled.route() != Route.L1_WANTS) {
            return enabled;
        }
        long xss = c.operand("the guest IA32_XSS value");
        long bitmap = c.field(VmcsField.XSS_EXIT_BITMAP);
        long both = xss & bitmap;
        return decided(both != 0, String.format("IA32_XSS 0x%x & XSS_EXIT_BITMAP 0x%x = 0x%x", xss, bitmap, both),
                Optional.of(SecondaryProcessorBasedControl.ENABLE_XSAVES));
    }

    private static RoutingDecision vmfunc(Context c) {
        RoutingDecision enabled = c.secondary(SecondaryProcessorBasedControl.ENABLE_VM_FUNCTIONS);
        if (enabled.route() != Route.L1_WANTS) {
            // With the control 0 VMFUNC is #UD, not an exit; nothing for L1.
            return enabled;
        }
        long function = c.operand("the VM function number in EAX") & 0xFFFF_FFFFL;
        boolean allowed = function < 64 && ((c.field(VmcsField.VM_FUNCTION_CONTROL) >>> function) & 1) != 0;
        // An enabled function that fails (e.g. an invalid EPTP-list entry) also exits; that needs L1's
        // EPTP list and is not modelled: an enabled function is reported as L0's to perform.
        return decided(!allowed, String.format("VM function %d is %s in VM_FUNCTION_CONTROL", function,
                allowed ? "enabled (L0 performs it; failures of it are not modelled)" : "not enabled"),
                Optional.of(SecondaryProcessorBasedControl.ENABLE_VM_FUNCTIONS));
    }

    private static RoutingDecision io(Context c) {
        if (!c.isSet(PrimaryProcessorBasedControl.USE_IO_BITMAPS)) {
            return c.control(PrimaryProcessorBasedControl.UNCONDITIONAL_IO_EXITING, RoutingDecision.SDM_CONDITIONAL);
        }
        long qualification = c.exit.qualification();
        int port = IoInstructionQualification.port(qualification);
        int size = IoInstructionQualification.sizeBytes(qualification);
        // Each byte of the access is checked; a port past 0xFFFF wraps, which the SDM says causes an
        // exit ("if any bit in the I/O bitmaps corresponding to a port it accesses is 1, ... or if
        // the access wraps around").
        for (int i = 0; i < size; i++) {
            int p = port + i;
            if (p > 0xFFFF) {
                return new RoutingDecision(Route.L1_WANTS, String.format(
                        "USE_IO_BITMAPS: access of %d bytes at port 0x%04x wraps past 0xFFFF", size, port),
                        Optional.of(PrimaryProcessorBasedControl.USE_IO_BITMAPS), RoutingDecision.SDM_CONDITIONAL);
            }
            VmcsField bitmap = p < 0x8000 ? VmcsField.IO_BITMAP_A : VmcsField.IO_BITMAP_B;
            long base = c.field(bitmap);
            int bit = p & 0x7FFF;
            if (c.bit(base, bit, bitmap)) {
                return new RoutingDecision(Route.L1_WANTS, String.format(
                        "USE_IO_BITMAPS: %s bit %d (port 0x%04x) at 0x%x is 1", bitmap, bit, p, base + (bit >>> 3)),
                        Optional.of(PrimaryProcessorBasedControl.USE_IO_BITMAPS), RoutingDecision.SDM_CONDITIONAL);
            }
        }
        return new RoutingDecision(Route.L0_WANTS, String.format(
                "USE_IO_BITMAPS: bits for ports 0x%04x..0x%04x are 0 in L1's I/O bitmaps", port, port + size - 1),
                Optional.of(PrimaryProcessorBasedControl.USE_IO_BITMAPS), RoutingDecision.SDM_CONDITIONAL);
    }

    private static RoutingDecision msr(Context c, boolean write) {
        if (!c.isSet(PrimaryProcessorBasedControl.USE_MSR_BITMAPS)) {
            return new RoutingDecision(Route.L1_WANTS, "USE_MSR_BITMAPS is 0, so every "
                    + (write ? "WRMSR" : "RDMSR") + " exits", Optional.of(PrimaryProcessorBasedControl.USE_MSR_BITMAPS),
                    RoutingDecision.SDM_CONDITIONAL);
        }
        long rcx = c.exit.guestRcx().orElseThrow(() -> new IllegalArgumentException(
                "guest RCX (MSR index) is needed to route " + c.exit.reason() + " with USE_MSR_BITMAPS"));
        long msr = rcx & 0xFFFF_FFFFL;
        long offset;
        String quarter;
        if (msr <= 0x1FFF) {
            offset = write ? 2048 : 0;
            quarter = write ? "write bitmap for low MSRs" : "read bitmap for low MSRs";
        } else if (msr >= 0xC000_0000L && msr <= 0xC000_1FFFL) {
            offset = write ? 3072 : 1024;
            quarter = write ? "write bitmap for high MSRs" : "read bitmap for high MSRs";
        } else {
            return new RoutingDecision(Route.L1_WANTS, String.format(
                    "MSR 0x%x is outside 0..0x1FFF and 0xC0000000..0xC0001FFF, so it always exits", msr),
                    Optional.of(PrimaryProcessorBasedControl.USE_MSR_BITMAPS), RoutingDecision.SDM_CONDITIONAL);
        }
        long base = c.field(VmcsField.MSR_BITMAP);
        int bit = (int) (msr & 0x1FFF);
        boolean set = c.bit(base + offset, bit, VmcsField.MSR_BITMAP);
        return new RoutingDecision(set ? Route.L1_WANTS : Route.L0_WANTS, String.format(
                "USE_MSR_BITMAPS: %s (MSR_BITMAP+%d) bit %d for MSR 0x%x at 0x%x is %d", quarter, offset, bit, msr,
                base + offset + (bit >>> 3), set ? 1 : 0),
                Optional.of(PrimaryProcessorBasedControl.USE_MSR_BITMAPS), RoutingDecision.SDM_CONDITIONAL);
    }

    private static RoutingDecision exception(Context c) {
        int info = c.exit.interruptionInfo();
        int vector = InterruptionInfo.vector(info);
        String name = ExceptionVector.fromVector(vector).map(Enum::name).orElse("vector " + vector);
        if (vector == 2) {
            // NMIs are governed by the NMI-exiting pin-based control, not the exception bitmap.
            return c.control(PinBasedControl.NMI_EXITING, RoutingDecision.SDM_OTHER);
        }
        long bitmap = c.field(VmcsField.EXCEPTION_BITMAP);
        boolean bitSet = ((bitmap >>> vector) & 1) != 0;
        if (vector == 14) {
            long mask = c.field(VmcsField.PAGE_FAULT_ERROR_CODE_MASK);
            long match = c.field(VmcsField.PAGE_FAULT_ERROR_CODE_MATCH);
            boolean matches = (c.exit.interruptionErrorCode() & mask) == match;
            // SDM: if (PFEC & MASK) == MATCH, bit 14 of the exception bitmap decides; otherwise its
            // inverse decides.
            boolean exits = matches == bitSet;
            return new RoutingDecision(exits ? Route.L1_WANTS : Route.L0_WANTS, String.format(
                    "#PF error code 0x%x & mask 0x%x %s match 0x%x, exception bitmap bit 14 is %d",
                    c.exit.interruptionErrorCode(), mask, matches ? "==" : "!=", match, bitSet ? 1 : 0),
                    Optional.empty(), RoutingDecision.SDM_OTHER);
        }
        return new RoutingDecision(bitSet ? Route.L1_WANTS : Route.L0_WANTS, String.format(
                "exception bitmap bit %d (%s) is %d", vector, name, bitSet ? 1 : 0), Optional.empty(),
                RoutingDecision.SDM_OTHER);
    }

    /** The inputs of one decision, with reads that name the field and the exit on failure. */
    private static final class Context {
        final NestedExit exit;
        final Vmcs vmcs;
        final GuestMemory memory;

        Context(NestedExit exit, Vmcs vmcs, GuestMemory memory) {
            this.exit = exit;
            this.vmcs = vmcs;
            this.memory = memory;
        }

        long field(VmcsField field) {
            return vmcs.find(field).orElseThrow(() -> new IllegalArgumentException(
                    "VMCS field " + field + " is needed to route " + exit.reason() + " but is missing"));
        }

        boolean bit(long base, long bit, VmcsField bitmap) {
            try {
                return memory.bit(base, bit);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bitmap " + bitmap + " bit " + bit + " is needed to route "
                        + exit.reason() + ": " + e.getMessage(), e);
            }
        }

        long operand(String what) {
            return exit.operand().orElseThrow(() -> new IllegalArgumentException(
                    what + " is needed to route " + exit.reason() + " but the exit has no operand"));
        }

        boolean isSet(ControlBit control) {
            VmcsField field = fieldOf(control);
            return (field(field) & control.mask()) != 0;
        }

        RoutingDecision control(ControlBit control, String section) {
            boolean set = isSet(control);
            return new RoutingDecision(set ? Route.L1_WANTS : Route.L0_WANTS,
                    control + " is " + (set ? 1 : 0) + " in L1's " + fieldOf(control), Optional.of(control), section);
        }

        RoutingDecision secondary(SecondaryProcessorBasedControl control) {
            if (!isSet(PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS)) {
                return new RoutingDecision(Route.L0_WANTS, "ACTIVATE_SECONDARY_CONTROLS is 0, so " + control
                        + " is treated as 0", Optional.of(PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS),
                        RoutingDecision.SDM_CONDITIONAL);
            }
            return control(control, RoutingDecision.SDM_CONDITIONAL);
        }

        RoutingDecision tertiary(TertiaryProcessorBasedControl control) {
            if (!isSet(PrimaryProcessorBasedControl.ACTIVATE_TERTIARY_CONTROLS)) {
                return new RoutingDecision(Route.L0_WANTS, "ACTIVATE_TERTIARY_CONTROLS is 0, so " + control
                        + " is treated as 0", Optional.of(PrimaryProcessorBasedControl.ACTIVATE_TERTIARY_CONTROLS),
                        RoutingDecision.SDM_CONDITIONAL);
            }
            return control(control, RoutingDecision.SDM_CONDITIONAL);
        }

        private static VmcsField fieldOf(ControlBit control) {
            switch (control.field()) {
                case PIN_BASED:
                    return VmcsField.PIN_BASED_VM_EXEC_CONTROL;
                case PRIMARY_PROCESSOR_BASED:
                    return VmcsField.CPU_BASED_VM_EXEC_CONTROL;
                case SECONDARY_PROCESSOR_BASED:
                    return VmcsField.SECONDARY_VM_EXEC_CONTROL;
                case TERTIARY_PROCESSOR_BASED:
                    return VmcsField.TERTIARY_VM_EXEC_CONTROL;
                default:
                    throw new IllegalArgumentException("not an execution control: " + control);
            }
        }
    }
}
