package dev.vmx.hw.bochs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.cap.VmxCapabilities;
import dev.vmx.cap.VmxMsr;
import dev.vmx.event.VmInstructionError;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import dev.vmx.vmcs.VmcsField;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The batch API: outcomes, bad input, log attribution, crashes and hangs, and no process left behind. */
class BochsRunnerTest {
    private static BochsCase good(VmxCapabilities caps, String name) {
        return BochsGuest.baseline(caps, name).pokeBytes(BochsGuest.CODE, ExitPrograms.CPUID.bytes()).build();
    }

    @Test
    void capabilitiesAreTheMsrsTheEmulatedCpuReports() {
        BochsBatchResult probe = BochsTesting.runner().probe();
        VmxCapabilities caps = probe.capabilities();
        // Skylake-X in Bochs 2.7 (issue 13, read with RDMSR from a boot sector): revision 0x2b, 4 KiB VMCS, TRUE controls
        assertEquals(0x00d810000000002bL, caps.msr(VmxMsr.IA32_VMX_BASIC).getAsLong());
        assertEquals(0x02177fff00000000L, caps.msr(VmxMsr.IA32_VMX_PROCBASED_CTLS2).getAsLong());
        assertEquals(0x00000f0106334141L, caps.msr(VmxMsr.IA32_VMX_EPT_VPID_CAP).getAsLong());
        assertEquals(5, probe.featureControl(), "IA32_FEATURE_CONTROL locked with VMX outside SMX");
        // the model lacks the tertiary controls and the secondary exit controls: RDMSR raised #GP
        assertEquals(java.util.Set.of(0x492, 0x493), probe.unreadableMsrs());
        assertTrue(probe.results().isEmpty());
    }

    @Test
    void everyOutcomeInOneBatchWithTheLogLinesOfEachCase() {
        BochsRunner runner = BochsTesting.runner();
        VmxCapabilities caps = runner.capabilities();
        List<BochsCase> cases = List.of(
                good(caps, "first"),
                // pin-based controls without their must-be-one bits: VMfailValid, error 7
                BochsGuest.baseline(caps, "bad-pin").pokeBytes(BochsGuest.CODE, ExitPrograms.CPUID.bytes())
                        .write(VmcsField.PIN_BASED_VM_EXEC_CONTROL, 0).build(),
                // guest CR0 without PE but with PG: VM-entry failure, exit 33 with bit 31
                BochsGuest.baseline(caps, "bad-guest-cr0").pokeBytes(BochsGuest.CODE, ExitPrograms.CPUID.bytes())
                        .write(VmcsField.GUEST_CR0, 0x80000030L).build(),
                // an encoding the CPU lacks, sent anyway: VMWRITE fails, the case is not launched
                BochsGuest.baseline(caps, "unsupported-field").writeUnchecked(0x9999, 1).build(),
                // rejected before Bochs: an encoding no field has, a value wider than its field
                BochsGuest.baseline(caps, "unknown-encoding").write(0x0c7e, 1).build(),
                BochsGuest.baseline(caps, "too-wide").write(VmcsField.GUEST_CS_SELECTOR, 0x10000).build(),
                good(caps, "last"));
        BochsBatchResult batch = runner.run(cases);
        assertEquals(1, batch.bochsRuns());
        batch.results().forEach(System.out::println);

        assertEquals(BochsOutcome.EXITED, batch.result(0).outcome());
        assertEquals(BasicExitReason.CPUID, batch.result(0).exit(0).reason().basic());
        assertTrue(batch.result(0).failedChecks().isEmpty(), batch.result(0).log().toString());

        BochsCaseResult badPin = batch.result(1);
        assertEquals(BochsOutcome.VM_FAIL, badPin.outcome());
        assertEquals(VmInstructionError.ENTRY_INVALID_CONTROL_FIELD, badPin.vmInstructionError().get());
        assertTrue(badPin.exits().isEmpty());
        assertEquals(List.of("VMFAIL: VMCS EXEC CTRL: VMX pin-based controls allowed 0-settings"), badPin.failedChecks());

        BochsCaseResult badCr0 = batch.result(2);
        assertEquals(BochsOutcome.ENTRY_FAILURE, badCr0.outcome());
        ExitReason reason = badCr0.exit(0).reason();
        assertEquals(BasicExitReason.INVALID_STATE, reason.basic());
        assertTrue(reason.isVmEntryFailure());
        assertFalse(badCr0.failedChecks().isEmpty(), badCr0.log().toString());
        assertTrue(badCr0.failedChecks().get(0).startsWith("VMENTER FAIL"), badCr0.failedChecks().toString());

        BochsCaseResult unsupported = batch.result(3);
        assertEquals(BochsOutcome.WRITE_FAILED, unsupported.outcome());
        assertEquals(VmInstructionError.UNSUPPORTED_VMCS_COMPONENT, unsupported.writeFailures().get(0).error());
        assertEquals(0x9999, unsupported.writeFailures().get(0).encoding());
        BochsCaseException e = assertThrows(BochsCaseException.class, unsupported::orThrow);
        assertEquals("unsupported-field", e.caseName());
        assertTrue(e.getMessage().contains("case 'unsupported-field'") && e.getMessage().contains("0x9999"), e.getMessage());

        BochsCaseResult unknown = batch.result(4);
        assertEquals(BochsOutcome.REJECTED, unknown.outcome());
        assertEquals("case 'unknown-encoding': encoding 0xc7e names no VMCS field (use writeUnchecked to send it to the CPU anyway)",
                unknown.problem().get());
        assertTrue(assertThrows(BochsCaseException.class, unknown::orThrow).getMessage().contains("unknown-encoding"));
        assertEquals("case 'too-wide': value 0x10000 is wider than GUEST_CS_SELECTOR (encoding 0x802, 16 bits)",
                batch.result(5).problem().get());

        // the rest of the batch ran
        assertEquals(BochsOutcome.EXITED, batch.result(6).outcome());
        assertEquals(BasicExitReason.CPUID, batch.result(6).exit(0).reason().basic());
        assertTrue(batch.result(6).failedChecks().isEmpty(), "no neighbour's log lines: " + batch.result(6).log());
        assertTrue(batch.trailingLog().stream().anyMatch(l -> l.contains("Shutdown port: shutdown requested")), batch.trailingLog().toString());
        assertNoBochsLeft();
    }

