package dev.vmx.spark;

import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmIsa;
import org.apache.spark.sql.Row;

/**
 * A {@link KvmEvent} view of one input row of {@link ExitStatisticsAggregator}, repositioned on each
 * row: the exit columns the statistics read (type, isa, exit code, vCPU, RIP, info1, intr_info),
 * found by name. Other fields read as an event without them does (0, empty).
 */
final class RowKvmEvent implements KvmEvent {
    private Object schema;
    private int event;
    private int isa;
    private int exitCode;
    private int vcpu;
    private int rip;
    private int info1;
    private int intrInfo;
    private int exitToEntry;
    private Row row;

    /** Moves to a row; finds the columns once per schema. */
    RowKvmEvent at(Row next) {
        if (next.schema() != schema) {
            schema = next.schema();
            event = next.fieldIndex(KvmTraceSchema.EVENT);
            isa = next.fieldIndex(KvmTraceSchema.ISA);
            exitCode = next.fieldIndex(KvmTraceSchema.EXIT_CODE);
            vcpu = next.fieldIndex(KvmTraceSchema.VCPU);
            rip = next.fieldIndex(KvmTraceSchema.RIP);
            info1 = next.fieldIndex(KvmTraceSchema.INFO1);
            intrInfo = next.fieldIndex(KvmTraceSchema.INTR_INFO);
            exitToEntry = next.fieldIndex(KvmTraceSchema.EXIT_TO_ENTRY_NS);
        }
        row = next;
        return this;
    }

    /** Whether the row is a {@code kvm_exit} (problem rows and other events are not). */
    boolean isExit() {
        return !row.isNullAt(event) && KvmEventType.KVM_EXIT.tracepoint().equals(row.getString(event));
    }

    /** The row's {@code exit_to_entry_ns}, or null. */
    boolean hasExitToEntry() {
        return !row.isNullAt(exitToEntry);
    }

    long exitToEntry() {
        return row.getLong(exitToEntry);
    }

    private long longAt(int index) {
        return row.isNullAt(index) ? 0 : row.getLong(index);
    }

    private int intAt(int index, int ifNull) {
        return row.isNullAt(index) ? ifNull : row.getInt(index);
    }

    @Override public KvmEventType type() { return isExit() ? KvmEventType.KVM_EXIT : KvmEventType.OTHER; }
    @Override public long timestampNanos() { return 0; }
    @Override public int cpu() { return -1; }
    @Override public int pid() { return 0; }
    @Override public CharSequence task() { return ""; }
    @Override public int vcpu() { return intAt(vcpu, -1); }
    @Override public KvmIsa isa() { return row.isNullAt(isa) ? KvmIsa.UNKNOWN : KvmIsa.valueOf(row.getString(isa)); }
    @Override public long exitCode() { return longAt(exitCode); }
    @Override public long info1() { return longAt(info1); }
    @Override public long info2() { return 0; }
    @Override public long requests() { return 0; }
    @Override public boolean isImmediateExit() { return false; }
    @Override public int intrInfo() { return intAt(intrInfo, 0); }
    @Override public int errorCode() { return 0; }
    @Override public long guestRip() { return longAt(rip); }
    @Override public boolean isWrite() { return false; }
    @Override public int port() { return 0; }
    @Override public int size() { return 0; }
    @Override public int count() { return 0; }
    @Override public int mmioType() { return 0; }
    @Override public long gpa() { return 0; }
    @Override public int msrIndex() { return 0; }
    @Override public boolean isMsrException() { return false; }
    @Override public int crNumber() { return 0; }
    @Override public long value() { return 0; }
    @Override public int userspaceExitReason() { return 0; }
    @Override public int errno() { return 0; }
    @Override public CharSequence message() { return ""; }
}
