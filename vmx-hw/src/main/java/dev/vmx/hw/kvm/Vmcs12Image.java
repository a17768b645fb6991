package dev.vmx.hw.kvm;

import java.util.Map;
import java.util.OptionalLong;

/**
 * A decoded vmcs12 image: the header bits and every field's value, by Linux field name.
 *
 * @param shadow bit 31 of the header: the image is a shadow VMCS
 * @param abortIndicator the VMX-abort indicator (0 unless a VMX abort happened)
 * @param launchState KVM's {@code launch_state}: 0 clear, 1 launched
 * @param values Linux field name to value, in layout order (unmodifiable)
 */
public record Vmcs12Image(boolean shadow, int abortIndicator, int launchState, Map<String, Long> values) {
    /**
     * One field's value.
     *
     * @param linuxName e.g. {@code VM_EXIT_REASON}
     * @return the value, empty if vmcs12 holds no such field
     */
    public OptionalLong value(String linuxName) {
        Long value = values.get(linuxName);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }
}
