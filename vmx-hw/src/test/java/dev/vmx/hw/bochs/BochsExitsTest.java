package dev.vmx.hw.bochs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.cap.ControlField;
import dev.vmx.cap.PinBasedControl;
import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.cap.SecondaryProcessorBasedControl;
import dev.vmx.cap.VmxCapabilities;
import dev.vmx.event.ExceptionVector;
import dev.vmx.event.GeneralRegister;
import dev.vmx.event.InstructionInfo;
import dev.vmx.event.InterruptionInfo;
import dev.vmx.event.InterruptionType;
import dev.vmx.event.SegmentRegister;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import dev.vmx.qual.CrAccessQualification;
import dev.vmx.qual.CrAccessType;
import dev.vmx.qual.DrAccessQualification;
import dev.vmx.qual.EptViolationQualification;
import dev.vmx.qual.ExceptionQualification;
import dev.vmx.qual.ExitQualification;
import dev.vmx.qual.IoInstructionQualification;
import dev.vmx.qual.LinearAddressQualification;
import dev.vmx.vmcs.VmcsField;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real exits, decoded: small L2 programs run on Bochs' emulated VMX CPU, and the library's decoders
 * (ExitReason, ExitQualification.decode, InterruptionInfo, InstructionInfo) applied to what the CPU
 * reported must say what the L2 actually did. All cases run in one batch (one boot of Bochs).
 */
class BochsExitsTest {
    private static VmxCapabilities caps;
    private static final Map<String, BochsCaseResult> RESULTS = new LinkedHashMap<>();

