package dev.vmx.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.SourceTable;
import dev.vmx.exit.BasicExitReason;
import java.io.InputStream;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Trace lines synthesized in the exact TP_printk formats of Linux arch/x86/kvm/trace.h
 * (4.x: "reason %s rip 0x%lx info %llx %llx"; 6.1 local source; 6.18 from this machine's
 * /sys/kernel/tracing/events/kvm/kvm_exit/format with "requests"), plus a real trace-cmd excerpt.
 */
class KvmTraceReaderTest {

    private static List<KvmEventRecord> readAll(String text, KvmTraceReader[] out) {
        KvmTraceReader reader = KvmTraceReader.of(new StringReader(text), "test");
        List<KvmEventRecord> events = new ArrayList<>();
        while (reader.advance()) {
            events.add(reader.event().toRecord());
        }
        out[0] = reader;
        return events;
    }

    private static KvmEventRecord one(String line) {
        KvmTraceReader[] reader = new KvmTraceReader[1];
        List<KvmEventRecord> events = readAll(line + "\n", reader);
        assertEquals(List.of(), reader[0].problems(), line);
        assertEquals(1, events.size(), line);
        return events.get(0);
    }

    @Test
    void tracefsWithFlagsColumnLinux618KvmExitWithRequests() {
        KvmEventRecord e = one(" CPU 1/KVM-4242    [003] d..1. 5123.456789: kvm_exit: vcpu 1 reason EPT_VIOLATION"
                + " rip 0xffffffff81234567 info1 0x0000000000000181 info2 0x0000000000000000"
                + " intr_info 0x00000000 error_code 0x00000000 requests 0x0000000000000000");
        assertEquals(KvmEventType.KVM_EXIT, e.type());
        assertEquals("CPU 1/KVM", e.task().toString());
        assertEquals(4242, e.pid());
        assertEquals(3, e.cpu());
        assertEquals(5_123_456_789_000L, e.timestampNanos());
        assertEquals(1, e.vcpu());
        assertEquals(KvmIsa.VMX, e.isa());
        assertEquals(BasicExitReason.EPT_VIOLATION, e.exitReason().basic());
        assertEquals(0xffffffff81234567L, e.guestRip());
        assertEquals(0x181, e.info1());
    }

    @Test
    void linux61FormatWithoutFlagsAndFailedVmentry() {
        KvmEventRecord e = one("qemu-system-x86-1234  [000]   77.000001: kvm_exit: vcpu 0 reason INVALID_STATE FAILED_VMENTRY"
                + " rip 0xfff0 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x80000b0d error_code 0x00000010");
        assertEquals(0x8000_0000L | 33, e.exitCode());
        assertTrue(e.exitReason().isVmEntryFailure());
        assertEquals(0x80000b0d, e.intrInfo());
        assertEquals(0x10, e.errorCode());
        assertEquals(-1, one("a-1 [000] 1.5: kvm_exit: reason HLT rip 0x1 info 0 0").vcpu());
    }

    @Test
    void flagBitsWithoutANameArePrintedAsHexAfterTheReason() {
        // kvm_exit's TP_printk: __print_flags(exit_reason & ~0xffff, " ", {0x80000000, "FAILED_VMENTRY"}),
        // and trace_print_flags_seq() prints the bits left over as "0x%lx" after the names
        String tail = " rip 0x1000 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000";
        KvmEventRecord enclave = one("CPU 0/KVM-1 [000] 1.000001: kvm_exit: vcpu 0 reason EPT_VIOLATION 0x8000000" + tail);
        assertEquals(0x0800_0030L, enclave.exitCode());
        assertTrue(enclave.exitReason().isEnclaveMode());
        assertEquals(KvmIsa.VMX, enclave.isa());
        KvmEventRecord both = one("CPU 0/KVM-1 [000] 1.000001: kvm_exit: vcpu 0 reason INVALID_STATE FAILED_VMENTRY 0x4000000" + tail);
        assertEquals(0x8400_0021L, both.exitCode());
        assertTrue(both.exitReason().isVmEntryFailure() && both.exitReason().isBusLockDetected());
        KvmEventRecord unnamed = one("CPU 0/KVM-1 [000] 1.000001: kvm_exit: vcpu 0 reason 0x5a FAILED_VMENTRY" + tail);
        assertEquals(0x8000_005aL, unnamed.exitCode());
        assertEquals(KvmIsa.VMX, unnamed.isa());
        // flags never follow SVM reasons, and a flag value must lie in bits 30:16
        for (String bad : new String[] {"npf 0x8000000", "EPT_VIOLATION 0x8001", "EPT_VIOLATION 0xzz"}) {
            KvmTraceReader[] reader = new KvmTraceReader[1];
            readAll("CPU 0/KVM-1 [000] 1.000001: kvm_exit: vcpu 0 reason " + bad + tail + "\n", reader);
            assertEquals(1, reader[0].problemCount(), bad);
            assertEquals("unknown exit reason symbol", reader[0].problems().get(0).problem(), bad);
        }
    }

