package dev.vmx.bench;

import dev.vmx.vmcs.FieldEncoding;
import dev.vmx.vmcs.VmcsField;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * {@link VmcsField#of(int)} and {@link VmcsField#fromEncoding(int)} against a plain array indexed
 * by encoding (the inputs are all catalog encodings, so {@code of} never throws here), and
 * {@link FieldEncoding#decode(int)} against the masks over the same encodings (the fields a
 * VMREAD-heavy exit handler touches). Checksums asserted equal by {@code ChecksumAgreementTest}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class FieldLookupBenchmark {
    /** Encodings looked up per benchmark call. */
    public static final int LOOKUPS = 4096;

    private int[] encodings;
    private VmcsField[] table;

    /** Builds the inputs once per trial. */
    @Setup
    public void setUp() {
        encodings = encodings(LOOKUPS, new SplittableRandom(5));
        table = plainTable();
    }

    /** @return checksum */
    @Benchmark
    public long fromEncoding() {
        return fromEncodingChecksum(encodings);
    }

    /** @return checksum */
    @Benchmark
    public long ofEncoding() {
        return ofChecksum(encodings);
    }

    /** @return checksum */
    @Benchmark
    public long arrayIndex() {
        return arrayIndexChecksum(encodings, table);
    }

    /** @return checksum */
    @Benchmark
    public long decodeEncoding() {
        return decodeChecksum(encodings);
    }

    /** @return checksum */
    @Benchmark
    public long maskEncoding() {
        return maskChecksum(encodings);
    }

    /** The fields an exit handler reads, by weight, then a few of every other kind. */
    static int[] encodings(int count, SplittableRandom random) {
        VmcsField[] hot = {VmcsField.VM_EXIT_REASON, VmcsField.EXIT_QUALIFICATION, VmcsField.GUEST_RIP,
            VmcsField.VM_EXIT_INSTRUCTION_LEN, VmcsField.GUEST_RSP, VmcsField.GUEST_RFLAGS,
            VmcsField.VM_EXIT_INTR_INFO, VmcsField.IDT_VECTORING_INFO_FIELD, VmcsField.GUEST_PHYSICAL_ADDRESS,
            VmcsField.GUEST_INTERRUPTIBILITY_INFO, VmcsField.GUEST_CR3, VmcsField.GUEST_CS_AR_BYTES};
        VmcsField[] all = VmcsField.values();
        int[] encodings = new int[count];
        for (int i = 0; i < count; i++) {
            encodings[i] = random.nextInt(5) == 0 ? all[random.nextInt(all.length)].encoding()
                    : hot[random.nextInt(hot.length)].encoding();
        }
        return encodings;
    }

    static VmcsField[] plainTable() {
        VmcsField[] table = new VmcsField[0x8000];
        for (VmcsField field : VmcsField.values()) {
            table[field.encoding()] = field;
        }
        return table;
    }

    static long fromEncodingChecksum(int[] encodings) {
        long sum = 0;
        for (int encoding : encodings) {
            // orElse, not map(VmcsField::ordinal): map would box the ordinal and build a new Optional
            VmcsField field = VmcsField.fromEncoding(encoding).orElse(null);
            sum += field == null ? -1 : field.ordinal();
        }
        return sum;
    }

    static long ofChecksum(int[] encodings) {
        long sum = 0;
        for (int encoding : encodings) {
            sum += VmcsField.of(encoding).ordinal();
        }
        return sum;
    }

    static long arrayIndexChecksum(int[] encodings, VmcsField[] table) {
        long sum = 0;
        for (int encoding : encodings) {
            VmcsField field = table[encoding];
            sum += field == null ? -1 : field.ordinal();
        }
        return sum;
    }

    static long decodeChecksum(int[] encodings) {
        long sum = 0;
        for (int encoding : encodings) {
            FieldEncoding decoded = FieldEncoding.decode(encoding);
            sum += decoded.width().bits() + decoded.type().code() * 1000L + decoded.index() * 10_000L
                    + decoded.accessType().ordinal();
        }
        return sum;
    }

    private static final int[] WIDTH_BITS = {16, 64, 32, 64};

    static long maskChecksum(int[] encodings) {
        long sum = 0;
        for (int encoding : encodings) {
            if ((encoding & 0xFFFF_9000) != 0 || ((encoding & 1) != 0 && ((encoding >>> 13) & 3) != 1)) {
                throw new IllegalArgumentException("malformed encoding 0x" + Integer.toHexString(encoding));
            }
            sum += WIDTH_BITS[(encoding >>> 13) & 3] + ((encoding >>> 10) & 3) * 1000L
                    + ((encoding >>> 1) & 0x1FF) * 10_000L + (encoding & 1);
        }
        return sum;
    }
}
