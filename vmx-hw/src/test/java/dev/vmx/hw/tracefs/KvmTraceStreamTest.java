package dev.vmx.hw.tracefs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.hw.internal.LibC;
import dev.vmx.hw.kvm.GuestRun;
import dev.vmx.hw.kvm.GuestRunner;
import dev.vmx.hw.kvm.KvmSystem;
import dev.vmx.trace.KvmEventRecord;
import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmIsa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The live stream on this machine's tracefs, and its error paths. */
class KvmTraceStreamTest {
    private static Tracefs tracefsOrSkip() {
        String reason = null;
        Tracefs tracefs = null;
        try {
            tracefs = Tracefs.locate();
            if (!Files.isWritable(tracefs.root().resolve("instances"))) {
                reason = "no permission to create trace instances under " + tracefs.root();
            }
        } catch (NativeUnavailableException e) {
            reason = e.getMessage();
        }
        if (reason != null) {
            System.out.println("SKIPPED: " + reason);
        }
        assumeTrue(reason == null, reason);
        return tracefs;
    }

    private static String uniqueName(String what) {
        return "vmx-test-" + what + "-" + ProcessHandle.current().pid();
    }

    @Test
    void noTracefsAtAPathSaysWhatIsMissing() {
        NativeUnavailableException error = assertThrows(NativeUnavailableException.class,
                () -> Tracefs.at(Path.of("/nonexistent/tracing")));
        assertEquals("no tracefs at /nonexistent/tracing: /nonexistent/tracing/events/header_page does not exist",
                error.getMessage());
        assertEquals("/nonexistent/tracing", error.path());
    }

    /**
     * The running kernel's own description files, read live: every default event exists with every
     * field the library reads, header_page gives the page layout the decoder needs, and
     * header_event states the record header the decoder assumes.
     */
    @Test
    @Tag("root")
    void thisKernelsLiveFormatsHaveEveryFieldTheDecoderReads() {
        Tracefs tracefs = tracefsOrSkip();
        boolean kvmEvents = Files.isDirectory(tracefs.root().resolve("events/kvm"));
        if (!kvmEvents) {
            System.out.println("SKIPPED: no events/kvm in " + tracefs + " (the kvm module is not loaded)");
        }
        assumeTrue(kvmEvents, "no kvm events");
        List<EventFormat> formats = new ArrayList<>();
        for (String event : KvmTraceStream.DEFAULT_EVENTS) {
            EventFormat format = tracefs.format("kvm", event);
            assertEquals(event, format.name());
            assertTrue(format.id() > 0, event);
            for (String field : EventLayout.fieldNames(KvmEventType.fromTracepoint(event)).values()) {
                assertTrue(format.field(field).isPresent(), event + " has no field " + field + " on this kernel");
            }
            formats.add(format);
        }
        RingBufferDecoder live = new RingBufferDecoder(tracefs.headerPage(), formats);
        assertTrue(live.pageSize() >= 4096, "page size " + live.pageSize());
        String headerEvent = Tracefs.read(tracefs.root().resolve("events/header_event"));
        assertTrue(headerEvent.matches("(?s).*type_len\\s*:\\s*5 bits.*time_delta\\s*:\\s*27 bits.*"), headerEvent);
        assertTrue(headerEvent.contains("padding     : type == " + RingBufferDecoder.TYPE_PADDING), headerEvent);
        assertTrue(headerEvent.contains("time_extend : type == " + RingBufferDecoder.TYPE_TIME_EXTEND), headerEvent);
        assertTrue(headerEvent.contains("time_stamp : type == " + RingBufferDecoder.TYPE_TIME_STAMP), headerEvent);
        assertTrue(headerEvent.contains("data max type_len  == 28"), headerEvent);
    }

    @Test
    @Tag("root")
    void aMissingEventIsNamedAndTheInstanceIsRemoved() {
        Tracefs tracefs = tracefsOrSkip();
        String name = uniqueName("missing");
        NativeUnavailableException error = assertThrows(NativeUnavailableException.class,
                () -> KvmTraceStream.open(tracefs, name, List.of("kvm_exit", "kvm_no_such_event")));
        Path where = tracefs.root().resolve("instances/" + name + "/events/kvm/kvm_no_such_event");
        assertEquals("tracefs event kvm:kvm_no_such_event does not exist (no " + where
                + "): the kvm module is not loaded or this kernel has no such tracepoint", error.getMessage());
        assertFalse(Files.exists(tracefs.root().resolve("instances/" + name)), "the instance was removed");
    }

