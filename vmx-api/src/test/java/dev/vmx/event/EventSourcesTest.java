package dev.vmx.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.CDefines;
import dev.vmx.SourceTable;
import dev.vmx.exit.BasicExitReason;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Interruption info, exception vectors, VM-instruction errors and instruction-information layouts against their sources. */
class EventSourcesTest {
    @Test
    void interruptionInfoMasksAreLinuxs() {
        CDefines linux = CDefines.read(getClass(), "linux-6.1-intr-info.txt");
        Map<String, Long> ours = new HashMap<>();
        ours.put("INTR_INFO_VECTOR_MASK", (long) InterruptionInfo.VECTOR_MASK);
        ours.put("INTR_INFO_INTR_TYPE_MASK", (long) InterruptionInfo.TYPE_MASK);
        ours.put("INTR_INFO_DELIVER_CODE_MASK", (long) InterruptionInfo.ERROR_CODE_VALID_MASK);
        ours.put("INTR_INFO_UNBLOCK_NMI", (long) InterruptionInfo.NMI_UNBLOCKING_MASK);
        ours.put("INTR_INFO_VALID_MASK", InterruptionInfo.VALID_MASK & 0xffff_ffffL);
        // Linux's reserved mask includes bit 12, which is reserved for VM-entry injection only.
        ours.put("INTR_INFO_RESVD_BITS_MASK", (long) (InterruptionInfo.RESERVED_MASK | InterruptionInfo.NMI_UNBLOCKING_MASK));
        ours.put("VECTORING_INFO_VECTOR_MASK", (long) InterruptionInfo.VECTOR_MASK);
        ours.put("VECTORING_INFO_TYPE_MASK", (long) InterruptionInfo.TYPE_MASK);
        ours.put("VECTORING_INFO_DELIVER_CODE_MASK", (long) InterruptionInfo.ERROR_CODE_VALID_MASK);
        ours.put("VECTORING_INFO_VALID_MASK", InterruptionInfo.VALID_MASK & 0xffff_ffffL);
        Map<String, InterruptionType> types = Map.of(
                "INTR_TYPE_EXT_INTR", InterruptionType.EXTERNAL_INTERRUPT,
                "INTR_TYPE_RESERVED", InterruptionType.RESERVED,
                "INTR_TYPE_NMI_INTR", InterruptionType.NMI,
                "INTR_TYPE_HARD_EXCEPTION", InterruptionType.HARDWARE_EXCEPTION,
                "INTR_TYPE_SOFT_INTR", InterruptionType.SOFTWARE_INTERRUPT,
                "INTR_TYPE_PRIV_SW_EXCEPTION", InterruptionType.PRIVILEGED_SOFTWARE_EXCEPTION,
                "INTR_TYPE_SOFT_EXCEPTION", InterruptionType.SOFTWARE_EXCEPTION,
                "INTR_TYPE_OTHER_EVENT", InterruptionType.OTHER_EVENT);
        Set<String> checked = new HashSet<>(ours.keySet());
        checked.addAll(types.keySet());
        assertEquals(new TreeSet<>(linux.names()), new TreeSet<>(checked), "every Linux name is checked");
        ours.forEach((name, value) -> assertEquals(linux.value(name), value, name));
        types.forEach((name, type) -> {
            int raw = (int) linux.value(name);
            assertEquals(type, InterruptionInfo.of(raw).type(), name);
            assertEquals(raw, type.number() << 8, name);
        });
        assertEquals(InterruptionType.values().length, types.size());
    }

    @Test
    void exceptionVectorsAreLinuxsTrapNumbers() {
        CDefines linux = CDefines.read(getClass(), "linux-6.1-trapnr.txt");
        Map<String, ExceptionVector> names = new HashMap<>();
        for (ExceptionVector vector : ExceptionVector.values()) {
            // The SDM calls vector 19 #XM; Linux calls it X86_TRAP_XF.
            names.put("X86_TRAP_" + (vector == ExceptionVector.XM ? "XF" : vector.name()), vector);
        }
        Set<String> linuxNames = new TreeSet<>(linux.names());
        // X86_TRAP_IRET (32) is a Linux software convention for IRET faults, not an architectural vector.
        assertTrue(linuxNames.remove("X86_TRAP_IRET"));
        assertEquals(linuxNames, new TreeSet<>(names.keySet()), "one constant per Linux trap number");
        names.forEach((name, vector) -> {
            assertEquals(linux.value(name), vector.vector(), name);
            assertEquals(Optional.of(vector), ExceptionVector.fromVector((int) linux.value(name)), name);
        });
        assertEquals(Optional.empty(), ExceptionVector.fromVector((int) linux.value("X86_TRAP_IRET")));
        assertEquals("#PF", ExceptionVector.PF.mnemonic());
        assertEquals("#GP", ExceptionVector.GP.mnemonic());
        assertEquals("#CP", ExceptionVector.CP.mnemonic());
    }

