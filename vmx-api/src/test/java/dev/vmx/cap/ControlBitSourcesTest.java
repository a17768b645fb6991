package dev.vmx.cap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.SourceTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every control bit against ia32-doc (SDM names) and Linux 6.1 (macro masks), both directions. */
class ControlBitSourcesTest {
    private static ControlBit bit(String enumName, int bit) {
        for (ControlField field : ControlField.values()) {
            for (ControlBit candidate : field.bits()) {
                if (candidate.getClass().getSimpleName().equals(enumName) && candidate.bit() == bit) {
                    return candidate;
                }
            }
        }
        throw new AssertionError(enumName + " has no bit " + bit);
    }

    @Test
    void sdmNamesMatchIa32Doc() {
        Set<ControlBit> named = new HashSet<>();
        for (String[] row : SourceTable.rows(getClass(), "ia32doc-control-bits.txt", true)) {
            ControlBit bit = bit(row[0], Integer.parseInt(row[1]));
            assertEquals(Optional.of(row[2]), bit.sdmName(), row[0] + " bit " + row[1]);
            named.add(bit);
        }
        for (ControlField field : ControlField.values()) {
            for (ControlBit bit : field.bits()) {
                assertEquals(named.contains(bit), bit.sdmName().isPresent(), bit + " SDM name without source");
            }
        }
    }

    @Test
    void linuxMasksMatchVmxH() {
        Set<ControlBit> named = new HashSet<>();
        List<String[]> rows = new ArrayList<>(SourceTable.rows(getClass(), "linux-6.1-control-bits.txt", true));
        // Bits newer than 6.1 whose Linux names come from a posted KVM series.
        rows.addAll(SourceTable.rows(getClass(), "kvm-fred-series-control-bits.txt", true));
        for (String[] row : rows) {
            long mask = SourceTable.cInteger(row[2]);
            ControlBit bit = bit(row[0], Long.numberOfTrailingZeros(mask));
            assertEquals(mask, bit.mask(), row[1]);
            assertEquals(Optional.of(row[1]), bit.linuxName(), row[1]);
            named.add(bit);
        }
        for (ControlField field : ControlField.values()) {
            for (ControlBit bit : field.bits()) {
                assertEquals(named.contains(bit), bit.linuxName().isPresent(), bit + " Linux name without source");
                assertTrue(bit.sdmName().isPresent() || bit.linuxName().isPresent(), bit + " has no source");
                assertEquals(field, bit.field());
                assertEquals(Optional.of(bit), field.bitAt(bit.bit()));
            }
        }
    }

    @Test
    void wellKnownLinuxNames() {
        assertEquals(Optional.of("CPU_BASED_HLT_EXITING"), PrimaryProcessorBasedControl.HLT_EXITING.linuxName());
        assertEquals(0x80L, PrimaryProcessorBasedControl.HLT_EXITING.mask());
        assertEquals(Optional.of("SECONDARY_EXEC_ENABLE_EPT"), SecondaryProcessorBasedControl.ENABLE_EPT.linuxName());
        assertEquals(Optional.of("VM_EXIT_LOAD_IA32_EFER"), PrimaryExitControl.LOAD_IA32_EFER.linuxName());
        assertEquals(Optional.of("PIN_BASED_POSTED_INTR"), PinBasedControl.PROCESS_POSTED_INTERRUPTS.linuxName());
        assertEquals(Optional.of("TERTIARY_EXEC_IPI_VIRT"),
                TertiaryProcessorBasedControl.ENABLE_IPI_VIRTUALIZATION.linuxName());
        assertEquals(4, TertiaryProcessorBasedControl.ENABLE_IPI_VIRTUALIZATION.bit());
    }