    @BeforeAll
    static void runAll() {
        BochsRunner runner = BochsTesting.runner();
        caps = runner.capabilities();
        List<BochsCase> cases = new ArrayList<>();

        cases.add(program("io", ExitPrograms.IO, PrimaryProcessorBasedControl.UNCONDITIONAL_IO_EXITING)
                .register(2, 0x3f8).register(6, BochsGuest.DATA).register(7, BochsGuest.DATA + 0x100).register(1, 3)
                .register(0, 0x12).maxExits(9).build());
        // I/O bitmaps: only port 0x80's bit is set (bitmap A covers ports 0..0x7fff, one bit per port)
        cases.add(program("io-bitmap", ExitPrograms.IO_BITMAP, PrimaryProcessorBasedControl.USE_IO_BITMAPS)
                .fill(BochsGuest.IO_BITMAP_A, 512, 0, 0).fill(BochsGuest.IO_BITMAP_B, 512, 0, 0)
                .poke(BochsGuest.IO_BITMAP_A + 8 * (0x80 / 64), 1L << (0x80 % 64))
                .write(VmcsField.IO_BITMAP_A, BochsGuest.IO_BITMAP_A).write(VmcsField.IO_BITMAP_B, BochsGuest.IO_BITMAP_B)
                .maxExits(2).build());
        cases.add(program("cpuid", ExitPrograms.CPUID).maxExits(2).build());
        cases.add(program("msr-no-bitmap", ExitPrograms.MSR).register(1, 0x174).maxExits(3).build());
        // MSR bitmap: read of 0x174 exits (read-low bitmap at offset 0, bit 0x174), writes do not
        cases.add(program("msr-bitmap", ExitPrograms.MSR, PrimaryProcessorBasedControl.USE_MSR_BITMAPS).register(1, 0x174)
                .fill(BochsGuest.MSR_BITMAP, 512, 0, 0).poke(BochsGuest.MSR_BITMAP + 8 * (0x174 / 64), 1L << (0x174 % 64))
                .write(VmcsField.MSR_BITMAP, BochsGuest.MSR_BITMAP).maxExits(2).build());
        BochsCase.Builder cr = program("cr", ExitPrograms.CR, PrimaryProcessorBasedControl.CR3_LOAD_EXITING,
                PrimaryProcessorBasedControl.CR3_STORE_EXITING, PrimaryProcessorBasedControl.CR8_LOAD_EXITING,
                PrimaryProcessorBasedControl.CR8_STORE_EXITING);
        long cr0 = cr.lastWrite(VmcsField.GUEST_CR0).getAsLong();
        long cr4 = cr.lastWrite(VmcsField.GUEST_CR4).getAsLong();
        cases.add(cr.write(VmcsField.CR0_GUEST_HOST_MASK, 0x8).write(VmcsField.CR0_READ_SHADOW, cr0 | 0x8)
                .write(VmcsField.CR4_GUEST_HOST_MASK, 0x80).write(VmcsField.CR4_READ_SHADOW, cr4)
                .register(3, BochsGuest.L2_PML4).register(1, cr0).register(2, cr4 | 0x80).register(6, 5).register(0, 1)
                .maxExits(9).build());
        cases.add(program("dr", ExitPrograms.DR, PrimaryProcessorBasedControl.MOV_DR_EXITING).register(0, 0x400).maxExits(3)
                .build());
        cases.add(program("invlpg", ExitPrograms.INVLPG, PrimaryProcessorBasedControl.INVLPG_EXITING).register(0, 0x12345000L)
                .maxExits(2).build());
        cases.add(BochsGuest.secondary(program("tsc", ExitPrograms.TSC, PrimaryProcessorBasedControl.RDTSC_EXITING), caps,
                SecondaryProcessorBasedControl.ENABLE_RDTSCP.mask()).maxExits(3).build());
        cases.add(program("ud", ExitPrograms.UD).write(VmcsField.EXCEPTION_BITMAP, 1 << 6).build());
        cases.add(program("bp", ExitPrograms.BP).write(VmcsField.EXCEPTION_BITMAP, 1 << 3).build());
        cases.add(program("gp", ExitPrograms.GP).write(VmcsField.EXCEPTION_BITMAP, 1 << 13).build());
        cases.add(program("pf-read", ExitPrograms.PF_READ).write(VmcsField.EXCEPTION_BITMAP, 1 << 14).build());
        cases.add(program("pf-write", ExitPrograms.PF_WRITE).register(0, BochsGuest.UNMAPPED)
                .write(VmcsField.EXCEPTION_BITMAP, 1 << 14).build());
        cases.add(BochsGuest.eptPage(BochsGuest.withEpt(program("ept-read-not-present", ExitPrograms.EPT_READ), caps), 0x401000, 0)
                .build());
        cases.add(BochsGuest.eptPage(BochsGuest.withEpt(program("ept-write-read-only", ExitPrograms.EPT_WRITE), caps), 0x402000, 1)
                .build());
        cases.add(BochsGuest.eptPage(BochsGuest.withEpt(program("ept-fetch-no-execute", ExitPrograms.EPT_FETCH), caps), 0x403000, 3)
                .build());
        cases.add(program("vmcall", ExitPrograms.VMCALL).maxExits(2).build());
        cases.add(program("preemption-timer", ExitPrograms.SPIN)
                .write(VmcsField.PIN_BASED_VM_EXEC_CONTROL, BochsGuest.controls(caps, ControlField.PIN_BASED,
                        PinBasedControl.ACTIVATE_VMX_PREEMPTION_TIMER))
                .write(VmcsField.VMX_PREEMPTION_TIMER_VALUE, 50).build());
        cases.add(program("interrupt-window", ExitPrograms.HLT, PrimaryProcessorBasedControl.INTERRUPT_WINDOW_EXITING)
                .write(VmcsField.GUEST_RFLAGS, 0x202).build());
        cases.add(program("nmi-window", ExitPrograms.HLT, PrimaryProcessorBasedControl.NMI_WINDOW_EXITING)
                .write(VmcsField.PIN_BASED_VM_EXEC_CONTROL, BochsGuest.controls(caps, ControlField.PIN_BASED,
                        PinBasedControl.NMI_EXITING, PinBasedControl.VIRTUAL_NMIS)).build());

        BochsBatchResult batch = runner.run(cases);
        for (BochsCaseResult result : batch.results()) {
            System.out.println(result);
            RESULTS.put(result.bochsCase().name(), result);
        }
    }

    private static BochsCase.Builder program(String name, L2Program program, PrimaryProcessorBasedControl... primary) {
        return BochsGuest.baseline(caps, name).pokeBytes(program.base(), program.bytes())
                .write(VmcsField.CPU_BASED_VM_EXEC_CONTROL, BochsGuest.primary(caps, primary));
    }

