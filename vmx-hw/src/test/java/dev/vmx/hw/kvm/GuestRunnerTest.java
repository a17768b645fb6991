package dev.vmx.hw.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Real guests under this machine's /dev/kvm. */
@Tag("kvm")
class GuestRunnerTest {
    static void assumeKvm() {
        boolean usable = Files.isWritable(Path.of(KvmSystem.DEVICE));
        if (!usable) {
            System.out.println("SKIPPED: no writable " + KvmSystem.DEVICE + " on this machine");
        }
        assumeTrue(usable, "no writable /dev/kvm on this machine");
    }

    @Test
    void helloOnTheSerialPortThenHalt() {
        assumeKvm();
        try (KvmSystem kvm = KvmSystem.open()) {
            GuestRun run = GuestRunner.runRealMode(kvm, GuestRunner.HELLO_SERIAL, 16);
            assertEquals(List.of(
                    new KvmExit.Io(true, 0x3f8, 1, 1, new byte[] {'H'}),
                    new KvmExit.Io(true, 0x3f8, 1, 1, new byte[] {'i'}),
                    new KvmExit.Halt()), run.exits());
            assertTrue(run.halted());
            assertFalse(run.reachedExitLimit());
            assertEquals("Hi", new String(run.output(0x3f8), StandardCharsets.US_ASCII));
            assertEquals("IO out port=0x3f8 size=1 count=1 data=48", run.exits().get(0).toString());
        }
    }

    @Test
    void aWordOutAndAnInAreReportedWithTheirSizes() {
        assumeKvm();
        byte[] code = {
            (byte) 0xba, 0x34, 0x12, // mov dx, 0x1234
            (byte) 0xb8, (byte) 0xcd, (byte) 0xab, // mov ax, 0xabcd
            (byte) 0xef, // out dx, ax
            (byte) 0xec, // in al, dx
            (byte) 0xf4, // hlt
        };
        try (KvmSystem kvm = KvmSystem.open()) {
            GuestRun run = GuestRunner.runRealMode(kvm, code, 16);
            assertEquals(List.of(
                    new KvmExit.Io(true, 0x1234, 2, 1, new byte[] {(byte) 0xcd, (byte) 0xab}),
                    new KvmExit.Io(false, 0x1234, 1, 1, new byte[] {0}),
                    new KvmExit.Halt()), run.exits());
        }
    }

    @Test
    void anInIsAnsweredWithWhatUserSpaceWrites() {
        assumeKvm();
        byte[] code = {
            (byte) 0xba, 0x60, 0x00, // mov dx, 0x60
            (byte) 0xec, // in al, dx
            (byte) 0xba, (byte) 0xf8, 0x03, // mov dx, 0x3f8
            (byte) 0xee, // out dx, al      (echo what IN read)
            (byte) 0xf4, // hlt
        };
        try (KvmSystem kvm = KvmSystem.open(); KvmVm vm = kvm.createVm()) {
            vm.addMemory(0, GuestRunner.MEMORY_SIZE).write(GuestRunner.LOAD_ADDRESS, code, 0, code.length);
            KvmVcpu vcpu = vm.createVcpu(0);
            vcpu.enterRealMode(GuestRunner.LOAD_ADDRESS);
            KvmExit.Io in = (KvmExit.Io) vcpu.run();
            assertEquals(0x60, in.port());
            assertFalse(in.isOut());
            assertEquals("an IN of 1 x 1 bytes needs 1 bytes of answer, got 2",
                    assertThrows(IllegalArgumentException.class, () -> vcpu.answerIn(in, new byte[2])).getMessage());
            vcpu.answerIn(in, new byte[] {0x5a});
            assertEquals(new KvmExit.Io(true, 0x3f8, 1, 1, new byte[] {0x5a}), vcpu.run());
            assertEquals(new KvmExit.Halt(), vcpu.run());
        }
    }

