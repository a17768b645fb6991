package dev.vmx.explain;

import dev.vmx.VmxParseException;
import dev.vmx.event.VmInstructionError;
import dev.vmx.exit.ExitReason;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The number of QEMU's "KVM: entry failed, hardware error 0xN" line, classified.
 *
 * <p>QEMU prints {@code run->fail_entry.hardware_entry_failure_reason} raw (target/i386/kvm/kvm.c,
 * {@code kvm_arch_handle_exit}, case {@code KVM_EXIT_FAIL_ENTRY}: {@code "KVM: entry failed, hardware
 * error 0x%" PRIx64}). KVM fills that one field from two different sources (Linux
 * arch/x86/kvm/vmx/vmx.c, {@code __vmx_handle_exit}, 5.10 and later; {@code vmx_handle_exit} before):
 * <ul>
 *   <li>the VM entry failed after loading guest state ({@code exit_reason.failed_vmentry}): the full
 *       32-bit exit reason, bit 31 set, e.g. {@code 0x80000021};</li>
 *   <li>VMLAUNCH/VMRESUME itself failed ({@code vmx->fail}): {@code vmcs_read32(VM_INSTRUCTION_ERROR)},
 *       a small number such as 7 or 8, or 0 where the processor wrote no error number (VMfailInvalid
 *       leaves the field alone, SDM Vol. 3C "VMX Instruction Execution Conventions").</li>
 * </ul>
 * On AMD, {@code svm_handle_exit} (arch/x86/kvm/svm/svm.c) puts the VMCB exit code
 * {@code SVM_EXIT_ERR} (-1, Linux asm/svm.h) into the same field after a failed VMRUN, which QEMU
 * prints as {@code 0xffffffffffffffff}.
 *
 * @param value the number as printed (64 bits)
 * @param kind what the number is
 * @param exitReason the exit reason, for {@link Kind#ENTRY_FAILURE_EXIT_REASON}
 * @param instructionError the VM-instruction error, for {@link Kind#VM_INSTRUCTION_ERROR}
 */
public record HardwareError(long value, Kind kind, Optional<ExitReason> exitReason,
        Optional<VmInstructionError> instructionError) {

    /** What the number of a "hardware error" line is. */
    public enum Kind {
        /** Bit 31 set, bits 63:32 clear: the full exit reason of a VM entry that failed after loading guest state. */
        ENTRY_FAILURE_EXIT_REASON,
        /** 1 to 0x7fffffff: VMLAUNCH/VMRESUME failed with VMfailValid; the number is the VM-instruction error. */
        VM_INSTRUCTION_ERROR,
        /** 0: VMLAUNCH/VMRESUME failed but the VM-instruction error field held no error number. */
        NO_ERROR_NUMBER,
        /** 0xffffffffffffffff: AMD SVM's VMRUN failed its consistency checks (exit code SVM_EXIT_ERR). */
        SVM_VMRUN_FAILED,
        /** Any other value: neither KVM path writes it (bits 63:32 set). */
        UNKNOWN
    }

    private static final Pattern LINE = Pattern.compile("hardware error 0x");
    private static final Pattern HEX = Pattern.compile("\\p{XDigit}+");

    /**
     * Checks the parts.
     *
     * @param value see the record component
     * @param kind see the record component
     * @param exitReason see the record component
     * @param instructionError see the record component
     */
    public HardwareError {
        java.util.Objects.requireNonNull(kind, "kind");
        java.util.Objects.requireNonNull(exitReason, "exitReason");
        java.util.Objects.requireNonNull(instructionError, "instructionError");
    }

    /**
     * Classifies a number.
     *
     * @param value the number QEMU printed
     * @return its classification
     */
    public static HardwareError of(long value) {
        if (value == 0) {
            return new HardwareError(0, Kind.NO_ERROR_NUMBER, Optional.empty(), Optional.empty());
        }
        if (value == -1L) {
            return new HardwareError(value, Kind.SVM_VMRUN_FAILED, Optional.empty(), Optional.empty());
        }
        if ((value >>> 32) != 0) {
            return new HardwareError(value, Kind.UNKNOWN, Optional.empty(), Optional.empty());
        }
        if ((value & 0x8000_0000L) != 0) {
            return new HardwareError(value, Kind.ENTRY_FAILURE_EXIT_REASON, Optional.of(ExitReason.of((int) value)),
                    Optional.empty());
        }
        return new HardwareError(value, Kind.VM_INSTRUCTION_ERROR, Optional.empty(),
                Optional.of(VmInstructionError.fromNumber(value)));
    }

    /**
     * Finds "hardware error 0xN" in a line (QEMU's stderr, a syslog or journal line carrying it, a
     * bug report quoting it) and classifies N.
     *
     * @param line the line
     * @return the classification
     * @throws VmxParseException naming the line and the column: no "hardware error 0x" in the line,
     *     no hex digit after it, more than 16 hex digits
     */
    public static HardwareError parse(CharSequence line) {
        String text = String.valueOf(line);
        Matcher at = LINE.matcher(text);
        if (!at.find()) {
            throw new VmxParseException("no \"hardware error 0x...\" in the line", text, 0);
        }
        Matcher digits = HEX.matcher(text);
        if (!digits.find(at.end()) || digits.start() != at.end()) {
            throw new VmxParseException("expected hex digits after \"hardware error 0x\"", text, at.end());
        }
        String hex = digits.group();
        int start = 0;
        while (start < hex.length() - 1 && hex.charAt(start) == '0') {
            start++;
        }
        if (hex.length() - start > 16) {
            throw new VmxParseException("hardware error number wider than 64 bits", text, at.end());
        }
        return of(Long.parseUnsignedLong(hex.substring(start), 16));
    }
}
