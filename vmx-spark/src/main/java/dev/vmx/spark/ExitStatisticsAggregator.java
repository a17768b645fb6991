package dev.vmx.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.ExitStatisticsRow;
import dev.vmx.trace.KvmEventType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Aggregator;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The exit statistics table ({@link ExitStatistics}: per exit reason the count, share and
 * exit-to-entry times) as a Spark aggregation over rows of the {@code kvmtrace} source, per any
 * grouping columns: {@code GROUP BY host}, {@code host, vcpu}, a VM column joined in, or none. Each
 * group's result is the table {@link ExitStatistics} computes over the same events, because the
 * buffer <em>is</em> an {@link ExitStatistics}: each task adds its exits with their measured
 * exit-to-entry times ({@link ExitStatistics#acceptMeasuredExit}) and Spark merges the buffers
 * ({@link ExitStatistics#merge}), which is exact.
 *
 * <p>Only {@code kvm_exit} rows count; every other row (entries, other events, problem rows) is
 * passed over, so the aggregation runs over the whole table. Its input columns, by name:
 * {@link #INPUT_COLUMNS}. Groupings: {@link ExitStatistics.Grouping#REASON},
 * {@link ExitStatistics.Grouping#REASON_AND_VCPU} and {@link ExitStatistics.Grouping#QUALIFICATION_CLASS};
 * the others (I/O port, MSR, EPT page) need the {@code kvm_pio}/{@code kvm_msr}/{@code kvm_page_fault}
 * event after each exit, which a row of the table does not carry.
 *
 * <p>Result ({@link #outputSchema()}): a struct of {@code total_exits}, {@code backward_intervals},
 * {@code rows} (an array of structs, one per row of the table, in {@link ExitStatistics.Order#REASON}
 * order; columns {@link #rowSchema()}) and {@code state}, the statistics' serialized form
 * ({@link ExitStatistics#fromBytes}) for merging further elsewhere. {@link #table} explodes it into
 * one output row per table row.
 *
 * <p>From SQL, after {@link #register(SparkSession)}:
 * <pre>{@code
 * SELECT host, exit_stats(event, isa, exit_code, vcpu, rip, info1, intr_info, exit_to_entry_ns) AS s
 * FROM traces GROUP BY host
 * }</pre>
 */
public final class ExitStatisticsAggregator extends Aggregator<Row, ExitStatisticsBuffer, Row> {
    private static final long serialVersionUID = 1L;

    /** The input columns, in the order the SQL functions take them. */
    public static final List<String> INPUT_COLUMNS = List.of(KvmTraceSchema.EVENT, KvmTraceSchema.ISA,
            KvmTraceSchema.EXIT_CODE, KvmTraceSchema.VCPU, KvmTraceSchema.RIP, KvmTraceSchema.INFO1,
            KvmTraceSchema.INTR_INFO, KvmTraceSchema.EXIT_TO_ENTRY_NS);

    private static final StructType INPUT_SCHEMA = inputSchema();
    /** The groupings an exit row alone decides. */
    private static final java.util.Set<ExitStatistics.Grouping> SUPPORTED = java.util.EnumSet.of(ExitStatistics.Grouping.REASON,
            ExitStatistics.Grouping.REASON_AND_VCPU, ExitStatistics.Grouping.QUALIFICATION_CLASS);
    private static final StructType ROW_SCHEMA = new StructType()
            .add("isa", DataTypes.StringType, false)
            .add("exit_code", DataTypes.LongType, false)
            .add("reason", DataTypes.StringType, false)
            .add("vcpu", DataTypes.IntegerType, false)
            .add("detail", DataTypes.LongType, false)
            .add("count", DataTypes.LongType, false)
            .add("share", DataTypes.DoubleType, false)
            .add("timed", DataTypes.LongType, false)
            .add("total_ns", DataTypes.LongType, false)
            .add("min_ns", DataTypes.LongType, false)
            .add("max_ns", DataTypes.LongType, false)
            .add("mean_ns", DataTypes.DoubleType, false)
            .add("p50_ns", DataTypes.LongType, false)
            .add("p99_ns", DataTypes.LongType, false)
            .add("time_share", DataTypes.DoubleType, false)
            .add("mean_spread_percent", DataTypes.DoubleType, false)
            .add("guest_kernel_count", DataTypes.LongType, false);
    private static final StructType OUTPUT_SCHEMA = new StructType()
            .add("total_exits", DataTypes.LongType, false)
            .add("backward_intervals", DataTypes.LongType, false)
            .add("rows", DataTypes.createArrayType(ROW_SCHEMA, false), false)
            .add("state", DataTypes.BinaryType, false);

    /** The grouping of the table's rows inside each group (serialized with the aggregator to the tasks). */
    private final ExitStatistics.Grouping grouping;
    private transient RowKvmEvent view;

    private ExitStatisticsAggregator(ExitStatistics.Grouping grouping) {
        this.grouping = grouping;
    }

    /**
     * The aggregation for a grouping of the rows inside each group.
     *
     * @param grouping {@code REASON}, {@code REASON_AND_VCPU} or {@code QUALIFICATION_CLASS}
     * @return the aggregator
     * @throws IllegalArgumentException for the other groupings (see the class comment)
     */
    public static ExitStatisticsAggregator of(ExitStatistics.Grouping grouping) {
        Objects.requireNonNull(grouping, "grouping");
        if (!SUPPORTED.contains(grouping)) {
            throw new IllegalArgumentException("grouping " + grouping + " needs the event that follows each exit on its"
                    + " thread (kvm_pio/kvm_msr/kvm_page_fault), which a kvmtrace row does not carry; use " + SUPPORTED);
        }
        return new ExitStatisticsAggregator(grouping);
    }

    /**
     * Per exit reason.
     *
     * @return the aggregator
     */
    public static ExitStatisticsAggregator byReason() {
        return of(ExitStatistics.Grouping.REASON);
    }

    /**
     * The grouping of the rows inside each group.
     *
     * @return the grouping
     */
    public ExitStatistics.Grouping grouping() {
        return grouping;
    }

    /**
     * The aggregation as a function of the {@link #INPUT_COLUMNS}, for the DataFrame API
     * ({@code fn.apply(col("event"), ...)}) and for {@link SparkSession#udf()}.
     *
     * @return the function
     */
    public UserDefinedFunction toFunction() {
        return functions.udaf(this, Encoders.row(INPUT_SCHEMA));
    }

    /**
     * The aggregation applied to a table's {@link #INPUT_COLUMNS}.
     *
     * @return the aggregate column
     */
    public Column apply() {
        return toFunction().apply(INPUT_COLUMNS.stream().map(functions::col).toArray(Column[]::new));
    }

    /**
     * Registers the SQL functions {@code exit_stats} (per reason), {@code exit_stats_by_vcpu} (per
     * reason and vCPU) and {@code exit_stats_by_qualification} (per reason and qualification class),
     * each taking the {@link #INPUT_COLUMNS} in that order.
     *
     * @param spark the session
     */
    public static void register(SparkSession spark) {
        spark.udf().register("exit_stats", byReason().toFunction());
        spark.udf().register("exit_stats_by_vcpu", of(ExitStatistics.Grouping.REASON_AND_VCPU).toFunction());
        spark.udf().register("exit_stats_by_qualification", of(ExitStatistics.Grouping.QUALIFICATION_CLASS).toFunction());
    }

    /**
     * The statistics table per group, one output row per table row: the grouping columns, then the
     * columns of {@link #rowSchema()}, ordered by the grouping columns and the rows' reason order.
     *
     * @param events rows of the {@code kvmtrace} source (or any table with the {@link #INPUT_COLUMNS})
     * @param grouping the grouping of the rows inside each group
     * @param groupColumns the columns to group by, e.g. {@code host}; none for one table over everything
     * @return the table
     */
    public static Dataset<Row> table(Dataset<Row> events, ExitStatistics.Grouping grouping, String... groupColumns) {
        Column[] keys = new Column[groupColumns.length];
        List<Column> out = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            keys[i] = col(groupColumns[i]);
            out.add(col(groupColumns[i]));
        }
        // only exits count; dropping the other rows first spares the aggregation their conversion to
        // Row objects (a group without exits has no table rows either way)
        Dataset<Row> exits = events.where(col(KvmTraceSchema.EVENT).equalTo(KvmEventType.KVM_EXIT.tracepoint()));
        Dataset<Row> grouped = exits.groupBy(keys).agg(of(grouping).apply().as("statistics"));
        List<Column> exploded = new ArrayList<>(out);
        exploded.add(functions.posexplode(col("statistics.rows")).as(new String[] {"row_index", "row"}));
        List<Column> flat = new ArrayList<>(out);
        for (String name : ROW_SCHEMA.fieldNames()) {
            flat.add(col("row." + name).as(name));
        }
        List<Column> order = new ArrayList<>(out);
        order.add(col("row_index"));
        return grouped.select(exploded.toArray(Column[]::new)).orderBy(order.toArray(Column[]::new))
                .select(flat.toArray(Column[]::new));
    }

    /**
     * The input columns with their types.
     *
     * @return the schema
     */
    public static StructType inputSchema() {
        StructType events = KvmTraceSchema.events();
        StructType schema = new StructType();
        for (String name : INPUT_COLUMNS) {
            schema = schema.add(events.apply(name));
        }
        return schema;
    }

    /**
     * One row of the statistics table: {@code isa}, {@code exit_code}, {@code reason}, {@code vcpu}
     * (-1 unless grouped by vCPU), {@code detail} (the qualification class, -1 otherwise),
     * {@code count}, {@code share}, {@code timed}, {@code total_ns}, {@code min_ns}, {@code max_ns},
     * {@code mean_ns}, {@code p50_ns}, {@code p99_ns}, {@code time_share},
     * {@code mean_spread_percent}, {@code guest_kernel_count}: the fields of {@link ExitStatisticsRow}.
     *
     * @return the schema
     */
    public static StructType rowSchema() {
        return ROW_SCHEMA;
    }

    /**
     * The aggregation's result (see the class comment).
     *
     * @return the schema
     */
    public static StructType outputSchema() {
        return OUTPUT_SCHEMA;
    }

    @Override
    public ExitStatisticsBuffer zero() {
        return new ExitStatisticsBuffer(ExitStatistics.by(grouping));
    }

    @Override
    public ExitStatisticsBuffer reduce(ExitStatisticsBuffer buffer, Row row) {
        if (view == null) {
            view = new RowKvmEvent();
        }
        RowKvmEvent event = view.at(row);
        if (event.isExit()) {
            buffer.statistics().acceptMeasuredExit(event,
                    event.hasExitToEntry() ? OptionalLong.of(event.exitToEntry()) : OptionalLong.empty());
        }
        return buffer;
    }

    @Override
    public ExitStatisticsBuffer merge(ExitStatisticsBuffer left, ExitStatisticsBuffer right) {
        left.statistics().merge(right.statistics());
        return left;
    }

    @Override
    public Row finish(ExitStatisticsBuffer buffer) {
        ExitStatistics statistics = buffer.statistics();
        List<Row> rows = new ArrayList<>();
        for (ExitStatisticsRow r : statistics.rows(ExitStatistics.Order.REASON)) {
            rows.add(RowFactory.create(r.isa().name(), r.exitCode(), r.reasonName(), r.vcpu(), r.detail(), r.count(),
                    r.share(), r.timedCount(), r.totalNanos(), r.minNanos(), r.maxNanos(), r.meanNanos(), r.p50Nanos(),
                    r.p99Nanos(), r.timeShare(), r.meanSpreadPercent(), r.guestKernelCount()));
        }
        return RowFactory.create(statistics.totalExits(), statistics.backwardIntervals(),
                scala.jdk.javaapi.CollectionConverters.asScala(rows).toSeq(), statistics.toBytes());
    }

    @Override
    public Encoder<ExitStatisticsBuffer> bufferEncoder() {
        return Encoders.javaSerialization(ExitStatisticsBuffer.class);
    }

    @Override
    public Encoder<Row> outputEncoder() {
        return Encoders.row(OUTPUT_SCHEMA);
    }
}
