package dev.vmx.nested;

import dev.vmx.event.ExceptionVector;
import dev.vmx.exit.BasicExitReason;
import java.util.EnumSet;
import java.util.Set;

/**
 * What L0 handles itself whatever L1 asked for: some exceptions (e.g. #MC, or #NM while it owns
 * the FPU), external interrupts when L0 owns the physical interrupts, EPT violations and
 * misconfigurations when L0's EPT backs L2. Immutable.
 */
public final class L0Intercepts {
    private final Set<ExceptionVector> exceptions;
    private final boolean externalInterrupts;
    private final boolean eptViolations;
    private final Set<BasicExitReason> exitReasons;

    private L0Intercepts(Set<ExceptionVector> exceptions, boolean externalInterrupts, boolean eptViolations) {
        this(exceptions, externalInterrupts, eptViolations, Set.of());
    }

    private L0Intercepts(Set<ExceptionVector> exceptions, boolean externalInterrupts, boolean eptViolations,
            Set<BasicExitReason> exitReasons) {
        this.exitReasons = Set.copyOf(exitReasons);
        this.exceptions = Set.copyOf(exceptions);
        this.externalInterrupts = externalInterrupts;
        this.eptViolations = eptViolations;
    }

    /**
     * The configuration KVM uses by default: L0 takes #MC, external interrupts and EPT
     * violations/misconfigurations (it backs L2 with its own EPT).
     *
     * @return the default intercepts
     */
    public static L0Intercepts kvmDefault() {
        return new L0Intercepts(EnumSet.of(ExceptionVector.MC), true, true);
    }

    /**
     * What KVM 6.1's {@code nested_vmx_l0_wants_exit()} keeps whatever vmcs12 says: external
     * interrupts, EPT violations and misconfigurations, and the basic reasons
     * MCE_DURING_VMENTRY, PREEMPTION_TIMER (L0 emulates L1's timer), PML_FULL (L0 emulates PML),
     * VMFUNC (emulated) and BUS_LOCK (not exposed to L1); plus NMIs and #MC.
     *
     * @return KVM 6.1's L0 intercepts
     */
    public static L0Intercepts kvm61() {
        return new L0Intercepts(EnumSet.of(ExceptionVector.MC, ExceptionVector.NMI), true, true,
                EnumSet.of(BasicExitReason.MCE_DURING_VMENTRY, BasicExitReason.PREEMPTION_TIMER,
                        BasicExitReason.PML_FULL, BasicExitReason.VMFUNC, BasicExitReason.BUS_LOCK));
    }

    /**
     * A copy that also keeps every exit with one of these basic reasons in L0.
     *
     * @param reasons basic exit reasons L0 always keeps
     * @return the new intercepts
     */
    public L0Intercepts withExitReasons(Set<BasicExitReason> reasons) {
        Set<BasicExitReason> all = EnumSet.noneOf(BasicExitReason.class);
        all.addAll(exitReasons);
        all.addAll(reasons);
        return new L0Intercepts(exceptions, externalInterrupts, eptViolations, all);
    }

    /** @return basic exit reasons L0 always keeps */
    public Set<BasicExitReason> exitReasons() {
        return exitReasons;
    }

    /**
     * An explicit configuration.
     *
     * @param exceptions exceptions L0 always takes
     * @param externalInterrupts whether L0 takes external interrupts
     * @param eptViolations whether L0 takes EPT violations and misconfigurations
     * @return the intercepts
     */
    public static L0Intercepts of(Set<ExceptionVector> exceptions, boolean externalInterrupts, boolean eptViolations) {
        return new L0Intercepts(exceptions, externalInterrupts, eptViolations);
    }

    /** @return exceptions L0 always takes */
    public Set<ExceptionVector> exceptions() {
        return exceptions;
    }

    /** @return whether L0 takes external interrupts */
    public boolean externalInterrupts() {
        return externalInterrupts;
    }

    /** @return whether L0 takes EPT violations and misconfigurations */
    public boolean eptViolations() {
        return eptViolations;
    }
}
