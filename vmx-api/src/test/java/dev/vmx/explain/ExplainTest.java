package dev.vmx.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.VmxParseException;
import dev.vmx.event.InterruptionField;
import dev.vmx.event.VmInstructionError;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import dev.vmx.exit.ExitReasonFlag;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ExplainTest {
    private static List<String> resourceLines(String name) throws IOException {
        try (InputStream in = ExplainTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.startsWith("# ") && !line.isBlank()).collect(Collectors.toList());
        }
    }

    /** The #define lines of the uapi headers, name to value. */
    private static Map<String, Long> uapi() throws IOException {
        Map<String, Long> values = new HashMap<>();
        for (String line : resourceLines("fail-entry-sources.txt")) {
            String[] parts = line.trim().split("\\s+");
            values.put(parts[1], Long.decode(parts[2]));
        }
        return values;
    }

    @Test
    void hardwareErrorNumbersAreClassifiedAsTheUapiHeadersDefineThem() throws IOException {
        Map<String, Long> uapi = uapi();
        long failed = uapi.get("VMX_EXIT_REASONS_FAILED_VMENTRY");
        assertEquals(ExitReasonFlag.VM_ENTRY_FAILURE.mask() & 0xffffffffL, failed);
        Map<String, BasicExitReason> entryFailures = Map.of("EXIT_REASON_INVALID_STATE", BasicExitReason.INVALID_STATE,
                "EXIT_REASON_MSR_LOAD_FAIL", BasicExitReason.MSR_LOAD_FAIL,
                "EXIT_REASON_MCE_DURING_VMENTRY", BasicExitReason.MCE_DURING_VMENTRY);
        for (Map.Entry<String, BasicExitReason> entry : entryFailures.entrySet()) {
            long value = failed | uapi.get(entry.getKey());
            HardwareError error = HardwareError.of(value);
            assertEquals(HardwareError.Kind.ENTRY_FAILURE_EXIT_REASON, error.kind(), entry.getKey());
            assertTrue(error.exitReason().orElseThrow().is(entry.getValue()), entry.getKey());
            assertTrue(error.exitReason().orElseThrow().isVmEntryFailure());
        }
        // 0x80000021, 0x80000022, 0x80000029, the three of the issue, are those three
        assertEquals(0x80000021L, failed | uapi.get("EXIT_REASON_INVALID_STATE"));
        assertEquals(0x80000022L, failed | uapi.get("EXIT_REASON_MSR_LOAD_FAIL"));
        assertEquals(0x80000029L, failed | uapi.get("EXIT_REASON_MCE_DURING_VMENTRY"));
        // SVM_EXIT_ERR (-1) in the u64 exit code, printed with PRIx64
        assertEquals(HardwareError.Kind.SVM_VMRUN_FAILED, HardwareError.of(uapi.get("SVM_EXIT_ERR")).kind());
        assertEquals(HardwareError.Kind.SVM_VMRUN_FAILED,
                HardwareError.parse("KVM: entry failed, hardware error 0xffffffffffffffff").kind());
    }

    @Test
    void everyVmInstructionErrorNumberIsAVmInstructionError() {
        for (VmInstructionError error : VmInstructionError.values()) {
            if (error == VmInstructionError.UNRECOGNIZED) {
                continue;
            }
            HardwareError classified = HardwareError.of(error.number());
            assertEquals(HardwareError.Kind.VM_INSTRUCTION_ERROR, classified.kind());
            assertEquals(error, classified.instructionError().orElseThrow());
            assertTrue(Explain.hardwareError(error.number()).summary().contains(error.meaning()), error.name());
        }
        // 14 is no VM-instruction error: classified, but named as unknown
        Explanation fourteen = Explain.hardwareError(14);
        assertEquals("VM_INSTRUCTION_ERROR", fourteen.detail("kind").orElseThrow());
        assertTrue(fourteen.nextSteps().get(0).startsWith("no VM-instruction error has number 14"), fourteen.toText());
    }

    @Test
    void realPublicHardwareErrorLines() throws IOException {
        List<String> lines = resourceLines("hardware-error-lines.txt");
        assertEquals(3, lines.size());
        for (String line : lines) {
            String[] parts = line.split("\t");
            Explanation explained = Explain.hardwareError(parts[0]);
            assertEquals(parts[1], explained.detail("kind").orElseThrow(), line);
            assertEquals(HardwareError.Kind.valueOf(parts[1]), HardwareError.parse(parts[0]).kind());
            assertTrue(!explained.nextSteps().isEmpty(), "every hardware error says what to look at next: " + line);
        }
    }

    @Test
    void hardwareErrorSentences() {
        assertEquals("hardware error 0x80000021: VM entry failed after loading guest state, exit reason "
                + "INVALID_STATE|VM_ENTRY_FAILURE (VM-entry failure due to invalid guest state)",
                Explain.hardwareError("KVM: entry failed, hardware error 0x80000021").summary());
        assertEquals("hardware error 0x7: VMLAUNCH/VMRESUME failed (VMfailValid), VM-instruction error 7: "
                + "VM entry with invalid control field(s)", Explain.hardwareError("KVM: entry failed, hardware error 0x7").summary());
        Explanation zero = Explain.hardwareError("KVM: entry failed, hardware error 0x0");
        assertEquals("NO_ERROR_NUMBER", zero.detail("kind").orElseThrow());
        assertTrue(zero.nextSteps().get(0).startsWith("VMfailInvalid"));
        Explanation msr = Explain.hardwareError(0x80000022L);
        assertTrue(msr.nextSteps().get(0).contains("MSR-load entry"), msr.toText());
        Explanation mce = Explain.hardwareError(0x80000029L);
        assertTrue(mce.nextSteps().get(0).contains("machine check"), mce.toText());
        assertEquals(HardwareError.Kind.UNKNOWN, HardwareError.of(0x1_8000_0021L).kind());
    }

    @Test
    void badHardwareErrorLinesNameTheColumn() {
        VmxParseException none = assertThrows(VmxParseException.class, () -> Explain.hardwareError("KVM: entry failed"));
        assertEquals(0, none.errorIndex());
        String noDigits = "KVM: entry failed, hardware error 0xzz";
        VmxParseException digits = assertThrows(VmxParseException.class, () -> Explain.hardwareError(noDigits));
        assertEquals(noDigits.indexOf("zz"), digits.errorIndex());
        VmxParseException wide = assertThrows(VmxParseException.class,
                () -> HardwareError.parse("hardware error 0x1ffffffffffffffff"));
        assertTrue(wide.getMessage().contains("wider than 64 bits"), wide.getMessage());
        // leading zeros do not count
        assertEquals(0x80000021L, HardwareError.parse("hardware error 0x000000000000000080000021").value());
    }

    @Test
    void exitReasonNamesBasicReasonFlagsAndReservedBits() {
        Explanation explained = Explain.exitReason("0x80000021");
        assertEquals("INVALID_STATE|VM_ENTRY_FAILURE: VM-entry failure due to invalid guest state", explained.summary());
        assertEquals("33 INVALID_STATE (VM-entry failure due to invalid guest state)", explained.detail("basic_reason").orElseThrow());
        assertTrue(explained.detail("flags").orElseThrow().startsWith("VM_ENTRY_FAILURE (bit 31"));
        assertTrue(explained.nextSteps().get(0).contains("vmx why"));
        // dump_vmcs prints reasons as hex without 0x: a decimal reading that sets reserved bits is refused
        // by ExitReason.parse with the hex reading, so nobody is told about a reason no CPU wrote
        VmxParseException decimal = assertThrows(VmxParseException.class, () -> Explain.exitReason("80000021"));
        assertTrue(decimal.getMessage().contains("did you mean 0x80000021? (INVALID_STATE|VM_ENTRY_FAILURE)"), decimal.getMessage());
        // reserved bits written as hex are kept and named, with how to read them
        Explanation reserved = Explain.exitReason("0x00c40021");
        assertEquals("0x00c40000 (the SDM defines none of them)", reserved.detail("reserved_bits").orElseThrow(), reserved.toText());
        assertEquals("EPT_VIOLATION: EPT violation", Explain.exitReason(ExitReason.of(48)).summary());
        assertTrue(Explain.exitReason("0x52").summary().startsWith("UNRECOGNIZED(82): unrecognized basic exit reason 82"));
        assertThrows(VmxParseException.class, () -> Explain.exitReason("EPT_VIOLATON"));
    }

    @Test
    void exitSentencesAreTheTutorialSentences() {
        assertEquals("EPT violation: write to a page mapped read-only in EPT, guest linear address valid, access to the "
                + "translated address (0x18a)", Explain.exit(ExitReason.of(48), 0x18a, 0, 0, 0).summary());
        assertEquals("guest Page Fault (#PF), error code 0x6, faulting address 0x7ffd3a2c1ff8 (interruption info 0x80000b0e)",
                Explain.exit(ExitReason.of(0), 0x7ffd3a2c1ff8L, 0x80000b0e, 6, 0).summary());
        assertEquals("the host received an interrupt: valid external interrupt vector 236 (0x800000ec)",
                Explain.exit(ExitReason.of(1), 0, 0x800000ec, 0, 0).summary());
        assertTrue(Explain.exit(ExitReason.of(48), 0x182, 0, 0, 0x800000ec).summary()
                .endsWith("; while delivering valid external interrupt vector 236 (0x800000ec)"));
        Explanation entry = Explain.exit(ExitReason.of(0x80000021), 0, 0, 0, 0);
        assertTrue(entry.summary().startsWith("INVALID_STATE|VM_ENTRY_FAILURE: VM-entry failure due to invalid guest state; "),
                entry.summary());
    }

    @Test
    void traceLinesWithAndWithoutPrefix() {
        // gvisor issue 6757 (tracefs text), and the same event pasted from its tracepoint name on
        String traced = "             exe-110348  [006] d... 410259.258862: kvm_exit: vcpu 1 reason EPT_VIOLATION rip 0x5600b39c8132 "
                + "info1 0x0000000000000181 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000";
        Explanation explained = Explain.traceLine(traced);
        assertEquals("EPT violation: read from a page not present in EPT, guest linear address valid, access to the "
                + "translated address (0x181)", explained.summary());
        assertEquals("1", explained.detail("vcpu").orElseThrow());
        assertEquals("0x5600b39c8132", explained.detail("guest_rip").orElseThrow());
        Explanation pasted = Explain.traceLine(traced.substring(traced.indexOf("kvm_exit")));
        assertEquals(explained.summary(), pasted.summary());
        assertEquals("vCPU 1 enters the guest at rip 0x5600b39c8132",
                Explain.traceLine("             exe-110348  [006] d... 410259.258844: kvm_entry: vcpu 1, rip 0x5600b39c8132").summary());
        // nested exits in the formats of Linux 4.x and 6.1 (kvm-tp-printk-formats.tsv in dev/vmx/trace)
        assertEquals("L2 exit injected into L1: guest Page Fault (#PF), error code 0x6, faulting address 0x0 (interruption info 0x80000b0e)",
                Explain.traceLine("kvm_nested_vmexit_inject: reason: EXCEPTION_NMI ext_inf1: 0x0000000000000000 ext_inf2: "
                        + "0x0000000000000000 ext_int: 0x80000b0e ext_int_err: 0x00000006").summary());
        assertEquals("L2 exit seen by L0: VMCALL: VMCALL (this exit has no qualification)",
                Explain.traceLine("kvm_nested_vmexit: vcpu 1 reason VMCALL rip 0x1000 info1 0x0000000000000000 info2 "
                        + "0x0000000000000000 intr_info 0x00000000 error_code 0x00000000").summary());
        // kvm_page_fault after a VMX EPT violation (osdev forum trace, trace-cmd report, Linux 6.7.5): error_code
        // is the exit qualification (handle_ept_violation), 0x181 = read, GLA valid, translated access; bits 7
        // and 8 are no PFERR bit, so only the VMX reading fits
        Explanation fault = Explain.traceLine("qemu-system-x86-1060614 [036] 2316032.840657: kvm_page_fault: vcpu 3 rip "
                + "0x7f80ed32638b address 0x00000003f7369712 error_code 0x181");
        assertEquals("kvm_page_fault: EPT violation (VMX) at guest-physical address 0x3f7369712 (page 0x3f7369000), vCPU 3, "
                + "rip 0x7f80ed32638b, error_code is the exit qualification: EPT violation: read from a page not present in "
                + "EPT, guest linear address valid, access to the translated address (0x181)", fault.summary());
        assertEquals("kvm_page_fault", fault.detail("event").orElseThrow());
        assertEquals("3", fault.detail("vcpu").orElseThrow());
        assertEquals("0x3f7369000", fault.detail("page").orElseThrow());
        assertEquals("0x181", fault.detail("error_code").orElseThrow());
        assertTrue(fault.detail("pferr").isEmpty(), fault.toString());
        assertTrue(Explain.traceLine("kvm_page_fault: vcpu 3 rip 0x7f80ed3251d6 address 0x00000003f72089d0 error_code 0x182")
                .summary().contains("EPT violation: write to a page not present in EPT"));
        // an SVM nested page fault (Linux 5.x layout, error_code printed with %llx, no 0x): EXITINFO1 with
        // PFERR_GUEST_FINAL (bit 32), which the event's 32-bit accessor would lose; bit 32 is reserved in an
        // EPT qualification, so only the PFERR reading fits
        Explanation npf = Explain.traceLine("kvm_page_fault: address fee00000 error_code 100000006");
        assertEquals("kvm_page_fault: page fault at address 0xfee00000 (page 0xfee00000), error_code in KVM's PFERR bits "
                + "(an SVM nested page fault's EXITINFO1, or an intercepted guest #PF): write, page not present, USER: "
                + "user-mode access, GUEST_FINAL: fault on the final guest-physical address (0x100000006)", npf.summary());
        // 0x2 fits both (VMX: write to a page not present in EPT; PFERR: write to a page not present)
        Explanation both = Explain.traceLine("kvm_page_fault: vcpu 0 rip 0x1000 address 0x0000000000002000 error_code 0x2");
        assertTrue(both.summary().contains("on VMX the exit qualification of an EPT violation at that guest-physical address: "
                + "EPT violation: write to a page not present in EPT (0x2); on SVM or shadow paging KVM's PFERR bits: write, "
                + "page not present"), both.summary());
        assertEquals(2, both.nextSteps().size(), both.toString());
        // neither: no access bit and a bit KVM does not define
        assertTrue(Explain.traceLine("kvm_page_fault: vcpu 0 rip 0x1000 address 0x2000 error_code 0x80")
                .summary().contains("fits neither"));
        // a tracepoint the reader does not decode is still named with the list of those it does
        Explanation other = Explain.traceLine("qemu-system-x86-1060614 [036] 2316032.840657: kvm_set_irq: gsi 11 level 1 source 0");
        assertTrue(other.summary().startsWith("kvm_set_irq: a trace event vmx reads but does not decode (it decodes kvm_exit, "),
                other.summary());
        assertTrue(other.summary().contains("kvm_page_fault"), other.summary());
        VmxParseException bad = assertThrows(VmxParseException.class, () -> Explain.traceLine("hello world"));
        assertTrue(bad.getMessage().contains("not a kvm trace line"), bad.getMessage());
    }

    @Test
    void kvmPageFaultErrorCodeBitsAreTheKernels() throws IOException {
        Map<String, Integer> source = new HashMap<>();
        for (String line : resourceLines("kvm-pferr-bits.txt")) {
            String[] fields = line.trim().split("\\s+");
            source.put(fields[0], Integer.parseInt(fields[1]));
        }
        assertEquals(source.size(), KvmPageFault.BITS.size());
        for (KvmPageFault.Bit bit : KvmPageFault.BITS) {
            assertEquals(source.get(bit.name()), bit.number(), bit.name());
        }
    }

    @Test
    void fieldEncodingsAndNames() {
        assertEquals("0x681e: GUEST_RIP, natural-width guest-state field, index 15, full access",
                Explain.fieldEncoding(0x681e).summary());
        assertEquals(Explain.fieldEncoding(0x681e), Explain.fieldName("GUEST_RIP"));
        assertTrue(Explain.fieldEncoding(0x2001).summary().contains("high access"), Explain.fieldEncoding(0x2001).summary());
        IllegalArgumentException malformed = assertThrows(IllegalArgumentException.class, () -> Explain.fieldEncoding(0x8000_0000));
        assertTrue(malformed.getMessage().contains("0x80000000"), malformed.getMessage());
        assertThrows(VmxParseException.class, () -> Explain.fieldName("GUEST_RIPP"));
    }

    @Test
    void interruptionInfoAndInstructionErrors() {
        Explanation pf = Explain.interruptionInfo(0x80000b0e, InterruptionField.VM_EXIT_INTERRUPTION_INFO);
        assertEquals("14", pf.detail("vector").orElseThrow());
        assertEquals("true", pf.detail("error_code_valid").orElseThrow());
        assertTrue(pf.summary().contains("#PF"), pf.summary());
        Explanation reserved = Explain.interruptionInfo(0x80010000, InterruptionField.VM_EXIT_INTERRUPTION_INFO);
        assertEquals("0x00010000", reserved.detail("reserved_bits").orElseThrow());
        Explanation seven = Explain.vmInstructionError(7);
        assertEquals("VM-instruction error 7: VM entry with invalid control field(s)", seven.summary());
        assertTrue(seven.nextSteps().get(0).contains("vmx why --caps"));
    }

    @Test
    void textAndJsonForms() {
        Explanation explained = Explain.hardwareError(0x80000021L);
        String text = explained.toText();
        assertTrue(text.startsWith(explained.summary() + "\n  value: 0x80000021\n  kind: ENTRY_FAILURE_EXIT_REASON\n"), text);
        assertTrue(text.contains("\n  next: run 'vmx why'"), text);
        String json = explained.toJson();
        assertTrue(json.startsWith("{\"subject\":\"HARDWARE_ERROR\",\"input\":\"0x80000021\",\"summary\":\"hardware error 0x80000021: "), json);
        assertTrue(json.contains("\"details\":{\"value\":\"0x80000021\",\"kind\":\"ENTRY_FAILURE_EXIT_REASON\""), json);
        assertTrue(json.contains("\\\"set kvm_intel.dump_invalid_vmcs=1"), "quotes escaped: " + json);
        assertEquals("\"a\\\\b\\n\\u0001\"", Explanation.quote("a\\b\n\u0001"));
    }
}