    @Test
    void aCaseThatCrashesTheHypervisorIsNamedAndTheRestStillRuns() {
        BochsRunner runner = BochsTesting.runner();
        VmxCapabilities caps = runner.capabilities();
        // HOST_RIP 0x100000: the exit lands on the L2's page tables (data, not code): the L1 faults
        BochsCase crash = BochsGuest.baseline(caps, "crashes-l1").pokeBytes(BochsGuest.CODE, ExitPrograms.CPUID.bytes())
                .write(VmcsField.HOST_RIP, 0x100000).build();
        BochsBatchResult batch = runner.run(List.of(good(caps, "before"), crash, good(caps, "after")));
        batch.results().forEach(System.out::println);
        assertEquals(BochsOutcome.EXITED, batch.result(0).outcome());
        BochsCaseResult crashed = batch.result(1);
        assertEquals(BochsOutcome.CRASHED, crashed.outcome());
        BochsCaseException e = assertThrows(BochsCaseException.class, crashed::orThrow);
        assertTrue(e.getMessage().startsWith("case 'crashes-l1': CRASHED: "), e.getMessage());
        assertEquals(BochsOutcome.EXITED, batch.result(2).outcome(), "a fresh Bochs ran the case after the crash");
        assertEquals(2, batch.bochsRuns());
        assertNoBochsLeft();
    }

    @Test
    void aCaseThatHangsIsKilledWithItsTreeAndTheRestStillRuns() {
        BochsRunner quick = BochsRunner.create(BochsTesting.runner().config().withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(3)));
        VmxCapabilities caps = quick.capabilities();
        // the L2 spins on jmp $ with nothing that exits: Bochs runs on and on, silent
        BochsCase spin = BochsGuest.baseline(caps, "spins").pokeBytes(BochsGuest.CODE, ExitPrograms.SPIN.bytes()).build();
        long start = System.nanoTime();
        BochsBatchResult batch = quick.run(List.of(spin, good(caps, "after-hang")));
        batch.results().forEach(System.out::println);
        BochsCaseResult hung = batch.result(0);
        assertEquals(BochsOutcome.HUNG, hung.outcome());
        assertTrue(hung.problem().get().contains("stall timeout"), hung.problem().get());
        assertEquals(BochsOutcome.EXITED, batch.result(1).outcome());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(50).toNanos(), "bounded by the stall timeout");
        assertNoBochsLeft();
    }

    @Test
    void tooManyCrashesLeaveTheRestNotRun() {
        BochsRunner once = BochsRunner.create(BochsTesting.runner().config().withMaxRestarts(0));
        VmxCapabilities caps = once.capabilities();
        BochsCase crash = BochsGuest.baseline(caps, "crash").pokeBytes(BochsGuest.CODE, ExitPrograms.CPUID.bytes())
                .write(VmcsField.HOST_RIP, 0x100000).build();
        BochsBatchResult batch = once.run(List.of(crash, good(caps, "never")));
        assertEquals(BochsOutcome.CRASHED, batch.result(0).outcome());
        assertEquals(BochsOutcome.NOT_RUN, batch.result(1).outcome());
        assertEquals("not run: Bochs crashed or hung 1 times in this batch (maxRestarts 0)", batch.result(1).problem().get());
        assertNoBochsLeft();
    }

    @Test
    void badReportFieldsAreRefused() {
        BochsRunner runner = BochsTesting.runner();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> runner.run(List.of(), List.of(VmcsField.EPT_POINTER_HIGH)));
        assertEquals("report field EPT_POINTER_HIGH is a HIGH half; report its FULL field EPT_POINTER instead", e.getMessage());
    }

    @Test
    void aCpuModelWithoutVmxSaysSo() {
        // Bochs' "pentium" model has no VMX: VMXON raises #UD in the hypervisor, which reports it and stops
        BochsRunner pentium = BochsRunner.create(BochsTesting.runner().config().withCpuModel("pentium"));
        IllegalStateException e = assertThrows(IllegalStateException.class, pentium::capabilities);
        assertTrue(e.getMessage().contains("cpu model pentium") && e.getMessage().contains("did not start the hypervisor"), e.getMessage());
        assertNoBochsLeft();
    }

    /** No Bochs started by this JVM is alive (other processes' Bochs, e.g. a parallel build, are not ours). */
    static void assertNoBochsLeft() {
        List<String> left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).filter(s -> s.contains("bochs")).toList();
        assertEquals(List.of(), left, "Bochs processes left behind");
    }
}
