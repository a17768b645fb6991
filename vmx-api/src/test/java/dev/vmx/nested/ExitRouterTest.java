package dev.vmx.nested;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.SourceTable;
import dev.vmx.cap.ControlBit;
import dev.vmx.cap.PinBasedControl;
import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.cap.SecondaryProcessorBasedControl;
import dev.vmx.cap.TertiaryProcessorBasedControl;
import dev.vmx.event.ExceptionVector;
import dev.vmx.event.GeneralRegister;
import dev.vmx.event.InterruptionInfo;
import dev.vmx.event.InterruptionType;
import dev.vmx.event.VmInstructionError;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import dev.vmx.exit.ExitReasonFlag;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Exit routing: every rule with a case that goes to L1 and one that does not, the bitmap edges,
 * and agreement with KVM 6.1's nested_vmx_reflect_vmexit() (deliberate differences named in the
 * resource).
 */
class ExitRouterTest {
    private static final long IO_A = 0x10000;
    private static final long IO_B = 0x11000;
    private static final long MSRS = 0x12000;
    private static final long VMREAD = 0x13000;
    private static final long VMWRITE = 0x14000;
    private static final long EPT_ROOT = 0x20000;
    private static final long EPTP_LIST = 0x30000;

    /** L1's VMCS with every control 0 and every field a rule may read. */
    private static VmcsSnapshot.Builder zero() {
        return VmcsSnapshot.builder()
                .put(VmcsField.PIN_BASED_VM_EXEC_CONTROL, 0).put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, 0)
                .put(VmcsField.SECONDARY_VM_EXEC_CONTROL, 0).put(VmcsField.TERTIARY_VM_EXEC_CONTROL, 0)
                .put(VmcsField.EXCEPTION_BITMAP, 0).put(VmcsField.PAGE_FAULT_ERROR_CODE_MASK, 0)
                .put(VmcsField.PAGE_FAULT_ERROR_CODE_MATCH, 0).put(VmcsField.CR0_GUEST_HOST_MASK, 0)
                .put(VmcsField.CR0_READ_SHADOW, 0).put(VmcsField.CR4_GUEST_HOST_MASK, 0).put(VmcsField.CR4_READ_SHADOW, 0)
                .put(VmcsField.CR3_TARGET_COUNT, 0).put(VmcsField.IO_BITMAP_A, IO_A).put(VmcsField.IO_BITMAP_B, IO_B)
                .put(VmcsField.MSR_BITMAP, MSRS).put(VmcsField.VMREAD_BITMAP, VMREAD).put(VmcsField.VMWRITE_BITMAP, VMWRITE)
                .put(VmcsField.ENCLS_EXITING_BITMAP, 0).put(VmcsField.ENCLV_EXITING_BITMAP, 0)
                .put(VmcsField.PCONFIG_EXITING_BITMAP, 0).put(VmcsField.XSS_EXIT_BITMAP, 0)
                .put(VmcsField.EOI_EXIT_BITMAP0, 0).put(VmcsField.EOI_EXIT_BITMAP1, 0).put(VmcsField.EOI_EXIT_BITMAP2, 0)
                .put(VmcsField.EOI_EXIT_BITMAP3, 0).put(VmcsField.EPT_POINTER, EPT_ROOT | (3 << 3) | 6)
                .put(VmcsField.VM_ENTRY_INTR_INFO_FIELD, 0).put(VmcsField.PLE_GAP, 128).put(VmcsField.PLE_WINDOW, 4096)
                .put(VmcsField.VM_FUNCTION_CONTROL, 0).put(VmcsField.EPTP_LIST_ADDRESS, EPTP_LIST);
    }

    /** Every control 1, every bitmap and mask all ones. */
    private static VmcsSnapshot.Builder one() {
        return zero().put(VmcsField.PIN_BASED_VM_EXEC_CONTROL, 0xFFFF_FFFFL).put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, 0xFFFF_FFFFL)
                .put(VmcsField.SECONDARY_VM_EXEC_CONTROL, 0xFFFF_FFFFL).put(VmcsField.TERTIARY_VM_EXEC_CONTROL, -1L)
                .put(VmcsField.EXCEPTION_BITMAP, 0xFFFF_FFFFL).put(VmcsField.CR0_GUEST_HOST_MASK, -1L)
                .put(VmcsField.CR4_GUEST_HOST_MASK, -1L).put(VmcsField.ENCLS_EXITING_BITMAP, -1L)
                .put(VmcsField.ENCLV_EXITING_BITMAP, -1L).put(VmcsField.PCONFIG_EXITING_BITMAP, -1L)
                .put(VmcsField.XSS_EXIT_BITMAP, -1L).put(VmcsField.EOI_EXIT_BITMAP0, -1L).put(VmcsField.EOI_EXIT_BITMAP1, -1L)
                .put(VmcsField.EOI_EXIT_BITMAP2, -1L).put(VmcsField.EOI_EXIT_BITMAP3, -1L);
    }

    private static final GuestMemory ALL_BITMAPS_SET = GuestMemory.builder().fill(IO_A, 4096, 0xFF).fill(IO_B, 4096, 0xFF)
            .fill(MSRS, 4096, 0xFF).fill(VMREAD, 4096, 0xFF).fill(VMWRITE, 4096, 0xFF).build();
    private static final GuestMemory NO_BITS = GuestMemory.builder().zeroPage(IO_A).zeroPage(IO_B).zeroPage(MSRS)
            .zeroPage(VMREAD).zeroPage(VMWRITE).build();

    /** A representative exit of each reason, with every register and datum a rule may read. */
    private static NestedExit exitFor(BasicExitReason reason) {
        NestedExit.Builder builder = NestedExit.builder(ExitReason.of(reason.number()));
        for (GeneralRegister register : GeneralRegister.values()) {
            builder.register(register, 0x10);
        }
        builder.register(GeneralRegister.RAX, 1).register(GeneralRegister.RDX, 0).ia32Xss(1).guestPhysicalAddress(0x5000);
        switch (reason) {
            case EXCEPTION_NMI:
                builder.interruptionInfo(InterruptionInfo.valid(6, InterruptionType.HARDWARE_EXCEPTION, false).raw());
                break;
            case CR_ACCESS:
                builder.qualification(0x3); // MOV to CR3 from RAX
                break;
            case IO_INSTRUCTION:
                builder.qualification(0x80L << 16); // OUT 1 byte to port 0x80
                break;
            case INVALID_STATE:
            case MSR_LOAD_FAIL:
            case MCE_DURING_VMENTRY:
                return NestedExit.builder(ExitReason.of(reason, ExitReasonFlag.VM_ENTRY_FAILURE)).build();
            case EPT_VIOLATION:
                builder.qualification(0x2); // write
                break;
            default:
                break;
        }
        return builder.build();
    }

    private static Route route(NestedExit exit, VmcsSnapshot vmcs12, GuestMemory memory) {
        return ExitRouter.route(exit, vmcs12, memory, L0Intercepts.kvm()).route();
    }

    @Test
    void agreesWithKvm61ExceptWhereTheSdmSaysOtherwise() {
        VmcsSnapshot zero = zero().build();
        VmcsSnapshot one = one().build();
        int rows = 0;
        for (String[] row : SourceTable.rows(getClass(), "kvm-6.1-reflect-vmexit.txt", false)) {
            BasicExitReason reason = BasicExitReason.valueOf(row[0]);
            NestedExit exit = exitFor(reason);
            assertEquals(expectedOurs(row[1]), route(exit, zero, NO_BITS), row[0] + " zero: "
                    + ExitRouter.route(exit, zero, NO_BITS, L0Intercepts.kvm()));
            assertEquals(expectedOurs(row[2]), route(exit, one, ALL_BITMAPS_SET), row[0] + " one: "
                    + ExitRouter.route(exit, one, ALL_BITMAPS_SET, L0Intercepts.kvm()));
            rows++;
        }
        assertEquals(74, rows);
    }

    /** "L1", "L0", or "KVM>OURS" for a deliberate difference. */
    private static Route expectedOurs(String cell) {
        String ours = cell.contains(">") ? cell.substring(cell.indexOf('>') + 1) : cell;
        return ours.equals("L1") ? Route.L1_WANTS : Route.L0_WANTS;
    }

    @Test
    void everyBasicReasonGetsADecisionUnderBothConfigurations() {
        for (BasicExitReason reason : BasicExitReason.values()) {
            if (reason == BasicExitReason.UNRECOGNIZED) {
                continue;
            }
            for (VmcsSnapshot vmcs12 : new VmcsSnapshot[] {zero().build(), one().build()}) {
                RoutingDecision decision = ExitRouter.l1Rule(exitFor(reason), vmcs12,
                        vmcs12.read(VmcsField.PIN_BASED_VM_EXEC_CONTROL) == 0 ? NO_BITS : eptMappingAllRwx(ALL_BITMAPS_SET));
                assertTrue(decision.section().isPresent(), reason + ": " + decision);
                assertTrue(!decision.reason().isBlank(), reason.name());
                // a defined reason must have its own rule, never the branch for numbers the SDM leaves undefined
                assertFalse(decision.reason().contains("not defined by the SDM"), reason + " fell to the undefined-number branch: " + decision);
                assertFalse(decision.reason().contains("basic exit reason " + reason.number() + " "), reason + ": " + decision);
            }
        }
        RoutingDecision unknown = ExitRouter.route(NestedExit.of(ExitReason.of(0x1234), 0), one().build(), ALL_BITMAPS_SET,
                L0Intercepts.none());
        assertEquals(Route.L0_WANTS, unknown.route());
        assertEquals("basic exit reason 4660 is not defined by the SDM: no rule of L1's controls can cause it", unknown.reason());
    }

    /** Rules decided by one control bit: the exit goes to L1 exactly when the bit is 1. */
    @Test
    void controlGatedReasonsFollowTheirControl() {
        Object[][] table = {
            {BasicExitReason.EXTERNAL_INTERRUPT, PinBasedControl.EXTERNAL_INTERRUPT_EXITING},
            {BasicExitReason.INTERRUPT_WINDOW, PrimaryProcessorBasedControl.INTERRUPT_WINDOW_EXITING},
            {BasicExitReason.NMI_WINDOW, PrimaryProcessorBasedControl.NMI_WINDOW_EXITING},
            {BasicExitReason.HLT, PrimaryProcessorBasedControl.HLT_EXITING},
            {BasicExitReason.INVLPG, PrimaryProcessorBasedControl.INVLPG_EXITING},
            {BasicExitReason.RDPMC, PrimaryProcessorBasedControl.RDPMC_EXITING},
            {BasicExitReason.RDTSC, PrimaryProcessorBasedControl.RDTSC_EXITING},
            {BasicExitReason.DR_ACCESS, PrimaryProcessorBasedControl.MOV_DR_EXITING},
            {BasicExitReason.MWAIT_INSTRUCTION, PrimaryProcessorBasedControl.MWAIT_EXITING},
            {BasicExitReason.MONITOR_INSTRUCTION, PrimaryProcessorBasedControl.MONITOR_EXITING},
            {BasicExitReason.MONITOR_TRAP_FLAG, PrimaryProcessorBasedControl.MONITOR_TRAP_FLAG},
            {BasicExitReason.TPR_BELOW_THRESHOLD, PrimaryProcessorBasedControl.USE_TPR_SHADOW},
            {BasicExitReason.PREEMPTION_TIMER, PinBasedControl.ACTIVATE_VMX_PREEMPTION_TIMER},
            {BasicExitReason.GDTR_IDTR, SecondaryProcessorBasedControl.DESCRIPTOR_TABLE_EXITING},
            {BasicExitReason.LDTR_TR, SecondaryProcessorBasedControl.DESCRIPTOR_TABLE_EXITING},
            {BasicExitReason.WBINVD, SecondaryProcessorBasedControl.WBINVD_EXITING},
            {BasicExitReason.RDRAND, SecondaryProcessorBasedControl.RDRAND_EXITING},
            {BasicExitReason.RDSEED, SecondaryProcessorBasedControl.RDSEED_EXITING},
            {BasicExitReason.APIC_ACCESS, SecondaryProcessorBasedControl.VIRTUALIZE_APIC_ACCESSES},
            {BasicExitReason.PML_FULL, SecondaryProcessorBasedControl.ENABLE_PML},
            {BasicExitReason.SPP_EVENT, SecondaryProcessorBasedControl.SUB_PAGE_WRITE_PERMISSIONS_FOR_EPT},
            {BasicExitReason.ENQCMD_PASID_FAIL, SecondaryProcessorBasedControl.ENABLE_PASID_TRANSLATION},
            {BasicExitReason.BUS_LOCK, SecondaryProcessorBasedControl.ENABLE_VMM_BUS_LOCK_DETECTION},
            {BasicExitReason.NOTIFY, SecondaryProcessorBasedControl.ENABLE_INSTRUCTION_TIMEOUT_EXIT},
            {BasicExitReason.LOADIWKEY, TertiaryProcessorBasedControl.LOADIWKEY_EXITING},
        };
        for (Object[] row : table) {
            BasicExitReason reason = (BasicExitReason) row[0];
            ControlBit control = (ControlBit) row[1];
            RoutingDecision off = ExitRouter.l1Rule(exitFor(reason), withControl(null), NO_BITS);
            RoutingDecision on = ExitRouter.l1Rule(exitFor(reason), withControl(control), NO_BITS);
            assertEquals(Route.L0_WANTS, off.route(), reason + " off: " + off);
            assertEquals(Route.L1_WANTS, on.route(), reason + " on: " + on);
            assertEquals(Optional.of(control), on.control(), reason.name());
            assertTrue(on.reason().contains(((Enum<?>) control).name() + " is 1"), on.reason());
        }
    }

    /** Zero controls plus one control bit (and what activates its field). */
    private static VmcsSnapshot withControl(ControlBit control) {
        VmcsSnapshot.Builder builder = zero();
        if (control instanceof PinBasedControl) {
            builder.put(VmcsField.PIN_BASED_VM_EXEC_CONTROL, control.mask());
        } else if (control instanceof PrimaryProcessorBasedControl) {
            builder.put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, control.mask());
        } else if (control instanceof SecondaryProcessorBasedControl) {
            builder.put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS.mask())
                    .put(VmcsField.SECONDARY_VM_EXEC_CONTROL, control.mask());
        } else if (control instanceof TertiaryProcessorBasedControl) {
            builder.put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, PrimaryProcessorBasedControl.ACTIVATE_TERTIARY_CONTROLS.mask())
                    .put(VmcsField.TERTIARY_VM_EXEC_CONTROL, control.mask());
        }
        return builder.build();
    }

    @Test
    void secondaryControlsCountOnlyWhenActivated() {
        VmcsSnapshot notActivated = zero().put(VmcsField.SECONDARY_VM_EXEC_CONTROL, 0xFFFF_FFFFL).build();
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(exitFor(BasicExitReason.WBINVD), notActivated, NO_BITS).route());
    }

    @Test
    void twoControlRules() {
        long rdtsc = PrimaryProcessorBasedControl.RDTSC_EXITING.mask();
        long invlpg = PrimaryProcessorBasedControl.INVLPG_EXITING.mask();
        long secondary = PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS.mask();
        Object[][] table = {
            // reason, primary, secondary, expected
            {BasicExitReason.RDTSCP, rdtsc, 0L, Route.L0_WANTS},
            {BasicExitReason.RDTSCP, rdtsc | secondary, SecondaryProcessorBasedControl.ENABLE_RDTSCP.mask(), Route.L1_WANTS},
            {BasicExitReason.RDTSCP, secondary, SecondaryProcessorBasedControl.ENABLE_RDTSCP.mask(), Route.L0_WANTS},
            {BasicExitReason.UMWAIT, rdtsc | secondary, SecondaryProcessorBasedControl.ENABLE_USER_WAIT_PAUSE.mask(), Route.L1_WANTS},
            {BasicExitReason.TPAUSE, secondary, SecondaryProcessorBasedControl.ENABLE_USER_WAIT_PAUSE.mask(), Route.L0_WANTS},
            {BasicExitReason.INVPCID, invlpg | secondary, SecondaryProcessorBasedControl.ENABLE_INVPCID.mask(), Route.L1_WANTS},
            {BasicExitReason.INVPCID, invlpg, 0L, Route.L0_WANTS},
            {BasicExitReason.INVPCID, secondary, SecondaryProcessorBasedControl.ENABLE_INVPCID.mask(), Route.L0_WANTS},
            {BasicExitReason.APIC_WRITE, secondary, SecondaryProcessorBasedControl.APIC_REGISTER_VIRTUALIZATION.mask(), Route.L1_WANTS},
            {BasicExitReason.APIC_WRITE, secondary, SecondaryProcessorBasedControl.VIRTUAL_INTERRUPT_DELIVERY.mask(), Route.L1_WANTS},
            {BasicExitReason.APIC_WRITE, secondary, 0L, Route.L0_WANTS},
            {BasicExitReason.PAUSE_INSTRUCTION, PrimaryProcessorBasedControl.PAUSE_EXITING.mask(), 0L, Route.L1_WANTS},
            {BasicExitReason.PAUSE_INSTRUCTION, secondary, SecondaryProcessorBasedControl.PAUSE_LOOP_EXITING.mask(), Route.L1_WANTS},
            {BasicExitReason.PAUSE_INSTRUCTION, secondary, 0L, Route.L0_WANTS},
        };
        for (Object[] row : table) {
            VmcsSnapshot vmcs12 = zero().put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, (Long) row[1])
                    .put(VmcsField.SECONDARY_VM_EXEC_CONTROL, (Long) row[2]).build();
            RoutingDecision decision = ExitRouter.l1Rule(exitFor((BasicExitReason) row[0]), vmcs12, NO_BITS);
            assertEquals(row[3], decision.route(), row[0] + " " + decision);
        }
    }

    @Test
    void unconditionalExitsGoToL1WithNoControl() {
        for (BasicExitReason reason : EnumSet.of(BasicExitReason.CPUID, BasicExitReason.GETSEC, BasicExitReason.INVD,
                BasicExitReason.XSETBV, BasicExitReason.VMCALL, BasicExitReason.VMLAUNCH, BasicExitReason.INVEPT,
                BasicExitReason.TRIPLE_FAULT, BasicExitReason.TASK_SWITCH, BasicExitReason.INIT_SIGNAL)) {
            RoutingDecision decision = ExitRouter.l1Rule(exitFor(reason), zero().build(), NO_BITS);
            assertEquals(Route.L1_WANTS, decision.route(), reason.name());
            assertEquals(Optional.empty(), decision.control(), reason.name());
        }
        assertEquals(Optional.of(SdmSection.UNCONDITIONAL_INSTRUCTIONS),
                ExitRouter.l1Rule(exitFor(BasicExitReason.CPUID), zero().build(), NO_BITS).section());
    }

    private static NestedExit io(int port, int sizeBytes, boolean in) {
        long qualification = ((long) port << 16) | (sizeBytes - 1) | (in ? 8 : 0);
        return NestedExit.of(ExitReason.of(BasicExitReason.IO_INSTRUCTION), qualification);
    }

    @Test
    void ioBitmapsAndTheirEdges() {
        VmcsSnapshot bitmaps = withControl(PrimaryProcessorBasedControl.USE_IO_BITMAPS);
        GuestMemory serial = GuestMemory.builder().zeroPage(IO_A).zeroPage(IO_B).setBit(IO_A, 0x3F8).setBit(IO_B, 0).build();
        RoutingDecision out = ExitRouter.l1Rule(io(0x3F8, 1, false), bitmaps, serial);
        assertEquals(Route.L1_WANTS, out.route());
        assertEquals(OptionalLong.of(IO_A + 0x3F8 / 8), out.bitmapByteAddress());
        assertEquals(OptionalLong.of(0), out.bitmapBit());
        assertEquals("OUT 1 byte(s) at port 0x3f8: the bit of port 0x3f8 in L1's I/O bitmap A (byte 0x1007f, bit 0) is 1",
                out.reason());
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(io(0x3F9, 1, true), bitmaps, serial).route());
        // a 2-byte access at 0x7fff touches 0x8000, the first bit of bitmap B
        RoutingDecision spanning = ExitRouter.l1Rule(io(0x7FFF, 2, true), bitmaps, serial);
        assertEquals(Route.L1_WANTS, spanning.route());
        assertEquals(OptionalLong.of(IO_B), spanning.bitmapByteAddress());
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(io(0x7FFE, 2, true), bitmaps, serial).route());
        // a 4-byte access at 0xfffe wraps to port 0: always an exit when bitmaps are used
        RoutingDecision wrap = ExitRouter.l1Rule(io(0xFFFE, 4, false), bitmaps, serial);
        assertEquals(Route.L1_WANTS, wrap.route());
        assertTrue(wrap.reason().contains("wraps around the 16-bit I/O-port space"), wrap.reason());
        // without bitmaps: unconditional I/O exiting decides
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(io(0x3F8, 1, false), zero().build(), serial).route());
        RoutingDecision unconditional = ExitRouter.l1Rule(io(0x3F8, 1, false),
                withControl(PrimaryProcessorBasedControl.UNCONDITIONAL_IO_EXITING), serial);
        assertEquals(Route.L1_WANTS, unconditional.route());
        assertEquals(Optional.of(PrimaryProcessorBasedControl.UNCONDITIONAL_IO_EXITING), unconditional.control());
        // with bitmaps, unconditional I/O exiting is ignored
        VmcsSnapshot both = zero().put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, PrimaryProcessorBasedControl.USE_IO_BITMAPS.mask()
                | PrimaryProcessorBasedControl.UNCONDITIONAL_IO_EXITING.mask()).build();
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(io(0x3F9, 1, false), both, serial).route());
    }

    private static NestedExit msr(boolean write, long index) {
        return NestedExit.builder(ExitReason.of(write ? BasicExitReason.MSR_WRITE : BasicExitReason.MSR_READ))
                .register(GeneralRegister.RCX, 0xFFFF_FFFF_0000_0000L | index).build(); // bits 63:32 of RCX are ignored
    }

    @Test
    void msrBitmapsAndTheirRanges() {
        VmcsSnapshot bitmaps = withControl(PrimaryProcessorBasedControl.USE_MSR_BITMAPS);
        GuestMemory memory = GuestMemory.builder().zeroPage(MSRS)
                .setBit(MSRS, 0x1FFF) // read low: the last low MSR
                .setBit(MSRS + 1024, 0x80) // read high: C0000080H (EFER)
                .setBit(MSRS + 2048, 0x10) // write low: 10H (TSC)
                .setBit(MSRS + 3072, 0x1FFF) // write high: C0001FFFH
                .build();
        Object[][] table = {
            {false, 0x1FFFL, Route.L1_WANTS, MSRS + 0x3FF},
            {false, 0x1FFEL, Route.L0_WANTS, MSRS + 0x3FF},
            {true, 0x1FFFL, Route.L0_WANTS, MSRS + 2048 + 0x3FF},
            {false, 0xC000_0080L, Route.L1_WANTS, MSRS + 1024 + 0x10},
            {true, 0xC000_0080L, Route.L0_WANTS, MSRS + 3072 + 0x10},
            {true, 0x10L, Route.L1_WANTS, MSRS + 2048 + 2},
            {false, 0x10L, Route.L0_WANTS, MSRS + 2},
            {true, 0xC000_1FFFL, Route.L1_WANTS, MSRS + 3072 + 0x3FF},
        };
        for (Object[] row : table) {
            RoutingDecision decision = ExitRouter.l1Rule(msr((Boolean) row[0], (Long) row[1]), bitmaps, memory);
            assertEquals(row[2], decision.route(), decision.toString());
            assertEquals(OptionalLong.of((Long) row[3]), decision.bitmapByteAddress(), decision.toString());
        }
        for (long outside : new long[] {0x2000, 0xBFFF_FFFFL, 0xC000_2000L, 0x4000_0000L}) {
            RoutingDecision decision = ExitRouter.l1Rule(msr(false, outside), bitmaps, memory);
            assertEquals(Route.L1_WANTS, decision.route(), decision.toString());
            assertTrue(decision.reason().contains("which the MSR bitmaps do not cover"), decision.reason());
        }
        RoutingDecision noBitmaps = ExitRouter.l1Rule(msr(false, 0x10), zero().build(), memory);
        assertEquals(Route.L1_WANTS, noBitmaps.route());
        assertEquals(Optional.of(PrimaryProcessorBasedControl.USE_MSR_BITMAPS), noBitmaps.control());
    }

    @Test
    void userMsrAndImmediateMsrExitsFollowTheMsrBitmapsAsBochsAndKvmCheckThem() {
        int rows = 0;
        for (String[] row : SourceTable.rows(getClass(), "msr-exit-routing-80-81-84-85.tsv", true)) {
            BasicExitReason reason = BasicExitReason.valueOf(row[0]);
            VmcsSnapshot vmcs12 = row[1].equals("1") ? withControl(PrimaryProcessorBasedControl.USE_MSR_BITMAPS) : zero().build();
            GuestMemory.Builder memory = GuestMemory.builder().zeroPage(MSRS);
            if (!row[3].equals("-")) {
                memory.fill(MSRS + SourceTable.cInteger(row[3]), 1, 0xFF);
            }
            NestedExit exit = NestedExit.builder(ExitReason.of(reason)).qualification(SourceTable.cInteger(row[2])).build();
            RoutingDecision decision = ExitRouter.l1Rule(exit, vmcs12, memory.build());
            String where = String.join(" ", row) + ": " + decision;
            assertEquals(row[4].equals("L1") ? Route.L1_WANTS : Route.L0_WANTS, decision.route(), where);
            assertEquals(row[5].equals("-") ? OptionalLong.empty() : OptionalLong.of(MSRS + SourceTable.cInteger(row[5])),
                    decision.bitmapByteAddress(), where);
            boolean userMsr = reason == BasicExitReason.URDMSR || reason == BasicExitReason.UWRMSR;
            // the USER_MSR rule is Bochs's, not the SDM's, and every decision says so
            assertEquals(userMsr, decision.reason().contains("no SDM rule for " + reason + " is modelled: this is Bochs's"), where);
            assertTrue(decision.reason().startsWith(userMsr ? reason.toString() : reason == BasicExitReason.MSR_READ_IMM
                    ? "RDMSR (immediate form)" : "WRMSRNS (immediate form)"), where);
            rows++;
        }
        assertEquals(20, rows);
        RoutingDecision read = ExitRouter.l1Rule(NestedExit.of(ExitReason.of(BasicExitReason.URDMSR), 0x10),
                withControl(PrimaryProcessorBasedControl.USE_MSR_BITMAPS), GuestMemory.builder().zeroPage(MSRS).build());
        assertEquals("URDMSR of MSR 0x10: bit 0x10 of L1's read bitmap for low MSRs (byte 0x12002, bit 0) is 0; no SDM rule for"
                + " URDMSR is modelled: this is Bochs's (VMexit_MSR), with the MSR index from the exit qualification as Xen's"
                + " USER-MSR patch reads it (Bochs stores 0 there)", read.reason());
        // Bochs raises #GP(0) for an index above 3FFFH before any VM exit, so such an exit is rejected
        IllegalArgumentException above = assertThrows(IllegalArgumentException.class, () -> ExitRouter.l1Rule(
                NestedExit.of(ExitReason.of(BasicExitReason.UWRMSR), 0x4000), zero().build(), NO_BITS));
        assertEquals("routing UWRMSR qualification=0x4000: MSR index 0x4000 (exit qualification 0x4000) is above 3FFFH, which"
                + " UWRMSR rejects with #GP(0) before any VM exit (Bochs msr.cc)", above.getMessage());
        // bits 63:32 of the qualification are not part of the index (KVM's u32 msr_index)
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(NestedExit.of(ExitReason.of(BasicExitReason.MSR_READ_IMM), 1L << 32 | 0x10),
                withControl(PrimaryProcessorBasedControl.USE_MSR_BITMAPS),
                GuestMemory.builder().zeroPage(MSRS).setBit(MSRS, 0x10).build()).route());
    }

    private static NestedExit exception(int vector, InterruptionType type, Integer errorCode) {
        NestedExit.Builder builder = NestedExit.builder(ExitReason.of(BasicExitReason.EXCEPTION_NMI))
                .interruptionInfo(InterruptionInfo.valid(vector, type, errorCode != null).raw());
        if (errorCode != null) {
            builder.interruptionErrorCode(errorCode);
        }
        return builder.build();
    }

    @Test
    void exceptionBitmapAndThePageFaultMaskAndMatch() {
        VmcsSnapshot ud = zero().put(VmcsField.EXCEPTION_BITMAP, 1L << 6).build();
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(exception(6, InterruptionType.HARDWARE_EXCEPTION, null), ud, NO_BITS).route());
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(exception(13, InterruptionType.HARDWARE_EXCEPTION, 0), ud, NO_BITS).route());
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(exception(3, InterruptionType.SOFTWARE_EXCEPTION, null),
                zero().put(VmcsField.EXCEPTION_BITMAP, 1L << 3).build(), NO_BITS).route());
        // SDM 25.2: bit 14 set -> exit iff (PFEC & mask) == match; bit 14 clear -> exit iff they differ
        Object[][] pageFaults = {
            // bit 14, mask, match, error code, expected
            {true, 0L, 0L, 0x6, Route.L1_WANTS},
            {true, 0x1L, 0x1L, 0x6, Route.L0_WANTS}, // not-present fault; L1 asked only for protection faults
            {true, 0x1L, 0x1L, 0x7, Route.L1_WANTS},
            {false, 0L, 0L, 0x6, Route.L0_WANTS},
            {false, 0x4L, 0x0L, 0x6, Route.L1_WANTS}, // user-mode fault, L1 leaves only supervisor faults to L2
            {false, 0x4L, 0x0L, 0x2, Route.L0_WANTS},
        };
        for (Object[] row : pageFaults) {
            VmcsSnapshot vmcs12 = zero().put(VmcsField.EXCEPTION_BITMAP, (Boolean) row[0] ? 1L << 14 : 0)
                    .put(VmcsField.PAGE_FAULT_ERROR_CODE_MASK, (Long) row[1]).put(VmcsField.PAGE_FAULT_ERROR_CODE_MATCH, (Long) row[2])
                    .build();
            RoutingDecision decision = ExitRouter.l1Rule(exception(14, InterruptionType.HARDWARE_EXCEPTION, (Integer) row[3]), vmcs12,
                    NO_BITS);
            assertEquals(row[4], decision.route(), decision.toString());
        }
        NestedExit nmi = exception(2, InterruptionType.NMI, null);
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(nmi, zero().build(), NO_BITS).route());
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(nmi, withControl(PinBasedControl.NMI_EXITING), NO_BITS).route());
        // L0's policy comes first
        assertEquals(Route.L0_WANTS, ExitRouter.route(nmi, withControl(PinBasedControl.NMI_EXITING), NO_BITS, L0Intercepts.kvm()).route());
        L0Intercepts debugging = L0Intercepts.of(Set.of(), Set.of(ExceptionVector.BP), false);
        RoutingDecision bp = ExitRouter.route(exception(3, InterruptionType.SOFTWARE_EXCEPTION, null), one().build(), NO_BITS, debugging);
        assertEquals(Route.L0_WANTS, bp.route());
        assertEquals("L0 intercepts #BP itself", bp.reason());
        assertEquals(Optional.empty(), bp.section());
    }

    private static NestedExit movToCr(int cr, GeneralRegister source, long value) {
        return NestedExit.builder(ExitReason.of(BasicExitReason.CR_ACCESS)).qualification(cr | ((long) source.number() << 8))
                .register(source, value).build();
    }

    @Test
    void controlRegisterMasksShadowsAndTargets() {
        VmcsSnapshot cr0 = zero().put(VmcsField.CR0_GUEST_HOST_MASK, 0x8000_0001L).put(VmcsField.CR0_READ_SHADOW, 0x8000_0001L).build();
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(movToCr(0, GeneralRegister.RBX, 0x8000_0031L), cr0, NO_BITS).route());
        RoutingDecision clearsPg = ExitRouter.l1Rule(movToCr(0, GeneralRegister.RBX, 0x31L), cr0, NO_BITS);
        assertEquals(Route.L1_WANTS, clearsPg.route());
        assertEquals("MOV to CR0 of 0x31: bits 0x80000000 are set in L1's CR0 guest/host mask 0x80000001 and differ from its read"
                + " shadow 0x80000001", clearsPg.reason());
        VmcsSnapshot cr4 = zero().put(VmcsField.CR4_GUEST_HOST_MASK, 0x2000).put(VmcsField.CR4_READ_SHADOW, 0).build();
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(movToCr(4, GeneralRegister.RAX, 0x2020), cr4, NO_BITS).route());
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(movToCr(4, GeneralRegister.RAX, 0x0020), cr4, NO_BITS).route());
        // CR3: load exiting with target values
        VmcsSnapshot targets = zero().put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, PrimaryProcessorBasedControl.CR3_LOAD_EXITING.mask())
                .put(VmcsField.CR3_TARGET_COUNT, 2).put(VmcsField.CR3_TARGET_VALUE0, 0x1000).put(VmcsField.CR3_TARGET_VALUE1, 0x2000)
                .put(VmcsField.CR3_TARGET_VALUE2, 0x3000).build();
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(movToCr(3, GeneralRegister.RAX, 0x2000), targets, NO_BITS).route());
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(movToCr(3, GeneralRegister.RAX, 0x3000), targets, NO_BITS).route()); // beyond the count
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(movToCr(3, GeneralRegister.RAX, 0x3000), zero().build(), NO_BITS).route());
        // CR8 and the reads
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(movToCr(8, GeneralRegister.RAX, 0),
                withControl(PrimaryProcessorBasedControl.CR8_LOAD_EXITING), NO_BITS).route());
        NestedExit fromCr3 = NestedExit.of(ExitReason.of(BasicExitReason.CR_ACCESS), 0x13);
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(fromCr3, withControl(PrimaryProcessorBasedControl.CR3_STORE_EXITING), NO_BITS).route());
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(fromCr3, zero().build(), NO_BITS).route());
        NestedExit fromCr8 = NestedExit.of(ExitReason.of(BasicExitReason.CR_ACCESS), 0x18);
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(fromCr8, withControl(PrimaryProcessorBasedControl.CR8_STORE_EXITING), NO_BITS).route());
    }

    @Test
    void cltsAndLmsw() {
        NestedExit clts = NestedExit.of(ExitReason.of(BasicExitReason.CR_ACCESS), 0x20);
        VmcsSnapshot owned = zero().put(VmcsField.CR0_GUEST_HOST_MASK, 0x8).put(VmcsField.CR0_READ_SHADOW, 0x8).build();
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(clts, owned, NO_BITS).route());
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(clts, zero().put(VmcsField.CR0_GUEST_HOST_MASK, 0x8).build(), NO_BITS).route());
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(clts, zero().put(VmcsField.CR0_READ_SHADOW, 0x8).build(), NO_BITS).route());
        // LMSW: source data in bits 31:16, access type 3
        Object[][] table = {
            // mask, shadow, source, expected
            {0x1L, 0x0L, 0x1, Route.L1_WANTS}, // sets PE, which L1 owns and shadows as 0
            {0x1L, 0x1L, 0x0, Route.L0_WANTS}, // LMSW cannot clear PE, so no change to an owned bit
            {0x1L, 0x0L, 0x0, Route.L0_WANTS},
            {0x8L, 0x0L, 0x8, Route.L1_WANTS}, // TS differs in an owned bit
            {0x8L, 0x8L, 0x8, Route.L0_WANTS},
            {0x10L, 0x0L, 0xF, Route.L0_WANTS}, // bit 4 (ET) is beyond what LMSW writes
        };
        for (Object[] row : table) {
            VmcsSnapshot vmcs12 = zero().put(VmcsField.CR0_GUEST_HOST_MASK, (Long) row[0]).put(VmcsField.CR0_READ_SHADOW, (Long) row[1])
                    .build();
            NestedExit lmsw = NestedExit.of(ExitReason.of(BasicExitReason.CR_ACCESS), 0x30 | ((long) (Integer) row[2] << 16));
            assertEquals(row[3], ExitRouter.l1Rule(lmsw, vmcs12, NO_BITS).route(), java.util.Arrays.toString(row));
        }
    }

    @Test
    void vmcsShadowingBitmaps() {
        VmcsSnapshot shadowing = withControl(SecondaryProcessorBasedControl.VMCS_SHADOWING);
        GuestMemory memory = GuestMemory.builder().zeroPage(VMREAD).zeroPage(VMWRITE).setBit(VMREAD, 0x681e).build();
        NestedExit readRip = NestedExit.builder(ExitReason.of(BasicExitReason.VMREAD)).instructionInfo(2 << 28)
                .register(GeneralRegister.RDX, 0x681e).build();
        RoutingDecision read = ExitRouter.l1Rule(readRip, shadowing, memory);
        assertEquals(Route.L1_WANTS, read.route());
        assertEquals(OptionalLong.of(VMREAD + 0x681e / 8), read.bitmapByteAddress());
        NestedExit writeRip = NestedExit.builder(ExitReason.of(BasicExitReason.VMWRITE)).instructionInfo(2 << 28)
                .register(GeneralRegister.RDX, 0x681e).build();
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(writeRip, shadowing, memory).route());
        NestedExit outOfRange = NestedExit.builder(ExitReason.of(BasicExitReason.VMREAD)).instructionInfo(2 << 28)
                .register(GeneralRegister.RDX, 0x1_0000_681eL).build();
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(outOfRange, shadowing, memory).route());
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(writeRip, zero().build(), memory).route()); // no shadowing: always
    }

    @Test
    void leafBitmapsXssAndEoi() {
        VmcsSnapshot encls = zero().put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS.mask())
                .put(VmcsField.SECONDARY_VM_EXEC_CONTROL, SecondaryProcessorBasedControl.ENABLE_ENCLS_EXITING.mask())
                .put(VmcsField.ENCLS_EXITING_BITMAP, (1L << 2) | (1L << 63)).build();
        Object[][] leaves = {{2L, Route.L1_WANTS}, {3L, Route.L0_WANTS}, {63L, Route.L1_WANTS}, {200L, Route.L1_WANTS}};
        for (Object[] row : leaves) {
            NestedExit exit = NestedExit.builder(ExitReason.of(BasicExitReason.ENCLS)).register(GeneralRegister.RAX, (Long) row[0]).build();
            assertEquals(row[1], ExitRouter.l1Rule(exit, encls, NO_BITS).route(), "leaf " + row[0]);
        }
        VmcsSnapshot xsaves = zero().put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS.mask())
                .put(VmcsField.SECONDARY_VM_EXEC_CONTROL, SecondaryProcessorBasedControl.ENABLE_XSAVES.mask())
                .put(VmcsField.XSS_EXIT_BITMAP, 1L << 8).build();
        NestedExit.Builder pt = NestedExit.builder(ExitReason.of(BasicExitReason.XSAVES)).register(GeneralRegister.RAX, 0x100)
                .register(GeneralRegister.RDX, 0);
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(pt.ia32Xss(0x100).build(), xsaves, NO_BITS).route());
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(pt.ia32Xss(0x800).build(), xsaves, NO_BITS).route());
        VmcsSnapshot eoi = zero().put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS.mask())
                .put(VmcsField.SECONDARY_VM_EXEC_CONTROL, SecondaryProcessorBasedControl.VIRTUAL_INTERRUPT_DELIVERY.mask())
                .put(VmcsField.EOI_EXIT_BITMAP3, 1L << (0xEC - 192)).build();
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(NestedExit.of(ExitReason.of(BasicExitReason.EOI_INDUCED), 0xEC), eoi, NO_BITS).route());
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(NestedExit.of(ExitReason.of(BasicExitReason.EOI_INDUCED), 0xED), eoi, NO_BITS).route());
    }

    /** L1's 4-level EPT at EPT_ROOT mapping guest-physical 0x5000 read-only and 0x6000 with W but not R. */
    private static GuestMemory eptMappingAllRwx(GuestMemory base) {
        return ept(base, 7);
    }

    private static GuestMemory ept(GuestMemory base, long leafPermissions) {
        GuestMemory tables = GuestMemory.builder()
                .putLong(EPT_ROOT, (EPT_ROOT + 0x1000) | 7) // PML4E 0
                .putLong(EPT_ROOT + 0x1000, (EPT_ROOT + 0x2000) | 7) // PDPTE 0
                .putLong(EPT_ROOT + 0x2000, (EPT_ROOT + 0x3000) | 7) // PDE 0
                .putLong(EPT_ROOT + 0x3000 + 5 * 8, 0x7_5000L | leafPermissions) // PTE 5: 0x5000
                .putLong(EPT_ROOT + 0x3000 + 6 * 8, 0x7_6000L | 2) // PTE 6: write-only, a misconfiguration
                .build();
        return address -> {
            java.util.OptionalInt value = tables.readByte(address);
            return value.isPresent() ? value : base.readByte(address);
        };
    }

    private static NestedExit eptExit(BasicExitReason reason, long gpa, long access) {
        return NestedExit.builder(ExitReason.of(reason)).guestPhysicalAddress(gpa).qualification(access).build();
    }

    @Test
    void eptExitsWalkL1sTables() {
        VmcsSnapshot ept = withControl(SecondaryProcessorBasedControl.ENABLE_EPT);
        GuestMemory readOnly = ept(NO_BITS, 1);
        RoutingDecision write = ExitRouter.l1Rule(eptExit(BasicExitReason.EPT_VIOLATION, 0x5123, 2), ept, readOnly);
        assertEquals(Route.L1_WANTS, write.route());
        assertEquals("guest-physical 0x5123: the access (-w-) against L1's EPT permissions r-- is denied by L1's tables", write.reason());
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(eptExit(BasicExitReason.EPT_VIOLATION, 0x5123, 1), ept, readOnly).route());
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(eptExit(BasicExitReason.EPT_VIOLATION, 0x7000, 1), ept, readOnly).route()); // not present
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(eptExit(BasicExitReason.EPT_MISCONFIG, 0x6000, 0), ept, readOnly).route());
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(eptExit(BasicExitReason.EPT_MISCONFIG, 0x5000, 0), ept, readOnly).route());
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(eptExit(BasicExitReason.EPT_VIOLATION, 0x5123, 2), zero().build(), readOnly).route());
        // with KVM's policy L0 takes every EPT exit and reflects what its walk of L1's tables finds
        assertEquals(Route.L0_WANTS, ExitRouter.route(eptExit(BasicExitReason.EPT_VIOLATION, 0x5123, 2), ept, readOnly,
                L0Intercepts.kvm()).route());
    }

    @Test
    void vmFailEntryFailuresAndTheMachineCheck() {
        RoutingDecision fail = ExitRouter.route(NestedExit.vmFail(VmInstructionError.fromNumber(7)), zero().build(), NO_BITS,
                L0Intercepts.kvm());
        assertEquals(Route.VM_FAIL, fail.route());
        assertEquals(Optional.of(SdmSection.VM_INSTRUCTION_ERRORS), fail.section());
        NestedExit invalid = NestedExit.of(ExitReason.of(0x8000_0021), 0);
        assertEquals(Route.L1_WANTS, ExitRouter.route(invalid, zero().build(), NO_BITS, L0Intercepts.kvm()).route());
        NestedExit mce = NestedExit.of(ExitReason.of(0x8000_0029), 0);
        assertEquals(Route.L0_WANTS, ExitRouter.route(mce, zero().build(), NO_BITS, L0Intercepts.kvm()).route());
        assertEquals(Route.L1_WANTS, ExitRouter.route(mce, zero().build(), NO_BITS, L0Intercepts.none()).route());
    }

    @Test
    void missingInputsAreNamed() {
        IllegalArgumentException noField = assertThrows(IllegalArgumentException.class,
                () -> ExitRouter.l1Rule(NestedExit.of(ExitReason.of(BasicExitReason.HLT), 0), VmcsSnapshot.builder().build(), NO_BITS));
        assertEquals("routing HLT qualification=0x0 needs CPU_BASED_VM_EXEC_CONTROL of L1's VMCS for L2", noField.getMessage());
        IllegalArgumentException noRcx = assertThrows(IllegalArgumentException.class, () -> ExitRouter.l1Rule(
                NestedExit.of(ExitReason.of(BasicExitReason.MSR_READ), 0), withControl(PrimaryProcessorBasedControl.USE_MSR_BITMAPS), NO_BITS));
        assertEquals("routing MSR_READ qualification=0x0 needs guest register RCX (the MSR index of RDMSR)", noRcx.getMessage());
        IllegalArgumentException noMemory = assertThrows(IllegalArgumentException.class, () -> ExitRouter.l1Rule(io(0x80, 1, false),
                withControl(PrimaryProcessorBasedControl.USE_IO_BITMAPS), GuestMemory.none()));
        assertEquals("routing IO_INSTRUCTION qualification=0x800000 needs byte 0x10010 of L1's I/O bitmap A, which is not backed by"
                + " L1's memory", noMemory.getMessage());
        IllegalArgumentException noErrorCode = assertThrows(IllegalArgumentException.class, () -> ExitRouter.l1Rule(
                exception(14, InterruptionType.HARDWARE_EXCEPTION, null), zero().build(), NO_BITS));
        assertTrue(noErrorCode.getMessage().endsWith("needs the page-fault error code"), noErrorCode.getMessage());
        IllegalArgumentException invalidInfo = assertThrows(IllegalArgumentException.class, () -> ExitRouter.l1Rule(
                NestedExit.of(ExitReason.of(BasicExitReason.EXCEPTION_NMI), 0), zero().build(), NO_BITS));
        assertTrue(invalidInfo.getMessage().endsWith("needs a valid VM-exit interruption information (got 0x0)"), invalidInfo.getMessage());
    }

    private static NestedExit vmfunc(long leaf, long index) {
        return NestedExit.builder(ExitReason.of(BasicExitReason.VMFUNC)).register(GeneralRegister.RAX, leaf)
                .register(GeneralRegister.RCX, index).build();
    }

    @Test
    void vmfuncFollowsTheVmFunctionControlsAndTheEptpList() {
        VmcsSnapshot eptpSwitching = zero().put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS.mask())
                .put(VmcsField.SECONDARY_VM_EXEC_CONTROL, SecondaryProcessorBasedControl.ENABLE_VM_FUNCTIONS.mask()
                        | SecondaryProcessorBasedControl.ENABLE_EPT.mask())
                .put(VmcsField.VM_FUNCTION_CONTROL, 1).build();
        GuestMemory list = GuestMemory.builder().putLong(EPTP_LIST, 0x5000 | (3 << 3) | 6) // entry 0: a valid 4-level WB EPTP
                .putLong(EPTP_LIST + 8, 0x6000 | (3 << 3) | 3) // entry 1: memory type 3
                .build();
        RoutingDecision valid = ExitRouter.l1Rule(vmfunc(0, 0), eptpSwitching, list);
        assertEquals(Route.L0_WANTS, valid.route(), valid.toString());
        assertEquals(OptionalLong.of(EPTP_LIST), valid.bitmapByteAddress());
        RoutingDecision invalid = ExitRouter.l1Rule(vmfunc(0, 1), eptpSwitching, list);
        assertEquals(Route.L1_WANTS, invalid.route());
        assertEquals("VMFUNC 0 (EPTP switching) to entry 1: L1's EPTP-list entry 0x601b at 0x30008 is not a valid EPTP (memory type 3"
                + " is neither UC nor WB), so it exits", invalid.reason());
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(vmfunc(0, 512), eptpSwitching, list).route());
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(vmfunc(0, 3), eptpSwitching, list).route()); // a zero entry is no EPTP
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(vmfunc(0, 0xFFFF_FFFF_0000_0002L), eptpSwitching, list).route()); // ECX only: 2, zero
        RoutingDecision disabledLeaf = ExitRouter.l1Rule(vmfunc(1, 0), eptpSwitching, list);
        assertEquals(Route.L1_WANTS, disabledLeaf.route());
        assertEquals("VMFUNC 1: bit 1 is 0 in L1's VM-function controls 0x1, so it exits", disabledLeaf.reason());
        assertEquals(Optional.of(SdmSection.VM_FUNCTION_CONTROLS), disabledLeaf.section());
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(vmfunc(64, 0), eptpSwitching, list).route());
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(vmfunc(0, 0), zero().build(), list).route()); // VMFUNC is #UD for L1's controls
        IllegalArgumentException unbacked = assertThrows(IllegalArgumentException.class,
                () -> ExitRouter.l1Rule(vmfunc(0, 3), eptpSwitching, GuestMemory.none()));
        assertEquals("routing VMFUNC qualification=0x0 needs EPTP-list entry 3 at 0x30018, which is not backed by L1's memory",
                unbacked.getMessage());
        // KVM keeps every VMFUNC exit in L0 (it emulates the function and reflects a failure itself)
        assertEquals(Route.L0_WANTS, ExitRouter.route(vmfunc(1, 0), eptpSwitching, list, L0Intercepts.kvm()).route());
    }

    @Test
    void pauseLoopExitingOnlyAtCpl0() {
        VmcsSnapshot ple = zero().put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS.mask())
                .put(VmcsField.SECONDARY_VM_EXEC_CONTROL, SecondaryProcessorBasedControl.PAUSE_LOOP_EXITING.mask()).build();
        NestedExit.Builder pause = NestedExit.builder(ExitReason.of(BasicExitReason.PAUSE_INSTRUCTION));
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(pause.build(), ple, NO_BITS).route()); // CPL unknown: as KVM
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(pause.cpl(0).build(), ple, NO_BITS).route());
        RoutingDecision user = ExitRouter.l1Rule(pause.cpl(3).build(), ple, NO_BITS);
        assertEquals(Route.L0_WANTS, user.route());
        assertTrue(user.reason().contains("ignored outside CPL 0"), user.reason());
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(pause.cpl(3).build(), withControl(PrimaryProcessorBasedControl.PAUSE_EXITING),
                NO_BITS).route());
        IllegalArgumentException badCpl = assertThrows(IllegalArgumentException.class, () -> pause.cpl(4));
        assertEquals("CPL 4 is not 0..3", badCpl.getMessage());
    }

    @Test
    void exceptionExitsOfImpossibleTypesAreRejected() {
        // INT n (type 4) never consults the exception bitmap, so no EXCEPTION_NMI exit reports it
        IllegalArgumentException intN = assertThrows(IllegalArgumentException.class, () -> ExitRouter.l1Rule(
                exception(0x30, InterruptionType.SOFTWARE_INTERRUPT, null), one().build(), NO_BITS));
        assertTrue(intN.getMessage().contains("has type SOFTWARE_INTERRUPT, which an EXCEPTION_NMI exit never reports"), intN.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ExitRouter.l1Rule(
                exception(0x20, InterruptionType.EXTERNAL_INTERRUPT, null), one().build(), NO_BITS));
        // ICEBP (INT1) is a privileged software exception: #DB, bit 1 of the bitmap
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(exception(1, InterruptionType.PRIVILEGED_SOFTWARE_EXCEPTION, null),
                zero().put(VmcsField.EXCEPTION_BITMAP, 2).build(), NO_BITS).route());
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(exception(1, InterruptionType.PRIVILEGED_SOFTWARE_EXCEPTION, null),
                zero().build(), NO_BITS).route());
    }

    @Test
    void moreControlRegisterAndMtfCases() {
        NestedExit toCr8 = movToCr(8, GeneralRegister.RAX, 0);
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(toCr8, zero().build(), NO_BITS).route());
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(toCr8, withControl(PrimaryProcessorBasedControl.CR8_STORE_EXITING), NO_BITS).route());
        NestedExit fromCr8 = NestedExit.of(ExitReason.of(BasicExitReason.CR_ACCESS), 0x18);
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(fromCr8, withControl(PrimaryProcessorBasedControl.CR8_LOAD_EXITING), NO_BITS).route());
        NestedExit fromCr3 = NestedExit.of(ExitReason.of(BasicExitReason.CR_ACCESS), 0x13);
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(fromCr3, withControl(PrimaryProcessorBasedControl.CR3_LOAD_EXITING), NO_BITS).route());
        // CR3 load exiting with count 0: every MOV to CR3 exits
        RoutingDecision noTargets = ExitRouter.l1Rule(movToCr(3, GeneralRegister.RAX, 0x1000),
                withControl(PrimaryProcessorBasedControl.CR3_LOAD_EXITING), NO_BITS);
        assertEquals(Route.L1_WANTS, noTargets.route());
        assertEquals(Optional.of(PrimaryProcessorBasedControl.CR3_LOAD_EXITING), noTargets.control());
        // MOV from CR0/CR4 reads the shadow, never an exit
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(NestedExit.of(ExitReason.of(BasicExitReason.CR_ACCESS), 0x10), one().build(),
                NO_BITS).route());
        // CR4 with a mask bit whose value matches the shadow
        VmcsSnapshot vmxe = zero().put(VmcsField.CR4_GUEST_HOST_MASK, 0x2000).put(VmcsField.CR4_READ_SHADOW, 0x2000).build();
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(movToCr(4, GeneralRegister.RDX, 0x2020), vmxe, NO_BITS).route());
        // an MTF exit L1 injected (type 7, vector 0) is L1's even with the monitor trap flag 0
        VmcsSnapshot injectedMtf = zero().put(VmcsField.VM_ENTRY_INTR_INFO_FIELD, 0x8000_0700L).build();
        NestedExit mtf = NestedExit.of(ExitReason.of(BasicExitReason.MONITOR_TRAP_FLAG), 0);
        assertEquals(Route.L1_WANTS, ExitRouter.l1Rule(mtf, injectedMtf, NO_BITS).route());
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(mtf, zero().build(), NO_BITS).route());
        // XRSTORS and ENCLS with their enabling control 0
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(exitFor(BasicExitReason.XRSTORS), zero().put(VmcsField.XSS_EXIT_BITMAP, -1L).build(),
                NO_BITS).route());
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(exitFor(BasicExitReason.ENCLS), zero().put(VmcsField.ENCLS_EXITING_BITMAP, -1L).build(),
                NO_BITS).route());
        // UMWAIT with RDTSC exiting but without "enable user wait and pause" (it is #UD then)
        assertEquals(Route.L0_WANTS, ExitRouter.l1Rule(exitFor(BasicExitReason.UMWAIT), withControl(PrimaryProcessorBasedControl.RDTSC_EXITING),
                NO_BITS).route());
    }
}