    @Test
    @Tag("root")
    void aPipeThatWillNotCloseIsNamedWithItsErrnoAndTheInstanceIsStillRemoved() throws Exception {
        Tracefs tracefs = tracefsOrSkip();
        String name = uniqueName("badclose");
        KvmTraceStream stream = KvmTraceStream.open(tracefs, name, List.of("kvm_pio"), 64);
        // swap the first per-CPU pipe's descriptor for one no process can have open (above any
        // RLIMIT_NOFILE), so the stream's own close gets EBADF; closing the real one behind the
        // stream's back instead would let the JVM reuse the number and the stream close that
        java.lang.reflect.Field fdsField = KvmTraceStream.class.getDeclaredField("fds");
        fdsField.setAccessible(true);
        int[] fds = (int[]) fdsField.get(stream);
        int real = fds[0];
        fds[0] = Integer.MAX_VALUE;
        dev.vmx.hw.internal.LibC.INSTANCE.close(real);
        java.lang.reflect.Field cpusField = KvmTraceStream.class.getDeclaredField("cpus");
        cpusField.setAccessible(true);
        int cpu = ((int[]) cpusField.get(stream))[0];
        NativeUnavailableException error = assertThrows(NativeUnavailableException.class, stream::close);
        Path pipe = tracefs.root().resolve("instances/" + name + "/per_cpu/cpu" + cpu + "/trace_pipe_raw");
        assertEquals("close of " + pipe + " failed: Bad file descriptor (errno 9)", error.getMessage());
        assertEquals(9, error.errno());
        assertFalse(Files.exists(tracefs.root().resolve("instances/" + name)), "the instance was removed");
    }

    @Test
    @Tag("root")
    void anExistingInstanceIsNotTakenOver() throws Exception {
        Tracefs tracefs = tracefsOrSkip();
        String name = uniqueName("taken");
        Path instance = tracefs.root().resolve("instances/" + name);
        Files.createDirectory(instance);
        try {
            NativeUnavailableException error = assertThrows(NativeUnavailableException.class,
                    () -> KvmTraceStream.open(tracefs, name));
            assertEquals("trace instance " + instance + " already exists: another stream uses it, or a crashed run "
                    + "left it (remove it with rmdir)", error.getMessage());
        } finally {
            Files.delete(instance);
        }
        assertEquals("trace instance name '../x' must be letters, digits, '_', '.' or '-'",
                assertThrows(IllegalArgumentException.class, () -> KvmTraceStream.open(tracefs, "../x")).getMessage());
    }

    /**
     * The global tracing state a stream must leave as it found it: the files a user or another
     * tool set (tracing on/off, tracer, clock, buffer size, the event list, every kvm event's
     * enable), and the instances (other than this library's test instances of other processes,
     * which parallel builds may create).
     */
    private static java.util.Map<String, String> globalState(Tracefs tracefs) throws java.io.IOException {
        java.util.Map<String, String> state = new java.util.TreeMap<>();
        Path root = tracefs.root();
        for (String file : List.of("tracing_on", "current_tracer", "trace_clock", "buffer_size_kb", "set_event",
                "events/enable", "events/kvm/enable")) {
            if (Files.exists(root.resolve(file))) {
                state.put(file, Tracefs.read(root.resolve(file)));
            }
        }
        try (var events = Files.list(root.resolve("events/kvm"))) {
            for (Path event : events.filter(Files::isDirectory).collect(Collectors.toList())) {
                state.put("events/kvm/" + event.getFileName() + "/enable", Tracefs.read(event.resolve("enable")));
            }
        }
        try (var instances = Files.list(root.resolve("instances"))) {
            state.put("instances", instances.map(path -> path.getFileName().toString())
                    .filter(name -> !name.startsWith("vmx-") || name.endsWith("-" + ProcessHandle.current().pid()))
                    .sorted().collect(Collectors.joining(" ")));
        }
        return state;
    }