    @Test
    void anMmioReadIsAnsweredWithWhatUserSpaceWrites() {
        assumeKvm();
        byte[] code = {
            (byte) 0xb8, 0x00, 0x20, // mov ax, 0x2000
            (byte) 0x8e, (byte) 0xd8, // mov ds, ax      (linear 0x20000: no RAM there)
            (byte) 0x8b, 0x06, 0x04, 0x00, // mov ax, [0x0004]
            (byte) 0xba, (byte) 0xf8, 0x03, // mov dx, 0x3f8
            (byte) 0xef, // out dx, ax      (echo the word read)
            (byte) 0xf4, // hlt
        };
        try (KvmSystem kvm = KvmSystem.open(); KvmVm vm = kvm.createVm()) {
            vm.addMemory(0, GuestRunner.MEMORY_SIZE).write(GuestRunner.LOAD_ADDRESS, code, 0, code.length);
            KvmVcpu vcpu = vm.createVcpu(0);
            vcpu.enterRealMode(GuestRunner.LOAD_ADDRESS);
            KvmExit.Mmio read = (KvmExit.Mmio) vcpu.run();
            assertEquals(0x20004, read.physicalAddress());
            assertFalse(read.isWrite());
            assertEquals(2, read.data().length);
            vcpu.answerMmioRead(read, new byte[] {0x34, 0x12});
            assertEquals(new KvmExit.Io(true, 0x3f8, 2, 1, new byte[] {0x34, 0x12}), vcpu.run());
            assertEquals(new KvmExit.Halt(), vcpu.run());
        }
    }

    @Test
    void aWriteOutsideGuestMemoryIsAnMmioExit() {
        assumeKvm();
        byte[] code = {
            (byte) 0xb8, 0x00, 0x20, // mov ax, 0x2000
            (byte) 0x8e, (byte) 0xd8, // mov ds, ax      (segment 0x2000 -> linear 0x20000, beyond the 64 KiB of RAM)
            (byte) 0xc6, 0x06, 0x10, 0x00, 0x42, // mov byte [0x0010], 0x42
            (byte) 0xf4, // hlt
        };
        try (KvmSystem kvm = KvmSystem.open()) {
            GuestRun run = GuestRunner.runRealMode(kvm, code, 16);
            assertEquals(List.of(new KvmExit.Mmio(0x20010, true, new byte[] {0x42}), new KvmExit.Halt()), run.exits());
        }
    }

    @Test
    void anEndlessLoopStopsAtTheExitLimit() {
        assumeKvm();
        byte[] code = {
            (byte) 0xba, (byte) 0xf8, 0x03, // mov dx, 0x3f8
            (byte) 0xee, // again: out dx, al
            (byte) 0xeb, (byte) 0xfd, // jmp again
        };
        try (KvmSystem kvm = KvmSystem.open()) {
            GuestRun run = GuestRunner.runRealMode(kvm, code, 5);
            assertTrue(run.reachedExitLimit());
            assertFalse(run.halted());
            assertEquals(5, run.exits().size());
        }
    }

    @Test
    void aGuestThatNeverExitsIsStoppedByTheTimeLimit() {
        assumeKvm();
        byte[] code = {(byte) 0xeb, (byte) 0xfe}; // again: jmp again (no exit ever)
        try (KvmSystem kvm = KvmSystem.open()) {
            GuestRun run = GuestRunner.runRealMode(kvm, code, 16, java.time.Duration.ofMillis(200));
            assertTrue(run.timedOut(), run.toString());
            assertFalse(run.reachedExitLimit());
            KvmExit last = run.exits().get(run.exits().size() - 1);
            assertEquals(new KvmExit.Other(KvmExitType.INTR, 10), last);
        }
        // the JVM survived the signal, and the next guest runs normally
        try (KvmSystem kvm = KvmSystem.open()) {
            assertTrue(GuestRunner.runRealMode(kvm, GuestRunner.HELLO_SERIAL, 16).halted());
        }
    }

