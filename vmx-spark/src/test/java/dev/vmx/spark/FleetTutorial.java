package dev.vmx.spark;

import static org.apache.spark.sql.functions.col;

import dev.vmx.trace.ExitStatistics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Tutorial: which VM exits cost most across a fleet of hosts, with Apache Spark.
 *
 * <p>On one host, {@code perf kvm stat} or vmx's {@code ExitStatistics} answer "which exit reasons
 * cost my VMs most". A cloud operator asks it of thousands of hosts at once, over trace files in
 * HDFS or an object store. Spark reads those files in parallel: the {@code kvmtrace} data source
 * turns each file into rows of events (one row per {@code kvm_exit}, {@code kvm_entry}, ...), and
 * the {@link ExitStatisticsAggregator} builds the exit statistics table per host (or per VM, per
 * vCPU: any grouping columns), equal to what {@code ExitStatistics} computes host by host.
 *
 * <p>Run it with {@code ./mvnw -q -B -pl vmx-spark exec:exec} (after the install in README's first
 * command), optionally with {@code -Dexec.args=DIR} for a directory of real traces (one
 * sub-directory per host). Without one it simulates four hosts, and damages one file to show how
 * problems are reported.
 */
public final class FleetTutorial {
    private FleetTutorial() {
    }

    /**
     * Prints the per-host table of exit reasons.
     *
     * @param args optionally a directory of traces, one sub-directory per host
     * @throws IOException if the simulated traces cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path fleet;
        boolean simulated = args.length == 0;
        if (!simulated) {
            fleet = Path.of(args[0]);
        } else {
            fleet = Files.createTempDirectory("vmx-fleet");
            SimulatedFleet.write(fleet, 4, 2, 5_000, 7);
            // a damaged file: a line cut in the middle, and events the kernel overwrote before they were read
            Files.writeString(fleet.resolve("host-03/trace-1.txt"),
                    " CPU 0/KVM-4242 [000] d..1. 12.000001: kvm_exit: vcpu 0 reas\nCPU:0 [LOST 1200 EVENTS]\n",
                    StandardOpenOption.APPEND);
        }
        // A local session with two worker threads; on a cluster, spark-submit supplies the session.
        boolean ownSession = SparkSession.getActiveSession().isEmpty();
        SparkSession spark = ownSession
                ? SparkSession.builder().master("local[2]").appName("vmx fleet tutorial").config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1").getOrCreate()
                : SparkSession.active();
        try {
            run(spark, fleet);
        } finally {
            if (ownSession) {
                spark.stop();
            }
            if (simulated) {
                deleteTree(fleet);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void run(SparkSession spark, Path fleet) {
        // 1. Every file under the directory becomes rows; the host column is the file's directory name.
        Dataset<Row> events = spark.read().format("kvmtrace").load(fleet.toString()).cache();
        long files = events.select("source").distinct().count();
        long exits = events.where("event = 'kvm_exit'").count();
        System.out.println("Read " + files + " files: " + exits + " exits.");

        // 2. Nothing is dropped silently: a line that does not parse, or events the kernel lost, is a row
        //    with the problem column set, naming the file and the line.
        List<Row> problems = events.where("problem IS NOT NULL").orderBy("source", "line")
                .select("host", "line", "problem").collectAsList();
        System.out.println(problems.size() + " problem rows:");
        for (Row p : problems) {
            System.out.println("  " + p.getString(0) + " line " + p.getLong(1) + ": " + p.getString(2));
        }

        // 3. The per-host by reason table: one ExitStatistics per host, built by Spark from the events
        //    of all its files (each task pairs exits with entries in its file, then the statistics merge).
        Dataset<Row> table = ExitStatisticsAggregator.table(events, ExitStatistics.Grouping.REASON, "host");
        System.out.println();
        System.out.println("Per host, the three exit reasons that took most time (exit to next entry):");
        System.out.println(String.format(Locale.ROOT, "%-8s %-20s %8s %7s %8s %10s %10s", "host", "reason", "exits",
                "share", "time%", "mean(us)", "p99(us)"));
        for (Row r : table.withColumn("rank", org.apache.spark.sql.functions.expr(
                "row_number() OVER (PARTITION BY host ORDER BY total_ns DESC)")).where("rank <= 3")
                .orderBy(col("host"), col("rank")).collectAsList()) {
            System.out.println(String.format(Locale.ROOT, "%-8s %-20s %8d %6.2f%% %7.2f%% %10.2f %10.2f", r.getAs("host"),
                    r.getAs("reason"), r.<Long>getAs("count"), 100 * r.<Double>getAs("share"),
                    100 * r.<Double>getAs("time_share"), r.<Double>getAs("mean_ns") / 1000, r.<Long>getAs("p99_ns") / 1000.0));
        }

        // 4. The same aggregation from SQL, here over the whole fleet: the question an operator asks.
        ExitStatisticsAggregator.register(spark);
        events.createOrReplaceTempView("traces");
        Row fleetWide = spark.sql("SELECT exit_stats(event, isa, exit_code, vcpu, rip, info1, intr_info, exit_to_entry_ns) AS s"
                + " FROM traces").first().getStruct(0);
        System.out.println();
        System.out.println("Across the fleet: " + fleetWide.<Long>getAs("total_exits") + " exits in "
                + fleetWide.getList(fleetWide.fieldIndex("rows")).size() + " reasons.");
        System.out.println("HLT is a vCPU sleeping, not overhead; EPT_VIOLATION and IO_INSTRUCTION time is the guest"
                + " waiting for KVM or the VMM.");
        events.unpersist();
    }
}
