package dev.vmx.hw.bochs;

import dev.vmx.cap.VmxCapabilities;
import dev.vmx.cap.VmxMsr;
import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Runs batches of {@link BochsCase}s on Bochs' emulated VMX CPU: the batch API of the Bochs backend.
 *
 * <pre>{@code
 * BochsRunner bochs = BochsRunner.create();                     // throws if Bochs is not installed
 * VmxCapabilities caps = bochs.capabilities();                  // the CPU model's IA32_VMX_* MSRs
 * BochsCase cpuid = BochsGuest.baseline(caps, "cpuid")          // a valid 64-bit L2 ...
 *         .pokeBytes(BochsGuest.CODE, new byte[] {0x0f, (byte) 0xa2})   // ... that runs CPUID
 *         .build();
 * BochsBatchResult batch = bochs.run(List.of(cpuid));
 * BochsExit exit = batch.result(0).orThrow().exit(0);
 * exit.reason();                                               // CPUID
 * }</pre>
 *
 * <p>One batch is one boot of Bochs (about half a second), however many cases it has: the cases go
 * to the hypervisor as a stream on the emulated disk (read by ATA PIO from sector 64), and each
 * case's reports come back on port 0xE9 as checksummed, numbered frames, with Bochs' log lines in
 * between (attributed to the case they appeared in). A case that crashes or hangs Bochs is
 * reported as such, Bochs is killed with its whole process tree, and a fresh Bochs runs the cases
 * after it ({@link BochsConfig#maxRestarts()}). Every process is bounded in time
 * ({@link BochsConfig#bootTimeout()}, {@link BochsConfig#stallTimeout()}) and none is left behind.
 *
 * <p>Each batch is a fresh boot: memory and VMCS contents do not carry over from one batch to the
 * next, and within a batch memory stores persist from case to case (each case writes what it
 * relies on; {@link BochsGuest#baseline} does). To replay a VMCS built or read elsewhere, see
 * {@link BochsCase.Builder#writeAll}.
 *
 * <p>Thread-safe: batches may run in parallel, each in its own Bochs.
 */
public final class BochsRunner {
    /**
     * The fields VMREAD after every exit unless a batch asks for others: the exit information
     * (reason, qualification, interruption and IDT-vectoring information and error codes,
     * instruction length and information, guest-linear and guest-physical address, VM-instruction
     * error) and the guest state an exit changes or explains (RIP, RSP, RFLAGS, CR0, CR3, CR4,
     * interruptibility, activity, pending debug exceptions, the preemption-timer value).
     */
    public static final List<VmcsField> EXIT_REPORT_FIELDS = List.of(VmcsField.VM_EXIT_REASON, VmcsField.EXIT_QUALIFICATION,
            VmcsField.VM_EXIT_INTR_INFO, VmcsField.VM_EXIT_INTR_ERROR_CODE, VmcsField.IDT_VECTORING_INFO_FIELD,
            VmcsField.IDT_VECTORING_ERROR_CODE, VmcsField.VM_EXIT_INSTRUCTION_LEN, VmcsField.VMX_INSTRUCTION_INFO,
            VmcsField.GUEST_LINEAR_ADDRESS, VmcsField.GUEST_PHYSICAL_ADDRESS, VmcsField.VM_INSTRUCTION_ERROR,
            VmcsField.GUEST_RIP, VmcsField.GUEST_RSP, VmcsField.GUEST_RFLAGS, VmcsField.GUEST_CR0, VmcsField.GUEST_CR3,
            VmcsField.GUEST_CR4, VmcsField.GUEST_INTERRUPTIBILITY_INFO, VmcsField.GUEST_ACTIVITY_STATE,
            VmcsField.GUEST_PENDING_DBG_EXCEPTIONS, VmcsField.VMX_PREEMPTION_TIMER_VALUE);

    /** Bochs 2.7's flat disk images are read with a geometry of 16 heads and 63 sectors per track. */
    private static final int CYLINDER_BYTES = 16 * 63 * 512;
    /** Where the case stream starts: sector 64, after the hypervisor (l1hv.asm's CASE_LBA). */
    static final int HYPERVISOR_BYTES = 64 * 512;
    /** The hypervisor's case id for a VMXON failure. */
    private static final int NO_CASE = -1;

    private static final Map<String, BochsBatchResult> CAPABILITY_CACHE = new ConcurrentHashMap<>();

    private final BochsInstallation installation;
    private final BochsConfig config;
    private final BochsProcess.Launch launch;

    private BochsRunner(BochsInstallation installation, BochsConfig config, BochsProcess.Launch launch) {
        this.installation = installation;
        this.config = config;
        this.launch = launch;
    }

    /** A runner launching Bochs another way (tests: under setsid, without TERM). */
    static BochsRunner create(BochsConfig config, BochsProcess.Launch launch) {
        return new BochsRunner(BochsInstallation.locate(), config, launch);
    }

    /**
     * A runner with the default configuration.
     *
     * @return the runner
     * @throws NativeUnavailableException naming every missing part of Bochs
     */
    public static BochsRunner create() {
        return create(BochsConfig.defaults());
    }

    /**
     * A runner.
     *
     * @param config the set-up
     * @return the runner
     * @throws NativeUnavailableException naming every missing part of Bochs
     */
    public static BochsRunner create(BochsConfig config) {
        return new BochsRunner(BochsInstallation.locate(), Objects.requireNonNull(config, "config"), BochsProcess.Launch.DEFAULT);
    }

    /**
     * The configuration.
     *
     * @return the set-up
     */
    public BochsConfig config() {
        return config;
    }

    /**
     * The Bochs parts this runner uses.
     *
     * @return the installation
     */
    public BochsInstallation installation() {
        return installation;
    }

    /**
     * The emulated CPU's IA32_VMX_* MSRs, read by the hypervisor with RDMSR (one boot with no
     * cases, cached per CPU model and memory size).
     *
     * @return the capabilities
     */
    public VmxCapabilities capabilities() {
        return probe().capabilities();
    }

    /**
     * A boot with no cases: the MSRs and the boot log (cached per CPU model and memory size).
     *
     * @return the empty batch's result
     */
    public BochsBatchResult probe() {
        String key = config.cpuModel() + "/" + config.memoryMiB();
        BochsBatchResult cached = CAPABILITY_CACHE.get(key);
        if (cached == null) {
            // not computeIfAbsent: a boot takes long, and a failed one must not poison the map
            cached = run(List.of());
            CAPABILITY_CACHE.putIfAbsent(key, cached);
        }
        return cached;
    }

    /**
     * Every catalog field that is not the HIGH half of another, in encoding order: the report list
     * for reading the whole VMCS after an exit (fields the CPU lacks come back in
     * {@link BochsExit#unsupported()}).
     *
     * @return the fields
     */
    public static List<VmcsField> allFields() {
        return Stream.of(VmcsField.values()).filter(f -> !f.isHighHalf())
                .sorted(Comparator.comparingInt(VmcsField::encoding)).toList();
    }

    /**
     * Runs cases, reporting {@link #EXIT_REPORT_FIELDS} after each exit.
     *
     * @param cases the cases
     * @return one result per case, in order
     */
    public BochsBatchResult run(List<BochsCase> cases) {
        return run(cases, EXIT_REPORT_FIELDS);
    }

    /**
     * Runs cases, reporting the given fields after each exit.
     *
     * @param cases the cases, run in order, in one Bochs (more after a crash or hang)
     * @param reportFields the fields to VMREAD after every exit (at most 1024, no HIGH halves)
     * @return one result per case, in order
     * @throws IllegalStateException when Bochs does not boot the hypervisor at all (with its
     *         messages), or VMXON fails (a CPU model without VMX)
     */
    public BochsBatchResult run(List<BochsCase> cases, List<VmcsField> reportFields) {
        List<BochsCase> input = List.copyOf(cases);
        List<VmcsField> fields = List.copyOf(new LinkedHashSet<>(reportFields));
        if (fields.size() > 1024) {
            throw new IllegalArgumentException(fields.size() + " report fields; at most 1024");
        }
        for (VmcsField field : fields) {
            if (field.isHighHalf()) {
                throw new IllegalArgumentException("report field " + field + " is a HIGH half; report its FULL field "
                        + field.fullField() + " instead");
            }
        }
        long start = System.nanoTime();
        BochsCaseResult[] results = new BochsCaseResult[input.size()];
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < input.size(); i++) {
            BochsCase c = input.get(i);
            if (c.problems().isEmpty()) {
                pending.add(i);
            } else {
                results[i] = new BochsCaseResult(c, BochsOutcome.REJECTED, List.of(), false, 0, List.of(), List.of(),
                        Optional.of(String.join("; ", c.problems())));
            }
        }
        RunState first = null;
        int runs = 0;
        List<String> trailing = new ArrayList<>();
        do {
            RunState state;
            try {
                state = runOnce(input, pending, fields);
            } catch (IllegalStateException e) {
                if (first == null) {
                    throw e;
                }
                // a restarted Bochs that does not boot: the cases it should have run are not run
                runs++;
                for (int index : pending) {
                    results[index] = new BochsCaseResult(input.get(index), BochsOutcome.NOT_RUN, List.of(), false, 0, List.of(),
                            List.of(), Optional.of("not run: the restarted Bochs failed: " + e.getMessage()));
                }
                pending = List.of();
                break;
            }
            runs++;
            if (first == null) {
                first = state;
            }
            trailing = state.pendingLines;
            List<Integer> rest = new ArrayList<>();
            boolean failedOne = false;
            for (int index : pending) {
                CaseState cs = state.cases.get(index);
                if (cs != null && cs.ended && cs.damage != null) {
                    // a damaged frame of this case: what it reported cannot be trusted whole
                    results[index] = new BochsCaseResult(input.get(index), BochsOutcome.CRASHED, cs.exits, cs.vmFailValid, cs.error,
                            cs.writeFailures, cs.log, Optional.of(cs.damage));
                } else if (cs != null && cs.ended) {
                    results[index] = cs.toResult(input.get(index));
                } else if (!failedOne && !state.bye) {
                    failedOne = true;
                    List<String> log = cs == null ? new ArrayList<>(state.pendingLines) : cs.log;
                    String problem = state.failure() + "; Bochs' last words: " + state.lastWords();
                    results[index] = new BochsCaseResult(input.get(index), state.hung ? BochsOutcome.HUNG : BochsOutcome.CRASHED,
                            cs == null ? List.of() : cs.exits, false, 0, cs == null ? List.of() : cs.writeFailures, log,
                            Optional.of(problem));
                    trailing = List.of();
                } else {
                    rest.add(index);
                }
            }
            pending = rest;
        } while (!pending.isEmpty() && runs <= config.maxRestarts());
        for (int index : pending) {
            results[index] = new BochsCaseResult(input.get(index), BochsOutcome.NOT_RUN, List.of(), false, 0, List.of(), List.of(),
                    Optional.of("not run: Bochs crashed or hung " + runs + " times in this batch (maxRestarts "
                            + config.maxRestarts() + ")"));
        }
        Duration caseTime = first.helloNanos == 0 || first.lastEndNanos == 0 ? Duration.ZERO
                : Duration.ofNanos(first.lastEndNanos - first.helloNanos);
        return new BochsBatchResult(Arrays.asList(results), first.msrs, first.unreadable, first.capabilities(), first.bootLog,
                trailing, runs, Duration.ofNanos(System.nanoTime() - start), caseTime);
    }

    private RunState runOnce(List<BochsCase> input, List<Integer> indexes, List<VmcsField> fields) {
        Path directory = null;
        try {
            directory = Files.createTempDirectory("vmx-bochs-");
            Path disk = directory.resolve("disk.img");
            writeImage(disk, input, indexes, fields);
            RunState state = new RunState(fields);
            ReportParser parser = new ReportParser(state);
            long startNanos = System.nanoTime();
            try (BochsProcess process = BochsProcess.start(installation, config, directory, disk, parser, launch)) {
                while (!process.waitFor(20)) {
                    long now = System.nanoTime();
                    synchronized (parser) {
                        if (state.helloNanos == 0 && now - startNanos > config.bootTimeout().toNanos()) {
                            state.hang("no HELLO from the hypervisor within the boot timeout " + config.bootTimeout());
                            break;
                        }
                        if (state.helloNanos != 0 && now - state.lastFrameNanos > config.stallTimeout().toNanos()) {
                            state.hang("no report for " + config.stallTimeout() + " (stall timeout)");
                            break;
                        }
                    }
                }
                // the process ended (or hangs): let its output drain, then kill whatever is left
                if (!state.hung) {
                    process.awaitOutput(5_000);
                }
                process.close();
                synchronized (parser) {
                    if (process.readError() != null) {
                        state.crash("reading Bochs' output failed: " + process.readError());
                    }
                    state.stderr = process.stderrTail(5);
                    if (!state.hung && !state.bye) {
                        state.crash("Bochs ended (exit status " + process.exitValue() + ") before the batch's end");
                    }
                }
            }
            if (state.helloNanos == 0 || state.vmxonFailed) {
                throw new IllegalStateException("Bochs (" + installation.bochs() + ", cpu model " + config.cpuModel()
                        + ") did not start the hypervisor: " + state.failure() + "; Bochs' last words: " + state.lastWords());
            }
            return state;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a Bochs run in " + directory + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while Bochs ran", e);
        } finally {
            if (directory != null && !Boolean.getBoolean("dev.vmx.bochs.keep")) {
                deleteTree(directory);
            }
        }
    }

    /** The disk: the hypervisor, then the case stream, padded to whole cylinders. */
    static void writeImage(Path disk, List<BochsCase> input, List<Integer> indexes, List<VmcsField> fields) throws IOException {
        byte[] hypervisor = hypervisorImage();
        int size = HYPERVISOR_BYTES + 8 + 4 * fields.size() + 4;
        for (int index : indexes) {
            size += 8 + input.get(index).operations().length + 16;
        }
        // l1hv reads 128 sectors at a time (DISK_SECTORS): keep a whole read inside the image after the stream's last byte
        int padded = (size + 128 * 512 + CYLINDER_BYTES - 1) / CYLINDER_BYTES * CYLINDER_BYTES;
        ByteBuffer image = ByteBuffer.allocate(padded).order(ByteOrder.LITTLE_ENDIAN);
        image.put(hypervisor);
        image.putInt(BochsCase.OP_FIELDS).putInt(fields.size());
        for (VmcsField field : fields) {
            image.putInt(field.encoding());
        }
        for (int index : indexes) {
            BochsCase c = input.get(index);
            image.putInt(BochsCase.OP_BEGIN).putInt(index);
            image.put(c.operations());
            image.putInt(BochsCase.OP_LAUNCH).putInt(c.maxExits()).putLong(c.advanceRipOn());
        }
        image.putInt(BochsCase.OP_END);
        Files.write(disk, image.array());
    }

    /**
     * The assembled hypervisor (l1hv.bin, built from l1hv.asm).
     *
     * @return its 64 sectors
     */
    static byte[] hypervisorImage() {
        try (InputStream in = BochsRunner.class.getResourceAsStream("l1hv.bin")) {
            if (in == null) {
                throw new IllegalStateException("l1hv.bin is missing from dev/vmx/hw/bochs in the vmx-hw jar");
            }
            byte[] bytes = in.readAllBytes();
            if (bytes.length != HYPERVISOR_BYTES) {
                throw new IllegalStateException("l1hv.bin has " + bytes.length + " bytes, expected " + HYPERVISOR_BYTES);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read l1hv.bin: " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless; nothing to report it to
        }
    }

    /** What one case reported so far. */
    static final class CaseState {
        final List<BochsExit> exits = new ArrayList<>();
        final List<BochsWriteFailure> writeFailures = new ArrayList<>();
        final List<String> log = new ArrayList<>();
        boolean vmFail;
        boolean vmFailValid;
        int error;
        int how = -1;
        boolean ended;
        String damage;

        BochsCaseResult toResult(BochsCase c) {
            BochsOutcome outcome = switch (how) {
                case 0 -> BochsOutcome.EXITED;
                case 1 -> BochsOutcome.ENTRY_FAILURE;
                case 2 -> BochsOutcome.VM_FAIL;
                case 3 -> BochsOutcome.WRITE_FAILED;
                default -> BochsOutcome.CRASHED;
            };
            Optional<String> problem = outcome == BochsOutcome.CRASHED ? Optional.of("the hypervisor ended the case with code " + how)
                    : Optional.empty();
            return new BochsCaseResult(c, outcome, exits, vmFailValid, error, writeFailures, log, problem);
        }
    }

    /** Everything one Bochs run reported; fed by the parser's thread under the parser's lock. */
    static final class RunState implements ReportParser.Listener {
        final List<VmcsField> fields;
        final Map<Integer, CaseState> cases = new HashMap<>();
        final Map<Integer, Long> msrs = new HashMap<>();
        final Set<Integer> unreadable = new java.util.TreeSet<>();
        final List<String> bootLog = new ArrayList<>();
        List<String> pendingLines = new ArrayList<>();
        final java.util.ArrayDeque<String> recentLines = new java.util.ArrayDeque<>();
        List<String> stderr = List.of();
        long helloNanos;
        long lastFrameNanos;
        long lastEndNanos;
        boolean bye;
        boolean hung;
        boolean vmxonFailed;
        String failure;
        int lastCase = NO_CASE;

        RunState(List<VmcsField> fields) {
            this.fields = fields;
        }

        VmxCapabilities capabilities() {
            Map<Integer, Long> vmx = new HashMap<>();
            for (VmxMsr msr : VmxMsr.values()) {
                Long value = msrs.get(msr.index());
                if (value != null) {
                    vmx.put(msr.index(), value);
                }
            }
            return VmxCapabilities.fromMsrs(vmx);
        }

        void hang(String why) {
            hung = true;
            if (failure == null) {
                failure = why;
            }
        }

        void crash(String why) {
            if (failure == null) {
                failure = why;
            }
        }

        String failure() {
            return failure == null ? "no failure" : failure;
        }

        String lastWords() {
            List<String> words = new ArrayList<>(recentLines);
            words.addAll(stderr.stream().filter(s -> !s.startsWith("ALSA lib")).toList());
            return words.isEmpty() ? "(none)" : String.join(" | ", words);
        }

        @Override
        public void line(String line) {
            if (recentLines.size() == 5) {
                recentLines.removeFirst();
            }
            recentLines.addLast(line);
            if (helloNanos == 0) {
                bootLog.add(line);
            } else {
                pendingLines.add(line);
            }
        }

        private CaseState caseState(int id) {
            lastCase = id;
            CaseState cs = cases.computeIfAbsent(id, k -> new CaseState());
            if (!pendingLines.isEmpty()) {
                cs.log.addAll(pendingLines);
                pendingLines = new ArrayList<>();
            }
            return cs;
        }

        @Override
        public void frame(int type, ByteBuffer p) {
            lastFrameNanos = System.nanoTime();
            switch (type) {
                case ReportParser.HELLO -> {
                    helloNanos = lastFrameNanos;
                    p.getInt(); // version
                    int n = p.getInt();
                    for (int i = 0; i < n; i++) {
                        int msr = p.getInt();
                        int ok = p.getInt();
                        long value = p.getLong();
                        if (ok != 0) {
                            msrs.put(msr, value);
                        } else {
                            unreadable.add(msr);
                        }
                    }
                }
                case ReportParser.CASE_START -> caseState(p.getInt());
                case ReportParser.WRITE_FAIL -> {
                    CaseState cs = caseState(p.getInt());
                    int encoding = p.getInt();
                    long value = p.getLong();
                    int kind = p.getInt();
                    int error = p.getInt();
                    cs.writeFailures.add(new BochsWriteFailure(encoding, value, kind == 2, error));
                }
                case ReportParser.VMFAIL -> {
                    int id = p.getInt();
                    p.getInt(); // exit index: the number of exits before the failed VMLAUNCH/VMRESUME
                    int kind = p.getInt();
                    int error = p.getInt();
                    if (id == NO_CASE) {
                        vmxonFailed = true;
                        crash("VMXON failed (" + (kind == 2 ? "VMfailValid, error " + error : "VMfailInvalid")
                                + "): does this CPU model have VMX?");
                        return;
                    }
                    CaseState cs = caseState(id);
                    cs.vmFail = true;
                    cs.vmFailValid = kind == 2;
                    cs.error = error;
                }
                case ReportParser.EXIT -> {
                    CaseState cs = caseState(p.getInt());
                    int index = p.getInt();
                    int n = p.getInt();
                    VmcsSnapshot.Builder snapshot = VmcsSnapshot.builder();
                    Set<VmcsField> unsupported = EnumSet.noneOf(VmcsField.class);
                    for (int i = 0; i < n; i++) {
                        boolean ok = p.get() != 0;
                        long value = p.getLong();
                        VmcsField field = i < fields.size() ? fields.get(i) : null;
                        if (field == null) {
                            continue;
                        }
                        if (ok) {
                            snapshot.put(field, value);
                        } else {
                            unsupported.add(field);
                        }
                    }
                    cs.exits.add(new BochsExit(index, snapshot.build(), unsupported));
                }
                case ReportParser.CASE_END -> {
                    CaseState cs = caseState(p.getInt());
                    p.getInt();
                    cs.how = p.getInt();
                    cs.ended = true;
                    lastEndNanos = lastFrameNanos;
                }
                case ReportParser.BYE -> bye = true;
                case ReportParser.FATAL -> crash("exception " + p.getInt() + " in the L1 hypervisor (error code 0x"
                        + Integer.toHexString(p.getInt()) + ", RIP 0x" + Long.toHexString(p.getLong()) + ", CR2 0x"
                        + Long.toHexString(p.getLong()) + ")");
                case ReportParser.STREAM_ERROR -> crash("the hypervisor could not read the case stream (opcode " + p.getInt()
                        + ", LBA " + p.getInt() + ", ATA status 0x" + Integer.toHexString(p.getInt()) + ")");
                default -> crash("unknown report frame type " + type);
            }
        }

        @Override
        public void corrupt(long offset, String why) {
            String what = "damaged report at byte " + offset + " of Bochs' output: " + why;
            crash(what);
            // blamed on the case that reported last (a lost CASE_END leaves it unended: then it is the crashed one)
            CaseState cs = cases.get(lastCase);
            if (cs != null && cs.damage == null) {
                cs.damage = what;
            }
        }
    }
}
