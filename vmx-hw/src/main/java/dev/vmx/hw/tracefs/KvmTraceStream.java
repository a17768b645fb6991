package dev.vmx.hw.tracefs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.hw.internal.LibC;
import dev.vmx.hw.internal.LibCDirect;
import dev.vmx.trace.KvmEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * A live stream of KVM trace events from tracefs, read as binary ring-buffer pages.
 *
 * <p>It works in its own trace instance ({@code instances/NAME}), so the global trace state
 * (other tools' tracing) is untouched; the instance, with its enabled events and its buffers, is
 * removed on {@link #close()}. Each {@link #poll(Consumer)} reads every page available on every
 * CPU's {@code per_cpu/cpuN/trace_pipe_raw} without blocking and decodes them with a
 * {@link RingBufferDecoder}: events arrive as flyweights (no object per event), and losses,
 * truncated and corrupt pages are counted in {@link #stats()}. Not thread-safe.
 */
public final class KvmTraceStream implements AutoCloseable {
    /** The events enabled by default: the exits, entries and what user space sees of them. */
    public static final List<String> DEFAULT_EVENTS = List.of("kvm_exit", "kvm_entry", "kvm_nested_vmexit",
            "kvm_nested_vmexit_inject", "kvm_nested_vmenter_failed", "kvm_userspace_exit", "kvm_pio", "kvm_mmio",
            "kvm_msr", "kvm_cr");

    private final TraceInstance instance;
    private final int[] cpus;
    private final int[] fds;
    private final RingBufferDecoder decoder;
    private final Memory pageMemory;
    /** pageMemory's address, for the direct-mapped read (kept reachable by pageMemory). */
    private final long pageAddress;
    private final ByteBuffer page;
    private boolean closed;

    private KvmTraceStream(Tracefs tracefs, TraceInstance instance, Collection<String> events, int bufferSizeKb) {
        this.instance = instance;
        instance.bufferSizeKb(bufferSizeKb);
        List<EventFormat> formats = instance.enable(events);
        // kernels with sub-buffers (6.8+) may use pages larger than header_page describes
        this.decoder = new RingBufferDecoder(tracefs.headerPage(), formats, instance.subBufferPageSize());
        List<Integer> cpuList = Tracefs.cpus(instance.path());
        this.cpus = cpuList.stream().mapToInt(Integer::intValue).toArray();
        this.fds = new int[cpus.length];
        java.util.Arrays.fill(fds, -1);
        for (int i = 0; i < cpus.length; i++) {
            String pipe = pipe(i);
            try {
                fds[i] = LibC.INSTANCE.open(pipe, LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
            } catch (LastErrorException e) {
                closePipes(); // open pipes would keep the instance busy, and it is removed next (the open error wins)
                throw Tracefs.callFailed("open", pipe, e);
            }
        }
        this.pageMemory = new Memory(decoder.pageSize());
        this.pageAddress = Pointer.nativeValue(pageMemory);
        this.page = pageMemory.getByteBuffer(0, decoder.pageSize()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Opens a stream of {@link #DEFAULT_EVENTS} in a new trace instance.
     *
     * @param tracefs the tracefs
     * @param instanceName the instance to create under {@code instances/}; must not exist
     * @return the stream, recording from now on
     * @throws NativeUnavailableException without permission, or if an event does not exist
     */
    public static KvmTraceStream open(Tracefs tracefs, String instanceName) {
        return open(tracefs, instanceName, DEFAULT_EVENTS);
    }

    /**
     * Opens a stream of chosen {@code kvm} events in a new trace instance.
     *
     * @param tracefs the tracefs
     * @param instanceName the instance to create under {@code instances/}; must not exist
     * @param events event names of the {@code kvm} system, e.g. {@code kvm_exit}
     * @return the stream, recording from now on
     * @throws NativeUnavailableException without permission, if an event does not exist, or if
     *         the instance already exists
     */
    public static KvmTraceStream open(Tracefs tracefs, String instanceName, Collection<String> events) {
        return open(tracefs, instanceName, events, 0);
    }

    /**
     * Opens a stream with a chosen ring-buffer size per CPU. The buffer overwrites its oldest
     * pages when full; what was overwritten is counted in {@link #stats()}.
     *
     * @param tracefs the tracefs
     * @param instanceName the instance to create under {@code instances/}; must not exist
     * @param events event names of the {@code kvm} system
     * @param bufferSizeKb the instance's {@code buffer_size_kb} per CPU, or 0 for the kernel's default
     * @return the stream, recording from now on
     * @throws NativeUnavailableException without permission, if an event does not exist, or if
     *         the instance already exists
     */
    public static KvmTraceStream open(Tracefs tracefs, String instanceName, Collection<String> events, int bufferSizeKb) {
        TraceInstance instance = TraceInstance.create(tracefs, instanceName);
        try {
            return new KvmTraceStream(tracefs, instance, events, bufferSizeKb);
        } catch (RuntimeException e) {
            instance.remove();
            throw e;
        }
    }

    /**
     * The id trace events record as {@code common_pid} ({@link KvmEvent#pid()}) for the calling
     * thread: the kernel task id, to pick one thread's events (e.g. a vCPU thread's) out of a
     * machine-wide stream.
     *
     * @return the calling thread's task id
     */
    public static int currentThreadId() {
        return LibC.INSTANCE.gettid();
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
     * Reads every page available now on every CPU and hands each event to {@code sink}. Never
     * blocks. Events come CPU by CPU, in time order within each CPU; a thread that moved between
     * CPUs has its events in several runs, so merge by {@link KvmEvent#timestampNanos()} where
     * the order across CPUs matters. The event is a flyweight valid only during the call; keep it with
     * {@link KvmEvent#toRecord()}.
     *
     * @param sink receives each event
     * @return the number of events delivered
     */
    public int poll(Consumer<? super KvmEvent> sink) {
        if (closed) {
            throw new IllegalStateException("the trace stream on " + instance.path() + " is closed");
        }
        return readAvailable(fds, cpus, pageAddress, page, decoder, sink, instance.path());
    }

    /**
     * Reads and decodes every page available now on each pipe. Allocates nothing in steady state,
     * whatever the number of CPUs: the reads are direct-mapped ({@link LibCDirect}), so an idle
     * CPU's {@code EAGAIN} is a -1 and an errno, not an exception object.
     */
    static int readAvailable(int[] fds, int[] cpus, long pageAddress, ByteBuffer page, RingBufferDecoder decoder,
            Consumer<? super KvmEvent> sink, Path where) {
        int delivered = 0;
        int pageSize = decoder.pageSize();
        for (int i = 0; i < fds.length; i++) {
            while (true) {
                long read = LibCDirect.read(fds[i], pageAddress, pageSize);
                if (read < 0) {
                    int errno = Native.getLastError();
                    if (errno == LibC.EAGAIN) {
                        break;
                    }
                    if (errno == LibC.EINTR) {
                        continue; // a signal arrived before any byte was read: read again
                    }
                    throw new NativeUnavailableException(where.toString(), errno, "read of cpu" + cpus[i]
                            + "/trace_pipe_raw failed: " + LibC.INSTANCE.strerror(errno));
                }
                if (read == 0) {
                    break;
                }
                delivered += decoder.decodePage(page, (int) read, cpus[i], sink);
            }
        }
        return delivered;
    }

    /**
     * Counts of pages, events, lost events and damaged pages so far.
     *
     * @return the counts
     */
    public RingBufferStats stats() {
        return decoder.stats();
    }

    /** Disables the events, closes the pipes and removes the trace instance. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        NativeUnavailableException failure = closePipes();
        instance.remove(); // even if a pipe would not close: the instance must not stay behind
        if (failure != null) {
            throw failure;
        }
    }

    /** The {@code trace_pipe_raw} of the i-th CPU. */
    private String pipe(int i) {
        return instance.path().resolve("per_cpu/cpu" + cpus[i] + "/trace_pipe_raw").toString();
    }

    /** Closes every open pipe; the first failure, named by its pipe and errno, or null. */
    private NativeUnavailableException closePipes() {
        NativeUnavailableException failure = null;
        for (int i = 0; i < fds.length; i++) {
            if (fds[i] >= 0) {
                try {
                    LibC.INSTANCE.close(fds[i]);
                } catch (LastErrorException e) {
                    if (failure == null) {
                        failure = Tracefs.callFailed("close", pipe(i), e);
                    }
                }
                fds[i] = -1;
            }
        }
        return failure;
    }
}
