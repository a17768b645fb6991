package dev.vmx.hw.bochs;

import dev.vmx.cap.VmxCapabilities;
import dev.vmx.entry.CheckOutcome;
import dev.vmx.entry.CheckStatus;
import dev.vmx.entry.EntryCheckReport;
import dev.vmx.entry.EntryChecker;
import dev.vmx.entry.EntryStateGenerator;
import dev.vmx.entry.GeneratedVmcs;
import dev.vmx.vmcs.FieldType;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The differential run of VM-entry checks: generated VMCS states ({@link EntryStateGenerator}) through
 * Bochs' emulated VMX CPU and through {@link EntryChecker}, each outcome reduced to its class (entered;
 * VMfail with its VM-instruction error; entry-failure exit with its basic reason and qualification).
 */
final class EntryDifferential {
    /** Where the states' pages lie: above {@link BochsGuest}'s pages, inside the default 64 MiB. */
    static final long PAGE_BASE = 0x30_0000;
    /** Bochs 2.7's MAXPHYADDR on corei7_skylake_x: CPUID.80000008H:EAX = 0x3028. */
    static final int PHYSICAL_ADDRESS_WIDTH = 40;

    /** One state, both outcomes. */
    record Row(GeneratedVmcs state, String bochs, String ours, Optional<String> firstFailedRule, List<String> bochsDiagnostics,
            BochsOutcome bochsOutcome, EntryCheckReport report, Optional<String> bochsProblem) {
        /** Whether both sides gave an outcome to compare (EntryChecker judged it, Bochs ran it). */
        boolean compared() {
            return !ours.equals("not judged") && (bochsOutcome == BochsOutcome.EXITED || bochsOutcome == BochsOutcome.VM_FAIL
                    || bochsOutcome == BochsOutcome.ENTRY_FAILURE);
        }

        boolean agrees() {
            return bochs.equals(ours);
        }

        /** The key a deviation row matches: our first failed rule (or "-"), our class, Bochs' first diagnostic (or "-"), Bochs' class. */
        String key() {
            return firstFailedRule.orElse("-") + "\t" + ours + "\t" + bochsDiagnostics.stream().findFirst().map(EntryDifferential::normalize)
                    .orElse("-") + "\t" + bochs;
        }
    }

    /** What a run gave: the compared rows, and the states not sent to Bochs with why. */
    record Result(List<Row> rows, Map<String, List<GeneratedVmcs>> notRun, long nanos, int bochsRuns, Set<VmcsField> unsupported,
            VmxCapabilities caps) {
    }

    /** Why a state is not sent to Bochs, or null: Bochs 2.7 panics on it, or it never exits by architecture. */
    static String notRunReason(GeneratedVmcs state, EntryCheckReport ours, VmxCapabilities caps) {
        long info = state.vmcs().find(VmcsField.VM_ENTRY_INTR_INFO_FIELD).orElse(0);
        boolean valid = (info & 0x8000_0000L) != 0;
        if (valid && ((info >>> 8) & 7) == 7
                && !caps.allowed(dev.vmx.cap.ControlField.PRIMARY_PROCESSOR_BASED).canBeOne(dev.vmx.cap.PrimaryProcessorBasedControl.MONITOR_TRAP_FLAG)) {
            return "injects type 7 (other event) on a CPU without monitor trap flag: Bochs 2.7 passes the entry checks, then"
                    + " panics in VMenterInjectEvents ('VMENTER: unsupported event injection type 7')";
        }
        if (!valid && state.vmcs().find(VmcsField.GUEST_ACTIVITY_STATE).orElse(0) == 3 && ourClass(ours).equals("entered")) {
            return "enters the wait-for-SIPI state, which no VM exit leaves (the VMX-preemption timer does not cause one there,"
                    + " SDM Vol. 3C 25.5.1), so the case would hang";
        }
        return null;
    }

    private EntryDifferential() {
    }

    /** A Bochs diagnostic with its numbers replaced by N, so that messages that differ only in values compare equal. */
    static String normalize(String diagnostic) {
        return diagnostic.replaceAll("0x[0-9a-fA-F]+", "N").replaceAll("\\b\\d+\\b", "N").trim();
    }

    /** The host state the hypervisor writes, and the fields the emulated CPU lacks: one probe case. */
    static BochsExit probe(BochsRunner runner) {
        BochsCase probe = BochsGuest.baseline(runner.capabilities(), "probe").pokeBytes(BochsGuest.CODE, new byte[] {(byte) 0xF4}).maxExits(1).build();
        BochsBatchResult result = runner.run(List.of(probe), BochsRunner.allFields());
        return result.result(0).orThrow().exit(0);
    }

