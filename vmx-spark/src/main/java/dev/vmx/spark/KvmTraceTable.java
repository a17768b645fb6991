package dev.vmx.spark;

import java.util.EnumSet;
import java.util.Set;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/** The table behind {@code format("kvmtrace")}: batch reads of {@link KvmTraceSchema#events()}. */
final class KvmTraceTable implements SupportsRead {
    @Override
    public String name() {
        return KvmTraceDataSource.SHORT_NAME;
    }

    @Override
    @SuppressWarnings("deprecation") // schema() is what Spark 4 still calls for V2 tables without columns()
    public StructType schema() {
        return KvmTraceSchema.events();
    }

    @Override
    public Set<TableCapability> capabilities() {
        return EnumSet.of(TableCapability.BATCH_READ);
    }

    @Override
    public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
        return new KvmTraceScan(options);
    }
}