    /**
     * Tracing state is restored on close: the tracefs files read before opening a stream (binary
     * and text) read the same after closing it, while during it the instance has every default
     * event enabled and the global enables are untouched.
     */
    @Test
    @Tag("root")
    void closingRestoresTheTracingStateReadFromTracefs() throws Exception {
        Tracefs tracefs = tracefsOrSkip();
        java.util.Map<String, String> before = globalState(tracefs);
        assertTrue(before.containsKey("events/kvm/kvm_exit/enable"), before.toString());
        Path instance;
        try (KvmTraceStream stream = KvmTraceStream.open(tracefs, uniqueName("state"), KvmTraceStream.DEFAULT_EVENTS, 64)) {
            instance = stream.instance();
            for (String event : KvmTraceStream.DEFAULT_EVENTS) {
                assertEquals("1", Tracefs.read(instance.resolve("events/kvm/" + event + "/enable")).strip(), event);
            }
            // the kernel rounds the size up to whole sub-buffers (and their headers)
            int kilobytes = Integer.parseInt(Tracefs.read(instance.resolve("buffer_size_kb")).strip());
            assertTrue(kilobytes >= 64 && kilobytes < 128, kilobytes + " KiB");
            java.util.Map<String, String> during = globalState(tracefs);
            during.remove("instances");
            java.util.Map<String, String> expected = new java.util.TreeMap<>(before);
            expected.remove("instances");
            assertEquals(expected, during, "the global state is untouched while the stream records");
        }
        assertFalse(Files.exists(instance), "the binary stream's instance is removed on close");
        assertEquals(before, globalState(tracefs), "the binary stream restored the tracing state");
        try (KvmTraceTextStream text = KvmTraceTextStream.open(tracefs, uniqueName("statetext"), List.of("kvm_pio"))) {
            instance = text.instance();
            assertEquals("1", Tracefs.read(instance.resolve("events/kvm/kvm_pio/enable")).strip());
        }
        assertFalse(Files.exists(instance), "the text stream's instance is removed on close");
        assertEquals(before, globalState(tracefs), "the text stream restored the tracing state");
    }

    /** The real thing: run a guest under /dev/kvm while streaming, and find its events. */
    @Test
    @Tag("kvm")
    @Tag("root")
    void aRealGuestsExitsAppearInTheStream() {
        Tracefs tracefs = tracefsOrSkip();
        boolean kvm = Files.isWritable(Path.of(KvmSystem.DEVICE));
        if (!kvm) {
            System.out.println("SKIPPED: no writable /dev/kvm on this machine");
        }
        assumeTrue(kvm, "no writable /dev/kvm");
        String name = uniqueName("live");
        Path instance;
        List<KvmEventRecord> mine = new ArrayList<>();
        int thread = LibC.INSTANCE.gettid();
        String globalEnable = Tracefs.read(tracefs.root().resolve("events/kvm/kvm_exit/enable"));
        try (KvmTraceStream stream = KvmTraceStream.open(tracefs, name); KvmSystem system = KvmSystem.open()) {
            instance = stream.instance();
            assertEquals("1", Tracefs.read(instance.resolve("events/kvm/kvm_pio/enable")).strip());
            GuestRun run = GuestRunner.runRealMode(system, GuestRunner.HELLO_SERIAL, 16);
            assertTrue(run.halted());
            stream.poll(event -> {
                // other processes on this machine may run guests too: keep this thread's events
                if (event.pid() == thread) {
                    mine.add(event.toRecord());
                }
            });
            assertFalse(stream.stats().anyLoss(), stream.stats().toString());
            assertTrue(stream.stats().events() >= mine.size());
        }
        assertFalse(Files.exists(instance), "the instance is removed on close");
        assertEquals(globalEnable, Tracefs.read(tracefs.root().resolve("events/kvm/kvm_exit/enable")),
                "the global kvm_exit enable is untouched");

        // poll delivers CPU by CPU; the vCPU thread may have moved between CPUs: merge by time
        mine.sort(java.util.Comparator.comparingLong(KvmEventRecord::timestampNanos));
        String seen = mine.stream().map(KvmEventRecord::toString).collect(Collectors.joining("\n"));
        List<KvmEventRecord> pio = mine.stream().filter(e -> e.type() == KvmEventType.KVM_PIO).collect(Collectors.toList());
        assertEquals(2, pio.size(), seen);
        assertEquals(List.of(0x3f8, 0x3f8), pio.stream().map(KvmEventRecord::port).collect(Collectors.toList()));
        assertEquals(List.of(0x48L, 0x69L), pio.stream().map(KvmEventRecord::value).collect(Collectors.toList()));
        assertTrue(pio.stream().allMatch(e -> e.isWrite() && e.size() == 1 && e.count() == 1), seen);
        List<Integer> userspace = mine.stream().filter(e -> e.type() == KvmEventType.KVM_USERSPACE_EXIT)
                .map(KvmEventRecord::userspaceExitReason).collect(Collectors.toList());
        assertEquals(List.of(2, 2, 5), userspace, "KVM_EXIT_IO twice, then KVM_EXIT_HLT: " + seen);
        List<KvmEventRecord> exits = mine.stream().filter(e -> e.type() == KvmEventType.KVM_EXIT).collect(Collectors.toList());
        if (exits.isEmpty()) {
            // Where KVM runs without hardware VMX/SVM (kvm_pvm here: no vmx or svm flag), the
            // kernel records kvm_pio and kvm_userspace_exit but no kvm_exit; say so rather than fail.
            System.out.println("NOTE: this kernel recorded no kvm_exit for the guest (" + System.getProperty("os.version")
                    + "); only the kvm_exit assertions are skipped");
        } else {
            dev.vmx.hw.internal.CpuInfo cpu = dev.vmx.hw.internal.CpuInfo.host();
            KvmIsa isa = cpu.hasFlag("vmx") ? KvmIsa.VMX : cpu.hasFlag("svm") ? KvmIsa.SVM : KvmIsa.UNKNOWN;
            assertTrue(exits.stream().allMatch(e -> e.isa() == isa), seen);
            assertTrue(exits.stream().allMatch(e -> e.vcpu() == 0), seen);
            if (isa == KvmIsa.SVM) {
                // AMD APM vol. 2 appendix C: VMEXIT_IOIO 0x7b
                assertEquals(2, exits.stream().filter(e -> e.exitCode() == 0x7b).count(), seen);
                assertThrows(IllegalStateException.class, () -> exits.get(0).exitReason());
            } else {
                assertEquals(2, exits.stream().filter(e -> e.exitReason().basicNumber() == 30).count(), seen);
            }
        }
        assertTrue(mine.stream().allMatch(e -> e.timestampNanos() > 0 && e.cpu() >= 0), seen);
    }

