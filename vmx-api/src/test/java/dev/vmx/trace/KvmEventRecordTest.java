package dev.vmx.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.SourceTable;
import dev.vmx.exit.BasicExitReason;
import org.junit.jupiter.api.Test;

class KvmEventRecordTest {
    @Test
    void isaCodesAndTracepointNamesMatchTheKernel() {
        for (String[] row : SourceTable.rows(getClass(), "kvm-trace-isa.txt", false)) {
            assertEquals(Integer.parseInt(row[1]), KvmIsa.valueOf(row[0].substring("KVM_ISA_".length())).code());
        }
        assertEquals(KvmIsa.UNKNOWN, KvmIsa.fromCode(7));
        for (KvmEventType type : KvmEventType.values()) {
            if (type != KvmEventType.OTHER) {
                assertEquals(type, KvmEventType.fromTracepoint(type.tracepoint()));
                assertEquals(type.name().toLowerCase(), type.tracepoint());
            }
        }
        assertEquals(KvmEventType.OTHER, KvmEventType.fromTracepoint("kvm_fpu"));
        assertTrue(KvmEventType.find("kvm_fpu").isEmpty());
    }

    @Test
    void aVmxExitReadsAsAnExitReason() {
        KvmEventRecord exit = KvmEventRecord.builder().type(KvmEventType.KVM_EXIT).isa(KvmIsa.VMX)
                .exitCode(0x80000021L).vcpu(0).cpu(1).guestRip(0xfff0).build();
        assertTrue(exit.exitReason().is(BasicExitReason.INVALID_STATE));
        assertTrue(exit.exitReason().isVmEntryFailure());
        assertSame(exit, exit.toRecord());
        assertEquals("kvm_exit t=0ns cpu=1 vcpu=0 isa=VMX exitCode=0x80000021 guestRip=0xfff0", exit.toString());
    }

    @Test
    void anSvmExitCodeIsNeverReadAsAVmxExitReason() {
        KvmEventRecord svm = KvmEventRecord.builder().type(KvmEventType.KVM_EXIT).isa(KvmIsa.SVM).exitCode(0x7b).build();
        IllegalStateException error = assertThrows(IllegalStateException.class, svm::exitReason);
        assertEquals("kvm_exit event recorded under isa SVM has no VMX exit reason (exit code 0x7b)", error.getMessage());
    }

    @Test
    void copiesAreValueEqual() {
        KvmEventRecord pio = KvmEventRecord.builder().type(KvmEventType.KVM_PIO).write(true).port(0x3f8).size(1)
                .count(1).value('H').task("qemu-kvm").pid(42).build();
        KvmEventRecord copy = KvmEventRecord.builder().from(pio).build();
        assertEquals(pio, copy);
        assertEquals(pio.hashCode(), copy.hashCode());
        assertNotEquals(pio, KvmEventRecord.builder().from(pio).port(0x3f9).build());
        assertEquals("qemu-kvm", copy.task().toString());
    }
}
