package dev.vmx.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The serialized forms of {@link ExitStatistics}: the committed version-1 samples keep reading into
 * the statistics of their trace, round trips are exact, and every malformed input is refused with
 * the offset or row where it breaks.
 */
class ExitStatisticsSerializedFormTest {
    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ExitStatisticsSerializedFormTest.class.getResourceAsStream(name)) {
            assertTrue(in != null, name + " is a test resource");
            return in.readAllBytes();
        }
    }

    private static ExitStatistics read(String text, ExitStatistics.Grouping grouping) {
        ExitStatistics statistics = ExitStatistics.by(grouping);
        try (KvmTraceReader reader = KvmTraceReader.of(new StringReader(text), "t")) {
            while (reader.advance()) {
                statistics.accept(reader.event());
            }
            assertEquals(0, reader.problemCount());
        }
        return statistics;
    }

    @Test
    void version1SamplesKeepReadingIntoTheStatisticsOfTheirTrace() throws IOException {
        String trace = new String(resource("exit-statistics-v1.trace.txt"), StandardCharsets.UTF_8);
        for (ExitStatistics.Grouping grouping : new ExitStatistics.Grouping[] {ExitStatistics.Grouping.REASON_AND_VCPU,
            ExitStatistics.Grouping.IO_PORT}) {
            String name = "exit-statistics-v1-" + grouping.name().toLowerCase().replace('_', '-');
            ExitStatistics expected = read(trace, grouping);
            ExitStatistics fromBytes = ExitStatistics.fromBytes(resource(name + ".bin"));
            ExitStatistics fromJson = ExitStatistics.fromStateJson(new String(resource(name + ".json"), StandardCharsets.UTF_8));
            for (ExitStatistics old : new ExitStatistics[] {fromBytes, fromJson}) {
                assertEquals(grouping, old.grouping());
                assertEquals(expected.rows(ExitStatistics.Order.REASON), old.rows(ExitStatistics.Order.REASON), name);
                assertEquals(expected.totalExits(), old.totalExits());
                assertEquals(expected.unattributedExits(), old.unattributedExits());
                assertEquals(expected.unpairedEntries(), old.unpairedEntries());
                assertEquals(expected.toTable(ExitStatistics.Order.COUNT), old.toTable(ExitStatistics.Order.COUNT));
            }
            if (ExitStatisticsCodec.VERSION == 1) {
                assertArrayEquals(resource(name + ".bin"), expected.toBytes(), "version 1 is still the one written");
                assertEquals(new String(resource(name + ".json"), StandardCharsets.UTF_8).strip(), expected.toStateJson());
            }
        }
    }

    @Test
    void roundTripsAreExactForEveryGroupingAndCompact() {
        String trace = ExitStatisticsMergeTest.trace(new SplittableRandom(11), 20_000, 6);
        for (ExitStatistics.Grouping grouping : ExitStatistics.Grouping.values()) {
            ExitStatistics statistics = read(trace, grouping);
            byte[] bytes = statistics.toBytes();
            ExitStatistics back = ExitStatistics.fromBytes(bytes);
            assertEquals(statistics.rows(ExitStatistics.Order.REASON), back.rows(ExitStatistics.Order.REASON));
            assertArrayEquals(bytes, back.toBytes());
            assertEquals(statistics.toStateJson(), ExitStatistics.fromStateJson(statistics.toStateJson()).toStateJson());
            // a row holds a 1920-bucket histogram in memory; the form keeps only the buckets in use
            int rows = statistics.rows(ExitStatistics.Order.REASON).size();
            assertTrue(bytes.length < rows * 1200, bytes.length + " bytes for " + rows + " rows");
        }
        // a deserialized copy goes on accepting events like the original
        ExitStatistics original = read(trace, ExitStatistics.Grouping.REASON);
        ExitStatistics copy = ExitStatistics.fromBytes(original.toBytes());
        String more = ExitStatisticsMergeTest.trace(new SplittableRandom(12), 2_000, 2).replace("KVM-70", "KVM-80").replace("KVM-80", "KVM-90");
        try (KvmTraceReader reader = KvmTraceReader.of(new StringReader(more), "t")) {
            while (reader.advance()) {
                copy.accept(reader.event());
            }
        }
        assertArrayEquals(original.merge(read(more, ExitStatistics.Grouping.REASON)).toBytes(), copy.toBytes());
    }

    @Test
    void emptyStatisticsRoundTrip() {
        ExitStatistics empty = ExitStatistics.by(ExitStatistics.Grouping.MSR);
        assertEquals("{\"format\":\"vmx-exit-statistics\",\"version\":1,\"grouping\":\"MSR\",\"histogram\":{\"linear\":64,\"subBits\":5},"
                + "\"totalExits\":0,\"unattributedExits\":0,\"unpairedEntries\":0,\"backwardIntervals\":0,\"exitEvents\":0,"
                + "\"entryEvents\":0,\"detailEvents\":0,\"rows\":[]}", empty.toStateJson());
        // magic, version 1, grouping 3 (MSR), layout 64/5, seven counters of 0, no rows
        assertArrayEquals(new byte[] {'V', 'M', 'X', 'S', 1, 3, 64, 5, 0, 0, 0, 0, 0, 0, 0, 0}, empty.toBytes());
        assertEquals(ExitStatistics.Grouping.MSR, ExitStatistics.fromBytes(empty.toBytes()).grouping());
    }

    private static String bytesError(byte[] bytes) {
        return assertThrows(IllegalArgumentException.class, () -> ExitStatistics.fromBytes(bytes)).getMessage();
    }

    private static String jsonError(String json) {
        return assertThrows(IllegalArgumentException.class, () -> ExitStatistics.fromStateJson(json)).getMessage();
    }

    @Test
    void malformedBytesAreRefusedWithTheirOffset() throws IOException {
        byte[] good = resource("exit-statistics-v1-reason-and-vcpu.bin");
        // every truncation is refused, none reads as smaller statistics
        for (int length = 0; length < good.length; length++) {
            String message = bytesError(Arrays.copyOf(good, length));
            assertTrue(message.startsWith("serialized exit statistics, byte offset "), message);
        }
        assertEquals("serialized exit statistics, byte offset 0: not serialized exit statistics (no VMXS magic)",
                bytesError("{\"format\"".getBytes(StandardCharsets.US_ASCII)));
        byte[] later = good.clone();
        later[4] = 2;
        assertEquals("serialized exit statistics, byte offset 4: format version 2 is not one this reader knows (1..1)", bytesError(later));
        byte[] grouping = good.clone();
        grouping[5] = 9;
        assertEquals("serialized exit statistics, byte offset 5: unknown grouping code 9", bytesError(grouping));
        byte[] layout = good.clone();
        layout[7] = 4;
        assertEquals("serialized exit statistics, byte offset 6: histogram layout 64/4 is not this reader's 64/5", bytesError(layout));
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertEquals("serialized exit statistics, byte offset " + good.length + ": 1 bytes follow the last row", bytesError(trailing));
        // a flipped byte anywhere after the header is refused or reads as different statistics, never silently the same
        ExitStatistics original = ExitStatistics.fromBytes(good);
        for (int i = 8; i < good.length; i++) {
            byte[] flipped = good.clone();
            flipped[i] ^= 0x01;
            try {
                ExitStatistics other = ExitStatistics.fromBytes(flipped);
                assertTrue(!Arrays.equals(original.toBytes(), other.toBytes()), "offset " + i);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().startsWith("serialized exit statistics, byte offset "), e.getMessage());
            }
        }
    }

    @Test
    void malformedJsonIsRefusedWithTheirOffsetOrRow() throws IOException {
        String good = new String(resource("exit-statistics-v1-io-port.json"), StandardCharsets.UTF_8).strip();
        for (int length = 0; length < good.length(); length += 7) {
            String message = jsonError(good.substring(0, length));
            assertTrue(message.startsWith("serialized exit statistics JSON"), message);
        }
        assertEquals("serialized exit statistics JSON, character offset 0: unexpected 'V'", jsonError("VMXS"));
        assertEquals("serialized exit statistics JSON, the document: \"version\" 2 is not one this reader knows (1..1)",
                jsonError(good.replace("\"version\":1", "\"version\":2")));
        assertEquals("serialized exit statistics JSON, the document: \"format\" is null, not \"vmx-exit-statistics\"",
                jsonError(good.replace("\"format\":\"vmx-exit-statistics\",", "")));
        assertEquals("serialized exit statistics JSON, row 0: the buckets hold 2 times, but timed is 1",
                jsonError(good.replaceFirst("\"timed\":2", "\"timed\":1")));
        assertEquals("serialized exit statistics JSON, \"totalExits\": the rows count 13 exits, but totalExits is 14",
                jsonError(good.replace("\"totalExits\":13", "\"totalExits\":14")));
        assertEquals("serialized exit statistics JSON, row 0: bucket [227, 1, 2300, 9999] is out of order, empty or holds times of other buckets",
                jsonError(good.replaceFirst("\\[227,1,2300,2300]", "[227,1,2300,9999]")));
        assertEquals("serialized exit statistics JSON, row 0: \"count\" is negative", jsonError(good.replaceFirst("\"count\":2", "\"count\":-2")));
        assertEquals("serialized exit statistics JSON, character offset " + (good.length() + 1) + ": text follows the document",
                jsonError(good + " {}"));
        assertEquals("serialized exit statistics JSON, row 0: unknown isa ARM", jsonError(good.replaceFirst("\"VMX\"", "\"ARM\"")));
        assertEquals("serialized exit statistics JSON, the document: \"grouping\" NONE is not one this reader knows",
                jsonError(good.replace("\"grouping\":\"IO_PORT\"", "\"grouping\":\"NONE\"")));
        assertEquals("serialized exit statistics JSON: \"histogram\" is not an object",
                jsonError(good.replaceFirst("\"histogram\":\\{[^}]*}", "\"histogram\":7")));
        assertEquals("serialized exit statistics JSON: the document is not an object", jsonError("[1]"));
    }
}
