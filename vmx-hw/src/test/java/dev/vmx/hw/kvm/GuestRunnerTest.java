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
