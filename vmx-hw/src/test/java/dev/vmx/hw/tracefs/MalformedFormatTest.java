package dev.vmx.hw.tracefs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.VmxParseException;
import dev.vmx.trace.KvmEventRecord;
import dev.vmx.trace.KvmEventType;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, fuzzing: a decoder built from malformed format files (a trace.dat carries its own, so
 * they are input) keeps its promise that damage is counted or reported, never thrown. Each of
 * these failed before the fix with the throwable named in its comment.
 */
class MalformedFormatTest {
    private static final String COMMON = "format:\n"
            + "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
            + "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
            + "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
            + "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n";

    private static EventFormat pio(String id, String portOffset) {
        return EventFormat.parse("name: kvm_pio\nID: " + id + "\n" + COMMON
                + "\tfield:unsigned int rw;\toffset:8;\tsize:4;\tsigned:0;\n"
                + "\tfield:unsigned int port;\toffset:" + portOffset + ";\tsize:4;\tsigned:0;\n");
    }

    private static List<KvmEventRecord> decodeAll(RingBufferDecoder decoder, ByteBuffer page) {
        List<KvmEventRecord> decoded = new ArrayList<>();
        decoder.decodePage(page, page.capacity(), 0, event -> decoded.add(event.toRecord()));
        return decoded;
    }

    /** Was NegativeArraySizeException (an array of maxId + 1 entries). */
    @Test
    void anIdNoRecordCanHoldIsReportedAndItsRecordsAreOtherEvents() {
        EventFormat huge = pio("2147483647", "12");
        RingBufferDecoder decoder = new RingBufferDecoder(Formats.headerPage(), List.of(huge, Formats.event("kvm_exit")));
        assertEquals(List.of("format kvm_pio (ID 2147483647): ID outside common_type's 0..65535; its records are counted"
                + " as other events"), decoder.formatProblems());
        ByteBuffer page = new PageBuilder(0).raw(1, new byte[] {(byte) 0xff, (byte) 0xff, 0, 0, 7, 0, 0, 0}).build(0);
        List<KvmEventRecord> decoded = decodeAll(decoder, page);
        assertEquals(1, decoded.size());
        assertEquals(KvmEventType.OTHER, decoded.get(0).type());
        assertEquals(7, decoded.get(0).pid());
        assertEquals(1, decoder.stats().otherEvents());
    }

    /** Was OutOfMemoryError: an array of a billion references. */
    @Test
    void anIdNearABillionAllocatesNothingBig() {
        RingBufferDecoder decoder = new RingBufferDecoder(Formats.headerPage(), List.of(pio("999999999", "12")));
        assertEquals(1, decoder.formatProblems().size());
        assertTrue(decoder.layoutById.length <= 0x10000, "table of " + decoder.layoutById.length);
        // the largest id a record can carry is still decoded
        RingBufferDecoder top = new RingBufferDecoder(Formats.headerPage(), List.of(pio("65535", "12")));
        assertEquals(List.of(), top.formatProblems());
        EventFormat format = pio("65535", "12");
        ByteBuffer page = new PageBuilder(0).event(1, format, Map.of("common_pid", 3L, "port", 0x3f8L, "rw", 1L)).build(0);
        assertEquals(KvmEventType.KVM_PIO, decodeAll(top, page).get(0).type());
        assertEquals(0x3f8, decodeAll(new RingBufferDecoder(Formats.headerPage(), List.of(format)), page).get(0).port());
    }

    /** Was IndexOutOfBoundsException in decodePage/RingBufferEvent.read: offset + size overflowed to a negative minimum. */
    @Test
    void aFieldOffsetThatOverflowsIsReportedNotRead() {
        EventFormat overflowing = pio("110", "2147483647");
        RingBufferDecoder decoder = new RingBufferDecoder(Formats.headerPage(), List.of(overflowing));
        assertEquals(List.of("format kvm_pio (ID 110): field 'port' at offset 2147483647 size 4 lies outside any record;"
                + " its records are counted as other events"), decoder.formatProblems());
        ByteBuffer page = new PageBuilder(0).raw(1, new byte[] {110, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0}).build(0);
        List<KvmEventRecord> decoded = decodeAll(decoder, page);
        assertEquals(KvmEventType.OTHER, decoded.get(0).type());
        assertEquals(9, decoded.get(0).pid());
    }

    /** Was IndexOutOfBoundsException from pid(): common_pid's end overflowed, so no record was too short for it. */
    @Test
    void aCommonPidBeyondAnyRecordIsNotRead() {
        EventFormat format = EventFormat.parse("name: kvm_pio\nID: 110\nformat:\n"
                + "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
                + "\tfield:int common_pid;\toffset:2147483647;\tsize:4;\tsigned:1;\n");
        RingBufferDecoder decoder = new RingBufferDecoder(Formats.headerPage(), List.of(format));
        assertEquals(1, decoder.formatProblems().size());
        ByteBuffer page = new PageBuilder(0).raw(1, new byte[] {110, 0, 0, 0}).build(0);
        List<KvmEventRecord> decoded = decodeAll(decoder, page);
        assertEquals(1, decoded.size());
        assertEquals(0, decoded.get(0).pid());
    }

    /** Was IndexOutOfBoundsException on the first page: commit was read wherever header_page said. */
    @Test
    void headerPageFieldsOutsideThePageAreRejectedWhenBuilt() {
        String good = Formats.text("header_page.txt");
        String commitFar = good.replace("offset:8;\tsize:8;\tsigned:1;", "offset:5000;\tsize:8;\tsigned:1;");
        assertTrue(!commitFar.equals(good), "the test must change the commit line");
        IllegalArgumentException commit = assertThrows(IllegalArgumentException.class,
                () -> new RingBufferDecoder(EventFormat.parse(commitFar), Formats.kvmEvents()));
        assertEquals("header_page field 'commit' at offset 5000 size 8 does not lie in the 16-byte page header before"
                + " 'data' as 4 or 8 bytes", commit.getMessage());
        String dataFar = good.replace("offset:16;\tsize:4080;", "offset:2147483647;\tsize:4080;");
        IllegalArgumentException data = assertThrows(IllegalArgumentException.class,
                () -> new RingBufferDecoder(EventFormat.parse(dataFar), Formats.kvmEvents()));
        assertEquals("header_page field 'data' at offset 2147483647 size 4080 lies outside any ring-buffer page (at most"
                + " 16777216 bytes)", data.getMessage());
    }

    /** Was quadratic (a regex retried from each '['): ten million of them took hours. */
    @Test
    void tenMillionOpenBracketsParseInLinearTime() {
        String line = "\tfield:" + "[".repeat(10_000_000) + " x;\toffset:8;\tsize:4;\tsigned:0;\n";
        EventFormat format = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> EventFormat.parse("name: y\nID: 1\n" + line));
        assertEquals(8, format.field("x").orElseThrow().offset());
        assertEquals("a b[x", EventFormat.withoutBrackets("a[3] b[x"));
        assertEquals("char comm", EventFormat.withoutBrackets("char comm[16]"));
        String noName = "\tfield:" + "[".repeat(1000) + "]" + ";\toffset:8;\tsize:4;\tsigned:0;\n";
        assertThrows(VmxParseException.class, () -> EventFormat.parse(noName));
    }
}
