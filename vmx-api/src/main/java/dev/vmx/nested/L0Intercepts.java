package dev.vmx.nested;

import dev.vmx.event.ExceptionVector;
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

    private L0Intercepts(Set<ExceptionVector> exceptions, boolean externalInterrupts, boolean eptViolations) {
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
