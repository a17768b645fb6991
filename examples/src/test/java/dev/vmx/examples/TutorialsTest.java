package dev.vmx.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Runs every tutorial's main so that tutorials cannot rot, and checks what each one teaches. */
class TutorialsTest {
    /** Lines each tutorial must print: the facts it exists to show. */
    private static final Map<Class<?>, String[]> EXPECTED = Map.ofEntries(
            Map.entry(WhyDidEntryFail.class, new String[] {
                "The log says: INVALID_STATE|VM_ENTRY_FAILURE, qualification 0",
                "The checks say: VM exit INVALID_STATE|VM_ENTRY_FAILURE, qualification 0",
                "  GUEST_CS_DPL: SDM Vol. 3C §27.3.1.2 \"Checks on Guest Segment Registers\" (§26.3.1.2 in the September 2016 edition)",
                "    found: non-conforming CS has DPL 0 but SS has DPL 3",
                "  GUEST_SS: SDM Vol. 3C §27.3.1.2 \"Checks on Guest Segment Registers\" (§26.3.1.2 in the September 2016 edition)",
                "    found: SS DPL is 3 but must be 0 (CS type 3 or CR0.PE 0)",
                "checks not judged, e.g. NOT_JUDGED PIN_BASED_ALLOWED (SDM 27.2.1.1, 26.2.1.1 in 2016): needs the IA32_VMX_* capability MSRs",
                // the pasted edk2#91 excerpt: the rule bonzini found by hand
                "The pasted excerpt holds 5 VMCS fields; the checks say:",
                "  GUEST_RFLAGS_IF_FOR_INTERRUPT: SDM Vol. 3C §27.3.1.4 \"Checks on Guest RIP and RFLAGS\" (§26.3.1.4 in the September 2016 edition)",
                "    found: VM entry injects an external interrupt but RFLAGS.IF is 0",
            }),
            Map.entry(WhoHandlesThisExit.class, new String[] {
                "IO_INSTRUCTION   -> L1_WANTS",
                "    OUT 1 byte(s) at port 0x3f8: the bit of port 0x3f8 in L1's I/O bitmap A (byte 0x7000007f, bit 0) is 1",
                "    OUT 1 byte(s) at port 0x80: L1's I/O bitmaps have 0 for every port accessed",
                "    WRMSR of MSR 0xc0000080: bit 0x80 of L1's write bitmap for high MSRs (byte 0x70002c10, bit 0) is 1",
                "    RDMSR of MSR 0xc0000080: bit 0x80 of L1's read bitmap for high MSRs (byte 0x70002410, bit 0) is 0",
                "    bit 14 (#PF) of L1's exception bitmap is 1 and error code 0x6 & mask 0x1 != match 0x1: L1 lets L2 handle it",
                "    L0 handles EXTERNAL_INTERRUPT itself",
                "    HLT: HLT_EXITING is 1 in L1's controls",
            }),
            Map.entry(ExitStats.class, new String[] {
                "Read 120 events (6 header lines, 0 unparseable lines).",
                "EPT_VIOLATION              19   31.67%  11.13%       275.00      12.00      18.00      14.47 ( +- 2.91%)"
                        + "      14.00      18.00 100.00%",
                "Total Samples:60",
                "  449.00 us HLT on vCPU 1, lines 98-109",
                "    CPU 1/KVM-4243    [001] d..1. 1000.001503: kvm_entry: vcpu 1, rip 0xffffffff810048f0 intr_info 0x00000000 error_code 0x00000000",
                "  EPT_VIOLATION (read)            19 exits, mean 14.47 us",
                "By I/O port: No rows: 60 kvm_exit events were read, but no kvm_pio events",
                "The second host's statistics travel as 199 bytes (format version 1); merged with the first host's:",
                "CPUID                       6    6.67%   0.24%         9.00       1.00       2.00       1.50 ( +-14.91%)"
                        + "       1.00       2.00   0.00%",
                "Total Samples:90",
            }),
            Map.entry(ReadTraceDat.class, new String[] {
                "trace.dat version 7, compression zstd, buffers [vmxb, vmxa]",
                "port I/O the guest did: {IN  port 0x3f8=34, OUT port 0x3f8=33}",
                "events per task: {java-25891=871}", // trace-cmd report names each of the 871 "java-25891"
                "events lost before they reached the file: 2133 (1 loss report(s)), unreadable parts: 0",
                "offset 0x21004, buffer vmxa, CPU 1: 2133 events were lost by the kernel before page 0",
                "written-exits.dat (trace.dat v6): 1070 events, 480 exits, 0 problems",
            }),
            Map.entry(ExplainEntryFailure.class, new String[] {
                "Found 1 dump_vmcs block(s); the first spans lines 3-51.",
                "QEMU reported: hardware error 0x80000021 (line 2)",
                "hardware error 0x80000021: VM entry failed after loading guest state, exit reason INVALID_STATE|VM_ENTRY_FAILURE",
                "  kind: ENTRY_FAILURE_EXIT_REASON",
                "VMExit reason: INVALID_STATE|VM_ENTRY_FAILURE = VM-entry failure due to invalid guest state",
                "  CR0 = 0x30: PE (bit 0) = 0, PG (bit 31) = 0",
                "  CS sel=0xf000 attr=0x0009b limit=0x0000ffff base=0x00000000ffff0000",
                "     0xf3: data read/write accessed, DPL 3, present, 16-bit, byte granular",
                "  interruptibility 0x0: no blocking, activity state 0 (active)",
                "A pasted excerpt (tianocore/edk2#91, quoted in a comment):",
                "  line 5, column 5: lines left out here by whoever quoted the log ('...'): fields printed there are missing",
                "  RFLAGS = 0x2: IF (bit 9) = 0",
                "  VMEntry intr_info: valid external interrupt vector 209 (0x800000d1)",
            }),
            Map.entry(DecodeExitReason.class, new String[] {
                "INVALID_STATE|VM_ENTRY_FAILURE  (basic 33: VM-entry failure due to invalid guest state)",
                "EPT_VIOLATION|ENCLAVE_MODE",
                "is(EPT_VIOLATION) = true, raw() == 48? false",
                "'exit_reason == 41'          -> false",
                "'is(MCE_DURING_VMENTRY)'     -> true",
            }),
            // machine-dependent after the introduction (no KVM, no tracefs): only the stable lines
            Map.entry(LiveExits.class, new String[] {
                "LiveExits: a real-mode guest writes \"Hi\" to the serial port 0x3f8, then halts.",
            }),
            Map.entry(ReadNestedVmcs.class, new String[] {
                "struct vmcs12: revision 0x11e57ed0, 178 fields in",
                "GUEST_RIP (encoding 0x681e) lives at offset 544",
                "L2 exited to L1 with EPT_VIOLATION (basic 48)",
                "exit qualification 0x181: EPT violation: ",
                "not present in EPT",
                "guest-physical address 0xfebf0000",
                "This machine's kvm-nested source: unavailable: ",
            }),
            Map.entry(ExplainExit.class, new String[] {
                "EPT violation: write to a page mapped read-only in EPT, guest linear address valid",
                "EPT violation: read from a page not present in EPT, guest linear address valid, access to the translated address (0x181)",
                "EPT violation: read/write of a page not present in EPT, guest linear address valid, access to a guest paging-structure entry, undefined bits 11:9 0x3 (0x683)",
                "OUT 1 byte to port 0x3f8 (dx)",
                "MOV to CR3 from rax",
                "guest Page Fault (#PF), error code 0x6, faulting address 0x7ffd3a2c1ff8",
                "EPT violation: write to a page not present in EPT, guest linear address valid, access to the translated address (0x182); while delivering valid external interrupt vector 236 (0x800000ec)",
                "the host received an interrupt: valid external interrupt vector 236",
                // step 3: the pasted line explained in one call, with its decoded fields
                "  event: kvm_exit\n  vcpu: 0\n  reason: EPT_VIOLATION (EPT violation)",
                "  guest_rip: 0xffffffff81234567",
            }),
            Map.entry(ReadVmcs.class, new String[] {
                "GUEST_RIP is encoding 0x681e: 0x681e (NATURAL GUEST_STATE index 15 FULL)",
                "EXIT_QUALIFICATION                   = 0x000000000000018a",
                "registered sources: [memory",
                "read back equals what was written: true",
                "exit reason: EPT_VIOLATION",
                "guest-physical 0x7f3e2000, RIP 0xffffffff8103a5c4",
                "what changed at the next exit (IO_INSTRUCTION):",
                "GUEST_PHYSICAL_ADDRESS: 0x7f3e2000 -> (absent)",
                "GUEST_RIP: 0xffffffff8103a5c4 -> 0xffffffff8103a5c7",
            }),
            // machine-dependent after the introduction (Bochs may be absent): VmxInBochsTest checks the rest
            Map.entry(VmxInBochs.class, new String[] {
                "VmxInBochs: a guest on Bochs' emulated VMX CPU, its exits and its live VMCS.",
            }),
            Map.entry(CheckControls.class, new String[] {
                "VMCS revision 0x12, region 1024 bytes, TRUE controls: true",
                "allowed from IA32_VMX_TRUE_PROCBASED_CTLS",
                "bit 1 (reserved bit) must be 1 per IA32_VMX_TRUE_PROCBASED_CTLS",
                "bit 17 (ACTIVATE_TERTIARY_CONTROLS) must be 0 per IA32_VMX_TRUE_PROCBASED_CTLS",
                "adjusted 0x140061f2 -> violations: 0",
                "Xeon secondary SECONDARY_PROCESSOR_BASED{ENABLE_EPT, ENABLE_VPID, WBINVD_EXITING, PAUSE_LOOP_EXITING, EPT_VIOLATION, USE_TSC_SCALING}",
                "violation: SECONDARY_PROCESSOR_BASED bit 25 (USE_TSC_SCALING) must be 0 per IA32_VMX_PROCBASED_CTLS2",
                "CR4=0x20 offending bits: 0x2000",
            }));

