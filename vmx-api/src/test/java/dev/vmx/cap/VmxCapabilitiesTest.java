package dev.vmx.cap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.SourceTable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Decoding a real capability dump, check/adjust with TRUE vs non-TRUE MSRs, and decoder totality. */
class VmxCapabilitiesTest {
    static Map<Integer, Long> i7_5600uMsrs() {
        return SampleCapabilities.coreI7_5600uMsrs();
    }

    static VmxCapabilities i7_5600u() {
        return SampleCapabilities.coreI7_5600u();
    }

    @Test
    void decodesBasicOfRealDump() {
        VmxBasic basic = i7_5600u().basic();
        assertEquals(0x12, basic.revisionId());
        assertEquals(0x400, basic.regionSize());
        assertEquals(6, basic.memoryType());
        assertTrue(basic.insOutsReporting());
        assertTrue(basic.trueControls());
        assertTrue(basic.dualMonitorSmm());
        assertFalse(basic.physicalAddressesLimitedTo32Bits());
        assertFalse(basic.noErrorCodeRequired());
        assertEquals(0, basic.reservedBits());
    }

    @Test
    void decodesMiscAndEnumAndEpt() {
        VmxCapabilities caps = i7_5600u();
        VmxMisc misc = caps.misc(); // 0x300481e5
        assertEquals(5, misc.preemptionTimerTscShift());
        assertTrue(misc.storesEferLmaOnExit());
        assertEquals(0b111, misc.activityStates());
        assertEquals(4, misc.cr3TargetCount());
        assertEquals(512, misc.maxMsrListEntries());
        assertTrue(misc.vmwriteToExitInfo());
        assertTrue(misc.smmMonitorCtlBit2());
        assertFalse(misc.zeroLengthInjection());
        assertEquals(0, misc.msegRevisionId());
        assertEquals(0x15, caps.highestVmcsIndex().getAsLong());
        assertEquals(1L, caps.vmFunctions().getAsLong());
        assertTrue(caps.eptpSwitching());
        EptVpidCapability ept = caps.eptVpid().orElseThrow(); // 0xf0106334141
        assertTrue(ept.has(EptVpidCapabilityBit.EXECUTE_ONLY_PAGES));
        assertTrue(ept.has(EptVpidCapabilityBit.PAGE_WALK_LENGTH_4));
        assertTrue(ept.has(EptVpidCapabilityBit.MEMORY_TYPE_WRITE_BACK));
        assertTrue(ept.has(EptVpidCapabilityBit.PDPTE_1GB_PAGES));
        assertTrue(ept.has(EptVpidCapabilityBit.EPT_ACCESSED_AND_DIRTY_FLAGS));
        assertFalse(ept.has(EptVpidCapabilityBit.PAGE_WALK_LENGTH_5));
        assertTrue(ept.has(EptVpidCapabilityBit.INVVPID_SINGLE_CONTEXT_RETAIN_GLOBALS));
        assertEquals(0, ept.undefinedBits());
    }

    @Test
    void realProcbasedAllowedSettings() {
        // 0xfff9fffe0401e172: allowed-1 high word 0xfff9fffe, allowed-0 low word 0x0401e172.
        AllowedSettings nonTrue = AllowedSettings.ofPair(ControlField.PRIMARY_PROCESSOR_BASED,
                VmxMsr.IA32_VMX_PROCBASED_CTLS, 0xfff9fffe0401e172L);
        assertTrue(nonTrue.canBeOne(PrimaryProcessorBasedControl.HLT_EXITING));
        assertTrue(nonTrue.canBeZero(PrimaryProcessorBasedControl.HLT_EXITING));
        assertFalse(nonTrue.canBeZero(PrimaryProcessorBasedControl.CR3_LOAD_EXITING));
        assertFalse(nonTrue.canBeOne(PrimaryProcessorBasedControl.ACTIVATE_TERTIARY_CONTROLS));
        assertTrue(nonTrue.canBeOne(PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS));
    }

    @Test
    void trueMsrsAreChosenWhenBasicBit55IsSet() {
        VmxCapabilities caps = i7_5600u();
        AllowedSettings allowed = caps.allowed(ControlField.PRIMARY_PROCESSOR_BASED);
        assertEquals(VmxMsr.IA32_VMX_TRUE_PROCBASED_CTLS, allowed.source());
        // TRUE MSR lets CR3-load/store exiting be cleared (allowed-0 0x04006172 lacks bits 15, 16).
        assertTrue(caps.check(ControlField.PRIMARY_PROCESSOR_BASED, 0x04006172L).isEmpty());

        Map<Integer, Long> msrs = i7_5600uMsrs();
        msrs.put(0x480, msrs.get(0x480) & ~(1L << 55));
        VmxCapabilities noTrue = VmxCapabilities.fromMsrs(msrs);
        assertEquals(VmxMsr.IA32_VMX_PROCBASED_CTLS, noTrue.allowed(ControlField.PRIMARY_PROCESSOR_BASED).source());
        List<ControlViolation> violations = noTrue.check(ControlField.PRIMARY_PROCESSOR_BASED, 0x04006172L);
        assertEquals(2, violations.size());
        assertEquals(Optional.of(PrimaryProcessorBasedControl.CR3_LOAD_EXITING), violations.get(0).control());
        assertTrue(violations.get(0).mustBeOne());
        assertEquals("PRIMARY_PROCESSOR_BASED bit 15 (CR3_LOAD_EXITING) must be 1 per IA32_VMX_PROCBASED_CTLS",
                violations.get(0).toString());
        assertEquals(0x0401e172L, noTrue.adjust(ControlField.PRIMARY_PROCESSOR_BASED, 0x04006172L));
    }

