package dev.vmx.hw.tracefs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.SourceTable;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.trace.KvmEventRecord;
import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmIsa;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Pages built per header_page, header_event and this machine's format files decode to the expected events. */
class RingBufferDecoderTest {
    static final Map<String, Long> DEFINES = defines();
    static final long MISSED_EVENTS = DEFINES.get("RB_MISSED_EVENTS");
    static final long MISSED_STORED = DEFINES.get("RB_MISSED_STORED");

    static Map<String, Long> defines() {
        Map<String, Long> values = new TreeMap<>();
        for (String[] row : SourceTable.rows(RingBufferDecoderTest.class, "ring_buffer-defines.txt", true)) {
            String expression = row[1]
                    .replace("(", "").replace(")", "").replace("ULL", "").replace("U", "");
            long value;
            if (expression.contains("<<")) {
                String[] parts = expression.split("<<");
                value = SourceTable.cInteger(parts[0].trim()) << Integer.parseInt(parts[1].trim());
            } else {
                value = SourceTable.cInteger(expression);
            }
            values.put(row[0], value);
        }
        return values;
    }

    private final List<KvmEventRecord> events = new ArrayList<>();
    private final RingBufferDecoder decoder = new RingBufferDecoder(Formats.headerPage(), Formats.kvmEvents());

    private int decode(ByteBuffer page, int cpu) {
        return decoder.decodePage(page, page.capacity(), cpu, event -> events.add(event.toRecord()));
    }

    @Test
    void theDecoderConstantsAreTheKernels() {
        assertEquals(DEFINES.get("TS_SHIFT"), (long) RingBufferDecoder.TS_SHIFT);
        assertEquals(DEFINES.get("TS_MSB"), RingBufferDecoder.TS_MSB);
        assertEquals(MISSED_EVENTS, RingBufferDecoder.RB_MISSED_EVENTS);
        assertEquals(MISSED_STORED, RingBufferDecoder.RB_MISSED_STORED);
        assertEquals(PageBuilder.TIME_DELTA_BITS, RingBufferDecoder.TS_SHIFT);
        assertEquals(PageBuilder.PADDING, RingBufferDecoder.TYPE_PADDING);
        assertEquals(PageBuilder.TIME_EXTEND, RingBufferDecoder.TYPE_TIME_EXTEND);
        assertEquals(PageBuilder.TIME_STAMP, RingBufferDecoder.TYPE_TIME_STAMP);
        assertEquals(5, PageBuilder.TYPE_LEN_BITS);
        assertEquals(4096, decoder.pageSize());
    }

    @Test
    void everyFieldTheLibraryReadsExistsInThisKernelsFormats() {
        for (EventFormat format : Formats.kvmEvents()) {
            KvmEventType type = KvmEventType.fromTracepoint(format.name());
            assertTrue(type != KvmEventType.OTHER, format.name());
            for (String field : EventLayout.fieldNames(type).values()) {
                assertTrue(format.field(field).isPresent(), format.name() + " has no field " + field);
            }
        }
    }

    /**
     * Offsets come from the format file, never from the code: a kvm_pio format whose fields lie
     * elsewhere (reordered, with a different id and a 64-bit val, as another kernel could declare
     * them) decodes its records at those places.
     */
    @Test
    void fieldsAreReadWhereTheFormatFileSaysNotWhereThisKernelHasThem() {
        String moved = "name: kvm_pio\nID: 4321\nformat:\n"
                + "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
                + "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
                + "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
                + "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
                + "\tfield:u64 val;\toffset:8;\tsize:8;\tsigned:0;\n"
                + "\tfield:unsigned short port;\toffset:16;\tsize:2;\tsigned:0;\n"
                + "\tfield:unsigned char size;\toffset:18;\tsize:1;\tsigned:0;\n"
                + "\tfield:unsigned char rw;\toffset:19;\tsize:1;\tsigned:0;\n"
                + "\tfield:unsigned int count;\toffset:20;\tsize:4;\tsigned:0;\n";
        EventFormat format = EventFormat.parse(moved);
        RingBufferDecoder movedDecoder = new RingBufferDecoder(Formats.headerPage(), List.of(format));
        ByteBuffer page = new PageBuilder(0).event(1, format, Map.of("common_pid", 9L, "val", 0x1_0000_0048L, "port", 0x3f8L,
                "size", 1L, "rw", 1L, "count", 1L)).build(0);
        List<KvmEventRecord> decoded = new ArrayList<>();
        assertEquals(1, movedDecoder.decodePage(page, page.capacity(), 0, event -> decoded.add(event.toRecord())));
        assertEquals(KvmEventRecord.builder().type(KvmEventType.KVM_PIO).timestampNanos(1).cpu(0).pid(9).write(true)
                .port(0x3f8).size(1).count(1).value(0x1_0000_0048L).build(), decoded.get(0));
        // and the stock decoder, which knows kvm_pio by this kernel's id, does not take id 4321 for it
        assertEquals(1, decode(page, 0));
        assertEquals(KvmEventType.OTHER, events.get(0).type());
    }

