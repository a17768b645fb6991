package dev.vmx.entry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.cap.SampleCapabilities;
import dev.vmx.cap.VmxCapabilities;
import dev.vmx.entry.ValidVmcs.GuestKind;
import dev.vmx.vmcs.FieldChange;
import dev.vmx.vmcs.FieldType;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link EntryStateGenerator} on Bochs 2.7's corei7_skylake_x capabilities (and the Core i7-5600U's):
 * valid bases, single-rule mutations that break the rule they name (each rule the capabilities can
 * express, with the rules they cannot listed), valid boundary values that stay valid, deterministic
 * seeded random mutations that keep away from the host state, and labels that say what changed.
 */
class EntryStateGeneratorTest {
    private static final VmxCapabilities BOCHS = SampleCapabilities.bochsSkylakeX();
    private static final EntryStateGenerator GENERATOR = EntryStateGenerator.of(BOCHS);

    /** Bochs 2.7's MAXPHYADDR: CPUID.80000008H:EAX = 0x3028 (header of bochs-2.7-skylake-x-vmx-msrs.txt). */
    static final int BOCHS_PHYSICAL_ADDRESS_WIDTH = 40;

    private static EntryCheckReport check(VmxCapabilities caps, GeneratedVmcs state) {
        return EntryChecker.create().withCapabilities(caps).withMemory(state.guestMemory()).withPhysicalAddressWidth(BOCHS_PHYSICAL_ADDRESS_WIDTH)
                .check(state.vmcs());
    }

    @Test
    void basesArePresentForEveryKindAndPassEveryCheck() {
        assertEquals(EnumSet.allOf(GuestKind.class), GENERATOR.baseStates().keySet());
        assertEquals(Map.of(), GENERATOR.unavailableKinds());
        for (GeneratedVmcs base : GENERATOR.bases()) {
            EntryCheckReport report = check(BOCHS, base);
            assertEquals(List.of(), report.failures(), base + ": " + report);
            assertEquals(List.of(), report.notJudged(), base.label());
            // every guest exits before its first instruction: VMX-preemption timer 0
            assertEquals(0x40, base.vmcs().read(VmcsField.PIN_BASED_VM_EXEC_CONTROL) & 0x40, base.label());
            assertEquals(0, base.vmcs().read(VmcsField.VMX_PREEMPTION_TIMER_VALUE));
            assertEquals(base.kind() + " base", base.label());
        }
    }

    /**
     * Rules no mutation fails on Bochs's corei7_skylake_x (a check fails even when an earlier one decides the
     * outcome, e.g. POSTED_INTERRUPTS beside PIN_BASED_ALLOWED): only one, whose field the processor lacks.
     */
    private static final Map<EntryCheck, String> UNREACHABLE_ON_BOCHS = Map.of(
            EntryCheck.GUEST_BNDCFGS, "entry allowed-1 bit 16 (load IA32_BNDCFGS) is 0, so the GUEST_BNDCFGS field does not exist");

    @Test
    void everyRuleTheCapabilitiesCanExpressIsBrokenByAMutationNamedForIt() {
        Map<EntryCheck, Integer> broken = new EnumMap<>(EntryCheck.class);
        for (GeneratedVmcs state : GENERATOR.singleRuleMutations()) {
            EntryCheck target = state.target().orElseThrow();
            assertTrue(state.label().startsWith(state.kind() + " " + target + ": "), state.label());
            if (check(BOCHS, state).outcome(target).status() == CheckStatus.FAILED) {
                broken.merge(target, 1, Integer::sum);
            }
        }
        Set<EntryCheck> missing = EnumSet.allOf(EntryCheck.class);
        missing.removeAll(broken.keySet());
        assertEquals(UNREACHABLE_ON_BOCHS.keySet(), missing, "rules no mutation breaks on Bochs");
        // boundary values: most rules are broken several ways
        assertTrue(broken.values().stream().filter(n -> n >= 2).count() >= 50, broken.toString());
    }