    /**
     * Loss for real: a guest writes 3000 numbers to a port while a tiny ring buffer is not read,
     * so the kernel overwrites pages. The stream must count the loss and deliver the newest events.
     */
    @Test
    @Tag("kvm")
    @Tag("root")
    void overwrittenEventsAreCountedAndTheNewestDelivered() {
        Tracefs tracefs = tracefsOrSkip();
        boolean kvm = Files.isWritable(Path.of(KvmSystem.DEVICE));
        assumeTrue(kvm, "no writable /dev/kvm");
        byte[] code = {
            (byte) 0xb9, (byte) 0xb8, 0x0b, // mov cx, 3000
            (byte) 0xba, (byte) 0x80, 0x00, // mov dx, 0x80
            (byte) 0x89, (byte) 0xc8, // again: mov ax, cx
            (byte) 0xef, // out dx, ax
            (byte) 0xe2, (byte) 0xfb, // loop again
            (byte) 0xf4, // hlt
        };
        int thread = LibC.INSTANCE.gettid();
        List<KvmEventRecord> pio = new ArrayList<>();
        RingBufferStats stats;
        try (KvmTraceStream stream = KvmTraceStream.open(tracefs, uniqueName("loss"), List.of("kvm_pio", "kvm_userspace_exit"), 8);
                KvmSystem system = KvmSystem.open()) {
            GuestRun run = GuestRunner.runRealMode(system, code, 4000);
            assertTrue(run.halted(), run.exits().size() + " exits");
            assertEquals(3001, run.exits().size());
            stream.poll(event -> {
                if (event.pid() == thread && event.type() == KvmEventType.KVM_PIO) {
                    pio.add(event.toRecord());
                }
            });
            stats = stream.stats();
        }
        System.out.println("loss test: " + stats + ", kept " + pio.size() + " of 3000 kvm_pio");
        assertTrue(pio.size() < 3000, "an 8 KiB buffer cannot hold 6000 events");
        assertTrue(stats.lostEvents() > 0 || stats.pagesWithUnknownLoss() > 0, "the loss is counted: " + stats);
        // the kernel's pages after a loss (commit with the sign-extended RB_MISSED_EVENTS) are not damage
        assertEquals(0, stats.corruptPages(), stats.toString());
        assertEquals(0, stats.truncatedPages(), stats.toString());
        if (stats.pagesWithUnknownLoss() == 0) {
            // every loss had its count stored, so nothing vanished: the guest's 3000 kvm_pio and
            // 3001 kvm_userspace_exit (other guests on this machine can only add) are all accounted
            assertTrue(stats.events() + stats.lostEvents() >= 6001, stats.toString());
        }
        pio.sort(java.util.Comparator.comparingLong(KvmEventRecord::timestampNanos));
        assertEquals(1, pio.get(pio.size() - 1).value(), "the newest write (cx = 1) is kept");
        for (int i = 1; i < pio.size(); i++) {
            assertTrue(pio.get(i).value() < pio.get(i - 1).value(), "kept writes are in guest order");
        }
    }

