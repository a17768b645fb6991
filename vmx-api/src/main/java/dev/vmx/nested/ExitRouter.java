package dev.vmx.nested;

import dev.vmx.cap.ControlBit;
import dev.vmx.cap.PinBasedControl;
import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.cap.SecondaryProcessorBasedControl;
import dev.vmx.cap.TertiaryProcessorBasedControl;
import dev.vmx.event.ExceptionVector;
import dev.vmx.event.GeneralRegister;
import dev.vmx.event.InterruptionInfo;
import dev.vmx.event.InterruptionType;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.qual.CrAccessQualification;
import dev.vmx.qual.IoInstructionQualification;
import dev.vmx.vmcs.Vmcs;
import dev.vmx.vmcs.VmcsField;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Decides where an exit of a nested (L2) guest goes, in the three steps of KVM's
 * {@code nested_vmx_reflect_vmexit()}: a failed VM entry is {@link Route#VM_FAIL}; an exit L0's
 * own policy takes is {@link Route#L0_WANTS}; otherwise the exit is {@link Route#L1_WANTS} exactly
 * when L1's VMCS for L2 (vmcs12) would have caused it on real hardware, by the rules of SDM Vol. 3C
 * 25.1 and 25.2, and L0 handles it otherwise.
 *
 * <p>Decisions are pure functions of their inputs. A decision that needs a vmcs12 field, a guest
 * register or a byte of L1's memory that the inputs do not hold throws an
 * {@link IllegalArgumentException} naming the exit and what is missing; every basic exit reason,
 * recognized or not, gets a decision.
 *
 * <p>Where this differs from KVM 6.1's {@code nested_vmx_l1_wants_exit()}, the SDM rule is
 * followed (the table test {@code kvm-6.1-reflect-vmexit.txt} lists the cases):
 * <ul>
 * <li>#PF applies L1's error-code mask and match; KVM reflects every #PF that reaches the check,
 *     having put L1's mask/match into the hardware VMCS.
 * <li>MOV to CR3 honours L1's CR3-target values; KVM offers L1 no CR3-target values.
 * <li>RDTSCP needs "enable RDTSCP" and UMWAIT/TPAUSE need "RDTSC exiting" as well as their own
 *     control (KVM checks one control each); XSAVES/XRSTORS consult the XSS-exiting bitmap (KVM
 *     only the control, as its IA32_XSS is 0); ENCLS ignores L1's CPUID (KVM needs SGX in it).
 * <li>APIC access/write and EOI-induced exits need their controls in L1's VMCS; KVM reflects them
 *     unconditionally, since only L1 can have enabled them.
 * <li>SMIs and RSM stay with L0 (SMM's dual-monitor treatment, not L1); NOTIFY follows L1's
 *     control (KVM never exposes it); SPP, LOADIWKEY, ENCLV, PCONFIG, ENQCMD(S) PASID failures and
 *     RDMSRLIST/WRMSRLIST follow their controls where KVM 6.1 reflects by default.
 * <li>VMFUNC applies the VM-function controls and the EPTP list; PAUSE-loop exiting is L0's at
 *     CPL above 0 when the exit gives the CPL (both KVM decides by control alone).
 * </ul>
 * URDMSR/UWRMSR (80/81) have no rule in the SDM editions consulted; they follow Bochs, which
 * checks them against the MSR bitmaps as RDMSR/WRMSR, and the decision text says so. The immediate
 * forms (84/85) use the MSR bitmaps with the index from the exit qualification, as KVM does.
 * Not modelled: the PLE_Gap/PLE_Window timing of PAUSE-loop exiting, the MSR bitmaps for each
 * MSR of RDMSRLIST/WRMSRLIST, and whether L1's CPUID exposes a feature. With
 * {@link L0Intercepts#kvm()} the reasons KVM always keeps (EPT, preemption timer, PML, VMFUNC,
 * bus lock, NMIs, external interrupts) are L0's before these rules run, as in KVM.
 */
public final class ExitRouter {
    private static final long MSR_LOW_END = 0x1FFFL;
    private static final long MSR_HIGH_BASE = 0xC000_0000L;
    private static final long MSR_HIGH_END = 0xC000_1FFFL;
    /** URDMSR/UWRMSR take #GP(0) above this index before any VM exit (Bochs bochs/cpu/msr.cc). */
    private static final long USER_MSR_MAX_INDEX = 0x3FFFL;

    private final NestedExit exit;
    private final Vmcs vmcs12;
    private final GuestMemory memory;

    private ExitRouter(NestedExit exit, Vmcs vmcs12, GuestMemory memory) {
        this.exit = exit;
        this.vmcs12 = vmcs12;
        this.memory = memory;
    }

    /**
     * Routes one exit.
     *
     * @param exit the exit as L0 saw it
     * @param vmcs12 L1's VMCS for L2
     * @param l1Memory L1's memory, for the bitmaps and EPT tables vmcs12 points to
     * @param l0 what L0 handles itself
     * @return the decision
     * @throws IllegalArgumentException naming the exit and the missing field, register or memory
     *         when the inputs lack what the decision needs
     */
    public static RoutingDecision route(NestedExit exit, Vmcs vmcs12, GuestMemory l1Memory, L0Intercepts l0) {
        Objects.requireNonNull(exit, "exit");
        Objects.requireNonNull(vmcs12, "vmcs12");
        Objects.requireNonNull(l1Memory, "l1Memory");
        Objects.requireNonNull(l0, "l0");
        if (exit.vmInstructionError().isPresent()) {
            return RoutingDecision.of(Route.VM_FAIL, SdmSection.VM_INSTRUCTION_ERRORS,
                    "the VM entry to L2 failed with VMfailValid (" + exit.vmInstructionError().get()
                            + "): L1's VMLAUNCH/VMRESUME fails with this error");
        }
        Optional<RoutingDecision> l0Decision = l0Wants(exit, l0);
        if (l0Decision.isPresent()) {
            return l0Decision.get();
        }
        return new ExitRouter(exit, vmcs12, l1Memory).l1Rule();
    }

    /**
     * Whether L1 asked for the exit, ignoring L0's policy (the "L1 wants" step alone).
     *
     * @param exit the exit
     * @param vmcs12 L1's VMCS for L2
     * @param l1Memory L1's memory
     * @return L1_WANTS, or L0_WANTS when L1's controls would not have caused the exit
     */
    public static RoutingDecision l1Rule(NestedExit exit, Vmcs vmcs12, GuestMemory l1Memory) {
        return route(exit, vmcs12, l1Memory, L0Intercepts.none());
    }

    private static Optional<RoutingDecision> l0Wants(NestedExit exit, L0Intercepts l0) {
        BasicExitReason basic = exit.reason().basic();
        if (basic == BasicExitReason.EXCEPTION_NMI) {
            InterruptionInfo info = InterruptionInfo.of(exit.interruptionInfo());
            if (info.type() == InterruptionType.NMI) {
                return l0.nmis() ? Optional.of(RoutingDecision.of(Route.L0_WANTS, null, "L0 handles NMIs itself"))
                        : Optional.empty();
            }
            Optional<ExceptionVector> vector = ExceptionVector.fromVector(info.vector());
            if (vector.isPresent() && l0.exceptions().contains(vector.get())) {
                return Optional.of(RoutingDecision.of(Route.L0_WANTS, null,
                        "L0 intercepts " + vector.get().mnemonic() + " itself"));
            }
            return Optional.empty();
        }
        if (l0.reasons().contains(basic)) {
            return Optional.of(RoutingDecision.of(Route.L0_WANTS, null, "L0 handles " + basic + " itself"));
        }
        return Optional.empty();
    }

    // ---- the "L1 wants" rules ----

    private RoutingDecision l1Rule() {
        BasicExitReason basic = exit.reason().basic();
        // a switch expression without default: a basic reason added without a rule does not compile
        return switch (basic) {
            case EXCEPTION_NMI -> exceptionOrNmi();
            case EXTERNAL_INTERRUPT -> byControl(PinBasedControl.EXTERNAL_INTERRUPT_EXITING,
                        pin(PinBasedControl.EXTERNAL_INTERRUPT_EXITING), SdmSection.OTHER_CAUSES, "an external interrupt arrived");
            case TRIPLE_FAULT, INIT_SIGNAL, SIPI_SIGNAL, TASK_SWITCH -> always(SdmSection.OTHER_CAUSES,
                        basic + " causes a VM exit in VMX non-root operation whatever the controls");
            case IO_SMI, OTHER_SMI, RSM -> RoutingDecision.of(Route.L0_WANTS, SdmSection.OTHER_CAUSES, basic
                        + " exits only under the dual-monitor treatment of SMM, which belongs to the SMM-transfer monitor, not to L1");
            case INTERRUPT_WINDOW -> primaryControl(PrimaryProcessorBasedControl.INTERRUPT_WINDOW_EXITING, SdmSection.OTHER_CAUSES,
                        "the guest became able to take an interrupt");
            case NMI_WINDOW -> primaryControl(PrimaryProcessorBasedControl.NMI_WINDOW_EXITING, SdmSection.OTHER_CAUSES,
                        "the guest became able to take an NMI");
            case CPUID, GETSEC, INVD, XSETBV, VMCALL, VMCLEAR, VMLAUNCH, VMPTRLD, VMPTRST, VMRESUME, VMOFF, VMON, INVEPT, INVVPID ->
                    always(SdmSection.UNCONDITIONAL_INSTRUCTIONS, basic + " causes a VM exit unconditionally");
            case SEAMCALL, TDCALL -> always(SdmSection.BASIC_EXIT_REASONS,
                        basic + " causes a VM exit unconditionally in VMX non-root operation");
            case HLT -> primaryControl(PrimaryProcessorBasedControl.HLT_EXITING, SdmSection.CONDITIONAL_INSTRUCTIONS, "HLT");
            case INVLPG -> primaryControl(PrimaryProcessorBasedControl.INVLPG_EXITING, SdmSection.CONDITIONAL_INSTRUCTIONS, "INVLPG");
            case RDPMC -> primaryControl(PrimaryProcessorBasedControl.RDPMC_EXITING, SdmSection.CONDITIONAL_INSTRUCTIONS, "RDPMC");
            case RDTSC -> primaryControl(PrimaryProcessorBasedControl.RDTSC_EXITING, SdmSection.CONDITIONAL_INSTRUCTIONS, "RDTSC");
            case RDTSCP -> bothControls(primary(PrimaryProcessorBasedControl.RDTSC_EXITING), PrimaryProcessorBasedControl.RDTSC_EXITING,
                        secondary(SecondaryProcessorBasedControl.ENABLE_RDTSCP), SecondaryProcessorBasedControl.ENABLE_RDTSCP, "RDTSCP");
            case UMWAIT, TPAUSE -> bothControls(primary(PrimaryProcessorBasedControl.RDTSC_EXITING), PrimaryProcessorBasedControl.RDTSC_EXITING,
                        secondary(SecondaryProcessorBasedControl.ENABLE_USER_WAIT_PAUSE),
                        SecondaryProcessorBasedControl.ENABLE_USER_WAIT_PAUSE, basic.toString());
            case VMREAD -> vmcsAccess(VmcsField.VMREAD_BITMAP, "VMREAD bitmap");
            case VMWRITE -> vmcsAccess(VmcsField.VMWRITE_BITMAP, "VMWRITE bitmap");
            case CR_ACCESS -> crAccess();
            case DR_ACCESS -> primaryControl(PrimaryProcessorBasedControl.MOV_DR_EXITING, SdmSection.CONDITIONAL_INSTRUCTIONS, "MOV DR");
            case IO_INSTRUCTION -> io();
            case MSR_READ -> msr("RDMSR", register(GeneralRegister.RCX, "the MSR index of RDMSR") & 0xFFFF_FFFFL, false, "");
            case MSR_WRITE -> msr("WRMSR", register(GeneralRegister.RCX, "the MSR index of WRMSR") & 0xFFFF_FFFFL, true, "");
            // the immediate forms carry the MSR index in the exit qualification, and KVM's
            // nested_vmx_exit_handled_msr() (Linux 6.18, commit 885df2d2109a) consults the same bitmaps with it
            case MSR_READ_IMM -> msr("RDMSR (immediate form)", exit.qualification() & 0xFFFF_FFFFL, false, "");
            case MSR_WRITE_IMM -> msr("WRMSRNS (immediate form)", exit.qualification() & 0xFFFF_FFFFL, true, "");
            case URDMSR, UWRMSR -> userMsr(basic == BasicExitReason.UWRMSR);
            case RDMSRLIST, WRMSRLIST -> msrList(basic);
            case INVALID_STATE, MSR_LOAD_FAIL -> always(SdmSection.ENTRY_FAILURES, "the VM entry to L2 failed (" + exit.reason()
                        + "): L1's VMLAUNCH/VMRESUME would have ended in the same VM exit");
            case MCE_DURING_VMENTRY -> always(SdmSection.MACHINE_CHECK_DURING_ENTRY, "a machine check interrupted the VM entry to L2");
            case MWAIT_INSTRUCTION -> primaryControl(PrimaryProcessorBasedControl.MWAIT_EXITING, SdmSection.CONDITIONAL_INSTRUCTIONS, "MWAIT");
            case MONITOR_INSTRUCTION -> primaryControl(PrimaryProcessorBasedControl.MONITOR_EXITING, SdmSection.CONDITIONAL_INSTRUCTIONS, "MONITOR");
            case MONITOR_TRAP_FLAG -> monitorTrapFlag();
            case PAUSE_INSTRUCTION -> pause();
            case TPR_BELOW_THRESHOLD -> primaryControl(PrimaryProcessorBasedControl.USE_TPR_SHADOW, SdmSection.APIC_VIRTUALIZATION,
                        "the virtual TPR dropped below the TPR threshold");
            case APIC_ACCESS -> secondaryControl(SecondaryProcessorBasedControl.VIRTUALIZE_APIC_ACCESSES, SdmSection.APIC_VIRTUALIZATION,
                        "an access to the APIC-access page");
            case APIC_WRITE -> apicWrite();
            case EOI_INDUCED -> eoiInduced();
            case GDTR_IDTR, LDTR_TR -> secondaryControl(SecondaryProcessorBasedControl.DESCRIPTOR_TABLE_EXITING,
                        SdmSection.CONDITIONAL_INSTRUCTIONS, "a descriptor-table instruction");
            case EPT_VIOLATION, EPT_MISCONFIG -> ept(basic == BasicExitReason.EPT_MISCONFIG);
            case PREEMPTION_TIMER -> byControl(PinBasedControl.ACTIVATE_VMX_PREEMPTION_TIMER,
                        pin(PinBasedControl.ACTIVATE_VMX_PREEMPTION_TIMER), SdmSection.PREEMPTION_TIMER, "the VMX-preemption timer expired");
            case WBINVD -> secondaryControl(SecondaryProcessorBasedControl.WBINVD_EXITING, SdmSection.CONDITIONAL_INSTRUCTIONS, "WBINVD");
            case RDRAND -> secondaryControl(SecondaryProcessorBasedControl.RDRAND_EXITING, SdmSection.CONDITIONAL_INSTRUCTIONS, "RDRAND");
            case RDSEED -> secondaryControl(SecondaryProcessorBasedControl.RDSEED_EXITING, SdmSection.CONDITIONAL_INSTRUCTIONS, "RDSEED");
            case INVPCID -> bothControls(secondary(SecondaryProcessorBasedControl.ENABLE_INVPCID), SecondaryProcessorBasedControl.ENABLE_INVPCID,
                        primary(PrimaryProcessorBasedControl.INVLPG_EXITING), PrimaryProcessorBasedControl.INVLPG_EXITING, "INVPCID");
            case VMFUNC -> vmfunc();
            case ENCLS -> leafBitmap(SecondaryProcessorBasedControl.ENABLE_ENCLS_EXITING, VmcsField.ENCLS_EXITING_BITMAP,
                        SdmSection.ENCLS_EXITING_BITMAP, "ENCLS");
            case ENCLV -> leafBitmap(SecondaryProcessorBasedControl.ENABLE_ENCLV_EXITING, VmcsField.ENCLV_EXITING_BITMAP,
                        SdmSection.CONDITIONAL_INSTRUCTIONS, "ENCLV");
            case PCONFIG -> leafBitmap(SecondaryProcessorBasedControl.ENABLE_PCONFIG, VmcsField.PCONFIG_EXITING_BITMAP,
                        SdmSection.CONDITIONAL_INSTRUCTIONS, "PCONFIG");
            case PML_FULL -> secondaryControl(SecondaryProcessorBasedControl.ENABLE_PML, SdmSection.EPT,
                        "the page-modification log is full");
            case XSAVES, XRSTORS -> xsaves(basic);
            case SPP_EVENT -> secondaryControl(SecondaryProcessorBasedControl.SUB_PAGE_WRITE_PERMISSIONS_FOR_EPT, SdmSection.EPT,
                        "a sub-page write-permission event");
            case LOADIWKEY -> tertiaryControl(TertiaryProcessorBasedControl.LOADIWKEY_EXITING, SdmSection.CONDITIONAL_INSTRUCTIONS, "LOADIWKEY");
            case ENQCMD_PASID_FAIL, ENQCMDS_PASID_FAIL -> secondaryControl(SecondaryProcessorBasedControl.ENABLE_PASID_TRANSLATION,
                        SdmSection.BASIC_EXIT_REASONS, "a failed PASID translation of " + basic);
            case BUS_LOCK -> secondaryControl(SecondaryProcessorBasedControl.ENABLE_VMM_BUS_LOCK_DETECTION, SdmSection.OTHER_CAUSES,
                        "a bus lock");
            case NOTIFY -> secondaryControl(SecondaryProcessorBasedControl.ENABLE_INSTRUCTION_TIMEOUT_EXIT, SdmSection.OTHER_CAUSES,
                        "an instruction timeout");
            case UNRECOGNIZED -> RoutingDecision.of(Route.L0_WANTS, SdmSection.BASIC_EXIT_REASONS, "basic exit reason "
                        + exit.reason().basicNumber() + " is not defined by the SDM: no rule of L1's controls can cause it");
        };
    }

    private RoutingDecision exceptionOrNmi() {
        InterruptionInfo info = InterruptionInfo.of(exit.interruptionInfo());
        if (!info.isValid()) {
            throw missing("a valid VM-exit interruption information (got 0x" + Integer.toHexString(exit.interruptionInfo()) + ")");
        }
        if (info.type() == InterruptionType.NMI) {
            return byControl(PinBasedControl.NMI_EXITING, pin(PinBasedControl.NMI_EXITING), SdmSection.OTHER_CAUSES, "an NMI arrived");
        }
        if (info.type() != InterruptionType.HARDWARE_EXCEPTION && info.type() != InterruptionType.SOFTWARE_EXCEPTION
                && info.type() != InterruptionType.PRIVILEGED_SOFTWARE_EXCEPTION) {
            // INT n (type 4) never consults the exception bitmap; types 0, 1 and 7 are not exceptions
            throw new IllegalArgumentException("routing " + exit + ": VM-exit interruption information 0x"
                    + Integer.toHexString(exit.interruptionInfo()) + " has type " + info.type()
                    + ", which an EXCEPTION_NMI exit never reports (only NMI, hardware, privileged software and software exceptions)");
        }
        int vector = info.vector();
        String name = ExceptionVector.fromVector(vector).map(ExceptionVector::mnemonic).orElse("vector " + vector);
        long bitmap = field(VmcsField.EXCEPTION_BITMAP);
        boolean bit = vector < 32 && ((bitmap >>> vector) & 1) != 0;
        if (vector != 14) {
            return bit ? RoutingDecision.of(Route.L1_WANTS, SdmSection.EXCEPTION_BITMAP,
                            String.format(Locale.ROOT, "bit %d (%s) of L1's exception bitmap 0x%x is 1", vector, name, bitmap))
                    : RoutingDecision.of(Route.L0_WANTS, SdmSection.EXCEPTION_BITMAP,
                            String.format(Locale.ROOT, "bit %d (%s) of L1's exception bitmap 0x%x is 0: L1 lets L2 handle it", vector,
                                    name, bitmap));
        }
        int errorCode = exit.interruptionErrorCode().orElseThrow(() -> missing("the page-fault error code"));
        long mask = field(VmcsField.PAGE_FAULT_ERROR_CODE_MASK);
        long match = field(VmcsField.PAGE_FAULT_ERROR_CODE_MATCH);
        boolean matches = (errorCode & mask) == match;
        String detail = String.format(Locale.ROOT, "bit 14 (#PF) of L1's exception bitmap is %d and error code 0x%x & mask 0x%x %s match 0x%x",
                bit ? 1 : 0, errorCode, mask, matches ? "==" : "!=", match);
        // SDM 25.2: with bit 14 set a #PF exits when the masked error code equals match; clear, when it differs
        return bit == matches ? RoutingDecision.of(Route.L1_WANTS, SdmSection.OTHER_CAUSES, detail)
                : RoutingDecision.of(Route.L0_WANTS, SdmSection.OTHER_CAUSES, detail + ": L1 lets L2 handle it");
    }

    private RoutingDecision crAccess() {
        CrAccessQualification q = CrAccessQualification.of(exit.qualification());
        int cr = q.crNumber();
        if (q.isClts()) {
            long mask = field(VmcsField.CR0_GUEST_HOST_MASK);
            long shadow = field(VmcsField.CR0_READ_SHADOW);
            boolean exits = (mask & 8) != 0 && (shadow & 8) != 0;
            return RoutingDecision.of(exits ? Route.L1_WANTS : Route.L0_WANTS, SdmSection.CONDITIONAL_INSTRUCTIONS,
                    String.format(Locale.ROOT, "CLTS: bit 3 (TS) is %d in L1's CR0 guest/host mask and %d in its CR0 read shadow%s",
                            (mask >>> 3) & 1, (shadow >>> 3) & 1, exits ? "" : " (an exit needs both)"));
        }
        if (q.isLmsw()) {
            return lmsw(q.lmswSourceData());
        }
        if (q.isMovFromCr()) {
            switch (cr) {
                case 3:
                    return primaryControl(PrimaryProcessorBasedControl.CR3_STORE_EXITING, SdmSection.CONDITIONAL_INSTRUCTIONS, "MOV from CR3");
                case 8:
                    return primaryControl(PrimaryProcessorBasedControl.CR8_STORE_EXITING, SdmSection.CONDITIONAL_INSTRUCTIONS, "MOV from CR8");
                default:
                    return RoutingDecision.of(Route.L0_WANTS, SdmSection.CONDITIONAL_INSTRUCTIONS,
                            "MOV from CR" + cr + " never causes a VM exit, so none of L1's controls asked for it");
            }
        }
        GeneralRegister source = q.register();
        switch (cr) {
            case 0:
            case 4: {
                long value = register(source, "the source operand of MOV to CR" + cr);
                long mask = field(cr == 0 ? VmcsField.CR0_GUEST_HOST_MASK : VmcsField.CR4_GUEST_HOST_MASK);
                long shadow = field(cr == 0 ? VmcsField.CR0_READ_SHADOW : VmcsField.CR4_READ_SHADOW);
                long differing = mask & (value ^ shadow);
                return RoutingDecision.of(differing != 0 ? Route.L1_WANTS : Route.L0_WANTS, SdmSection.CR_MASKS, String.format(Locale.ROOT,
                        "MOV to CR%d of 0x%x: %s", cr, value, differing != 0
                                ? String.format(Locale.ROOT, "bits 0x%x are set in L1's CR%d guest/host mask 0x%x and differ from its read shadow 0x%x",
                                        differing, cr, mask, shadow)
                                : String.format(Locale.ROOT, "every bit set in L1's CR%d guest/host mask 0x%x matches its read shadow 0x%x",
                                        cr, mask, shadow)));
            }
            case 3: {
                if (!primary(PrimaryProcessorBasedControl.CR3_LOAD_EXITING)) {
                    return byControl(PrimaryProcessorBasedControl.CR3_LOAD_EXITING, false, SdmSection.CR3_TARGETS, "MOV to CR3");
                }
                long value = register(source, "the source operand of MOV to CR3");
                long count = field(VmcsField.CR3_TARGET_COUNT);
                VmcsField[] targets = {VmcsField.CR3_TARGET_VALUE0, VmcsField.CR3_TARGET_VALUE1, VmcsField.CR3_TARGET_VALUE2,
                    VmcsField.CR3_TARGET_VALUE3};
                for (int i = 0; i < Math.min(count, targets.length); i++) {
                    if (field(targets[i]) == value) {
                        // KVM 6.1 does not consult the targets (it never offers L1 a CR3-target count above 0)
                        return RoutingDecision.of(Route.L0_WANTS, SdmSection.CR3_TARGETS, String.format(Locale.ROOT,
                                "MOV to CR3 of 0x%x: CR3-load exiting is 1 but the value equals CR3-target value %d of %d", value, i, count));
                    }
                }
                return RoutingDecision.control(Route.L1_WANTS, SdmSection.CR3_TARGETS, PrimaryProcessorBasedControl.CR3_LOAD_EXITING,
                        String.format(Locale.ROOT, "MOV to CR3 of 0x%x: CR3_LOAD_EXITING is 1 and the value is none of L1's %d CR3-target values",
                                value, count));
            }
            case 8:
                return primaryControl(PrimaryProcessorBasedControl.CR8_LOAD_EXITING, SdmSection.CONDITIONAL_INSTRUCTIONS, "MOV to CR8");
            default:
                return RoutingDecision.of(Route.L0_WANTS, SdmSection.CONDITIONAL_INSTRUCTIONS,
                        "MOV to CR" + cr + " is not a register VMX intercepts, so none of L1's controls asked for it");
        }
    }

    /** SDM 25.1.3 "LMSW": the PE rule (LMSW never clears PE) and the rule for bits 3:1. */
    private RoutingDecision lmsw(int source) {
        long mask = field(VmcsField.CR0_GUEST_HOST_MASK);
        long shadow = field(VmcsField.CR0_READ_SHADOW);
        if ((mask & 1) != 0 && (source & 1) != 0 && (shadow & 1) == 0) {
            return RoutingDecision.of(Route.L1_WANTS, SdmSection.CONDITIONAL_INSTRUCTIONS, String.format(Locale.ROOT,
                    "LMSW 0x%x sets PE, which L1 owns (CR0 guest/host mask 0x%x) and shadows as 0", source, mask));
        }
        long differing = mask & 0xE & (source ^ shadow);
        if (differing != 0) {
            return RoutingDecision.of(Route.L1_WANTS, SdmSection.CONDITIONAL_INSTRUCTIONS, String.format(Locale.ROOT,
                    "LMSW 0x%x: bits 0x%x of CR0[3:1] are set in L1's CR0 guest/host mask 0x%x and differ from its read shadow 0x%x",
                    source, differing, mask, shadow));
        }
        return RoutingDecision.of(Route.L0_WANTS, SdmSection.CONDITIONAL_INSTRUCTIONS, String.format(Locale.ROOT,
                "LMSW 0x%x changes no CR0 bit L1 owns (CR0 guest/host mask 0x%x, read shadow 0x%x)", source, mask, shadow));
    }

    private RoutingDecision io() {
        IoInstructionQualification q = IoInstructionQualification.of(exit.qualification());
        String access = String.format(Locale.ROOT, "%s %d byte(s) at port 0x%x", q.isIn() ? "IN" : "OUT", q.sizeBytes(), q.port());
        if (!primary(PrimaryProcessorBasedControl.USE_IO_BITMAPS)) {
            return byControl(PrimaryProcessorBasedControl.UNCONDITIONAL_IO_EXITING, primary(PrimaryProcessorBasedControl.UNCONDITIONAL_IO_EXITING),
                    SdmSection.CONDITIONAL_INSTRUCTIONS, access + " with USE_IO_BITMAPS 0");
        }
        for (int i = 0; i < q.sizeBytes(); i++) {
            int port = q.port() + i;
            if (port > 0xFFFF) {
                return RoutingDecision.of(Route.L1_WANTS, SdmSection.CONDITIONAL_INSTRUCTIONS,
                        access + " wraps around the 16-bit I/O-port space, which always causes a VM exit when I/O bitmaps are used");
            }
            boolean inA = port < 0x8000;
            long base = field(inA ? VmcsField.IO_BITMAP_A : VmcsField.IO_BITMAP_B);
            int index = port & 0x7FFF;
            long byteAddress = base + index / 8;
            if (bit(byteAddress, index & 7, inA ? "I/O bitmap A" : "I/O bitmap B")) {
                return RoutingDecision.bitmap(Route.L1_WANTS, SdmSection.IO_BITMAPS, byteAddress, index & 7, String.format(Locale.ROOT,
                        "%s: the bit of port 0x%x in L1's I/O bitmap %s (byte 0x%x, bit %d) is 1", access, port, inA ? "A" : "B",
                        byteAddress, index & 7));
            }
        }
        return RoutingDecision.of(Route.L0_WANTS, SdmSection.IO_BITMAPS,
                access + ": L1's I/O bitmaps have 0 for every port accessed");
    }

    /**
     * The MSR-bitmap rule of RDMSR and WRMSR (SDM 25.1.3), which the immediate forms and, in Bochs,
     * URDMSR/UWRMSR share; {@code note} ends every reason text (empty for the SDM's own rules).
     */
    private RoutingDecision msr(String instruction, long index, boolean write, String note) {
        String access = String.format(Locale.ROOT, "%s of MSR 0x%x", instruction, index);
        if (!primary(PrimaryProcessorBasedControl.USE_MSR_BITMAPS)) {
            return RoutingDecision.control(Route.L1_WANTS, SdmSection.CONDITIONAL_INSTRUCTIONS, PrimaryProcessorBasedControl.USE_MSR_BITMAPS,
                    access + ": USE_MSR_BITMAPS is 0, so every " + instruction + " exits" + note);
        }
        boolean high = index >= MSR_HIGH_BASE;
        if (index > MSR_LOW_END && !(high && index <= MSR_HIGH_END)) {
            return RoutingDecision.of(Route.L1_WANTS, SdmSection.MSR_BITMAPS, access
                    + ": outside 00000000H-00001FFFH and C0000000H-C0001FFFH, which the MSR bitmaps do not cover, so it exits" + note);
        }
        // four 1-KByte bitmaps: read low, read high, write low, write high
        long offset = (write ? 2048 : 0) + (high ? 1024 : 0);
        long bitIndex = index & 0x1FFF;
        long byteAddress = field(VmcsField.MSR_BITMAP) + offset + bitIndex / 8;
        String name = (write ? "write" : "read") + " bitmap for " + (high ? "high" : "low") + " MSRs";
        boolean set = bit(byteAddress, (int) (bitIndex & 7), name);
        return RoutingDecision.bitmap(set ? Route.L1_WANTS : Route.L0_WANTS, SdmSection.MSR_BITMAPS, byteAddress, (int) (bitIndex & 7),
                String.format(Locale.ROOT, "%s: bit 0x%x of L1's %s (byte 0x%x, bit %d) is %d%s", access, bitIndex, name, byteAddress,
                        bitIndex & 7, set ? 1 : 0, note));
    }

    /**
     * URDMSR and UWRMSR (USER_MSR, exit reasons 80 and 81), for which no SDM edition consulted gives
     * the VM-exit rule. Bochs (bochs/cpu/msr.cc {@code URDMSR()}/{@code UWRMSR()} calling
     * vmexit.cc {@code VMexit_MSR()}) applies the RDMSR/WRMSR rule: every access when "use MSR
     * bitmaps" is 0, else the read bitmaps for URDMSR and the write bitmaps for UWRMSR, after its
     * IA32_USER_MSR_CTL checks (#UD, or #GP(0) for an index above 3FFFH or one its user-MSR bitmap
     * denies) have passed. The MSR index is read from the exit qualification, where Xen's USER-MSR
     * patch (Jan Beulich, v4 2024-01-11 to v9 2025-11-24) reads it; Bochs stores 0 there.
     */
    private RoutingDecision userMsr(boolean write) {
        String instruction = write ? "UWRMSR" : "URDMSR";
        long index = exit.qualification() & 0xFFFF_FFFFL;
        if (index > USER_MSR_MAX_INDEX) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "routing %s: MSR index 0x%x (exit qualification 0x%x) is above"
                    + " 3FFFH, which %s rejects with #GP(0) before any VM exit (Bochs msr.cc)", exit, index, exit.qualification(),
                    instruction));
        }
        return msr(instruction, index, write, "; no SDM rule for " + instruction + " is modelled: this is Bochs's (VMexit_MSR), with"
                + " the MSR index from the exit qualification as Xen's USER-MSR patch reads it (Bochs stores 0 there)");
    }

    private RoutingDecision msrList(BasicExitReason basic) {
        if (!tertiary(TertiaryProcessorBasedControl.ENABLE_RDMSRLIST_WRMSRLIST)) {
            return byControl(TertiaryProcessorBasedControl.ENABLE_RDMSRLIST_WRMSRLIST, false, SdmSection.CONDITIONAL_INSTRUCTIONS,
                    basic.toString());
        }
        // the SDM rule consults the MSR bitmaps for each MSR of the list in memory, which the exit does not identify
        return RoutingDecision.control(Route.L1_WANTS, SdmSection.CONDITIONAL_INSTRUCTIONS,
                TertiaryProcessorBasedControl.ENABLE_RDMSRLIST_WRMSRLIST, basic + ": ENABLE_RDMSRLIST_WRMSRLIST is 1; the exit does not say"
                        + " which MSR of the list exited, so it goes to L1 (KVM's default for reasons it does not special-case)");
    }

    private RoutingDecision vmcsAccess(VmcsField bitmapField, String bitmapName) {
        String instruction = bitmapField == VmcsField.VMREAD_BITMAP ? "VMREAD" : "VMWRITE";
        if (!secondary(SecondaryProcessorBasedControl.VMCS_SHADOWING)) {
            return RoutingDecision.control(Route.L1_WANTS, SdmSection.CONDITIONAL_INSTRUCTIONS, SecondaryProcessorBasedControl.VMCS_SHADOWING,
                    instruction + ": VMCS_SHADOWING is 0, so it exits unconditionally");
        }
        GeneralRegister fieldRegister = GeneralRegister.fromNumber(exit.instructionInfo() >>> 28);
        long encoding = register(fieldRegister, "the field encoding operand of " + instruction);
        if ((encoding >>> 15) != 0) {
            return RoutingDecision.of(Route.L1_WANTS, SdmSection.VMCS_SHADOWING_BITMAPS, String.format(Locale.ROOT,
                    "%s of field encoding 0x%x: bits 63:15 are not 0, which the %s does not cover, so it exits", instruction, encoding,
                    bitmapName));
        }
        long byteAddress = field(bitmapField) + encoding / 8;
        boolean set = bit(byteAddress, (int) (encoding & 7), bitmapName);
        return RoutingDecision.bitmap(set ? Route.L1_WANTS : Route.L0_WANTS, SdmSection.VMCS_SHADOWING_BITMAPS, byteAddress,
                (int) (encoding & 7), String.format(Locale.ROOT, "%s of field encoding 0x%x: bit 0x%x of L1's %s (byte 0x%x, bit %d) is %d%s",
                        instruction, encoding, encoding, bitmapName, byteAddress, encoding & 7, set ? 1 : 0,
                        set ? "" : " (the shadow VMCS serves it)"));
    }

    private RoutingDecision monitorTrapFlag() {
        if (primary(PrimaryProcessorBasedControl.MONITOR_TRAP_FLAG)) {
            return byControl(PrimaryProcessorBasedControl.MONITOR_TRAP_FLAG, true, SdmSection.MONITOR_TRAP_FLAG, "an MTF VM exit");
        }
        // an MTF exit L1 injected through VM-entry event injection (type 7, vector 0), as KVM also checks
        OptionalLong injected = vmcs12.find(VmcsField.VM_ENTRY_INTR_INFO_FIELD);
        if (injected.isPresent() && injected.getAsLong() == 0x8000_0700L) {
            return RoutingDecision.of(Route.L1_WANTS, SdmSection.MONITOR_TRAP_FLAG,
                    "L1 injected a pending MTF VM exit (VM-entry interruption information 0x80000700, type 7 vector 0)");
        }
        return byControl(PrimaryProcessorBasedControl.MONITOR_TRAP_FLAG, false, SdmSection.MONITOR_TRAP_FLAG, "an MTF VM exit");
    }

    private RoutingDecision pause() {
        if (primary(PrimaryProcessorBasedControl.PAUSE_EXITING)) {
            return byControl(PrimaryProcessorBasedControl.PAUSE_EXITING, true, SdmSection.CONDITIONAL_INSTRUCTIONS, "PAUSE");
        }
        if (secondary(SecondaryProcessorBasedControl.PAUSE_LOOP_EXITING)) {
            if (exit.cpl().isPresent() && exit.cpl().getAsInt() > 0) {
                return RoutingDecision.control(Route.L0_WANTS, SdmSection.CONDITIONAL_INSTRUCTIONS,
                        SecondaryProcessorBasedControl.PAUSE_LOOP_EXITING, "PAUSE at CPL " + exit.cpl().getAsInt()
                                + ": PAUSE_EXITING is 0 and PAUSE_LOOP_EXITING is ignored outside CPL 0, so L1's controls cause no exit");
            }
            return RoutingDecision.control(Route.L1_WANTS, SdmSection.CONDITIONAL_INSTRUCTIONS, SecondaryProcessorBasedControl.PAUSE_LOOP_EXITING,
                    String.format(Locale.ROOT, "PAUSE: PAUSE_LOOP_EXITING is 1 (PLE_Gap %d, PLE_Window %d); whether L2's loop outlasted L1's"
                            + " window is timing the exit does not show, so it goes to L1 as KVM does",
                            vmcs12.find(VmcsField.PLE_GAP).orElse(0), vmcs12.find(VmcsField.PLE_WINDOW).orElse(0)));
        }
        return RoutingDecision.of(Route.L0_WANTS, SdmSection.CONDITIONAL_INSTRUCTIONS,
                "PAUSE: PAUSE_EXITING and PAUSE_LOOP_EXITING are 0 in L1's controls");
    }

    private RoutingDecision apicWrite() {
        if (secondary(SecondaryProcessorBasedControl.APIC_REGISTER_VIRTUALIZATION)) {
            return byControl(SecondaryProcessorBasedControl.APIC_REGISTER_VIRTUALIZATION, true, SdmSection.APIC_VIRTUALIZATION,
                    "a write to a virtual-APIC register");
        }
        return secondaryControl(SecondaryProcessorBasedControl.VIRTUAL_INTERRUPT_DELIVERY, SdmSection.APIC_VIRTUALIZATION,
                "a write to a virtual-APIC register");
    }

    private RoutingDecision eoiInduced() {
        if (!secondary(SecondaryProcessorBasedControl.VIRTUAL_INTERRUPT_DELIVERY)) {
            return byControl(SecondaryProcessorBasedControl.VIRTUAL_INTERRUPT_DELIVERY, false, SdmSection.APIC_VIRTUALIZATION,
                    "a virtualized EOI");
        }
        int vector = (int) (exit.qualification() & 0xFF);
        VmcsField[] bitmaps = {VmcsField.EOI_EXIT_BITMAP0, VmcsField.EOI_EXIT_BITMAP1, VmcsField.EOI_EXIT_BITMAP2,
            VmcsField.EOI_EXIT_BITMAP3};
        long bitmap = field(bitmaps[vector / 64]);
        boolean set = ((bitmap >>> (vector % 64)) & 1) != 0;
        return RoutingDecision.of(set ? Route.L1_WANTS : Route.L0_WANTS, SdmSection.APIC_VIRTUALIZATION, String.format(Locale.ROOT,
                "EOI of vector %d: bit %d of L1's %s is %d", vector, vector % 64, bitmaps[vector / 64], set ? 1 : 0));
    }

    private RoutingDecision leafBitmap(SecondaryProcessorBasedControl enable, VmcsField bitmapField, SdmSection section, String instruction) {
        if (!secondary(enable)) {
            return byControl(enable, false, section, instruction);
        }
        long leaf = register(GeneralRegister.RAX, "the leaf (EAX) of " + instruction) & 0xFFFF_FFFFL;
        int bitNumber = (int) Math.min(leaf, 63); // leaves above 62 share bit 63
        long bitmap = field(bitmapField);
        boolean set = ((bitmap >>> bitNumber) & 1) != 0;
        return RoutingDecision.of(set ? Route.L1_WANTS : Route.L0_WANTS, section, String.format(Locale.ROOT,
                "%s leaf %d: bit %d of L1's %s 0x%x is %d", instruction, leaf, bitNumber, bitmapField, bitmap, set ? 1 : 0));
    }

    private RoutingDecision xsaves(BasicExitReason basic) {
        if (!secondary(SecondaryProcessorBasedControl.ENABLE_XSAVES)) {
            return byControl(SecondaryProcessorBasedControl.ENABLE_XSAVES, false, SdmSection.CONDITIONAL_INSTRUCTIONS, basic.toString());
        }
        long requested = (register(GeneralRegister.RDX, "EDX of " + basic) << 32)
                | (register(GeneralRegister.RAX, "EAX of " + basic) & 0xFFFF_FFFFL);
        long xss = exit.ia32Xss().orElseThrow(() -> missing("L2's IA32_XSS"));
        long bitmap = field(VmcsField.XSS_EXIT_BITMAP);
        long and = requested & xss & bitmap;
        return RoutingDecision.of(and != 0 ? Route.L1_WANTS : Route.L0_WANTS, SdmSection.XSS_EXITING_BITMAP, String.format(Locale.ROOT,
                "%s: EDX:EAX 0x%x & IA32_XSS 0x%x & L1's XSS-exiting bitmap 0x%x = 0x%x", basic, requested, xss, bitmap, and));
    }

    /**
     * SDM 25.5.5: with "enable VM functions" 1, VMFUNC exits when the leaf in EAX is above 63 or its
     * bit in the VM-function controls is 0, and EPTP switching (leaf 0) exits when ECX is 512 or
     * more or the EPTP-list entry it selects is not a valid EPTP; with the control 0 it is #UD.
     */
    private RoutingDecision vmfunc() {
        if (!secondary(SecondaryProcessorBasedControl.ENABLE_VM_FUNCTIONS)) {
            return byControl(SecondaryProcessorBasedControl.ENABLE_VM_FUNCTIONS, false, SdmSection.VM_FUNCTIONS,
                    "VMFUNC (which is #UD, not an exit, for L1's controls)");
        }
        long leaf = register(GeneralRegister.RAX, "the VM function number (EAX) of VMFUNC") & 0xFFFF_FFFFL;
        long controls = field(VmcsField.VM_FUNCTION_CONTROL);
        if (leaf > 63 || ((controls >>> leaf) & 1) == 0) {
            return RoutingDecision.of(Route.L1_WANTS, SdmSection.VM_FUNCTION_CONTROLS, String.format(Locale.ROOT,
                    "VMFUNC %d: %s L1's VM-function controls 0x%x, so it exits", leaf,
                    leaf > 63 ? "the function number is above 63, beyond" : "bit " + leaf + " is 0 in", controls));
        }
        if (leaf != 0) {
            return RoutingDecision.of(Route.L0_WANTS, SdmSection.VM_FUNCTIONS, String.format(Locale.ROOT,
                    "VMFUNC %d: L1 enabled the function (VM-function controls 0x%x), which runs without a VM exit", leaf, controls));
        }
        long index = register(GeneralRegister.RCX, "the EPTP-list index (ECX) of VMFUNC 0") & 0xFFFF_FFFFL;
        if (index >= 512) {
            return RoutingDecision.of(Route.L1_WANTS, SdmSection.VM_FUNCTIONS, String.format(Locale.ROOT,
                    "VMFUNC 0 (EPTP switching) with ECX %d: the EPTP list has 512 entries, so it exits", index));
        }
        long entryAddress = field(VmcsField.EPTP_LIST_ADDRESS) + 8 * index;
        long eptp = memory.readLong(entryAddress).orElseThrow(() -> missing(String.format(Locale.ROOT,
                "EPTP-list entry %d at 0x%x, which is not backed by L1's memory", index, entryAddress)));
        long type = eptp & 7;
        long walk = ((eptp >>> 3) & 7) + 1;
        String invalid = type != 0 && type != 6 ? "memory type " + type + " is neither UC nor WB"
                : walk != 4 && walk != 5 ? "page-walk length " + walk + " is neither 4 nor 5"
                : (eptp & 0xF80) != 0 ? "reserved bits 11:7 are set" : null;
        return invalid != null
                ? RoutingDecision.bitmap(Route.L1_WANTS, SdmSection.VM_FUNCTIONS, entryAddress, 0, String.format(Locale.ROOT,
                        "VMFUNC 0 (EPTP switching) to entry %d: L1's EPTP-list entry 0x%x at 0x%x is not a valid EPTP (%s), so it exits",
                        index, eptp, entryAddress, invalid))
                : RoutingDecision.bitmap(Route.L0_WANTS, SdmSection.VM_FUNCTIONS, entryAddress, 0, String.format(Locale.ROOT,
                        "VMFUNC 0 (EPTP switching) to entry %d: L1's EPTP-list entry 0x%x at 0x%x is a valid EPTP, so the switch"
                                + " happens without a VM exit (L0 emulates it)", index, eptp, entryAddress));
    }

    /** EPT exits: L1's if L1 uses EPT and its own EPT tables deny the access or are misconfigured. */
    private RoutingDecision ept(boolean misconfig) {
        if (!secondary(SecondaryProcessorBasedControl.ENABLE_EPT)) {
            return RoutingDecision.control(Route.L0_WANTS, SdmSection.EPT_EXITS, SecondaryProcessorBasedControl.ENABLE_EPT,
                    "ENABLE_EPT is 0 in L1's controls: L2's guest-physical addresses are L1's, so the EPT tables involved are L0's");
        }
        long gpa = exit.guestPhysicalAddress().orElseThrow(() -> missing("the guest-physical address"));
        long eptp = field(VmcsField.EPT_POINTER);
        int levels = (int) ((eptp >>> 3) & 7) + 1;
        long table = eptp & 0x000F_FFFF_FFFF_F000L;
        long permissions = 7;
        for (int level = levels; level >= 1; level--) {
            int index = (int) ((gpa >>> (12 + 9 * (level - 1))) & 0x1FF);
            long entryAddress = table + index * 8L;
            long entry = memory.readLong(entryAddress).orElseThrow(() -> missing(String.format(Locale.ROOT,
                    "L1's EPT entry at 0x%x, which is not backed by L1's memory", entryAddress)));
            long rwx = entry & 7;
            if ((rwx & 3) == 2) {
                return RoutingDecision.of(misconfig ? Route.L1_WANTS : Route.L0_WANTS, SdmSection.EPT_EXITS, String.format(Locale.ROOT,
                        "guest-physical 0x%x: L1's level-%d EPT entry 0x%x at 0x%x is writable but not readable, an EPT misconfiguration in L1's tables",
                        gpa, level, entry, entryAddress));
            }
            if (rwx == 0) {
                return RoutingDecision.of(misconfig ? Route.L0_WANTS : Route.L1_WANTS, SdmSection.EPT_EXITS, String.format(Locale.ROOT,
                        "guest-physical 0x%x: L1's level-%d EPT entry 0x%x at 0x%x is not present%s", gpa, level, entry, entryAddress,
                        misconfig ? "; no misconfiguration in L1's tables, so the misconfiguration is in L0's" : ""));
            }
            permissions &= rwx;
            boolean leaf = level == 1 || (level <= 3 && (entry & 0x80) != 0);
            if (leaf) {
                break;
            }
            table = entry & 0x000F_FFFF_FFFF_F000L;
        }
        if (misconfig) {
            return RoutingDecision.of(Route.L0_WANTS, SdmSection.EPT_EXITS, String.format(Locale.ROOT,
                    "guest-physical 0x%x: L1's EPT tables map it without misconfiguration, so the misconfiguration is in L0's", gpa));
        }
        long wanted = exit.qualification() & 7; // bits 0-2: read, write, instruction fetch
        long denied = wanted & ~permissions;
        return RoutingDecision.of(denied != 0 ? Route.L1_WANTS : Route.L0_WANTS, SdmSection.EPT_EXITS, String.format(Locale.ROOT,
                "guest-physical 0x%x: the access (%s) against L1's EPT permissions %s %s", gpa, rwx(wanted), rwx(permissions),
                denied != 0 ? "is denied by L1's tables" : "is allowed by L1's tables, so the violation is in L0's"));
    }

    private static String rwx(long bits) {
        return ((bits & 1) != 0 ? "r" : "-") + ((bits & 2) != 0 ? "w" : "-") + ((bits & 4) != 0 ? "x" : "-");
    }

    // ---- helpers ----

    private RoutingDecision always(SdmSection section, String reason) {
        return RoutingDecision.of(Route.L1_WANTS, section, reason);
    }

    private RoutingDecision primaryControl(PrimaryProcessorBasedControl control, SdmSection section, String what) {
        return byControl(control, primary(control), section, what);
    }

    private RoutingDecision secondaryControl(SecondaryProcessorBasedControl control, SdmSection section, String what) {
        return byControl(control, secondary(control), section, what);
    }

    private RoutingDecision tertiaryControl(TertiaryProcessorBasedControl control, SdmSection section, String what) {
        return byControl(control, tertiary(control), section, what);
    }

    private static RoutingDecision byControl(ControlBit control, boolean set, SdmSection section, String what) {
        String name = ((Enum<?>) control).name();
        return set ? RoutingDecision.control(Route.L1_WANTS, section, control, what + ": " + name + " is 1 in L1's controls")
                : RoutingDecision.control(Route.L0_WANTS, section, control, what + ": " + name + " is 0 in L1's controls, so L1 did not ask for it");
    }

    private RoutingDecision bothControls(boolean firstSet, ControlBit first, boolean secondSet, ControlBit second, String what) {
        if (!firstSet) {
            return byControl(first, false, SdmSection.CONDITIONAL_INSTRUCTIONS, what);
        }
        if (!secondSet) {
            return byControl(second, false, SdmSection.CONDITIONAL_INSTRUCTIONS, what);
        }
        return RoutingDecision.control(Route.L1_WANTS, SdmSection.CONDITIONAL_INSTRUCTIONS, second,
                what + ": " + ((Enum<?>) first).name() + " and " + ((Enum<?>) second).name() + " are 1 in L1's controls");
    }

    private boolean pin(PinBasedControl control) {
        return (field(VmcsField.PIN_BASED_VM_EXEC_CONTROL) & control.mask()) != 0;
    }

    private boolean primary(PrimaryProcessorBasedControl control) {
        return (field(VmcsField.CPU_BASED_VM_EXEC_CONTROL) & control.mask()) != 0;
    }

    /** Secondary controls count only when "activate secondary controls" is 1 (SDM 24.6.2). */
    private boolean secondary(SecondaryProcessorBasedControl control) {
        return primary(PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS)
                && (field(VmcsField.SECONDARY_VM_EXEC_CONTROL) & control.mask()) != 0;
    }

    private boolean tertiary(TertiaryProcessorBasedControl control) {
        return primary(PrimaryProcessorBasedControl.ACTIVATE_TERTIARY_CONTROLS)
                && (field(VmcsField.TERTIARY_VM_EXEC_CONTROL) & control.mask()) != 0;
    }

    private long field(VmcsField field) {
        return vmcs12.find(field).orElseThrow(() -> missing(field + " of L1's VMCS for L2"));
    }

    private long register(GeneralRegister register, String purpose) {
        return exit.register(register).orElseThrow(() -> missing("guest register " + register + " (" + purpose + ")"));
    }

    private boolean bit(long byteAddress, int bit, String bitmapName) {
        OptionalInt value = memory.readByte(byteAddress);
        if (value.isEmpty()) {
            throw missing(String.format(Locale.ROOT, "byte 0x%x of L1's %s, which is not backed by L1's memory", byteAddress, bitmapName));
        }
        return ((value.getAsInt() >>> bit) & 1) != 0;
    }

    private IllegalArgumentException missing(String what) {
        return new IllegalArgumentException("routing " + exit + " needs " + what);
    }
}