    private static BochsCaseResult result(String name) {
        return RESULTS.get(name).orThrow();
    }

    /** Reason, RIP and (for instruction exits) length of exit n of a case. */
    private static BochsExit exit(String name, int n, BasicExitReason reason, L2Program program, int instruction) {
        BochsExit exit = result(name).exit(n);
        ExitReason decoded = exit.reason();
        assertEquals(reason, decoded.basic(), name + " exit " + n);
        assertFalse(decoded.isVmEntryFailure(), name);
        assertEquals(program.address(instruction), exit.vmcs().guestRip(), name + " exit " + n + ": GUEST_RIP");
        return exit;
    }

    private static BochsExit instructionExit(String name, int n, BasicExitReason reason, L2Program program, int instruction) {
        BochsExit exit = exit(name, n, reason, program, instruction);
        assertEquals(program.length(instruction), exit.vmcs().read(VmcsField.VM_EXIT_INSTRUCTION_LEN), name + " exit " + n + ": length");
        return exit;
    }

    private static void io(int n, int port, int size, boolean in, boolean string, boolean rep, boolean immediate) {
        BochsExit exit = instructionExit("io", n, BasicExitReason.IO_INSTRUCTION, ExitPrograms.IO, n);
        ExitQualification q = exit.vmcs().exitQualification();
        IoInstructionQualification io = (IoInstructionQualification) q;
        String what = "io exit " + n + " (" + ExitPrograms.IO + ") " + io;
        assertEquals(port, io.port(), what);
        assertEquals(size, io.sizeBytes(), what);
        assertEquals(in, io.isIn(), what);
        assertEquals(string, io.isString(), what);
        assertEquals(rep, io.isRep(), what);
        assertEquals(immediate, io.isImmediate(), what);
        assertEquals(0, io.reservedBits(), what);
    }

    @Test
    void ioInstructions() {
        io(0, 0x3f8, 1, false, false, false, false); // out dx, al
        io(1, 0x3f8, 2, true, false, false, false); // in ax, dx
        io(2, 0x71, 4, true, false, false, true); // in eax, 0x71
        io(3, 0x70, 1, false, false, false, true); // out 0x70, al
        io(4, 0x3f8, 1, false, true, true, false); // rep outsb
        io(5, 0x3f8, 4, true, true, false, false); // insd
        io(6, 0x3f8, 2, true, true, true, false); // rep insw
        io(7, 0x3f8, 4, false, false, false, false); // out dx, eax
        instructionExit("io", 8, BasicExitReason.HLT, ExitPrograms.IO, 8);
    }

    @Test
    void ioBitmapsChooseThePortsThatExit() {
        // OUT to 0x81 ran in the L2 (bit clear); OUT to 0x80 exited
        BochsExit exit = instructionExit("io-bitmap", 0, BasicExitReason.IO_INSTRUCTION, ExitPrograms.IO_BITMAP, 1);
        assertEquals(0x80, ((IoInstructionQualification) exit.vmcs().exitQualification()).port());
        instructionExit("io-bitmap", 1, BasicExitReason.HLT, ExitPrograms.IO_BITMAP, 2);
    }

