package dev.vmx.hw.kvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vmx.exit.BasicExitReason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code struct kvm_run} images built at the offsets gcc computed from the uapi header (read from
 * {@code kvm-uapi.txt}, not from {@link KvmUapi}) decode to the expected exits.
 */
class KvmExitDecodeTest {
    private static final Map<String, Long> UAPI = KvmUapiTest.table();

    private static int at(String row) {
        return UAPI.get(row).intValue();
    }

    private static ByteBuffer run(String exitType) {
        ByteBuffer run = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        run.putInt(at("kvm_run.exit_reason"), at(exitType));
        return run;
    }

    @Test
    void ioDataIsReadAtDataOffset() {
        ByteBuffer run = run("KVM_EXIT_IO");
        run.put(at("kvm_run.io.direction"), (byte) at("KVM_EXIT_IO_OUT"));
        run.put(at("kvm_run.io.size"), (byte) 2);
        run.putShort(at("kvm_run.io.port"), (short) 0xcf8);
        run.putInt(at("kvm_run.io.count"), 3);
        run.putLong(at("kvm_run.io.data_offset"), 0x800);
        run.put(0x800, new byte[] {1, 2, 3, 4, 5, 6, 7});
        assertEquals(new KvmExit.Io(true, 0xcf8, 2, 3, new byte[] {1, 2, 3, 4, 5, 6}), KvmExit.decode(run));
    }

    @Test
    void ioDataOutsideTheAreaIsAnError() {
        ByteBuffer run = run("KVM_EXIT_IO");
        run.put(at("kvm_run.io.size"), (byte) 4);
        run.putInt(at("kvm_run.io.count"), 2);
        run.putLong(at("kvm_run.io.data_offset"), 4090);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> KvmExit.decode(run));
        assertEquals("kvm_run io: data_offset 4090 + size 4 * count 2 lies outside the 4096-byte vCPU area",
                error.getMessage());
    }

    @Test
    void mmio() {
        ByteBuffer run = run("KVM_EXIT_MMIO");
        run.putLong(at("kvm_run.mmio.phys_addr"), 0xfee00030L);
        run.putLong(at("kvm_run.mmio.data"), 0x0807060504030201L);
        run.putInt(at("kvm_run.mmio.len"), 4);
        run.put(at("kvm_run.mmio.is_write"), (byte) 1);
        assertEquals(new KvmExit.Mmio(0xfee00030L, true, new byte[] {1, 2, 3, 4}), KvmExit.decode(run));
        run.putInt(at("kvm_run.mmio.len"), 9);
        assertEquals("kvm_run mmio: len 9 exceeds the 8-byte data field",
                assertThrows(IllegalArgumentException.class, () -> KvmExit.decode(run)).getMessage());
    }

    @Test
    void failEntryDecodesTheHardwareReasonAsAnExitReason() {
        ByteBuffer run = run("KVM_EXIT_FAIL_ENTRY");
        run.putLong(at("kvm_run.fail_entry.hardware_entry_failure_reason"), 0x80000021L);
        run.putInt(at("kvm_run.fail_entry.cpu"), 3);
        KvmExit.FailEntry exit = (KvmExit.FailEntry) KvmExit.decode(run);
        assertEquals(new KvmExit.FailEntry(0x80000021L, 3), exit);
        assertEquals(true, exit.exitReason().is(BasicExitReason.INVALID_STATE));
        assertEquals(true, exit.exitReason().isVmEntryFailure());
        assertEquals("FAIL_ENTRY 0x80000021 (INVALID_STATE|VM_ENTRY_FAILURE) cpu=3", exit.toString());
    }

    @Test
    void internalErrorKeepsSuberrorAndData() {
        ByteBuffer run = run("KVM_EXIT_INTERNAL_ERROR");
        run.putInt(at("kvm_run.internal.suberror"), at("KVM_INTERNAL_ERROR_DELIVERY_EV"));
        run.putInt(at("kvm_run.internal.ndata"), 2);
        run.putLong(at("kvm_run.internal.data"), 0x80000b0eL);
        run.putLong(at("kvm_run.internal.data") + 8, 0x1234L);
        KvmExit.InternalError exit = (KvmExit.InternalError) KvmExit.decode(run);
        assertEquals(3, exit.suberror());
        assertArrayEquals(new long[] {0x80000b0eL, 0x1234L}, exit.data());
        assertEquals("INTERNAL_ERROR KVM_INTERNAL_ERROR_DELIVERY_EV data=[0x80000b0e, 0x1234]", exit.toString());
        run.putInt(at("kvm_run.internal.ndata"), 17);
        assertEquals("kvm_run internal: ndata 17 exceeds the 16 words of data[]",
                assertThrows(IllegalArgumentException.class, () -> KvmExit.decode(run)).getMessage());
    }

    @Test
    void anEmulationFailureCarriesTheInstructionBytesWhereItsFlagSaysSo() {
        ByteBuffer run = run("KVM_EXIT_INTERNAL_ERROR");
        run.putInt(at("kvm_run.internal.suberror"), at("KVM_INTERNAL_ERROR_EMULATION"));
        run.putInt(at("kvm_run.internal.ndata"), 3);
        run.putLong(at("kvm_run.emulation_failure.flags"), UAPI.get("KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES"));
        run.put(at("kvm_run.emulation_failure.insn_size"), (byte) 2);
        run.put(at("kvm_run.emulation_failure.insn_bytes"), (byte) 0x0f);
        run.put(at("kvm_run.emulation_failure.insn_bytes") + 1, (byte) 0x0b);
        KvmExit.InternalError exit = (KvmExit.InternalError) KvmExit.decode(run);
        assertEquals("KVM_INTERNAL_ERROR_EMULATION", exit.suberrorName());
        assertArrayEquals(new byte[] {0x0f, 0x0b}, exit.instructionBytes());
        // without the flag, the same words are not instruction bytes
        run.putLong(at("kvm_run.emulation_failure.flags"), 0);
        assertArrayEquals(new byte[0], ((KvmExit.InternalError) KvmExit.decode(run)).instructionBytes());
        // another suberror's data is never read as an emulation failure
        run.putInt(at("kvm_run.internal.suberror"), at("KVM_INTERNAL_ERROR_DELIVERY_EV"));
        run.putLong(at("kvm_run.emulation_failure.flags"), 1);
        assertArrayEquals(new byte[0], ((KvmExit.InternalError) KvmExit.decode(run)).instructionBytes());
    }

    @Test
    void haltShutdownAndOthers() {
        assertEquals(new KvmExit.Halt(), KvmExit.decode(run("KVM_EXIT_HLT")));
        assertEquals(new KvmExit.Shutdown(), KvmExit.decode(run("KVM_EXIT_SHUTDOWN")));
        assertEquals(new KvmExit.Other(KvmExitType.SYSTEM_EVENT, 24), KvmExit.decode(run("KVM_EXIT_SYSTEM_EVENT")));
        ByteBuffer unknown = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        unknown.putInt(at("kvm_run.exit_reason"), 4242);
        assertEquals("UNRECOGNIZED (4242)", KvmExit.decode(unknown).toString());
    }
}
