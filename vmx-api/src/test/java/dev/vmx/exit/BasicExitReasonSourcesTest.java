package dev.vmx.exit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmx.SourceTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every basic exit reason number and name, checked against Linux headers and the SDM. */
class BasicExitReasonSourcesTest {

    private static Map<String, Long> linuxDefines() {
        Map<String, Long> defines = new HashMap<>();
        for (String file : List.of("linux-6.1-uapi-vmx.txt", "linux-6.18-uapi-vmx-additions.txt")) {
            for (String[] row : SourceTable.rows(BasicExitReasonSourcesTest.class, file, false)) {
                defines.put(row[0], SourceTable.cInteger(row[1]));
            }
        }
        return defines;
    }

    @Test
    void everyLinuxExitReasonHasTheSameNumberAndName() {
        int checked = 0;
        for (Map.Entry<String, Long> define : linuxDefines().entrySet()) {
            if (!define.getKey().startsWith("EXIT_REASON_")) {
                continue;
            }
            String name = define.getKey().substring("EXIT_REASON_".length());
            BasicExitReason reason = BasicExitReason.valueOf(name);
            assertEquals(define.getValue().intValue(), reason.number(), define.getKey());
            assertEquals(Optional.of(define.getKey()), reason.linuxName());
            assertEquals(reason, BasicExitReason.fromNumber(define.getValue().intValue()));
            checked++;
        }
        assertEquals(66, checked, "62 reasons in Linux 6.1 uapi plus 4 added up to 6.18");
    }

    @Test
    void noLinuxNameIsClaimedThatLinuxDoesNotDefine() {
        Map<String, Long> defines = linuxDefines();
        for (BasicExitReason reason : BasicExitReason.values()) {
            reason.linuxName().ifPresent(name ->
                    assertTrue(defines.containsKey(name), name + " is not defined by the Linux headers"));
        }
    }

    @Test
    void flagMasksMatchLinux() {
        Map<String, Long> defines = linuxDefines();
        assertEquals(defines.get("VMX_EXIT_REASONS_FAILED_VMENTRY").intValue(),
                ExitReasonFlag.VM_ENTRY_FAILURE.mask());
        assertEquals(defines.get("VMX_EXIT_REASONS_SGX_ENCLAVE_MODE").intValue(),
                ExitReasonFlag.ENCLAVE_MODE.mask());
    }

    @Test
    void everySdmNumberHasItsSdmNameAndNothingElseIsDefined() {
        Set<BasicExitReason> seen = EnumSet.noneOf(BasicExitReason.class);
        for (String[] row : SourceTable.rows(getClass(), "sdm-basic-exit-reasons.tsv", true)) {
            int number = Integer.parseInt(row[0]);
            BasicExitReason reason = BasicExitReason.fromNumber(number);
            assertNotEquals(BasicExitReason.UNRECOGNIZED, reason, "SDM number " + number);
            assertEquals(number, reason.number());
            assertEquals(row[1], reason.sdmName(), "SDM name of " + number);
            seen.add(reason);
        }
        Set<BasicExitReason> defined = EnumSet.allOf(BasicExitReason.class);
        defined.remove(BasicExitReason.UNRECOGNIZED);
        assertEquals(defined, seen, "every defined constant is in the SDM table");
    }

    @Test
    void ia32DocTranscriptionOfTheSdmAgreesOnEveryNumber() {
        int rows = 0;
        for (String[] row : SourceTable.rows(getClass(), "ia32-doc-basic-exit-reasons.tsv", true)) {
            int number = Integer.parseInt(row[0]);
            assertNotEquals(BasicExitReason.UNRECOGNIZED, BasicExitReason.fromNumber(number),
                    "ia32-doc defines " + number + " (" + row[1] + ")");
            rows++;
        }
        assertEquals(76, rows, "ia32-doc lists 76 basic exit reasons, 0..79 with gaps");
    }