    @Test
    void linux618RequestsAndImmediateExitAreKept() {
        // this machine's 6.18 formats: kvm_exit "... requests 0x%016llx", kvm_entry "...%s" with "[immediate exit]"
        String exit = "CPU 0/KVM-1 [000] 1.000001: kvm_exit: vcpu 0 reason HLT rip 0xffffffff81000000"
                + " info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000"
                + " requests 0x0000000000000104";
        String entry = "CPU 0/KVM-1 [000] 1.000002: kvm_entry: vcpu 0, rip 0xffffffff81000000 intr_info 0x00000000"
                + " error_code 0x00000000[immediate exit]";
        // alone (general parser) and amid longer input (fast path): the same values
        for (String text : new String[] {exit + "\n" + entry + "\n",
                "# tracer: nop\n" + exit + "\n" + entry + "\n" + "#".repeat(80) + "\n"}) {
            KvmTraceReader[] reader = new KvmTraceReader[1];
            List<KvmEventRecord> events = readAll(text, reader);
            assertEquals(2, events.size(), text);
            assertEquals(0x104, events.get(0).requests());
            assertFalse(events.get(0).isImmediateExit());
            assertTrue(events.get(1).isImmediateExit());
            assertEquals(0, events.get(1).requests());
        }
        assertFalse(one("a-1 [000] 1.5: kvm_entry: vcpu 0, rip 0x1 intr_info 0x0 error_code 0x0").isImmediateExit());
    }

    @Test
    void lostEventLinesAreCountedNotParsedAsEvents() {
        // kernel/trace/trace.c print_trace_line(): "CPU:%d [LOST %lu EVENTS]\n", or "CPU:%d [LOST EVENTS]\n"
        // when the count is unknown (lost_events == -1)
        String text = "CPU:1 [LOST 5616 EVENTS]\n"
                + " CPU 0/KVM-1 [001] 1.000001: kvm_entry: vcpu 0\n"
                + "CPU:0 [LOST EVENTS]\n"
                + "CPU:0 [LOST many EVENTS]\n"
                + "CPU:x [LOST 3 EVENTS]\n";
        KvmTraceReader[] reader = new KvmTraceReader[1];
        List<KvmEventRecord> events = readAll(text, reader);
        assertEquals(1, events.size());
        assertEquals(2, reader[0].lossLines());
        assertEquals(5616, reader[0].lostEvents());
        assertEquals(2, reader[0].problemCount()); // the malformed ones are problems, not losses
        assertEquals(List.of(4L, 5L), reader[0].problems().stream().map(KvmTraceProblem::lineNumber).toList());
    }

    @Test
    void linux4OldFormatInfoPair() {
        KvmEventRecord e = one("       qemu-kvm-9876  [002] ....  1500.123456: kvm_exit: reason IO_INSTRUCTION rip 0xffffffff8103a2b4 info 3f80008 0");
        assertEquals(30, e.exitCode());
        assertEquals(0x3f80008, e.info1());
        assertEquals(0, e.info2());
        assertEquals(-1, e.vcpu());
    }

