package dev.vmx.trace;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The serialized forms of {@link ExitStatistics}: bytes ({@link ExitStatistics#toBytes()}) and JSON
 * ({@link ExitStatistics#toStateJson()}), both carrying format version {@value #VERSION}.
 *
 * <p><b>Bytes, version 1.</b> The magic {@code VMXS} (56 4D 58 53), then unsigned LEB128 varints
 * (7 bits a byte, low bits first, at most 10 bytes); a signed value is zigzag-encoded first
 * ({@code (v << 1) ^ (v >> 63)}):
 * <pre>
 * version                       1
 * grouping                      0 REASON, 1 REASON_AND_VCPU, 2 IO_PORT, 3 MSR, 4 QUALIFICATION_CLASS,
 *                               5 EPT_PAGE (added later in version 1: older readers refuse it by its code)
 * linear, subBits               64, 5: the histogram layout (values below 64 ns one bucket each,
 *                               above 2^subBits buckets per power of two)
 * totalExits unattributedExits unpairedEntries backwardIntervals
 * exitEvents entryEvents detailEvents    kvm_exit, kvm_entry, kvm_pio/kvm_msr events the rows came from
 * rowCount, then per row (in isa, exit code, vCPU, detail, write order):
 *   isa code (0 unknown, 1 VMX, 2 SVM)   exitCode (unsigned)   vcpu (zigzag)   detail (zigzag)   write (0/1)
 *   count guestKernel timed total
 *   min, max - min                       only when timed &gt; 0
 *   squaresHigh squaresLow               the 128-bit sum of squared times, unsigned halves
 *   bucketCount, then per non-empty bucket in index order:
 *     index - (previous index + 1)  count  min - bucketLow(index)  max - min
 * </pre>
 * Nothing may follow the last row. A reader of version N reads every version up to N; a later
 * version is refused with its number.
 *
 * <p><b>JSON, version 1.</b> The same fields by name:
 * {@code {"format":"vmx-exit-statistics","version":1,"grouping":"REASON","histogram":{"linear":64,"subBits":5},
 * "totalExits":..,"unattributedExits":..,"unpairedEntries":..,"backwardIntervals":..,"exitEvents":..,
 * "entryEvents":..,"detailEvents":..,"rows":[{"isa":"VMX","exitCode":48,"vcpu":-1,"detail":-1,"write":false,
 * "count":..,"guestKernel":..,"timed":..,"totalNs":..,"minNs":..,"maxNs":..,"sumSquaresNs2":"decimal",
 * "buckets":[[index,count,minNs,maxNs],..]}]}}; integers are exact 64-bit values (a JavaScript reader
 * must read them as big integers), the sum of squares is a decimal string because it may exceed 64 bits.
 */
final class ExitStatisticsCodec {
    /** The format version written. */
    static final int VERSION = 1;
    static final String FORMAT = "vmx-exit-statistics";
    private static final byte[] MAGIC = {'V', 'M', 'X', 'S'};
    private static final ExitStatistics.Grouping[] GROUPINGS = {ExitStatistics.Grouping.REASON,
        ExitStatistics.Grouping.REASON_AND_VCPU, ExitStatistics.Grouping.IO_PORT, ExitStatistics.Grouping.MSR,
        ExitStatistics.Grouping.QUALIFICATION_CLASS, ExitStatistics.Grouping.EPT_PAGE};
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private ExitStatisticsCodec() {
    }

    private static int groupingCode(ExitStatistics.Grouping grouping) {
        for (int i = 0; i < GROUPINGS.length; i++) {
            if (GROUPINGS[i] == grouping) {
                return i;
            }
        }
        throw new AssertionError(grouping);
    }

    private static List<ExitStatistics.Row> sortedRows(ExitStatistics statistics) {
        List<ExitStatistics.Row> rows = new ArrayList<>(statistics.rowList());
        rows.sort(Comparator.<ExitStatistics.Row>comparingInt(r -> r.isa.code()).thenComparingLong(r -> r.exitCode)
                .thenComparingInt(r -> r.vcpu).thenComparingLong(r -> r.detail).thenComparing(r -> r.write));
        return rows;
    }

    // ---- bytes ----

    static byte[] toBytes(ExitStatistics statistics) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.writeBytes(MAGIC);
        varint(out, VERSION);
        varint(out, groupingCode(statistics.grouping()));
        varint(out, ExitStatistics.linearBuckets());
        varint(out, ExitStatistics.subBucketBits());
        for (long counter : counters(statistics)) {
            varint(out, counter);
        }
        List<ExitStatistics.Row> rows = sortedRows(statistics);
        varint(out, rows.size());
        for (ExitStatistics.Row row : rows) {
            varint(out, row.isa.code());
            varint(out, row.exitCode);
            varint(out, zigzag(row.vcpu));
            varint(out, zigzag(row.detail));
            varint(out, row.write ? 1 : 0);
            varint(out, row.count);
            varint(out, row.guestKernel);
            varint(out, row.timed);
            varint(out, row.total);
            if (row.timed > 0) {
                varint(out, row.min);
                varint(out, row.max - row.min);
            }
            varint(out, row.squaresHigh);
            varint(out, row.squaresLow);
            int buckets = 0;
            for (int bucket = row.bucketsFrom(), to = row.bucketsTo(); bucket < to; bucket++) {
                buckets += row.bucketCount(bucket) != 0 ? 1 : 0;
            }
            varint(out, buckets);
            int next = 0;
            for (int bucket = row.bucketsFrom(), to = row.bucketsTo(); bucket < to; bucket++) {
                long count = row.bucketCount(bucket);
                if (count != 0) {
                    varint(out, bucket - next);
                    varint(out, count);
                    varint(out, row.bucketMin(bucket) - ExitStatistics.bucketLow(bucket));
                    varint(out, row.bucketMax(bucket) - row.bucketMin(bucket));
                    next = bucket + 1;
                }
            }
        }
        return out.toByteArray();
    }

    private static long[] counters(ExitStatistics s) {
        return new long[] {s.totalExits(), s.unattributedExits(), s.unpairedEntries(), s.backwardIntervals(),
            s.exitEvents(), s.entryEvents(), s.detailEvents()};
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }

    private static long zigzag(long value) {
        return (value << 1) ^ (value >> 63);
    }

    private static long unzigzag(long value) {
        return (value >>> 1) ^ -(value & 1);
    }

    /** A cursor over the bytes that names the offset of whatever is wrong. */
    private static final class Input {
        final byte[] bytes;
        int offset;

        Input(byte[] bytes) {
            this.bytes = bytes;
        }

        long varint(String what) {
            int start = offset;
            long value = 0;
            for (int shift = 0; shift < 70; shift += 7) {
                if (offset >= bytes.length) {
                    throw fail(start, "truncated: " + what + " runs past the end (" + bytes.length + " bytes)");
                }
                int b = bytes[offset++] & 0xFF;
                if (shift == 63 && b > 1) {
                    throw fail(start, what + " does not fit in 64 bits");
                }
                value |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw fail(start, what + " is a varint longer than 10 bytes");
        }

        long nonNegative(String what) {
            int start = offset;
            long value = varint(what);
            if (value < 0) {
                throw fail(start, what + " " + Long.toUnsignedString(value) + " is above 2^63-1");
            }
            return value;
        }

        IllegalArgumentException fail(int at, String message) {
            return new IllegalArgumentException("serialized exit statistics, byte offset " + at + ": " + message);
        }
    }

    static ExitStatistics fromBytes(byte[] bytes) {
        Input in = new Input(bytes);
        for (int i = 0; i < MAGIC.length; i++) {
            if (i >= bytes.length || bytes[i] != MAGIC[i]) {
                throw in.fail(i, "not serialized exit statistics (no VMXS magic)");
            }
        }
        in.offset = MAGIC.length;
        int at = in.offset;
        long version = in.varint("version");
        if (version < 1 || version > VERSION) {
            throw in.fail(at, "format version " + Long.toUnsignedString(version) + " is not one this reader knows (1.." + VERSION + ")");
        }
        at = in.offset;
        long groupingCode = in.varint("grouping");
        if (groupingCode < 0 || groupingCode >= GROUPINGS.length) {
            throw in.fail(at, "unknown grouping code " + Long.toUnsignedString(groupingCode));
        }
        at = in.offset;
        long linear = in.varint("histogram linear buckets");
        long subBits = in.varint("histogram sub-bucket bits");
        if (linear != ExitStatistics.linearBuckets() || subBits != ExitStatistics.subBucketBits()) {
            throw in.fail(at, "histogram layout " + linear + "/" + subBits + " is not this reader's "
                    + ExitStatistics.linearBuckets() + "/" + ExitStatistics.subBucketBits());
        }
        String[] names = {"totalExits", "unattributedExits", "unpairedEntries", "backwardIntervals", "exitEvents",
            "entryEvents", "detailEvents"};
        long[] counters = new long[names.length];
        for (int i = 0; i < names.length; i++) {
            counters[i] = in.nonNegative(names[i]);
        }
        ExitStatistics statistics = ExitStatistics.by(GROUPINGS[(int) groupingCode]);
        statistics.restoreCounters(counters[0], counters[1], counters[2], counters[3], counters[4], counters[5], counters[6]);
        long rows = in.nonNegative("row count");
        for (long r = 0; r < rows; r++) {
            int rowStart = in.offset;
            String where = "row " + r;
            at = in.offset;
            long isaCode = in.varint(where + " isa");
            KvmIsa isa = KvmIsa.fromCode((int) isaCode);
            if (isaCode > 2 || isa.code() != isaCode) {
                throw in.fail(at, where + ": unknown isa code " + Long.toUnsignedString(isaCode));
            }
            long exitCode = in.varint(where + " exit code");
            at = in.offset;
            long vcpu = unzigzag(in.varint(where + " vcpu"));
            if (vcpu < -1 || vcpu > Integer.MAX_VALUE) {
                throw in.fail(at, where + ": vCPU " + vcpu + " out of range");
            }
            long detail = unzigzag(in.varint(where + " detail"));
            at = in.offset;
            long write = in.varint(where + " write");
            if (write > 1) {
                throw in.fail(at, where + ": write flag " + write + " is not 0 or 1");
            }
            ExitStatistics.Row row = statistics.rowFor(isa, exitCode, (int) vcpu, detail, write == 1);
            if (row.count != 0 || row.timed != 0) {
                throw in.fail(rowStart, where + " repeats the key of an earlier row");
            }
            row.count = in.nonNegative(where + " count");
            row.guestKernel = in.nonNegative(where + " guestKernel");
            row.timed = in.nonNegative(where + " timed");
            row.total = in.nonNegative(where + " total");
            if (row.timed > 0) {
                row.min = in.nonNegative(where + " min");
                row.max = row.min + in.nonNegative(where + " max - min");
            }
            row.squaresHigh = in.varint(where + " squaresHigh");
            row.squaresLow = in.varint(where + " squaresLow");
            long buckets = in.nonNegative(where + " bucket count");
            long next = 0;
            long timedInBuckets = 0;
            for (long b = 0; b < buckets; b++) {
                at = in.offset;
                long bucket = next + in.nonNegative(where + " bucket index");
                if (bucket >= ExitStatistics.bucketCount()) {
                    throw in.fail(at, where + ": bucket index " + bucket + " beyond the last, " + (ExitStatistics.bucketCount() - 1));
                }
                long count = in.nonNegative(where + " bucket count");
                long low = ExitStatistics.bucketLow((int) bucket);
                long min = low + in.nonNegative(where + " bucket min");
                long max = min + in.nonNegative(where + " bucket max - min");
                if (count == 0 || ExitStatistics.bucket(min) != bucket || ExitStatistics.bucket(max) != bucket) {
                    throw in.fail(at, where + ": bucket " + bucket + " with " + count + " times from " + min + " to " + max
                            + " ns is empty or holds times of other buckets");
                }
                row.putBucket((int) bucket, count, min, max);
                timedInBuckets += count;
                next = bucket + 1;
            }
            checkRow(row, timedInBuckets, message -> in.fail(rowStart, where + ": " + message));
        }
        if (in.offset != bytes.length) {
            throw in.fail(in.offset, (bytes.length - in.offset) + " bytes follow the last row");
        }
        checkTotal(statistics, message -> in.fail(0, message));
        return statistics;
    }

    /** The checks shared by both forms: what one row's numbers must satisfy. */
    private static void checkRow(ExitStatistics.Row row, long timedInBuckets,
            java.util.function.Function<String, IllegalArgumentException> fail) {
        if (row.timed > row.count || row.guestKernel > row.count) {
            throw fail.apply("timed " + row.timed + " or guestKernel " + row.guestKernel + " exceeds count " + row.count);
        }
        if (timedInBuckets != row.timed) {
            throw fail.apply("the buckets hold " + timedInBuckets + " times, but timed is " + row.timed);
        }
        if (row.timed > 0) {
            long first = -1;
            long last = -1;
            for (int bucket = row.bucketsFrom(), to = row.bucketsTo(); bucket < to; bucket++) {
                if (row.bucketCount(bucket) != 0) {
                    first = first < 0 ? row.bucketMin(bucket) : first;
                    last = row.bucketMax(bucket);
                }
            }
            if (first != row.min || last != row.max) {
                throw fail.apply("min " + row.min + " / max " + row.max + " differ from the buckets' " + first + " / " + last);
            }
        }
    }

    private static void checkTotal(ExitStatistics statistics, java.util.function.Function<String, IllegalArgumentException> fail) {
        long sum = 0;
        for (ExitStatistics.Row row : statistics.rowList()) {
            sum += row.count;
        }
        if (sum != statistics.totalExits()) {
            throw fail.apply("the rows count " + sum + " exits, but totalExits is " + statistics.totalExits());
        }
    }

    // ---- JSON ----

    static String toJson(ExitStatistics statistics) {
        StringBuilder out = new StringBuilder(256);
        out.append("{\"format\":\"").append(FORMAT).append("\",\"version\":").append(VERSION)
                .append(",\"grouping\":\"").append(statistics.grouping()).append("\",\"histogram\":{\"linear\":")
                .append(ExitStatistics.linearBuckets()).append(",\"subBits\":").append(ExitStatistics.subBucketBits()).append('}');
        String[] names = {"totalExits", "unattributedExits", "unpairedEntries", "backwardIntervals", "exitEvents",
            "entryEvents", "detailEvents"};
        long[] counters = counters(statistics);
        for (int i = 0; i < names.length; i++) {
            out.append(",\"").append(names[i]).append("\":").append(counters[i]);
        }
        out.append(",\"rows\":[");
        boolean firstRow = true;
        for (ExitStatistics.Row row : sortedRows(statistics)) {
            out.append(firstRow ? "" : ",").append("{\"isa\":\"").append(row.isa).append("\",\"exitCode\":").append(row.exitCode)
                    .append(",\"vcpu\":").append(row.vcpu).append(",\"detail\":").append(row.detail)
                    .append(",\"write\":").append(row.write).append(",\"count\":").append(row.count)
                    .append(",\"guestKernel\":").append(row.guestKernel).append(",\"timed\":").append(row.timed)
                    .append(",\"totalNs\":").append(row.total);
            if (row.timed > 0) {
                out.append(",\"minNs\":").append(row.min).append(",\"maxNs\":").append(row.max);
            }
            out.append(",\"sumSquaresNs2\":\"").append(squares(row)).append("\",\"buckets\":[");
            boolean firstBucket = true;
            for (int bucket = row.bucketsFrom(), to = row.bucketsTo(); bucket < to; bucket++) {
                if (row.bucketCount(bucket) != 0) {
                    out.append(firstBucket ? "" : ",").append('[').append(bucket).append(',').append(row.bucketCount(bucket))
                            .append(',').append(row.bucketMin(bucket)).append(',').append(row.bucketMax(bucket)).append(']');
                    firstBucket = false;
                }
            }
            out.append("]}");
            firstRow = false;
        }
        return out.append("]}").toString();
    }

    private static BigInteger squares(ExitStatistics.Row row) {
        return new BigInteger(Long.toUnsignedString(row.squaresHigh)).shiftLeft(64)
                .add(new BigInteger(Long.toUnsignedString(row.squaresLow)));
    }

    static ExitStatistics fromJson(String json) {
        Object parsed = new JsonParser(json).document();
        Map<String, Object> top = object(parsed, "the document");
        if (!FORMAT.equals(top.get("format"))) {
            throw new IllegalArgumentException("serialized exit statistics JSON, the document: \"format\" is " + top.get("format")
                    + ", not \"" + FORMAT + "\"");
        }
        long version = number(top, "version", "the document");
        if (version < 1 || version > VERSION) {
            throw new IllegalArgumentException("serialized exit statistics JSON, the document: \"version\" " + version
                    + " is not one this reader knows (1.." + VERSION + ")");
        }
        ExitStatistics.Grouping grouping = null;
        for (ExitStatistics.Grouping g : GROUPINGS) {
            if (g.name().equals(top.get("grouping"))) {
                grouping = g;
            }
        }
        if (grouping == null) {
            throw new IllegalArgumentException("serialized exit statistics JSON, the document: \"grouping\" "
                    + top.get("grouping") + " is not one this reader knows");
        }
        Map<String, Object> histogram = object(top.get("histogram"), "\"histogram\"");
        if (number(histogram, "linear", "\"histogram\"") != ExitStatistics.linearBuckets()
                || number(histogram, "subBits", "\"histogram\"") != ExitStatistics.subBucketBits()) {
            throw new IllegalArgumentException("serialized exit statistics JSON, the document: \"histogram\" "
                    + histogram + " is not this reader's layout " + ExitStatistics.linearBuckets() + "/" + ExitStatistics.subBucketBits());
        }
        ExitStatistics statistics = ExitStatistics.by(grouping);
        statistics.restoreCounters(number(top, "totalExits", "the document"), number(top, "unattributedExits", "the document"),
                number(top, "unpairedEntries", "the document"), number(top, "backwardIntervals", "the document"),
                number(top, "exitEvents", "the document"), number(top, "entryEvents", "the document"),
                number(top, "detailEvents", "the document"));
        List<?> rows = list(top.get("rows"), "\"rows\"");
        for (int r = 0; r < rows.size(); r++) {
            String where = "row " + r;
            Map<String, Object> fields = object(rows.get(r), where);
            KvmIsa isa;
            try {
                isa = KvmIsa.valueOf(String.valueOf(fields.get("isa")));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("serialized exit statistics JSON, " + where + ": unknown isa " + fields.get("isa"), e);
            }
            long vcpu = signed(fields, "vcpu", where);
            if (vcpu < -1 || vcpu > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("serialized exit statistics JSON, " + where + ": vCPU " + vcpu + " out of range");
            }
            Object write = fields.get("write");
            if (!(write instanceof Boolean)) {
                throw new IllegalArgumentException("serialized exit statistics JSON, " + where + ": \"write\" is not true or false");
            }
            ExitStatistics.Row row = statistics.rowFor(isa, signed(fields, "exitCode", where), (int) vcpu,
                    signed(fields, "detail", where), (Boolean) write);
            if (row.count != 0 || row.timed != 0) {
                throw new IllegalArgumentException("serialized exit statistics JSON, " + where + " repeats the key of an earlier row");
            }
            row.count = number(fields, "count", where);
            row.guestKernel = number(fields, "guestKernel", where);
            row.timed = number(fields, "timed", where);
            row.total = number(fields, "totalNs", where);
            if (row.timed > 0) {
                row.min = number(fields, "minNs", where);
                row.max = number(fields, "maxNs", where);
            }
            BigInteger squares;
            try {
                squares = new BigInteger(String.valueOf(fields.get("sumSquaresNs2")));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("serialized exit statistics JSON, " + where + ": \"sumSquaresNs2\" is not a decimal string", e);
            }
            if (squares.signum() < 0 || squares.bitLength() > 128) {
                throw new IllegalArgumentException("serialized exit statistics JSON, " + where + ": \"sumSquaresNs2\" out of range");
            }
            row.squaresHigh = squares.shiftRight(64).longValue();
            row.squaresLow = squares.mod(TWO_64).longValue();
            long timedInBuckets = 0;
            long next = 0;
            for (Object cell : list(fields.get("buckets"), where + " \"buckets\"")) {
                List<?> values = list(cell, where + " \"buckets\" entry");
                if (values.size() != 4) {
                    throw new IllegalArgumentException("serialized exit statistics JSON, " + where + ": a bucket is not [index, count, min, max]");
                }
                long[] v = new long[4];
                for (int i = 0; i < 4; i++) {
                    v[i] = toLong(values.get(i), where + " bucket");
                }
                if (v[0] < next || v[0] >= ExitStatistics.bucketCount() || v[1] <= 0 || v[2] > v[3]
                        || ExitStatistics.bucket(v[2]) != v[0] || ExitStatistics.bucket(v[3]) != v[0]) {
                    throw new IllegalArgumentException("serialized exit statistics JSON, " + where + ": bucket " + values
                            + " is out of order, empty or holds times of other buckets");
                }
                row.putBucket((int) v[0], v[1], v[2], v[3]);
                timedInBuckets += v[1];
                next = v[0] + 1;
            }
            checkRow(row, timedInBuckets, message -> new IllegalArgumentException("serialized exit statistics JSON, " + where + ": " + message));
        }
        checkTotal(statistics, message -> new IllegalArgumentException("serialized exit statistics JSON, \"totalExits\": " + message));
        return statistics;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value, String where) {
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("serialized exit statistics JSON: " + where + " is not an object");
        }
        return (Map<String, Object>) value;
    }

    private static List<?> list(Object value, String where) {
        if (!(value instanceof List)) {
            throw new IllegalArgumentException("serialized exit statistics JSON: " + where + " is not an array");
        }
        return (List<?>) value;
    }

    private static long signed(Map<String, Object> fields, String name, String where) {
        if (!fields.containsKey(name)) {
            throw new IllegalArgumentException("serialized exit statistics JSON, " + where + ": \"" + name + "\" is missing");
        }
        return toLong(fields.get(name), where + " \"" + name + "\"");
    }

    private static long number(Map<String, Object> fields, String name, String where) {
        long value = signed(fields, name, where);
        if (value < 0) {
            throw new IllegalArgumentException("serialized exit statistics JSON, " + where + ": \"" + name + "\" is negative");
        }
        return value;
    }

    private static long toLong(Object value, String where) {
        if (!(value instanceof BigInteger) || ((BigInteger) value).bitLength() > 63) {
            throw new IllegalArgumentException("serialized exit statistics JSON, " + where + ": " + value + " is not a 64-bit integer");
        }
        return ((BigInteger) value).longValue();
    }

    /** RFC 8259 with integers only (no fractions or exponents: the form has none). */
    private static final class JsonParser {
        private final String text;
        private int at;

        JsonParser(String text) {
            this.text = text;
        }

        Object document() {
            Object value = value();
            space();
            if (at != text.length()) {
                throw fail("text follows the document");
            }
            return value;
        }

        private IllegalArgumentException fail(String message) {
            return new IllegalArgumentException("serialized exit statistics JSON, character offset " + at + ": " + message);
        }

        private void space() {
            while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
        }

        private Object value() {
            space();
            if (at >= text.length()) {
                throw fail("truncated: a value is missing");
            }
            char c = text.charAt(at);
            if (c == '{') {
                at++;
                Map<String, Object> map = new LinkedHashMap<>();
                space();
                if (peek('}')) {
                    return map;
                }
                do {
                    space();
                    int keyAt = at;
                    if (!peekChar('"')) {
                        throw fail("an object key must be a string");
                    }
                    String key = string();
                    space();
                    expect(':');
                    if (map.put(key, value()) != null) {
                        at = keyAt;
                        throw fail("key \"" + key + "\" appears twice");
                    }
                    space();
                } while (peek(','));
                expect('}');
                return map;
            }
            if (c == '[') {
                at++;
                List<Object> list = new ArrayList<>();
                space();
                if (peek(']')) {
                    return list;
                }
                do {
                    list.add(value());
                    space();
                } while (peek(','));
                expect(']');
                return list;
            }
            if (c == '"') {
                return string();
            }
            if (text.startsWith("true", at)) {
                at += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("false", at)) {
                at += 5;
                return Boolean.FALSE;
            }
            if (c == '-' || (c >= '0' && c <= '9')) {
                int start = at;
                at += c == '-' ? 1 : 0;
                while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
                    at++;
                }
                if (at < text.length() && ".eE".indexOf(text.charAt(at)) >= 0) {
                    throw fail("only integers are expected");
                }
                if (at == start + (c == '-' ? 1 : 0)) {
                    throw fail("a number has no digits");
                }
                return new BigInteger(text.substring(start, at));
            }
            throw fail("unexpected '" + c + "'");
        }

        private boolean peekChar(char c) {
            return at < text.length() && text.charAt(at) == c;
        }

        private boolean peek(char c) {
            if (peekChar(c)) {
                at++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw fail(at >= text.length() ? "truncated: '" + c + "' expected" : "'" + c + "' expected");
            }
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                if (at >= text.length()) {
                    throw fail("truncated: a string is not closed");
                }
                char c = text.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c == '\\') {
                    if (at >= text.length()) {
                        throw fail("truncated: an escape is not finished");
                    }
                    char e = text.charAt(at++);
                    switch (e) {
                        case '"', '\\', '/' -> out.append(e);
                        case 'b' -> out.append('\b');
                        case 'f' -> out.append('\f');
                        case 'n' -> out.append('\n');
                        case 'r' -> out.append('\r');
                        case 't' -> out.append('\t');
                        case 'u' -> {
                            if (at + 4 > text.length()) {
                                throw fail("truncated: a \\u escape needs four hex digits");
                            }
                            try {
                                out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                            } catch (NumberFormatException ex) {
                                throw fail("bad \\u escape");
                            }
                            at += 4;
                        }
                        default -> throw fail("bad escape \\" + e);
                    }
                } else if (c < 0x20) {
                    throw fail("a control character in a string");
                } else {
                    out.append(c);
                }
            }
        }
    }
}