    /** Bochs lists every number 0..85, naming the gaps RESERVED*: the defined set must be exactly its non-gaps. */
    @Test
    void bochsAgreesOnEveryNumberAndEveryGap() {
        Set<BasicExitReason> seen = EnumSet.noneOf(BasicExitReason.class);
        int expectedNumber = 0;
        for (String[] row : SourceTable.rows(getClass(), "bochs-vmx-exit-reasons.tsv", true)) {
            int number = Integer.parseInt(row[0]);
            assertEquals(expectedNumber++, number, "Bochs lists the numbers in order without holes");
            BasicExitReason reason = BasicExitReason.fromNumber(number);
            if (row[1].startsWith("VMX_VMEXIT_RESERVED")) {
                assertEquals(BasicExitReason.UNRECOGNIZED, reason, row[1]);
            } else {
                assertNotEquals(BasicExitReason.UNRECOGNIZED, reason, row[1] + " = " + number);
                seen.add(reason);
            }
        }
        assertEquals(BasicExitReason.MAX_DEFINED_NUMBER + 1, expectedNumber, "Bochs ends at the largest defined number");
        Set<BasicExitReason> defined = EnumSet.allOf(BasicExitReason.class);
        defined.remove(BasicExitReason.UNRECOGNIZED);
        assertEquals(defined, seen);
        Map<String, Integer> bochs = new HashMap<>();
        for (String[] row : SourceTable.rows(getClass(), "bochs-vmx-exit-reasons.tsv", true)) {
            bochs.put(row[1], Integer.parseInt(row[0]));
        }
        // the numbers only Bochs (of the sources here) gives, by its own names
        assertEquals(bochs.get("VMX_VMEXIT_URDMSR"), BasicExitReason.URDMSR.number());
        assertEquals(bochs.get("VMX_VMEXIT_UWRMSR"), BasicExitReason.UWRMSR.number());
        assertEquals(bochs.get("VMX_VMEXIT_RDMSR_IMM"), BasicExitReason.MSR_READ_IMM.number());
        assertEquals(bochs.get("VMX_VMEXIT_WRMSRNS"), BasicExitReason.MSR_WRITE_IMM.number());
        assertEquals(bochs.get("VMX_VMEXIT_INSTRUCTION_TIMEOUT"), BasicExitReason.NOTIFY.number());
    }

    @Test
    void numberConstantsAreTheEnumNumbersOneForOne() throws IllegalAccessException {
        java.lang.reflect.Field[] fields = BasicExitReason.Numbers.class.getFields();
        assertEquals(BasicExitReason.values().length - 1, fields.length);
        for (java.lang.reflect.Field field : fields) {
            assertEquals(BasicExitReason.valueOf(field.getName()).number(), field.getInt(null), field.getName());
        }
    }

    @Test
    void gapsAndOutOfRangeNumbersAreUnrecognized() {
        for (int number : new int[] {35, 38, 42, 71, 82, 83, 86, 0xFFFF, -1, 0x10000, Integer.MIN_VALUE}) {
            assertEquals(BasicExitReason.UNRECOGNIZED, BasicExitReason.fromNumber(number), "number " + number);
        }
        assertEquals(-1, BasicExitReason.UNRECOGNIZED.number());
        assertEquals(Optional.empty(), BasicExitReason.UNRECOGNIZED.linuxName());
    }

    /** Cross-check with the header installed on this machine (linux-libc-dev), when present. */
    @Test
    void installedUapiHeaderAgrees() throws IOException {
        Path header = Path.of("/usr/include/x86_64-linux-gnu/asm/vmx.h");
        assumeTrue(Files.isReadable(header), "linux-libc-dev is not installed: " + header + " is absent");
        Pattern define = Pattern.compile("^#define\\s+EXIT_REASON_(\\w+)\\s+(\\d+)");
        Map<String, Integer> found = new TreeMap<>();
        for (String line : Files.readAllLines(header)) {
            Matcher m = define.matcher(line);
            if (m.find()) {
                found.put(m.group(1), Integer.parseInt(m.group(2)));
            }
        }
        assertTrue(found.size() >= 60, "header has EXIT_REASON_ defines: " + found.size());
        found.forEach((name, number) -> assertEquals(number, BasicExitReason.valueOf(name).number(), name));
    }
}
