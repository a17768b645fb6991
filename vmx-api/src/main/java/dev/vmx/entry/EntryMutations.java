package dev.vmx.entry;

import static dev.vmx.vmcs.VmcsField.*;

import dev.vmx.cap.AllowedSettings;
import dev.vmx.cap.ControlField;
import dev.vmx.cap.EntryControl;
import dev.vmx.cap.PinBasedControl;
import dev.vmx.cap.PrimaryExitControl;
import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.cap.SecondaryProcessorBasedControl;
import dev.vmx.cap.VmxCapabilities;
import dev.vmx.cap.VmxMsr;
import dev.vmx.entry.ValidVmcs.GuestKind;
import dev.vmx.vmcs.FieldType;
import dev.vmx.vmcs.GuestSegment;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The catalogue of single-rule mutations {@link EntryStateGenerator} applies to its base states: for
 * each {@link EntryCheck}, changes meant to break it, with boundary values (the first invalid value,
 * each reserved bit class, each sub-rule), and a few valid boundary values labelled with the rule they
 * sit next to. Package-private: the generator's labels are the public face.
 */
final class EntryMutations {
    private EntryMutations() {
    }

    /** Thrown by a mutation that does not apply to a base (a kind it is not for, a field the processor lacks). */
    static final class NotApplicable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotApplicable() {
            super(null, null, false, false);
        }
    }

    /**
     * One mutation.
     *
     * @param name what it changes
     * @param target the check it is written to break (or, for a valid boundary value, the check it tests)
     * @param body the change
     */
    record Mutation(String name, EntryCheck target, Consumer<State> body) {
    }

    private static final long CANONICAL_GAP_LOW = 0x0000_8000_0000_0000L; // first non-canonical with 48 bits
    private static final long CANONICAL_GAP_HIGH = 0xFFFF_7FFF_FFFF_FFFFL; // last non-canonical with 48 bits
    private static final long CANONICAL_TOP = 0x0000_7FFF_FFFF_F000L; // highest canonical page, lower half

    /** A state being mutated: a working copy of a base. */
    static final class State {
        final EntryStateGenerator gen;
        final GuestKind kind;
        final VmcsSnapshot base;
        final VmxCapabilities caps;
        final Map<VmcsField, Long> v = new EnumMap<>(VmcsField.class);
        final Map<Long, Long> mem = new TreeMap<>();

        State(EntryStateGenerator gen, GuestKind kind, VmcsSnapshot base) {
            this.gen = gen;
            this.kind = kind;
            this.base = base;
            this.caps = gen.capabilities();
            for (VmcsField field : base.fields()) {
                v.put(field, base.read(field));
            }
        }

        /** Applies a mutation; on NotApplicable leaves the state as it was and returns false. */
        boolean apply(Mutation m) {
            Map<VmcsField, Long> before = new EnumMap<>(v);
            Map<Long, Long> memBefore = new TreeMap<>(mem);
            try {
                m.body().accept(this);
                return true;
            } catch (NotApplicable e) {
                v.clear();
                v.putAll(before);
                mem.clear();
                mem.putAll(memBefore);
                return false;
            }
        }

        Optional<GeneratedVmcs> result(String label, Optional<EntryCheck> target) {
            VmcsSnapshot.Builder b = VmcsSnapshot.builder();
            v.forEach(b::put);
            VmcsSnapshot vmcs = b.build();
            if (vmcs.equals(base) && mem.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new GeneratedVmcs(label, kind, target, vmcs, mem));
        }

        /**
         * A random catalogue mutation that keeps the host state and the VM-exit controls: stacked with other
         * changes, an invalid host state could become valid (e.g. host RIP bit 32 with "host address-space size"
         * flipped back to 1), and VM exits would then load it.
         */
        String randomCatalogue(SplittableRandom random) {
            for (int tries = 0; tries < 8; tries++) {
                Mutation m = CATALOGUE.get(random.nextInt(CATALOGUE.size()));
                if (m.target().phase() == EntryPhase.HOST_STATE) {
                    continue;
                }
                Map<VmcsField, Long> before = new EnumMap<>(v);
                if (!apply(m)) {
                    continue;
                }
                boolean hostSide = false;
                for (Map.Entry<VmcsField, Long> e : v.entrySet()) {
                    if ((e.getKey().type() == FieldType.HOST_STATE || e.getKey() == VM_EXIT_CONTROLS) && !e.getValue().equals(before.get(e.getKey()))) {
                        hostSide = true;
                    }
                }
                if (hostSide) {
                    v.clear();
                    v.putAll(before);
                    continue;
                }
                return m.target() + ": " + m.name();
            }
            return null;
        }

        String randomField(SplittableRandom random) {
            List<VmcsField> candidates = new ArrayList<>();
            for (VmcsField field : v.keySet()) {
                if (FUZZED.contains(field) || field.type() == FieldType.GUEST_STATE) {
                    candidates.add(field);
                }
            }
            VmcsField field = candidates.get(random.nextInt(candidates.size()));
            int bits = field.valueBits();
            long old = v.get(field);
            long value;
            String what;
            if (random.nextInt(4) == 0) {
                long[] boundaries = {0, 1, bits == 64 ? -1L : (1L << bits) - 1, 1L << (bits - 1), CANONICAL_GAP_LOW, CANONICAL_GAP_HIGH,
                    0xFFFF_FFFFL, 0x1_0000_0000L};
                value = boundaries[random.nextInt(boundaries.length)];
                if (bits < 64) {
                    value &= (1L << bits) - 1;
                }
                what = String.format(Locale.ROOT, "%s = 0x%x", field, value);
            } else {
                // low bits (flags, types) more often than high ones
                int bit = random.nextBoolean() ? random.nextInt(Math.min(bits, 20)) : random.nextInt(bits);
                value = old ^ (1L << bit);
                what = String.format(Locale.ROOT, "%s bit %d flipped", field, bit);
            }
            if (value == old) {
                return null;
            }
            v.put(field, value);
            return what;
        }

        // --- operations for mutation bodies

        long get(VmcsField field) {
            Long value = v.get(field);
            if (value == null) {
                throw new NotApplicable();
            }
            return value;
        }

        State set(VmcsField field, long value) {
            if (!gen.writable(field) || (field.valueBits() < 64 && (value >>> field.valueBits()) != 0)) {
                throw new NotApplicable();
            }
            v.put(field, value);
            return this;
        }

        State or(VmcsField field, long bits) {
            return set(field, get(field) | bits);
        }

        State clear(VmcsField field, long bits) {
            return set(field, get(field) & ~bits);
        }

        State poke(long address, long value) {
            mem.put(address, value);
            return this;
        }

        long page(int n) {
            return gen.page(n);
        }

        void only(GuestKind... kinds) {
            for (GuestKind k : kinds) {
                if (k == kind) {
                    return;
                }
            }
            throw new NotApplicable();
        }

        void not(GuestKind k) {
            if (k == kind) {
                throw new NotApplicable();
            }
        }

        boolean ia32e() {
            return (get(VM_ENTRY_CONTROLS) & EntryControl.IA32E_MODE_GUEST.mask()) != 0;
        }

        boolean unrestricted() {
            return secondaryActive() && (get(SECONDARY_VM_EXEC_CONTROL) & SecondaryProcessorBasedControl.UNRESTRICTED_GUEST.mask()) != 0;
        }

        boolean secondaryActive() {
            return (get(CPU_BASED_VM_EXEC_CONTROL) & PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS.mask()) != 0;
        }

        State pin(PinBasedControl c, boolean on) {
            return on ? or(PIN_BASED_VM_EXEC_CONTROL, c.mask()) : clear(PIN_BASED_VM_EXEC_CONTROL, c.mask());
        }

        State primary(PrimaryProcessorBasedControl c, boolean on) {
            return on ? or(CPU_BASED_VM_EXEC_CONTROL, c.mask()) : clear(CPU_BASED_VM_EXEC_CONTROL, c.mask());
        }

        State secondary(SecondaryProcessorBasedControl c, boolean on) {
            primary(PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS, true);
            return on ? or(SECONDARY_VM_EXEC_CONTROL, c.mask()) : clear(SECONDARY_VM_EXEC_CONTROL, c.mask());
        }

        State entry(EntryControl c, boolean on) {
            return on ? or(VM_ENTRY_CONTROLS, c.mask()) : clear(VM_ENTRY_CONTROLS, c.mask());
        }

        State exit(PrimaryExitControl c, boolean on) {
            return on ? or(VM_EXIT_CONTROLS, c.mask()) : clear(VM_EXIT_CONTROLS, c.mask());
        }

        AllowedSettings allowed(ControlField field) {
            return caps.allowed(field);
        }

        /** The lowest bit the field's allowed-0 setting forces to 1 ({@code highest}: the highest); NotApplicable if none. */
        int forcedBit(ControlField field, boolean highest) {
            long forced = allowed(field).allowed0() & 0xFFFF_FFFFL;
            if (forced == 0) {
                throw new NotApplicable();
            }
            return highest ? 63 - Long.numberOfLeadingZeros(forced) : Long.numberOfTrailingZeros(forced);
        }

        /** The lowest bit the field's allowed-1 setting forbids ({@code highest}: the highest in bits 31:0); NotApplicable if none. */
        int forbiddenBit(ControlField field, boolean highest) {
            long forbidden = ~allowed(field).allowed1() & 0xFFFF_FFFFL;
            if (forbidden == 0) {
                throw new NotApplicable();
            }
            return highest ? 63 - Long.numberOfLeadingZeros(forbidden) : Long.numberOfTrailingZeros(forbidden);
        }

        State segment(GuestSegment segment, long selector, long ar, long limit, long base) {
            return set(segment.selector(), selector).set(segment.accessRights(), ar).set(segment.limit(), limit).set(segment.base(), base);
        }

        State inject(long info) {
            return set(VM_ENTRY_INTR_INFO_FIELD, info);
        }

        long cr0Fixed0() {
            return caps.msr(VmxMsr.IA32_VMX_CR0_FIXED0).getAsLong();
        }

        long cr4Fixed1() {
            return caps.msr(VmxMsr.IA32_VMX_CR4_FIXED1).getAsLong();
        }
    }

    /** Fields random mutations may change besides guest state: controls whose change affects only the guest or fails entry. */
    static final Set<VmcsField> FUZZED = Collections.unmodifiableSet(EnumSet.of(PIN_BASED_VM_EXEC_CONTROL, CPU_BASED_VM_EXEC_CONTROL,
            SECONDARY_VM_EXEC_CONTROL, VM_ENTRY_CONTROLS, VM_EXIT_CONTROLS, VM_ENTRY_INTR_INFO_FIELD, VM_ENTRY_EXCEPTION_ERROR_CODE,
            VM_ENTRY_INSTRUCTION_LEN, CR3_TARGET_COUNT, TPR_THRESHOLD, VIRTUAL_PROCESSOR_ID, EPT_POINTER, VM_FUNCTION_CONTROL, POSTED_INTR_NV,
            IO_BITMAP_A, IO_BITMAP_B, MSR_BITMAP, APIC_ACCESS_ADDR, PML_ADDRESS, VMREAD_BITMAP, VMWRITE_BITMAP, VE_INFORMATION_ADDRESS,
            EPTP_LIST_ADDRESS, POSTED_INTR_DESC_ADDR, EXCEPTION_BITMAP));

    static final List<Mutation> CATALOGUE;

    private static final List<Mutation> LIST = new ArrayList<>();

    private static void add(EntryCheck target, String name, Consumer<State> body) {
        LIST.add(new Mutation(name, target, body));
    }

    private static final GuestSegment[] DATA = {GuestSegment.DS, GuestSegment.ES, GuestSegment.FS, GuestSegment.GS};

    static {
        controls();
        host();
        guestRegisters();
        guestSegments();
        guestNonRegister();
        CATALOGUE = Collections.unmodifiableList(new ArrayList<>(LIST));
    }

    private static void controls() {
        add(EntryCheck.PIN_BASED_ALLOWED, "lowest bit allowed-0 forces cleared", s -> s.clear(PIN_BASED_VM_EXEC_CONTROL, 1L << s.forcedBit(ControlField.PIN_BASED, false)));
        add(EntryCheck.PIN_BASED_ALLOWED, "highest bit allowed-0 forces cleared", s -> s.clear(PIN_BASED_VM_EXEC_CONTROL, 1L << s.forcedBit(ControlField.PIN_BASED, true)));
        add(EntryCheck.PIN_BASED_ALLOWED, "lowest bit allowed-1 forbids set", s -> s.or(PIN_BASED_VM_EXEC_CONTROL, 1L << s.forbiddenBit(ControlField.PIN_BASED, false)));
        add(EntryCheck.PIN_BASED_ALLOWED, "bit 31 set", s -> s.or(PIN_BASED_VM_EXEC_CONTROL, 1L << 31));
        add(EntryCheck.PRIMARY_ALLOWED, "lowest bit allowed-0 forces cleared", s -> s.clear(CPU_BASED_VM_EXEC_CONTROL, 1L << s.forcedBit(ControlField.PRIMARY_PROCESSOR_BASED, false)));
        add(EntryCheck.PRIMARY_ALLOWED, "highest bit allowed-0 forces cleared", s -> s.clear(CPU_BASED_VM_EXEC_CONTROL, 1L << s.forcedBit(ControlField.PRIMARY_PROCESSOR_BASED, true)));
        add(EntryCheck.PRIMARY_ALLOWED, "lowest bit allowed-1 forbids set", s -> s.or(CPU_BASED_VM_EXEC_CONTROL, 1L << s.forbiddenBit(ControlField.PRIMARY_PROCESSOR_BASED, false)));
        add(EntryCheck.SECONDARY_ALLOWED, "lowest forbidden secondary bit set", s -> {
            if (!s.allowed(ControlField.PRIMARY_PROCESSOR_BASED).canBeOne(PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS)) {
                throw new NotApplicable();
            }
            s.primary(PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS, true)
                    .or(SECONDARY_VM_EXEC_CONTROL, 1L << s.forbiddenBit(ControlField.SECONDARY_PROCESSOR_BASED, false));
        });
        add(EntryCheck.SECONDARY_ALLOWED, "secondary bit 31 set", s -> s.primary(PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS, true)
                .or(SECONDARY_VM_EXEC_CONTROL, 1L << 31));
        add(EntryCheck.SECONDARY_ALLOWED, "forbidden secondary bit set while not activated (valid)", s -> {
            s.not(GuestKind.REAL_MODE_UNRESTRICTED);
            s.primary(PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS, false).or(SECONDARY_VM_EXEC_CONTROL, 1L << 31);
        });
        add(EntryCheck.TERTIARY_ALLOWED, "activate tertiary controls set", s -> s.primary(PrimaryProcessorBasedControl.ACTIVATE_TERTIARY_CONTROLS, true));
        add(EntryCheck.TERTIARY_ALLOWED, "tertiary control bit 63 set", s -> s.primary(PrimaryProcessorBasedControl.ACTIVATE_TERTIARY_CONTROLS, true)
                .set(TERTIARY_VM_EXEC_CONTROL, 1L << 63));
        add(EntryCheck.CR3_TARGET_COUNT, "count 4 (valid)", s -> s.set(VmcsField.CR3_TARGET_COUNT, 4));
        add(EntryCheck.CR3_TARGET_COUNT, "count 5", s -> s.set(VmcsField.CR3_TARGET_COUNT, 5));
        add(EntryCheck.CR3_TARGET_COUNT, "count 0x80000000", s -> s.set(VmcsField.CR3_TARGET_COUNT, 0x8000_0000L));
        add(EntryCheck.IO_BITMAPS_ALIGNED, "I/O bitmap A bit 0 set", s -> s.primary(PrimaryProcessorBasedControl.USE_IO_BITMAPS, true).or(IO_BITMAP_A, 1));
        add(EntryCheck.IO_BITMAPS_ALIGNED, "I/O bitmap B bit 11 set", s -> s.primary(PrimaryProcessorBasedControl.USE_IO_BITMAPS, true).or(IO_BITMAP_B, 0x800));
        add(EntryCheck.IO_BITMAPS_ALIGNED, "I/O bitmap A bit 11 set without use I/O bitmaps (valid)", s -> s.primary(PrimaryProcessorBasedControl.USE_IO_BITMAPS, false).or(IO_BITMAP_A, 0x800));
        add(EntryCheck.IO_BITMAPS_ALIGNED, "I/O bitmap A at bit 51 (beyond most processors' physical-address width)", s -> s.primary(PrimaryProcessorBasedControl.USE_IO_BITMAPS, true).set(IO_BITMAP_A, 1L << 51));
        add(EntryCheck.MSR_BITMAP_ALIGNED, "MSR bitmap bit 2 set", s -> s.primary(PrimaryProcessorBasedControl.USE_MSR_BITMAPS, true).or(MSR_BITMAP, 4));
        add(EntryCheck.MSR_BITMAP_ALIGNED, "MSR bitmap at bit 45 (beyond a 40- to 45-bit physical-address width)", s -> s.primary(PrimaryProcessorBasedControl.USE_MSR_BITMAPS, true).set(MSR_BITMAP, 1L << 45));
        add(EntryCheck.VIRTUAL_APIC_PAGE_ALIGNED, "virtual-APIC address bit 4 set", s -> s.primary(PrimaryProcessorBasedControl.USE_TPR_SHADOW, true).or(VIRTUAL_APIC_PAGE_ADDR, 0x10));
        add(EntryCheck.TPR_THRESHOLD_RESERVED, "TPR threshold 0x10", s -> s.primary(PrimaryProcessorBasedControl.USE_TPR_SHADOW, true).set(TPR_THRESHOLD, 0x10));
        add(EntryCheck.TPR_THRESHOLD_RESERVED, "TPR threshold 0x80000000", s -> s.primary(PrimaryProcessorBasedControl.USE_TPR_SHADOW, true).set(TPR_THRESHOLD, 0x8000_0000L));
        add(EntryCheck.TPR_THRESHOLD_RESERVED, "TPR threshold 0xF, VTPR 0xF0 in the virtual-APIC page (valid)", s -> s.primary(PrimaryProcessorBasedControl.USE_TPR_SHADOW, true)
                .set(TPR_THRESHOLD, 0xF).poke(s.get(VIRTUAL_APIC_PAGE_ADDR) + 0x80, 0xF0));
        add(EntryCheck.TPR_THRESHOLD_RESERVED, "TPR threshold 0x10 with virtual-interrupt delivery (valid)", s -> s.pin(PinBasedControl.EXTERNAL_INTERRUPT_EXITING, true)
                .primary(PrimaryProcessorBasedControl.USE_TPR_SHADOW, true).secondary(SecondaryProcessorBasedControl.VIRTUAL_INTERRUPT_DELIVERY, true).set(TPR_THRESHOLD, 0x10));
        add(EntryCheck.TPR_THRESHOLD_VTPR, "TPR threshold 1, VTPR 0 in the virtual-APIC page", s -> s.primary(PrimaryProcessorBasedControl.USE_TPR_SHADOW, true)
                .set(TPR_THRESHOLD, 1).poke(s.get(VIRTUAL_APIC_PAGE_ADDR) + 0x80, 0));
        add(EntryCheck.TPR_THRESHOLD_VTPR, "TPR threshold 8, VTPR 0x70", s -> s.primary(PrimaryProcessorBasedControl.USE_TPR_SHADOW, true)
                .set(TPR_THRESHOLD, 8).poke(s.get(VIRTUAL_APIC_PAGE_ADDR) + 0x80, 0x70));
        add(EntryCheck.TPR_THRESHOLD_VTPR, "TPR threshold 8, VTPR 0x80 (valid)", s -> s.primary(PrimaryProcessorBasedControl.USE_TPR_SHADOW, true)
                .set(TPR_THRESHOLD, 8).poke(s.get(VIRTUAL_APIC_PAGE_ADDR) + 0x80, 0x80));
        for (SecondaryProcessorBasedControl c : new SecondaryProcessorBasedControl[] {SecondaryProcessorBasedControl.VIRTUALIZE_X2APIC_MODE,
            SecondaryProcessorBasedControl.APIC_REGISTER_VIRTUALIZATION, SecondaryProcessorBasedControl.VIRTUAL_INTERRUPT_DELIVERY}) {
            add(EntryCheck.APIC_CONTROLS_NEED_TPR_SHADOW, c + " without use TPR shadow", s -> s.pin(PinBasedControl.EXTERNAL_INTERRUPT_EXITING, true)
                    .primary(PrimaryProcessorBasedControl.USE_TPR_SHADOW, false).secondary(c, true));
        }
        add(EntryCheck.X2APIC_EXCLUDES_APIC_ACCESSES, "virtualize x2APIC mode and APIC accesses", s -> s.primary(PrimaryProcessorBasedControl.USE_TPR_SHADOW, true)
                .secondary(SecondaryProcessorBasedControl.VIRTUALIZE_X2APIC_MODE, true).secondary(SecondaryProcessorBasedControl.VIRTUALIZE_APIC_ACCESSES, true));
        add(EntryCheck.VIRTUAL_INTERRUPT_DELIVERY_NEEDS_INTERRUPT_EXITING, "virtual-interrupt delivery without external-interrupt exiting", s -> s
                .pin(PinBasedControl.EXTERNAL_INTERRUPT_EXITING, false).primary(PrimaryProcessorBasedControl.USE_TPR_SHADOW, true)
                .secondary(SecondaryProcessorBasedControl.VIRTUAL_INTERRUPT_DELIVERY, true));
        add(EntryCheck.POSTED_INTERRUPTS, "process posted interrupts alone", s -> s.pin(PinBasedControl.PROCESS_POSTED_INTERRUPTS, true));
        add(EntryCheck.VIRTUAL_NMIS_NEED_NMI_EXITING, "virtual NMIs without NMI exiting", s -> s.pin(PinBasedControl.NMI_EXITING, false).pin(PinBasedControl.VIRTUAL_NMIS, true));
        add(EntryCheck.NMI_WINDOW_NEEDS_VIRTUAL_NMIS, "NMI-window exiting without virtual NMIs", s -> s.pin(PinBasedControl.VIRTUAL_NMIS, false)
                .primary(PrimaryProcessorBasedControl.NMI_WINDOW_EXITING, true));
        add(EntryCheck.NMI_WINDOW_NEEDS_VIRTUAL_NMIS, "NMI-window exiting with virtual NMIs and NMI exiting (valid)", s -> s.pin(PinBasedControl.NMI_EXITING, true)
                .pin(PinBasedControl.VIRTUAL_NMIS, true).primary(PrimaryProcessorBasedControl.NMI_WINDOW_EXITING, true));
        add(EntryCheck.APIC_ACCESS_PAGE_ALIGNED, "APIC-access address bit 3 set", s -> s.secondary(SecondaryProcessorBasedControl.VIRTUALIZE_APIC_ACCESSES, true).or(APIC_ACCESS_ADDR, 8));
        add(EntryCheck.APIC_ACCESS_PAGE_ALIGNED, "APIC-access address at bit 51", s -> s.secondary(SecondaryProcessorBasedControl.VIRTUALIZE_APIC_ACCESSES, true).set(APIC_ACCESS_ADDR, 1L << 51));
        add(EntryCheck.VPID_NOT_ZERO, "enable VPID with VPID 0", s -> s.secondary(SecondaryProcessorBasedControl.ENABLE_VPID, true).set(VIRTUAL_PROCESSOR_ID, 0));
        add(EntryCheck.VPID_NOT_ZERO, "enable VPID with VPID 0xFFFF (valid)", s -> s.secondary(SecondaryProcessorBasedControl.ENABLE_VPID, true).set(VIRTUAL_PROCESSOR_ID, 0xFFFF));
        for (int type : new int[] {1, 2, 3, 4, 5, 7}) {
            add(EntryCheck.EPT_POINTER_VALID, "EPTP memory type " + type, s -> s.secondary(SecondaryProcessorBasedControl.ENABLE_EPT, true)
                    .set(EPT_POINTER, (s.get(EPT_POINTER) & ~7L) | type));
        }
        add(EntryCheck.EPT_POINTER_VALID, "EPTP memory type UC 0 (valid)", s -> s.secondary(SecondaryProcessorBasedControl.ENABLE_EPT, true)
                .set(EPT_POINTER, s.get(EPT_POINTER) & ~7L));
        for (int walk : new int[] {0, 1, 2, 5, 6, 7}) {
            add(EntryCheck.EPT_POINTER_VALID, "EPTP page-walk length " + (walk + 1), s -> s.secondary(SecondaryProcessorBasedControl.ENABLE_EPT, true)
                    .set(EPT_POINTER, (s.get(EPT_POINTER) & ~0x38L) | (walk << 3)));
        }
        for (int bit = 7; bit <= 11; bit++) {
            int b = bit;
            add(EntryCheck.EPT_POINTER_VALID, "EPTP reserved bit " + bit + " set", s -> s.secondary(SecondaryProcessorBasedControl.ENABLE_EPT, true)
                    .or(EPT_POINTER, 1L << b));
        }
        add(EntryCheck.EPT_POINTER_VALID, "EPTP at bit 51", s -> s.secondary(SecondaryProcessorBasedControl.ENABLE_EPT, true).or(EPT_POINTER, 1L << 51));
        add(EntryCheck.EPT_POINTER_SUPPORTED, "EPTP 5-level page walk", s -> s.secondary(SecondaryProcessorBasedControl.ENABLE_EPT, true)
                .set(EPT_POINTER, (s.get(EPT_POINTER) & ~0x38L) | (4 << 3)));
        add(EntryCheck.EPT_POINTER_SUPPORTED, "EPTP accessed/dirty flags enabled", s -> s.secondary(SecondaryProcessorBasedControl.ENABLE_EPT, true).or(EPT_POINTER, 0x40));
        add(EntryCheck.UNRESTRICTED_GUEST_NEEDS_EPT, "unrestricted guest without EPT", s -> s.secondary(SecondaryProcessorBasedControl.UNRESTRICTED_GUEST, true)
                .secondary(SecondaryProcessorBasedControl.ENABLE_EPT, false));
        add(EntryCheck.MODE_BASED_EXECUTE_NEEDS_EPT, "mode-based execute control without EPT", s -> {
            s.not(GuestKind.REAL_MODE_UNRESTRICTED);
            s.secondary(SecondaryProcessorBasedControl.ENABLE_EPT, false).secondary(SecondaryProcessorBasedControl.MODE_BASED_EXECUTE_CONTROL_FOR_EPT, true);
        });
        add(EntryCheck.PML_NEEDS_EPT, "enable PML without EPT", s -> {
            s.not(GuestKind.REAL_MODE_UNRESTRICTED);
            s.secondary(SecondaryProcessorBasedControl.ENABLE_EPT, false).secondary(SecondaryProcessorBasedControl.ENABLE_PML, true);
        });
        add(EntryCheck.PML_NEEDS_EPT, "PML address bit 0 set", s -> s.secondary(SecondaryProcessorBasedControl.ENABLE_EPT, true)
                .secondary(SecondaryProcessorBasedControl.ENABLE_PML, true).or(PML_ADDRESS, 1));
        add(EntryCheck.VMCS_SHADOWING_BITMAPS_ALIGNED, "VMREAD bitmap bit 11 set", s -> s.secondary(SecondaryProcessorBasedControl.VMCS_SHADOWING, true).or(VMREAD_BITMAP, 0x800));
        add(EntryCheck.VMCS_SHADOWING_BITMAPS_ALIGNED, "VMWRITE bitmap bit 3 set", s -> s.secondary(SecondaryProcessorBasedControl.VMCS_SHADOWING, true).or(VMWRITE_BITMAP, 8));
        add(EntryCheck.VMCS_SHADOWING_BITMAPS_ALIGNED, "VMCS shadowing with aligned bitmaps (valid)", s -> s.secondary(SecondaryProcessorBasedControl.VMCS_SHADOWING, true));
        add(EntryCheck.VIRTUALIZATION_EXCEPTION_INFO_ALIGNED, "#VE information address bit 2 set", s -> s.secondary(SecondaryProcessorBasedControl.ENABLE_EPT, true)
                .secondary(SecondaryProcessorBasedControl.EPT_VIOLATION, true).or(VE_INFORMATION_ADDRESS, 4));
        add(EntryCheck.VM_FUNCTION_CONTROLS, "VM function 1 enabled", s -> s.secondary(SecondaryProcessorBasedControl.ENABLE_VM_FUNCTIONS, true).set(VM_FUNCTION_CONTROL, 2));
        add(EntryCheck.VM_FUNCTION_CONTROLS, "VM function 63 enabled", s -> s.secondary(SecondaryProcessorBasedControl.ENABLE_VM_FUNCTIONS, true).set(VM_FUNCTION_CONTROL, 1L << 63));
        add(EntryCheck.VM_FUNCTION_CONTROLS, "EPTP switching without EPT", s -> {
            s.not(GuestKind.REAL_MODE_UNRESTRICTED);
            s.secondary(SecondaryProcessorBasedControl.ENABLE_EPT, false).secondary(SecondaryProcessorBasedControl.ENABLE_VM_FUNCTIONS, true).set(VM_FUNCTION_CONTROL, 1);
        });
        add(EntryCheck.VM_FUNCTION_CONTROLS, "EPTP-list address bit 4 set", s -> s.secondary(SecondaryProcessorBasedControl.ENABLE_EPT, true)
                .secondary(SecondaryProcessorBasedControl.ENABLE_VM_FUNCTIONS, true).set(VM_FUNCTION_CONTROL, 1).or(EPTP_LIST_ADDRESS, 0x10));
        add(EntryCheck.VM_FUNCTION_CONTROLS, "EPTP switching with EPT and an aligned list (valid)", s -> s.secondary(SecondaryProcessorBasedControl.ENABLE_EPT, true)
                .secondary(SecondaryProcessorBasedControl.ENABLE_VM_FUNCTIONS, true).set(VM_FUNCTION_CONTROL, 1));
        add(EntryCheck.PT_USES_GUEST_PHYSICAL_ADDRESSES, "Intel PT uses guest physical addresses alone", s -> s.secondary(SecondaryProcessorBasedControl.PT_USES_GUEST_PHYSICAL_ADDRESSES, true));
        add(EntryCheck.EXIT_CONTROLS_ALLOWED, "lowest bit allowed-0 forces cleared", s -> s.clear(VM_EXIT_CONTROLS, 1L << s.forcedBit(ControlField.PRIMARY_EXIT, false)));
        add(EntryCheck.EXIT_CONTROLS_ALLOWED, "highest bit allowed-0 forces cleared", s -> s.clear(VM_EXIT_CONTROLS, 1L << s.forcedBit(ControlField.PRIMARY_EXIT, true)));
        add(EntryCheck.EXIT_CONTROLS_ALLOWED, "lowest bit allowed-1 forbids set", s -> s.or(VM_EXIT_CONTROLS, 1L << s.forbiddenBit(ControlField.PRIMARY_EXIT, false)));
        add(EntryCheck.PREEMPTION_TIMER_SAVE_NEEDS_TIMER, "save timer value without the timer", s -> s.pin(PinBasedControl.ACTIVATE_VMX_PREEMPTION_TIMER, false)
                .exit(PrimaryExitControl.SAVE_VMX_PREEMPTION_TIMER_VALUE, true));
        add(EntryCheck.PREEMPTION_TIMER_SAVE_NEEDS_TIMER, "save timer value with the timer (valid)", s -> s.pin(PinBasedControl.ACTIVATE_VMX_PREEMPTION_TIMER, true)
                .exit(PrimaryExitControl.SAVE_VMX_PREEMPTION_TIMER_VALUE, true));
        add(EntryCheck.EXIT_MSR_AREAS_ALIGNED, "MSR-store count 1, address bit 3 set", s -> s.set(VM_EXIT_MSR_STORE_COUNT, 1).or(VM_EXIT_MSR_STORE_ADDR, 8));
        add(EntryCheck.EXIT_MSR_AREAS_ALIGNED, "MSR-load count 1, address bit 0 set", s -> s.set(VM_EXIT_MSR_LOAD_COUNT, 1).or(VM_EXIT_MSR_LOAD_ADDR, 1));
        add(EntryCheck.EXIT_MSR_AREAS_ALIGNED, "MSR-store count 0, address bit 3 set (valid)", s -> s.or(VM_EXIT_MSR_STORE_ADDR, 8));
        add(EntryCheck.ENTRY_CONTROLS_ALLOWED, "lowest bit allowed-0 forces cleared", s -> s.clear(VM_ENTRY_CONTROLS, 1L << s.forcedBit(ControlField.ENTRY, false)));
        add(EntryCheck.ENTRY_CONTROLS_ALLOWED, "highest bit allowed-0 forces cleared", s -> s.clear(VM_ENTRY_CONTROLS, 1L << s.forcedBit(ControlField.ENTRY, true)));
        add(EntryCheck.ENTRY_CONTROLS_ALLOWED, "lowest bit allowed-1 forbids set", s -> s.or(VM_ENTRY_CONTROLS, 1L << s.forbiddenBit(ControlField.ENTRY, false)));
        add(EntryCheck.ENTRY_SMM_CONTROLS_OFF, "entry to SMM set", s -> s.entry(EntryControl.ENTRY_TO_SMM, true));
        add(EntryCheck.ENTRY_SMM_CONTROLS_OFF, "deactivate dual-monitor treatment set", s -> s.entry(EntryControl.DEACTIVATE_DUAL_MONITOR_TREATMENT, true));
        // event injection (SDM 26.2.1.3): type, vector, error code, length
        add(EntryCheck.ENTRY_EVENT_INJECTION, "type 1 (reserved)", s -> s.inject(0x8000_0100L | 0x20));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "NMI with vector 3", s -> s.inject(0x8000_0203L));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "hardware exception vector 32", s -> s.inject(0x8000_0320L));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "hardware exception vector 31 (valid)", s -> s.inject(0x8000_031FL));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "reserved bit 12 set", s -> s.inject(0x8000_1000L | 0x300 | 6));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "reserved bit 30 set", s -> s.inject(0xC000_0000L | 0x300 | 6));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "#GP without an error code", s -> s.inject(0x8000_030DL));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "#GP with error code 0 (valid)", s -> {
            s.not(GuestKind.REAL_MODE_UNRESTRICTED);
            s.inject(0x8000_0B0DL).set(VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
        });
        add(EntryCheck.ENTRY_EVENT_INJECTION, "#UD with an error code", s -> s.inject(0x8000_0B06L));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "#PF error code 0x10000", s -> s.inject(0x8000_0B0EL).set(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x1_0000));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "#PF error code 0xFFFF (valid)", s -> {
            s.not(GuestKind.REAL_MODE_UNRESTRICTED);
            s.inject(0x8000_0B0EL).set(VM_ENTRY_EXCEPTION_ERROR_CODE, 0xFFFF);
        });
        add(EntryCheck.ENTRY_EVENT_INJECTION, "#CP (21) with an error code", s -> s.inject(0x8000_0B15L));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "#CP (21) without an error code", s -> s.inject(0x8000_0315L));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "software interrupt, length 0", s -> s.inject(0x8000_0480L).set(VM_ENTRY_INSTRUCTION_LEN, 0));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "software interrupt, length 16", s -> s.inject(0x8000_0480L).set(VM_ENTRY_INSTRUCTION_LEN, 16));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "software interrupt, length 15 (valid)", s -> s.inject(0x8000_0480L).set(VM_ENTRY_INSTRUCTION_LEN, 15));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "software exception #BP, length 0", s -> s.inject(0x8000_0603L).set(VM_ENTRY_INSTRUCTION_LEN, 0));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "privileged software exception, length 16", s -> s.inject(0x8000_0501L).set(VM_ENTRY_INSTRUCTION_LEN, 16));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "other event (pending MTF) with vector 1", s -> s.inject(0x8000_0701L));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "other event (pending MTF) with vector 0 (valid where monitor trap flag can be 1)", s -> s.inject(0x8000_0700L));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "#PF with an error code into the real-mode guest", s -> {
            s.only(GuestKind.REAL_MODE_UNRESTRICTED);
            s.inject(0x8000_0B0EL);
        });
        add(EntryCheck.ENTRY_EVENT_INJECTION, "external interrupt with an error code", s -> s.inject(0x8000_0820L).or(GUEST_RFLAGS, 0x200));
        add(EntryCheck.ENTRY_EVENT_INJECTION, "invalid injection field with reserved bits (valid: not injected)", s -> s.inject(0x7FFF_FFFFL));
        add(EntryCheck.ENTRY_MSR_LOAD_AREA_ALIGNED, "MSR-load count 1, address bit 2 set", s -> s.set(VM_ENTRY_MSR_LOAD_COUNT, 1).or(VM_ENTRY_MSR_LOAD_ADDR, 4));
        add(EntryCheck.ENTRY_MSR_LOAD_AREA_ALIGNED, "MSR-load count 2, address bit 3 set", s -> s.set(VM_ENTRY_MSR_LOAD_COUNT, 2).or(VM_ENTRY_MSR_LOAD_ADDR, 8));
    }

    private static void host() {
        add(EntryCheck.HOST_CR0_FIXED, "host CR0.PE cleared", s -> s.clear(HOST_CR0, 1));
        add(EntryCheck.HOST_CR0_FIXED, "host CR0.NE cleared", s -> s.clear(HOST_CR0, 0x20));
        add(EntryCheck.HOST_CR0_FIXED, "host CR0.PG cleared", s -> s.clear(HOST_CR0, 0x8000_0000L));
        add(EntryCheck.HOST_CR0_FIXED, "host CR0 bit 32 set", s -> s.or(HOST_CR0, 1L << 32));
        add(EntryCheck.HOST_CR4_FIXED, "host CR4.VMXE cleared", s -> s.clear(HOST_CR4, 0x2000));
        add(EntryCheck.HOST_CR4_FIXED, "host CR4 lowest bit FIXED1 forbids set", s -> s.or(HOST_CR4, Long.lowestOneBit(~s.cr4Fixed1())));
        add(EntryCheck.HOST_CET_NEEDS_WP, "host CR4.CET set, CR0.WP cleared", s -> s.or(HOST_CR4, 1L << 23).clear(HOST_CR0, 1L << 16));
        add(EntryCheck.HOST_CR3_WIDTH, "host CR3 bit 52 set", s -> s.or(HOST_CR3, 1L << 52));
        add(EntryCheck.HOST_CR3_WIDTH, "host CR3 bit 63 set", s -> s.or(HOST_CR3, 1L << 63));
        add(EntryCheck.HOST_CR3_WIDTH, "host CR3 bit 51 set (beyond most processors' physical-address width)", s -> s.or(HOST_CR3, 1L << 51));
        add(EntryCheck.HOST_SYSENTER_CANONICAL, "host SYSENTER_ESP 0x0000800000000000", s -> s.set(HOST_IA32_SYSENTER_ESP, CANONICAL_GAP_LOW));
        add(EntryCheck.HOST_SYSENTER_CANONICAL, "host SYSENTER_EIP 0xFFFF7FFFFFFFFFFF", s -> s.set(HOST_IA32_SYSENTER_EIP, CANONICAL_GAP_HIGH));
        add(EntryCheck.HOST_EFER, "load host EFER with reserved bit 1 set", s -> s.exit(PrimaryExitControl.LOAD_IA32_EFER, true).or(HOST_IA32_EFER, 2));
        add(EntryCheck.HOST_EFER, "load host EFER with LMA cleared", s -> s.exit(PrimaryExitControl.LOAD_IA32_EFER, true).set(HOST_IA32_EFER, s.get(HOST_IA32_EFER) & ~0x400L));
        add(EntryCheck.HOST_EFER, "load host EFER with LME cleared", s -> s.exit(PrimaryExitControl.LOAD_IA32_EFER, true).set(HOST_IA32_EFER, s.get(HOST_IA32_EFER) & ~0x100L));
        for (int type : new int[] {2, 3, 8}) {
            add(EntryCheck.HOST_PAT, "load host PAT with entry 1 type " + type, s -> s.exit(PrimaryExitControl.LOAD_IA32_PAT, true)
                    .set(HOST_IA32_PAT, (s.get(HOST_IA32_PAT) & ~0xFF00L) | ((long) type << 8)));
        }
        for (VmcsField selector : new VmcsField[] {HOST_ES_SELECTOR, HOST_CS_SELECTOR, HOST_SS_SELECTOR, HOST_DS_SELECTOR, HOST_FS_SELECTOR,
            HOST_GS_SELECTOR, HOST_TR_SELECTOR}) {
            add(EntryCheck.HOST_SELECTORS_RPL_TI, selector + " RPL 3", s -> s.or(selector, 3));
            add(EntryCheck.HOST_SELECTORS_RPL_TI, selector + " TI set", s -> s.or(selector, 4));
        }
        add(EntryCheck.HOST_CS_TR_NOT_NULL, "host CS selector 0", s -> s.set(HOST_CS_SELECTOR, 0));
        add(EntryCheck.HOST_CS_TR_NOT_NULL, "host TR selector 0", s -> s.set(HOST_TR_SELECTOR, 0));
        add(EntryCheck.HOST_SS_NOT_NULL_WITHOUT_64, "host SS selector 0 with a 32-bit host", s -> {
            s.not(GuestKind.IA32E_64BIT);
            s.exit(PrimaryExitControl.HOST_ADDRESS_SPACE_SIZE, false).set(HOST_SS_SELECTOR, 0);
        });
        for (VmcsField base : new VmcsField[] {HOST_FS_BASE, HOST_GS_BASE, HOST_TR_BASE, HOST_GDTR_BASE, HOST_IDTR_BASE}) {
            add(EntryCheck.HOST_BASES_CANONICAL, base + " 0x0000800000000000", s -> s.set(base, CANONICAL_GAP_LOW));
        }
        add(EntryCheck.HOST_BASES_CANONICAL, "HOST_GS_BASE 0xFFFF7FFFFFFFFFFF", s -> s.set(HOST_GS_BASE, CANONICAL_GAP_HIGH));
        add(EntryCheck.HOST_ADDRESS_SPACE, "64-bit host with CR4.PAE cleared", s -> s.clear(HOST_CR4, 0x20));
        add(EntryCheck.HOST_ADDRESS_SPACE, "64-bit host with RIP 0x0000800000000000", s -> s.set(HOST_RIP, CANONICAL_GAP_LOW));
        add(EntryCheck.HOST_ADDRESS_SPACE, "host address-space size 0 with IA-32e mode guest", s -> {
            s.only(GuestKind.IA32E_64BIT);
            s.exit(PrimaryExitControl.HOST_ADDRESS_SPACE_SIZE, false);
        });
        add(EntryCheck.HOST_ADDRESS_SPACE, "host address-space size 0 with host CR4.PCIDE", s -> {
            s.not(GuestKind.IA32E_64BIT);
            s.exit(PrimaryExitControl.HOST_ADDRESS_SPACE_SIZE, false).or(HOST_CR4, 1L << 17);
        });
        add(EntryCheck.HOST_ADDRESS_SPACE, "host address-space size 0 with host RIP bit 32", s -> {
            s.not(GuestKind.IA32E_64BIT);
            s.exit(PrimaryExitControl.HOST_ADDRESS_SPACE_SIZE, false).or(HOST_RIP, 1L << 32);
        });
        add(EntryCheck.HOST_ADDRESS_SPACE, "host address-space size 0 from a processor in IA-32e mode", s -> {
            s.not(GuestKind.IA32E_64BIT);
            s.exit(PrimaryExitControl.HOST_ADDRESS_SPACE_SIZE, false);
        });
    }

    private static void guestRegisters() {
        add(EntryCheck.GUEST_CR0_FIXED, "guest CR0.NE cleared", s -> s.clear(GUEST_CR0, 0x20));
        add(EntryCheck.GUEST_CR0_FIXED, "guest CR0.PE cleared", s -> {
            s.not(GuestKind.REAL_MODE_UNRESTRICTED);
            s.clear(GUEST_CR0, 1);
        });
        add(EntryCheck.GUEST_CR0_FIXED, "guest CR0 bit 32 set", s -> s.or(GUEST_CR0, 1L << 32));
        add(EntryCheck.GUEST_CR0_FIXED, "guest CR0.PE and PG cleared with unrestricted guest (valid)", s -> {
            s.not(GuestKind.IA32E_64BIT);
            s.secondary(SecondaryProcessorBasedControl.ENABLE_EPT, true).secondary(SecondaryProcessorBasedControl.UNRESTRICTED_GUEST, true)
                    .clear(GUEST_CR0, 0x8000_0001L);
        });
        add(EntryCheck.GUEST_CR0_PG_NEEDS_PE, "guest CR0.PG set, PE cleared (unrestricted guest)", s -> {
            s.only(GuestKind.REAL_MODE_UNRESTRICTED);
            s.or(GUEST_CR0, 0x8000_0000L);
        });
        add(EntryCheck.GUEST_CR4_FIXED, "guest CR4.VMXE cleared", s -> s.clear(GUEST_CR4, 0x2000));
        add(EntryCheck.GUEST_CR4_FIXED, "guest CR4 lowest bit FIXED1 forbids set", s -> s.or(GUEST_CR4, Long.lowestOneBit(~s.cr4Fixed1())));
        add(EntryCheck.GUEST_CET_NEEDS_WP, "guest CR4.CET set, CR0.WP cleared", s -> s.or(GUEST_CR4, 1L << 23).clear(GUEST_CR0, 1L << 16));
        add(EntryCheck.GUEST_CR3_WIDTH, "guest CR3 bit 52 set", s -> s.or(GUEST_CR3, 1L << 52));
        add(EntryCheck.GUEST_CR3_WIDTH, "guest CR3 bit 51 set (beyond most processors' physical-address width)", s -> s.or(GUEST_CR3, 1L << 51));
        add(EntryCheck.GUEST_CR3_WIDTH, "guest CR3 bit 39 set (valid on a 40-bit processor)", s -> s.or(GUEST_CR3, 1L << 39));
        add(EntryCheck.GUEST_DR7_UPPER, "load debug controls, DR7 bit 32 set", s -> s.entry(EntryControl.LOAD_DEBUG_CONTROLS, true).or(GUEST_DR7, 1L << 32));
        add(EntryCheck.GUEST_DR7_UPPER, "DR7 bit 63 set without load debug controls", s -> {
            if (!s.allowed(ControlField.ENTRY).canBeZero(EntryControl.LOAD_DEBUG_CONTROLS)) {
                throw new NotApplicable();
            }
            s.entry(EntryControl.LOAD_DEBUG_CONTROLS, false).or(GUEST_DR7, 1L << 63);
        });
        for (int bit : new int[] {3, 5, 16, 63}) {
            add(EntryCheck.GUEST_DEBUGCTL_RESERVED, "load debug controls, DEBUGCTL bit " + bit + " set", s -> s.entry(EntryControl.LOAD_DEBUG_CONTROLS, true)
                    .or(GUEST_IA32_DEBUGCTL, 1L << bit));
        }
        add(EntryCheck.GUEST_IA32E_MODE_PAGING, "IA-32e mode guest with CR4.PAE cleared", s -> {
            s.only(GuestKind.IA32E_64BIT);
            s.clear(GUEST_CR4, 0x20);
        });
        add(EntryCheck.GUEST_IA32E_MODE_PAGING, "IA-32e mode guest with CR0.PG cleared (unrestricted guest)", s -> {
            s.only(GuestKind.IA32E_64BIT);
            s.secondary(SecondaryProcessorBasedControl.ENABLE_EPT, true).secondary(SecondaryProcessorBasedControl.UNRESTRICTED_GUEST, true)
                    .clear(GUEST_CR0, 0x8000_0000L);
        });
        add(EntryCheck.GUEST_IA32E_MODE_PAGING, "32-bit guest with CR4.PCIDE set", s -> {
            s.not(GuestKind.IA32E_64BIT);
            s.or(GUEST_CR4, 1L << 17);
        });
        add(EntryCheck.GUEST_SYSENTER_CANONICAL, "guest SYSENTER_ESP 0x0000800000000000", s -> s.set(GUEST_SYSENTER_ESP, CANONICAL_GAP_LOW));
        add(EntryCheck.GUEST_SYSENTER_CANONICAL, "guest SYSENTER_EIP 0xFFFF7FFFFFFFFFFF", s -> s.set(GUEST_SYSENTER_EIP, CANONICAL_GAP_HIGH));
        add(EntryCheck.GUEST_SYSENTER_CANONICAL, "guest SYSENTER_EIP 0x00007FFFFFFFF000 (valid)", s -> s.set(GUEST_SYSENTER_EIP, CANONICAL_TOP));
        add(EntryCheck.GUEST_EFER, "load guest EFER with reserved bit 1 set", s -> s.entry(EntryControl.LOAD_IA32_EFER, true).or(GUEST_IA32_EFER, 2));
        add(EntryCheck.GUEST_EFER, "load guest EFER with LMA not matching IA-32e mode guest", s -> s.entry(EntryControl.LOAD_IA32_EFER, true)
                .set(GUEST_IA32_EFER, s.get(GUEST_IA32_EFER) ^ 0x400));
        add(EntryCheck.GUEST_EFER, "load guest EFER with LME not matching LMA under paging", s -> {
            s.not(GuestKind.REAL_MODE_UNRESTRICTED);
            s.entry(EntryControl.LOAD_IA32_EFER, true).set(GUEST_IA32_EFER, s.get(GUEST_IA32_EFER) ^ 0x100);
        });
        add(EntryCheck.GUEST_EFER, "load guest EFER with LME 1, LMA 0 without paging (valid)", s -> {
            s.only(GuestKind.REAL_MODE_UNRESTRICTED);
            s.entry(EntryControl.LOAD_IA32_EFER, true).set(GUEST_IA32_EFER, 0x100);
        });
        add(EntryCheck.GUEST_EFER, "load guest EFER with NXE and SCE (valid)", s -> s.entry(EntryControl.LOAD_IA32_EFER, true).or(GUEST_IA32_EFER, 0x801));
        for (int type : new int[] {2, 3, 8, 0xFF}) {
            add(EntryCheck.GUEST_PAT, "load guest PAT with entry 7 type " + type, s -> s.entry(EntryControl.LOAD_IA32_PAT, true)
                    .set(GUEST_IA32_PAT, (s.get(GUEST_IA32_PAT) & ~(0xFFL << 56)) | ((long) type << 56)));
        }
        add(EntryCheck.GUEST_PAT, "load guest PAT all UC 0 (valid)", s -> s.entry(EntryControl.LOAD_IA32_PAT, true).set(GUEST_IA32_PAT, 0));
        add(EntryCheck.GUEST_BNDCFGS, "load BNDCFGS with bit 2 set", s -> s.entry(EntryControl.LOAD_IA32_BNDCFGS, true).or(GUEST_BNDCFGS, 4));
        add(EntryCheck.GUEST_RIP_UPPER_BITS, "RIP bit 32 set outside 64-bit mode", s -> {
            s.not(GuestKind.IA32E_64BIT);
            s.or(GUEST_RIP, 1L << 32);
        });
        add(EntryCheck.GUEST_RIP_UPPER_BITS, "RIP bit 32 set in IA-32e mode with CS.L 0 (compatibility mode)", s -> {
            s.only(GuestKind.IA32E_64BIT);
            s.set(GUEST_CS_AR_BYTES, 0xC09B).or(GUEST_RIP, 1L << 32);
        });
        add(EntryCheck.GUEST_RIP_UPPER_BITS, "RIP 0xFFFFFFFF outside 64-bit mode (valid)", s -> {
            s.not(GuestKind.IA32E_64BIT);
            s.set(GUEST_RIP, 0xFFFF_FFFFL);
        });
        add(EntryCheck.GUEST_RIP_CANONICAL, "64-bit RIP 0x0000800000000000", s -> {
            s.only(GuestKind.IA32E_64BIT);
            s.set(GUEST_RIP, CANONICAL_GAP_LOW);
        });
        add(EntryCheck.GUEST_RIP_CANONICAL, "64-bit RIP 0xFFFF800000000000 (valid)", s -> {
            s.only(GuestKind.IA32E_64BIT);
            s.set(GUEST_RIP, 0xFFFF_8000_0000_0000L);
        });
        for (int bit : new int[] {3, 5, 15, 22, 63}) {
            add(EntryCheck.GUEST_RFLAGS_RESERVED, "RFLAGS bit " + bit + " set", s -> s.or(GUEST_RFLAGS, 1L << bit));
        }
        add(EntryCheck.GUEST_RFLAGS_RESERVED, "RFLAGS bit 1 cleared", s -> s.clear(GUEST_RFLAGS, 2));
        add(EntryCheck.GUEST_RFLAGS_RESERVED, "RFLAGS 0x3F7FD5 (every defined flag but VM, valid)", s -> s.set(GUEST_RFLAGS, 0x3D_0FD7L & ~(1L << 17)));
        add(EntryCheck.GUEST_RFLAGS_VM, "RFLAGS.VM in IA-32e mode", s -> {
            s.only(GuestKind.IA32E_64BIT);
            s.or(GUEST_RFLAGS, 1L << 17);
        });
        add(EntryCheck.GUEST_RFLAGS_VM, "RFLAGS.VM with CR0.PE 0", s -> {
            s.only(GuestKind.REAL_MODE_UNRESTRICTED);
            s.or(GUEST_RFLAGS, 1L << 17);
        });
        add(EntryCheck.GUEST_RFLAGS_IF_FOR_INTERRUPT, "external interrupt injected with RFLAGS.IF 0", s -> s.inject(0x8000_0020L).clear(GUEST_RFLAGS, 0x200));
        add(EntryCheck.GUEST_RFLAGS_IF_FOR_INTERRUPT, "external interrupt injected with RFLAGS.IF 1 (valid)", s -> s.inject(0x8000_0020L).or(GUEST_RFLAGS, 0x200));
    }

    private static void guestSegments() {
        add(EntryCheck.GUEST_TR, "TR selector TI set", s -> s.or(GUEST_TR_SELECTOR, 4));
        add(EntryCheck.GUEST_TR, "TR unusable", s -> s.or(GUEST_TR_AR_BYTES, 0x1_0000));
        add(EntryCheck.GUEST_TR, "TR type 3 (busy 16-bit TSS)", s -> s.set(GUEST_TR_AR_BYTES, (s.get(GUEST_TR_AR_BYTES) & ~0xFL) | 3));
        add(EntryCheck.GUEST_TR, "TR type 9 (available TSS)", s -> s.set(GUEST_TR_AR_BYTES, (s.get(GUEST_TR_AR_BYTES) & ~0xFL) | 9));
        add(EntryCheck.GUEST_TR, "TR S set", s -> s.or(GUEST_TR_AR_BYTES, 0x10));
        add(EntryCheck.GUEST_TR, "TR not present", s -> s.clear(GUEST_TR_AR_BYTES, 0x80));
        add(EntryCheck.GUEST_TR, "TR access rights bit 8 set", s -> s.or(GUEST_TR_AR_BYTES, 0x100));
        add(EntryCheck.GUEST_TR, "TR access rights bit 17 set", s -> s.or(GUEST_TR_AR_BYTES, 1L << 17));
        add(EntryCheck.GUEST_TR, "TR base 0x0000800000000000", s -> s.set(GUEST_TR_BASE, CANONICAL_GAP_LOW));
        add(EntryCheck.GUEST_TR, "TR base bit 32 set (canonical, valid)", s -> s.set(GUEST_TR_BASE, 1L << 32));
        add(EntryCheck.GUEST_LDTR, "usable LDTR (valid)", s -> s.segment(GuestSegment.LDTR, 0x28, 0x82, 0xFFFF, 0x9000));
        add(EntryCheck.GUEST_LDTR, "usable LDTR with TI set", s -> s.segment(GuestSegment.LDTR, 0x2C, 0x82, 0xFFFF, 0x9000));
        add(EntryCheck.GUEST_LDTR, "usable LDTR type 3", s -> s.segment(GuestSegment.LDTR, 0x28, 0x83, 0xFFFF, 0x9000));
        add(EntryCheck.GUEST_LDTR, "usable LDTR with S set", s -> s.segment(GuestSegment.LDTR, 0x28, 0x92, 0xFFFF, 0x9000));
        add(EntryCheck.GUEST_LDTR, "usable LDTR not present", s -> s.segment(GuestSegment.LDTR, 0x28, 0x02, 0xFFFF, 0x9000));
        add(EntryCheck.GUEST_LDTR, "usable LDTR base 0xFFFF7FFFFFFFFFFF", s -> s.segment(GuestSegment.LDTR, 0x28, 0x82, 0xFFFF, CANONICAL_GAP_HIGH));
        add(EntryCheck.GUEST_LDTR, "unusable LDTR with TI set and type 0 (valid)", s -> s.segment(GuestSegment.LDTR, 0x2C, 0x1_0000, 0, 0));
        add(EntryCheck.GUEST_SS_RPL, "SS RPL 3 with CS RPL 0", s -> s.or(GUEST_SS_SELECTOR, 3));
        add(EntryCheck.GUEST_CS_TYPE, "CS type 8 (not accessed)", s -> s.set(GUEST_CS_AR_BYTES, (s.get(GUEST_CS_AR_BYTES) & ~0xFL) | 8));
        add(EntryCheck.GUEST_CS_TYPE, "CS type 3 (data)", s -> s.set(GUEST_CS_AR_BYTES, (s.get(GUEST_CS_AR_BYTES) & ~0xFL) | 3));
        add(EntryCheck.GUEST_CS_TYPE, "CS type 9 (execute-only, valid)", s -> s.set(GUEST_CS_AR_BYTES, (s.get(GUEST_CS_AR_BYTES) & ~0xFL) | 9));
        add(EntryCheck.GUEST_CS_TYPE, "CS type 1 (read-only data)", s -> s.set(GUEST_CS_AR_BYTES, (s.get(GUEST_CS_AR_BYTES) & ~0xFL) | 1));
        add(EntryCheck.GUEST_CS_TYPE, "CS S cleared", s -> s.clear(GUEST_CS_AR_BYTES, 0x10));
        add(EntryCheck.GUEST_CS_TYPE, "CS not present", s -> s.clear(GUEST_CS_AR_BYTES, 0x80));
        add(EntryCheck.GUEST_CS_TYPE, "CS access rights bit 11 set", s -> s.or(GUEST_CS_AR_BYTES, 0x800));
        add(EntryCheck.GUEST_CS_TYPE, "CS unusable", s -> s.or(GUEST_CS_AR_BYTES, 0x1_0000));
        add(EntryCheck.GUEST_CS_DPL, "non-conforming CS DPL 3, SS DPL 0", s -> s.or(GUEST_CS_AR_BYTES, 0x60));
        add(EntryCheck.GUEST_CS_DPL, "non-conforming CS DPL 3 with selector RPL 3, SS DPL 0", s -> s.or(GUEST_CS_AR_BYTES, 0x60).or(GUEST_CS_SELECTOR, 3));
        add(EntryCheck.GUEST_CS_DPL, "conforming CS (type 15) DPL 3, SS DPL 0", s -> s.set(GUEST_CS_AR_BYTES, (s.get(GUEST_CS_AR_BYTES) & ~0xFL) | 0xF | 0x60));
        add(EntryCheck.GUEST_CS_DPL, "conforming CS (type 13) DPL 0 (valid)", s -> s.set(GUEST_CS_AR_BYTES, (s.get(GUEST_CS_AR_BYTES) & ~0xFL) | 0xD));
        add(EntryCheck.GUEST_CS_DPL, "CS type 3 DPL 1 (unrestricted guest)", s -> {
            s.only(GuestKind.REAL_MODE_UNRESTRICTED);
            s.set(GUEST_CS_AR_BYTES, 0xB3);
        });
        add(EntryCheck.GUEST_CS_DPL, "CS type 3 DPL 0 (unrestricted guest, valid)", s -> {
            s.only(GuestKind.REAL_MODE_UNRESTRICTED);
            s.set(GUEST_CS_AR_BYTES, 0x93);
        });
        add(EntryCheck.GUEST_CS_L_AND_D, "CS.L and CS.D both set in IA-32e mode", s -> {
            s.only(GuestKind.IA32E_64BIT);
            s.or(GUEST_CS_AR_BYTES, 0x4000);
        });
        add(EntryCheck.GUEST_SS, "SS type 11 (code)", s -> s.set(GUEST_SS_AR_BYTES, (s.get(GUEST_SS_AR_BYTES) & ~0xFL) | 11));
        add(EntryCheck.GUEST_SS, "SS type 1 (read-only)", s -> s.set(GUEST_SS_AR_BYTES, (s.get(GUEST_SS_AR_BYTES) & ~0xFL) | 1));
        add(EntryCheck.GUEST_SS, "SS type 7 (expand-down, valid)", s -> s.set(GUEST_SS_AR_BYTES, (s.get(GUEST_SS_AR_BYTES) & ~0xFL) | 7));
        add(EntryCheck.GUEST_SS, "SS not present", s -> s.clear(GUEST_SS_AR_BYTES, 0x80));
        add(EntryCheck.GUEST_SS, "SS S cleared", s -> s.clear(GUEST_SS_AR_BYTES, 0x10));
        add(EntryCheck.GUEST_SS, "SS DPL 3 with selector RPL 0", s -> s.or(GUEST_SS_AR_BYTES, 0x60));
        add(EntryCheck.GUEST_SS, "SS unusable (valid)", s -> s.or(GUEST_SS_AR_BYTES, 0x1_0000));
        add(EntryCheck.GUEST_SS, "SS not present with selector 0 in 64-bit mode", s -> {
            s.only(GuestKind.IA32E_64BIT);
            s.set(GUEST_SS_SELECTOR, 0).clear(GUEST_SS_AR_BYTES, 0x80);
        });
        add(EntryCheck.GUEST_SS, "SS type 11 with selector 0 in 64-bit mode", s -> {
            s.only(GuestKind.IA32E_64BIT);
            s.set(GUEST_SS_SELECTOR, 0).set(GUEST_SS_AR_BYTES, (s.get(GUEST_SS_AR_BYTES) & ~0xFL) | 11);
        });
        for (GuestSegment segment : DATA) {
            add(EntryCheck.GUEST_DATA_SEGMENTS, segment + " type 2 (not accessed)", s -> s.set(segment.accessRights(), (s.get(segment.accessRights()) & ~0xFL) | 2));
            add(EntryCheck.GUEST_DATA_SEGMENTS, segment + " type 9 (execute-only code)", s -> s.set(segment.accessRights(), (s.get(segment.accessRights()) & ~0xFL) | 9));
            add(EntryCheck.GUEST_DATA_SEGMENTS, segment + " not present", s -> s.clear(segment.accessRights(), 0x80));
            add(EntryCheck.GUEST_DATA_SEGMENTS, segment + " unusable and not present (valid)", s -> s.set(segment.accessRights(), 0x1_0000));
        }
        add(EntryCheck.GUEST_DATA_SEGMENTS, "DS S cleared", s -> s.clear(GUEST_DS_AR_BYTES, 0x10));
        add(EntryCheck.GUEST_DATA_SEGMENTS, "DS type 11 (readable code, valid)", s -> s.set(GUEST_DS_AR_BYTES, (s.get(GUEST_DS_AR_BYTES) & ~0xFL) | 11));
        add(EntryCheck.GUEST_DATA_SEGMENTS, "DS RPL 3 above DPL 0", s -> s.or(GUEST_DS_SELECTOR, 3));
        add(EntryCheck.GUEST_DATA_SEGMENTS, "ES access rights bit 9 set", s -> s.or(GUEST_ES_AR_BYTES, 0x200));
        add(EntryCheck.GUEST_DATA_SEGMENTS, "GS access rights bit 31 set", s -> s.or(GUEST_GS_AR_BYTES, 1L << 31));
        add(EntryCheck.GUEST_SEGMENT_LIMITS, "CS limit 0xFFFFFFFE with G 1", s -> s.set(GUEST_CS_LIMIT, 0xFFFF_FFFEL).or(GUEST_CS_AR_BYTES, 0x8000));
        add(EntryCheck.GUEST_SEGMENT_LIMITS, "DS limit 0x100000 with G 0", s -> s.set(GUEST_DS_LIMIT, 0x10_0000).clear(GUEST_DS_AR_BYTES, 0x8000));
        add(EntryCheck.GUEST_SEGMENT_LIMITS, "SS limit 0xFFFFF with G 0 (valid)", s -> s.set(GUEST_SS_LIMIT, 0xF_FFFF).clear(GUEST_SS_AR_BYTES, 0x8000));
        add(EntryCheck.GUEST_SEGMENT_LIMITS, "TR limit 0x100067 with G 0", s -> s.set(GUEST_TR_LIMIT, 0x10_0067));
        add(EntryCheck.GUEST_SEGMENT_LIMITS, "unusable FS limit 0x100000 with G 0 (valid)", s -> s.set(GUEST_FS_AR_BYTES, 0x1_0000).set(GUEST_FS_LIMIT, 0x10_0000));
        add(EntryCheck.GUEST_SEGMENT_BASES, "FS base 0x0000800000000000", s -> s.set(GUEST_FS_BASE, CANONICAL_GAP_LOW));
        add(EntryCheck.GUEST_SEGMENT_BASES, "unusable GS base 0xFFFF7FFFFFFFFFFF", s -> s.set(GUEST_GS_AR_BYTES, 0x1_0000).set(GUEST_GS_BASE, CANONICAL_GAP_HIGH));
        add(EntryCheck.GUEST_SEGMENT_BASES, "CS base bit 32 set", s -> s.or(GUEST_CS_BASE, 1L << 32));
        add(EntryCheck.GUEST_SEGMENT_BASES, "SS base bit 32 set", s -> s.or(GUEST_SS_BASE, 1L << 32));
        add(EntryCheck.GUEST_SEGMENT_BASES, "unusable DS base bit 32 set (valid)", s -> s.set(GUEST_DS_AR_BYTES, 0x1_0000).or(GUEST_DS_BASE, 1L << 32));
        add(EntryCheck.GUEST_VIRTUAL_8086, "virtual-8086 mode with consistent segments (valid)", s -> {
            s.only(GuestKind.PROTECTED_32BIT);
            v86(s, 0xF3);
        });
        add(EntryCheck.GUEST_VIRTUAL_8086, "virtual-8086 mode with CS access rights 0x93", s -> {
            s.only(GuestKind.PROTECTED_32BIT);
            v86(s, 0xF3).set(GUEST_CS_AR_BYTES, 0x93);
        });
        add(EntryCheck.GUEST_VIRTUAL_8086, "virtual-8086 mode with DS base not selector << 4", s -> {
            s.only(GuestKind.PROTECTED_32BIT);
            v86(s, 0xF3).set(GUEST_DS_BASE, 0x1234);
        });
        add(EntryCheck.GUEST_VIRTUAL_8086, "virtual-8086 mode with SS limit 0xFFFFF", s -> {
            s.only(GuestKind.PROTECTED_32BIT);
            v86(s, 0xF3).set(GUEST_SS_LIMIT, 0xF_FFFF);
        });
        add(EntryCheck.GUEST_DESCRIPTOR_TABLES, "GDTR base 0x0000800000000000", s -> s.set(GUEST_GDTR_BASE, CANONICAL_GAP_LOW));
        add(EntryCheck.GUEST_DESCRIPTOR_TABLES, "IDTR base 0xFFFF7FFFFFFFFFFF", s -> s.set(GUEST_IDTR_BASE, CANONICAL_GAP_HIGH));
        add(EntryCheck.GUEST_DESCRIPTOR_TABLES, "GDTR limit 0x10000", s -> s.set(GUEST_GDTR_LIMIT, 0x1_0000));
        add(EntryCheck.GUEST_DESCRIPTOR_TABLES, "IDTR limit 0xFFFF (valid)", s -> s.set(GUEST_IDTR_LIMIT, 0xFFFF));
    }

    private static State v86(State s, long ar) {
        s.or(GUEST_RFLAGS, 1L << 17);
        long selector = 0x1000;
        for (GuestSegment segment : new GuestSegment[] {GuestSegment.CS, GuestSegment.SS, GuestSegment.DS, GuestSegment.ES, GuestSegment.FS,
            GuestSegment.GS}) {
            s.segment(segment, selector, ar, 0xFFFF, selector << 4);
        }
        return s.set(GUEST_RIP, 0x100);
    }

    private static void guestNonRegister() {
        add(EntryCheck.GUEST_ACTIVITY_STATE, "activity state 4", s -> s.set(GUEST_ACTIVITY_STATE, 4));
        add(EntryCheck.GUEST_ACTIVITY_STATE, "activity state 0xFFFFFFFF", s -> s.set(GUEST_ACTIVITY_STATE, 0xFFFF_FFFFL));
        add(EntryCheck.GUEST_ACTIVITY_STATE, "HLT (valid)", s -> s.set(GUEST_ACTIVITY_STATE, 1));
        add(EntryCheck.GUEST_ACTIVITY_STATE, "shutdown (valid where IA32_VMX_MISC reports it)", s -> s.set(GUEST_ACTIVITY_STATE, 2));
        add(EntryCheck.GUEST_ACTIVITY_STATE, "wait-for-SIPI (valid where IA32_VMX_MISC reports it)", s -> s.set(GUEST_ACTIVITY_STATE, 3));
        add(EntryCheck.GUEST_ACTIVITY_STATE, "HLT with SS.DPL 3", s -> {
            s.only(GuestKind.PROTECTED_32BIT);
            s.set(GUEST_CS_SELECTOR, 0x0B).or(GUEST_CS_AR_BYTES, 0x60).set(GUEST_SS_SELECTOR, 0x13).or(GUEST_SS_AR_BYTES, 0x60)
                    .set(GUEST_ACTIVITY_STATE, 1);
        });
        add(EntryCheck.GUEST_ACTIVITY_STATE_BLOCKING, "HLT with blocking by STI", s -> s.or(GUEST_RFLAGS, 0x200).set(GUEST_INTERRUPTIBILITY_INFO, 1)
                .set(GUEST_ACTIVITY_STATE, 1));
        add(EntryCheck.GUEST_ACTIVITY_STATE_BLOCKING, "shutdown with blocking by MOV SS", s -> s.set(GUEST_INTERRUPTIBILITY_INFO, 2).set(GUEST_ACTIVITY_STATE, 2));
        add(EntryCheck.GUEST_ACTIVITY_STATE_BLOCKING, "wait-for-SIPI with entry to SMM", s -> s.entry(EntryControl.ENTRY_TO_SMM, true).set(GUEST_ACTIVITY_STATE, 3));
        add(EntryCheck.GUEST_ACTIVITY_STATE_INJECTION, "HLT with #GP injected", s -> s.set(GUEST_ACTIVITY_STATE, 1).inject(0x8000_0B0DL));
        add(EntryCheck.GUEST_ACTIVITY_STATE_INJECTION, "HLT with #DB injected (valid)", s -> s.set(GUEST_ACTIVITY_STATE, 1).inject(0x8000_0301L));
        add(EntryCheck.GUEST_ACTIVITY_STATE_INJECTION, "HLT with an external interrupt injected (valid)", s -> s.set(GUEST_ACTIVITY_STATE, 1)
                .or(GUEST_RFLAGS, 0x200).inject(0x8000_0030L));
        add(EntryCheck.GUEST_ACTIVITY_STATE_INJECTION, "shutdown with an external interrupt injected", s -> s.set(GUEST_ACTIVITY_STATE, 2)
                .or(GUEST_RFLAGS, 0x200).inject(0x8000_0030L));
        add(EntryCheck.GUEST_ACTIVITY_STATE_INJECTION, "shutdown with #MC injected (valid)", s -> s.set(GUEST_ACTIVITY_STATE, 2).inject(0x8000_0312L));
        add(EntryCheck.GUEST_ACTIVITY_STATE_INJECTION, "shutdown with #UD injected", s -> s.set(GUEST_ACTIVITY_STATE, 2).inject(0x8000_0306L));
        add(EntryCheck.GUEST_ACTIVITY_STATE_INJECTION, "wait-for-SIPI with an NMI injected", s -> s.set(GUEST_ACTIVITY_STATE, 3).inject(0x8000_0202L));
        add(EntryCheck.GUEST_INTERRUPTIBILITY, "interruptibility bit 5 set", s -> s.set(GUEST_INTERRUPTIBILITY_INFO, 0x20));
        add(EntryCheck.GUEST_INTERRUPTIBILITY, "interruptibility bit 31 set", s -> s.set(GUEST_INTERRUPTIBILITY_INFO, 0x8000_0000L));
        add(EntryCheck.GUEST_INTERRUPTIBILITY, "blocking by STI and MOV SS", s -> s.or(GUEST_RFLAGS, 0x200).set(GUEST_INTERRUPTIBILITY_INFO, 3));
        add(EntryCheck.GUEST_INTERRUPTIBILITY, "blocking by STI with RFLAGS.IF 0", s -> s.clear(GUEST_RFLAGS, 0x200).set(GUEST_INTERRUPTIBILITY_INFO, 1));
        add(EntryCheck.GUEST_INTERRUPTIBILITY, "blocking by STI with RFLAGS.IF 1 (valid)", s -> s.or(GUEST_RFLAGS, 0x200).set(GUEST_INTERRUPTIBILITY_INFO, 1));
        add(EntryCheck.GUEST_INTERRUPTIBILITY, "blocking by MOV SS (valid)", s -> s.set(GUEST_INTERRUPTIBILITY_INFO, 2));
        add(EntryCheck.GUEST_INTERRUPTIBILITY, "external interrupt injected with blocking by MOV SS", s -> s.or(GUEST_RFLAGS, 0x200)
                .set(GUEST_INTERRUPTIBILITY_INFO, 2).inject(0x8000_0030L));
        add(EntryCheck.GUEST_INTERRUPTIBILITY, "NMI injected with blocking by MOV SS", s -> s.set(GUEST_INTERRUPTIBILITY_INFO, 2).inject(0x8000_0202L));
        add(EntryCheck.GUEST_NMI_INJECTION_STI_BLOCKING, "NMI injected with blocking by STI", s -> s.or(GUEST_RFLAGS, 0x200)
                .set(GUEST_INTERRUPTIBILITY_INFO, 1).inject(0x8000_0202L));
        add(EntryCheck.GUEST_INTERRUPTIBILITY_SMI_NMI_ENCLAVE, "blocking by SMI outside SMM", s -> s.set(GUEST_INTERRUPTIBILITY_INFO, 4));
        add(EntryCheck.GUEST_INTERRUPTIBILITY_SMI_NMI_ENCLAVE, "enclave interruption with blocking by MOV SS", s -> s.set(GUEST_INTERRUPTIBILITY_INFO, 0x12));
        add(EntryCheck.GUEST_INTERRUPTIBILITY_SMI_NMI_ENCLAVE, "NMI injected with virtual NMIs and blocking by NMI", s -> s.pin(PinBasedControl.NMI_EXITING, true)
                .pin(PinBasedControl.VIRTUAL_NMIS, true).set(GUEST_INTERRUPTIBILITY_INFO, 8).inject(0x8000_0202L));
        add(EntryCheck.GUEST_INTERRUPTIBILITY_SMI_NMI_ENCLAVE, "blocking by NMI without injection (valid)", s -> s.set(GUEST_INTERRUPTIBILITY_INFO, 8));
        for (int bit : new int[] {4, 11, 13, 15, 16, 17, 63}) {
            add(EntryCheck.GUEST_PENDING_DEBUG_EXCEPTIONS, "pending debug exceptions bit " + bit + " set", s -> s.set(GUEST_PENDING_DBG_EXCEPTIONS, 1L << bit));
        }
        add(EntryCheck.GUEST_PENDING_DEBUG_EXCEPTIONS, "pending B0-B3, enabled breakpoint and BS (valid)", s -> s.or(GUEST_RFLAGS, 0x100)
                .set(GUEST_PENDING_DBG_EXCEPTIONS, 0x500F));
        add(EntryCheck.GUEST_PENDING_DEBUG_EXCEPTIONS, "BS 1 with blocking by MOV SS and RFLAGS.TF 0", s -> s.clear(GUEST_RFLAGS, 0x100)
                .set(GUEST_INTERRUPTIBILITY_INFO, 2).set(GUEST_PENDING_DBG_EXCEPTIONS, 0x4000));
        add(EntryCheck.GUEST_PENDING_DEBUG_EXCEPTIONS, "BS 0 with blocking by MOV SS and RFLAGS.TF 1", s -> s.or(GUEST_RFLAGS, 0x100)
                .set(GUEST_INTERRUPTIBILITY_INFO, 2).set(GUEST_PENDING_DBG_EXCEPTIONS, 0));
        add(EntryCheck.GUEST_PENDING_DEBUG_EXCEPTIONS, "BS 1 in HLT with RFLAGS.TF 1 (valid)", s -> s.or(GUEST_RFLAGS, 0x100)
                .set(GUEST_ACTIVITY_STATE, 1).set(GUEST_PENDING_DBG_EXCEPTIONS, 0x4000));
        add(EntryCheck.GUEST_VMCS_LINK_POINTER, "link pointer bit 11 set", s -> s.set(VMCS_LINK_POINTER, s.page(EntryStateGenerator.Layout.LINKED_VMCS) | 0x800));
        add(EntryCheck.GUEST_VMCS_LINK_POINTER, "link pointer 0xFFFFFFFFFFFFF000", s -> s.set(VMCS_LINK_POINTER, 0xFFFF_FFFF_FFFF_F000L));
        add(EntryCheck.GUEST_VMCS_LINK_POINTER, "link pointer bit 51 set", s -> s.set(VMCS_LINK_POINTER, (1L << 51) | s.page(EntryStateGenerator.Layout.LINKED_VMCS)));
        add(EntryCheck.GUEST_VMCS_LINK_POINTER, "linked VMCS with revision 0", s -> {
            long link = s.page(EntryStateGenerator.Layout.LINKED_VMCS);
            s.set(VMCS_LINK_POINTER, link).poke(link, 0);
        });
        add(EntryCheck.GUEST_VMCS_LINK_POINTER, "linked VMCS with the processor's revision (valid)", s -> {
            long link = s.page(EntryStateGenerator.Layout.LINKED_VMCS);
            s.set(VMCS_LINK_POINTER, link).poke(link, s.caps.basic().revisionId());
        });
        add(EntryCheck.GUEST_VMCS_LINK_POINTER, "linked VMCS with the shadow indicator but no VMCS shadowing", s -> {
            long link = s.page(EntryStateGenerator.Layout.LINKED_VMCS);
            s.set(VMCS_LINK_POINTER, link).poke(link, s.caps.basic().revisionId() | 0x8000_0000L);
        });
        add(EntryCheck.GUEST_VMCS_LINK_POINTER, "VMCS shadowing with a linked shadow VMCS (valid)", s -> {
            long link = s.page(EntryStateGenerator.Layout.LINKED_VMCS);
            s.secondary(SecondaryProcessorBasedControl.VMCS_SHADOWING, true).set(VMCS_LINK_POINTER, link)
                    .poke(link, s.caps.basic().revisionId() | 0x8000_0000L);
        });
        add(EntryCheck.GUEST_VMCS_LINK_POINTER, "VMCS shadowing with an ordinary linked VMCS", s -> {
            long link = s.page(EntryStateGenerator.Layout.LINKED_VMCS);
            s.secondary(SecondaryProcessorBasedControl.VMCS_SHADOWING, true).set(VMCS_LINK_POINTER, link).poke(link, s.caps.basic().revisionId());
        });
        add(EntryCheck.GUEST_PDPTES, "PAE paging with EPT, PDPTE0 present with bit 1 set", s -> pae(s, true).set(GUEST_PDPTR0, 0x3));
        add(EntryCheck.GUEST_PDPTES, "PAE paging with EPT, PDPTE3 present with bit 5 set", s -> pae(s, true).set(GUEST_PDPTR3, 0x21));
        add(EntryCheck.GUEST_PDPTES, "PAE paging with EPT, PDPTE1 present with bit 63 set", s -> pae(s, true).set(GUEST_PDPTR1, 0x8000_0000_0000_1001L));
        add(EntryCheck.GUEST_PDPTES, "PAE paging with EPT, PDPTE2 not present with reserved bits (valid)", s -> pae(s, true).set(GUEST_PDPTR2, 0x6));
        add(EntryCheck.GUEST_PDPTES, "PAE paging with EPT, present PDPTEs (valid)", s -> pae(s, true).set(GUEST_PDPTR0, 0x1001).set(GUEST_PDPTR1, 0x2001));
        add(EntryCheck.GUEST_PDPTES_FROM_MEMORY, "PAE paging without EPT, PDPTE0 present with bit 2 set in memory", s -> {
            pae(s, false);
            s.poke(s.page(EntryStateGenerator.Layout.PDPT), 0x5);
        });
        add(EntryCheck.GUEST_PDPTES_FROM_MEMORY, "PAE paging without EPT, present PDPTEs in memory (valid)", s -> {
            pae(s, false);
            s.poke(s.page(EntryStateGenerator.Layout.PDPT), 0x1001).poke(s.page(EntryStateGenerator.Layout.PDPT) + 8, 0x2001);
        });
        add(EntryCheck.ENTRY_MSR_LOAD_COUNT, "MSR-load count 513 of IA32_TSC_AUX entries", s -> msrLoad(s, 513, 0xC000_0103L, 0));
        add(EntryCheck.ENTRY_MSR_LOAD_LIST, "MSR-load entry 1 loads IA32_FS_BASE", s -> msrLoad(s, 1, 0xC000_0100L, 0));
        add(EntryCheck.ENTRY_MSR_LOAD_LIST, "MSR-load entry 2 loads an x2APIC MSR (0x808)", s -> msrLoad(s, 2, 0xC000_0103L, 0).poke(s.get(VM_ENTRY_MSR_LOAD_ADDR) + 16, 0x808));
        add(EntryCheck.ENTRY_MSR_LOAD_LIST, "MSR-load entry 1 with bits 63:32 set", s -> msrLoad(s, 1, 0x1_C000_0103L, 0));
        add(EntryCheck.ENTRY_MSR_LOAD_LIST, "MSR-load entry 1 loads IA32_SMM_MONITOR_CTL", s -> msrLoad(s, 1, 0x9B, 0));
        add(EntryCheck.ENTRY_MSR_LOAD_LIST, "MSR-load entry 1 loads IA32_TSC_AUX 0 (valid)", s -> msrLoad(s, 1, 0xC000_0103L, 0));
    }

    /** PAE paging outside IA-32e mode, with or without EPT, CR3 at the PDPT page. */
    private static State pae(State s, boolean ept) {
        s.only(GuestKind.PROTECTED_32BIT);
        s.or(GUEST_CR4, 0x20).set(GUEST_CR3, s.page(EntryStateGenerator.Layout.PDPT));
        if (ept) {
            s.secondary(SecondaryProcessorBasedControl.ENABLE_EPT, true);
        } else if (s.secondaryActive()) {
            s.secondary(SecondaryProcessorBasedControl.ENABLE_EPT, false);
        }
        return s;
    }

    /** {@code count} VM-entry MSR-load entries of MSR {@code index} (bits 63:0 of each entry's first half) and {@code value}. */
    private static State msrLoad(State s, int count, long first, long value) {
        long area = s.get(VM_ENTRY_MSR_LOAD_ADDR);
        if ((area & 0xF) != 0) {
            throw new NotApplicable(); // a misaligned area fails before its entries are read: nothing to store
        }
        s.set(VM_ENTRY_MSR_LOAD_COUNT, count);
        for (int i = 0; i < Math.min(count, 520); i++) {
            s.poke(area + 16L * i, first).poke(area + 16L * i + 8, value);
        }
        return s;
    }
}