    @Test
    void stringIoReportsTheLinearAddressAndInstructionInformation() {
        // OUTS reads DS:RSI, INS writes ES:RDI (SDM Vol. 3C "Information for VM Exits Due to Instruction
        // Execution", §27.2.4 in the September 2016 edition: the guest-linear address of INS/OUTS)
        assertEquals(BochsGuest.DATA, result("io").exit(4).vmcs().guestLinearAddress(), "rep outsb: linear address");
        assertEquals(BochsGuest.DATA + 0x100, result("io").exit(5).vmcs().guestLinearAddress(), "insd: linear address");
        if (caps.basic().raw() >>> 54 != 0 && ((caps.basic().raw() >>> 54) & 1) == 1) {
            // IA32_VMX_BASIC bit 54: the VM-exit instruction-information field is reported for INS/OUTS
            InstructionInfo outs = InstructionInfo.of(result("io").exit(4).reason(),
                    (int) result("io").exit(4).vmcs().read(VmcsField.VMX_INSTRUCTION_INFO));
            assertEquals(64, outs.addressSize().getAsInt(), "rep outsb: " + outs);
            assertEquals(SegmentRegister.DS, outs.segment().get(), "rep outsb: " + outs);
            InstructionInfo ins = InstructionInfo.of(result("io").exit(5).reason(),
                    (int) result("io").exit(5).vmcs().read(VmcsField.VMX_INSTRUCTION_INFO));
            assertEquals(64, ins.addressSize().getAsInt(), "insd: " + ins);
            // bits 17:15 are undefined for INS (SDM table "Format of the VM-Exit Instruction-Information
            // Field as Used for INS and OUTS"); Bochs stores DS there: not asserted, not a deviation
        }
    }

    @Test
    void cpuidAndVmcallAndHlt() {
        instructionExit("cpuid", 0, BasicExitReason.CPUID, ExitPrograms.CPUID, 0);
        instructionExit("cpuid", 1, BasicExitReason.HLT, ExitPrograms.CPUID, 1);
        instructionExit("vmcall", 0, BasicExitReason.VMCALL, ExitPrograms.VMCALL, 0);
        instructionExit("vmcall", 1, BasicExitReason.HLT, ExitPrograms.VMCALL, 1);
    }

    @Test
    void msrAccessWithAndWithoutBitmaps() {
        // no bitmaps: every RDMSR and WRMSR exits
        instructionExit("msr-no-bitmap", 0, BasicExitReason.MSR_WRITE, ExitPrograms.MSR, 0);
        instructionExit("msr-no-bitmap", 1, BasicExitReason.MSR_READ, ExitPrograms.MSR, 1);
        instructionExit("msr-no-bitmap", 2, BasicExitReason.HLT, ExitPrograms.MSR, 2);
        // bitmap with only the read bit of 0x174: the WRMSR ran in the L2, the RDMSR exited
        instructionExit("msr-bitmap", 0, BasicExitReason.MSR_READ, ExitPrograms.MSR, 1);
        instructionExit("msr-bitmap", 1, BasicExitReason.HLT, ExitPrograms.MSR, 2);
    }

    private static CrAccessQualification cr(int n) {
        BochsExit exit = instructionExit("cr", n, BasicExitReason.CR_ACCESS, ExitPrograms.CR, n);
        return (CrAccessQualification) exit.vmcs().exitQualification();
    }

    @Test
    void controlRegisterAccess() {
        CrAccessQualification q = cr(0); // mov rax, cr3
        assertEquals(3, q.crNumber(), q.toString());
        assertEquals(CrAccessType.MOV_FROM_CR, q.accessType(), q.toString());
        assertEquals(GeneralRegister.RAX, q.register(), q.toString());
        q = cr(1); // mov cr3, rbx
        assertEquals(3, q.crNumber(), q.toString());
        assertEquals(CrAccessType.MOV_TO_CR, q.accessType(), q.toString());
        assertEquals(GeneralRegister.RBX, q.register(), q.toString());
        q = cr(2); // mov cr0, rcx
        assertEquals(0, q.crNumber(), q.toString());
        assertTrue(q.isMovToCr(), q.toString());
        assertEquals(GeneralRegister.RCX, q.register(), q.toString());
        q = cr(3); // mov cr4, rdx
        assertEquals(4, q.crNumber(), q.toString());
        assertTrue(q.isMovToCr(), q.toString());
        assertEquals(GeneralRegister.RDX, q.register(), q.toString());
        q = cr(4); // mov cr8, rsi
        assertEquals(8, q.crNumber(), q.toString());
        assertTrue(q.isMovToCr(), q.toString());
        assertEquals(GeneralRegister.RSI, q.register(), q.toString());
        q = cr(5); // mov rdi, cr8
        assertEquals(8, q.crNumber(), q.toString());
        assertTrue(q.isMovFromCr(), q.toString());
        assertEquals(GeneralRegister.RDI, q.register(), q.toString());
        q = cr(6); // clts
        assertTrue(q.isClts(), q.toString());
        assertEquals(0, q.crNumber(), q.toString());
        q = cr(7); // lmsw ax, AX = 1
        assertTrue(q.isLmsw(), q.toString());
        assertEquals(0, q.crNumber(), q.toString());
        assertFalse(q.isLmswMemoryOperand(), q.toString());
        assertEquals(1, q.lmswSourceData(), q.toString());
        for (int n = 0; n < 8; n++) {
            assertEquals(0, cr(n).reservedBits(), "cr exit " + n);
        }
    }

