package dev.vmx.spark;

import java.util.Map;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The Spark data source {@code kvmtrace}: {@code spark.read.format("kvmtrace").load(paths)} turns
 * kvm trace files into a DataFrame of events with the columns of {@link KvmTraceSchema}. A path is a
 * file, a directory (read recursively, skipping names that start with {@code .} or {@code _}) or a
 * glob, on any Hadoop file system; {@code .gz} and the other Hadoop codecs are decompressed. Each
 * file's format is recognised from its first bytes ({@link KvmTraceFormat}).
 *
 * <p><b>Partitioning.</b> One task reads one whole file, in order: pairing each {@code kvm_exit}
 * with the next {@code kvm_entry} of its thread needs the file's order, and a trace file cannot be
 * cut at an arbitrary byte without losing the exits pending at the cut. Fleets have many files, so
 * this spreads well; one huge file is read by one task ({@code ExitStatistics.readFile} reads a
 * single file on several cores).
 *
 * <p><b>Options.</b>
 * <ul>
 *   <li>{@code hostPattern}: a regular expression over the file's path whose group 1 is the
 *       {@code host} column (default: the name of the file's directory);</li>
 *   <li>{@code mode}: {@code PERMISSIVE} (default) reports every problem as a row with the
 *       {@code problem} column set; {@code FAILFAST} fails the query at the first problem, naming
 *       the file and the line.</li>
 * </ul>
 */
public final class KvmTraceDataSource implements TableProvider, DataSourceRegister {
    /** The short name for {@code spark.read.format(...)}. */
    public static final String SHORT_NAME = "kvmtrace";

    /** Public no-argument constructor, for Spark's {@link java.util.ServiceLoader}. */
    public KvmTraceDataSource() {
    }

    @Override
    public String shortName() {
        return SHORT_NAME;
    }

    @Override
    public StructType inferSchema(CaseInsensitiveStringMap options) {
        return KvmTraceSchema.events();
    }

    @Override
    public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
        return new KvmTraceTable();
    }
}
