package dev.vmx.entry;

import dev.vmx.cap.ControlField;
import dev.vmx.cap.ControlViolation;
import dev.vmx.cap.EntryControl;
import dev.vmx.cap.EptVpidCapability;
import dev.vmx.cap.EptVpidCapabilityBit;
import dev.vmx.cap.PinBasedControl;
import dev.vmx.cap.PrimaryExitControl;
import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.cap.SecondaryProcessorBasedControl;
import dev.vmx.cap.VmxCapabilities;
import dev.vmx.event.InterruptionInfo;
import dev.vmx.event.InterruptionType;
import dev.vmx.nested.GuestMemory;
import dev.vmx.vmcs.EptPointer;
import dev.vmx.vmcs.GuestActivityState;
import dev.vmx.vmcs.GuestInterruptibility;
import dev.vmx.vmcs.GuestSegment;
import dev.vmx.vmcs.PendingDebugExceptions;
import dev.vmx.vmcs.SegmentAccessRights;
import dev.vmx.vmcs.Vmcs;
import dev.vmx.vmcs.VmcsField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * Runs every {@link EntryCheck} over a VMCS. What the checks need and the VMCS lacks (a field, the
 * capability MSRs, the MSR-load list) makes them {@link CheckStatus#NOT_JUDGED}, never a silent
 * pass. Immutable: {@link #withCapabilities} and {@link #withEntryMsrLoadList} return new checkers.
 *
 * <p>Linear addresses are checked as canonical for 48 bits, or 57 when the relevant CR4.LA57 is 1;
 * physical addresses against the processor's width given with {@link #withPhysicalAddressWidth},
 * else against the architectural maximum of 52 bits.
 */
public final class EntryChecker {
    private final Optional<VmxCapabilities> capabilities;
    private final Optional<List<MsrEntry>> entryMsrLoadList;
    private final Optional<GuestMemory> memory;
    private final int physicalAddressWidth;
    /** Whether the processor executing VMLAUNCH/VMRESUME is in IA-32e mode (IA32_EFER.LMA); empty if not given. */
    private Optional<Boolean> processorInIa32eMode = Optional.empty();
    /** Whether the processor supports RTM (CPUID.(EAX=07H,ECX=0):EBX[11]); empty if not given. */
    private Optional<Boolean> rtm = Optional.empty();
    /** Whether the processor supports SGX (CPUID.(EAX=07H,ECX=0):EBX[2]); empty if not given. */
    private Optional<Boolean> sgx = Optional.empty();

    private EntryChecker(Optional<VmxCapabilities> capabilities, Optional<List<MsrEntry>> entryMsrLoadList,
            Optional<GuestMemory> memory, int physicalAddressWidth) {
        this.capabilities = capabilities;
        this.entryMsrLoadList = entryMsrLoadList;
        this.memory = memory;
        this.physicalAddressWidth = physicalAddressWidth;
    }

    /**
     * A checker without capability MSRs or MSR-load list: the checks that need them are not judged.
     *
     * @return the checker
     */
    public static EntryChecker create() {
        return new EntryChecker(Optional.empty(), Optional.empty(), Optional.empty(), MAX_PHYSICAL_ADDRESS_WIDTH);
    }

    /**
     * This checker with the processor's capability MSRs, for the allowed control settings and fixed
     * CR0/CR4 bits.
     *
     * @param capabilities the capabilities
     * @return a new checker
     */
    public EntryChecker withCapabilities(VmxCapabilities capabilities) {
        return copyMode(new EntryChecker(Optional.of(Objects.requireNonNull(capabilities, "capabilities")), entryMsrLoadList, memory, physicalAddressWidth));
    }

    /**
     * This checker with the entries of the VM-entry MSR-load area (in memory, so not in the VMCS).
     *
     * @param entries the entries, in order
     * @return a new checker
     */
    public EntryChecker withEntryMsrLoadList(List<MsrEntry> entries) {
        return copyMode(new EntryChecker(capabilities, Optional.of(List.copyOf(entries)), memory, physicalAddressWidth));
    }

    /**
     * This checker with the physical memory the VMCS points to (for a nested hypervisor: L1's
     * memory), for the checks that read it: the header of the VMCS the link pointer names, the
     * PDPTEs VM entry loads from CR3 without EPT, and the VM-entry MSR-load area when no list was
     * given with {@link #withEntryMsrLoadList}.
     *
     * @param memory the memory
     * @return a new checker
     */
    public EntryChecker withMemory(GuestMemory memory) {
        return copyMode(new EntryChecker(capabilities, entryMsrLoadList, Optional.of(Objects.requireNonNull(memory, "memory")), physicalAddressWidth));
    }

    /** The architectural maximum physical-address width (SDM Vol. 3A 4.1.4: MAXPHYADDR is at most 52). */
    public static final int MAX_PHYSICAL_ADDRESS_WIDTH = 52;

    /**
     * This checker with the processor's physical-address width (MAXPHYADDR, CPUID.80000008H:EAX[7:0]):
     * the physical addresses VM entry checks (CR3, the bitmap and page addresses, the EPT pointer, the
     * MSR areas and their last bytes, the VMCS link pointer) may set no bit at or above it (SDM Vol. 3C
     * 26.2.1.1, 26.2.1.2, 26.2.1.3, 26.2.2, 26.3.1.1, 26.3.1.5). Without it the checks use 52.
     *
     * @param bits MAXPHYADDR, 32 to 52
     * @return a new checker
     * @throws IllegalArgumentException naming the width when it is outside 32..52
     */
    public EntryChecker withPhysicalAddressWidth(int bits) {
        if (bits < 32 || bits > MAX_PHYSICAL_ADDRESS_WIDTH) {
            throw new IllegalArgumentException("physical-address width " + bits + " is outside 32.." + MAX_PHYSICAL_ADDRESS_WIDTH);
        }
        return copyMode(new EntryChecker(capabilities, entryMsrLoadList, memory, bits));
    }

    /**
     * This checker told whether the processor that executes VMLAUNCH/VMRESUME (for a nested hypervisor: L1)
     * is in IA-32e mode: SDM Vol. 3C 26.2.4 requires "host address-space size" 1 if it is, and "host
     * address-space size" and "IA-32e mode guest" 0 if it is not. Without it HOST_ADDRESS_SPACE judges the
     * VMCS alone.
     *
     * @param ia32eMode IA32_EFER.LMA of the processor at VM entry
     * @return a new checker
     */
    public EntryChecker withProcessorInIa32eMode(boolean ia32eMode) {
        EntryChecker checker = copyMode(new EntryChecker(capabilities, entryMsrLoadList, memory, physicalAddressWidth));
        checker.processorInIa32eMode = Optional.of(ia32eMode);
        return checker;
    }

    /**
     * This checker told which of the CPUID features the entry checks depend on the processor has:
     * pending debug exceptions bit 16 (RTM) must be 0 without RTM, and interruptibility bit 4 (enclave
     * interruption) must be 0 without SGX (SDM Vol. 3C 26.3.1.5; the RTM rule is in the editions that
     * define bit 16). Without it both bits are allowed.
     *
     * @param rtmSupported CPUID.(EAX=07H,ECX=0):EBX.RTM[bit 11]
     * @param sgxSupported CPUID.(EAX=07H,ECX=0):EBX.SGX[bit 2]
     * @return a new checker
     */
    public EntryChecker withCpuFeatures(boolean rtmSupported, boolean sgxSupported) {
        EntryChecker checker = copyMode(new EntryChecker(capabilities, entryMsrLoadList, memory, physicalAddressWidth));
        checker.rtm = Optional.of(rtmSupported);
        checker.sgx = Optional.of(sgxSupported);
        return checker;
    }

    /**
     * Runs every check.
     *
     * @param vmcs the VMCS a VMLAUNCH/VMRESUME would enter with
     * @return one outcome per check, in {@link EntryCheck} order
     */
    public EntryCheckReport check(Vmcs vmcs) {
        Objects.requireNonNull(vmcs, "vmcs");
        List<CheckOutcome> outcomes = new ArrayList<>();
        long failedMsrEntry = 0;
        for (EntryCheck check : EntryCheck.values()) {
            Evaluation evaluation = new Evaluation(check, vmcs);
            try {
                String failure = evaluation.run();
                outcomes.add(new CheckOutcome(check, failure == null ? CheckStatus.PASSED : CheckStatus.FAILED,
                        failure == null ? evaluation.passDetail : failure, List.of()));
                if (evaluation.failedMsrEntry != 0) {
                    // the processor stops at the first entry that fails, whichever check names it
                    failedMsrEntry = failedMsrEntry == 0 ? evaluation.failedMsrEntry : Math.min(failedMsrEntry, evaluation.failedMsrEntry);
                }
            } catch (NotJudged notJudged) {
                outcomes.add(new CheckOutcome(check, CheckStatus.NOT_JUDGED, notJudged.getMessage(), notJudged.fields));
            }
        }
        return new EntryCheckReport(outcomes, failedMsrEntry);
    }

    private EntryChecker copyMode(EntryChecker checker) {
        checker.processorInIa32eMode = processorInIa32eMode;
        checker.rtm = rtm;
        checker.sgx = sgx;
        return checker;
    }

    /** Thrown inside an evaluation when something it needs is absent. */
    private static final class NotJudged extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient List<VmcsField> fields;

        NotJudged(String message, List<VmcsField> fields) {
            super(message, null, false, false);
            this.fields = fields;
        }
    }

    // the access-rights, interruptibility, activity-state, pending-debug and EPTP layouts come from
    // their value types in dev.vmx.vmcs (one definition, checked against the SDM and Linux there)
    private static final long AR_RESERVED = Integer.toUnsignedLong(SegmentAccessRights.RESERVED_MASK);

    /** One check over one VMCS; returns null when it passes, else why it fails. */
    private final class Evaluation {
        private final EntryCheck check;
        private final Vmcs vmcs;
        private String passDetail = "satisfied";
        /** The 1-based number of the VM-entry MSR-load entry that fails, 0 if none. */
        private long failedMsrEntry;

        Evaluation(EntryCheck check, Vmcs vmcs) {
            this.check = check;
            this.vmcs = vmcs;
        }

        long f(VmcsField field) {
            return vmcs.find(field).orElseThrow(() -> new NotJudged(field + " is not in the VMCS", List.of(field)));
        }

        VmxCapabilities caps() {
            return capabilities.orElseThrow(() -> new NotJudged("needs the IA32_VMX_* capability MSRs", List.of()));
        }

        boolean pin(PinBasedControl control) {
            return (f(VmcsField.PIN_BASED_VM_EXEC_CONTROL) & control.mask()) != 0;
        }

        boolean primary(PrimaryProcessorBasedControl control) {
            return (f(VmcsField.CPU_BASED_VM_EXEC_CONTROL) & control.mask()) != 0;
        }

        boolean secondary(SecondaryProcessorBasedControl control) {
            return primary(PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS)
                    && (f(VmcsField.SECONDARY_VM_EXEC_CONTROL) & control.mask()) != 0;
        }

        boolean exit(PrimaryExitControl control) {
            return (f(VmcsField.VM_EXIT_CONTROLS) & control.mask()) != 0;
        }

        boolean entry(EntryControl control) {
            return (f(VmcsField.VM_ENTRY_CONTROLS) & control.mask()) != 0;
        }

        boolean ia32e() {
            return entry(EntryControl.IA32E_MODE_GUEST);
        }

        boolean unrestricted() {
            return secondary(SecondaryProcessorBasedControl.UNRESTRICTED_GUEST);
        }

        boolean v8086() {
            return (f(VmcsField.GUEST_RFLAGS) & (1L << 17)) != 0;
        }

        String allowed(ControlField field, VmcsField vmcsField) {
            List<ControlViolation> violations;
            try {
                violations = caps().check(field, f(vmcsField));
            } catch (java.util.NoSuchElementException e) {
                throw new NotJudged("the capabilities lack the MSR for " + field + ": " + e.getMessage(), List.of());
            }
            return violations.isEmpty() ? null : String.format(Locale.ROOT, "%s 0x%x: %s", vmcsField, f(vmcsField),
                    violations.stream().map(ControlViolation::toString).collect(Collectors.joining("; ")));
        }

        /** A physical address the processor uses: aligned to {@code mask + 1} and within the physical-address width. */
        String address(VmcsField field, long mask) {
            String alignment = aligned(field, mask);
            return alignment != null ? alignment : physical(field);
        }

        /** An MSR area: 16-byte aligned, and its first and last bytes within the physical-address width (SDM 26.2.1.2). */
        String msrArea(VmcsField address, VmcsField count) {
            String start = address(address, 0xF);
            if (start != null) {
                return start;
            }
            long last = f(address) + 16 * f(count) - 1;
            return (last >>> physicalAddressWidth) == 0 ? null : String.format(Locale.ROOT,
                    "the last byte 0x%x of the %d-entry area at %s 0x%x sets bits beyond the %d-bit physical-address width", last, f(count),
                    address, f(address), physicalAddressWidth);
        }

        String aligned(VmcsField field, long mask) {
            long value = f(field);
            return (value & mask) == 0 ? null : String.format(Locale.ROOT, "%s 0x%x has bits 0x%x set", field, value, value & mask);
        }

        String run() {
            switch (check) {
                case PIN_BASED_ALLOWED:
                    return allowed(ControlField.PIN_BASED, VmcsField.PIN_BASED_VM_EXEC_CONTROL);
                case PRIMARY_ALLOWED:
                    return allowed(ControlField.PRIMARY_PROCESSOR_BASED, VmcsField.CPU_BASED_VM_EXEC_CONTROL);
                case SECONDARY_ALLOWED:
                    if (!primary(PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS)) {
                        passDetail = "secondary controls not activated";
                        return null;
                    }
                    return allowed(ControlField.SECONDARY_PROCESSOR_BASED, VmcsField.SECONDARY_VM_EXEC_CONTROL);
                case TERTIARY_ALLOWED:
                    if (!primary(PrimaryProcessorBasedControl.ACTIVATE_TERTIARY_CONTROLS)) {
                        passDetail = "tertiary controls not activated";
                        return null;
                    }
                    return allowed(ControlField.TERTIARY_PROCESSOR_BASED, VmcsField.TERTIARY_VM_EXEC_CONTROL);
                case CR3_TARGET_COUNT: {
                    long count = f(VmcsField.CR3_TARGET_COUNT);
                    int limit = capabilities.map(c -> c.misc().cr3TargetCount()).orElse(4);
                    return count <= limit ? null : "CR3_TARGET_COUNT " + count + " is greater than " + limit;
                }
                case IO_BITMAPS_ALIGNED:
                    if (!primary(PrimaryProcessorBasedControl.USE_IO_BITMAPS)) {
                        return null;
                    }
                    String a = address(VmcsField.IO_BITMAP_A, 0xFFF);
                    return a != null ? a : address(VmcsField.IO_BITMAP_B, 0xFFF);
                case MSR_BITMAP_ALIGNED:
                    return primary(PrimaryProcessorBasedControl.USE_MSR_BITMAPS) ? address(VmcsField.MSR_BITMAP, 0xFFF) : null;
                case VIRTUAL_APIC_PAGE_ALIGNED:
                    return primary(PrimaryProcessorBasedControl.USE_TPR_SHADOW) ? address(VmcsField.VIRTUAL_APIC_PAGE_ADDR, 0xFFF) : null;
                case TPR_THRESHOLD_RESERVED:
                    if (!primary(PrimaryProcessorBasedControl.USE_TPR_SHADOW)
                            || secondary(SecondaryProcessorBasedControl.VIRTUAL_INTERRUPT_DELIVERY)) {
                        return null;
                    }
                    return aligned(VmcsField.TPR_THRESHOLD, 0xFFFF_FFF0L);
                case TPR_THRESHOLD_VTPR: {
                    if (!primary(PrimaryProcessorBasedControl.USE_TPR_SHADOW)
                            || secondary(SecondaryProcessorBasedControl.VIRTUALIZE_APIC_ACCESSES)
                            || secondary(SecondaryProcessorBasedControl.VIRTUAL_INTERRUPT_DELIVERY)) {
                        return null;
                    }
                    long threshold = f(VmcsField.TPR_THRESHOLD) & 0xF;
                    if (threshold == 0) {
                        passDetail = "TPR threshold 0 is not greater than any VTPR";
                        return null;
                    }
                    long page = f(VmcsField.VIRTUAL_APIC_PAGE_ADDR);
                    long vtpr = readMemory(page + 0x80, 1, String.format(Locale.ROOT, "VTPR at 0x%x (virtual-APIC page + 80H)", page + 0x80));
                    return threshold <= (vtpr >>> 4) ? null : String.format(Locale.ROOT,
                            "TPR threshold bits 3:0 (%d) are greater than VTPR bits 7:4 (%d; VTPR 0x%x at 0x%x)", threshold, vtpr >>> 4, vtpr,
                            page + 0x80);
                }
                case APIC_CONTROLS_NEED_TPR_SHADOW:
                    if (primary(PrimaryProcessorBasedControl.USE_TPR_SHADOW)) {
                        return null;
                    }
                    for (SecondaryProcessorBasedControl control : new SecondaryProcessorBasedControl[] {
                        SecondaryProcessorBasedControl.VIRTUALIZE_X2APIC_MODE, SecondaryProcessorBasedControl.APIC_REGISTER_VIRTUALIZATION,
                        SecondaryProcessorBasedControl.VIRTUAL_INTERRUPT_DELIVERY}) {
                        if (secondary(control)) {
                            return control + " is 1 but USE_TPR_SHADOW is 0";
                        }
                    }
                    return null;
                case X2APIC_EXCLUDES_APIC_ACCESSES:
                    return secondary(SecondaryProcessorBasedControl.VIRTUALIZE_X2APIC_MODE)
                            && secondary(SecondaryProcessorBasedControl.VIRTUALIZE_APIC_ACCESSES)
                            ? "VIRTUALIZE_X2APIC_MODE and VIRTUALIZE_APIC_ACCESSES are both 1" : null;
                case VIRTUAL_INTERRUPT_DELIVERY_NEEDS_INTERRUPT_EXITING:
                    return secondary(SecondaryProcessorBasedControl.VIRTUAL_INTERRUPT_DELIVERY)
                            && !pin(PinBasedControl.EXTERNAL_INTERRUPT_EXITING)
                            ? "VIRTUAL_INTERRUPT_DELIVERY is 1 but EXTERNAL_INTERRUPT_EXITING is 0" : null;
                case POSTED_INTERRUPTS: {
                    if (!pin(PinBasedControl.PROCESS_POSTED_INTERRUPTS)) {
                        return null;
                    }
                    if (!secondary(SecondaryProcessorBasedControl.VIRTUAL_INTERRUPT_DELIVERY)) {
                        return "PROCESS_POSTED_INTERRUPTS is 1 but VIRTUAL_INTERRUPT_DELIVERY is 0";
                    }
                    if (!exit(PrimaryExitControl.ACKNOWLEDGE_INTERRUPT_ON_EXIT)) {
                        return "PROCESS_POSTED_INTERRUPTS is 1 but ACKNOWLEDGE_INTERRUPT_ON_EXIT is 0";
                    }
                    String vector = aligned(VmcsField.POSTED_INTR_NV, 0xFF00);
                    return vector != null ? vector : address(VmcsField.POSTED_INTR_DESC_ADDR, 0x3F);
                }
                case VIRTUAL_NMIS_NEED_NMI_EXITING:
                    return pin(PinBasedControl.VIRTUAL_NMIS) && !pin(PinBasedControl.NMI_EXITING)
                            ? "VIRTUAL_NMIS is 1 but NMI_EXITING is 0" : null;
                case NMI_WINDOW_NEEDS_VIRTUAL_NMIS:
                    return primary(PrimaryProcessorBasedControl.NMI_WINDOW_EXITING) && !pin(PinBasedControl.VIRTUAL_NMIS)
                            ? "NMI_WINDOW_EXITING is 1 but VIRTUAL_NMIS is 0" : null;
                case APIC_ACCESS_PAGE_ALIGNED:
                    return secondary(SecondaryProcessorBasedControl.VIRTUALIZE_APIC_ACCESSES)
                            ? address(VmcsField.APIC_ACCESS_ADDR, 0xFFF) : null;
                case VPID_NOT_ZERO:
                    return secondary(SecondaryProcessorBasedControl.ENABLE_VPID) && f(VmcsField.VIRTUAL_PROCESSOR_ID) == 0
                            ? "ENABLE_VPID is 1 but VIRTUAL_PROCESSOR_ID is 0" : null;
                case EPT_POINTER_VALID: {
                    if (!secondary(SecondaryProcessorBasedControl.ENABLE_EPT)) {
                        return null;
                    }
                    long eptp = f(VmcsField.EPT_POINTER);
                    long type = EptPointer.of(eptp).memoryType();
                    long walk = EptPointer.of(eptp).pageWalkLength();
                    if (type != 0 && type != 6) {
                        return String.format(Locale.ROOT, "EPT_POINTER 0x%x: memory type %d is neither UC (0) nor WB (6)", eptp, type);
                    }
                    if (walk != 4 && walk != 5) {
                        return String.format(Locale.ROOT, "EPT_POINTER 0x%x: page-walk length %d is neither 4 nor 5", eptp, walk);
                    }
                    // bit 7 (supervisor shadow-stack enforcement) is judged reserved as in the 2016 SDM: the
                    // capability that allows it is not modelled yet
                    if ((eptp & (EptPointer.RESERVED_MASK | EptPointer.SUPERVISOR_SHADOW_STACK)) != 0) {
                        return String.format(Locale.ROOT, "EPT_POINTER 0x%x: reserved bits 11:7 are not 0", eptp);
                    }
                    return physical(VmcsField.EPT_POINTER);
                }
                case EPT_POINTER_SUPPORTED: {
                    if (!secondary(SecondaryProcessorBasedControl.ENABLE_EPT)) {
                        return null;
                    }
                    long eptp = f(VmcsField.EPT_POINTER);
                    EptVpidCapability ept = caps().eptVpid().orElseThrow(
                            () -> new NotJudged("the capabilities lack IA32_VMX_EPT_VPID_CAP", List.of()));
                    long type = EptPointer.of(eptp).memoryType();
                    if ((type == 0 && !ept.has(EptVpidCapabilityBit.MEMORY_TYPE_UNCACHEABLE))
                            || (type == 6 && !ept.has(EptVpidCapabilityBit.MEMORY_TYPE_WRITE_BACK))) {
                        return String.format(Locale.ROOT, "EPT_POINTER 0x%x: memory type %d is not supported by IA32_VMX_EPT_VPID_CAP", eptp, type);
                    }
                    long walk = EptPointer.of(eptp).pageWalkLength();
                    if ((walk == 4 && !ept.has(EptVpidCapabilityBit.PAGE_WALK_LENGTH_4))
                            || (walk == 5 && !ept.has(EptVpidCapabilityBit.PAGE_WALK_LENGTH_5))) {
                        return String.format(Locale.ROOT, "EPT_POINTER 0x%x: a %d-level page walk is not supported by IA32_VMX_EPT_VPID_CAP", eptp, walk);
                    }
                    return EptPointer.of(eptp).isAccessedDirtyEnabled() && !ept.has(EptVpidCapabilityBit.EPT_ACCESSED_AND_DIRTY_FLAGS)
                            ? String.format(Locale.ROOT, "EPT_POINTER 0x%x enables accessed/dirty flags, which IA32_VMX_EPT_VPID_CAP does not report", eptp)
                            : null;
                }
                case MODE_BASED_EXECUTE_NEEDS_EPT:
                    return secondary(SecondaryProcessorBasedControl.MODE_BASED_EXECUTE_CONTROL_FOR_EPT)
                            && !secondary(SecondaryProcessorBasedControl.ENABLE_EPT)
                            ? "MODE_BASED_EXECUTE_CONTROL_FOR_EPT is 1 but ENABLE_EPT is 0" : null;
                case UNRESTRICTED_GUEST_NEEDS_EPT:
                    return unrestricted() && !secondary(SecondaryProcessorBasedControl.ENABLE_EPT)
                            ? "UNRESTRICTED_GUEST is 1 but ENABLE_EPT is 0" : null;
                case PML_NEEDS_EPT:
                    if (!secondary(SecondaryProcessorBasedControl.ENABLE_PML)) {
                        return null;
                    }
                    return !secondary(SecondaryProcessorBasedControl.ENABLE_EPT) ? "ENABLE_PML is 1 but ENABLE_EPT is 0"
                            : address(VmcsField.PML_ADDRESS, 0xFFF);
                case VMCS_SHADOWING_BITMAPS_ALIGNED: {
                    if (!secondary(SecondaryProcessorBasedControl.VMCS_SHADOWING)) {
                        return null;
                    }
                    String read = address(VmcsField.VMREAD_BITMAP, 0xFFF);
                    return read != null ? read : address(VmcsField.VMWRITE_BITMAP, 0xFFF);
                }
                case VIRTUALIZATION_EXCEPTION_INFO_ALIGNED:
                    return secondary(SecondaryProcessorBasedControl.EPT_VIOLATION)
                            ? address(VmcsField.VE_INFORMATION_ADDRESS, 0xFFF) : null;
                case VM_FUNCTION_CONTROLS:
                    return vmFunctionControls();
                case PT_USES_GUEST_PHYSICAL_ADDRESSES:
                    if (!secondary(SecondaryProcessorBasedControl.PT_USES_GUEST_PHYSICAL_ADDRESSES)) {
                        return null;
                    }
                    if (!secondary(SecondaryProcessorBasedControl.ENABLE_EPT)) {
                        return "PT_USES_GUEST_PHYSICAL_ADDRESSES is 1 but ENABLE_EPT is 0";
                    }
                    if (!entry(EntryControl.LOAD_IA32_RTIT_CTL)) {
                        return "PT_USES_GUEST_PHYSICAL_ADDRESSES is 1 but the VM-entry control LOAD_IA32_RTIT_CTL is 0";
                    }
                    return exit(PrimaryExitControl.CLEAR_IA32_RTIT_CTL) ? null
                            : "PT_USES_GUEST_PHYSICAL_ADDRESSES is 1 but the VM-exit control CLEAR_IA32_RTIT_CTL is 0";
                case EXIT_CONTROLS_ALLOWED:
                    return allowed(ControlField.PRIMARY_EXIT, VmcsField.VM_EXIT_CONTROLS);
                case PREEMPTION_TIMER_SAVE_NEEDS_TIMER:
                    return exit(PrimaryExitControl.SAVE_VMX_PREEMPTION_TIMER_VALUE) && !pin(PinBasedControl.ACTIVATE_VMX_PREEMPTION_TIMER)
                            ? "SAVE_VMX_PREEMPTION_TIMER_VALUE is 1 but ACTIVATE_VMX_PREEMPTION_TIMER is 0" : null;
                case EXIT_MSR_AREAS_ALIGNED: {
                    String store = f(VmcsField.VM_EXIT_MSR_STORE_COUNT) == 0 ? null
                            : msrArea(VmcsField.VM_EXIT_MSR_STORE_ADDR, VmcsField.VM_EXIT_MSR_STORE_COUNT);
                    return store != null ? store
                            : f(VmcsField.VM_EXIT_MSR_LOAD_COUNT) == 0 ? null : msrArea(VmcsField.VM_EXIT_MSR_LOAD_ADDR, VmcsField.VM_EXIT_MSR_LOAD_COUNT);
                }
                case ENTRY_CONTROLS_ALLOWED:
                    return allowed(ControlField.ENTRY, VmcsField.VM_ENTRY_CONTROLS);
                case ENTRY_SMM_CONTROLS_OFF:
                    if (entry(EntryControl.ENTRY_TO_SMM)) {
                        return "ENTRY_TO_SMM is 1 outside SMM";
                    }
                    return entry(EntryControl.DEACTIVATE_DUAL_MONITOR_TREATMENT) ? "DEACTIVATE_DUAL_MONITOR_TREATMENT is 1 outside SMM" : null;
                case ENTRY_EVENT_INJECTION:
                    return eventInjection();
                case ENTRY_MSR_LOAD_AREA_ALIGNED:
                    return f(VmcsField.VM_ENTRY_MSR_LOAD_COUNT) == 0 ? null : msrArea(VmcsField.VM_ENTRY_MSR_LOAD_ADDR, VmcsField.VM_ENTRY_MSR_LOAD_COUNT);
                case HOST_CR0_FIXED:
                    return fixed("host CR0", f(VmcsField.HOST_CR0), caps().cr0Violations(f(VmcsField.HOST_CR0)));
                case HOST_CR4_FIXED:
                    return fixed("host CR4", f(VmcsField.HOST_CR4), caps().cr4Violations(f(VmcsField.HOST_CR4)));
                case HOST_CET_NEEDS_WP:
                    return cetNeedsWp("host", f(VmcsField.HOST_CR0), f(VmcsField.HOST_CR4));
                case HOST_CR3_WIDTH:
                    return physical(VmcsField.HOST_CR3);
                case HOST_SYSENTER_CANONICAL: {
                    boolean la57 = (f(VmcsField.HOST_CR4) & (1L << 12)) != 0;
                    String esp = canonical(VmcsField.HOST_IA32_SYSENTER_ESP, la57);
                    return esp != null ? esp : canonical(VmcsField.HOST_IA32_SYSENTER_EIP, la57);
                }
                case HOST_EFER: {
                    if (!exit(PrimaryExitControl.LOAD_IA32_EFER)) {
                        return null;
                    }
                    return efer(f(VmcsField.HOST_IA32_EFER), exit(PrimaryExitControl.HOST_ADDRESS_SPACE_SIZE), true,
                            "host address-space size");
                }
                case HOST_PAT:
                    return exit(PrimaryExitControl.LOAD_IA32_PAT) ? pat(VmcsField.HOST_IA32_PAT) : null;
                case HOST_SELECTORS_RPL_TI: {
                    for (VmcsField selector : new VmcsField[] {VmcsField.HOST_ES_SELECTOR, VmcsField.HOST_CS_SELECTOR,
                        VmcsField.HOST_SS_SELECTOR, VmcsField.HOST_DS_SELECTOR, VmcsField.HOST_FS_SELECTOR, VmcsField.HOST_GS_SELECTOR,
                        VmcsField.HOST_TR_SELECTOR}) {
                        if ((f(selector) & 7) != 0) {
                            return String.format(Locale.ROOT, "%s 0x%x has RPL %d and TI %d", selector, f(selector), f(selector) & 3,
                                    (f(selector) >>> 2) & 1);
                        }
                    }
                    return null;
                }
                case HOST_CS_TR_NOT_NULL:
                    if (f(VmcsField.HOST_CS_SELECTOR) == 0) {
                        return "HOST_CS_SELECTOR is 0000H";
                    }
                    return f(VmcsField.HOST_TR_SELECTOR) == 0 ? "HOST_TR_SELECTOR is 0000H" : null;
                case HOST_SS_NOT_NULL_WITHOUT_64:
                    return !exit(PrimaryExitControl.HOST_ADDRESS_SPACE_SIZE) && f(VmcsField.HOST_SS_SELECTOR) == 0
                            ? "HOST_ADDRESS_SPACE_SIZE is 0 and HOST_SS_SELECTOR is 0000H" : null;
                case HOST_BASES_CANONICAL: {
                    boolean la57 = (f(VmcsField.HOST_CR4) & (1L << 12)) != 0;
                    for (VmcsField base : new VmcsField[] {VmcsField.HOST_FS_BASE, VmcsField.HOST_GS_BASE, VmcsField.HOST_GDTR_BASE,
                        VmcsField.HOST_IDTR_BASE, VmcsField.HOST_TR_BASE}) {
                        String problem = canonical(base, la57);
                        if (problem != null) {
                            return problem;
                        }
                    }
                    return null;
                }
                case HOST_ADDRESS_SPACE: {
                    long cr4 = f(VmcsField.HOST_CR4);
                    long rip = f(VmcsField.HOST_RIP);
                    if (processorInIa32eMode.isPresent() && processorInIa32eMode.get() != exit(PrimaryExitControl.HOST_ADDRESS_SPACE_SIZE)) {
                        return "the processor is " + (processorInIa32eMode.get() ? "in" : "outside") + " IA-32e mode but HOST_ADDRESS_SPACE_SIZE is "
                                + (exit(PrimaryExitControl.HOST_ADDRESS_SPACE_SIZE) ? 1 : 0);
                    }
                    if (exit(PrimaryExitControl.HOST_ADDRESS_SPACE_SIZE)) {
                        if ((cr4 & (1 << 5)) == 0) {
                            return String.format(Locale.ROOT, "HOST_ADDRESS_SPACE_SIZE is 1 but host CR4 0x%x has PAE 0", cr4);
                        }
                        return canonical(VmcsField.HOST_RIP, (cr4 & (1L << 12)) != 0);
                    }
                    if (ia32e()) {
                        return "HOST_ADDRESS_SPACE_SIZE is 0 but IA32E_MODE_GUEST is 1";
                    }
                    if ((cr4 & (1 << 17)) != 0) {
                        return String.format(Locale.ROOT, "HOST_ADDRESS_SPACE_SIZE is 0 but host CR4 0x%x has PCIDE 1", cr4);
                    }
                    return (rip >>> 32) == 0 ? null : String.format(Locale.ROOT,
                            "HOST_ADDRESS_SPACE_SIZE is 0 but host RIP 0x%x has bits 63:32 set", rip);
                }
                case GUEST_CR0_FIXED: {
                    long cr0 = f(VmcsField.GUEST_CR0);
                    long violations = caps().cr0Violations(cr0);
                    if (unrestricted()) {
                        violations &= ~0x8000_0001L; // PE and PG may be 0 with "unrestricted guest"
                    }
                    return fixed("guest CR0", cr0, violations);
                }
                case GUEST_CR0_PG_NEEDS_PE: {
                    long cr0 = f(VmcsField.GUEST_CR0);
                    return (cr0 & 0x8000_0000L) != 0 && (cr0 & 1) == 0
                            ? String.format(Locale.ROOT, "guest CR0 0x%x has PG 1 and PE 0", cr0) : null;
                }
                case GUEST_CR4_FIXED:
                    return fixed("guest CR4", f(VmcsField.GUEST_CR4), caps().cr4Violations(f(VmcsField.GUEST_CR4)));
                case GUEST_CET_NEEDS_WP:
                    return cetNeedsWp("guest", f(VmcsField.GUEST_CR0), f(VmcsField.GUEST_CR4));
                case GUEST_CR3_WIDTH:
                    return physical(VmcsField.GUEST_CR3);
                case GUEST_DR7_UPPER:
                    if (!entry(EntryControl.LOAD_DEBUG_CONTROLS)) {
                        return null;
                    }
                    return (f(VmcsField.GUEST_DR7) >>> 32) == 0 ? null
                            : String.format(Locale.ROOT, "GUEST_DR7 0x%x has bits 63:32 set", f(VmcsField.GUEST_DR7));
                case GUEST_DEBUGCTL_RESERVED: {
                    if (!entry(EntryControl.LOAD_DEBUG_CONTROLS)) {
                        return null;
                    }
                    long debugctl = f(VmcsField.GUEST_IA32_DEBUGCTL);
                    long reserved = debugctl & (0xFFFF_FFFF_FFFF_0000L | 0x38L);
                    return reserved == 0 ? null
                            : String.format(Locale.ROOT, "GUEST_IA32_DEBUGCTL 0x%x has reserved bits 0x%x set", debugctl, reserved);
                }
                case GUEST_IA32E_MODE_PAGING: {
                    long cr0 = f(VmcsField.GUEST_CR0);
                    long cr4 = f(VmcsField.GUEST_CR4);
                    if (ia32e()) {
                        return (cr0 & 0x8000_0000L) != 0 && (cr4 & (1 << 5)) != 0 ? null : String.format(Locale.ROOT,
                                "IA32E_MODE_GUEST is 1 but guest CR0 0x%x / CR4 0x%x do not have PG and PAE both 1", cr0, cr4);
                    }
                    return (cr4 & (1 << 17)) == 0 ? null
                            : String.format(Locale.ROOT, "IA32E_MODE_GUEST is 0 but guest CR4 0x%x has PCIDE 1", cr4);
                }
                case GUEST_SYSENTER_CANONICAL: {
                    boolean la57 = (f(VmcsField.GUEST_CR4) & (1L << 12)) != 0;
                    String esp = canonical(VmcsField.GUEST_SYSENTER_ESP, la57);
                    return esp != null ? esp : canonical(VmcsField.GUEST_SYSENTER_EIP, la57);
                }
                case GUEST_EFER: {
                    if (!entry(EntryControl.LOAD_IA32_EFER)) {
                        passDetail = "LOAD_IA32_EFER is 0";
                        return null;
                    }
                    long efer = f(VmcsField.GUEST_IA32_EFER);
                    String problem = efer(efer, ia32e(), false, "IA32E_MODE_GUEST");
                    if (problem != null) {
                        return problem;
                    }
                    boolean paging = (f(VmcsField.GUEST_CR0) & 0x8000_0000L) != 0;
                    return !paging || ((efer >>> 8) & 1) == ((efer >>> 10) & 1) ? null
                            : String.format(Locale.ROOT, "guest IA32_EFER 0x%x: LME differs from LMA while CR0.PG is 1", efer);
                }
                case GUEST_PAT:
                    return entry(EntryControl.LOAD_IA32_PAT) ? pat(VmcsField.GUEST_IA32_PAT) : null;
                case GUEST_BNDCFGS: {
                    if (!entry(EntryControl.LOAD_IA32_BNDCFGS)) {
                        return null;
                    }
                    long bndcfgs = f(VmcsField.GUEST_BNDCFGS);
                    if ((bndcfgs & 0xFFC) != 0) {
                        return String.format(Locale.ROOT, "GUEST_BNDCFGS 0x%x has reserved bits 11:2 set", bndcfgs);
                    }
                    long base = bndcfgs & ~0xFFFL;
                    return ((base << 16) >> 16) == base ? null
                            : String.format(Locale.ROOT, "GUEST_BNDCFGS 0x%x: base 0x%x is not canonical", bndcfgs, base);
                }
                case GUEST_TR:
                    return tr();
                case GUEST_LDTR:
                    return ldtr();
                case GUEST_SS_RPL:
                    if (v8086() || unrestricted()) {
                        return null;
                    }
                    return (f(VmcsField.GUEST_SS_SELECTOR) & 3) == (f(VmcsField.GUEST_CS_SELECTOR) & 3) ? null : String.format(Locale.ROOT,
                            "SS selector 0x%x has RPL %d, CS selector 0x%x RPL %d", f(VmcsField.GUEST_SS_SELECTOR),
                            f(VmcsField.GUEST_SS_SELECTOR) & 3, f(VmcsField.GUEST_CS_SELECTOR), f(VmcsField.GUEST_CS_SELECTOR) & 3);
                case GUEST_CS_TYPE:
                    return csType();
                case GUEST_CS_DPL:
                    return csDpl();
                case GUEST_CS_L_AND_D: {
                    long ar = f(VmcsField.GUEST_CS_AR_BYTES);
                    return ia32e() && (ar & SegmentAccessRights.L) != 0 && (ar & SegmentAccessRights.DB) != 0
                            ? String.format(Locale.ROOT, "CS access rights 0x%x have L 1 and D 1 in IA-32e mode", ar) : null;
                }
                case GUEST_SS:
                    return ss();
                case GUEST_DATA_SEGMENTS:
                    return dataSegments();
                case GUEST_SEGMENT_LIMITS:
                    return limits();
                case GUEST_SEGMENT_BASES:
                    return bases();
                case GUEST_VIRTUAL_8086:
                    return virtual8086();
                case GUEST_DESCRIPTOR_TABLES: {
                    boolean la57 = (f(VmcsField.GUEST_CR4) & (1L << 12)) != 0;
                    for (VmcsField base : new VmcsField[] {VmcsField.GUEST_GDTR_BASE, VmcsField.GUEST_IDTR_BASE}) {
                        String problem = canonical(base, la57);
                        if (problem != null) {
                            return problem;
                        }
                    }
                    for (VmcsField limit : new VmcsField[] {VmcsField.GUEST_GDTR_LIMIT, VmcsField.GUEST_IDTR_LIMIT}) {
                        String problem = aligned(limit, 0xFFFF_0000L);
                        if (problem != null) {
                            return problem;
                        }
                    }
                    return null;
                }
                case GUEST_RIP_UPPER_BITS: {
                    long rip = f(VmcsField.GUEST_RIP);
                    if ((rip >>> 32) == 0) {
                        return null;
                    }
                    boolean longMode = ia32e() && (f(VmcsField.GUEST_CS_AR_BYTES) & SegmentAccessRights.L) != 0;
                    return longMode ? null : String.format(Locale.ROOT,
                            "guest RIP 0x%x has bits 63:32 set outside 64-bit mode (IA32E_MODE_GUEST %d, CS.L %d)", rip, ia32e() ? 1 : 0,
                            SegmentAccessRights.from(f(VmcsField.GUEST_CS_AR_BYTES)).isLongMode() ? 1 : 0);
                }
                case GUEST_RIP_CANONICAL: {
                    boolean longMode = ia32e() && (f(VmcsField.GUEST_CS_AR_BYTES) & SegmentAccessRights.L) != 0;
                    return longMode ? canonical(VmcsField.GUEST_RIP, (f(VmcsField.GUEST_CR4) & (1L << 12)) != 0) : null;
                }
                case GUEST_RFLAGS_RESERVED: {
                    long rflags = f(VmcsField.GUEST_RFLAGS);
                    long reserved = rflags & (0xFFFF_FFFF_FFC0_0000L | (1 << 15) | (1 << 5) | (1 << 3));
                    if (reserved != 0) {
                        return String.format(Locale.ROOT, "guest RFLAGS 0x%x has reserved bits 0x%x set", rflags, reserved);
                    }
                    return (rflags & 2) != 0 ? null : String.format(Locale.ROOT, "guest RFLAGS 0x%x has bit 1 clear", rflags);
                }
                case GUEST_RFLAGS_VM:
                    if (!v8086()) {
                        return null;
                    }
                    if (ia32e()) {
                        return "RFLAGS.VM is 1 with IA32E_MODE_GUEST 1";
                    }
                    return (f(VmcsField.GUEST_CR0) & 1) == 0 ? "RFLAGS.VM is 1 with CR0.PE 0" : null;
                case GUEST_RFLAGS_IF_FOR_INTERRUPT: {
                    InterruptionInfo info = injected();
                    if (!info.isValid() || info.type() != InterruptionType.EXTERNAL_INTERRUPT) {
                        return null;
                    }
                    return (f(VmcsField.GUEST_RFLAGS) & (1 << 9)) != 0 ? null : "VM entry injects an external interrupt but RFLAGS.IF is 0";
                }
                case GUEST_ACTIVITY_STATE: {
                    long state = f(VmcsField.GUEST_ACTIVITY_STATE);
                    if (!GuestActivityState.of(state).isKnown()) {
                        return "GUEST_ACTIVITY_STATE " + state + " is not 0 (active), 1 (HLT), 2 (shutdown) or 3 (wait-for-SIPI)";
                    }
                    if (state != 0 && capabilities.isPresent() && (capabilities.get().misc().activityStates() & (1 << (state - 1))) == 0) {
                        return "GUEST_ACTIVITY_STATE " + state + " is not supported by IA32_VMX_MISC";
                    }
                    int ssDpl = SegmentAccessRights.from(f(VmcsField.GUEST_SS_AR_BYTES)).dpl();
                    if (state == GuestActivityState.HLT.raw() && ssDpl != 0) {
                        return "GUEST_ACTIVITY_STATE is HLT but SS.DPL is " + ssDpl;
                    }
                    return null;
                }
                case GUEST_ACTIVITY_STATE_BLOCKING: {
                    long state = f(VmcsField.GUEST_ACTIVITY_STATE);
                    long blocking = f(VmcsField.GUEST_INTERRUPTIBILITY_INFO)
                            & (GuestInterruptibility.BLOCKING_BY_STI | GuestInterruptibility.BLOCKING_BY_MOV_SS);
                    if (blocking != 0 && state != 0) {
                        return String.format(Locale.ROOT, "GUEST_ACTIVITY_STATE is %d but blocking by %s is 1, which needs the active state",
                                state, blocking == 1 ? "STI" : blocking == 2 ? "MOV SS" : "STI and MOV SS");
                    }
                    return state == GuestActivityState.WAIT_FOR_SIPI.raw() && entry(EntryControl.ENTRY_TO_SMM) ? "GUEST_ACTIVITY_STATE is wait-for-SIPI with ENTRY_TO_SMM 1" : null;
                }
                case GUEST_ACTIVITY_STATE_INJECTION:
                    return injectionInActivityState();
                case GUEST_INTERRUPTIBILITY:
                    return interruptibility();
                case GUEST_NMI_INJECTION_STI_BLOCKING: {
                    InterruptionInfo info = injected();
                    return info.isValid() && info.type() == InterruptionType.NMI
                            && GuestInterruptibility.from(f(VmcsField.GUEST_INTERRUPTIBILITY_INFO)).isBlockingBySti()
                            ? "VM entry injects an NMI while blocking by STI is 1" : null;
                }
                case GUEST_INTERRUPTIBILITY_SMI_NMI_ENCLAVE: {
                    GuestInterruptibility state = GuestInterruptibility.from(f(VmcsField.GUEST_INTERRUPTIBILITY_INFO));
                    boolean smi = state.isBlockingBySmi();
                    boolean toSmm = entry(EntryControl.ENTRY_TO_SMM);
                    if (smi != toSmm) {
                        return toSmm ? "ENTRY_TO_SMM is 1 but blocking by SMI is 0"
                                : "blocking by SMI is 1, which only a VM entry in SMM may load";
                    }
                    InterruptionInfo info = injected();
                    if (state.isBlockingByNmi() && pin(PinBasedControl.VIRTUAL_NMIS) && info.isValid() && info.type() == InterruptionType.NMI) {
                        return "VM entry injects an NMI with VIRTUAL_NMIS 1 while blocking by NMI is 1";
                    }
                    if (state.isEnclaveInterruption() && sgx.isPresent() && !sgx.get()) {
                        return "enclave interruption (bit 4) is 1 on a processor without SGX";
                    }
                    return state.isEnclaveInterruption() && state.isBlockingByMovSs() ? "enclave interruption and blocking by MOV SS are both 1" : null;
                }
                case GUEST_PENDING_DEBUG_EXCEPTIONS:
                    return pendingDebugExceptions();
                case GUEST_VMCS_LINK_POINTER:
                    return vmcsLinkPointer();
                case GUEST_PDPTES:
                    return pdptes();
                case GUEST_PDPTES_FROM_MEMORY:
                    return pdptesFromMemory();
                case ENTRY_MSR_LOAD_COUNT:
                    return msrLoadCount();
                case ENTRY_MSR_LOAD_LIST:
                    return msrLoadList();
                default:
                    throw new IllegalStateException("no evaluation for " + check);
            }
        }

        private String fixed(String what, long value, long violations) {
            return violations == 0 ? null : String.format(Locale.ROOT, "%s 0x%x: bits 0x%x violate the IA32_VMX_CR%s_FIXED0/FIXED1 settings",
                    what, value, violations, what.endsWith("CR0") ? "0" : "4");
        }

        private String physical(VmcsField field) {
            long value = f(field);
            return (value >>> physicalAddressWidth) == 0 ? null : String.format(Locale.ROOT, "%s 0x%x sets bits beyond %d physical-address bits",
                    field, value, physicalAddressWidth);
        }

        private String canonical(VmcsField field, boolean la57) {
            long value = f(field);
            int bits = la57 ? 57 : 48;
            long extended = (value << (64 - bits)) >> (64 - bits);
            return extended == value ? null : String.format(Locale.ROOT, "%s 0x%x is not canonical (%d-bit linear addresses)", field, value, bits);
        }

        private String efer(long efer, boolean longMode, boolean checkLme, String control) {
            long reserved = efer & ~0xD01L; // SCE (0), LME (8), LMA (10), NXE (11)
            if (reserved != 0) {
                return String.format(Locale.ROOT, "IA32_EFER 0x%x has reserved bits 0x%x set", efer, reserved);
            }
            boolean lma = (efer & (1 << 10)) != 0;
            if (lma != longMode) {
                return String.format(Locale.ROOT, "IA32_EFER 0x%x: LMA is %d but %s is %d", efer, lma ? 1 : 0, control, longMode ? 1 : 0);
            }
            boolean lme = (efer & (1 << 8)) != 0;
            return !checkLme || lme == longMode ? null
                    : String.format(Locale.ROOT, "IA32_EFER 0x%x: LME is %d but %s is %d", efer, lme ? 1 : 0, control, longMode ? 1 : 0);
        }

        private String pat(VmcsField field) {
            long pat = f(field);
            for (int i = 0; i < 8; i++) {
                long type = (pat >>> (8 * i)) & 0xFF;
                if (type == 2 || type == 3 || type > 7) {
                    return String.format(Locale.ROOT, "%s 0x%x: entry %d has memory type %d", field, pat, i, type);
                }
            }
            return null;
        }

        private InterruptionInfo injected() {
            return InterruptionInfo.of((int) f(VmcsField.VM_ENTRY_INTR_INFO_FIELD));
        }

        private String eventInjection() {
            InterruptionInfo info = injected();
            if (!info.isValid()) {
                passDetail = "no event injected";
                return null;
            }
            int raw = info.raw();
            if ((raw & 0x7FFF_F000) != 0) {
                return String.format(Locale.ROOT, "VM_ENTRY_INTR_INFO_FIELD 0x%x has reserved bits 30:12 set", raw);
            }
            InterruptionType type = info.type();
            int vector = info.vector();
            if (type == InterruptionType.RESERVED) {
                return String.format(Locale.ROOT, "VM_ENTRY_INTR_INFO_FIELD 0x%x has the reserved interruption type 1", raw);
            }
            if (type == InterruptionType.OTHER_EVENT && capabilities.isPresent()
                    && !allowedOne(ControlField.PRIMARY_PROCESSOR_BASED, PrimaryProcessorBasedControl.MONITOR_TRAP_FLAG)) {
                return String.format(Locale.ROOT, "VM_ENTRY_INTR_INFO_FIELD 0x%x has type 7 (other event), which is reserved on a processor"
                        + " without the 1-setting of MONITOR_TRAP_FLAG", raw);
            }
            if (type == InterruptionType.NMI && vector != 2) {
                return String.format(Locale.ROOT, "VM_ENTRY_INTR_INFO_FIELD 0x%x injects an NMI with vector %d, not 2", raw, vector);
            }
            if (type == InterruptionType.HARDWARE_EXCEPTION && vector > 31) {
                return String.format(Locale.ROOT, "VM_ENTRY_INTR_INFO_FIELD 0x%x injects a hardware exception with vector %d > 31", raw, vector);
            }
            if (type == InterruptionType.OTHER_EVENT && vector != 0) {
                return String.format(Locale.ROOT, "VM_ENTRY_INTR_INFO_FIELD 0x%x injects type 7 with vector %d, not 0 (pending MTF)", raw, vector);
            }
            // "protected mode" for this rule: "unrestricted guest" 0 (CR0.PE is then fixed to 1) or CR0.PE 1
            boolean protectedMode = !unrestricted() || (f(VmcsField.GUEST_CR0) & 1) != 0;
            boolean exceptionInProtectedMode = type == InterruptionType.HARDWARE_EXCEPTION && protectedMode;
            // #DF #TS #NP #SS #GP #PF #AC, and #CP (21) in the CET editions of the SDM
            boolean deliversErrorCode = exceptionInProtectedMode
                    && (vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21);
            boolean anyVectorMayHaveOne = capabilities.isPresent() && capabilities.get().basic().noErrorCodeRequired();
            if (anyVectorMayHaveOne) {
                if (info.isErrorCodeValid() && !exceptionInProtectedMode) {
                    return String.format(Locale.ROOT, "VM_ENTRY_INTR_INFO_FIELD 0x%x: deliver-error-code is 1, but only a hardware exception"
                            + " in protected mode may have one (IA32_VMX_BASIC[56] relaxes only the vector)", raw);
                }
            } else if (info.isErrorCodeValid() != deliversErrorCode) {
                return String.format(Locale.ROOT, "VM_ENTRY_INTR_INFO_FIELD 0x%x: deliver-error-code is %d, but vector %d of type %s %s",
                        raw, info.isErrorCodeValid() ? 1 : 0, vector, type, deliversErrorCode ? "delivers one" : "delivers none here");
            }
            if (info.isErrorCodeValid()) {
                long errorCode = f(VmcsField.VM_ENTRY_EXCEPTION_ERROR_CODE);
                if ((errorCode & 0xFFFF_0000L) != 0) {
                    return String.format(Locale.ROOT, "VM_ENTRY_EXCEPTION_ERROR_CODE 0x%x has bits 31:16 set", errorCode);
                }
            }
            if (type == InterruptionType.SOFTWARE_INTERRUPT || type == InterruptionType.PRIVILEGED_SOFTWARE_EXCEPTION
                    || type == InterruptionType.SOFTWARE_EXCEPTION) {
                long length = f(VmcsField.VM_ENTRY_INSTRUCTION_LEN);
                if (length > 15) {
                    return "VM_ENTRY_INSTRUCTION_LEN " + length + " is above 15 for a software event";
                }
                if (length == 0) {
                    if (capabilities.isEmpty()) {
                        throw new NotJudged("VM_ENTRY_INSTRUCTION_LEN is 0 for a software event, which only IA32_VMX_MISC[30] allows:"
                                + " needs the IA32_VMX_* capability MSRs", List.of());
                    }
                    if (!capabilities.get().misc().zeroLengthInjection()) {
                        return "VM_ENTRY_INSTRUCTION_LEN is 0 for a software event and IA32_VMX_MISC[30] is 0";
                    }
                }
            }
            return null;
        }

        private boolean allowedOne(ControlField field, dev.vmx.cap.ControlBit bit) {
            try {
                return caps().allowed(field).canBeOne(bit);
            } catch (java.util.NoSuchElementException e) {
                throw new NotJudged("the capabilities lack the MSR for " + field + ": " + e.getMessage(), List.of());
            }
        }

        private String vmFunctionControls() {
            if (!secondary(SecondaryProcessorBasedControl.ENABLE_VM_FUNCTIONS)) {
                passDetail = "ENABLE_VM_FUNCTIONS is 0";
                return null;
            }
            long functions = f(VmcsField.VM_FUNCTION_CONTROL);
            if ((functions & 1) != 0) {
                if (!secondary(SecondaryProcessorBasedControl.ENABLE_EPT)) {
                    return "VM function 0 (EPTP switching) is enabled but ENABLE_EPT is 0";
                }
                String list = address(VmcsField.EPTP_LIST_ADDRESS, 0xFFF);
                if (list != null) {
                    return list;
                }
            }
            long allowed = caps().vmFunctions().orElseThrow(() -> new NotJudged("the capabilities lack IA32_VMX_VMFUNC", List.of()));
            long forbidden = functions & ~allowed;
            return forbidden == 0 ? null : String.format(Locale.ROOT, "VM_FUNCTION_CONTROL 0x%x enables functions 0x%x that IA32_VMX_VMFUNC 0x%x"
                    + " does not allow", functions, forbidden, allowed);
        }

        private String cetNeedsWp(String which, long cr0, long cr4) {
            return (cr4 & (1L << 23)) != 0 && (cr0 & (1L << 16)) == 0 ? String.format(Locale.ROOT,
                    "%s CR4 0x%x has CET 1 but %s CR0 0x%x has WP 0", which, cr4, which, cr0) : null;
        }

        private String injectionInActivityState() {
            InterruptionInfo info = injected();
            long state = f(VmcsField.GUEST_ACTIVITY_STATE);
            if (!info.isValid() || state == GuestActivityState.ACTIVE.raw() || !GuestActivityState.of(state).isKnown()) {
                passDetail = !info.isValid() ? "no event injected" : state == 0 ? "active state: any event" : "activity state judged by GUEST_ACTIVITY_STATE";
                return null;
            }
            InterruptionType type = info.type();
            int vector = info.vector();
            boolean machineCheck = type == InterruptionType.HARDWARE_EXCEPTION && vector == 18;
            boolean allowed;
            String name;
            if (state == 1) {
                name = "HLT";
                allowed = type == InterruptionType.EXTERNAL_INTERRUPT || type == InterruptionType.NMI || machineCheck
                        || (type == InterruptionType.HARDWARE_EXCEPTION && vector == 1) || (type == InterruptionType.OTHER_EVENT && vector == 0);
            } else if (state == 2) {
                name = "shutdown";
                allowed = type == InterruptionType.NMI || machineCheck;
            } else {
                name = "wait-for-SIPI";
                allowed = false;
            }
            return allowed ? null : String.format(Locale.ROOT, "VM entry injects %s vector %d, which the %s activity state blocks",
                    type, vector, name);
        }

        private String vmcsLinkPointer() {
            long link = f(VmcsField.VMCS_LINK_POINTER);
            if (link == -1L) {
                passDetail = "FFFFFFFF_FFFFFFFFH: no linked VMCS";
                return null;
            }
            if ((link & 0xFFF) != 0) {
                return String.format(Locale.ROOT, "VMCS_LINK_POINTER 0x%x is not 4-KByte aligned", link);
            }
            if ((link >>> physicalAddressWidth) != 0) {
                return String.format(Locale.ROOT, "VMCS_LINK_POINTER 0x%x sets bits beyond %d physical-address bits", link, physicalAddressWidth);
            }
            long header = readMemory(link, 4, "the header of the VMCS at VMCS_LINK_POINTER 0x" + Long.toHexString(link));
            boolean shadowIndicator = (header >>> 31) != 0;
            boolean shadowing = secondary(SecondaryProcessorBasedControl.VMCS_SHADOWING);
            if (shadowIndicator != shadowing) {
                return String.format(Locale.ROOT, "the VMCS at VMCS_LINK_POINTER 0x%x has shadow-VMCS indicator %d but VMCS_SHADOWING is %d",
                        link, shadowIndicator ? 1 : 0, shadowing ? 1 : 0);
            }
            long revision = header & 0x7FFF_FFFFL;
            long expected = caps().basic().revisionId();
            return revision == expected ? null : String.format(Locale.ROOT,
                    "the VMCS at VMCS_LINK_POINTER 0x%x has revision identifier 0x%x, the processor's is 0x%x", link, revision, expected);
        }

        /** Little-endian bytes of the memory the VMCS points to; NOT_JUDGED without it. */
        private long readMemory(long address, int length, String what) {
            GuestMemory m = memory.orElseThrow(() -> new NotJudged("needs " + what + ", which is in memory, not in the VMCS", List.of()));
            long value = 0;
            for (int i = length - 1; i >= 0; i--) {
                OptionalInt b = m.readByte(address + i);
                if (b.isEmpty()) {
                    throw new NotJudged(String.format(Locale.ROOT, "needs %s, but byte 0x%x is not in the memory given", what, address + i),
                            List.of());
                }
                value = (value << 8) | b.getAsInt();
            }
            return value;
        }

        private String pdptesFromMemory() {
            long cr0 = f(VmcsField.GUEST_CR0);
            long cr4 = f(VmcsField.GUEST_CR4);
            boolean pae = (cr0 & 0x8000_0000L) != 0 && (cr4 & (1 << 5)) != 0 && !ia32e();
            if (!pae || secondary(SecondaryProcessorBasedControl.ENABLE_EPT)) {
                passDetail = "no PAE paging without EPT";
                return null;
            }
            long table = f(VmcsField.GUEST_CR3) & 0xFFFF_FFE0L;
            for (int i = 0; i < 4; i++) {
                long address = table + 8L * i;
                long pdpte = readMemory(address, 8, String.format(Locale.ROOT, "PDPTE %d at 0x%x (CR3 0x%x)", i, address, f(VmcsField.GUEST_CR3)));
                long reserved = pdpte & (0x6L | 0x1E0L | 0xFFF0_0000_0000_0000L);
                if ((pdpte & 1) != 0 && reserved != 0) {
                    return String.format(Locale.ROOT, "PDPTE %d 0x%x at 0x%x is present with reserved bits 0x%x set", i, pdpte, address, reserved);
                }
            }
            return null;
        }

        private String msrLoadCount() {
            long count = f(VmcsField.VM_ENTRY_MSR_LOAD_COUNT);
            if (count <= 512) {
                passDetail = "VM_ENTRY_MSR_LOAD_COUNT " + count + " is within every processor's 512 * (N + 1)";
                return null;
            }
            int limit = caps().misc().maxMsrListEntries();
            if (count <= limit) {
                return null;
            }
            failedMsrEntry = limit + 1L;
            return "VM_ENTRY_MSR_LOAD_COUNT " + count + " exceeds the " + limit + " entries IA32_VMX_MISC recommends";
        }

        private long ar(GuestSegment segment) {
            return f(segment.accessRights());
        }

        private boolean usable(GuestSegment segment) {
            return (ar(segment) & SegmentAccessRights.UNUSABLE) == 0;
        }

        private String tr() {
            long selector = f(VmcsField.GUEST_TR_SELECTOR);
            long ar = ar(GuestSegment.TR);
            long type = ar & SegmentAccessRights.TYPE_MASK;
            if ((selector & 4) != 0) {
                return String.format(Locale.ROOT, "TR selector 0x%x has TI 1", selector);
            }
            if ((ar & SegmentAccessRights.UNUSABLE) != 0) {
                return String.format(Locale.ROOT, "TR access rights 0x%x mark it unusable", ar);
            }
            if (ia32e() ? type != 11 : type != 3 && type != 11) {
                return String.format(Locale.ROOT, "TR access rights 0x%x: type %d is not a busy TSS (%s)", ar, type, ia32e() ? "11 in IA-32e mode" : "3 or 11");
            }
            String descriptor = systemDescriptor("TR", ar);
            return descriptor != null ? descriptor : canonical(VmcsField.GUEST_TR_BASE, (f(VmcsField.GUEST_CR4) & (1L << 12)) != 0);
        }

        private String ldtr() {
            long ar = ar(GuestSegment.LDTR);
            if ((ar & SegmentAccessRights.UNUSABLE) != 0) {
                passDetail = "LDTR unusable";
                return null;
            }
            long selector = f(VmcsField.GUEST_LDTR_SELECTOR);
            if ((selector & 4) != 0) {
                return String.format(Locale.ROOT, "LDTR selector 0x%x has TI 1", selector);
            }
            if ((ar & SegmentAccessRights.TYPE_MASK) != 2) {
                return String.format(Locale.ROOT, "LDTR access rights 0x%x: type %d is not 2 (LDT)", ar, ar & SegmentAccessRights.TYPE_MASK);
            }
            String descriptor = systemDescriptor("LDTR", ar);
            return descriptor != null ? descriptor : canonical(VmcsField.GUEST_LDTR_BASE, (f(VmcsField.GUEST_CR4) & (1L << 12)) != 0);
        }

        private String systemDescriptor(String name, long ar) {
            if ((ar & SegmentAccessRights.S) != 0) {
                return String.format(Locale.ROOT, "%s access rights 0x%x have S 1 (a code/data segment)", name, ar);
            }
            if ((ar & SegmentAccessRights.P) == 0) {
                return String.format(Locale.ROOT, "%s access rights 0x%x have P 0", name, ar);
            }
            return (ar & AR_RESERVED) == 0 ? null : String.format(Locale.ROOT, "%s access rights 0x%x have reserved bits 0x%x set", name, ar, ar & AR_RESERVED);
        }

        private String codeOrData(String name, long ar) {
            if ((ar & SegmentAccessRights.S) == 0) {
                return String.format(Locale.ROOT, "%s access rights 0x%x have S 0 (a system segment)", name, ar);
            }
            if ((ar & SegmentAccessRights.P) == 0) {
                return String.format(Locale.ROOT, "%s access rights 0x%x have P 0", name, ar);
            }
            return (ar & AR_RESERVED) == 0 ? null : String.format(Locale.ROOT, "%s access rights 0x%x have reserved bits 0x%x set", name, ar, ar & AR_RESERVED);
        }

        private String csType() {
            if (v8086()) {
                passDetail = "virtual-8086 mode (checked by GUEST_VIRTUAL_8086)";
                return null;
            }
            long ar = ar(GuestSegment.CS);
            long type = ar & SegmentAccessRights.TYPE_MASK;
            boolean ok = type == 9 || type == 11 || type == 13 || type == 15 || (type == 3 && unrestricted());
            if (!ok) {
                return String.format(Locale.ROOT, "CS access rights 0x%x: type %d is not an accessed code segment (9, 11, 13, 15%s)", ar, type,
                        unrestricted() ? ", or 3" : "");
            }
            return codeOrData("CS", ar);
        }

        private String csDpl() {
            if (v8086()) {
                return null;
            }
            long cs = ar(GuestSegment.CS);
            long csDpl = (cs >>> 5) & 3;
            long ssDpl = (ar(GuestSegment.SS) >>> 5) & 3;
            long type = cs & SegmentAccessRights.TYPE_MASK;
            if (type == 3) {
                return csDpl == 0 ? null : "CS type 3 (unrestricted guest) needs DPL 0, has " + csDpl;
            }
            if (type == 9 || type == 11) {
                return csDpl == ssDpl ? null : "non-conforming CS has DPL " + csDpl + " but SS has DPL " + ssDpl;
            }
            if (type == 13 || type == 15) {
                return csDpl <= ssDpl ? null : "conforming CS has DPL " + csDpl + " above SS DPL " + ssDpl;
            }
            passDetail = "CS type " + type + " (reported by GUEST_CS_TYPE)";
            return null;
        }

        private String ss() {
            if (v8086()) {
                return null;
            }
            long ar = ar(GuestSegment.SS);
            long dpl = (ar >>> 5) & 3;
            long selector = f(VmcsField.GUEST_SS_SELECTOR);
            if (!unrestricted() && dpl != (selector & 3)) {
                return String.format(Locale.ROOT, "SS DPL %d differs from the RPL %d of selector 0x%x", dpl, selector & 3, selector);
            }
            if (((ar(GuestSegment.CS) & SegmentAccessRights.TYPE_MASK) == 3 || (f(VmcsField.GUEST_CR0) & 1) == 0) && dpl != 0) {
                return "SS DPL is " + dpl + " but must be 0 (CS type 3 or CR0.PE 0)";
            }
            if ((ar & SegmentAccessRights.UNUSABLE) != 0) {
                return null;
            }
            long type = ar & SegmentAccessRights.TYPE_MASK;
            if (type != 3 && type != 7) {
                return String.format(Locale.ROOT, "SS access rights 0x%x: type %d is not a read/write data segment (3 or 7)", ar, type);
            }
            return codeOrData("SS", ar);
        }

        private String dataSegments() {
            if (v8086()) {
                return null;
            }
            for (GuestSegment segment : new GuestSegment[] {GuestSegment.DS, GuestSegment.ES, GuestSegment.FS, GuestSegment.GS}) {
                long ar = ar(segment);
                if ((ar & SegmentAccessRights.UNUSABLE) != 0) {
                    continue;
                }
                long type = ar & SegmentAccessRights.TYPE_MASK;
                if ((type & 1) == 0) {
                    return String.format(Locale.ROOT, "%s access rights 0x%x: type %d is not accessed", segment, ar, type);
                }
                if ((type & 8) != 0 && (type & 2) == 0) {
                    return String.format(Locale.ROOT, "%s access rights 0x%x: execute-only code segment (type %d)", segment, ar, type);
                }
                String problem = codeOrData(segment.toString(), ar);
                if (problem != null) {
                    return problem;
                }
                long selector = f(segment.selector());
                if (!unrestricted() && type <= 11 && ((ar >>> 5) & 3) < (selector & 3)) {
                    return String.format(Locale.ROOT, "%s DPL %d is below the RPL %d of selector 0x%x", segment, (ar >>> 5) & 3, selector & 3, selector);
                }
            }
            return null;
        }

        private String limits() {
            for (GuestSegment segment : GuestSegment.values()) {
                long ar = ar(segment);
                // SDM 26.3.1.2: the access-rights checks apply "if the register is CS or if the register is usable"
                if ((ar & SegmentAccessRights.UNUSABLE) != 0 && segment != GuestSegment.TR && segment != GuestSegment.CS) {
                    continue;
                }
                long limit = f(segment.limit());
                boolean granular = (ar & SegmentAccessRights.G) != 0;
                if ((limit & 0xFFF) != 0xFFF && granular) {
                    return String.format(Locale.ROOT, "%s limit 0x%x has a 0 in bits 11:0 but G is 1", segment, limit);
                }
                if ((limit & 0xFFF0_0000L) != 0 && !granular) {
                    return String.format(Locale.ROOT, "%s limit 0x%x has a 1 in bits 31:20 but G is 0", segment, limit);
                }
            }
            return null;
        }

        private String bases() {
            boolean la57 = (f(VmcsField.GUEST_CR4) & (1L << 12)) != 0;
            for (GuestSegment segment : new GuestSegment[] {GuestSegment.FS, GuestSegment.GS}) {
                String problem = canonical(segment.base(), la57);
                if (problem != null) {
                    return problem;
                }
            }
            if ((f(VmcsField.GUEST_CS_BASE) >>> 32) != 0) {
                return String.format(Locale.ROOT, "GUEST_CS_BASE 0x%x has bits 63:32 set", f(VmcsField.GUEST_CS_BASE));
            }
            for (GuestSegment segment : new GuestSegment[] {GuestSegment.SS, GuestSegment.DS, GuestSegment.ES}) {
                if (usable(segment) && (f(segment.base()) >>> 32) != 0) {
                    return String.format(Locale.ROOT, "%s 0x%x has bits 63:32 set", segment.base(), f(segment.base()));
                }
            }
            return null;
        }

        private String virtual8086() {
            if (!v8086()) {
                passDetail = "not in virtual-8086 mode";
                return null;
            }
            for (GuestSegment segment : new GuestSegment[] {GuestSegment.CS, GuestSegment.SS, GuestSegment.DS, GuestSegment.ES,
                GuestSegment.FS, GuestSegment.GS}) {
                long selector = f(segment.selector());
                long base = f(segment.base());
                if (base != selector << 4) {
                    return String.format(Locale.ROOT, "%s base 0x%x is not selector 0x%x << 4 in virtual-8086 mode", segment, base, selector);
                }
                if (f(segment.limit()) != 0xFFFF) {
                    return String.format(Locale.ROOT, "%s limit 0x%x is not FFFFH in virtual-8086 mode", segment, f(segment.limit()));
                }
                if (ar(segment) != 0xF3) {
                    return String.format(Locale.ROOT, "%s access rights 0x%x are not F3H in virtual-8086 mode", segment, ar(segment));
                }
            }
            return null;
        }

        private String interruptibility() {
            GuestInterruptibility state = GuestInterruptibility.from(f(VmcsField.GUEST_INTERRUPTIBILITY_INFO));
            if (state.reservedBits() != 0) {
                return String.format(Locale.ROOT, "GUEST_INTERRUPTIBILITY_INFO 0x%x has reserved bits 31:5 set", state.raw());
            }
            boolean sti = state.isBlockingBySti();
            boolean movSs = state.isBlockingByMovSs();
            if (sti && movSs) {
                return "blocking by STI and blocking by MOV SS are both 1";
            }
            if (sti && (f(VmcsField.GUEST_RFLAGS) & (1 << 9)) == 0) {
                return "blocking by STI is 1 but RFLAGS.IF is 0";
            }
            InterruptionInfo info = injected();
            if (info.isValid() && info.type() == InterruptionType.EXTERNAL_INTERRUPT && (sti || movSs)) {
                return "VM entry injects an external interrupt while blocking by " + (sti ? "STI" : "MOV SS") + " is 1";
            }
            if (info.isValid() && info.type() == InterruptionType.NMI && movSs) {
                return "VM entry injects an NMI while blocking by MOV SS is 1";
            }
            return null;
        }

        private String pendingDebugExceptions() {
            long pending = f(VmcsField.GUEST_PENDING_DBG_EXCEPTIONS);
            long reserved = PendingDebugExceptions.of(pending).reservedBits();
            if (reserved != 0) {
                return String.format(Locale.ROOT, "GUEST_PENDING_DBG_EXCEPTIONS 0x%x has reserved bits 0x%x set", pending, reserved);
            }
            if ((pending & PendingDebugExceptions.RTM) != 0 && rtm.isPresent() && !rtm.get()) {
                return String.format(Locale.ROOT, "GUEST_PENDING_DBG_EXCEPTIONS 0x%x has bit 16 (RTM) set on a processor without RTM", pending);
            }
            GuestInterruptibility interruptibility = GuestInterruptibility.from(f(VmcsField.GUEST_INTERRUPTIBILITY_INFO));
            boolean blocked = interruptibility.isBlockingBySti() || interruptibility.isBlockingByMovSs()
                    || f(VmcsField.GUEST_ACTIVITY_STATE) == GuestActivityState.HLT.raw();
            if (!blocked) {
                return null;
            }
            boolean tf = (f(VmcsField.GUEST_RFLAGS) & (1 << 8)) != 0;
            boolean btf = (f(VmcsField.GUEST_IA32_DEBUGCTL) & 2) != 0;
            boolean bs = PendingDebugExceptions.of(pending).isSingleStep();
            boolean shouldBs = tf && !btf;
            return bs == shouldBs ? null : String.format(Locale.ROOT,
                    "pending BS is %d but RFLAGS.TF %d and IA32_DEBUGCTL.BTF %d require %d (blocking by STI/MOV SS or HLT)",
                    bs ? 1 : 0, tf ? 1 : 0, btf ? 1 : 0, shouldBs ? 1 : 0);
        }

        private String pdptes() {
            long cr0 = f(VmcsField.GUEST_CR0);
            long cr4 = f(VmcsField.GUEST_CR4);
            boolean pae = (cr0 & 0x8000_0000L) != 0 && (cr4 & (1 << 5)) != 0 && !ia32e();
            if (!pae || !secondary(SecondaryProcessorBasedControl.ENABLE_EPT)) {
                passDetail = "no PAE paging with EPT";
                return null;
            }
            VmcsField[] fields = {VmcsField.GUEST_PDPTR0, VmcsField.GUEST_PDPTR1, VmcsField.GUEST_PDPTR2, VmcsField.GUEST_PDPTR3};
            for (VmcsField field : fields) {
                long pdpte = f(field);
                long reserved = pdpte & (0x6L | 0x1E0L | 0xFFF0_0000_0000_0000L);
                if ((pdpte & 1) != 0 && reserved != 0) {
                    return String.format(Locale.ROOT, "%s 0x%x is present with reserved bits 0x%x set", field, pdpte, reserved);
                }
            }
            return null;
        }

        private String msrLoadList() {
            long count = f(VmcsField.VM_ENTRY_MSR_LOAD_COUNT);
            if (count == 0) {
                passDetail = "VM_ENTRY_MSR_LOAD_COUNT is 0";
                return null;
            }
            if (entryMsrLoadList.isEmpty() && memory.isEmpty()) {
                throw new NotJudged("needs the " + count + " entries of the VM-entry MSR-load area (in memory, not in the VMCS)", List.of());
            }
            // entries are processed in order and the processor (like KVM) stops at the first bad one; from memory, at most
            // the recommended maximum is read, as KVM fails the entry there (ENTRY_MSR_LOAD_COUNT)
            long available = entryMsrLoadList.isPresent() ? entryMsrLoadList.get().size()
                    : capabilities.map(c -> (long) c.misc().maxMsrListEntries()).orElse(count);
            long base = entryMsrLoadList.isPresent() ? 0 : f(VmcsField.VM_ENTRY_MSR_LOAD_ADDR);
            for (int i = 0; i < Math.min(count, available); i++) {
                MsrEntry entry;
                if (entryMsrLoadList.isPresent()) {
                    entry = entryMsrLoadList.get().get(i);
                } else {
                    long address = base + 16L * i;
                    String what = String.format(Locale.ROOT, "VM-entry MSR-load entry %d at 0x%x", i + 1, address);
                    long low = readMemory(address, 8, what);
                    entry = new MsrEntry(low & 0xFFFF_FFFFL, low >>> 32, readMemory(address + 8, 8, what));
                }
                String problem = msrEntryProblem(entry);
                if (problem != null) {
                    failedMsrEntry = i + 1;
                    return "entry " + (i + 1) + " (MSR 0x" + Long.toHexString(entry.index()) + "): " + problem;
                }
            }
            if (available < count) {
                throw new NotJudged("VM_ENTRY_MSR_LOAD_COUNT is " + count + " but only " + available + " entries were "
                        + (entryMsrLoadList.isPresent() ? "given" : "read (the rest lie past the limit of ENTRY_MSR_LOAD_COUNT)"), List.of());
            }
            return null;
        }
    }

    /** Why a VM-entry MSR-load entry fails (SDM 26.4; the microcode MSRs as KVM 6.1 nested_vmx_msr_check_common()), or null. */
    static String msrEntryProblem(MsrEntry entry) {
        long index = entry.index() & 0xFFFF_FFFFL;
        if (entry.reserved() != 0) {
            return "bits 63:32 of the entry are not 0";
        }
        if (index == 0xC000_0100L || index == 0xC000_0101L) {
            return (index == 0xC000_0100L ? "IA32_FS_BASE" : "IA32_GS_BASE")
                    + " cannot be loaded from the MSR-load area (VM entry loads it from the guest-state area)";
        }
        if ((index >>> 8) == 0x8) {
            return "an x2APIC MSR (800H-8FFH) cannot be loaded on VM entry";
        }
        if (index == 0x9B) {
            return "IA32_SMM_MONITOR_CTL can be written only in SMM";
        }
        if (index == 0x79 || index == 0x8B) {
            return (index == 0x79 ? "IA32_BIOS_UPDT_TRIG (79H)" : "IA32_BIOS_SIGN_ID (8BH)")
                    + " cannot be loaded on VM entry (model-specific; KVM refuses it)";
        }
        if (index == 0xC000_0102L) {
            long value = entry.value();
            long extended = (value << 16) >> 16;
            if (extended != value) {
                return String.format(Locale.ROOT, "value 0x%x is not canonical, so WRMSR would #GP", value);
            }
        }
        return null;
    }
}
