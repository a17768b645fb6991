package dev.vmx.bench;

import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.KvmTraceReader;
import dev.vmx.trace.KvmTraceSummary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The thread-scaling measurement of {@link ExitStatistics#readFile} for {@code tools/device/scaling.sh},
 * a plain repeated-timing harness (no JMH, so that it runs from two small jars on a machine with
 * only a Java runtime): warm-up runs, then the median, minimum and maximum of timed runs, per
 * thread count. Besides {@code readFile} itself it times the pieces it is made of, to show where
 * the time goes as threads are added:
 * <ul>
 * <li>{@code newlines-channel}: each thread reads its part of the file with positional
 *     {@link FileChannel} reads into a heap buffer (what {@code readFile} does) and counts newlines:
 *     the cost of getting the bytes, and the memory bandwidth it needs.</li>
 * <li>{@code newlines-mmap}: the same, the part mapped into memory and copied out with bulk gets
 *     (one copy, no system call per block).</li>
 * <li>{@code parts-channel} / {@code parts-mmap}: each thread parses its part into its own
 *     statistics, which are then merged: the slowest and the mean part (load balance), and the
 *     merge, timed separately. One part per thread, where readFile takes up to four per thread in
 *     turn.</li>
 * <li>{@code parse-memory}: the same parsing work (as many bytes as the file) from a private 1 MiB
 *     copy of the file's start per thread, parsed over and over: no page cache, no DRAM traffic to
 *     speak of, so its scaling is the machine's own ceiling for this code (shared cores of
 *     hyper-threads, lower all-core clock).</li>
 * </ul>
 * Usage: {@code generate FILE LINES} writes a trace with {@link TraceTextMix}; {@code measure MODE
 * FILE THREADS WARMUPS RUNS} (THREADS comma-separated) prints one line per thread count:
 * {@code MODE threads median_ms min_ms max_ms [slowest_part_ms mean_part_ms merge_ms]}.
 */
public final class ScalingRun {
    private ScalingRun() {
    }

    /**
     * The command line, see the class comment.
     *
     * @param args the arguments
     * @throws Exception if a run fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("generate")) {
            long start = System.nanoTime();
            TraceTextMix.write(Path.of(args[1]), Integer.parseInt(args[2]), 7);
            System.out.printf(Locale.ROOT, "generated %s lines in %.1f s%n", args[2], (System.nanoTime() - start) / 1e9);
            return;
        }
        if (args.length != 6 || !args[0].equals("measure")) {
            System.err.println("usage: ScalingRun generate FILE LINES | measure MODE FILE THREADS WARMUPS RUNS");
            System.exit(2);
        }
        String mode = args[1];
        Path file = Path.of(args[2]);
        int[] threadCounts = Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray();
        int warmups = Integer.parseInt(args[4]);
        int runs = Integer.parseInt(args[5]);
        long expected = -1;
        for (int threads : threadCounts) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                for (int i = 0; i < warmups; i++) {
                    expected = check(expected, once(mode, file, threads, pool).result, mode);
                }
                double[] wall = new double[runs];
                double[][] parts = new double[runs][];
                for (int i = 0; i < runs; i++) {
                    Timing timing = once(mode, file, threads, pool);
                    expected = check(expected, timing.result, mode);
                    wall[i] = timing.wallMillis;
                    parts[i] = timing.parts;
                }
                double[] sorted = wall.clone();
                Arrays.sort(sorted);
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s %d %.1f %.1f %.1f", mode, threads,
                        sorted[runs / 2], sorted[0], sorted[runs - 1]));
                if (parts[0] != null) {
                    // the breakdown of the run whose wall time is the median
                    int median = 0;
                    for (int i = 0; i < runs; i++) {
                        if (wall[i] == sorted[runs / 2]) {
                            median = i;
                        }
                    }
                    line.append(String.format(Locale.ROOT, " %.1f %.1f %.2f", parts[median][0], parts[median][1], parts[median][2]));
                }
                System.out.println(line);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static long check(long expected, long result, String mode) {
        if (expected >= 0 && expected != result) {
            throw new IllegalStateException(mode + " counted " + result + " where the run before counted " + expected);
        }
        return result;
    }

    /** One timed run: wall time, what it counted, and for the parts modes {slowest, mean, merge} ms. */
    private record Timing(double wallMillis, long result, double[] parts) {
    }