    @Test
    void theUnreachableRulesAreBrokenOnAProcessorThatHasTheirControls() {
        // with every control allowed (allowed-1 all ones, TERTIARY present) the same catalogue breaks every rule but the CET ones
        Map<Integer, Long> msrs = SampleCapabilities.bochsSkylakeXMsrs();
        msrs.replaceAll((index, value) -> index >= 0x481 && index <= 0x484 || index >= 0x48d && index <= 0x490 ? value | 0xFFFF_FFFF_0000_0000L
                : index == 0x48b ? 0xFFFF_FFFF_0000_0000L : value);
        msrs.put(0x492, 0xFFL);
        msrs.put(0x489, msrs.get(0x489) | (1L << 23) | (1L << 11)); // CET allowed in CR4
        VmxCapabilities everything = VmxCapabilities.fromMsrs(msrs);
        EntryStateGenerator generator = EntryStateGenerator.of(everything);
        Set<EntryCheck> broken = EnumSet.noneOf(EntryCheck.class);
        for (GeneratedVmcs state : generator.singleRuleMutations()) {
            if (check(everything, state).outcome(state.target().orElseThrow()).status() == CheckStatus.FAILED) {
                broken.add(state.target().orElseThrow());
            }
        }
        assertTrue(broken.containsAll(UNREACHABLE_ON_BOCHS.keySet()), "still unbroken: "
                + UNREACHABLE_ON_BOCHS.keySet().stream().filter(c -> !broken.contains(c)).collect(Collectors.toList()));
    }

    @Test
    void mutationsNamedValidStayValid() {
        int valid = 0;
        for (GeneratedVmcs state : GENERATOR.singleRuleMutations()) {
            if (state.label().contains("(valid)")) {
                valid++;
                EntryCheckReport report = check(BOCHS, state);
                assertEquals(List.of(), report.failures(), state.label());
            }
        }
        assertTrue(valid >= 40, "valid boundary states: " + valid);
    }

    @Test
    void singleRuleMutationsChangeTheBaseAndOnlyHostStateToInvalidValues() {
        List<GeneratedVmcs> states = GENERATOR.singleRuleMutations();
        assertTrue(states.size() >= 500, "single-rule states: " + states.size());
        for (GeneratedVmcs state : states) {
            VmcsSnapshot base = GENERATOR.baseStates().get(state.kind());
            List<FieldChange> changes = state.changesFrom(base);
            assertTrue(!changes.isEmpty() || !state.memory().isEmpty(), state.label());
            boolean hostChanged = changes.stream().anyMatch(c -> c.field().type() == FieldType.HOST_STATE);
            if (hostChanged) {
                // a changed host state must fail VM entry before the host state is loaded: VMfail (SDM 26.2)
                assertTrue(check(BOCHS, state).vmInstructionError().isPresent(), state.label() + " changes host state but enters");
            }
        }
    }

    @Test
    void generationIsDeterministicAndLabelsAreUnique() {
        List<GeneratedVmcs> first = GENERATOR.generate(42, 10_000);
        List<GeneratedVmcs> again = EntryStateGenerator.of(BOCHS).generate(42, 10_000);
        assertEquals(10_000, first.size());
        assertEquals(first, again);
        Set<String> labels = new HashSet<>();
        for (GeneratedVmcs state : first) {
            assertTrue(labels.add(state.label()), "duplicate label " + state.label());
        }
        List<GeneratedVmcs> other = GENERATOR.randomMutations(43, 100);
        assertNotEquals(GENERATOR.randomMutations(42, 100), other);
    }

    @Test
    void randomMutationsKeepAwayFromHostStateAndMsrAreas() {
        Set<VmcsField> forbidden = EnumSet.of(VmcsField.VM_EXIT_MSR_STORE_COUNT, VmcsField.VM_EXIT_MSR_LOAD_COUNT,
                VmcsField.VM_ENTRY_MSR_LOAD_COUNT, VmcsField.VM_EXIT_MSR_STORE_ADDR, VmcsField.VM_EXIT_MSR_LOAD_ADDR);
        Map<String, Integer> outcomes = new TreeMap<>();
        for (GeneratedVmcs state : GENERATOR.randomMutations(7, 3000)) {
            assertTrue(state.label().startsWith("random[7/"), state.label());
            assertTrue(state.target().isEmpty());
            boolean msrCatalogue = state.label().matches(".*(EXIT_MSR_AREAS_ALIGNED|ENTRY_MSR_LOAD).*");
            for (FieldChange change : state.changesFrom(GENERATOR.baseStates().get(state.kind()))) {
                assertFalse(change.field().type() == FieldType.HOST_STATE, state.label() + " changes " + change);
                if (!msrCatalogue) {
                    assertFalse(forbidden.contains(change.field()), state.label() + " changes " + change);
                }
            }
            outcomes.merge(check(BOCHS, state).verdict().replaceAll("\\(.*", ""), 1, Integer::sum);
        }
        // a mix of outcome classes, not all of one kind
        assertTrue(outcomes.size() >= 4, outcomes.toString());
    }

