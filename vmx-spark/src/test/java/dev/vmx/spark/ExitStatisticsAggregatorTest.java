package dev.vmx.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.ExitStatisticsRow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import scala.Tuple2;

/**
 * The Spark aggregation gives, per host, the table {@link ExitStatistics} computes when it reads
 * that host's files itself ({@code readFile}, one statistics per file, merged), row by row and
 * field by field.
 */
class ExitStatisticsAggregatorTest {
    @TempDir
    static Path fleet;
    private static List<Path> files;
    private final SparkSession spark = TestSpark.session();

    @BeforeAll
    static void writeFleet() {
        // five hosts, two files each; host-01 is Linux 4.x (no vCPU in kvm_exit), host-02 has a skewed clock
        files = SimulatedFleet.write(fleet, 5, 2, 3_000, 42);
    }

    /** What ExitStatistics computes per host, reading each file itself and merging. */
    private static Map<String, ExitStatistics> expected(ExitStatistics.Grouping grouping) {
        Map<String, ExitStatistics> byHost = new TreeMap<>();
        for (Path file : files) {
            ExitStatistics one = ExitStatistics.by(grouping);
            assertEquals(0, one.readFile(file, 1).problemCount(), file.toString());
            byHost.computeIfAbsent(file.getParent().getFileName().toString(), h -> ExitStatistics.by(grouping)).merge(one);
        }
        return byHost;
    }

    private Dataset<Row> events() {
        return spark.read().format("kvmtrace").load(fleet.toString());
    }

    @ParameterizedTest
    @EnumSource(value = ExitStatistics.Grouping.class, names = {"REASON", "REASON_AND_VCPU", "QUALIFICATION_CLASS"})
    void tablePerHostEqualsExitStatisticsRowByRow(ExitStatistics.Grouping grouping) {
        Map<String, ExitStatistics> expected = expected(grouping);
        Map<String, List<Row>> actual = ExitStatisticsAggregator.table(events(), grouping, "host").collectAsList().stream()
                .collect(Collectors.groupingBy(r -> r.getString(0), TreeMap::new, Collectors.toList()));
        assertEquals(expected.keySet(), actual.keySet());
        for (Map.Entry<String, ExitStatistics> host : expected.entrySet()) {
            List<ExitStatisticsRow> want = host.getValue().rows(ExitStatistics.Order.REASON);
            List<Row> got = actual.get(host.getKey());
            assertEquals(want.size(), got.size(), host.getKey());
            assertTrue(want.size() >= 8, "a table worth comparing: " + want.size());
            for (int i = 0; i < want.size(); i++) {
                assertRow(host.getKey() + " row " + i, want.get(i), got.get(i));
            }
        }
        if (grouping == ExitStatistics.Grouping.REASON_AND_VCPU) {
            // the 4.x host's exits took their vCPU from the thread's entries, as ExitStatistics does
            assertTrue(actual.get("host-01").stream().allMatch(r -> r.<Integer>getAs("vcpu") >= 0
                    || r.<Long>getAs("count") <= 8), "only a thread's exits before its first entry lack a vCPU");
        }
    }

    static void assertRow(String where, ExitStatisticsRow want, Row got) {
        List<Object> expected = List.of(want.isa().name(), want.exitCode(), want.reasonName(), want.vcpu(), want.detail(),
                want.count(), want.share(), want.timedCount(), want.totalNanos(), want.minNanos(), want.maxNanos(),
                want.meanNanos(), want.p50Nanos(), want.p99Nanos(), want.timeShare(), want.meanSpreadPercent(),
                want.guestKernelCount());
        List<Object> actual = new ArrayList<>();
        for (String name : ExitStatisticsAggregator.rowSchema().fieldNames()) {
            actual.add(got.getAs(name));
        }
        assertEquals(expected, actual, where);
    }

    @Test
    void sqlFunctionGivesTheSameStatisticsAndTheirMergeableState() {
        ExitStatisticsAggregator.register(spark);
        events().createOrReplaceTempView("traces");
        List<Row> rows = spark.sql("SELECT host, exit_stats(" + String.join(", ", ExitStatisticsAggregator.INPUT_COLUMNS)
                + ") AS s FROM traces GROUP BY host ORDER BY host").collectAsList();
        Map<String, ExitStatistics> expected = expected(ExitStatistics.Grouping.REASON);
        assertEquals(expected.size(), rows.size());
        ExitStatistics fleetTotal = ExitStatistics.byReason();
        ExitStatistics expectedTotal = ExitStatistics.byReason();
        for (Row row : rows) {
            Row s = row.getStruct(1);
            ExitStatistics want = expected.get(row.getString(0));
            ExitStatistics got = ExitStatistics.fromBytes(s.getAs("state"));
            assertEquals(want.rows(ExitStatistics.Order.REASON), got.rows(ExitStatistics.Order.REASON), row.getString(0));
            assertEquals(want.totalExits(), s.<Long>getAs("total_exits"));
            assertEquals(want.backwardIntervals(), s.<Long>getAs("backward_intervals"));
            assertEquals(want.rows(ExitStatistics.Order.REASON).size(), s.getList(s.fieldIndex("rows")).size());
            fleetTotal.merge(got);
            expectedTotal.merge(want);
        }
        // the per-host states merge further into the fleet's table
        assertEquals(expectedTotal.rows(ExitStatistics.Order.COUNT), fleetTotal.rows(ExitStatistics.Order.COUNT));
        assertTrue(expected.get("host-02").backwardIntervals() > 0, "the skewed host has entries before their exits");
        // the same from SQL over one host's vCPUs: per reason and vCPU
        long vcpuRows = spark.sql("SELECT size(exit_stats_by_vcpu(" + String.join(", ", ExitStatisticsAggregator.INPUT_COLUMNS)
                + ").rows) FROM traces WHERE host = 'host-00'").first().getInt(0);
        assertEquals(expected(ExitStatistics.Grouping.REASON_AND_VCPU).get("host-00").rows(ExitStatistics.Order.REASON).size(), vcpuRows);
    }

    @Test
    void typedDatasetApiGivesTheSameTable() {
        // the Aggregator itself as a typed column of a typed grouping: it reads the rows' columns by name
        List<Tuple2<String, Row>> perHost = events()
                .groupByKey((MapFunction<Row, String>) r -> r.getAs("host"), Encoders.STRING())
                .agg(ExitStatisticsAggregator.byReason().toColumn()).collectAsList();
        Map<String, ExitStatistics> expected = expected(ExitStatistics.Grouping.REASON);
        assertEquals(expected.size(), perHost.size());
        for (Tuple2<String, Row> host : perHost) {
            assertEquals(expected.get(host._1()).rows(ExitStatistics.Order.REASON),
                    ExitStatistics.fromBytes(host._2().getAs("state")).rows(ExitStatistics.Order.REASON), host._1());
        }
    }

    @Test
    void problemRowsDoNotCountAsExits() {
        long exits = events().where("event = 'kvm_exit'").count();
        Row all = events().agg(ExitStatisticsAggregator.byReason().apply()).first().getStruct(0);
        assertEquals(exits, all.<Long>getAs("total_exits"));
    }

    @Test
    void ioPortAndMsrGroupingsAreRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExitStatisticsAggregator.of(ExitStatistics.Grouping.IO_PORT));
        assertTrue(e.getMessage().contains("kvm_pio/kvm_msr/kvm_page_fault"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ExitStatisticsAggregator.of(ExitStatistics.Grouping.MSR));
    }
}