    @Test
    void linuxAlwaysOnMasksAreTheDefault1BitsOfTheRealDump() {
        // Linux's *_ALWAYSON_WITHOUT_TRUE_MSR equal the allowed-0 words of the non-TRUE MSRs of a real CPU.
        VmxCapabilities caps = VmxCapabilitiesTest.i7_5600u();
        for (String[] row : SourceTable.rows(getClass(), "linux-6.1-alwayson.txt", true)) {
            ControlField field = switch (row[0]) {
                case "CPU_BASED_ALWAYSON_WITHOUT_TRUE_MSR" -> ControlField.PRIMARY_PROCESSOR_BASED;
                case "PIN_BASED_ALWAYSON_WITHOUT_TRUE_MSR" -> ControlField.PIN_BASED;
                case "VM_EXIT_ALWAYSON_WITHOUT_TRUE_MSR" -> ControlField.PRIMARY_EXIT;
                case "VM_ENTRY_ALWAYSON_WITHOUT_TRUE_MSR" -> ControlField.ENTRY;
                default -> throw new AssertionError(row[0]);
            };
            long nonTrue = caps.msr(field.capabilityMsr()).getAsLong();
            assertEquals(SourceTable.cInteger(row[1]),
                    AllowedSettings.ofPair(field, field.capabilityMsr(), nonTrue).allowed0(), row[0]);
        }
    }

    @Test
    void sdmDefault1ClassIsWhatTheNonTrueMsrForcesAndLinuxAlwaysOn() {
        long default1 = 0;
        for (String[] row : SourceTable.rows(getClass(), "sdm-default1-procbased.txt", false)) {
            default1 |= 1L << Integer.parseInt(row[0]);
        }
        assertEquals(0x0401e172L, default1); // Linux CPU_BASED_ALWAYSON_WITHOUT_TRUE_MSR
        AllowedSettings real = AllowedSettings.ofPair(ControlField.PRIMARY_PROCESSOR_BASED,
                VmxMsr.IA32_VMX_PROCBASED_CTLS, 0xfff9fffe0401e172L);
        assertEquals(default1, real.allowed0());
        // The default1 bits that carry no name are reserved; CR3-load/store exiting (15, 16) are named.
        assertEquals(Optional.of(PrimaryProcessorBasedControl.CR3_LOAD_EXITING),
                ControlField.PRIMARY_PROCESSOR_BASED.bitAt(15));
        assertEquals(Optional.empty(), ControlField.PRIMARY_PROCESSOR_BASED.bitAt(1));
    }

    @Test
    void msrIndexesMatchMsrIndexH() {
        List<String[]> rows = SourceTable.rows(getClass(), "vmx-msr-indexes.txt", true);
        assertEquals(VmxMsr.values().length, rows.size());
        for (String[] row : rows) {
            VmxMsr msr = VmxMsr.valueOf(row[0]);
            assertEquals(SourceTable.cInteger(row[1]), msr.index(), row[0]);
            assertEquals(Optional.of(msr), VmxMsr.ofIndex(msr.index()));
        }
        assertEquals(Optional.empty(), VmxMsr.ofIndex(0x47f));
    }

    @Test
    void eptVpidBitsMatchVmxH() {
        for (String[] row : SourceTable.rows(getClass(), "linux-6.1-ept-vpid-cap.txt", true)) {
            EptVpidCapabilityBit bit = EptVpidCapabilityBit.valueOf(row[0]);
            long linuxMask = SourceTable.cInteger(row[2]);
            long mask = row[1].startsWith("VMX_VPID_") ? linuxMask << 32 : linuxMask;
            assertEquals(mask, bit.mask(), row[1]);
            assertEquals(Optional.of(row[1]), bit.linuxName());
        }
    }