    /**
     * 64-bit mode with paging on and page tables that map nothing: PML4 at 0x2000 (zeroed guest
     * RAM), IDT limit 0. Control-register and EFER bits per SDM Vol. 3A 2.5 (CR0.PE bit 0, ET bit 4,
     * PG bit 31; CR4.PAE bit 5) and 2.2.1 (EFER.LME bit 8, LMA bit 10); segment fields per
     * struct kvm_segment. {@code csD} sets CS.D beside CS.L, which no processor enters.
     */
    private static void longModeWithoutMappings(com.sun.jna.Pointer sregs, boolean csD) {
        sregs.setLong(KvmUapi.KVM_SREGS_CR0, 0x8000_0011L);
        sregs.setLong(KvmUapi.KVM_SREGS_CR3, 0x2000L);
        sregs.setLong(KvmUapi.KVM_SREGS_CR4, 0x20L);
        sregs.setLong(KvmUapi.KVM_SREGS_EFER, 0x500L);
        int[] segments = {KvmUapi.KVM_SREGS_CS, KvmUapi.KVM_SREGS_DS, KvmUapi.KVM_SREGS_ES, KvmUapi.KVM_SREGS_FS,
            KvmUapi.KVM_SREGS_GS, KvmUapi.KVM_SREGS_SS};
        for (int segment : segments) {
            boolean code = segment == KvmUapi.KVM_SREGS_CS;
            sregs.setLong(segment + KvmUapi.KVM_SEGMENT_BASE, 0);
            sregs.setInt(segment + KvmUapi.KVM_SEGMENT_LIMIT, 0xffff_ffff);
            sregs.setShort(segment + KvmUapi.KVM_SEGMENT_SELECTOR, (short) (code ? 0x8 : 0x10));
            sregs.setByte(segment + KvmUapi.KVM_SEGMENT_TYPE, (byte) (code ? 0xb : 0x3)); // execute/read or read/write, accessed
            sregs.setByte(segment + KvmUapi.KVM_SEGMENT_PRESENT, (byte) 1);
            sregs.setByte(segment + KvmUapi.KVM_SEGMENT_DPL, (byte) 0);
            sregs.setByte(segment + KvmUapi.KVM_SEGMENT_S, (byte) 1);
            sregs.setByte(segment + KvmUapi.KVM_SEGMENT_G, (byte) 1);
            sregs.setByte(segment + KvmUapi.KVM_SEGMENT_L, (byte) (code ? 1 : 0));
            sregs.setByte(segment + KvmUapi.KVM_SEGMENT_DB, (byte) (code ? (csD ? 1 : 0) : 1));
        }
        sregs.setLong(KvmUapi.KVM_SREGS_IDT + KvmUapi.KVM_DTABLE_BASE, 0);
        sregs.setShort(KvmUapi.KVM_SREGS_IDT + KvmUapi.KVM_DTABLE_LIMIT, (short) 0);
    }

    private static KvmExit runOnce(KvmSystem kvm, java.util.function.Consumer<com.sun.jna.Pointer> sregs) {
        try (KvmVm vm = kvm.createVm()) {
            vm.addMemory(0, GuestRunner.MEMORY_SIZE).write(GuestRunner.LOAD_ADDRESS, GuestRunner.HELLO_SERIAL, 0,
                    GuestRunner.HELLO_SERIAL.length);
            KvmVcpu vcpu = vm.createVcpu(0);
            vcpu.enterRealMode(GuestRunner.LOAD_ADDRESS);
            vcpu.editSpecialRegisters(sregs);
            return vcpu.run();
        }
    }

    @Test
    void aTripleFaultIsAShutdownExit() {
        assumeKvm();
        // the first fetch faults (#PF: nothing is mapped), the #PF cannot be delivered through an
        // empty IDT (#GP, then #DF), and the #DF cannot either: a triple fault, which KVM reports
        // as KVM_EXIT_SHUTDOWN (kvm.h; VMX exit TRIPLE_FAULT, SVM intercept SHUTDOWN)
        try (KvmSystem kvm = KvmSystem.open()) {
            KvmExit exit = runOnce(kvm, sregs -> longModeWithoutMappings(sregs, false));
            assertEquals(new KvmExit.Shutdown(), exit);
            assertEquals(KvmExitType.SHUTDOWN, exit.type());
            assertEquals("SHUTDOWN", exit.toString());
        }
    }

