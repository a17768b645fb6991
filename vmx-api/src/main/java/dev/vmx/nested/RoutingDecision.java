package dev.vmx.nested;

import dev.vmx.cap.ControlBit;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where an L2 exit goes and why: the {@link Route}, a sentence naming what decided it, the control
 * bit or bitmap bit involved (if any) and the SDM section that states the rule. Immutable.
 */
public final class RoutingDecision {
    private final Route route;
    private final String reason;
    private final Optional<SdmSection> section;
    private final Optional<ControlBit> control;
    private final OptionalLong bitmapByteAddress;
    private final OptionalLong bitmapBit;

    private RoutingDecision(Route route, String reason, Optional<SdmSection> section, Optional<ControlBit> control,
            OptionalLong bitmapByteAddress, OptionalLong bitmapBit) {
        this.route = route;
        this.reason = reason;
        this.section = section;
        this.control = control;
        this.bitmapByteAddress = bitmapByteAddress;
        this.bitmapBit = bitmapBit;
    }

    static RoutingDecision of(Route route, SdmSection section, String reason) {
        return new RoutingDecision(route, reason, Optional.ofNullable(section), Optional.empty(),
                OptionalLong.empty(), OptionalLong.empty());
    }

    static RoutingDecision control(Route route, SdmSection section, ControlBit control, String reason) {
        return new RoutingDecision(route, reason, Optional.of(section), Optional.of(Objects.requireNonNull(control)),
                OptionalLong.empty(), OptionalLong.empty());
    }

    static RoutingDecision bitmap(Route route, SdmSection section, long byteAddress, int bitInByte, String reason) {
        return new RoutingDecision(route, reason, Optional.of(section), Optional.empty(), OptionalLong.of(byteAddress),
                OptionalLong.of(bitInByte));
    }

    /**
     * The route.
     *
     * @return VM_FAIL, L0_WANTS or L1_WANTS
     */
    public Route route() {
        return route;
    }

    /**
     * What decided it, e.g. "bit 0x3f8 of I/O bitmap A (byte 0x1007f, bit 0) is 1".
     *
     * @return the sentence
     */
    public String reason() {
        return reason;
    }

    /**
     * The SDM section that states the rule; empty for L0's own policy.
     *
     * @return the section
     */
    public Optional<SdmSection> section() {
        return section;
    }

    /**
     * The VM-execution control bit that decided it, if one did.
     *
     * @return the control bit
     */
    public Optional<ControlBit> control() {
        return control;
    }

    /**
     * The L1 guest-physical address of the bitmap byte that decided it, if a bitmap did.
     *
     * @return the byte's address
     */
    public OptionalLong bitmapByteAddress() {
        return bitmapByteAddress;
    }

    /**
     * The bit within {@link #bitmapByteAddress()}, 0..7, if a bitmap decided it.
     *
     * @return the bit
     */
    public OptionalLong bitmapBit() {
        return bitmapBit;
    }

    /** E.g. {@code L1_WANTS: HLT exiting is 1 [SDM 25.1.3 "Instructions That Cause VM Exits Conditionally"]}. */
    @Override
    public String toString() {
        return route + ": " + reason + section.map(s -> " [" + s + "]").orElse("");
    }
}