    /**
     * The live path allocates no object per event: reading and decoding the real pages of 6001
     * events costs less than one small object per event (bytes counted, never timed; the JNA
     * calls allocate a little per page read, nothing per event).
     */
    @Test
    @Tag("kvm")
    @Tag("root")
    void pollingRealPagesAllocatesNoObjectPerEvent() {
        Tracefs tracefs = tracefsOrSkip();
        assumeTrue(Files.isWritable(Path.of(KvmSystem.DEVICE)), "no writable /dev/kvm");
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        byte[] code = {
            (byte) 0xb9, (byte) 0xb8, 0x0b, (byte) 0xba, (byte) 0x80, 0x00, // mov cx, 3000; mov dx, 0x80
            (byte) 0x89, (byte) 0xc8, (byte) 0xef, (byte) 0xe2, (byte) 0xfb, (byte) 0xf4, // again: mov ax,cx; out dx,ax; loop; hlt
        };
        long[] sum = new long[1];
        java.util.function.Consumer<dev.vmx.trace.KvmEvent> summing = event -> sum[0] += event.port() + event.value()
                + event.userspaceExitReason() + event.timestampNanos() + event.pid();
        try (KvmTraceStream stream = KvmTraceStream.open(tracefs, uniqueName("alloc"), List.of("kvm_pio", "kvm_userspace_exit"), 4096);
                KvmSystem system = KvmSystem.open()) {
            stream.poll(summing); // warm up the path (class loading, JIT of the first pages)
            assertTrue(GuestRunner.runRealMode(system, code, 4000).halted());
            long thread = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(thread);
            long events = stream.poll(summing);
            long bytes = threads.getThreadAllocatedBytes(thread) - before;
            System.out.println("live poll: " + bytes + " bytes for " + events + " events, " + stream.stats());
            assertTrue(events >= 6001, stream.stats().toString());
            assertFalse(stream.stats().anyLoss(), stream.stats().toString());
            assertTrue(bytes < 16L * events / 2, bytes + " bytes allocated for " + events + " events");
        }
    }

