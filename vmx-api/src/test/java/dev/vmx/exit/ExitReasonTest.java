package dev.vmx.exit;

import static dev.vmx.exit.BasicExitReason.EPT_VIOLATION;
import static dev.vmx.exit.BasicExitReason.INVALID_STATE;
import static dev.vmx.exit.BasicExitReason.MCE_DURING_VMENTRY;
import static dev.vmx.exit.BasicExitReason.UNRECOGNIZED;
import static dev.vmx.exit.ExitReasonFlag.ENCLAVE_MODE;
import static dev.vmx.exit.ExitReasonFlag.VM_ENTRY_FAILURE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.SourceTable;
import dev.vmx.VmxParseException;
import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ExitReasonTest {
    private static final ExitReasonFlag[] FLAGS = ExitReasonFlag.values();

    /** The 32 combinations of the five flag bits, as raw masks. */
    private static int flagCombination(int index) {
        int raw = 0;
        for (int i = 0; i < FLAGS.length; i++) {
            if ((index & (1 << i)) != 0) {
                raw |= FLAGS[i].mask();
            }
        }
        return raw;
    }

    @Test
    void everyBasicNumberWithEveryFlagCombinationDecodes() {
        for (int basicNumber = 0; basicNumber <= 0xFFFF; basicNumber++) {
            BasicExitReason expectedBasic = BasicExitReason.fromNumber(basicNumber);
            for (int combination = 0; combination < 1 << FLAGS.length; combination++) {
                int raw = basicNumber | flagCombination(combination);
                ExitReason reason = ExitReason.of(raw);
                if (reason.raw() != raw || reason.basicNumber() != basicNumber || reason.basic() != expectedBasic
                        || !reason.is(expectedBasic) || reason.reservedBits() != 0) {
                    throw new AssertionError("decoding 0x" + Integer.toHexString(raw) + " gave " + reason);
                }
                for (int i = 0; i < FLAGS.length; i++) {
                    boolean expected = (combination & (1 << i)) != 0;
                    if (reason.has(FLAGS[i]) != expected || reason.flags().contains(FLAGS[i]) != expected) {
                        throw new AssertionError(FLAGS[i] + " of 0x" + Integer.toHexString(raw));
                    }
                }
                if (reason.flags().size() != Integer.bitCount(combination)) {
                    throw new AssertionError("flags() of 0x" + Integer.toHexString(raw) + ": " + reason.flags());
                }
            }
        }
    }

    @Test
    void perFlagAccessorsReadTheirOwnBit() {
        for (ExitReasonFlag flag : FLAGS) {
            ExitReason reason = ExitReason.of(EPT_VIOLATION.number() | flag.mask());
            assertEquals(flag == ExitReasonFlag.BUS_LOCK_DETECTED, reason.isBusLockDetected(), flag.name());
            assertEquals(flag == ENCLAVE_MODE, reason.isEnclaveMode(), flag.name());
            assertEquals(flag == ExitReasonFlag.PENDING_MTF, reason.isPendingMtf(), flag.name());
            assertEquals(flag == ExitReasonFlag.FROM_VMX_ROOT, reason.isFromVmxRoot(), flag.name());
            assertEquals(flag == VM_ENTRY_FAILURE, reason.isVmEntryFailure(), flag.name());
            assertEquals(Set.of(flag), reason.flags());
        }
    }

    @Test
    void flagBitsAndReservedBitsFollowTheSdmFormat() {
        int reservedFromSource = 0;
        Set<ExitReasonFlag> flagsFromSource = EnumSet.noneOf(ExitReasonFlag.class);
        for (String[] row : SourceTable.rows(getClass(), "exit-reason-format.tsv", true)) {
            int bit = Integer.parseInt(row[0]);
            if (row[1].startsWith("reserved")) {
                reservedFromSource |= 1 << bit;
                assertEquals(1 << bit, ExitReason.of(1 << bit).reservedBits(), "bit " + bit);
            } else {
                ExitReasonFlag flag = flagWithLinuxField(row[1]);
                assertEquals(bit, flag.bit(), row[1]);
                assertEquals(1 << bit, flag.mask(), row[1]);
                assertEquals(0, ExitReason.of(1 << bit).reservedBits(), "bit " + bit);
                flagsFromSource.add(flag);
            }
        }
        assertEquals(EnumSet.allOf(ExitReasonFlag.class), flagsFromSource);
        assertEquals(reservedFromSource, ExitReason.of(-1).reservedBits());
    }

    private static ExitReasonFlag flagWithLinuxField(String field) {
        for (ExitReasonFlag flag : FLAGS) {
            if (flag.linuxField().equals(field)) {
                return flag;
            }
        }
        throw new AssertionError("no flag for Linux field " + field);
    }

    @Test
    void aMillionRandomRawValuesRoundTrip() {
        SplittableRandom random = new SplittableRandom(0x5EED_0001L);
        for (int i = 0; i < 1_000_000; i++) {
            int raw = random.nextInt();
            ExitReason reason = ExitReason.of(raw);
            if (reason.raw() != raw || !reason.equals(ExitReason.of(raw)) || reason.hashCode() != ExitReason.of(raw).hashCode()) {
                throw new AssertionError("0x" + Integer.toHexString(raw) + " became 0x" + Integer.toHexString(reason.raw()));
            }
            int recomposed = reason.basicNumber() | reason.reservedBits();
            for (ExitReasonFlag flag : reason.flags()) {
                recomposed |= flag.mask();
            }
            if (recomposed != raw) {
                throw new AssertionError("parts of 0x" + Integer.toHexString(raw) + " do not add up");
            }
            if (i % 10 == 0 && !ExitReason.parse(reason.toString()).equals(reason)) {
                throw new AssertionError("toString of 0x" + Integer.toHexString(raw) + " does not parse back: " + reason);
            }
        }
    }

    /** The bug class from the KVM discussion: a basic reason compared with the full value. */
    @Test
    void machineCheckDuringEntryIsRecognisedWhateverTheFlags() {
        ExitReason failedEntry = ExitReason.of(0x80000029);
        int buggyComparison = failedEntry.raw();
        assertNotEquals(MCE_DURING_VMENTRY.number(), buggyComparison, "the raw value is not the basic number");
        assertTrue(failedEntry.is(MCE_DURING_VMENTRY));
        assertTrue(failedEntry.isVmEntryFailure());
        assertEquals(41, failedEntry.basicNumber());
        assertFalse(failedEntry.equals(MCE_DURING_VMENTRY), "an ExitReason never equals a BasicExitReason");
        assertEquals(ExitReason.of(MCE_DURING_VMENTRY, VM_ENTRY_FAILURE), failedEntry);
    }

    @Test
    void unknownNumbersKeepTheirRealNumber() {
        ExitReason reason = ExitReason.of(0x0000_0052);
        assertEquals(UNRECOGNIZED, reason.basic());
        assertTrue(reason.is(UNRECOGNIZED));
        assertEquals(82, reason.basicNumber());
        assertEquals("UNRECOGNIZED(82)", reason.toString());
        assertEquals(0xFFFF, ExitReason.of(0x8000_FFFF).basicNumber());
        assertThrows(IllegalArgumentException.class, () -> ExitReason.of(UNRECOGNIZED));
    }

    @Test
    void knownReasonsAreSharedInstances() {
        assertSame(ExitReason.of(0x80000021), ExitReason.of(INVALID_STATE, VM_ENTRY_FAILURE));
        assertSame(ExitReason.of(0x08000030), ExitReason.of(0x08000030));
    }

    @ParameterizedTest
    @CsvSource({
        "0x30,       EPT_VIOLATION",
        "0x80000021, INVALID_STATE|VM_ENTRY_FAILURE",
        "0x08000030, EPT_VIOLATION|ENCLAVE_MODE",
        "0x3400000c, HLT|BUS_LOCK_DETECTED|PENDING_MTF|FROM_VMX_ROOT",
        "0x0001000c, HLT|RESERVED(0x10000)",
        "0xc0000021, INVALID_STATE|VM_ENTRY_FAILURE|RESERVED(0x40000000)",
        "0x80000052, UNRECOGNIZED(82)|VM_ENTRY_FAILURE",
        "0x00000050, URDMSR",
    })
    void toStringAndParseAgree(String raw, String text) {
        ExitReason reason = ExitReason.of(Integer.parseUnsignedInt(raw.substring(2), 16));
        assertEquals(text, reason.toString());
        assertEquals(reason, ExitReason.parse(text));
        assertEquals(reason, ExitReason.parse(raw));
        assertEquals(reason, ExitReason.parse(" " + raw.toUpperCase().replace("0X", "0x") + "\t"));
    }

    @Test
    void parseAcceptsDecimalUnderscoresAndLinuxFlagNames() {
        assertEquals(ExitReason.of(48), ExitReason.parse("48"));
        assertEquals(ExitReason.of(0x80000021), ExitReason.parse("2147483681"));
        assertEquals(ExitReason.of(0x80000021), ExitReason.parse("0x8000_0021"));
        assertEquals(ExitReason.of(0x80000021), ExitReason.parse("INVALID_STATE|FAILED_VMENTRY"));
        assertEquals(ExitReason.of(0xFFFFFFFF), ExitReason.parse("0xffffffff"));
        assertEquals(ExitReason.of(0x8000FFFF), ExitReason.parse("2147549183")); // flags and basic bits only
    }

    /**
     * dump_vmcs() prints "reason=80000021" (hex without 0x). Read as decimal those digits are
     * 0x04C4B415: UNRECOGNIZED(46101)|BUS_LOCK_DETECTED|RESERVED(...), a reason no processor
     * gives. A decimal reading that sets reserved bits is rejected with the hexadecimal reading.
     */
    @Test
    void aDecimalReadingThatSetsReservedBitsIsRejectedWithTheHexReading() {
        VmxParseException hexWithout0x = assertThrows(VmxParseException.class, () -> ExitReason.parse("80000021"));
        assertTrue(hexWithout0x.getMessage().contains("did you mean 0x80000021? (INVALID_STATE|VM_ENTRY_FAILURE)"),
                hexWithout0x.getMessage());
        assertTrue(hexWithout0x.getMessage().contains("reserved"), hexWithout0x.getMessage());
        assertEquals(0, hexWithout0x.errorIndex());
        assertEquals("80000021", hexWithout0x.input());
        // every value from 65536 to 2^26-1 sets a reserved bit (16-25), and so does bit 30
        for (String decimal : new String[] {"65536", "67108863", "1073741824", "4294967295", "10000030"}) {
            VmxParseException error = assertThrows(VmxParseException.class, () -> ExitReason.parse(decimal), decimal);
            assertTrue(error.getMessage().contains("'" + decimal + "'"), error.getMessage());
        }
        // too many digits for a 32-bit hex value: no hint, still rejected
        VmxParseException noHint = assertThrows(VmxParseException.class, () -> ExitReason.parse("4294967295"));
        assertFalse(noHint.getMessage().contains("did you mean"), noHint.getMessage());
        // what stays accepted: basic numbers and full values whose upper bits are flags only
        assertEquals(ExitReason.of(65535), ExitReason.parse("65535"));
        assertEquals(ExitReason.of(0x0800_0030), ExitReason.parse("134217776"));
    }

    /** The "did you mean" search looks only at names of about the token's length: a 10 MB name costs linear time. */
    @Test
    void aHugeUnknownNameIsRejectedWithoutComparingItToEveryName() {
        String huge = "A".repeat(10_000_000);
        long started = System.nanoTime();
        VmxParseException error = assertThrows(VmxParseException.class, () -> ExitReason.parse(huge));
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(error.getMessage().startsWith("unknown basic exit reason name '" + "A".repeat(64) + "...(10000000 characters)'"),
                error.getMessage().substring(0, 200));
        assertEquals(0, error.errorIndex());
        // no timing assertion beyond a bound 20x below the quadratic cost (about 20 s before the fix)
        assertTrue(millis < 5_000, millis + " ms");
        VmxParseException hugeFlag = assertThrows(VmxParseException.class, () -> ExitReason.parse("HLT|" + huge));
        assertEquals(4, hugeFlag.errorIndex());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "0x", "-1", "0x1_0000_0000", "4294967296", "EPT_VIOLATON", "0x8000002g",
        "EPT_VIOLATION|", "EPT_VIOLATION||ENCLAVE_MODE", "EPT_VIOLATION|ENCLAVE", "EPT_VIOLATION|ENCLAVE_MODE|ENCLAVE_MODE",
        "UNRECOGNIZED(70000)", "UNRECOGNIZED", "HLT|RESERVED(0x1)", "0x_1", "1__0"})
    void badInputIsRejectedWithAnErrorNamingIt(String text) {
        VmxParseException error = assertThrows(VmxParseException.class, () -> ExitReason.parse(text));
        assertEquals(text, error.input());
        assertTrue(error.getMessage().contains("'" + text + "'"), error.getMessage());
        assertTrue(error.errorIndex() >= 0 && error.errorIndex() <= text.length(), error.getMessage());
    }

    @Test
    void errorsPointAtTheProblem() {
        VmxParseException typo = assertThrows(VmxParseException.class, () -> ExitReason.parse("EPT_VIOLATON"));
        assertTrue(typo.getMessage().contains("did you mean EPT_VIOLATION?"), typo.getMessage());
        assertEquals(0, typo.errorIndex());

        VmxParseException badFlag = assertThrows(VmxParseException.class, () -> ExitReason.parse("HLT|ENCLAVE"));
        assertEquals(4, badFlag.errorIndex());

        VmxParseException badDigit = assertThrows(VmxParseException.class, () -> ExitReason.parse("0x8000002g"));
        assertEquals(9, badDigit.errorIndex());

        VmxParseException tooBig = assertThrows(VmxParseException.class, () -> ExitReason.parse("0x1_0000_0000"));
        assertTrue(tooBig.getMessage().contains("32-bit"), tooBig.getMessage());
    }
}
