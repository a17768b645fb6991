package dev.vmx.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Exit statistics over synthesized trace text (kvm_exit/kvm_entry in the Linux 6.1 formats). */
class ExitStatisticsTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static String exit(int pid, String time, int vcpu, String reason) {
        return "qemu-" + pid + " [000] " + time + ": kvm_exit: vcpu " + vcpu + " reason " + reason
                + " rip 0x1000 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000\n";
    }

    private static String entry(int pid, String time, int vcpu) {
        return "qemu-" + pid + " [000] " + time + ": kvm_entry: vcpu " + vcpu + ", rip 0x1000\n";
    }

    private static ExitStatistics feed(String text, ExitStatistics stats) {
        try (KvmTraceReader reader = KvmTraceReader.of(new StringReader(text), "t")) {
            while (reader.advance()) {
                stats.accept(reader.event());
            }
            assertEquals(0, reader.problemCount());
        }
        return stats;
    }

    @Test
    void countsSharesAndExitToEntryTimesPairedPerThread() {
        // two vCPU threads interleaved: HLT 10us and 30us, EPT_VIOLATION 2us; one exit never re-entered
        String text = entry(11, "0.000001", 0)
                + exit(11, "1.000000", 0, "HLT")
                + exit(12, "1.000001", 1, "EPT_VIOLATION")
                + entry(12, "1.000003", 1)
                + entry(11, "1.000010", 0)
                + exit(11, "2.000000", 0, "HLT")
                + entry(11, "2.000030", 0)
                + exit(12, "3.000000", 1, "npf");
        ExitStatistics stats = feed(text, ExitStatistics.byReason());
        assertEquals(4, stats.totalExits());
        assertEquals(1, stats.unpairedEntries());
        List<ExitStatisticsRow> rows = stats.rows(ExitStatistics.Order.COUNT);
        assertEquals(List.of("HLT", "EPT_VIOLATION", "npf"), rows.stream().map(ExitStatisticsRow::reasonName).toList());
        ExitStatisticsRow hlt = rows.get(0);
        assertEquals(2, hlt.count());
        assertEquals(0.5, hlt.share());
        assertEquals(10_000, hlt.minNanos());
        assertEquals(30_000, hlt.maxNanos());
        assertEquals(20_000.0, hlt.meanNanos());
        assertEquals(10_000, hlt.p50Nanos(), 10_000 * 0.04);
        assertEquals(30_000, hlt.p99Nanos(), 30_000 * 0.04);
        assertEquals(0, rows.get(2).timedCount());
        assertEquals(KvmIsa.SVM, rows.get(2).isa());
        assertEquals(List.of("HLT", "EPT_VIOLATION", "npf"),
                stats.rows(ExitStatistics.Order.TIME).stream().map(ExitStatisticsRow::reasonName).toList());
        assertEquals(List.of("HLT", "EPT_VIOLATION", "npf"), // VMX 12, VMX 48, then SVM
                stats.rows(ExitStatistics.Order.REASON).stream().map(ExitStatisticsRow::reasonName).toList());

        String table = stats.toTable(ExitStatistics.Order.COUNT);
        // HLT: 40 of 42 us of exit-to-entry time; spread of the mean (perf): stddev 14142.1 / sqrt(2) / 20000 = 50%
        assertTrue(table.contains("HLT                    2   50.00%  95.24%        40.00      10.00      30.00      20.00 ( +-50.00%)"
                + "      10.00      30.00   0.00%"), table);
        // npf's one exit was never re-entered: no times, "-" rather than 0.00, and a line saying why
        assertTrue(table.contains("npf                    1   25.00%   0.00%            -          -          -          - ( +-    -%)"
                + "          -          -   0.00%"), table);
        assertTrue(table.endsWith("Total Samples:4" + System.lineSeparator()
                + "-: no exit of the row was followed by its thread's kvm_entry, so none was timed" + System.lineSeparator()), table);
        assertTrue(table.startsWith("VM-EXIT          Samples Samples%   Time%    Total(us)    Min(us)    Max(us)    Avg(us)"
                + "       (+-%)    P50(us)    P99(us) Kernel%"), table);
        String csv = stats.toCsv(ExitStatistics.Order.COUNT);
        assertTrue(csv.startsWith("isa,exit_code,reason,vcpu,detail,write,count,share,timed,min_ns,max_ns,mean_ns,p50_ns,p99_ns,"
                + "time_share,total_ns,mean_spread_pct,p50_low_ns,p50_high_ns,p99_low_ns,p99_high_ns,guest_kernel\nVMX,0xc,HLT,-1,-1,false,2,0.500000,2,10000,30000,20000.0,"), csv);
        String json = stats.toJson(ExitStatistics.Order.COUNT);
        assertTrue(json.startsWith("{\"total\":4,\"rows\":[{\"isa\":\"VMX\",\"exitCode\":12,\"reason\":\"HLT\",\"vcpu\":-1,\"detail\":-1,\"write\":false,\"count\":2,"), json);
    }

    @Test
    void perVcpuRowsAndFailedVmentryName() {
        String text = exit(11, "1.0", 0, "HLT") + exit(12, "1.0", 1, "HLT")
                + exit(12, "1.1", 1, "INVALID_STATE FAILED_VMENTRY");
        ExitStatistics stats = feed(text, ExitStatistics.byReasonAndVcpu());
        List<ExitStatisticsRow> rows = stats.rows(ExitStatistics.Order.REASON);
        assertEquals(3, rows.size());
        assertEquals(0, rows.get(0).vcpu());
        assertEquals(1, rows.get(1).vcpu());
        assertEquals("INVALID_STATE FAILED_VMENTRY", rows.get(2).reasonName());
    }

    @Test
    void ioPortAndMsrGroupingsUseTheFollowingPioAndMsrEvents() {
        String text = exit(11, "1.000000", 0, "IO_INSTRUCTION")
                + "qemu-11 [000] 1.000001: kvm_pio: pio_write at 0x3f8 size 1 count 1 val 0x48 \n"
                + entry(11, "1.000004", 0)
                + exit(11, "1.100000", 0, "IO_INSTRUCTION")
                + "qemu-11 [000] 1.100001: kvm_pio: pio_write at 0x3f8 size 1 count 1 val 0x69 \n"
                + entry(11, "1.100006", 0)
                + exit(11, "1.200000", 0, "MSR_WRITE")
                + "qemu-11 [000] 1.200001: kvm_msr: msr_write 6e0 = 0x1c3f9e8d2\n"
                + entry(11, "1.200002", 0)
                + exit(11, "1.300000", 0, "HLT")
                + entry(11, "1.300100", 0);
        ExitStatistics ports = feed(text, ExitStatistics.by(ExitStatistics.Grouping.IO_PORT));
        assertEquals(2, ports.totalExits());
        assertEquals(2, ports.unattributedExits()); // the MSR_WRITE and HLT exits
        ExitStatisticsRow serial = ports.rows(ExitStatistics.Order.COUNT).get(0);
        assertEquals(0x3f8, serial.detail());
        assertTrue(serial.write());
        assertEquals("IO_INSTRUCTION", serial.reasonName());
        assertEquals(4_000, serial.minNanos());
        assertEquals(6_000, serial.maxNanos());
        assertTrue(ports.toTable(ExitStatistics.Order.COUNT).contains("IO_INSTRUCTION      0x3f8 W          2  100.00%"),
                ports.toTable(ExitStatistics.Order.COUNT));
        ExitStatistics msrs = feed(text, ExitStatistics.by(ExitStatistics.Grouping.MSR));
        assertEquals(1, msrs.totalExits());
        assertEquals(0x6e0, msrs.rows(ExitStatistics.Order.COUNT).get(0).detail());
        assertEquals(2_000, msrs.rows(ExitStatistics.Order.COUNT).get(0).maxNanos()); // exit 1.200000 to entry 1.200002
    }

    @Test
    void qualificationClassesSplitEptCrIoAndExceptionExits() {
        String text = exitLine(11, "1.000000", "EPT_VIOLATION", "0x0000000000000181", "0x00000000")
                + entry(11, "1.000010", 0)
                + exitLine(11, "1.100000", "EPT_VIOLATION", "0x0000000000000182", "0x00000000")
                + entry(11, "1.100010", 0)
                + exitLine(11, "1.200000", "EPT_VIOLATION", "0x0000000000000181", "0x00000000")
                + entry(11, "1.200010", 0)
                + exitLine(11, "1.300000", "CR_ACCESS", "0x0000000000000003", "0x00000000")
                + entry(11, "1.300010", 0)
                + exitLine(11, "1.400000", "IO_INSTRUCTION", "0x0000000003f80008", "0x00000000")
                + entry(11, "1.400010", 0)
                + exitLine(11, "1.500000", "EXCEPTION_NMI", "0x00007ffd3a2c1ff8", "0x80000b0e")
                + entry(11, "1.500010", 0)
                + exitLine(11, "1.600000", "HLT", "0x0000000000000000", "0x00000000")
                + entry(11, "1.600010", 0);
        ExitStatistics stats = feed(text, ExitStatistics.by(ExitStatistics.Grouping.QUALIFICATION_CLASS));
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        for (ExitStatisticsRow row : stats.rows(ExitStatistics.Order.COUNT)) {
            counts.put(row.reasonName(), row.count());
        }
        assertEquals(java.util.Map.of("EPT_VIOLATION (read)", 2L, "EPT_VIOLATION (write)", 1L, "CR_ACCESS (MOV to CR3)", 1L,
                "IO_INSTRUCTION (in)", 1L, "EXCEPTION_NMI (#PF)", 1L, "HLT", 1L), counts);
        // the other groupings keep one row per reason
        assertEquals(5, feed(text, ExitStatistics.byReason()).rows(ExitStatistics.Order.COUNT).size());
    }

    private static String exitLine(int pid, String time, String reason, String info1, String intrInfo) {
        return "qemu-" + pid + " [000] " + time + ": kvm_exit: vcpu 0 reason " + reason + " rip 0xffffffff81000000 info1 " + info1
                + " info2 0x0000000000000000 intr_info " + intrInfo + " error_code 0x00000006\n";
    }

    @Test
    void histogramBucketsBoundTheirValues() {
        for (long v : new long[] {0, 1, 63, 64, 65, 100, 1000, 123_456, 1L << 40, Long.MAX_VALUE / 3}) {
            long low = ExitStatistics.bucketLow(ExitStatistics.bucket(v));
            assertTrue(low <= v && v - low <= Math.max(0, v / 32), v + " -> " + low);
        }
    }

    @Test
    void steadyStateParseAndCountAllocatesNothingPerEvent() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            text.append(exit(11 + (i & 3), i + ".000000", i & 3, (i & 1) == 0 ? "HLT" : "EPT_VIOLATION"));
            text.append(entry(11 + (i & 3), i + ".000005", i & 3));
        }
        String all = text.toString();
        ExitStatistics stats = ExitStatistics.byReason();
        feed(all, stats); // warm up: rows, pending slots, JIT
        KvmTraceReader reader = KvmTraceReader.of(new StringReader(all), "t");
        reader.advance();
        stats.accept(reader.event());
        long threadId = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(threadId);
        long events = 1;
        while (reader.advance()) {
            stats.accept(reader.event());
            events++;
        }
        long bytes = THREADS.getThreadAllocatedBytes(threadId) - before;
        assertEquals(40_000, events);
        assertEquals(40_000, stats.totalExits()); // 20,000 in the warm-up pass and 20,000 measured
        assertEquals(40_000, stats.rows(ExitStatistics.Order.COUNT).stream().mapToLong(ExitStatisticsRow::timedCount).sum());
        assertTrue(bytes < 16 * 1024, bytes + " bytes allocated for " + events + " events");
    }

    @Test
    void percentilesAreNearestRankBetweenTwoRecordedTimesOfTheirBucket() {
        java.util.Random random = new java.util.Random(7);
        for (int trial = 0; trial < 40; trial++) {
            int n = 1 + random.nextInt(trial < 20 ? 10 : 3000);
            long[] nanos = new long[n];
            StringBuilder text = new StringBuilder();
            long t = 1_000_000_000L;
            for (int i = 0; i < n; i++) {
                // spread over 0 ns .. about 10 ms, log-uniform, so every bucket range is exercised
                nanos[i] = (long) Math.pow(10, random.nextDouble() * 7) - 1;
                text.append(exit(11, seconds(t), 0, "HLT"));
                text.append(entry(11, seconds(t + nanos[i]), 0));
                t += nanos[i] + 1_000_000;
            }
            ExitStatisticsRow row = feed(text.toString(), ExitStatistics.byReason()).rows(ExitStatistics.Order.COUNT).get(0);
            long[] sorted = nanos.clone();
            java.util.Arrays.sort(sorted);
            // text traces carry nanoseconds here (9 fraction digits), so the times are exact
            assertEquals(sorted[0], row.minNanos());
            assertEquals(sorted[n - 1], row.maxNanos());
            assertEquals(java.util.Arrays.stream(nanos).sum(), row.totalNanos());
            java.util.Set<Long> recorded = new java.util.HashSet<>();
            for (long v : nanos) {
                recorded.add(v);
            }
            for (double p : new double[] {0.50, 0.99}) {
                long exact = sorted[(int) Math.ceil(p * n) - 1]; // nearest rank
                LatencyPercentile reported = p == 0.50 ? row.p50() : row.p99();
                String context = "n=" + n + " p=" + p + " exact=" + exact + " reported=" + reported;
                assertTrue(reported.lowNanos() <= exact && exact <= reported.highNanos(), context);
                assertTrue(reported.highNanos() - reported.lowNanos() <= reported.highNanos() / 32, context);
                assertTrue(recorded.contains(reported.lowNanos()) && recorded.contains(reported.highNanos()), context);
                assertEquals(reported.highNanos(), p == 0.50 ? row.p50Nanos() : row.p99Nanos(), context);
                if (reported.isExact()) {
                    assertEquals(exact, reported.nanos(), context);
                }
            }
        }
        // the documented examples: p50 of 1, 2, 3, 4 ns is 2; p99 of fewer than 100 exits is the maximum
        String small = exit(11, "1.000000000", 0, "HLT") + entry(11, "1.000000001", 0)
                + exit(11, "2.000000000", 0, "HLT") + entry(11, "2.000000002", 0)
                + exit(11, "3.000000000", 0, "HLT") + entry(11, "3.000000003", 0)
                + exit(11, "4.000000000", 0, "HLT") + entry(11, "4.000000004", 0);
        ExitStatisticsRow row = feed(small, ExitStatistics.byReason()).rows(ExitStatistics.Order.COUNT).get(0);
        assertEquals(2, row.p50Nanos());
        assertEquals(4, row.p99Nanos());
    }

    @Test
    void percentilesOfTimesThatAreAllTwoOrThreeMicrosecondsAreExact() {
        // issue 17: such a table printed P99 2.94, a time no exit took (the lower bound of 3000's bucket)
        StringBuilder text = new StringBuilder();
        long t = 1_000_000_000L;
        for (int i = 0; i < 1000; i++) {
            long nanos = i % 3 == 0 ? 3_000 : 2_000;
            text.append(exit(11, seconds(t), 0, "HLT")).append(entry(11, seconds(t + nanos), 0));
            t += 1_000_000;
        }
        ExitStatisticsRow row = feed(text.toString(), ExitStatistics.byReason()).rows(ExitStatistics.Order.COUNT).get(0);
        assertEquals(LatencyPercentile.of(50, 2_000, 2_000), row.p50());
        assertEquals(LatencyPercentile.of(99, 3_000, 3_000), row.p99());
        String table = feed(text.toString(), ExitStatistics.byReason()).toTable(ExitStatistics.Order.COUNT);
        assertTrue(table.contains("       2.00       3.00 "), table);
        assertTrue(!table.contains("<="), table);
        // three distinct times in one bucket (2944..3007 ns), the rank in its middle: a bound, printed as such
        String mixed = exit(11, "1.000000000", 0, "HLT") + entry(11, "1.000002950", 0)
                + exit(11, "2.000000000", 0, "HLT") + entry(11, "2.000002960", 0)
                + exit(11, "3.000000000", 0, "HLT") + entry(11, "3.000002970", 0);
        ExitStatistics three = feed(mixed, ExitStatistics.byReason());
        assertEquals(LatencyPercentile.of(50, 2_950, 2_970), three.rows(ExitStatistics.Order.COUNT).get(0).p50());
        assertEquals(LatencyPercentile.of(99, 2_970, 2_970), three.rows(ExitStatistics.Order.COUNT).get(0).p99());
        String bounded = three.toTable(ExitStatistics.Order.COUNT);
        assertTrue(bounded.contains("     <=2.97       2.97 "), bounded);
        assertTrue(bounded.contains("<=x: the percentile is at most x"), bounded);
        assertThrows(IllegalArgumentException.class, () -> LatencyPercentile.of(50, 3, 2));
        assertThrows(IllegalArgumentException.class, () -> LatencyPercentile.of(0, 1, 1));
    }

    @Test
    void meanSpreadIsPerfsRelativeStandardErrorOfTheMean() {
        // tools/perf/util/stat.c: update_stats() (Welford), stddev_stats() = sqrt(M2 / (n - 1) / n),
        // rel_stddev_stats() = 100 * stddev / avg; computed here that way, in doubles, as perf does
        java.util.Random random = new java.util.Random(17);
        StringBuilder text = new StringBuilder();
        long t = 1_000_000_000L;
        double n = 0;
        double mean = 0;
        double m2 = 0;
        for (int i = 0; i < 5000; i++) {
            long nanos = 500 + (long) (random.nextDouble() * random.nextDouble() * 2_000_000);
            text.append(exit(11, seconds(t), 0, "HLT")).append(entry(11, seconds(t + nanos), 0));
            t += 10_000_000;
            n++;
            double delta = nanos - mean;
            mean += delta / n;
            m2 += delta * (nanos - mean);
        }
        double perf = 100 * Math.sqrt(m2 / (n - 1) / n) / mean;
        ExitStatisticsRow row = feed(text.toString(), ExitStatistics.byReason()).rows(ExitStatistics.Order.COUNT).get(0);
        assertEquals(perf, row.meanSpreadPercent(), perf * 1e-9);
        assertEquals(1.0, row.timeShare());
    }

    @Test
    void guestKernelShareCountsExitsWhoseRipHasBit63Set() {
        String text = exitLine(11, "1.0", "HLT", "0x0", "0x00000000") + entry(11, "1.1", 0) // rip 0xffffffff81000000
                + exit(11, "2.0", 0, "HLT") + entry(11, "2.1", 0) // rip 0x1000
                + exit(11, "3.0", 0, "HLT") + entry(11, "3.1", 0)
                + exitLine(11, "4.0", "HLT", "0x0", "0x00000000") + entry(11, "4.1", 0);
        ExitStatisticsRow row = feed(text, ExitStatistics.byReason()).rows(ExitStatistics.Order.COUNT).get(0);
        assertEquals(2, row.guestKernelCount());
        assertEquals(0.5, row.guestKernelShare());
    }

    @Test
    void eptViolationsByGuestPhysicalPageAndAccessFromTheFollowingKvmPageFault() {
        // KVM traces kvm_page_fault while handling an EPT violation: the GPA and the exit qualification
        // (Linux 6.x layout "vcpu %u rip 0x%lx address 0x%016llx error_code 0x%llx"; 5.x "address %lx error_code %x")
        String fault6 = "qemu-11 [000] %s: kvm_page_fault: vcpu 0 rip 0xffffffff81000000 address 0x%s error_code 0x%s\n";
        String text = exitLine(11, "1.000000", "EPT_VIOLATION", "0x0000000000000182", "0x00000000")
                + String.format(fault6, "1.000001", "00000000fee000b0", "182") + entry(11, "1.000004", 0)
                + exitLine(11, "2.000000", "EPT_VIOLATION", "0x0000000000000182", "0x00000000")
                + String.format(fault6, "2.000001", "00000000fee00ff8", "182") + entry(11, "2.000006", 0)
                + exitLine(11, "3.000000", "EPT_VIOLATION", "0x0000000000000181", "0x00000000")
                + "qemu-11 [000] 3.000001: kvm_page_fault: address fee00010 error_code 181\n" + entry(11, "3.000002", 0)
                + exitLine(11, "4.000000", "EPT_VIOLATION", "0x0000000000000184", "0x00000000") + entry(11, "4.000003", 0)
                + exitLine(11, "5.000000", "HLT", "0x0", "0x00000000")
                + String.format(fault6, "5.000001", "0000000000001000", "181") + entry(11, "5.000009", 0);
        ExitStatistics stats = feed(text, ExitStatistics.by(ExitStatistics.Grouping.EPT_PAGE));
        List<ExitStatisticsRow> rows = stats.rows(ExitStatistics.Order.COUNT);
        assertEquals(2, rows.size(), rows.toString());
        assertEquals(0xfee00000L | 2, rows.get(0).detail()); // two writes to the page 0xfee00000
        assertEquals(2, rows.get(0).count());
        assertEquals(10_000, rows.get(0).totalNanos());
        assertEquals(0xfee00000L | 1, rows.get(1).detail()); // a read of it, from the 5.x layout
        assertEquals(3, stats.totalExits()); // the HLT exit is not counted, and its kvm_page_fault names no row
        assertEquals(1, stats.unattributedExits()); // the EPT violation without a kvm_page_fault
        assertEquals(0, stats.unpairedEntries());
        String table = stats.toTable(ExitStatistics.Order.COUNT);
        assertTrue(table.startsWith("VM-EXIT       GPA PAGE ACCESS    Samples"), table);
        assertTrue(table.contains("EPT_VIOLATION    0xfee00000 W          2   66.67%"), table);
        assertTrue(table.contains("EPT_VIOLATION    0xfee00000 R          1   33.33%"), table);
        ExitStatistics none = feed(exitLine(11, "1.0", "EPT_VIOLATION", "0x0000000000000182", "0x00000000") + entry(11, "1.1", 0),
                ExitStatistics.by(ExitStatistics.Grouping.EPT_PAGE));
        assertEquals(java.util.Optional.of("1 kvm_exit events were read, but no kvm_page_fault events, which name the guest-physical page"
                + " of an exit (enable the kvm:kvm_page_fault tracepoint when recording); 1 exits were re-entered without one"), none.whyEmpty());
        assertEquals(2, ExitStatistics.pageAccess(KvmIsa.SVM, 0x7)); // SVM NPF error code: bit 1 write
        assertEquals(4, ExitStatistics.pageAccess(KvmIsa.SVM, 0x15)); // bit 4 instruction fetch
        assertEquals(1, ExitStatistics.pageAccess(KvmIsa.SVM, 0x5));
    }

    @Test
    void aTableWithoutRowsSaysWhy() {
        ExitStatistics nothing = ExitStatistics.byReason();
        assertEquals("No rows: no kvm_exit or kvm_entry events were read (is the kvm:kvm_exit tracepoint enabled?)."
                + System.lineSeparator() + "Total Samples:0" + System.lineSeparator(), nothing.toTable(ExitStatistics.Order.COUNT));
        ExitStatistics entriesOnly = feed(entry(11, "1.0", 0) + entry(11, "2.0", 0), ExitStatistics.byReason());
        assertEquals(java.util.Optional.of("no kvm_exit events were read, only 2 kvm_entry events (is the kvm:kvm_exit tracepoint enabled?)"),
                entriesOnly.whyEmpty());
        String exits = exit(11, "1.0", 0, "HLT") + entry(11, "1.1", 0) + exit(11, "2.0", 0, "IO_INSTRUCTION") + entry(11, "2.1", 0);
        ExitStatistics ports = feed(exits, ExitStatistics.by(ExitStatistics.Grouping.IO_PORT));
        assertEquals(java.util.Optional.of("2 kvm_exit events were read, but no kvm_pio events, which name the I/O port of an exit"
                + " (enable the kvm:kvm_pio tracepoint when recording); 2 exits were re-entered without one"), ports.whyEmpty());
        assertTrue(ports.toTable(ExitStatistics.Order.COUNT).startsWith("No rows: 2 kvm_exit events were read, but no kvm_pio events"));
        assertTrue(ports.toJson(ExitStatistics.Order.COUNT).startsWith("{\"total\":0,\"empty\":\"2 kvm_exit events were read"));
        String misplaced = exits + "qemu-11 [000] 3.0: kvm_msr: msr_write 6e0 = 0x1234\n";
        assertEquals(java.util.Optional.of("2 kvm_exit events were read, but no kvm_msr event followed an exit on its thread before"
                + " the next entry; 2 exits were re-entered without one"),
                feed(misplaced, ExitStatistics.by(ExitStatistics.Grouping.MSR)).whyEmpty());
        assertEquals(java.util.Optional.empty(), feed(exits, ExitStatistics.byReason()).whyEmpty());
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%d.%09d", nanos / 1_000_000_000L, nanos % 1_000_000_000L);
    }

    @Test
    void csvAndJsonEscaping() {
        assertEquals("HLT", ExitStatistics.csv("HLT"));
        assertEquals("PF excp", ExitStatistics.csv("PF excp")); // a space needs no quotes
        assertEquals("\"a,b\"", ExitStatistics.csv("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", ExitStatistics.csv("say \"hi\""));
        assertEquals("\"two\nlines\"", ExitStatistics.csv("two\nlines"));
        assertEquals("\"cr\rhere\"", ExitStatistics.csv("cr\rhere"));
        assertEquals("\"HLT\"", ExitStatistics.json("HLT"));
        assertEquals("\"a\\\"b\\\\c\"", ExitStatistics.json("a\"b\\c"));
        assertEquals("\"\\u000a\\u0009\\u001f\"", ExitStatistics.json("\n\t\u001f"));
        assertEquals("\"é\"", ExitStatistics.json("é")); // non-ASCII stays as is (UTF-8 JSON)
    }

    @Test
    void csvAndJsonRowsCarryEveryColumnForSvmAndQualificationNames() {
        // reason names with a space ("PF excp") and parentheses ("EPT_VIOLATION (write)") stay intact
        String text = exit(11, "1.000000", 0, "PF excp") + entry(11, "1.000002", 0)
                + exitLine(12, "1.000000", "EPT_VIOLATION", "0x0000000000000182", "0x00000000") + entry(12, "1.000003", 0);
        ExitStatistics stats = feed(text, ExitStatistics.by(ExitStatistics.Grouping.QUALIFICATION_CLASS));
        String csv = stats.toCsv(ExitStatistics.Order.REASON);
        List<String> lines = csv.lines().toList();
        assertEquals(3, lines.size(), csv);
        // time share 3/5; the exit line's RIP is in the kernel half, the SVM one's (0x1000) is not
        assertEquals("VMX,0x30,EPT_VIOLATION (write),-1,2,false,1,0.500000,1,3000,3000,3000.0,3000,3000,0.600000,3000,0.00,3000,3000,3000,3000,1", lines.get(1));
        assertEquals("SVM,0x4e,PF excp,-1,-1,false,1,0.500000,1,2000,2000,2000.0,2000,2000,0.400000,2000,0.00,2000,2000,2000,2000,0", lines.get(2));
        for (String line : lines) {
            assertEquals(22, line.split(",", -1).length, line);
        }
        assertEquals("{\"total\":2,\"rows\":[{\"isa\":\"VMX\",\"exitCode\":48,\"reason\":\"EPT_VIOLATION (write)\",\"vcpu\":-1,"
                + "\"detail\":2,\"write\":false,\"count\":1,\"share\":0.500000,\"timed\":1,\"minNs\":3000,\"maxNs\":3000,"
                + "\"meanNs\":3000.0,\"p50Ns\":3000,\"p99Ns\":3000,\"timeShare\":0.600000,\"totalNs\":3000,\"meanSpreadPct\":0.00,"
                + "\"p50\":{\"lowNs\":3000,\"highNs\":3000,\"exact\":true},\"p99\":{\"lowNs\":3000,\"highNs\":3000,\"exact\":true},"
                + "\"guestKernel\":1},{\"isa\":\"SVM\",\"exitCode\":78,\"reason\":\"PF excp\","
                + "\"vcpu\":-1,\"detail\":-1,\"write\":false,\"count\":1,\"share\":0.500000,\"timed\":1,\"minNs\":2000,"
                + "\"maxNs\":2000,\"meanNs\":2000.0,\"p50Ns\":2000,\"p99Ns\":2000,\"timeShare\":0.400000,\"totalNs\":2000,"
                + "\"meanSpreadPct\":0.00,\"p50\":{\"lowNs\":2000,\"highNs\":2000,\"exact\":true},"
                + "\"p99\":{\"lowNs\":2000,\"highNs\":2000,\"exact\":true},\"guestKernel\":0}]}", stats.toJson(ExitStatistics.Order.REASON));
    }

    @Test
    void perVcpuRowsOfA4xTraceTakeTheVcpuFromTheThreadsEntries() {
        // 4.x: kvm_exit "reason %s rip 0x%lx info %llx %llx" has no vCPU; kvm_entry "vcpu %u" has
        String text = "qemu-11 [000] 1.000000: kvm_exit: reason HLT rip 0x1000 info 0 0\n" // before any entry
                + "qemu-11 [000] 1.000001: kvm_entry: vcpu 3\n"
                + "qemu-12 [001] 1.000002: kvm_entry: vcpu 0\n"
                + "qemu-11 [000] 1.000010: kvm_exit: reason HLT rip 0x1000 info 0 0\n"
                + "qemu-12 [001] 1.000011: kvm_exit: reason HLT rip 0x1000 info 0 0\n"
                + "qemu-11 [000] 1.000020: kvm_entry: vcpu 3\n";
        ExitStatistics stats = feed(text, ExitStatistics.byReasonAndVcpu());
        List<ExitStatisticsRow> rows = stats.rows(ExitStatistics.Order.REASON);
        assertEquals(List.of(-1, 0, 3), rows.stream().map(ExitStatisticsRow::vcpu).toList());
        assertEquals(1_000, rows.get(0).maxNanos()); // the first exit is still timed, under vCPU -1
        assertEquals(10_000, rows.get(2).maxNanos());
        assertEquals(1, stats.unpairedEntries()); // thread 12's first entry
    }

    @Test
    void anEntryStampedBeforeItsExitIsCountedNotTimed() {
        String text = exit(11, "2.000000", 0, "HLT") + entry(11, "1.999990", 0)
                + exit(11, "3.000000", 0, "HLT") + entry(11, "3.000004", 0);
        ExitStatistics stats = feed(text, ExitStatistics.byReason());
        ExitStatisticsRow hlt = stats.rows(ExitStatistics.Order.COUNT).get(0);
        assertEquals(2, hlt.count());
        assertEquals(1, hlt.timedCount());
        assertEquals(4_000, hlt.minNanos());
        assertEquals(1, stats.backwardIntervals());
        assertEquals(0, stats.unpairedEntries());
    }

    @Test
    void rowsOfTheSameBasicReasonWithOtherFlagsHaveDistinctNames() {
        assertEquals("EPT_VIOLATION", ExitStatistics.reasonName(KvmIsa.VMX, 0x30));
        assertEquals("EPT_VIOLATION ENCLAVE_MODE", ExitStatistics.reasonName(KvmIsa.VMX, 0x0800_0030L));
        assertEquals("INVALID_STATE BUS_LOCK_DETECTED FAILED_VMENTRY", ExitStatistics.reasonName(KvmIsa.VMX, 0x8400_0021L));
        assertEquals("HLT 0x10000", ExitStatistics.reasonName(KvmIsa.VMX, 0x0001_000cL)); // reserved bit 16 kept
    }
}
