package dev.vmx.spark;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;

/** Opens one {@link KvmTracePartitionReader} per file on the executors. */
final class KvmTracePartitionReaderFactory implements PartitionReaderFactory {
    private static final long serialVersionUID = 1L;
    private final int[] fields;
    private final boolean failFast;
    private final SerializableConfiguration conf;

    KvmTracePartitionReaderFactory(int[] fields, boolean failFast, SerializableConfiguration conf) {
        this.fields = fields.clone();
        this.failFast = failFast;
        this.conf = conf;
    }

    @Override
    public PartitionReader<InternalRow> createReader(InputPartition partition) {
        return new KvmTracePartitionReader((KvmTraceFilePartition) partition, fields, failFast, conf.get());
    }
}
