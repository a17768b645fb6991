package dev.vmx.entry;

import dev.vmx.cap.ControlField;
import dev.vmx.cap.PinBasedControl;
import dev.vmx.cap.VmxCapabilities;
import dev.vmx.entry.ValidVmcs.GuestKind;
import dev.vmx.vmcs.FieldType;
import dev.vmx.vmcs.Vmcs;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Generates VMCS states for testing VM-entry checks against an independent implementation: the valid
 * base state of each guest kind the capabilities allow ({@link ValidVmcs}), every single-rule mutation
 * of each base (at least one per {@link EntryCheck} the capabilities can express, most with several
 * boundary values), and seeded random mutations. Every state is labelled with what was changed.
 * Deterministic: the same capabilities, options and seed give the same states, in the same order.
 *
 * <p>Base states differ from {@link ValidVmcs#forGuest} in three ways, all of them valid: the host
 * fields are the ones given with {@link Builder#hostState} (the hypervisor that will run the states);
 * every field an entry check may read is present with a neutral value (bitmap and page addresses on
 * pages from {@link Builder#pageBase}, a valid EPT pointer, a VPID of 1, ...), so that a mutation that
 * turns a control on never leaves a field undefined; and, with {@link Builder#exitAtOnce}, the
 * VMX-preemption timer is active with the value 0, so a guest that is entered exits before its first
 * instruction (SDM 25.5.1).
 *
 * <p>Host-state fields are changed only to values that fail a host-state check: a VM exit (after an
 * entry, or after a guest-state failure) loads the host state, and a changed but valid host state would
 * send the hypervisor somewhere else. Random mutations never touch the host state, the MSR-load and
 * MSR-store counts or their areas; of the VM-exit controls they only flip single bits (with the host's
 * own EFER and PAT in the base, loading them on exit changes nothing).
 */
public final class EntryStateGenerator {
    private final VmxCapabilities caps;
    private final long page;
    private final Predicate<VmcsField> writable;
    private final Map<GuestKind, VmcsSnapshot> bases;
    private final Map<GuestKind, String> unavailable;

    private EntryStateGenerator(Builder b) {
        this.caps = b.caps;
        this.page = b.pageBase;
        this.writable = b.writable;
        Map<GuestKind, VmcsSnapshot> made = new EnumMap<>(GuestKind.class);
        Map<GuestKind, String> why = new EnumMap<>(GuestKind.class);
        for (GuestKind kind : GuestKind.values()) {
            try {
                made.put(kind, base(kind, b));
            } catch (IllegalArgumentException e) {
                why.put(kind, e.getMessage());
            }
        }
        if (made.isEmpty()) {
            throw new IllegalArgumentException("no guest kind can be entered with these capabilities: " + why);
        }
        this.bases = Collections.unmodifiableMap(made);
        this.unavailable = Collections.unmodifiableMap(why);
    }

    /**
     * A generator with the defaults of {@link Builder}.
     *
     * @param capabilities the processor's capability MSRs
     * @return the generator
     */
    public static EntryStateGenerator of(VmxCapabilities capabilities) {
        return builder(capabilities).build();
    }

    /**
     * A builder.
     *
     * @param capabilities the processor's capability MSRs
     * @return a new builder
     */
    public static Builder builder(VmxCapabilities capabilities) {
        return new Builder(Objects.requireNonNull(capabilities, "capabilities"));
    }

    /**
     * Options of a generator. Defaults: the host state of {@link ValidVmcs}, pages from 0x100000 (1 MiB),
     * every field writable, exit at once.
     */
    public static final class Builder {
        private final VmxCapabilities caps;
        private final Map<VmcsField, Long> host = new EnumMap<>(VmcsField.class);
        private long pageBase = 0x10_0000;
        private Predicate<VmcsField> writable = field -> true;
        private boolean exitAtOnce = true;

        private Builder(VmxCapabilities caps) {
            this.caps = caps;
        }

        /**
         * The host state of the hypervisor that will run the states: each host-state field of {@code vmcs}
         * replaces the base's.
         *
         * @param vmcs a VMCS holding host-state fields (others are ignored)
         * @return this builder
         */
        public Builder hostState(Vmcs vmcs) {
            for (VmcsField field : vmcs.fields()) {
                if (field.type() == FieldType.HOST_STATE) {
                    host.put(field, vmcs.read(field));
                }
            }
            return this;
        }

        /**
         * Where the states' pages start (guest code and stack, page tables, EPT root, bitmaps, MSR areas,
         * the linked VMCS): 32 pages from this 4-KByte aligned address.
         *
         * @param address the first page
         * @return this builder
         */
        public Builder pageBase(long address) {
            if ((address & 0xFFF) != 0) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "page base 0x%x is not 4-KByte aligned", address));
            }
            this.pageBase = address;
            return this;
        }

        /**
         * The fields the processor has (a VMWRITE to another fails): bases leave the others out, and a
         * mutation that needs one is not generated.
         *
         * @param fields true for a field the processor supports
         * @return this builder
         */
        public Builder writable(Predicate<VmcsField> fields) {
            this.writable = Objects.requireNonNull(fields, "fields");
            return this;
        }

        /**
         * Whether entered guests exit before their first instruction (VMX-preemption timer 0, where the
         * processor has the timer).
         *
         * @param exitAtOnce true (the default) to activate the timer with 0
         * @return this builder
         */
        public Builder exitAtOnce(boolean exitAtOnce) {
            this.exitAtOnce = exitAtOnce;
            return this;
        }

        /**
         * The generator.
         *
         * @return the generator
         * @throws IllegalArgumentException if no guest kind can be entered with the capabilities
         */
        public EntryStateGenerator build() {
            return new EntryStateGenerator(this);
        }
    }

    /** Page {@code n} of the states' pages (see {@link Layout}). */
    long page(int n) {
        return page + 0x1000L * n;
    }

    /** The pages of a state, by index from the page base. */
    static final class Layout {
        static final int CODE = 0;
        static final int STACK_TOP = 2;
        static final int GUEST_CR3 = 3;
        static final int EPT_ROOT = 4;
        static final int IO_BITMAP_A = 5;
        static final int IO_BITMAP_B = 6;
        static final int MSR_BITMAP = 7;
        static final int VIRTUAL_APIC = 8;
        static final int APIC_ACCESS = 9;
        static final int PML = 10;
        static final int VMREAD_BITMAP = 11;
        static final int VMWRITE_BITMAP = 12;
        static final int VE_INFO = 13;
        static final int EPTP_LIST = 14;
        static final int POSTED_DESCRIPTOR = 15;
        static final int EXIT_MSR_STORE = 16;
        static final int EXIT_MSR_LOAD = 17;
        static final int ENTRY_MSR_LOAD = 24; // up to 3 pages: 520 entries
        static final int LINKED_VMCS = 19;
        static final int PDPT = 20;

        private Layout() {
        }
    }

    private VmcsSnapshot base(GuestKind kind, Builder options) {
        VmcsSnapshot valid = ValidVmcs.builder(kind, caps).guestEntry(page(Layout.CODE), page(Layout.STACK_TOP))
                .guestCr3(page(Layout.GUEST_CR3)).eptRoot(page(Layout.EPT_ROOT)).build();
        Map<VmcsField, Long> v = new EnumMap<>(VmcsField.class);
        for (VmcsField field : valid.fields()) {
            v.put(field, valid.read(field));
        }
        v.putAll(options.host);
        // neutral values for every field a check may read once a control turns it on
        Map<VmcsField, Long> extra = new LinkedHashMap<>();
        extra.put(VmcsField.SECONDARY_VM_EXEC_CONTROL, 0L);
        extra.put(VmcsField.TERTIARY_VM_EXEC_CONTROL, 0L);
        extra.put(VmcsField.IO_BITMAP_A, page(Layout.IO_BITMAP_A));
        extra.put(VmcsField.IO_BITMAP_B, page(Layout.IO_BITMAP_B));
        extra.put(VmcsField.MSR_BITMAP, page(Layout.MSR_BITMAP));
        extra.put(VmcsField.VIRTUAL_APIC_PAGE_ADDR, page(Layout.VIRTUAL_APIC));
        extra.put(VmcsField.TPR_THRESHOLD, 0L);
        extra.put(VmcsField.APIC_ACCESS_ADDR, page(Layout.APIC_ACCESS));
        extra.put(VmcsField.EPT_POINTER, page(Layout.EPT_ROOT) | (3 << 3) | 6);
        extra.put(VmcsField.VIRTUAL_PROCESSOR_ID, 1L);
        extra.put(VmcsField.PML_ADDRESS, page(Layout.PML));
        extra.put(VmcsField.GUEST_PML_INDEX, 0L);
        extra.put(VmcsField.VMREAD_BITMAP, page(Layout.VMREAD_BITMAP));
        extra.put(VmcsField.VMWRITE_BITMAP, page(Layout.VMWRITE_BITMAP));
        extra.put(VmcsField.VE_INFORMATION_ADDRESS, page(Layout.VE_INFO));
        extra.put(VmcsField.VM_FUNCTION_CONTROL, 0L);
        extra.put(VmcsField.EPTP_LIST_ADDRESS, page(Layout.EPTP_LIST));
        extra.put(VmcsField.POSTED_INTR_NV, 0L);
        extra.put(VmcsField.POSTED_INTR_DESC_ADDR, page(Layout.POSTED_DESCRIPTOR));
        extra.put(VmcsField.GUEST_INTR_STATUS, 0L);
        extra.put(VmcsField.EOI_EXIT_BITMAP0, 0L);
        extra.put(VmcsField.EOI_EXIT_BITMAP1, 0L);
        extra.put(VmcsField.EOI_EXIT_BITMAP2, 0L);
        extra.put(VmcsField.EOI_EXIT_BITMAP3, 0L);
        extra.put(VmcsField.XSS_EXIT_BITMAP, 0L);
        extra.put(VmcsField.TSC_MULTIPLIER, 1L);
        extra.put(VmcsField.PLE_GAP, 0L);
        extra.put(VmcsField.PLE_WINDOW, 0L);
        extra.put(VmcsField.VMX_PREEMPTION_TIMER_VALUE, 0L);
        extra.put(VmcsField.GUEST_IA32_EFER, kind == GuestKind.IA32E_64BIT ? 0x500L : 0L);
        extra.put(VmcsField.GUEST_IA32_PAT, ValidVmcs.POWER_ON_PAT);
        extra.put(VmcsField.GUEST_IA32_PERF_GLOBAL_CTRL, 0L);
        extra.put(VmcsField.GUEST_PDPTR0, 0L);
        extra.put(VmcsField.GUEST_PDPTR1, 0L);
        extra.put(VmcsField.GUEST_PDPTR2, 0L);
        extra.put(VmcsField.GUEST_PDPTR3, 0L);
        extra.put(VmcsField.VM_EXIT_MSR_STORE_ADDR, page(Layout.EXIT_MSR_STORE));
        extra.put(VmcsField.VM_EXIT_MSR_LOAD_ADDR, page(Layout.EXIT_MSR_LOAD));
        extra.put(VmcsField.VM_ENTRY_MSR_LOAD_ADDR, page(Layout.ENTRY_MSR_LOAD));
        extra.put(VmcsField.CR3_TARGET_VALUE0, 0L);
        extra.put(VmcsField.CR3_TARGET_VALUE1, 0L);
        extra.put(VmcsField.CR3_TARGET_VALUE2, 0L);
        extra.put(VmcsField.CR3_TARGET_VALUE3, 0L);
        extra.forEach((field, value) -> {
            if (!v.containsKey(field) && options.writable.test(field)) {
                v.put(field, value);
            }
        });
        if (options.exitAtOnce && caps.allowed(ControlField.PIN_BASED).canBeOne(PinBasedControl.ACTIVATE_VMX_PREEMPTION_TIMER)
                && options.writable.test(VmcsField.VMX_PREEMPTION_TIMER_VALUE)) {
            v.put(VmcsField.PIN_BASED_VM_EXEC_CONTROL, v.get(VmcsField.PIN_BASED_VM_EXEC_CONTROL)
                    | PinBasedControl.ACTIVATE_VMX_PREEMPTION_TIMER.mask());
            v.put(VmcsField.VMX_PREEMPTION_TIMER_VALUE, 0L);
        }
        v.keySet().removeIf(field -> !options.writable.test(field));
        VmcsSnapshot.Builder b = VmcsSnapshot.builder();
        v.forEach(b::put);
        VmcsSnapshot snapshot = b.build();
        EntryCheckReport report = EntryChecker.create().withCapabilities(caps).check(snapshot);
        if (!report.failures().isEmpty()) {
            throw new IllegalArgumentException("the " + kind + " base state with this host state fails: " + report);
        }
        return snapshot;
    }

    /**
     * The valid base state of each guest kind the capabilities allow.
     *
     * @return kind to base state, in {@link GuestKind} order
     */
    public Map<GuestKind, VmcsSnapshot> baseStates() {
        return bases;
    }

    /**
     * The guest kinds the capabilities do not allow, with why.
     *
     * @return kind to reason; empty when every kind has a base
     */
    public Map<GuestKind, String> unavailableKinds() {
        return unavailable;
    }

    /**
     * The capabilities the states are made for.
     *
     * @return the capabilities
     */
    public VmxCapabilities capabilities() {
        return caps;
    }

    /**
     * The base states, labelled {@code KIND base}.
     *
     * @return one state per available kind
     */
    public List<GeneratedVmcs> bases() {
        List<GeneratedVmcs> out = new ArrayList<>();
        bases.forEach((kind, vmcs) -> out.add(new GeneratedVmcs(kind + " base", kind, Optional.empty(), vmcs, Map.of())));
        return out;
    }

    /**
     * Every mutation of the catalogue applied alone to every base it applies to; labelled
     * {@code KIND RULE: what}. A mutation whose fields the processor lacks, or that leaves the base
     * unchanged, is left out.
     *
     * @return the states, in base then catalogue order
     */
    public List<GeneratedVmcs> singleRuleMutations() {
        List<GeneratedVmcs> out = new ArrayList<>();
        Set<String> labels = new HashSet<>();
        for (Map.Entry<GuestKind, VmcsSnapshot> base : bases.entrySet()) {
            for (EntryMutations.Mutation mutation : EntryMutations.CATALOGUE) {
                EntryMutations.State state = new EntryMutations.State(this, base.getKey(), base.getValue());
                if (!state.apply(mutation)) {
                    continue;
                }
                String label = base.getKey() + " " + mutation.target() + ": " + mutation.name();
                if (!labels.add(label)) {
                    throw new IllegalStateException("duplicate mutation label " + label);
                }
                state.result(label, Optional.of(mutation.target())).ifPresent(out::add);
            }
        }
        return out;
    }

    /**
     * Random mutations: each starts from a random base and makes one to three changes, each either a
     * catalogue mutation or a change of one guest-state or control field (a bit flipped or a boundary
     * value); labelled {@code random[seed/index] KIND: change; change}.
     *
     * @param seed the seed
     * @param count how many states
     * @return the states, {@code count} of them unless mutations keep failing to apply
     */
    public List<GeneratedVmcs> randomMutations(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        List<GuestKind> kinds = new ArrayList<>(bases.keySet());
        List<GeneratedVmcs> out = new ArrayList<>(count);
        int attempts = 0;
        while (out.size() < count && attempts < count * 10) {
            attempts++;
            GuestKind kind = kinds.get(random.nextInt(kinds.size()));
            EntryMutations.State state = new EntryMutations.State(this, kind, bases.get(kind));
            int changes = 1 + random.nextInt(3);
            List<String> what = new ArrayList<>();
            for (int i = 0; i < changes; i++) {
                String change = random.nextBoolean() ? state.randomCatalogue(random) : state.randomField(random);
                if (change != null) {
                    what.add(change);
                }
            }
            if (what.isEmpty()) {
                continue;
            }
            String label = String.format(Locale.ROOT, "random[%d/%d] %s: %s", seed, out.size(), kind, String.join("; ", what));
            state.result(label, Optional.empty()).ifPresent(out::add);
        }
        return out;
    }

    /**
     * The bases, then every single-rule mutation, then random mutations up to {@code total} states.
     *
     * @param seed the seed of the random part
     * @param total how many states in all (at least the bases and single-rule mutations)
     * @return the states
     */
    public List<GeneratedVmcs> generate(long seed, int total) {
        List<GeneratedVmcs> out = new ArrayList<>(bases());
        out.addAll(singleRuleMutations());
        if (out.size() < total) {
            out.addAll(randomMutations(seed, total - out.size()));
        }
        return out;
    }

    boolean writable(VmcsField field) {
        return writable.test(field);
    }

    /** Immutable copy of a memory map for a result. */
    static Map<Long, Long> memory(Map<Long, Long> m) {
        return Collections.unmodifiableMap(new TreeMap<>(m));
    }
}
