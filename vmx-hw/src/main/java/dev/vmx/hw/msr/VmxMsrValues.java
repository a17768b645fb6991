package dev.vmx.hw.msr;

import dev.vmx.cap.VmxCapabilities;
import dev.vmx.cap.VmxMsr;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Raw IA32_VMX_* MSR values read from one source (KVM's feature MSRs, or {@code /dev/cpu/N/msr}).
 * Immutable. MSRs the source does not have (e.g. TRUE_* controls when IA32_VMX_BASIC bit 55 is 0)
 * are absent, not zero.
 *
 * @param source where the values came from, e.g. {@code KVM_GET_MSRS on /dev/kvm}
 * @param values MSR to value, unmodifiable
 */
public record VmxMsrValues(String source, Map<VmxMsr, Long> values) {
    /**
     * Copies the values.
     *
     * @param source the source
     * @param values the values
     */
    public VmxMsrValues {
        values = values.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(values));
    }

    /**
     * The values as {@link VmxCapabilities}: allowed-0/allowed-1 settings and checks of proposed
     * controls.
     *
     * @return the capabilities
     * @throws java.util.NoSuchElementException if a required MSR is missing (the message names it)
     */
    public VmxCapabilities toCapabilities() {
        Map<Integer, Long> byIndex = new java.util.TreeMap<>();
        values.forEach((msr, value) -> byIndex.put(msr.index(), value));
        return VmxCapabilities.fromMsrs(byIndex);
    }

    /**
     * One value.
     *
     * @param msr the MSR
     * @return its value, empty if the source does not have it
     */
    public OptionalLong value(VmxMsr msr) {
        Long value = values.get(msr);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }
}
