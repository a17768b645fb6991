package dev.vmx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vmx.cap.ControlField;
import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.cap.TertiaryProcessorBasedControl;
import dev.vmx.cap.VmxCapabilities;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The yes / no / forced / default of {@code vmx caps}, case by case as QEMU's scripts/kvm/vmxcap decides
 * them (class Control, method show, after the 2019 fix "vmxcap: correct the name of the variables"):
 * {@code zero = not (mb1 & bit)}, {@code one = cb1 & bit} from the plain MSR, {@code true_zero},
 * {@code true_one} from the TRUE MSR; {@code default} if there is a TRUE MSR and true_zero and true_one and
 * one and not zero; else {@code no} if zero and not one, {@code forced} if one and not zero, {@code yes}
 * if one and zero. 64-bit controls print {@code yes}/{@code no} from their allowed-1 bits (Allowed1Control).
 */
class CapsSettingTest {
    // the Core i7-5600U dump (VirtualBox CPU database) as the base: only the MSRs under test vary
    private static Map<Integer, Long> base(boolean trueControls) {
        Map<Integer, Long> msrs = new HashMap<>(Map.of(0x480, trueControls ? 0xda040000000012L : 0x5a040000000012L,
                0x481, 0x7f00000016L, 0x482, 0xfff9fffe0401e172L, 0x483, 0x7fffff00036dffL, 0x484, 0xffff000011ffL,
                0x485, 0x300481e5L, 0x486, 0x80000021L, 0x487, 0xffffffffL, 0x488, 0x2000L, 0x489, 0x3767ffL));
        if (trueControls) {
            msrs.putAll(Map.of(0x48d, 0x7f00000016L, 0x48e, 0xfff9fffe04006172L, 0x48f, 0x7fffff00036dfbL,
                    0x490, 0xffff000011fbL));
        }
        return msrs;
    }

    @ParameterizedTest(name = "plain must-be-1 {0}, may-be-1 {1}, TRUE must-be-1 {2}, may-be-1 {3}, TRUE MSRs {4}: {5}")
    @CsvSource({
        // plain lo, plain hi, true lo, true hi, TRUE controls, expected
        "1, 1, 0, 1, true, default",
        "1, 1, 1, 1, true, forced",
        "0, 1, 0, 1, true, yes",
        "0, 0, 0, 0, true, no",
        "1, 1, 0, 1, false, forced",
        "0, 1, 0, 0, false, yes",
        // allowed-1 clear but allowed-0 says must be 1: the processor contradicts itself; vmxcap prints '?'
        "1, 0, 1, 0, true, ?",
    })
    void primaryControlBit(int plainLow, int plainHigh, int trueLow, int trueHigh, boolean trueControls, String expected) {
        long mask = PrimaryProcessorBasedControl.CR3_LOAD_EXITING.mask();
        Map<Integer, Long> msrs = base(trueControls);
        msrs.put(0x482, set(msrs.get(0x482), mask, plainLow, plainHigh));
        if (trueControls) {
            msrs.put(0x48e, set(msrs.get(0x48e), mask, trueLow, trueHigh));
        }
        VmxCapabilities caps = VmxCapabilities.fromMsrs(msrs);
        assertEquals(expected, CapsCommand.setting(caps, ControlField.PRIMARY_PROCESSOR_BASED,
                PrimaryProcessorBasedControl.CR3_LOAD_EXITING));
    }

    @ParameterizedTest(name = "tertiary allowed-1 {0}: {1}")
    @CsvSource({"1, yes", "0, no"})
    void sixtyFourBitControlsShowTheirAllowedOneBits(int allowed, String expected) {
        Map<Integer, Long> msrs = base(true);
        msrs.put(0x492, allowed == 1 ? TertiaryProcessorBasedControl.values()[0].mask() : 0L);
        VmxCapabilities caps = VmxCapabilities.fromMsrs(msrs);
        assertEquals(expected, CapsCommand.setting(caps, ControlField.TERTIARY_PROCESSOR_BASED,
                TertiaryProcessorBasedControl.values()[0]));
    }

    private static long set(long value, long mask, int low, int high) {
        value = low == 1 ? value | mask : value & ~mask;
        value = high == 1 ? value | (mask << 32) : value & ~(mask << 32);
        return value;
    }
}