    @Test
    void checkNamesForbiddenBitsAndAdjustClearsThem() {
        VmxCapabilities caps = i7_5600u();
        long proposed = 0x04006172L | PrimaryProcessorBasedControl.ACTIVATE_TERTIARY_CONTROLS.mask();
        List<ControlViolation> violations = caps.check(ControlField.PRIMARY_PROCESSOR_BASED, proposed);
        assertEquals(1, violations.size());
        assertFalse(violations.get(0).mustBeOne());
        assertEquals(17, violations.get(0).bitNumber());
        long adjusted = caps.adjust(ControlField.PRIMARY_PROCESSOR_BASED, proposed);
        assertEquals(0x04006172L, adjusted);
        assertTrue(caps.check(ControlField.PRIMARY_PROCESSOR_BASED, adjusted).isEmpty());
        // Secondary controls have no TRUE MSR; allowed-0 word is 0 here, allowed-1 0x57cff.
        assertEquals(VmxMsr.IA32_VMX_PROCBASED_CTLS2, caps.allowed(ControlField.SECONDARY_PROCESSOR_BASED).source());
        assertEquals(SecondaryProcessorBasedControl.ENABLE_EPT.mask(),
                caps.adjust(ControlField.SECONDARY_PROCESSOR_BASED, SecondaryProcessorBasedControl.ENABLE_EPT.mask()
                        | SecondaryProcessorBasedControl.ENABLE_PML.mask()));
    }

    @Test
    void adjustedValuesAlwaysPassCheck() {
        VmxCapabilities caps = i7_5600u();
        Random random = new Random(5);
        for (ControlField field : new ControlField[] {ControlField.PIN_BASED, ControlField.PRIMARY_PROCESSOR_BASED,
            ControlField.SECONDARY_PROCESSOR_BASED, ControlField.PRIMARY_EXIT, ControlField.ENTRY}) {
            for (int i = 0; i < 1000; i++) {
                long proposed = random.nextLong() & 0xffff_ffffL;
                long adjusted = caps.adjust(field, proposed);
                assertTrue(caps.check(field, adjusted).isEmpty(), field + " 0x" + Long.toHexString(proposed));
                assertEquals(caps.check(field, proposed).isEmpty(), adjusted == proposed);
            }
        }
    }

    @Test
    void sixtyFourBitAllowed1OnlyFields() {
        Map<Integer, Long> msrs = i7_5600uMsrs();
        msrs.put(0x492, TertiaryProcessorBasedControl.ENABLE_IPI_VIRTUALIZATION.mask());
        VmxCapabilities caps = VmxCapabilities.fromMsrs(msrs);
        AllowedSettings tertiary = caps.allowed(ControlField.TERTIARY_PROCESSOR_BASED);
        assertEquals(0, tertiary.allowed0());
        assertEquals(0x10L, caps.adjust(ControlField.TERTIARY_PROCESSOR_BASED, -1L));
        assertEquals(63, caps.check(ControlField.TERTIARY_PROCESSOR_BASED, -1L).size());
    }

    @Test
    void crFixedBits() {
        VmxCapabilities caps = i7_5600u();
        assertEquals(0, caps.cr0Violations(0x80000031L)); // PG|NE|ET|PE
        assertEquals(0x80000000L, caps.cr0Violations(0x31L)); // PG must be 1
        assertEquals(0, caps.cr4Violations(0x2020L)); // VMXE|PAE
        assertEquals(0x2000L, caps.cr4Violations(0x20L)); // VMXE must be 1
        assertEquals(1L << 23, caps.cr4Violations(0x2000L | 1L << 23)); // CET not allowed by FIXED1 0x3767ff
    }

