package dev.vmx.spark;

import org.apache.spark.sql.connector.read.InputPartition;

/**
 * One trace file, read whole by one task.
 *
 * @param path the file's path as Hadoop names it
 * @param host the host column's value for its rows
 * @param listingProblem why the driver could not list it (the file then yields one problem row), or null
 */
record KvmTraceFilePartition(String path, String host, String listingProblem) implements InputPartition {
}