    @Test
    void anSvmExitAPioAndAUserspaceExitDecodeWithTheirTimes() {
        ByteBuffer page = new PageBuilder(1_000_000L)
                .event(10, Formats.event("kvm_exit"), Map.of("common_pid", 4242L, "exit_reason", 0x7bL, "guest_rip", 0x1005L,
                        "isa", 2L, "info1", 0x3f80210L, "info2", 0x1006L, "vcpu_id", 0L))
                .event(5, Formats.event("kvm_pio"), Map.of("rw", 1L, "port", 0x3f8L, "size", 1L, "count", 1L, "val", 0x48L))
                .event(7, Formats.event("kvm_userspace_exit"), Map.of("reason", 2L, "errno", 0L))
                .build(0);
        assertEquals(3, decode(page, 1));
        assertEquals(KvmEventRecord.builder().type(KvmEventType.KVM_EXIT).timestampNanos(1_000_010L).cpu(1).pid(4242)
                .vcpu(0).isa(KvmIsa.SVM).exitCode(0x7b).guestRip(0x1005).info1(0x3f80210L).info2(0x1006).build(), events.get(0));
        assertEquals(KvmEventRecord.builder().type(KvmEventType.KVM_PIO).timestampNanos(1_000_015L).cpu(1).write(true)
                .port(0x3f8).size(1).count(1).value(0x48).build(), events.get(1));
        assertEquals(KvmEventRecord.builder().type(KvmEventType.KVM_USERSPACE_EXIT).timestampNanos(1_000_022L).cpu(1)
                .userspaceExitReason(2).build(), events.get(2));
        assertEquals(new RingBufferStats(1, 3, 0, 0, 0, 0, 0), decoder.stats());
    }

    @Test
    void aVmxExitReadsAsAnExitReason() {
        ByteBuffer page = new PageBuilder(0)
                .event(1, Formats.event("kvm_nested_vmexit"), Map.of("exit_reason", 0x80000021L, "isa", 1L, "vcpu_id", 3L))
                .event(1, Formats.event("kvm_nested_vmexit_inject"), Map.of("exit_code", 0x30L, "exit_info1", 0x181L,
                        "exit_int_info", 0x80000b0eL, "exit_int_info_err", 4L, "isa", 1L))
                .build(0);
        decode(page, 0);
        assertTrue(events.get(0).exitReason().is(BasicExitReason.INVALID_STATE));
        assertTrue(events.get(0).exitReason().isVmEntryFailure());
        assertEquals(3, events.get(0).vcpu());
        assertEquals(BasicExitReason.EPT_VIOLATION, events.get(1).exitReason().basic());
        assertEquals(-1, events.get(1).vcpu(), "kvm_nested_vmexit_inject records no vcpu");
        assertEquals(0x80000b0e, events.get(1).intrInfo());
        assertEquals(4, events.get(1).errorCode());
    }