    /** The {@code #define} lines of a resource whose header names its origin. */
    private static List<String> defineLines(String name) {
        try (java.io.InputStream in = ControlBitSourcesTest.class.getResourceAsStream(name)) {
            List<String> lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
            assertTrue(lines.get(0).startsWith("# Origin:"), name + " names its origin first");
            return lines.stream().filter(line -> line.startsWith("#define")).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void everyVmxFeaturesBitIsANamedControl() {
        // vmxfeatures.h numbers features word*32+bit; words 0 (below bit 8), 1, 2, 3 are control bits.
        Pattern feature = Pattern.compile("^#define\\s+(VMX_FEATURE_\\w+)\\s+\\(\\s*(\\d)\\*32\\+\\s*(\\d+)\\)");
        ControlField[] byWord = {ControlField.PIN_BASED, ControlField.PRIMARY_PROCESSOR_BASED,
            ControlField.SECONDARY_PROCESSOR_BASED, ControlField.TERTIARY_PROCESSOR_BASED};
        int features = 0;
        Map<ControlField, Long> covered = new HashMap<>();
        for (String line : defineLines("linux-6.1-vmxfeatures.txt")) {
            Matcher m = feature.matcher(line);
            assertTrue(m.find(), "not a VMX_FEATURE line: " + line);
            ControlField field = byWord[Integer.parseInt(m.group(2))];
            int bit = Integer.parseInt(m.group(3));
            Optional<ControlBit> named = field.bitAt(bit);
            assertTrue(named.isPresent(), m.group(1) + " is " + field + " bit " + bit + ", which no enum constant names");
            // Not every feature has a vmx.h macro: 6.1 defines none for EPT_VIOLATION_VE (secondary bit 18) or
            // ENCLV_EXITING (bit 28), so linuxName() stays empty there while the SDM name is present.
            assertTrue(named.get().sdmName().isPresent() || named.get().linuxName().isPresent(), m.group(1));
            covered.merge(field, 1L << bit, (a, b) -> a | b);
            features++;
        }
        assertEquals(56, features);
        // Linux 6.1 names a feature for every pin-based and primary control it defines a macro for.
        for (ControlField field : List.of(ControlField.PIN_BASED, ControlField.PRIMARY_PROCESSOR_BASED)) {
            long withMacro = 0;
            for (ControlBit bit : field.bits()) {
                withMacro |= bit.linuxName().isPresent() ? bit.mask() : 0;
            }
            assertEquals(Long.toHexString(withMacro), Long.toHexString(covered.get(field)), field.name());
        }
    }

    @Test
    void realKvmControlValuesDecodeToNamedBitsPlusDefault1Bits() {
        Map<ControlField, Long> default1 = new HashMap<>();
        for (String[] row : SourceTable.rows(getClass(), "linux-6.1-alwayson.txt", true)) {
            ControlField field = switch (row[0]) {
                case "CPU_BASED_ALWAYSON_WITHOUT_TRUE_MSR" -> ControlField.PRIMARY_PROCESSOR_BASED;
                case "PIN_BASED_ALWAYSON_WITHOUT_TRUE_MSR" -> ControlField.PIN_BASED;
                case "VM_EXIT_ALWAYSON_WITHOUT_TRUE_MSR" -> ControlField.PRIMARY_EXIT;
                case "VM_ENTRY_ALWAYSON_WITHOUT_TRUE_MSR" -> ControlField.ENTRY;
                default -> throw new AssertionError(row[0]);
            };
            default1.put(field, SourceTable.cInteger(row[1]));
        }
        int rows = 0;
        for (String[] row : SourceTable.rows(getClass(), "kvm-dump-vmcs-controls.tsv", true)) {
            ControlField field = ControlField.valueOf(row[0]);
            long value = SourceTable.cInteger(row[1]);
            ControlSet decoded = field.decode(value);
            List<String> names = new ArrayList<>();
            for (ControlBit bit : decoded.bits()) {
                names.add(((Enum<?>) bit).name());
            }
            List<String> expected = row[2].isEmpty() ? List.of() : List.of(row[2].split(","));
            assertEquals(expected, names, row[0]);
            assertEquals(SourceTable.cInteger(row[3]), decoded.undefinedBits(), row[0] + " unnamed bits");
            long mustBeOne = default1.getOrDefault(field, 0L);
            assertEquals(0, decoded.undefinedBits() & ~mustBeOne,
                    row[0] + ": a real value sets only named bits and the SDM's default1 bits");
            rows++;
        }
        assertEquals(6, rows);
    }
}
