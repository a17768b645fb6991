package dev.vmx.bench;

import dev.vmx.hw.tracedat.TraceDat;
import dev.vmx.trace.ExitEntryConsumer;
import dev.vmx.trace.ExitStatistics;
import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmIsa;
import dev.vmx.trace.KvmTraceSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * trace.dat to per-reason exit statistics ({@link ExitStatistics#readFile} on a trace-cmd v6
 * file) against, in the same run, the same events as trace text through the same call, and a plain
 * copy of the file's ring-buffer pages (the floor of any trace.dat reader, as in
 * {@link TracefsPageBenchmark}) and a walk over the pages' record headers without decoding (the
 * least a reader of the format must do; each record's place depends on the one before);
 * {@link TraceDatScalingBenchmark} reads it with 1..16 threads.
 * Both files hold {@link TraceTextBenchmark#LINES} events ({@link TraceTextMix}, converted by
 * {@link TraceDatMix}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(1)
public class TraceDatBenchmark {
    /** Events in both files. */
    public static final int EVENTS = TraceTextBenchmark.LINES;

    private Path text;
    private Path dat;
    private byte[] copy;

    /** Writes both files once per trial. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        text = Files.createTempFile("vmx-trace-", ".txt");
        dat = Files.createTempFile("vmx-trace-", ".dat");
        TraceTextMix.write(text, EVENTS, 7);
        TraceDatMix.write(text, dat);
        copy = new byte[TraceDatMix.PAGE_SIZE];
    }

    /** Deletes the files. */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(text);
        Files.deleteIfExists(dat);
    }

    /** @return exits counted, from the trace.dat on one thread */
    @Benchmark
    public long traceDatStatistics() {
        return statistics(dat, 1);
    }

    /** @return exits counted, from the same events as text on one thread (the text path) */
    @Benchmark
    public long textStatistics() {
        return statistics(text, 1);
    }

    /** @return a checksum of the trace.dat's bytes, copied page by page from the mapped file */
    @Benchmark
    public long copyTraceDatPages() {
        return copyPages(dat, copy);
    }

    /** @return the data records, found by walking the mapped file's pages record header by header (no decoding) */
    @Benchmark
    public long walkTraceDatRecords() {
        return walkRecords(dat);
    }

    /**
     * @return the data records, found by walking the mapped file's pages two at a time, their
     *         header chains stepped in one loop (as the reader does), without decoding
     */
    @Benchmark
    public long walkTraceDatRecordsPaired() {
        return walkRecordsPaired(dat);
    }

    /**
     * @return a sum of every field handed over, from the trace.dat read by thread on one thread into
     *         a consumer that only adds up what it gets: {@link #traceDatStatistics} without the
     *         statistics, which splits its time into reading and counting
     */
    @Benchmark
    public long traceDatHandOverOnly() {
        return handOverOnly(dat);
    }

    /** The reader's own work: every event handed to a consumer that sums its values. */
    static long handOverOnly(Path file) {
        long[] sum = {0};
        ExitEntryConsumer summing = summing(sum);
        try (TraceDat trace = TraceDat.open(file)) {
            KvmTraceSummary summary = trace.readByThread(1, index -> summing);
            if (summary.problemCount() != 0) {
                throw new IllegalStateException(summary.problems().toString());
            }
        }
        return sum[0];
    }

    /** A consumer that adds every value it is handed to {@code sum[0]} (the sum does not depend on the order). */
    static ExitEntryConsumer summing(long[] sum) {
        return new ExitEntryConsumer() {
            @Override
            public void acceptExit(int pid, long timestampNanos, KvmIsa isa, long exitCode, long guestRip, int vcpu,
                    long info1, int intrInfo) {
                sum[0] += pid + timestampNanos + isa.ordinal() + exitCode + guestRip + vcpu + info1 + intrInfo;
            }

            @Override
            public void acceptEntry(int pid, long timestampNanos, int vcpu) {
                sum[0] += pid + timestampNanos + vcpu;
            }

            @Override
            public void acceptOther(KvmEvent event) {
                sum[0] += event.pid() + event.timestampNanos();
            }
        };
    }

    static long statistics(Path file, int threads) {
        ExitStatistics statistics = ExitStatistics.byReason();
        KvmTraceSummary summary = statistics.readFile(file, threads);
        if (summary.problemCount() != 0) {
            throw new IllegalStateException(summary.problems().toString());
        }
        return statistics.totalExits();
    }

    /** Maps the file and copies every page (header included) into one page-sized array. */
    static long copyPages(Path file, byte[] copy) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            long sum = 0;
            for (int at = 0; at + copy.length <= mapped.capacity(); at += copy.length) {
                mapped.get(at, copy, 0, copy.length);
                sum += copy[(at >>> 12) & 63];
            }
            return sum;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The least any reader of ring-buffer pages does: maps the file and walks each page's records
     * by their headers (trace-cmd.dat.v6(5), ring_buffer.c: type_len in bits 4:0, the time delta
     * above; 1..28 give the length in words, 0 a length word after it, 29 padding with a length
     * word, 30 and 31 an 8-byte time record), counting the data records; nothing is decoded.
     * The CPU data starts at the first offset after "flyrecord" in a {@link TraceDatMix} file and
     * runs, page by page, to the end.
     */
    static long walkRecords(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size())
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int first = dataStart(mapped);
            long records = 0;
            int pageSize = TraceDatMix.PAGE_SIZE;
            for (int page = first; page + pageSize <= mapped.capacity(); page += pageSize) {
                records += walkPage(mapped, page + 16, commitEnd(mapped, page));
            }
            return records;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@link #walkRecords} over two pages at once: both pages' headers are read in one loop while
     * both hold ordinary data records (type_len 1..28), so the two chains of dependent loads
     * overlap; each page's rest is then walked alone. The same count as {@link #walkRecords}.
     */
    static long walkRecordsPaired(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size())
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int first = dataStart(mapped);
            long records = 0;
            int pageSize = TraceDatMix.PAGE_SIZE;
            int page = first;
            for (; page + 2 * pageSize <= mapped.capacity(); page += 2 * pageSize) {
                int second = page + pageSize;
                int endA = commitEnd(mapped, page);
                int endB = commitEnd(mapped, second);
                int atA = page + 16;
                int atB = second + 16;
                while (atA + 4 <= endA && atB + 4 <= endB) {
                    int typeLengthA = mapped.getInt(atA) & 0x1f;
                    int typeLengthB = mapped.getInt(atB) & 0x1f;
                    if (typeLengthA == 0 || typeLengthA >= 29 || typeLengthB == 0 || typeLengthB >= 29) {
                        break;
                    }
                    atA += 4 + typeLengthA * 4;
                    atB += 4 + typeLengthB * 4;
                    records += 2;
                }
                records += walkPage(mapped, atA, endA) + walkPage(mapped, atB, endB);
            }
            if (page + pageSize <= mapped.capacity()) {
                records += walkPage(mapped, page + 16, commitEnd(mapped, page));
            }
            return records;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where a page's committed data ends: after its 16-byte header, the commit field's low 27 bits. */
    private static int commitEnd(ByteBuffer mapped, int page) {
        return page + 16 + (int) (mapped.getLong(page + 8) & 0x7ff_ffff);
    }

    /** The data records of one page from {@code at} to its commit end (the loop both walks share). */
    private static long walkPage(ByteBuffer mapped, int at, int end) {
        long records = 0;
        while (at + 4 <= end) {
            int header = mapped.getInt(at);
            int typeLength = header & 0x1f;
            if (typeLength >= 30) {
                at += 8;
            } else if (typeLength == 0 || typeLength == 29) {
                int length = mapped.getInt(at + 4);
                if (length <= 0 || (typeLength == 29 && header >>> 5 == 0)) {
                    break;
                }
                at += typeLength == 0 ? 4 + ((length + 3) & ~3) : 4 + length;
                records += typeLength == 0 ? 1 : 0;
            } else {
                at += 4 + typeLength * 4;
                records++;
            }
        }
        return records;
    }

    private static int dataStart(ByteBuffer mapped) {
        byte[] marker = "flyrecord\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        for (int at = 0; at + marker.length + 8 <= Math.min(mapped.capacity(), 1 << 20); at++) {
            int i = 0;
            while (i < marker.length && mapped.get(at + i) == marker[i]) {
                i++;
            }
            if (i == marker.length) {
                for (int cpu = at + marker.length; cpu + 16 <= mapped.capacity(); cpu += 16) {
                    long offset = mapped.getLong(cpu);
                    if (offset != 0) {
                        return (int) offset;
                    }
                }
            }
        }
        throw new IllegalStateException("no flyrecord section with CPU data");
    }
}