    @Test
    void debugRegisterAccess() {
        DrAccessQualification q = (DrAccessQualification) instructionExit("dr", 0, BasicExitReason.DR_ACCESS, ExitPrograms.DR, 0)
                .vmcs().exitQualification(); // mov dr7, rax
        assertEquals(7, q.drNumber(), q.toString());
        assertFalse(q.isMovFromDr(), q.toString());
        assertEquals(GeneralRegister.RAX, q.register(), q.toString());
        q = (DrAccessQualification) instructionExit("dr", 1, BasicExitReason.DR_ACCESS, ExitPrograms.DR, 1).vmcs()
                .exitQualification(); // mov rbx, dr6
        assertEquals(6, q.drNumber(), q.toString());
        assertTrue(q.isMovFromDr(), q.toString());
        assertEquals(GeneralRegister.RBX, q.register(), q.toString());
    }

    @Test
    void invlpgGivesTheLinearAddress() {
        LinearAddressQualification q = (LinearAddressQualification) instructionExit("invlpg", 0, BasicExitReason.INVLPG,
                ExitPrograms.INVLPG, 0).vmcs().exitQualification();
        assertEquals(0x12345000L, q.address());
    }

    @Test
    void rdtscAndRdtscp() {
        instructionExit("tsc", 0, BasicExitReason.RDTSC, ExitPrograms.TSC, 0);
        instructionExit("tsc", 1, BasicExitReason.RDTSCP, ExitPrograms.TSC, 1);
        instructionExit("tsc", 2, BasicExitReason.HLT, ExitPrograms.TSC, 2);
    }

    private static InterruptionInfo exception(String name, L2Program program, int instruction, ExceptionVector vector,
            InterruptionType type, boolean errorCode) {
        BochsExit exit = exit(name, 0, BasicExitReason.EXCEPTION_NMI, program, instruction);
        InterruptionInfo info = exit.vmcs().exitInterruptionInfo();
        assertTrue(info.isValid(), name + ": " + info);
        assertEquals(vector.vector(), info.vector(), name + ": " + info);
        assertEquals(vector, info.exception().get(), name + ": " + info);
        assertEquals(type, info.type(), name + ": " + info);
        assertEquals(errorCode, info.isErrorCodeValid(), name + ": " + info);
        assertEquals(0, info.reservedBits(), name + ": " + info);
        assertFalse(exit.vmcs().idtVectoringInfo().isValid(), name + ": IDT-vectoring information");
        return info;
    }

    @Test
    void exceptionsThroughTheExceptionBitmap() {
        exception("ud", ExitPrograms.UD, 0, ExceptionVector.UD, InterruptionType.HARDWARE_EXCEPTION, false);
        exception("bp", ExitPrograms.BP, 0, ExceptionVector.BP, InterruptionType.SOFTWARE_EXCEPTION, false);
        // INT3 is a software exception: the exit reports its length (SDM Vol. 3C "Information for VM Exits
        // Due to Vectored Events", §27.2.2 in the September 2016 edition)
        assertEquals(1, result("bp").exit(0).vmcs().read(VmcsField.VM_EXIT_INSTRUCTION_LEN));
        exception("gp", ExitPrograms.GP, 1, ExceptionVector.GP, InterruptionType.HARDWARE_EXCEPTION, true);
        assertEquals(0, result("gp").exit(0).vmcs().read(VmcsField.VM_EXIT_INTR_ERROR_CODE), "#GP(0) for a non-canonical address");
    }

