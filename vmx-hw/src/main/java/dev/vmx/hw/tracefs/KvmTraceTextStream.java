package dev.vmx.hw.tracefs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.hw.internal.LibC;
import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmTraceReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.function.Consumer;

/**
 * The text fallback of {@link KvmTraceStream}: the same private trace instance and events, read
 * as the kernel's text lines from the instance's {@code trace_pipe} (e.g.
 * {@code java-4242 [001] ..... 6162.065637: kvm_pio: pio_write at 0x3f8 size 1 count 1 val 0x48}).
 *
 * <p>{@link #poll(Consumer)} delivers whole lines; {@link #pollEvents(Consumer)} parses them with
 * {@link KvmTraceReader} into {@code KvmEvent}s. Use it where the binary pages cannot be read; it allocates per line. Reading
 * {@code trace_pipe} consumes the events, so one instance is read either as text or as pages,
 * never both. Not thread-safe.
 */
public final class KvmTraceTextStream implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;
    /** trace.c print_trace_line(): {@code "CPU:%d [LOST %lu EVENTS]\n"} before the first event after a loss. */
    private static final java.util.regex.Pattern LOST = java.util.regex.Pattern.compile("CPU:(\\d+) \\[LOST (\\d+) EVENTS\\]");

    private final TraceInstance instance;
    private final int fd;
    private final Memory chunk = new Memory(CHUNK);
    private final StringBuilder partial = new StringBuilder();
    private long lines;
    private long problems;
    private long lostEvents;
    private long lossLines;
    private boolean closed;

    private KvmTraceTextStream(TraceInstance instance, int fd) {
        this.instance = instance;
        this.fd = fd;
    }

    /**
     * Opens a text stream of chosen {@code kvm} events in a new trace instance.
     *
     * @param tracefs the tracefs
     * @param instanceName the instance to create under {@code instances/}; must not exist
     * @param events event names of the {@code kvm} system, e.g. {@code kvm_pio}
     * @return the stream, recording from now on
     * @throws NativeUnavailableException without permission, if an event does not exist, or if
     *         the instance already exists
     */
    public static KvmTraceTextStream open(Tracefs tracefs, String instanceName, Collection<String> events) {
        return open(tracefs, instanceName, events, 0);
    }

    /**
     * Opens a text stream with a chosen ring-buffer size per CPU; what the kernel overwrites when
     * it is full is counted in {@link #lostEvents()}.
     *
     * @param tracefs the tracefs
     * @param instanceName the instance to create under {@code instances/}; must not exist
     * @param events event names of the {@code kvm} system
     * @param bufferSizeKb the instance's {@code buffer_size_kb} per CPU, or 0 for the kernel's default
     * @return the stream, recording from now on
     * @throws NativeUnavailableException without permission, if an event does not exist, or if
     *         the instance already exists
     */
    public static KvmTraceTextStream open(Tracefs tracefs, String instanceName, Collection<String> events, int bufferSizeKb) {
        TraceInstance instance = TraceInstance.create(tracefs, instanceName);
        try {
            instance.bufferSizeKb(bufferSizeKb);
            instance.enable(events);
            Path pipe = instance.path().resolve("trace_pipe");
            try {
                return new KvmTraceTextStream(instance,
                        LibC.INSTANCE.open(pipe.toString(), LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC));
            } catch (LastErrorException e) {
                throw Tracefs.callFailed("open", pipe.toString(), e);
            }
        } catch (RuntimeException e) {
            instance.remove();
            throw e;
        }
    }

    /**
     * The instance directory this stream records in.
     *
     * @return {@code <tracefs>/instances/<name>}
     */
    public Path instance() {
        return instance.path();
    }

    /**
     * Reads all text available now and hands each complete line (without its newline) to
     * {@code sink}; a line not yet complete waits for the next poll. Never blocks.
     *
     * @param sink receives each line
     * @return the number of lines delivered
     */
    public int poll(Consumer<? super CharSequence> sink) {
        if (closed) {
            throw new IllegalStateException("the trace text stream on " + instance.path() + " is closed");
        }
        int delivered = 0;
        while (true) {
            long read;
            try {
                read = LibC.INSTANCE.read(fd, chunk, CHUNK);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == LibC.EAGAIN) {
                    break;
                }
                throw new NativeUnavailableException(instance.path().toString(), e.getErrorCode(), "read of trace_pipe failed: "
                        + LibC.INSTANCE.strerror(e.getErrorCode()));
            }
            if (read <= 0) {
                break;
            }
            partial.append(new String(chunk.getByteArray(0, (int) read), StandardCharsets.UTF_8));
            int start = 0;
            for (int newline = partial.indexOf("\n"); newline >= 0; newline = partial.indexOf("\n", start)) {
                String line = partial.substring(start, newline);
                long lost = lostCount(line);
                if (lost >= 0) {
                    lostEvents += lost;
                    lossLines++;
                }
                sink.accept(line);
                delivered++;
                start = newline + 1;
            }
            partial.delete(0, start);
        }
        lines += delivered;
        return delivered;
    }

    /**
     * Reads all text available now and parses its complete lines with the trace text parser
     * ({@link KvmTraceReader}) into events; lines it cannot parse are counted in
     * {@link #problems()}, never dropped silently. Never blocks.
     *
     * @param sink receives each event (valid during the call; keep {@link KvmEvent#toRecord()})
     * @return the number of events delivered
     */
    public int pollEvents(Consumer<? super KvmEvent> sink) {
        StringBuilder text = new StringBuilder();
        // a loss line is no event: it is counted in lostEvents() by poll, not handed to the parser
        poll(line -> {
            if (lostCount(line) < 0) {
                text.append(line).append('\n');
            }
        });
        if (text.length() == 0) {
            return 0;
        }
        int delivered = 0;
        try (KvmTraceReader reader = KvmTraceReader.of(new StringReader(text.toString()), instance.path() + "/trace_pipe")) {
            while (reader.advance()) {
                sink.accept(reader.event());
                delivered++;
            }
            problems += reader.problemCount();
        }
        return delivered;
    }

    /**
     * The count in a {@code CPU:N [LOST M EVENTS]} line.
     *
     * @param line one trace_pipe line
     * @return M, or -1 if the line is not a loss line
     */
    static long lostCount(CharSequence line) {
        java.util.regex.Matcher matcher = LOST.matcher(line);
        return matcher.matches() ? Long.parseLong(matcher.group(2)) : -1;
    }

    /**
     * Events the kernel overwrote before they were read, as its {@code CPU:N [LOST M EVENTS]}
     * lines count them (those lines are delivered by {@link #poll(Consumer)} too).
     *
     * @return the sum of M over the loss lines read so far
     */
    public long lostEvents() {
        return lostEvents;
    }

    /**
     * How many {@code CPU:N [LOST M EVENTS]} lines were read.
     *
     * @return the count
     */
    public long lossLines() {
        return lossLines;
    }

    /**
     * Lines {@link #pollEvents(Consumer)} could not parse.
     *
     * @return the count
     */
    public long problems() {
        return problems;
    }

    /**
     * Lines delivered so far. (Loss in text mode shows as the kernel's own
     * {@code CPU:N [LOST M EVENTS]} lines, delivered like any other.)
     *
     * @return the count
     */
    public long lines() {
        return lines;
    }

    /** Closes the pipe and removes the trace instance. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            NativeUnavailableException failure = null;
            try {
                LibC.INSTANCE.close(fd);
            } catch (LastErrorException e) {
                failure = Tracefs.callFailed("close", instance.path().resolve("trace_pipe").toString(), e);
            }
            instance.remove(); // even if the pipe would not close: the instance must not stay behind
            if (failure != null) {
                throw failure;
            }
        }
    }
}
