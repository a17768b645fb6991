package dev.vmx.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * LiveExits on this machine's /dev/kvm and tracefs: the exits it teaches are really printed
 * (TutorialsTest only checks the machine-independent introduction).
 */
@Tag("kvm")
@Tag("root")
class LiveExitsTest {
    private static String run() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            LiveExits.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        original.print(output);
        return output;
    }

    @Test
    void theGuestsExitsAndItsTraceArePrinted() {
        boolean kvm = Files.isWritable(Path.of("/dev/kvm"));
        if (!kvm) {
            System.out.println("SKIPPED: no writable /dev/kvm on this machine");
        }
        assumeTrue(kvm, "no writable /dev/kvm");
        String output = run();
        for (String line : List.of("  kvm-guest: available (KVM API 12 on /dev/kvm)", "KVM_RUN exits (user space's view):",
                "  IO out port=0x3f8 size=1 count=1 data=48\n  IO out port=0x3f8 size=1 count=1 data=69\n  HLT\n",
                "The guest wrote: Hi")) {
            assertTrue(output.contains(line), "LiveExits should print: " + line);
        }
        boolean tracefs = Files.isWritable(Path.of("/sys/kernel/tracing/instances"));
        if (!tracefs) {
            System.out.println("SKIPPED (trace part): no writable /sys/kernel/tracing/instances");
        }
        assumeTrue(tracefs, "no tracefs instances to write");
        assertTrue(output.contains("tracefs events of this thread (the kernel's view):"), output);
        List<String> trace = output.lines().dropWhile(line -> !line.startsWith("tracefs events of this thread"))
                .skip(1).takeWhile(line -> line.startsWith("  ")).collect(Collectors.toList());
        List<String> pio = trace.stream().filter(line -> line.contains("kvm_pio ")).map(line -> line.replaceAll(".*kvm_pio ", ""))
                .collect(Collectors.toList());
        List<String> userspace = trace.stream().filter(line -> line.contains("kvm_userspace_exit "))
                .map(line -> line.replaceAll(".*kvm_userspace_exit ", "")).collect(Collectors.toList());
        assertTrue(List.of("write port 0x3f8 size 1 value 0x48", "write port 0x3f8 size 1 value 0x69").equals(pio), trace.toString());
        assertTrue(List.of("KVM_EXIT_IO (2)", "KVM_EXIT_IO (2)", "KVM_EXIT_HLT (5)").equals(userspace), trace.toString());
        assertTrue(output.contains("ring buffer: RingBufferStats[pages="), output);
        assertTrue(output.contains("lostEvents=0, pagesWithUnknownLoss=0, truncatedPages=0, corruptPages=0]"), output);
    }
}
