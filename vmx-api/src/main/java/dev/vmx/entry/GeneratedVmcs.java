package dev.vmx.entry;

import dev.vmx.entry.ValidVmcs.GuestKind;
import dev.vmx.nested.GuestMemory;
import dev.vmx.vmcs.FieldChange;
import dev.vmx.vmcs.VmcsSnapshot;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One VMCS state made by {@link EntryStateGenerator}: the VMCS, the memory it relies on, and a
 * label saying what was changed from which valid base state.
 *
 * <p>Memory: a driver zeroes every 4-KByte page that {@link #memory()} names, then makes its 8-byte
 * stores (e.g. the header of the VMCS the link pointer names), before VM entry; the state relies on
 * nothing else in memory.
 *
 * @param label what was mutated, e.g. {@code IA32E_64BIT GUEST_RFLAGS_RESERVED: RFLAGS bit 3 set};
 *     unique within one generation
 * @param kind the valid base state it starts from
 * @param target the entry check the mutation was written to break; empty for a base state and for
 *     random mutations
 * @param vmcs the VMCS
 * @param memory physical address to 8-byte little-endian value, for each store the state relies on,
 *     in address order, the rest of each page named being 0 (empty for most states)
 */
public record GeneratedVmcs(String label, GuestKind kind, Optional<EntryCheck> target, VmcsSnapshot vmcs, Map<Long, Long> memory) {
    /**
     * Copies the memory map.
     *
     * @param label see the record component
     * @param kind see the record component
     * @param target see the record component
     * @param vmcs see the record component
     * @param memory see the record component
     */
    public GeneratedVmcs {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(vmcs, "vmcs");
        memory = Collections.unmodifiableMap(new TreeMap<>(memory));
    }

    /**
     * The memory as {@link GuestMemory} for {@link EntryChecker#withMemory}: the pages {@link #memory()}
     * names (zero but for its stores); a check that reads any other page is not judged.
     *
     * @return the memory
     */
    public GuestMemory guestMemory() {
        GuestMemory.Builder builder = GuestMemory.builder();
        memory.forEach(builder::putLong);
        return builder.build();
    }

    /**
     * The fields that differ from another state (normally the base the label names).
     *
     * @param base the state to compare with
     * @return the changes, in encoding order
     */
    public List<FieldChange> changesFrom(VmcsSnapshot base) {
        return base.diff(vmcs);
    }

    /** The label. */
    @Override
    public String toString() {
        return label;
    }
}