    @Test
    void codeInUnbackedMemoryIsAnEmulationFailureAndEndsTheRun() {
        assumeKvm();
        // jmp far 0x2000:0000: the next fetch is from guest-physical 0x20000, which no memory slot
        // backs; KVM cannot fetch the instruction to emulate it and reports KVM_EXIT_INTERNAL_ERROR
        // with suberror KVM_INTERNAL_ERROR_EMULATION (x86.c handle_emulation_failure)
        byte[] code = {(byte) 0xea, 0x00, 0x00, 0x00, 0x20};
        try (KvmSystem kvm = KvmSystem.open()) {
            GuestRun run = GuestRunner.runRealMode(kvm, code, 16);
            assertEquals(1, run.exits().size(), run.exits().toString());
            KvmExit.InternalError error = (KvmExit.InternalError) run.exits().get(0);
            assertEquals(KvmUapi.KVM_INTERNAL_ERROR_EMULATION, error.suberror());
            assertEquals("KVM_INTERNAL_ERROR_EMULATION", error.suberrorName());
            assertTrue(error.data().length >= 1, "emulation_failure.flags is always data[0]: " + error);
            assertTrue(error.toString().startsWith("INTERNAL_ERROR KVM_INTERNAL_ERROR_EMULATION data=[0x"), error.toString());
            assertFalse(run.reachedExitLimit());
            assertFalse(run.timedOut());
            assertFalse(run.halted());
        }
    }

    @Test
    void aStateTheProcessorRefusesIsAFailEntryWithTheHardwareReason() {
        assumeKvm();
        // CS.L and CS.D both 1 in IA-32e mode: SDM Vol. 3C 27.3.1.2 (VM entry fails with exit reason
        // 33 and bit 31: INVALID_STATE|VM_ENTRY_FAILURE, which vmx.c copies into
        // hardware_entry_failure_reason) and AMD APM Vol. 2 15.5.1 (VMRUN fails with VMEXIT_INVALID,
        // SVM_EXIT_ERR -1, which svm.c copies). KVM_SET_SREGS does not check it (x86.c kvm_is_valid_sregs).
        dev.vmx.hw.internal.CpuInfo cpu = dev.vmx.hw.internal.CpuInfo.host();
        try (KvmSystem kvm = KvmSystem.open()) {
            KvmExit exit = runOnce(kvm, sregs -> longModeWithoutMappings(sregs, true));
            if (!(exit instanceof KvmExit.FailEntry failure)) {
                // kvm_pvm runs guests without VMX/SVM: there is no hardware VM entry to fail
                String reason = "no hardware VM entry on this host (" + cpu.vendor() + ", KVM through "
                        + cpu.kvmModule().orElse("unknown module") + "): the refused state ended with " + exit;
                System.out.println("SKIPPED: " + reason);
                assumeTrue(false, reason);
                return;
            }
            assertEquals((int) failure.hardwareEntryFailureReason(), failure.exitReason().raw());
            if (cpu.hasFlag("vmx")) {
                assertTrue(failure.exitReason().isVmEntryFailure(), failure.toString());
                assertTrue(failure.exitReason().is(dev.vmx.exit.BasicExitReason.INVALID_STATE), failure.toString());
            } else if (cpu.hasFlag("svm")) {
                assertEquals(-1, (int) failure.hardwareEntryFailureReason(), "SVM_EXIT_ERR: " + failure);
            }
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeTouchingKvm() {
        IllegalArgumentException limit = assertThrows(IllegalArgumentException.class,
                () -> GuestRunner.runRealMode(null, new byte[1], 0));
        assertEquals("maxExits must be at least 1, was 0", limit.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> GuestRunner.runRealMode(null, new byte[GuestRunner.MEMORY_SIZE], 1));
        assertEquals("65536 bytes of code do not fit the 61440 bytes above the load address", size.getMessage());
    }

    @Test
    void nestedStateIsUnavailableWhereTheCapabilityIsZero() {
        assumeKvm();
        try (KvmSystem kvm = KvmSystem.open(); KvmVm vm = kvm.createVm()) {
            assumeTrue(kvm.checkExtension(KvmUapi.KVM_CAP_NESTED_STATE) == 0,
                    "this host has KVM_CAP_NESTED_STATE; the unavailable path does not apply");
            KvmVcpu vcpu = vm.createVcpu(0);
            dev.vmx.hw.NativeUnavailableException error = assertThrows(dev.vmx.hw.NativeUnavailableException.class,
                    () -> vcpu.nestedState(kvm));
            assertEquals("KVM_CAP_NESTED_STATE is 0 on this host: KVM keeps no nested (L1 hypervisor) state to "
                    + "read, so there is no vmcs12; it needs an Intel host with kvm_intel nested=1", error.getMessage());
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> vcpu.setNestedState(new byte[128], false));
            assertEquals("KVM_SET_NESTED_STATE rewrites the L1 hypervisor's state; pass true to confirm",
                    refused.getMessage());
        }
    }
}