    static Result run(BochsRunner runner, long seed, int total, int batches) throws Exception {
        VmxCapabilities caps = runner.capabilities();
        BochsExit probe = probe(runner);
        Set<VmcsField> unsupported = EnumSet.noneOf(VmcsField.class);
        unsupported.addAll(probe.unsupported());
        VmcsSnapshot host = probe.vmcs();
        EntryStateGenerator generator = EntryStateGenerator.builder(caps).hostState(host).pageBase(PAGE_BASE)
                .writable(field -> !unsupported.contains(field.fullField())).build();
        // l1hv runs in long mode (IA32_EFER.LMA 1): SDM 26.2.4 then requires "host address-space size" 1
        EntryChecker checker = EntryChecker.create().withCapabilities(caps).withPhysicalAddressWidth(PHYSICAL_ADDRESS_WIDTH)
                .withProcessorInIa32eMode(true).withCpuFeatures(false, false); // Bochs 2.7 implements neither RTM nor SGX
        List<GeneratedVmcs> states = new ArrayList<>();
        List<EntryCheckReport> reports = new ArrayList<>();
        Map<String, List<GeneratedVmcs>> notRun = new java.util.TreeMap<>();
        for (GeneratedVmcs state : generator.generate(seed, total)) {
            EntryCheckReport report = checker.withMemory(state.guestMemory()).check(state.vmcs());
            String reason = notRunReason(state, report, caps);
            if (reason != null) {
                notRun.computeIfAbsent(reason, r -> new ArrayList<>()).add(state);
                continue;
            }
            states.add(state);
            reports.add(report);
        }
        List<BochsCase> cases = new ArrayList<>(states.size());
        for (GeneratedVmcs state : states) {
            cases.add(toCase(state, host));
        }
        long start = System.nanoTime();
        List<BochsCaseResult> results = new ArrayList<>(states.size());
        int runs = 0;
        ExecutorService pool = Executors.newFixedThreadPool(batches);
        try {
            List<Future<BochsBatchResult>> parts = new ArrayList<>();
            int size = (cases.size() + batches - 1) / batches;
            for (int from = 0; from < cases.size(); from += size) {
                List<BochsCase> part = cases.subList(from, Math.min(cases.size(), from + size));
                parts.add(pool.submit(() -> runner.run(part, List.of(VmcsField.VM_EXIT_REASON, VmcsField.EXIT_QUALIFICATION))));
            }
            for (Future<BochsBatchResult> part : parts) {
                BochsBatchResult batch = part.get();
                results.addAll(batch.results());
                runs += batch.bochsRuns();
            }
        } finally {
            pool.shutdownNow();
        }
        long nanos = System.nanoTime() - start;
        List<Row> rows = new ArrayList<>(states.size());
        for (int i = 0; i < states.size(); i++) {
            GeneratedVmcs state = states.get(i);
            EntryCheckReport report = reports.get(i);
            BochsCaseResult result = results.get(i);
            rows.add(new Row(state, bochsClass(result), ourClass(report), firstFailed(report), diagnostics(result), result.outcome(), report, result.problem()));
        }
        return new Result(rows, notRun, nanos, runs, unsupported, caps);
    }

    /** The case: zero and fill the pages the state relies on, then VMWRITE every field but the host fields the hypervisor already wrote. */
    static BochsCase toCase(GeneratedVmcs state, VmcsSnapshot host) {
        BochsCase.Builder b = BochsCase.builder(state.label()).maxExits(1);
        Set<Long> pages = new TreeSet<>();
        state.memory().keySet().forEach(address -> pages.add(address & ~0xFFFL));
        for (long page : pages) {
            b.fill(page, 512, 0, 0);
        }
        state.memory().forEach(b::poke);
        for (VmcsField field : state.vmcs().fields()) {
            long value = state.vmcs().read(field);
            if (field.type() == FieldType.HOST_STATE && host.find(field).isPresent() && host.read(field) == value) {
                continue;
            }
            b.write(field, value);
        }
        return b.build();
    }

    /** Bochs' lines naming a failed entry check: VMFAIL, VMENTER FAIL, and the MSR-load failures of LoadMSRs. */
    static List<String> diagnostics(BochsCaseResult result) {
        List<String> out = new ArrayList<>();
        for (String line : result.log()) {
            if (line.contains("VMFAIL") || line.contains("VMENTER FAIL") || line.contains("VMX LoadMSRs")) {
                int bracket = line.indexOf("] ");
                out.add(bracket >= 0 && bracket < 40 ? line.substring(bracket + 2) : line);
            }
        }
        return out;
    }

    static String bochsClass(BochsCaseResult result) {
        switch (result.outcome()) {
            case EXITED:
                return "entered";
            case VM_FAIL:
                return result.vmFailValid() ? "VMfail " + result.vmInstructionErrorNumber() : "VMfailInvalid";
            case ENTRY_FAILURE: {
                BochsExit exit = result.exits().get(result.exits().size() - 1);
                return String.format(Locale.ROOT, "exit %d qual %d", exit.reason().basicNumber(), exit.qualification());
            }
            default:
                return result.outcome().toString();
        }
    }

    static String ourClass(EntryCheckReport report) {
        if (report.vmInstructionError().isPresent()) {
            return "VMfail " + report.vmInstructionError().get().number();
        }
        if (report.exitReason().isPresent()) {
            return String.format(Locale.ROOT, "exit %d qual %d", report.exitReason().get().basicNumber(), report.exitQualification().getAsLong());
        }
        return report.notJudged().isEmpty() ? "entered" : "not judged";
    }

    static Optional<String> firstFailed(EntryCheckReport report) {
        if (report.failedPhase().isEmpty()) {
            return Optional.empty();
        }
        return report.failures().stream().filter(o -> o.check().phase() == report.failedPhase().get()).findFirst()
                .map(CheckOutcome::check).map(Enum::name);
    }

    static boolean judged(Row row) {
        return !row.ours().equals("not judged");
    }

    static Map<CheckStatus, Long> unused() {
        return Map.of();
    }
}
