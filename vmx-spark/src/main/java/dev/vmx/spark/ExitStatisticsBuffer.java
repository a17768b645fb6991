package dev.vmx.spark;

import dev.vmx.trace.ExitStatistics;
import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.util.Objects;

/**
 * The aggregation buffer of {@link ExitStatisticsAggregator}: one {@link ExitStatistics}, which
 * merges exactly. Spark moves it between tasks in the statistics' own versioned serialized form
 * ({@link ExitStatistics#toBytes()}), not as Java objects, so a buffer written by one version of
 * vmx reads in a later one.
 */
public final class ExitStatisticsBuffer implements Externalizable {
    private static final long serialVersionUID = 1L;
    private transient ExitStatistics statistics; // written by writeExternal, as its serialized form

    /** For deserialization only. */
    public ExitStatisticsBuffer() {
    }

    ExitStatisticsBuffer(ExitStatistics statistics) {
        this.statistics = Objects.requireNonNull(statistics, "statistics");
    }

    /**
     * The statistics gathered so far.
     *
     * @return the statistics (the buffer's own, not a copy)
     */
    public ExitStatistics statistics() {
        return statistics;
    }

    @Override
    public void writeExternal(ObjectOutput out) throws IOException {
        byte[] bytes = statistics.toBytes();
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    @Override
    public void readExternal(ObjectInput in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        statistics = ExitStatistics.fromBytes(bytes);
    }
}