    @Test
    void linux618RequestsAndImmediateExitAreReadFromTheirFormatFields() {
        // kvm_exit.format and kvm_entry.format as this machine's 6.18 kernel prints them:
        // "field:u64 requests" and "field:bool immediate_exit"
        ByteBuffer page = new PageBuilder(0)
                .event(1, Formats.event("kvm_exit"), Map.of("exit_reason", 12L, "isa", 1L, "vcpu_id", 0L, "requests", 0x104L))
                .event(1, Formats.event("kvm_entry"), Map.of("vcpu_id", 0L, "rip", 0x1000L, "immediate_exit", 1L))
                .event(1, Formats.event("kvm_entry"), Map.of("vcpu_id", 0L, "rip", 0x1000L))
                .build(0);
        decode(page, 0);
        assertEquals(0x104, events.get(0).requests());
        assertTrue(events.get(1).isImmediateExit());
        assertEquals(false, events.get(2).isImmediateExit());
        assertEquals(0, events.get(1).requests());
    }

    @Test
    void msrCrMmioAndEntry() {
        ByteBuffer page = new PageBuilder(0)
                .event(1, Formats.event("kvm_msr"), Map.of("write", 1L, "ecx", 0x1bL, "data", 0xfee00900L, "exception", 1L))
                .event(1, Formats.event("kvm_cr"), Map.of("rw", 0L, "cr", 4L, "val", 0x2020L))
                .event(1, Formats.event("kvm_mmio"), Map.of("type", 2L, "len", 4L, "gpa", 0xfee000b0L, "val", 0L))
                .event(1, Formats.event("kvm_entry"), Map.of("vcpu_id", 1L, "rip", 0xffffffff81000000L))
                .build(0);
        decode(page, 0);
        assertEquals(KvmEventRecord.builder().type(KvmEventType.KVM_MSR).timestampNanos(1).cpu(0).write(true).msrIndex(0x1b)
                .value(0xfee00900L).msrException(true).build(), events.get(0));
        assertEquals(KvmEventRecord.builder().type(KvmEventType.KVM_CR).timestampNanos(2).cpu(0).crNumber(4).value(0x2020)
                .build(), events.get(1));
        assertEquals(KvmEventRecord.builder().type(KvmEventType.KVM_MMIO).timestampNanos(3).cpu(0).mmioType(2).size(4)
                .gpa(0xfee000b0L).build(), events.get(2));
        assertEquals(0xffffffff81000000L, events.get(3).guestRip());
        assertEquals(1, events.get(3).vcpu());
    }

    @Test
    void aLongRecordUsesTheArrayLengthAndCarriesItsMessage() {
        ByteBuffer page = new PageBuilder(0)
                .event(3, Formats.event("kvm_nested_vmenter_failed"), Map.of("err", 22L), "msg", 150)
                .event(1, Formats.event("kvm_userspace_exit"), Map.of("reason", 5L))
                .build(0);
        assertEquals(2, decode(page, 0));
        assertEquals(150, events.get(0).message().length());
        assertTrue(events.get(0).message().toString().startsWith("abcdefghijklmnopqrstuvwxyzabc"));
        assertEquals(22, events.get(0).errno());
        assertEquals(5, events.get(1).userspaceExitReason());
        assertEquals(4, events.get(1).timestampNanos());
    }

    @Test
    void timeExtendsAndTimeStampsMoveTheClock() {
        long big = (1L << 27) * 5 + 3;
        ByteBuffer page = new PageBuilder(100)
                .timeExtend(big)
                .event(2, Formats.event("kvm_userspace_exit"), Map.of())
                .timeStamp(7_000_000_000L)
                .event(4, Formats.event("kvm_userspace_exit"), Map.of())
                .discarded(16)
                .event(1, Formats.event("kvm_userspace_exit"), Map.of())
                .build(0);
        assertEquals(3, decode(page, 0));
        assertEquals(100 + big + 2, events.get(0).timestampNanos());
        assertEquals(7_000_000_004L, events.get(1).timestampNanos());
        assertEquals(7_000_000_005L, events.get(2).timestampNanos(), "padding (a discarded record) does not move the clock");
    }

    @Test
    void aTimeStampTakesTheTopClockBitsFromThePage() {
        long pageClock = 0x0800_0000_0000_0000L | 1000;
        ByteBuffer page = new PageBuilder(pageClock).timeStamp(2000).event(0, Formats.event("kvm_userspace_exit"), Map.of()).build(0);
        decode(page, 0);
        assertEquals(0x0800_0000_0000_0000L | 2000, events.get(0).timestampNanos());
    }

