package dev.vmx.vmcs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * An immutable copy of a VMCS: the values of the FULL fields present, buildable by hand with
 * {@link #builder()}, comparable with {@link #diff(VmcsSnapshot)}. Value-equal over its fields.
 *
 * <p>A value wider than its field is rejected (a 16-bit field given 0x1_0000 throws, naming field
 * and value); natural width holds 64 bits. Writing a HIGH field sets the upper 32 bits of its FULL
 * field; reading it returns them. Thread-safe: immutable.
 *
 * <p>Hand-written rather than generated with Immutables: the builder validates widths and merges
 * HIGH halves into their FULL field, which a generated builder would need the same code for.
 */
public final class VmcsSnapshot implements Vmcs {
    private final Map<VmcsField, Long> values;

    private VmcsSnapshot(Map<VmcsField, Long> values) {
        this.values = Collections.unmodifiableMap(new EnumMap<>(values));
    }

    /**
     * An empty builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A snapshot of any VMCS.
     *
     * @param vmcs the VMCS to copy
     * @return the copy; {@code vmcs} itself if it already is a snapshot
     */
    public static VmcsSnapshot copyOf(Vmcs vmcs) {
        if (vmcs instanceof VmcsSnapshot) {
            return (VmcsSnapshot) vmcs;
        }
        return builder().putAll(vmcs).build();
    }

    @Override
    public OptionalLong find(VmcsField field) {
        Long value = values.get(field.fullField());
        if (value == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(field.isHighHalf() ? value >>> 32 : value);
    }

    @Override
    public Set<VmcsField> fields() {
        return values.keySet();
    }

    /**
     * The fields that differ from {@code other}, in encoding order.
     *
     * @param other the later snapshot
     * @return one change per field whose value differs or that only one snapshot has
     */
    public List<FieldChange> diff(VmcsSnapshot other) {
        List<FieldChange> changes = new ArrayList<>();
        for (VmcsField field : VmcsField.values()) {
            if (field.isHighHalf()) {
                continue;
            }
            Long before = values.get(field);
            Long after = other.values.get(field);
            if (before == null ? after != null : !before.equals(after)) {
                changes.add(new FieldChange(field, optional(before), optional(after)));
            }
        }
        return changes;
    }

    private static OptionalLong optional(Long value) {
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /**
     * A builder starting from this snapshot's values.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        return builder().putAll(this);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof VmcsSnapshot && ((VmcsSnapshot) other).values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    /** The fields in the text format of {@link VmcsText}. */
    @Override
    public String toString() {
        return VmcsText.format(this);
    }

    /** Builds a {@link VmcsSnapshot}; not thread-safe. */
    public static final class Builder {
        private final Map<VmcsField, Long> values = new EnumMap<>(VmcsField.class);

        private Builder() {
        }

        /**
         * Sets a field.
         *
         * @param field the field; a HIGH field sets the upper 32 bits of its FULL field
         * @param value the value
         * @return this builder
         * @throws IllegalArgumentException naming field and value when the value is wider than the field
         */
        public Builder put(VmcsField field, long value) {
            if (field.valueBits() < 64 && (value >>> field.valueBits()) != 0) {
                throw new IllegalArgumentException(String.format("value 0x%x does not fit %s, a %d-bit field",
                        value, field, field.valueBits()));
            }
            if (field.isHighHalf()) {
                VmcsField full = field.fullField();
                long low = values.getOrDefault(full, 0L) & 0xFFFF_FFFFL;
                values.put(full, (value << 32) | low);
            } else {
                values.put(field, value);
            }
            return this;
        }

        /**
         * Copies every field of a VMCS.
         *
         * @param vmcs the source
         * @return this builder
         */
        public Builder putAll(Vmcs vmcs) {
            for (VmcsField field : vmcs.fields()) {
                put(field, vmcs.read(field));
            }
            return this;
        }

        /**
         * Removes a field.
         *
         * @param field the field (a HIGH field removes its FULL field)
         * @return this builder
         */
        public Builder remove(VmcsField field) {
            values.remove(field.fullField());
            return this;
        }

        /**
         * The snapshot.
         *
         * @return an immutable snapshot of the fields set so far
         */
        public VmcsSnapshot build() {
            return new VmcsSnapshot(values);
        }
    }
}