    @Test
    void pageFaultsWithErrorCodeAndAddress() {
        exception("pf-read", ExitPrograms.PF_READ, 0, ExceptionVector.PF, InterruptionType.HARDWARE_EXCEPTION, true);
        BochsExit read = result("pf-read").exit(0);
        // not present (P=0), read (W/R=0), supervisor (U/S=0)
        assertEquals(0, read.vmcs().read(VmcsField.VM_EXIT_INTR_ERROR_CODE));
        ExceptionQualification q = (ExceptionQualification) read.vmcs().exitQualification();
        assertEquals(BochsGuest.UNMAPPED, q.asPageFaultAddress().address(), "the faulting linear address (CR2)");
        exception("pf-write", ExitPrograms.PF_WRITE, 0, ExceptionVector.PF, InterruptionType.HARDWARE_EXCEPTION, true);
        BochsExit write = result("pf-write").exit(0);
        assertEquals(2, write.vmcs().read(VmcsField.VM_EXIT_INTR_ERROR_CODE), "not present, write");
        assertEquals(BochsGuest.UNMAPPED, ((ExceptionQualification) write.vmcs().exitQualification()).asPageFaultAddress().address());
    }

    private static EptViolationQualification ept(String name, L2Program program, int instruction, long address) {
        BochsExit exit = result(name).exit(0);
        assertEquals(BasicExitReason.EPT_VIOLATION, exit.reason().basic(), name);
        // a data access faults at its instruction; a fetch faults at the fetched address
        assertEquals(instruction >= 0 ? program.address(instruction) : address, exit.vmcs().guestRip(), name + ": GUEST_RIP");
        assertEquals(address, exit.vmcs().guestPhysicalAddress(), name + ": guest-physical address");
        EptViolationQualification q = (EptViolationQualification) exit.vmcs().exitQualification();
        assertTrue(q.isGuestLinearAddressValid(), name + ": " + q);
        assertTrue(q.isTranslatedAccess(), name + ": " + q);
        assertEquals(address, exit.vmcs().guestLinearAddress(), name + ": guest-linear address (identity-mapped)");
        return q;
    }

    @Test
    void eptViolations() {
        EptViolationQualification read = ept("ept-read-not-present", ExitPrograms.EPT_READ, 0, 0x401000);
        assertTrue(read.isRead(), read.toString());
        assertFalse(read.isWrite(), read.toString());
        assertFalse(read.isInstructionFetch(), read.toString());
        assertTrue(read.isEntryNotPresent(), read.toString());
        EptViolationQualification write = ept("ept-write-read-only", ExitPrograms.EPT_WRITE, 0, 0x402000);
        assertTrue(write.isWrite(), write.toString());
        assertFalse(write.isRead(), write.toString());
        assertTrue(write.isEntryReadable(), write.toString());
        assertFalse(write.isEntryWritable(), write.toString());
        assertFalse(write.isEntryExecutable(), write.toString());
        EptViolationQualification fetch = ept("ept-fetch-no-execute", ExitPrograms.EPT_FETCH, -1, 0x403000);
        assertTrue(fetch.isInstructionFetch(), fetch.toString());
        assertFalse(fetch.isWrite(), fetch.toString());
        assertTrue(fetch.isEntryReadable(), fetch.toString());
        assertTrue(fetch.isEntryWritable(), fetch.toString());
        assertFalse(fetch.isEntryExecutable(), fetch.toString());
    }

    @Test
    void preemptionTimerMtfAndWindows() {
        BochsExit timer = result("preemption-timer").exit(0);
        assertEquals(BasicExitReason.PREEMPTION_TIMER, timer.reason().basic());
        assertEquals(ExitPrograms.SPIN.address(0), timer.vmcs().guestRip(), "the L2 spins on jmp $");
        // MTF: see BochsDeviationsTest (corei7_skylake_x has no MTF; tigerlake only the pending-MTF injection)
        // windows: open at entry, so the exit comes before the first instruction
        exit("interrupt-window", 0, BasicExitReason.INTERRUPT_WINDOW, ExitPrograms.HLT, 0);
        exit("nmi-window", 0, BasicExitReason.NMI_WINDOW, ExitPrograms.HLT, 0);
    }
}