    static String run(Tour.Tutorial tutorial) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            tutorial.run();
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        original.print(output);
        return output;
    }

    @TestFactory
    Stream<DynamicTest> everyTutorialRunsAndShowsWhatItTeaches() {
        return Tour.TUTORIALS.stream().map(tutorial -> DynamicTest.dynamicTest(tutorial.type().getSimpleName(), () -> {
            String output = run(tutorial);
            String[] expected = EXPECTED.get(tutorial.type());
            assertTrue(expected != null, "no expectations written for " + tutorial.type().getSimpleName());
            for (String line : expected) {
                assertTrue(output.contains(line), tutorial.type().getSimpleName() + " should print: " + line);
            }
        }));
    }

    @Test
    void everyClassWithAMainIsInTheTour() throws IOException, URISyntaxException, ReflectiveOperationException {
        Path classes = Path.of(Tour.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/vmx/examples");
        Set<String> withMain = new TreeSet<>();
        try (Stream<Path> files = Files.list(classes)) {
            for (Path file : files.collect(Collectors.toList())) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".class") || name.contains("$")) {
                    continue;
                }
                Class<?> type = Class.forName("dev.vmx.examples." + name.substring(0, name.length() - 6));
                for (Method method : type.getDeclaredMethods()) {
                    if (method.getName().equals("main") && Modifier.isStatic(method.getModifiers())
                            && type != Tour.class) {
                        withMain.add(type.getSimpleName());
                    }
                }
            }
        }
        Set<String> inTour = Tour.TUTORIALS.stream().map(t -> t.type().getSimpleName())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(withMain, inTour);
        assertEquals(inTour, new TreeSet<>(EXPECTED.keySet().stream().map(Class::getSimpleName).collect(Collectors.toSet())));
    }
}
