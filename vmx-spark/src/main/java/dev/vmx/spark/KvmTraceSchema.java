package dev.vmx.spark;

import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The columns of the {@code kvmtrace} data source: one row per trace event, and one row per
 * problem (an unparsable line, events the kernel lost, a file that cannot be read or has no known
 * format), so that nothing read is dropped without a trace in the result.
 *
 * <table>
 *   <caption>Columns</caption>
 *   <tr><th>column</th><th>type</th><th>meaning</th></tr>
 *   <tr><td>{@code source}</td><td>string</td><td>the file's path as Hadoop names it (e.g. {@code file:/traces/host-a/0.txt})</td></tr>
 *   <tr><td>{@code host}</td><td>string</td><td>the name of the file's directory, or group 1 of the {@code hostPattern}
 *       option's regular expression over {@code source} (null if it does not match)</td></tr>
 *   <tr><td>{@code line}</td><td>long</td><td>1-based line number in a text file (of the problem, for problem rows; 0 when
 *       the file could not be opened); in a trace.dat, which has no lines, the 1-based index of the event in the file's
 *       time order, and for problem rows the index of the last event read before the problem was found (0 for problems
 *       of the file's metadata); the problem itself names the file offset</td></tr>
 *   <tr><td>{@code cpu}</td><td>int</td><td>the CPU whose ring buffer recorded the event, -1 if not known</td></tr>
 *   <tr><td>{@code timestamp_ns}</td><td>long</td><td>trace clock in nanoseconds</td></tr>
 *   <tr><td>{@code pid}</td><td>int</td><td>the recording thread (a vCPU thread for exits and entries), 0 if not known</td></tr>
 *   <tr><td>{@code task}</td><td>string</td><td>the thread's name as the text shows it, empty if not known (always empty for
 *       trace.dat, which records the pid only)</td></tr>
 *   <tr><td>{@code vcpu}</td><td>int</td><td>the vCPU id; for a {@code kvm_exit} of a kernel that records none (4.x) the
 *       vCPU of the thread's last {@code kvm_entry} in the file, as {@code ExitStatistics} takes it; -1 if not known</td></tr>
 *   <tr><td>{@code event}</td><td>string</td><td>the tracepoint, e.g. {@code kvm_exit}; {@code other} for tracepoints
 *       not decoded</td></tr>
 *   <tr><td>{@code isa}</td><td>string</td><td>exits only: {@code VMX}, {@code SVM} or {@code UNKNOWN}</td></tr>
 *   <tr><td>{@code exit_code}</td><td>long</td><td>exits only: the recorded code, for VMX the full 32-bit exit reason with its flag bits</td></tr>
 *   <tr><td>{@code exit_basic}</td><td>int</td><td>VMX exits only: the basic exit reason, bits 15:0</td></tr>
 *   <tr><td>{@code exit_reason}</td><td>string</td><td>exits only: the name, as the statistics rows name it
 *       ({@link dev.vmx.trace.KvmIsa#exitName(long)}), e.g. {@code EPT_VIOLATION} or {@code npf}</td></tr>
 *   <tr><td>{@code exit_flags}</td><td>array&lt;string&gt;</td><td>VMX exits only: the flag bits set, e.g.
 *       {@code [VM_ENTRY_FAILURE]}</td></tr>
 *   <tr><td>{@code rip}</td><td>long</td><td>guest RIP of exits and entries, 0 if not recorded</td></tr>
 *   <tr><td>{@code info1}</td><td>long</td><td>exits: {@code info1} (VMX: exit qualification)</td></tr>
 *   <tr><td>{@code info2}</td><td>long</td><td>exits: {@code info2} (VMX: IDT-vectoring information)</td></tr>
 *   <tr><td>{@code intr_info}</td><td>int</td><td>exits (and entries of newer kernels): VM-exit interruption information</td></tr>
 *   <tr><td>{@code error_code}</td><td>int</td><td>exits (and entries of newer kernels): interruption error code</td></tr>
 *   <tr><td>{@code exit_to_entry_ns}</td><td>long</td><td>{@code kvm_exit} only: nanoseconds to the next {@code kvm_entry}
 *       of the same thread in the same file, negative if that entry is stamped earlier (unsynchronised
 *       clocks), null if another exit or the end of the file came first</td></tr>
 *   <tr><td>{@code problem}</td><td>string</td><td>problem rows only (all event columns null): what is wrong, starting with
 *       its kind: {@code unparsable line:}, {@code lost events:}, {@code unreadable file:},
 *       {@code unknown format:}, {@code undetailed problems:}, and for trace.dat {@code damaged data:} (a truncated
 *       file, a corrupt or cut page, data that does not decompress, unreadable metadata); trace.dat problems
 *       name the offset, buffer and CPU, e.g. {@code lost events: offset 0x5000, buffer vmxa, CPU 1: 2133 events
 *       were lost ...}</td></tr>
 *   <tr><td>{@code text}</td><td>string</td><td>problem rows only: the text of the bad line, when there is one</td></tr>
 * </table>
 *
 * <p>Fields a tracepoint does not record read 0 (as {@link dev.vmx.trace.KvmEvent} gives them); the
 * exit columns are null on rows that are not exits, so that a {@code GROUP BY exit_reason} puts every
 * other event into one null group instead of mixing it with a real reason.
 */
public final class KvmTraceSchema {
    /** Column {@code source}. */
    public static final String SOURCE = "source";
    /** Column {@code host}. */
    public static final String HOST = "host";
    /** Column {@code line}. */
    public static final String LINE = "line";
    /** Column {@code cpu}. */
    public static final String CPU = "cpu";
    /** Column {@code timestamp_ns}. */
    public static final String TIMESTAMP_NS = "timestamp_ns";
    /** Column {@code pid}. */
    public static final String PID = "pid";
    /** Column {@code task}. */
    public static final String TASK = "task";
    /** Column {@code vcpu}. */
    public static final String VCPU = "vcpu";
    /** Column {@code event}. */
    public static final String EVENT = "event";
    /** Column {@code isa}. */
    public static final String ISA = "isa";
    /** Column {@code exit_code}. */
    public static final String EXIT_CODE = "exit_code";
    /** Column {@code exit_basic}. */
    public static final String EXIT_BASIC = "exit_basic";
    /** Column {@code exit_reason}. */
    public static final String EXIT_REASON = "exit_reason";
    /** Column {@code exit_flags}. */
    public static final String EXIT_FLAGS = "exit_flags";
    /** Column {@code rip}. */
    public static final String RIP = "rip";
    /** Column {@code info1}. */
    public static final String INFO1 = "info1";
    /** Column {@code info2}. */
    public static final String INFO2 = "info2";
    /** Column {@code intr_info}. */
    public static final String INTR_INFO = "intr_info";
    /** Column {@code error_code}. */
    public static final String ERROR_CODE = "error_code";
    /** Column {@code exit_to_entry_ns}. */
    public static final String EXIT_TO_ENTRY_NS = "exit_to_entry_ns";
    /** Column {@code problem}. */
    public static final String PROBLEM = "problem";
    /** Column {@code text}. */
    public static final String TEXT = "text";

    /** The {@code event} value of tracepoints the reader does not decode. */
    public static final String OTHER_EVENT = "other";

    // field ids in schema order; the partition reader switches on them
    static final int F_SOURCE = 0;
    static final int F_HOST = 1;
    static final int F_LINE = 2;
    static final int F_CPU = 3;
    static final int F_TIMESTAMP = 4;
    static final int F_PID = 5;
    static final int F_TASK = 6;
    static final int F_VCPU = 7;
    static final int F_EVENT = 8;
    static final int F_ISA = 9;
    static final int F_EXIT_CODE = 10;
    static final int F_EXIT_BASIC = 11;
    static final int F_EXIT_REASON = 12;
    static final int F_EXIT_FLAGS = 13;
    static final int F_RIP = 14;
    static final int F_INFO1 = 15;
    static final int F_INFO2 = 16;
    static final int F_INTR_INFO = 17;
    static final int F_ERROR_CODE = 18;
    static final int F_EXIT_TO_ENTRY = 19;
    static final int F_PROBLEM = 20;
    static final int F_TEXT = 21;

    private static final StructType EVENTS = new StructType(List.of(
            field(SOURCE, DataTypes.StringType, false),
            field(HOST, DataTypes.StringType, true),
            field(LINE, DataTypes.LongType, false),
            field(CPU, DataTypes.IntegerType, true),
            field(TIMESTAMP_NS, DataTypes.LongType, true),
            field(PID, DataTypes.IntegerType, true),
            field(TASK, DataTypes.StringType, true),
            field(VCPU, DataTypes.IntegerType, true),
            field(EVENT, DataTypes.StringType, true),
            field(ISA, DataTypes.StringType, true),
            field(EXIT_CODE, DataTypes.LongType, true),
            field(EXIT_BASIC, DataTypes.IntegerType, true),
            field(EXIT_REASON, DataTypes.StringType, true),
            field(EXIT_FLAGS, DataTypes.createArrayType(DataTypes.StringType, false), true),
            field(RIP, DataTypes.LongType, true),
            field(INFO1, DataTypes.LongType, true),
            field(INFO2, DataTypes.LongType, true),
            field(INTR_INFO, DataTypes.IntegerType, true),
            field(ERROR_CODE, DataTypes.IntegerType, true),
            field(EXIT_TO_ENTRY_NS, DataTypes.LongType, true),
            field(PROBLEM, DataTypes.StringType, true),
            field(TEXT, DataTypes.StringType, true)).toArray(StructField[]::new));

    private KvmTraceSchema() {
    }

    /**
     * The schema of the {@code kvmtrace} data source (see the class comment).
     *
     * @return the schema
     */
    public static StructType events() {
        return EVENTS;
    }

    private static StructField field(String name, DataType type, boolean nullable) {
        return DataTypes.createStructField(name, type, nullable);
    }
}