    @Test
    void lostEventsAreCountedNotHidden() {
        ByteBuffer stored = new PageBuilder(0).event(1, Formats.event("kvm_pio"), Map.of())
                .buildWithLostCount(MISSED_EVENTS | MISSED_STORED, 1234);
        ByteBuffer flagged = new PageBuilder(0).event(1, Formats.event("kvm_pio"), Map.of()).build(MISSED_EVENTS);
        assertEquals(1, decode(stored, 0));
        assertEquals(1, decode(flagged, 0));
        RingBufferStats stats = decoder.stats();
        assertEquals(1234, stats.lostEvents());
        assertEquals(1, stats.pagesWithUnknownLoss());
        assertTrue(stats.anyLoss());
    }

    @Test
    void anUnknownEventIdIsDeliveredAsOtherAndCounted() {
        byte[] payload = new byte[12];
        ByteBuffer.wrap(payload).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort(0, (short) 9999);
        ByteBuffer page = new PageBuilder(0).raw(1, payload).event(1, Formats.event("kvm_pio"), Map.of("port", 0x80L)).build(0);
        assertEquals(2, decode(page, 0));
        assertEquals(KvmEventType.OTHER, events.get(0).type());
        assertEquals(0x80, events.get(1).port());
        assertEquals(1, decoder.stats().otherEvents());
    }

    @Test
    void damagedPagesAreCountedAndTheNextPageStillDecodes() {
        ByteBuffer good = new PageBuilder(0).event(1, Formats.event("kvm_pio"), Map.of("port", 0x3f8L)).build(0);
        // commit larger than the page's data area
        ByteBuffer badCommit = new PageBuilder(0).event(1, Formats.event("kvm_pio"), Map.of()).build(0);
        badCommit.putLong(8, 5000);
        // a record whose length runs past the commit index: first record good, second cut
        PageBuilder cut = new PageBuilder(0).event(1, Formats.event("kvm_pio"), Map.of("port", 1L))
                .event(1, Formats.event("kvm_exit"), Map.of());
        ByteBuffer cutPage = cut.build(0);
        cutPage.putLong(8, cut.used() - 8);
        // a type_len 0 record claiming a length shorter than its own length word
        ByteBuffer zeroLength = new PageBuilder(0).build(0);
        zeroLength.putInt(16, 0);
        zeroLength.putInt(20, 2);
        zeroLength.putLong(8, 8);
        // a record too short for its event's fields (kvm_exit id with 8 bytes of payload)
        byte[] shortExit = new byte[8];
        ByteBuffer.wrap(shortExit).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort(0, (short) Formats.event("kvm_exit").id());
        ByteBuffer shortRecord = new PageBuilder(0).raw(1, shortExit).build(0);

        assertEquals(0, decode(badCommit, 0));
        assertEquals(1, decode(cutPage, 0));
        assertEquals(0, decode(zeroLength, 0));
        assertEquals(0, decode(shortRecord, 0));
        assertEquals(0, decoder.decodePage(good, 10, 0, event -> events.add(event.toRecord())), "10 bytes: shorter than the header");
        assertEquals(1, decode(good, 0));
        assertEquals(List.of(1, 0x3f8), events.stream().map(KvmEventRecord::port).collect(java.util.stream.Collectors.toList()));
        assertEquals(new RingBufferStats(6, 2, 0, 0, 0, 1, 4), decoder.stats());
    }

    @Test
    void aRecordTooShortForTheCommonFieldsAtThePageEndIsCorruptNotACrash() {
        // a 4-byte record (type_len 1) ending exactly at the page end: reading its common_pid
        // (offset 4 in every format) would run past the page
        int pidEnd = Formats.event("kvm_pio").field("common_pid").orElseThrow().offset() + 4;
        assertTrue(pidEnd > 4, "common_pid lies beyond a 4-byte payload");
        ByteBuffer page = new PageBuilder(0).build(0);
        int last = page.capacity() - 8;
        page.putInt(16, PageBuilder.PADDING | (1 << PageBuilder.TYPE_LEN_BITS)); // a discarded record up to it
        page.putInt(20, last - 16 - 4);
        page.putInt(last, 1 | (1 << PageBuilder.TYPE_LEN_BITS));
        page.putShort(last + 4, (short) 9999);
        page.putLong(8, page.capacity() - 16); // the whole data area is used
        List<Integer> pids = new ArrayList<>();
        assertEquals(0, decoder.decodePage(page, page.capacity(), 0, event -> pids.add(event.pid())));
        assertEquals(1, decoder.stats().corruptPages());
        ByteBuffer next = new PageBuilder(0).event(1, Formats.event("kvm_pio"), Map.of("common_pid", 77L)).build(0);
        assertEquals(1, decoder.decodePage(next, next.capacity(), 0, event -> pids.add(event.pid())));
        assertEquals(List.of(77), pids);
    }