    @Test
    void svmSymbolsIncludingTwoWordOnes() {
        KvmEventRecord npf = one("qemu-1 [001] 10.000000: kvm_exit: vcpu 2 reason npf rip 0x401000 info1 0x0000000100000004"
                + " info2 0x00000000fee000b0 intr_info 0x00000000 error_code 0x00000000");
        assertEquals(KvmIsa.SVM, npf.isa());
        assertEquals(0x400, npf.exitCode());
        KvmEventRecord pf = one("qemu-1 [001] 10.000000: kvm_exit: vcpu 2 reason PF excp rip 0x401000 info1 0x0 info2 0x0"
                + " intr_info 0x00000000 error_code 0x00000000");
        assertEquals(0x4e, pf.exitCode());
    }

    @Test
    void perfScriptForm() {
        KvmEventRecord e = one(" qemu-system-x86  4321 [005]  9999.000123456: kvm:kvm_exit: vcpu 0 reason HLT rip 0xffffffff81b3c2a1"
                + " info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000");
        assertEquals("qemu-system-x86", e.task().toString());
        assertEquals(4321, e.pid());
        assertEquals(5, e.cpu());
        assertEquals(9_999_000_123_456L, e.timestampNanos());
        assertEquals(12, e.exitCode());
    }

    @Test
    void otherEventKinds() {
        KvmEventRecord entry = one("q-1 [000] 1.000002: kvm_entry: vcpu 0, rip 0xffffffff81000000 intr_info 0x00000000 error_code 0x00000000");
        assertEquals(KvmEventType.KVM_ENTRY, entry.type());
        assertEquals(0, entry.vcpu());
        assertEquals(0xffffffff81000000L, entry.guestRip());
        assertEquals(7, one("q-1 [000] 1.0: kvm_entry: vcpu 7").vcpu());
        assertEquals(3, one("q-1 [000] 1.0: kvm_entry: vcpu 3, rip 0x10[immediate exit]").vcpu());

        KvmEventRecord pio = one("q-1 [000] 1.0: kvm_pio: pio_write at 0x3f8 size 1 count 1 val 0x41 ");
        assertTrue(pio.isWrite());
        assertEquals(0x3f8, pio.port());
        assertEquals(0x41, pio.value());
        KvmEventRecord mmio = one("q-1 [000] 1.0: kvm_mmio: mmio write len 4 gpa 0xfee000b0 val 0x0");
        assertEquals(2, mmio.mmioType());
        assertEquals(0xfee000b0L, mmio.gpa());
        KvmEventRecord msr = one("q-1 [000] 1.0: kvm_msr: msr_write 6e0 = 0x1c3f9e8d2 (#GP)");
        assertEquals(0x6e0, msr.msrIndex());
        assertTrue(msr.isMsrException());
        assertEquals(0x1c3f9e8d2L, msr.value());
        KvmEventRecord cr = one("q-1 [000] 1.0: kvm_cr: cr_write 4 = 0x3506f0");
        assertEquals(4, cr.crNumber());
        KvmEventRecord user = one("q-1 [000] 1.0: kvm_userspace_exit: reason KVM_EXIT_IO (2)");
        assertEquals(2, user.userspaceExitReason());
        // "(%d)" is the reason when errno >= 0 and -errno when errno < 0 (include/trace/events/kvm.h)
        assertEquals(0, user.errno());
        KvmEventRecord restart = one("q-1 [000] 1.0: kvm_userspace_exit: reason restart (4)");
        assertEquals(-4, restart.errno()); // -EINTR
        assertEquals(0, restart.userspaceExitReason());
        KvmEventRecord inject = one("q-1 [000] 1.0: kvm_nested_vmexit_inject: reason: EPT_VIOLATION ext_inf1: 0x0000000000000181"
                + " ext_inf2: 0x0000000000000000 ext_int: 0x00000000 ext_int_err: 0x00000000");
        assertEquals(48, inject.exitCode());
        assertEquals(0x181, inject.info1());
        KvmEventRecord failed = one("q-1 [000] 1.0: kvm_nested_vmenter_failed: CC(!nested_vmx_check_guest_state)");
        assertEquals("CC(!nested_vmx_check_guest_state)", failed.message().toString());
        assertEquals(KvmEventType.OTHER, one("q-1 [000] 1.0: kvm_fpu: load").type());
    }

