package dev.vmx.trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link ExitStatistics#readFile}: the file is cut at line starts into parts, each read by its own
 * {@link KvmTraceReader} into its own part statistics, then merged in file order. Parse cost is per
 * line and independent between lines, so the parts scale with the cores. There are up to
 * {@link #PARTS_PER_THREAD} parts per thread, which the threads take in turn from a shared counter:
 * with exactly one part per thread the run lasts as long as the slowest thread, and a thread
 * that is descheduled for a while, shares its core with a hyper-thread sibling, or runs on a
 * slower core makes all the others wait.
 */
final class ParallelTraceReading {
    /** Parts smaller than this are not worth a thread. */
    static final long MIN_PART_BYTES = 1 << 20;
    /** Parts per reading thread (fewer for small files). */
    static final int PARTS_PER_THREAD = 4;

    private ParallelTraceReading() {
    }

    /** One part's reader counts and statistics. */
    private static final class Part {
        final long start;
        final long end;
        ExitStatistics statistics;
        long lines;
        long events;
        long otherEvents;
        long headers;
        long lossLines;
        long lostEvents;
        long problemCount;
        List<KvmTraceProblem> problems = List.of();
        Throwable failure;

        Part(long start, long end) {
            this.start = start;
            this.end = end;
        }

        void read(Path file, ExitStatistics into) {
            statistics = into;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                    KvmTraceReader reader = KvmTraceReader.of(new RangeInputStream(channel, start, end), file.toString())) {
                while (reader.advance()) {
                    into.accept(reader.event(), reader.lineNumber());
                }
                lines = reader.lineNumber();
                events = reader.eventCount();
                otherEvents = reader.otherCount();
                headers = reader.headerCount();
                lossLines = reader.lossLines();
                lostEvents = reader.lostEvents();
                problemCount = reader.problemCount();
                problems = reader.problems();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read kvm trace " + file, e);
            }
        }
    }

    static KvmTraceSummary read(ExitStatistics target, Path file, int threads) {
        return read(target, file, threads, MIN_PART_BYTES);
    }

    /** As {@link #read(ExitStatistics, Path, int)}, with parts of at least {@code minPartBytes} (tests use small ones). */
    static KvmTraceSummary read(ExitStatistics target, Path file, int threads, long minPartBytes) {
        List<Part> parts = split(file, threads == 1 ? 1 : threads * PARTS_PER_THREAD, minPartBytes);
        if (parts.size() == 1) {
            Part whole = parts.get(0);
            whole.read(file, target);
            return summary(parts);
        }
        AtomicInteger nextPart = new AtomicInteger();
        Runnable work = () -> {
            for (int i = nextPart.getAndIncrement(); i < parts.size(); i = nextPart.getAndIncrement()) {
                Part part = parts.get(i);
                try {
                    part.read(file, target.newPart());
                } catch (RuntimeException | Error e) {
                    part.failure = e;
                    nextPart.set(parts.size()); // the result is lost anyway: leave the other parts unread
                }
            }
        };
        List<Thread> workers = new ArrayList<>();
        try {
            for (int i = 1; i < Math.min(threads, parts.size()); i++) {
                Thread worker = new Thread(work, "kvm-trace-reader-" + i);
                worker.start();
                workers.add(worker);
            }
            work.run(); // the calling thread reads parts too
        } finally {
            for (Thread worker : workers) {
                joinUninterruptibly(worker);
            }
        }
        for (Part part : parts) {
            if (part.failure instanceof RuntimeException) {
                throw (RuntimeException) part.failure;
            }
            if (part.failure instanceof Error) {
                throw (Error) part.failure;
            }
        }
        for (Part part : parts.subList(1, parts.size())) {
            if (part.statistics.needsCarriedVcpu()) {
                // per-vCPU rows of a trace whose exits carry no vCPU id: only one reader can name them
                Part whole = new Part(0, parts.get(parts.size() - 1).end);
                whole.read(file, target);
                return summary(List.of(whole));
            }
        }
        long lineOffset = 0;
        for (Part part : parts) {
            target.absorb(part.statistics, lineOffset);
            lineOffset += part.lines;
        }
        return summary(parts);
    }

    /** Parts of about equal size, each starting at a line start; fewer for small files. */
    private static List<Part> split(Path file, int wanted, long minPartBytes) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            int count = (int) Math.max(1, Math.min(wanted, size / minPartBytes));
            List<Part> parts = new ArrayList<>();
            long start = 0;
            for (int i = 1; i < count; i++) {
                long cut = lineStartAtOrAfter(channel, size * i / count, size);
                if (cut > start && cut < size) {
                    parts.add(new Part(start, cut));
                    start = cut;
                }
            }
            parts.add(new Part(start, size));
            return parts;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kvm trace " + file, e);
        }
    }

    /** The first position at or after {@code from} that follows a '\n' (or the size). */
    private static long lineStartAtOrAfter(FileChannel channel, long from, long size) throws IOException {
        ByteBuffer window = ByteBuffer.allocate(8192);
        long position = Math.max(from - 1, 0); // a '\n' just before the cut makes the cut itself a line start
        while (position < size) {
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

    private static KvmTraceSummary summary(List<Part> parts) {
        long lines = 0;
        long events = 0;
        long otherEvents = 0;
        long headers = 0;
        long lossLines = 0;
        long lostEvents = 0;
        long problemCount = 0;
        List<KvmTraceProblem> problems = new ArrayList<>();
        for (Part part : parts) {
            for (KvmTraceProblem problem : part.problems) {
                if (problems.size() < KvmTraceReader.DEFAULT_PROBLEM_DETAILS) {
                    // a part counts its lines from 1: add the lines of the parts before it
                    problems.add(KvmTraceProblem.of(problem.lineNumber() + lines, problem.problem(), problem.line()));
                }
            }
            lines += part.lines;
            events += part.events;
            otherEvents += part.otherEvents;
            headers += part.headers;
            lossLines += part.lossLines;
            lostEvents += part.lostEvents;
            problemCount += part.problemCount;
        }
        return new KvmTraceSummary(lines, events, otherEvents, headers, lossLines, lostEvents, problemCount, problems);
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Bytes {@code [start, end)} of a file, by positional reads (the channel's position is not used). */
    private static final class RangeInputStream extends InputStream {
        private final FileChannel channel;
        private long position;
        private final long end;

        RangeInputStream(FileChannel channel, long start, long end) {
            this.channel = channel;
            this.position = start;
            this.end = end;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            if (position >= end) {
                return -1;
            }
            int wanted = (int) Math.min(length, end - position);
            int read = channel.read(ByteBuffer.wrap(bytes, offset, wanted), position);
            if (read < 0) {
                return -1; // the file shrank while read
            }
            position += read;
            return read;
        }

        @Override
        public void close() {
            // the channel belongs to the part that opened it
        }
    }
}
