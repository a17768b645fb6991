package dev.vmx.hw.bochs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.cap.VmxCapabilities;
import dev.vmx.exit.BasicExitReason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The display set-up works the way CI runs: no controlling terminal (setsid), standard input and
 * output redirected, no TERM inherited, several Bochs at once.
 */
class BochsHeadlessTest {
    @Test
    void runsInItsOwnSessionWithoutAnInheritedTerm() {
        var setsid = BochsInstallation.onPath("setsid");
        org.junit.jupiter.api.Assumptions.assumeTrue(setsid.isPresent(), "no setsid (util-linux)");
        BochsRunner base = BochsTesting.runner();
        // the environment the JVM gives Bochs loses TERM and DISPLAY before BochsProcess sets its own TERM
        BochsRunner ci = BochsRunner.create(base.config(), new BochsProcess.Launch(List.of(setsid.get().toString(), "-w"), env -> { }));
        Map<String, String> env = new HashMap<>(Map.of("PATH", "/usr/bin", "TERM", "xterm", "DISPLAY", ":0"));
        BochsProcess.environment(env);
        assertEquals("vt100", env.get("TERM"));
        assertFalse(env.containsKey("DISPLAY"));
        VmxCapabilities caps = base.capabilities();
        BochsCase c = BochsGuest.baseline(caps, "setsid").pokeBytes(BochsGuest.CODE, ExitPrograms.CPUID.bytes()).build();
        assertEquals(BasicExitReason.CPUID, ci.run(List.of(c)).result(0).orThrow().exit(0).reason().basic());
        BochsRunnerTest.assertNoBochsLeft();
    }

    @Test
    void withoutTermNcursesStopsBochs() {
        // why BochsProcess sets TERM: with none, the term display's ncurses gives up ("Error opening terminal: unknown")
        BochsRunner noTerm = BochsRunner.create(BochsTesting.runner().config(),
                new BochsProcess.Launch(List.of(), env -> env.remove("TERM")));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> noTerm.run(List.of()));
        assertTrue(e.getMessage().contains("Error opening terminal"), e.getMessage());
        BochsRunnerTest.assertNoBochsLeft();
    }

    @Test
    void severalBochsAtOnce() throws Exception {
        BochsRunner runner = BochsTesting.runner();
        VmxCapabilities caps = runner.capabilities();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<BochsBatchResult>> futures = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                BochsCase c = BochsGuest.baseline(caps, "parallel-" + i).pokeBytes(BochsGuest.CODE, ExitPrograms.VMCALL.bytes()).build();
                futures.add(pool.submit(() -> runner.run(List.of(c))));
            }
            for (Future<BochsBatchResult> f : futures) {
                assertEquals(BasicExitReason.VMCALL, f.get().result(0).orThrow().exit(0).reason().basic());
            }
        } finally {
            pool.shutdownNow();
        }
        BochsRunnerTest.assertNoBochsLeft();
    }

    @Test
    void bochsDiesWithTheThreadThatStartedItEvenUnderSigkill() throws Exception {
        List<String> prefix = BochsProcess.deathSignalPrefix();
        org.junit.jupiter.api.Assumptions.assumeFalse(prefix.isEmpty(), "no setpriv (util-linux)");
        // the mechanism the prefix relies on: a parent killed with SIGKILL takes the child with it
        Process parent = new ProcessBuilder("sh", "-c", String.join(" ", prefix) + " sleep 60 & echo $!; wait").start();
        long child = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(parent.getInputStream())).readLine().trim());
        assertTrue(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "sleep runs");
        parent.destroyForcibly(); // SIGKILL: no shell trap, no hook
        parent.waitFor();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the child died with its parent");
    }
}
