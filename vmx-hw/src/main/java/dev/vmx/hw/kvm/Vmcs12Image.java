package dev.vmx.hw.kvm;

import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
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
     * Copies the values, keeping their order.
     *
     * @param shadow the shadow-VMCS indicator
     * @param abortIndicator the VMX-abort indicator
     * @param launchState the launch state
     * @param values the values, copied
     */
    public Vmcs12Image {
        values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
    }

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

    /**
     * The fields as a {@link VmcsSnapshot} keyed by {@link VmcsField}: every vmcs12 field under the
     * catalog field of the same Linux name (64-bit fields whole; their {@code _HIGH} entries are the
     * same bits). Fields a VMCS has but vmcs12 does not are absent, not zero.
     *
     * @return the snapshot
     * @throws IllegalStateException if a vmcs12 field has no catalog field (a layout newer than the catalog)
     */
    public VmcsSnapshot toSnapshot() {
        VmcsSnapshot.Builder builder = VmcsSnapshot.builder();
        for (Map.Entry<String, Long> value : values.entrySet()) {
            VmcsField field = VmcsField.fromName(value.getKey()).orElseThrow(() -> new IllegalStateException(
                    "vmcs12 field " + value.getKey() + " has no VmcsField"));
            if (!field.isHighHalf()) {
                builder.put(field, value.getValue());
            }
        }
        return builder.build();
    }
}
