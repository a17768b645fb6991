package dev.vmx.nested;

import dev.vmx.cap.ControlBit;
import java.util.Objects;
import java.util.Optional;

/**
 * Who handles an L2 exit and why: the route, the rule that decided it in words, the control bit
 * that decided it (if one did) and the Intel SDM Vol. 3C section. Section numbers are those of
 * the SDM editions that put "VMX Non-Root Operation" in chapter 25 and "VM Entries" in chapter 26
 * (checked against the Vol. 3C pages mirrored at xem.github.io/minix86, page 25-2); editions from
 * 2023 renumbered the chapters, so search by the title, which is stable. Immutable.
 */
public final class RoutingDecision {
    /** "Instructions That Cause VM Exits Unconditionally". */
    static final String SDM_UNCONDITIONAL = "Vol. 3C 25.1.2 Instructions That Cause VM Exits Unconditionally";
    /** "Instructions That Cause VM Exits Conditionally". */
    static final String SDM_CONDITIONAL = "Vol. 3C 25.1.3 Instructions That Cause VM Exits Conditionally";
    /** "Other Causes of VM Exits". */
    static final String SDM_OTHER = "Vol. 3C 25.2 Other Causes of VM Exits";
    /** "VM Entries": failed entries are reported as exits with bit 31 set. */
    static final String SDM_ENTRY_FAILURE = "Vol. 3C 26.8 VM-Entry Failures During or After Loading Guest State";
    /** Not in the SDM: a decision this library makes. */
    static final String NO_SDM = "none (not defined by the SDM)";

    private final Route route;
    private final String rule;
    private final Optional<ControlBit> control;
    private final String sdmSection;

    RoutingDecision(Route route, String rule, Optional<ControlBit> control, String sdmSection) {
        this.route = Objects.requireNonNull(route);
        this.rule = Objects.requireNonNull(rule);
        this.control = Objects.requireNonNull(control);
        this.sdmSection = Objects.requireNonNull(sdmSection);
    }

    /** @return who handles the exit */
    public Route route() {
        return route;
    }

    /** @return the rule that decided, in words, naming the bitmap address and bit where one decided */
    public String rule() {
        return rule;
    }

    /** @return the VM-execution control bit that decided, if one did */
    public Optional<ControlBit> control() {
        return control;
    }

    /** @return the SDM section that states the rule */
    public String sdmSection() {
        return sdmSection;
    }

    /** @return one sentence: route, rule and section */
    @Override
    public String toString() {
        return route + ": " + rule + " [SDM " + sdmSection + "]";
    }
}
