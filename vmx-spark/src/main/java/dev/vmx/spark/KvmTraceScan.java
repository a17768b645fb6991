package dev.vmx.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * Plans a {@code kvmtrace} read on the driver: lists the files behind the paths, one input
 * partition per file, and reads only the columns the query needs.
 */
final class KvmTraceScan implements ScanBuilder, SupportsPushDownRequiredColumns, Scan, Batch {
    private final CaseInsensitiveStringMap options;
    private StructType readSchema = KvmTraceSchema.events();

    KvmTraceScan(CaseInsensitiveStringMap options) {
        this.options = options;
    }

    @Override
    public void pruneColumns(StructType requiredSchema) {
        readSchema = requiredSchema;
    }

    @Override
    public Scan build() {
        return this;
    }

    @Override
    public StructType readSchema() {
        return readSchema;
    }

    @Override
    public String description() {
        return "kvmtrace " + paths(options);
    }

    @Override
    public Batch toBatch() {
        return this;
    }

    @Override
    public InputPartition[] planInputPartitions() {
        Configuration conf = SparkSession.active().sparkContext().hadoopConfiguration();
        Pattern hostPattern = hostPattern(options);
        List<KvmTraceFilePartition> partitions = new ArrayList<>();
        for (String pathText : paths(options)) {
            Path path = new Path(pathText);
            String given = pathText;
            try {
                FileSystem fs = path.getFileSystem(conf);
                path = fs.makeQualified(path); // the source column names files the same way, found or not
                FileStatus[] matches = fs.globStatus(path);
                if (matches == null || matches.length == 0) {
                    // a missing path is a problem row, not a silently smaller result
                    String why = matches == null ? "unreadable file: no such file or directory" : "unreadable file: no file matches the pattern";
                    partitions.add(new KvmTraceFilePartition(path.toString(), host(hostPattern, path), why));
                    continue;
                }
                for (FileStatus match : matches) {
                    if (match.isDirectory()) {
                        List<Path> files = new ArrayList<>();
                        RemoteIterator<LocatedFileStatus> it = fs.listFiles(match.getPath(), true);
                        while (it.hasNext()) {
                            LocatedFileStatus file = it.next();
                            if (!hidden(match.getPath(), file.getPath())) {
                                files.add(file.getPath());
                            }
                        }
                        files.sort(null);
                        for (Path file : files) {
                            partitions.add(new KvmTraceFilePartition(file.toString(), host(hostPattern, file), null));
                        }
                    } else {
                        partitions.add(new KvmTraceFilePartition(match.getPath().toString(), host(hostPattern, match.getPath()), null));
                    }
                }
            } catch (FileNotFoundException e) {
                partitions.add(new KvmTraceFilePartition(path.toString(), host(hostPattern, path), "unreadable file: " + e.getMessage()));
            } catch (IOException e) {
                throw new UncheckedIOException("kvmtrace: cannot list " + given, e);
            }
        }
        return partitions.toArray(InputPartition[]::new);
    }

    @Override
    public PartitionReaderFactory createReaderFactory() {
        int[] fields = new int[readSchema.fields().length];
        StructType all = KvmTraceSchema.events();
        for (int i = 0; i < fields.length; i++) {
            StructField field = readSchema.fields()[i];
            fields[i] = all.fieldIndex(field.name());
        }
        return new KvmTracePartitionReaderFactory(fields, failFast(options),
                new SerializableConfiguration(SparkSession.active().sparkContext().hadoopConfiguration()));
    }

    /** {@code load(p)} passes option {@code path}; {@code load(p, q, ...)} passes {@code paths} as a JSON array. */
    static List<String> paths(CaseInsensitiveStringMap options) {
        List<String> paths = new ArrayList<>();
        String single = options.get("path");
        if (single != null) {
            paths.add(single);
        }
        String many = options.get("paths");
        if (many != null) {
            try {
                paths.addAll(Arrays.asList(new ObjectMapper().readValue(many, String[].class)));
            } catch (IOException e) {
                throw new IllegalArgumentException("kvmtrace: option paths is not a JSON array of strings: " + many, e);
            }
        }
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("kvmtrace: no path given; use spark.read().format(\"kvmtrace\").load(path, ...)");
        }
        return paths;
    }

    static boolean failFast(CaseInsensitiveStringMap options) {
        String mode = options.getOrDefault("mode", "PERMISSIVE").toUpperCase(Locale.ROOT);
        switch (mode) {
            case "PERMISSIVE":
                return false;
            case "FAILFAST":
                return true;
            default:
                throw new IllegalArgumentException("kvmtrace: option mode must be PERMISSIVE or FAILFAST, not " + options.get("mode"));
        }
    }

    private static Pattern hostPattern(CaseInsensitiveStringMap options) {
        String text = options.get("hostPattern");
        if (text == null) {
            return null;
        }
        try {
            Pattern pattern = Pattern.compile(text);
            if (pattern.matcher("").groupCount() < 1) {
                throw new IllegalArgumentException("kvmtrace: option hostPattern needs a group, e.g. 'hosts/([^/]+)/': " + text);
            }
            return pattern;
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("kvmtrace: option hostPattern is not a regular expression: " + text, e);
        }
    }

    /** Group 1 of the pattern found in the path, or the name of the file's directory. */
    static String host(Pattern pattern, Path file) {
        if (pattern == null) {
            Path parent = file.getParent();
            return parent == null ? "" : parent.getName();
        }
        Matcher matcher = pattern.matcher(file.toString());
        return matcher.find() ? matcher.group(1) : null;
    }

    /** Names under the listed directory that start with '.' or '_' (Spark's and Hadoop's marker and temporary files). */
    private static boolean hidden(Path root, Path file) {
        int depth = root.depth();
        for (Path p = file; p != null && p.depth() > depth; p = p.getParent()) {
            String name = p.getName();
            if (name.startsWith(".") || name.startsWith("_")) {
                return true;
            }
        }
        return false;
    }
}