    @Test
    void vmInstructionErrorsAreTheSdmsAndLinuxs() {
        Set<Integer> defined = new HashSet<>();
        for (String[] row : SourceTable.rows(getClass(), "ia32-doc-instruction-errors.tsv", true)) {
            int number = Integer.parseInt(row[0]);
            VmInstructionError error = VmInstructionError.fromNumber(number);
            assertEquals(number, error.number(), row[1]);
            assertEquals(row[2], error.meaning(), "meaning of " + number);
            defined.add(number);
        }
        CDefines linux = CDefines.read(getClass(), "linux-6.1-vmxerr.txt");
        for (String name : linux.names()) {
            VmInstructionError error = VmInstructionError.valueOf(name.substring("VMXERR_".length()));
            assertEquals(linux.value(name), error.number(), name);
        }
        assertEquals(VmInstructionError.values().length - 1, defined.size(), "one constant per SDM number");
        assertEquals(linux.names().size(), defined.size());
        for (int number = -2; number < 40; number++) {
            assertEquals(defined.contains(number), VmInstructionError.fromNumber(number) != VmInstructionError.UNRECOGNIZED,
                    "number " + number);
        }
        assertEquals(VmInstructionError.UNRECOGNIZED, VmInstructionError.fromNumber(Long.MAX_VALUE));
        assertEquals(VmInstructionError.UNRECOGNIZED, VmInstructionError.fromNumber(Long.MIN_VALUE));
        assertEquals(VmInstructionError.UNRECOGNIZED, VmInstructionError.fromNumber(0x1_0000_0007L), "no truncation to int");
        assertEquals("VM-instruction error 14: Unrecognized VM-instruction error number", VmInstructionError.describe(14));
        assertEquals("VM-instruction error 7: VM entry with invalid control field(s)", VmInstructionError.describe(7));
    }

    private static int bool(boolean value) {
        return value ? 1 : 0;
    }

    @Test
    void instructionInfoFieldsSitWhereTheSdmPutsThem() {
        Map<String, BasicExitReason> layouts = Map.of(
                "INS_OUTS", BasicExitReason.IO_INSTRUCTION,
                "INVALIDATE", BasicExitReason.INVEPT,
                "GDTR_IDTR_ACCESS", BasicExitReason.GDTR_IDTR,
                "LDTR_TR_ACCESS", BasicExitReason.LDTR_TR,
                "RDRAND_RDSEED", BasicExitReason.RDRAND,
                "VMX_AND_XSAVES", BasicExitReason.VMCLEAR,
                "VMREAD_VMWRITE", BasicExitReason.VMREAD);
        Map<String, java.util.function.ToIntFunction<InstructionInfo>> fields = new HashMap<>();
        fields.put("SCALING", info -> Integer.numberOfTrailingZeros(info.scale()));
        fields.put("ADDRESS_SIZE", InstructionInfo::addressSizeCode);
        fields.put("SEGMENT_REGISTER", InstructionInfo::segmentCode);
        fields.put("INDEX_REG", info -> info.indexRegister().number());
        fields.put("INDEX_REG_INVALID", info -> bool(!info.isIndexValid()));
        fields.put("BASE_REG", info -> info.baseRegister().number());
        fields.put("BASE_REG_INVALID", info -> bool(!info.isBaseValid()));
        fields.put("REG_2", info -> info.reg2().get().number());
        fields.put("REG_1", info -> info.registerOperand().get().number());
        fields.put("DEST_REGISTER", info -> info.registerOperand().get().number());
        fields.put("MEM_REG", info -> bool(info.isRegisterOperand()));
        fields.put("INSTR", InstructionInfo::instructionIdentityCode);
        for (String[] row : SourceTable.rows(getClass(), "ia32-doc-instruction-info-fields.tsv", true)) {
            BasicExitReason reason = layouts.get(row[0]);
            assertTrue(reason != null, "layout " + row[0] + " not mapped");
            int low = Integer.parseInt(row[2]);
            int high = Integer.parseInt(row[3]);
            int mask = (int) (((1L << (high + 1)) - 1) & (-1L << low));
            if (row[1].equals("OPERAND_SIZE")) {
                // SDM: LGDT/LIDT/SGDT/SIDT bit 11 is 0 = 16-bit, 1 = 32-bit; RDRAND/RDSEED bits 12:11 are 0 = 16, 1 = 32, 2 = 64.
                int[] sizes = reason == BasicExitReason.GDTR_IDTR ? new int[] {16, 32} : new int[] {16, 32, 64};
                for (int code = 0; code < sizes.length; code++) {
                    assertEquals(sizes[code], info(reason, (code << low) | ~mask).operandSize().getAsInt(), row[0] + " code " + code);
                }
                assertEquals(high - low + 1, reason == BasicExitReason.GDTR_IDTR ? 1 : 2, row[0] + " operand-size width");
                continue;
            }
            java.util.function.ToIntFunction<InstructionInfo> field = fields.get(row[1]);
            assertTrue(field != null, "field " + row[1] + " not mapped");
            // Mem/Reg set so that register operands are reported where the layout has them.
            int registerForm = row[1].equals("REG_1") ? 1 << 10 : 0;
            assertEquals((1 << (high - low + 1)) - 1, field.applyAsInt(info(reason, mask | registerForm)), row[0] + "/" + row[1]);
            assertEquals(0, field.applyAsInt(info(reason, ~mask | registerForm)), row[0] + "/" + row[1] + " with every other bit set");
        }
    }

    private static InstructionInfo info(BasicExitReason reason, int raw) {
        return InstructionInfo.of(reason, raw);
    }
}
