package dev.vmx.nested;

import dev.vmx.event.ExceptionVector;
import dev.vmx.exit.BasicExitReason;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What the outer hypervisor (L0) handles itself, before L1's controls are consulted: a policy of
 * L0, not an SDM rule. {@link #kvm()} is what Linux KVM's {@code nested_vmx_l0_wants_exit()}
 * (arch/x86/kvm/vmx/nested.c, 6.1) takes for a guest with EPT and no host debugging.
 */
public final class L0Intercepts {
    private final Set<BasicExitReason> reasons;
    private final Set<ExceptionVector> exceptions;
    private final boolean nmis;

    private L0Intercepts(Set<BasicExitReason> reasons, Set<ExceptionVector> exceptions, boolean nmis) {
        this.reasons = Collections.unmodifiableSet(reasons.isEmpty() ? EnumSet.noneOf(BasicExitReason.class) : EnumSet.copyOf(reasons));
        this.exceptions = Collections.unmodifiableSet(exceptions.isEmpty() ? EnumSet.noneOf(ExceptionVector.class) : EnumSet.copyOf(exceptions));
        this.nmis = nmis;
    }

    /**
     * L0 takes nothing: every decision is L1's controls.
     *
     * @return the empty policy
     */
    public static L0Intercepts none() {
        return new L0Intercepts(Set.of(), Set.of(), false);
    }

    /**
     * KVM's policy: NMIs, external interrupts, machine checks during VM entry, EPT violations and
     * misconfigurations, the preemption timer, PML-full, VMFUNC and bus locks (all emulated or
     * owned by L0); #PF only with shadow paging or async page faults, which this policy leaves out.
     *
     * @return the policy
     */
    public static L0Intercepts kvm() {
        return new L0Intercepts(EnumSet.of(BasicExitReason.EXTERNAL_INTERRUPT, BasicExitReason.MCE_DURING_VMENTRY,
                BasicExitReason.EPT_VIOLATION, BasicExitReason.EPT_MISCONFIG, BasicExitReason.PREEMPTION_TIMER,
                BasicExitReason.PML_FULL, BasicExitReason.VMFUNC, BasicExitReason.BUS_LOCK), Set.of(), true);
    }

    /**
     * A policy.
     *
     * @param reasons basic exit reasons L0 always handles
     * @param exceptions exception vectors L0 always handles (EXCEPTION_NMI exits)
     * @param nmis whether L0 handles NMIs (EXCEPTION_NMI exits of type NMI)
     * @return the policy
     */
    public static L0Intercepts of(Set<BasicExitReason> reasons, Set<ExceptionVector> exceptions, boolean nmis) {
        return new L0Intercepts(Objects.requireNonNull(reasons, "reasons"), Objects.requireNonNull(exceptions, "exceptions"), nmis);
    }

    /**
     * Basic exit reasons L0 always handles.
     *
     * @return an unmodifiable set
     */
    public Set<BasicExitReason> reasons() {
        return reasons;
    }

    /**
     * Exception vectors L0 always handles.
     *
     * @return an unmodifiable set
     */
    public Set<ExceptionVector> exceptions() {
        return exceptions;
    }

    /**
     * Whether L0 handles NMIs.
     *
     * @return true if it does
     */
    public boolean nmis() {
        return nmis;
    }

    @Override
    public String toString() {
        return "L0Intercepts[reasons=" + reasons + ", exceptions=" + exceptions + ", nmis=" + nmis + "]";
    }
}