    @Test
    void missingMsrIsNamed() {
        Map<Integer, Long> msrs = i7_5600uMsrs();
        msrs.remove(0x48e);
        NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> VmxCapabilities.fromMsrs(msrs));
        assertTrue(e.getMessage().contains("IA32_VMX_TRUE_PROCBASED_CTLS"), e.getMessage());
        VmxCapabilities caps = i7_5600u();
        // The Broadwell dump may not set "activate secondary controls" of the exit controls or "activate
        // tertiary controls" (allowed-1 bits 63 of 0x48f and 49 of 0x48e are 0), so those MSRs do not
        // exist: the fields allow nothing, and the violation names the MSR that forbids activating them.
        AllowedSettings tertiary = caps.allowed(ControlField.TERTIARY_PROCESSOR_BASED);
        assertEquals(new AllowedSettings(ControlField.TERTIARY_PROCESSOR_BASED, VmxMsr.IA32_VMX_TRUE_PROCBASED_CTLS, 0, 0),
                tertiary);
        assertEquals(0, caps.adjust(ControlField.SECONDARY_EXIT, -1L));
        assertEquals("SECONDARY_EXIT bit 0 (SAVE_IA32_FRED) must be 0 per IA32_VMX_TRUE_EXIT_CTLS",
                caps.check(ControlField.SECONDARY_EXIT, 1).get(0).toString());
        // Secondary controls may be activated (bit 63 of 0x48e), so a missing 0x48b is missing data.
        Map<Integer, Long> noSecondary = i7_5600uMsrs();
        noSecondary.remove(0x48b);
        NoSuchElementException secondary = assertThrows(NoSuchElementException.class,
                () -> VmxCapabilities.fromMsrs(noSecondary).allowed(ControlField.SECONDARY_PROCESSOR_BASED));
        assertEquals("IA32_VMX_PROCBASED_CTLS2 (MSR 0x48b) was not supplied, although IA32_VMX_TRUE_PROCBASED_CTLS allows "
                + "ACTIVATE_SECONDARY_CONTROLS to be 1", secondary.getMessage());
        Map<Integer, Long> withTertiary = i7_5600uMsrs();
        withTertiary.put(0x48e, withTertiary.get(0x48e) | 1L << 49);
        NoSuchElementException ctls3 = assertThrows(NoSuchElementException.class,
                () -> VmxCapabilities.fromMsrs(withTertiary).allowed(ControlField.TERTIARY_PROCESSOR_BASED));
        assertTrue(ctls3.getMessage().startsWith("IA32_VMX_PROCBASED_CTLS3 (MSR 0x492) was not supplied"), ctls3.getMessage());
        assertFalse(caps.msr(VmxMsr.IA32_VMX_EXIT_CTLS2).isPresent());
        Map<Integer, Long> withoutOptional = i7_5600uMsrs();
        withoutOptional.remove(0x491);
        withoutOptional.remove(0x48a);
        VmxCapabilities minimal = VmxCapabilities.fromMsrs(withoutOptional);
        assertFalse(minimal.eptpSwitching());
        assertFalse(minimal.highestVmcsIndex().isPresent());
        Map<Integer, Long> bad = i7_5600uMsrs();
        bad.put(0x3a, 5L);
        IllegalArgumentException notVmx = assertThrows(IllegalArgumentException.class,
                () -> VmxCapabilities.fromMsrs(bad));
        assertTrue(notVmx.getMessage().contains("0x3a"), notVmx.getMessage());
    }

    @Test
    void decodersAreTotalAndKeepUndefinedBits() {
        Random random = new Random(283);
        long[] samples = new long[2000 + 66];
        samples[0] = 0;
        samples[1] = -1L;
        for (int i = 0; i < 64; i++) {
            samples[2 + i] = 1L << i;
        }
        for (int i = 66; i < samples.length; i++) {
            samples[i] = random.nextLong();
        }
        for (long value : samples) {
            for (ControlField field : ControlField.values()) {
                ControlSet set = field.decode(value);
                long rebuilt = set.undefinedBits();
                for (ControlBit bit : set.bits()) {
                    rebuilt |= bit.mask();
                }
                assertEquals(value, rebuilt, field + " loses bits of 0x" + Long.toHexString(value));
                assertTrue(set.toString().startsWith(field.name()));
            }
            VmxBasic basic = VmxBasic.of(value);
            assertTrue(basic.toString().startsWith("VmxBasic{"));
            assertTrue(basic.regionSize() >= 0 && basic.regionSize() <= 0x1fff);
            VmxMisc misc = VmxMisc.of(value);
            assertTrue(misc.maxMsrListEntries() >= 512 && misc.maxMsrListEntries() <= 4096);
            EptVpidCapability ept = EptVpidCapability.of(value);
            long rebuilt = ept.undefinedBits() | (long) ept.maxHlatPrefixSize() << 48;
            for (EptVpidCapabilityBit bit : ept.bits()) {
                rebuilt |= bit.mask();
            }
            assertEquals(value, rebuilt);
        }
        assertEquals("PRIMARY_PROCESSOR_BASED{HLT_EXITING, undefined=0x1}",
                ControlField.PRIMARY_PROCESSOR_BASED.decode(0x81).toString());
    }
}