    /**
     * As the kernel writes it: local_add(RB_MISSED_EVENTS, &commit) adds the int (1 << 31) to a
     * 64-bit local_t, which sign-extends it, so the commit word's bits 63:32 are all ones.
     */
    @Test
    void aLossFlagSignExtendedIntoTheCommitWordIsTheKernelsOwnForm() {
        long kernelFlags = (long) (int) MISSED_EVENTS + MISSED_STORED;
        assertEquals(0xffff_ffff_c000_0000L, kernelFlags);
        ByteBuffer page = new PageBuilder(0).event(1, Formats.event("kvm_pio"), Map.of("port", 0x80L))
                .buildWithLostCount(kernelFlags, 5616);
        assertEquals(1, decode(page, 0));
        assertEquals(new RingBufferStats(1, 1, 0, 5616, 0, 0, 0), decoder.stats());
    }

    @Test
    void aCommitWithBitsAboveTheFlagsIsCorrupt() {
        // commit is a 64-bit local_t holding the index in bits 29:0 and the two flags in 31:30
        ByteBuffer page = new PageBuilder(0).event(1, Formats.event("kvm_pio"), Map.of()).build(1L << 32);
        assertEquals(0, decode(page, 0));
        assertEquals(new RingBufferStats(1, 0, 0, 0, 0, 0, 1), decoder.stats());
    }

    @Test
    void largerSubBufferPagesDecodeWithTheirSize() {
        RingBufferDecoder large = new RingBufferDecoder(Formats.headerPage(), Formats.kvmEvents(), 8192);
        assertEquals(8192, large.pageSize());
        ByteBuffer page = ByteBuffer.allocate(8192).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        ByteBuffer small = new PageBuilder(0).event(1, Formats.event("kvm_pio"), Map.of("port", 7L)).build(0);
        page.put(0, small, 0, small.capacity());
        // a commit beyond 4080 is fine in an 8 KiB page: the event, then a discarded record up to 5000
        int end = 16 + 5000;
        int position = 16 + (int) small.getLong(8);
        page.putInt(position, PageBuilder.PADDING | (1 << PageBuilder.TYPE_LEN_BITS));
        page.putInt(position + 4, end - position - 4);
        page.putLong(8, 5000);
        List<Integer> ports = new ArrayList<>();
        large.decodePage(page, 8192, 0, event -> ports.add(event.port()));
        assertEquals(7, ports.get(0));
        assertEquals(0, large.stats().corruptPages());
        assertEquals("page size 16 leaves no room for data after the 16-byte page header",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> new RingBufferDecoder(Formats.headerPage(), Formats.kvmEvents(), 16)).getMessage());
    }

    @Test
    void aPageReadShorterThanItsCommitIsTruncatedButItsWholeRecordsDecode() {
        PageBuilder builder = new PageBuilder(0).event(1, Formats.event("kvm_pio"), Map.of("port", 1L))
                .event(1, Formats.event("kvm_pio"), Map.of("port", 2L));
        ByteBuffer page = builder.build(0);
        int firstRecordEnd = 16 + 4 + 28;
        assertEquals(1, decoder.decodePage(page, firstRecordEnd + 6, 0, event -> events.add(event.toRecord())));
        assertEquals(1, events.get(0).port());
        assertEquals(1, decoder.stats().truncatedPages());
        assertEquals(0, decoder.stats().corruptPages(), "a cut at the read length is truncation, not corruption");
    }
}
