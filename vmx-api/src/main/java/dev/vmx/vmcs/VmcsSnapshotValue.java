package dev.vmx.vmcs;

import java.util.Map;
import org.immutables.value.Value;

/**
 * The Immutables definition of {@link VmcsSnapshot}, kept package-private so that the public type
 * has no annotation from a compile-only dependency (a consumer's javac would warn about each).
 * Generates {@code ImmutableVmcsSnapshot}.
 */
@Value.Immutable(builder = false, copy = false, prehash = true)
@Value.Style(visibility = Value.Style.ImplementationVisibility.PACKAGE, allParameters = true,
        jdkOnly = true, defaultAsDefault = false, typeAbstract = "*Value", typeImmutable = "Immutable*")
abstract class VmcsSnapshotValue extends VmcsSnapshot {
    @Override
    abstract Map<VmcsField, Long> values();

    /** The text format of {@link VmcsText}, as {@link VmcsSnapshot#toString()} writes it. */
    @Override
    public String toString() {
        return super.toString();
    }

    /** Rejects what the builder can never produce, so no other path builds an invalid value. */
    @Value.Check
    void check() {
        for (Map.Entry<VmcsField, Long> entry : values().entrySet()) {
            VmcsField field = entry.getKey();
            if (field.isHighHalf()) {
                throw new IllegalArgumentException(field + " is a HIGH half; snapshots hold FULL fields");
            }
            checkFits(field, entry.getValue());
        }
    }
}