    private static Timing once(String mode, Path file, int threads, ExecutorService pool) throws Exception {
        long start = System.nanoTime();
        switch (mode) {
            case "readFile": {
                ExitStatistics statistics = ExitStatistics.byReason();
                KvmTraceSummary summary = statistics.readFile(file, threads);
                if (summary.problemCount() != 0) {
                    throw new IllegalStateException(summary.problems().toString());
                }
                return new Timing(millisSince(start), statistics.totalExits(), null);
            }
            case "newlines-channel":
            case "newlines-mmap": {
                boolean mapped = mode.endsWith("mmap");
                long newlines = 0;
                for (Future<long[]> part : submit(pool, file, threads, (channel, from, to) -> {
                    try (InputStream in = mapped ? new MappedPartStream(channel, from, to) : new ChannelPartStream(channel, from, to)) {
                        return new long[] {countNewlines(in)};
                    }
                })) {
                    newlines += part.get()[0];
                }
                return new Timing(millisSince(start), newlines, null);
            }
            case "parts-channel":
            case "parts-mmap": {
                boolean mapped = mode.endsWith("mmap");
                List<ExitStatistics> results = new ArrayList<>();
                List<Future<long[]>> futures = submit(pool, file, threads, (channel, from, to) -> {
                    long partStart = System.nanoTime();
                    ExitStatistics statistics = ExitStatistics.byReason();
                    try (InputStream in = mapped ? new MappedPartStream(channel, from, to) : new ChannelPartStream(channel, from, to);
                            KvmTraceReader reader = KvmTraceReader.of(in, file.toString())) {
                        while (reader.advance()) {
                            statistics.accept(reader.event());
                        }
                    }
                    synchronized (results) {
                        results.add(statistics);
                    }
                    return new long[] {System.nanoTime() - partStart};
                });
                double slowest = 0;
                double sum = 0;
                for (Future<long[]> part : futures) {
                    double millis = part.get()[0] / 1e6;
                    slowest = Math.max(slowest, millis);
                    sum += millis;
                }
                long mergeStart = System.nanoTime();
                ExitStatistics all = ExitStatistics.byReason();
                for (ExitStatistics part : results) {
                    all.merge(part);
                }
                double merge = millisSince(mergeStart);
                return new Timing(millisSince(start), all.totalExits(), new double[] {slowest, sum / futures.size(), merge});
            }
            case "parse-memory": {
                byte[] start0 = firstMebibyte(file);
                long size = java.nio.file.Files.size(file);
                long passes = Math.max(1, size / start0.length);
                List<Future<long[]>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    long mine = passes / threads + (t < passes % threads ? 1 : 0);
                    futures.add(pool.submit(() -> {
                        byte[] copy = start0.clone(); // the thread's own, in its own cache
                        long exits = 0;
                        for (long p = 0; p < mine; p++) {
                            ExitStatistics statistics = ExitStatistics.byReason();
                            try (KvmTraceReader reader = KvmTraceReader.of(new java.io.ByteArrayInputStream(copy), "memory")) {
                                while (reader.advance()) {
                                    statistics.accept(reader.event());
                                }
                            }
                            exits += statistics.totalExits();
                        }
                        return new long[] {exits};
                    }));
                }
                long exits = 0;
                for (Future<long[]> f : futures) {
                    exits += f.get()[0];
                }
                return new Timing(millisSince(start), exits, null);
            }
            default:
                throw new IllegalArgumentException("unknown mode " + mode
                        + " (readFile, newlines-channel, newlines-mmap, parts-channel, parts-mmap, parse-memory)");
        }
    }

    /** The file's first MiB, cut after its last whole line. */
    private static byte[] firstMebibyte(Path file) throws IOException {
        byte[] head;
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            head = in.readNBytes(1 << 20);
        }
        int end = head.length;
        while (end > 0 && head[end - 1] != '\n') {
            end--;
        }
        return Arrays.copyOf(head, end);
    }

    private static double millisSince(long start) {
        return (System.nanoTime() - start) / 1e6;
    }

    private interface PartTask {
        long[] run(FileChannel channel, long from, long to) throws IOException;
    }

    /** Cuts the file at line starts into {@code threads} parts, as readFile does, and runs one task per part. */
    private static List<Future<long[]>> submit(ExecutorService pool, Path file, int threads, PartTask task) throws IOException {
        List<Future<long[]>> futures = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long from = 0;
            for (int i = 1; i <= threads; i++) {
                long to = i == threads ? size : lineStartAtOrAfter(channel, size * i / threads, size);
                long partFrom = from;
                Callable<long[]> call = () -> {
                    try (FileChannel own = FileChannel.open(file, StandardOpenOption.READ)) {
                        return task.run(own, partFrom, to);
                    }
                };
                futures.add(pool.submit(call));
                from = to;
            }
        }
        return futures;
    }

    private static long lineStartAtOrAfter(FileChannel channel, long from, long size) throws IOException {
        ByteBuffer window = ByteBuffer.allocate(8192);
        for (long position = Math.max(from - 1, 0); position < size; ) {
            window.clear();
            int read = channel.read(window, position);
            if (read <= 0) {
                break;
            }
            for (int i = 0; i < read; i++) {
                if (window.get(i) == '\n') {
                    return position + i + 1;
                }
            }
            position += read;
        }
        return size;
    }

    private static long countNewlines(InputStream in) throws IOException {
        byte[] buffer = new byte[1 << 17];
        long newlines = 0;
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
            for (int i = 0; i < read; i++) {
                newlines += buffer[i] == '\n' ? 1 : 0;
            }
        }
        return newlines;
    }

    /** Bytes [from, to) by positional reads into the caller's heap array (ParallelTraceReading's way). */
    private static final class ChannelPartStream extends InputStream {
        private final FileChannel channel;
        private long position;
        private final long end;

        ChannelPartStream(FileChannel channel, long from, long to) {
            this.channel = channel;
            this.position = from;
            this.end = to;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("bulk reads only");
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            if (position >= end) {
                return -1;
            }
            int read = channel.read(ByteBuffer.wrap(bytes, offset, (int) Math.min(length, end - position)), position);
            if (read < 0) {
                return -1;
            }
            position += read;
            return read;
        }
    }

    /** Bytes [from, to) mapped into memory and copied out by bulk gets. */
    private static final class MappedPartStream extends InputStream {
        private final List<MappedByteBuffer> maps = new ArrayList<>();
        private int current;

        MappedPartStream(FileChannel channel, long from, long to) {
            try {
                for (long at = from; at < to; at += Integer.MAX_VALUE) {
                    maps.add(channel.map(FileChannel.MapMode.READ_ONLY, at, Math.min(Integer.MAX_VALUE, to - at)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("bulk reads only");
        }

        @Override
        public int read(byte[] bytes, int offset, int length) {
            while (current < maps.size() && !maps.get(current).hasRemaining()) {
                current++;
            }
            if (current == maps.size()) {
                return -1;
            }
            MappedByteBuffer map = maps.get(current);
            int count = Math.min(length, map.remaining());
            map.get(bytes, offset, count);
            return count;
        }
    }
}