    @Test
    void malformedLinesAreCountedWithLineNumbers() {
        KvmTraceReader[] reader = new KvmTraceReader[1];
        List<KvmEventRecord> events = readAll("# tracer: nop\n"
                + "q-1 [000] 1.0: kvm_exit: reason HLT rip 0x1 info 0 0\r\n"
                + "garbage without cpu\n"
                + "q-1 [000] 1.0: kvm_exit: reason NO_SUCH_REASON rip 0x1 info 0 0\n"
                + "q-1 [000] 1.0: kvm_msr: msr_write zz = 0x1\n"
                + "\n"
                + "q-1 [000] 1.0: kvm_entry: vcpu 1", reader);
        assertEquals(2, events.size());
        assertEquals(3, reader[0].problemCount());
        assertEquals(2, reader[0].headerCount());
        assertEquals(List.of(3L, 4L, 5L), reader[0].problems().stream().map(KvmTraceProblem::lineNumber).toList());
        assertEquals("garbage without cpu", reader[0].problems().get(0).line());
        assertEquals("unknown exit reason symbol", reader[0].problems().get(1).problem());
    }

    @Test
    void realTraceCmdExcerptOfKvmPageFaultsInTheLinux6Layout() {
        InputStream in = getClass().getResourceAsStream("osdev-trace-cmd-report.txt");
        // "vcpu %u rip 0x%lx address 0x%016llx error_code 0x%llx": the lines as posted
        long[][] expected = {{0x7f80ed32638bL, 0x3f7369712L, 0x181}, {0x7f80ed32638bL, 0x3f9ce5a12L, 0x181},
            {0x7f80ed3251d6L, 0x3f72089d0L, 0x182}};
        try (KvmTraceReader reader = KvmTraceReader.of(in, "osdev")) {
            int count = 0;
            while (reader.advance()) {
                assertEquals(KvmEventType.KVM_PAGE_FAULT, reader.event().type());
                assertEquals(1060614, reader.event().pid());
                assertEquals(36, reader.event().cpu());
                assertEquals(3, reader.event().vcpu());
                assertEquals(expected[count][0], reader.event().guestRip());
                assertEquals(expected[count][1], reader.event().gpa());
                assertEquals(expected[count][2], reader.event().errorCode());
                count++;
            }
            assertEquals(3, count);
            assertEquals(0, reader.otherCount());
            assertEquals(4, reader.headerCount()); // origin comment + 3 trace-cmd header lines
            assertEquals(0, reader.problemCount());
        }
    }