    @Test
    void memoryTheStateReliesOnIsGivenWithIt() {
        GeneratedVmcs link = GENERATOR.singleRuleMutations().stream()
                .filter(s -> s.label().equals("IA32E_64BIT GUEST_VMCS_LINK_POINTER: linked VMCS with the processor's revision (valid)"))
                .findFirst().orElseThrow();
        long pointer = link.vmcs().read(VmcsField.VMCS_LINK_POINTER);
        assertEquals(Map.of(pointer, 0x2BL), link.memory());
        assertEquals(CheckStatus.PASSED, check(BOCHS, link).outcome(EntryCheck.GUEST_VMCS_LINK_POINTER).status());
        assertEquals(CheckStatus.NOT_JUDGED, EntryChecker.create().withCapabilities(BOCHS).check(link.vmcs())
                .outcome(EntryCheck.GUEST_VMCS_LINK_POINTER).status(), "without the memory the linked VMCS cannot be read");
    }

    @Test
    void fieldsTheProcessorLacksAreNeverWritten() {
        Set<VmcsField> absent = EnumSet.of(VmcsField.GUEST_IA32_PAT, VmcsField.VMREAD_BITMAP, VmcsField.VMWRITE_BITMAP);
        EntryStateGenerator generator = EntryStateGenerator.builder(BOCHS).writable(f -> !absent.contains(f)).build();
        for (GeneratedVmcs state : generator.generate(1, 2000)) {
            for (VmcsField field : absent) {
                assertTrue(state.vmcs().find(field).isEmpty(), state.label() + " writes " + field);
            }
        }
    }

    @Test
    void theHostStateGivenIsTheBasesHostState() {
        VmcsSnapshot l1 = VmcsSnapshot.builder().put(VmcsField.HOST_TR_SELECTOR, 0x20).put(VmcsField.HOST_RIP, 0x7e42)
                .put(VmcsField.HOST_CR0, 0x8000_0031L).put(VmcsField.GUEST_RIP, 0x1234).build();
        EntryStateGenerator generator = EntryStateGenerator.builder(BOCHS).hostState(l1).pageBase(0x20_0000).build();
        for (VmcsSnapshot base : generator.baseStates().values()) {
            assertEquals(0x20, base.read(VmcsField.HOST_TR_SELECTOR));
            assertEquals(0x7e42, base.read(VmcsField.HOST_RIP));
            assertNotEquals(0x1234, base.read(VmcsField.GUEST_RIP), "only host fields are taken");
            assertEquals(0x20_0000, base.read(VmcsField.GUEST_RIP), "guest code on the first page");
        }
        assertThrows(IllegalArgumentException.class, () -> EntryStateGenerator.builder(BOCHS).pageBase(0x1234));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EntryStateGenerator.builder(BOCHS)
                .hostState(VmcsSnapshot.builder().put(VmcsField.HOST_CS_SELECTOR, 0).build()).build());
        assertTrue(e.getMessage().contains("HOST_CS_TR_NOT_NULL"), e.getMessage());
    }

    @Test
    void theCoreI75600uGetsItsOwnStates() {
        VmxCapabilities i7 = SampleCapabilities.coreI7_5600u();
        EntryStateGenerator generator = EntryStateGenerator.of(i7);
        assertEquals(EnumSet.allOf(GuestKind.class), generator.baseStates().keySet());
        for (GeneratedVmcs state : generator.bases()) {
            assertEquals(List.of(), check(i7, state).failures(), state.label());
        }
        long brokenRules = generator.singleRuleMutations().stream()
                .filter(s -> check(i7, s).outcome(s.target().orElseThrow()).status() == CheckStatus.FAILED)
                .map(s -> s.target().orElseThrow()).distinct().count();
        assertTrue(brokenRules >= EntryCheck.values().length - 9, "rules broken on the i7-5600U: " + brokenRules);
    }
}
