package dev.vmx.bench;

import dev.vmx.hw.tracefs.RingBufferDecoder;
import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmEventType;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * tracefs ring-buffer page decoding (kvm_exit / kvm_entry records into flyweight
 * {@link KvmEvent}s, fields read from each event) against a plain copy of the same page bytes:
 * the least any reader of {@code trace_pipe_raw} must do. The goal is at least 10M events/s on
 * one core with no object per event.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class TracefsPageBenchmark {
    /** Pages decoded per benchmark call. */
    public static final int PAGES = 64;

    private List<ByteBuffer> pages;
    private RingBufferDecoder decoder;
    private byte[] copy;
    private final FieldSum sink = new FieldSum();

    /** Builds the pages once per trial. */
    @Setup
    public void setUp() {
        SamplePages sample = SamplePages.build(PAGES, 11);
        pages = sample.pages();
        decoder = sample.decoder();
        copy = new byte[decoder.pageSize()];
    }

    /**
     * Events per benchmark call, for the events/s figure.
     *
     * @return the number of events in {@link #PAGES} sample pages
     */
    public static long eventsPerCall() {
        return SamplePages.build(PAGES, 11).events();
    }

    /** @return checksum of decoded fields */
    @Benchmark
    public long decodePages() {
        return decode(decoder, pages, sink);
    }

    /** @return checksum of copied bytes */
    @Benchmark
    public long copyPages() {
        return copy(pages, copy);
    }

    static long decode(RingBufferDecoder decoder, List<ByteBuffer> pages, FieldSum sink) {
        sink.sum = 0;
        for (int i = 0; i < pages.size(); i++) {
            ByteBuffer page = pages.get(i);
            decoder.decodePage(page, page.capacity(), 0, sink);
        }
        return sink.sum;
    }

    static long copy(List<ByteBuffer> pages, byte[] copy) {
        long sum = 0;
        for (int i = 0; i < pages.size(); i++) {
            pages.get(i).get(0, copy, 0, copy.length);
            sum += copy[i & 63];
        }
        return sum;
    }

    /** Reads what an exit-statistics consumer reads from each event; allocation-free. */
    static final class FieldSum implements Consumer<KvmEvent> {
        long sum;
        long exitCodes;
        long events;

        @Override
        public void accept(KvmEvent event) {
            events++;
            if (event.type() == KvmEventType.KVM_EXIT) {
                exitCodes += event.exitCode();
                sum += event.exitCode() + event.info1() + event.vcpu() + (event.timestampNanos() & 0xFF);
            } else {
                sum += event.guestRip() + event.vcpu();
            }
        }
    }
}