    @Test
    void longLinesAcrossBufferRefills() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            text.append("qemu-system-x86-77 [001] d..2. ").append(i).append(".000001: kvm_exit: vcpu 0 reason CPUID rip 0x")
                    .append(Integer.toHexString(i)).append(" info1 0x0000000000000000 info2 0x0000000000000000")
                    .append(" intr_info 0x00000000 error_code 0x00000000\n");
        }
        KvmTraceReader reader = KvmTraceReader.of(new StringReader(text.toString()), "big");
        long n = 0;
        while (reader.advance()) {
            assertEquals(n, reader.event().guestRip());
            n++;
        }
        assertEquals(5000, n);
        assertFalse(reader.advance());
    }

    @Test
    void svmNamesAgreeWithSvmHeader() {
        List<String[]> rows = SourceTable.rows(getClass(), "svm-exit-reasons.tsv", true);
        SymbolTable table = SvmExitNames.table();
        // 6.1's table, and two names of later kernels checked against this machine's print fmt
        // (KvmTracePrintkFormatsTest): buslock (0xa5) and idle-halt (0xa6)
        assertEquals(rows.size() + 2, SvmExitNames.names().length);
        for (String[] row : rows) {
            byte[] name = row[0].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            assertEquals(Long.parseLong(row[2].substring(2), 16), table.lookup(name, 0, name.length), row[0]);
        }
    }

    @Test
    void kvmExitNamesAreTheTracepointsSymbolsWithUapiNumbers() {
        // exactly the symbols the tracepoint prints, in its order
        List<String[]> symbols = SourceTable.rows(getClass(), "kvm-userspace-exit-symbols.txt", false);
        List<String> expected = new ArrayList<>();
        for (String[] row : symbols) {
            expected.add(row[0] + "=" + row[1]);
        }
        List<String> actual = new ArrayList<>();
        for (int i = 0; i < KvmExitNames.ROWS.length; i += 2) {
            actual.add(KvmExitNames.ROWS[i] + "=" + KvmExitNames.ROWS[i + 1]);
        }
        assertEquals(expected, actual);
        // and each number is the one uapi linux/kvm.h defines for that name
        java.util.Map<String, Long> uapi = new java.util.HashMap<>();
        for (String[] row : SourceTable.rows(getClass(), "kvm-exit-reasons.tsv", true)) {
            uapi.put(row[0], Long.parseLong(row[1]));
        }
        for (String[] row : symbols) {
            byte[] name = row[0].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            assertEquals(uapi.get(row[0]), KvmExitNames.TABLE.lookup(name, 0, name.length), row[0]);
        }
        // a subtype constant of the header is no exit reason: the tracepoint never prints it
        byte[] ioIn = "KVM_EXIT_IO_IN".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(SymbolTable.ABSENT, KvmExitNames.TABLE.lookup(ioIn, 0, ioIn.length));
        assertEquals(15, one("a-1 [000] 1.5: kvm_userspace_exit: reason KVM_EXIT_DCR (15)").userspaceExitReason());
    }

    @Test
    void taskNamesAreUtf8WhetherReadAsBytesOrCharacters() {
        // Linux task names (comm) are bytes; trace text shows them as the kernel stored them
        String line = " qemu-système-1234  [003] .... 11070.473474: kvm_pio: pio_write at 0x3f8 size 1 count 1 val 0x48\n";
        KvmTraceReader fromBytes = KvmTraceReader.of(new java.io.ByteArrayInputStream(
                line.getBytes(java.nio.charset.StandardCharsets.UTF_8)), "bytes");
        KvmTraceReader fromChars = KvmTraceReader.of(new StringReader(line), "chars");
        for (KvmTraceReader reader : new KvmTraceReader[] {fromBytes, fromChars}) {
            assertTrue(reader.advance(), reader.inputName());
            assertEquals("qemu-système", reader.event().task().toString(), reader.inputName());
            assertEquals(12, reader.event().task().length(), reader.inputName());
            assertEquals('è', reader.event().task().charAt(9), reader.inputName());
            assertEquals(1234, reader.event().pid(), reader.inputName());
            assertEquals(0x3f8, reader.event().port(), reader.inputName());
        }
    }

    @Test
    void aMalformedLineKeepsItsBytesAsText() {
        String text = "not a trace line é\n";
        KvmTraceReader reader = KvmTraceReader.of(new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)), "x");
        assertTrue(!reader.advance());
        assertEquals(1, reader.problemCount());
        assertEquals("not a trace line é", reader.problems().get(0).line());
    }

    @Test
    void timestampsOfTheTraceClocks() {
        // local/global/mono/boot: seconds.microseconds; trace-cmd -t: nanoseconds; counter/x86-tsc: a bare count
        assertEquals(5_123_456_789_000L, one("q-1 [000] 5123.456789: kvm_entry: vcpu 0").timestampNanos());
        assertEquals(5_123_456_789_123L, one("q-1 [000] 5123.456789123: kvm_entry: vcpu 0").timestampNanos());
        assertEquals(381_245_777_301_234L, one("q-1 [000] d..1. 381245777301234: kvm_entry: vcpu 0").timestampNanos());
        KvmTraceReader[] reader = new KvmTraceReader[1];
        readAll("q-1 [000] 1234567890123456789012: kvm_entry: vcpu 0\nq-1 [000] 12.34.5: kvm_entry: vcpu 0\n", reader);
        assertEquals(2, reader[0].problemCount());
        assertEquals("no timestamp 'seconds.fraction:'", reader[0].problems().get(0).problem());
    }

    @Test
    void perfScriptWithPidAndTidKeepsTheThreadId() {
        KvmEventRecord e = one(" qemu-system-x86  4321/4333 [005]  9999.000123: kvm:kvm_entry: vcpu 1, rip 0x1000");
        assertEquals("qemu-system-x86", e.task().toString());
        assertEquals(4333, e.pid()); // the vCPU thread, as common_pid records it
        assertEquals(5, e.cpu());
        KvmTraceReader[] reader = new KvmTraceReader[1];
        readAll("q x/4333 [005] 1.0: kvm_entry: vcpu 1\n", reader);
        assertEquals(1, reader[0].problemCount());
    }

    private static List<KvmEventRecord> resource(String name, KvmTraceReader[] out) {
        KvmTraceReader reader = KvmTraceReader.of(KvmTraceReaderTest.class.getResourceAsStream(name), name);
        List<KvmEventRecord> events = new ArrayList<>();
        while (reader.advance()) {
            events.add(reader.event().toRecord());
        }
        out[0] = reader;
        return events;
    }

    @Test
    void realTracefsExcerptFromGvisorIssue() {
        KvmTraceReader[] reader = new KvmTraceReader[1];
        List<KvmEventRecord> events = resource("gvisor-6757-tracefs.txt", reader);
        assertEquals(0, reader[0].problemCount(), reader[0].problems().toString());
        assertEquals(8, events.size());
        assertEquals(3, reader[0].otherCount()); // kvm_fpu twice, fast_page_fault
        // the 5.x layout "address %lx error_code %x": hex without 0x, no vCPU
        KvmEventRecord fault = events.stream().filter(e -> e.type() == KvmEventType.KVM_PAGE_FAULT).findFirst().orElseThrow();
        assertEquals(0x3fef42812000L, fault.gpa());
        assertEquals(0x181, fault.errorCode());
        assertEquals(-1, fault.vcpu());
        KvmEventRecord error = events.get(0);
        assertEquals(KvmEventType.KVM_USERSPACE_EXIT, error.type());
        assertEquals(-14, error.errno()); // "error (14)": KVM_RUN failed with -EFAULT
        assertEquals(0, error.userspaceExitReason());
        KvmEventRecord exit = events.get(3);
        assertEquals("exe", exit.task().toString());
        assertEquals(110348, exit.pid());
        assertEquals(6, exit.cpu());
        assertEquals(410_259_258_862_000L, exit.timestampNanos());
        assertEquals(BasicExitReason.EPT_VIOLATION, exit.exitReason().basic());
        assertEquals(0x181, exit.info1());
        assertEquals(0x5600b39c8132L, exit.guestRip());
        assertEquals(1, exit.vcpu());
        assertEquals(0x5600b39c8132L, events.get(2).guestRip());
        // the excerpt ends before the next kvm_entry: the exit is counted, not timed
        ExitStatistics stats = ExitStatistics.byReason();
        for (KvmEventRecord event : events) {
            stats.accept(event);
        }
        assertEquals(1, stats.totalExits());
        assertEquals(0, stats.rows(ExitStatistics.Order.COUNT).get(0).timedCount());
    }

    @Test
    void realPerfScriptLineWithoutTaskAndPid() {
        KvmTraceReader[] reader = new KvmTraceReader[1];
        List<KvmEventRecord> events = resource("cilium-ebpf-598-perf-script.txt", reader);
        assertEquals(0, reader[0].problemCount(), reader[0].problems().toString());
        KvmEventRecord entry = events.get(0);
        assertEquals(KvmEventType.KVM_ENTRY, entry.type());
        assertEquals(1, entry.cpu());
        assertEquals(0, entry.pid()); // not printed
        assertEquals("", entry.task().toString());
        assertEquals(770_850_155_000L, entry.timestampNanos());
        assertEquals(0x1000fe, entry.guestRip());
    }

    @Test
    void aFileIsStreamedAndAnOverlongLineNamesTheFileAndLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path file = dir.resolve("trace.txt");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            text.append("q-7 [001] ").append(i).append(".5: kvm_entry: vcpu ").append(i % 4).append('\n');
        }
        java.nio.file.Files.writeString(file, text);
        long count = 0;
        try (KvmTraceReader reader = KvmTraceReader.open(file)) {
            while (reader.advance()) {
                assertEquals(count % 4, reader.event().vcpu());
                count++;
            }
            assertEquals(file.toString(), reader.inputName());
        }
        assertEquals(3000, count);
        java.nio.file.Files.writeString(file, "q-7 [001] 1.5: kvm_entry: vcpu 0\n" + "x".repeat(3 << 20) + "\n");
        try (KvmTraceReader reader = KvmTraceReader.open(file)) {
            assertTrue(reader.advance());
            java.io.UncheckedIOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class, reader::advance);
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("line 2"), e.getMessage());
        }
        java.io.UncheckedIOException missing = org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class,
                () -> KvmTraceReader.open(dir.resolve("absent.txt")));
        assertTrue(missing.getMessage().contains("absent.txt"), missing.getMessage());
    }

    @Test
    void aKvmExitLinePastedWithoutItsTracePrefix() throws java.io.IOException {
        // the real gvisor#6757 line, and the same line as users paste it (ExplainExit shows it so)
        String real;
        try (java.io.InputStream in = getClass().getResourceAsStream("gvisor-6757-tracefs.txt")) {
            real = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .filter(line -> line.contains("kvm_exit:")).findFirst().orElseThrow();
        }
        KvmEventRecord prefixed = one(real);
        KvmEventRecord bare = one(real.substring(real.indexOf("kvm_exit:")));
        assertEquals(KvmEventType.KVM_EXIT, bare.type());
        assertEquals(prefixed.vcpu(), bare.vcpu());
        assertEquals(prefixed.exitReason(), bare.exitReason());
        assertEquals(prefixed.guestRip(), bare.guestRip());
        assertEquals(prefixed.info1(), bare.info1());
        assertEquals(0x181, bare.info1());
        assertEquals(-1, bare.cpu()); // not printed
        assertEquals(0, bare.timestampNanos());
        // perf's "kvm:kvm_exit:" without the perf prefix, and a pasted kvm_entry
        assertEquals(KvmEventType.KVM_EXIT, one("kvm:kvm_exit: vcpu 0 reason HLT rip 0xffffffff81b3c2a1 info1 0x0 info2 0x0").type());
        assertEquals(KvmEventType.KVM_ENTRY, one("kvm_entry: vcpu 0, rip 0xffffffff81b3c2a1").type());
    }

    @Test
    void aTrimmedLineWhoseReasonIsFollowedDirectlyByAnotherKey() {
        KvmEventRecord e = one("kvm_exit: vcpu 0 reason EXTERNAL_INTERRUPT intr_info 0x800000ec");
        assertEquals(dev.vmx.exit.BasicExitReason.EXTERNAL_INTERRUPT, e.exitReason().basic());
        assertEquals(0x800000ec, e.intrInfo());
        KvmEventRecord prefixed = one("CPU 0/KVM-1 [000] 1.000001: kvm_exit: vcpu 0 reason EXTERNAL_INTERRUPT error_code 0x00000000");
        assertEquals(dev.vmx.exit.BasicExitReason.EXTERNAL_INTERRUPT, prefixed.exitReason().basic());
        assertEquals(dev.vmx.exit.BasicExitReason.HLT, one("kvm_exit: reason HLT requests 0x0").exitReason().basic());
    }

    @Test
    void aBadLineWithoutPrefixIsAProblemNamingItsLine() {
        KvmTraceReader[] reader = new KvmTraceReader[1];
        List<KvmEventRecord> events = readAll("kvm_exit: vcpu x reason HLT\nkvm_exit: vcpu 0 reason NO_SUCH_REASON rip 0x1\n"
                + "not_kvm: at all\n", reader);
        assertEquals(List.of(), events);
        assertEquals(3, reader[0].problems().size(), reader[0].problems().toString());
        assertEquals(1, reader[0].problems().get(0).lineNumber());
        assertEquals("vcpu is not a number", reader[0].problems().get(0).problem());
        assertEquals(2, reader[0].problems().get(1).lineNumber());
        assertEquals("no [CPU] field", reader[0].problems().get(2).problem());
    }
}