    /** The text fallback on the real trace_pipe: the guest's lines, in the kernel's words. */
    @Test
    @Tag("kvm")
    @Tag("root")
    void theTextFallbackDeliversTheKernelsLines() {
        Tracefs tracefs = tracefsOrSkip();
        assumeTrue(Files.isWritable(Path.of(KvmSystem.DEVICE)), "no writable /dev/kvm");
        String thread = "-" + LibC.INSTANCE.gettid() + " ";
        List<String> mine = new ArrayList<>();
        Path instance;
        try (KvmTraceTextStream text = KvmTraceTextStream.open(tracefs, uniqueName("text"), List.of("kvm_pio", "kvm_userspace_exit"));
                KvmSystem system = KvmSystem.open()) {
            instance = text.instance();
            assertTrue(GuestRunner.runRealMode(system, GuestRunner.HELLO_SERIAL, 16).halted());
            // trace_pipe hands out text as the kernel formats it; poll until the HLT's line arrived
            for (int attempt = 0; attempt < 50 && mine.stream().noneMatch(l -> l.contains("KVM_EXIT_HLT")); attempt++) {
                text.poll(line -> {
                    if (line.toString().contains(thread)) {
                        mine.add(line.toString());
                    }
                });
                if (mine.stream().noneMatch(l -> l.contains("KVM_EXIT_HLT"))) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            assertTrue(text.lines() >= mine.size());
        }
        assertFalse(Files.exists(instance), "the instance is removed on close");
        String seen = String.join("\n", mine);
        assertEquals(5, mine.size(), seen);
        assertTrue(mine.get(0).endsWith("kvm_pio: pio_write at 0x3f8 size 1 count 1 val 0x48 "), seen);
        assertTrue(mine.get(1).contains("kvm_userspace_exit: reason KVM_EXIT_IO (2)"), seen);
        assertTrue(mine.get(2).endsWith("kvm_pio: pio_write at 0x3f8 size 1 count 1 val 0x69 "), seen);
        assertTrue(mine.get(4).contains("kvm_userspace_exit: reason KVM_EXIT_HLT (5)"), seen);
    }

    @Test
    void theKernelsLossLineIsRecognised() {
        // kernel/trace/trace.c print_trace_line(): "CPU:%d [LOST %lu EVENTS]\n"
        assertEquals(5616, KvmTraceTextStream.lostCount("CPU:1 [LOST 5616 EVENTS]"));
        assertEquals(-1, KvmTraceTextStream.lostCount(" java-42 [001] ..... 6162.065637: kvm_pio: pio_write at 0x3f8 size 1 count 1 val 0x48 "));
        assertEquals(-1, KvmTraceTextStream.lostCount("CPU:1 [LOST EVENTS]"));
    }

    /** Loss in text mode, for real: the kernel's [LOST N EVENTS] lines are counted, not parsed as events. */
    @Test
    @Tag("kvm")
    @Tag("root")
    void theTextFallbackCountsTheKernelsLossLines() {
        Tracefs tracefs = tracefsOrSkip();
        assumeTrue(Files.isWritable(Path.of(KvmSystem.DEVICE)), "no writable /dev/kvm");
        byte[] code = {
            (byte) 0xb9, (byte) 0xb8, 0x0b, (byte) 0xba, (byte) 0x80, 0x00, // mov cx, 3000; mov dx, 0x80
            (byte) 0x89, (byte) 0xc8, (byte) 0xef, (byte) 0xe2, (byte) 0xfb, (byte) 0xf4, // again: mov ax,cx; out dx,ax; loop; hlt
        };
        int thread = LibC.INSTANCE.gettid();
        List<KvmEventRecord> pio = new ArrayList<>();
        try (KvmTraceTextStream text = KvmTraceTextStream.open(tracefs, uniqueName("textloss"), List.of("kvm_pio", "kvm_userspace_exit"), 8);
                KvmSystem system = KvmSystem.open()) {
            assertTrue(GuestRunner.runRealMode(system, code, 4000).halted());
            text.pollEvents(event -> {
                if (event.pid() == thread && event.type() == KvmEventType.KVM_PIO) {
                    pio.add(event.toRecord());
                }
            });
            System.out.println("text loss test: " + text.lossLines() + " loss lines, " + text.lostEvents() + " lost, kept "
                    + pio.size() + " of 3000 kvm_pio, " + text.problems() + " unparsed");
            assertTrue(pio.size() < 3000, "an 8 KiB buffer cannot hold 6000 events");
            assertTrue(text.lossLines() > 0, "the kernel reported the loss");
            assertTrue(text.lostEvents() > 0);
            assertEquals(0, text.problems(), "loss lines are not handed to the parser");
        }
        assertEquals(1, pio.get(pio.size() - 1).value(), "the newest write (cx = 1) is kept");
    }

    /** The text fallback parsed into events by the trace text parser, on the real trace_pipe. */
    @Test
    @Tag("kvm")
    @Tag("root")
    void theTextFallbackParsesIntoEvents() {
        Tracefs tracefs = tracefsOrSkip();
        assumeTrue(Files.isWritable(Path.of(KvmSystem.DEVICE)), "no writable /dev/kvm");
        int thread = LibC.INSTANCE.gettid();
        List<KvmEventRecord> mine = new ArrayList<>();
        try (KvmTraceTextStream text = KvmTraceTextStream.open(tracefs, uniqueName("textevents"), List.of("kvm_pio", "kvm_userspace_exit"));
                KvmSystem system = KvmSystem.open()) {
            assertTrue(GuestRunner.runRealMode(system, GuestRunner.HELLO_SERIAL, 16).halted());
            for (int attempt = 0; attempt < 50 && mine.size() < 5; attempt++) {
                text.pollEvents(event -> {
                    if (event.pid() == thread) {
                        mine.add(event.toRecord());
                    }
                });
                if (mine.size() < 5) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            assertEquals(0, text.problems());
        }
        String seen = mine.stream().map(KvmEventRecord::toString).collect(Collectors.joining("\n"));
        List<KvmEventRecord> pio = mine.stream().filter(e -> e.type() == KvmEventType.KVM_PIO).collect(Collectors.toList());
        assertEquals(List.of(0x48L, 0x69L), pio.stream().map(KvmEventRecord::value).collect(Collectors.toList()), seen);
        assertTrue(pio.stream().allMatch(e -> e.port() == 0x3f8 && e.isWrite()), seen);
        assertEquals(List.of(2, 2, 5), mine.stream().filter(e -> e.type() == KvmEventType.KVM_USERSPACE_EXIT)
                .map(KvmEventRecord::userspaceExitReason).collect(Collectors.toList()), seen);
    }
}
