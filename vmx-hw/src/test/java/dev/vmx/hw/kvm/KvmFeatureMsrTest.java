package dev.vmx.hw.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.cap.VmxMsr;
import dev.vmx.hw.msr.VmxMsrValues;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** KVM's feature MSRs on this machine's /dev/kvm. */
@Tag("kvm")
class KvmFeatureMsrTest {
    @Test
    void featureMsrsAreListedAndReadAndVmxOnesExplainedWhenAbsent() throws Exception {
        GuestRunnerTest.assumeKvm();
        try (KvmSystem kvm = KvmSystem.open()) {
            assumeTrue(kvm.checkExtension(KvmUapi.KVM_CAP_GET_MSR_FEATURES) > 0, "no KVM_CAP_GET_MSR_FEATURES");
            int[] indexes = kvm.featureMsrIndexes();
            assertTrue(indexes.length > 0);
            Map<Integer, Long> values = kvm.featureMsrs();
            assertEquals(Arrays.stream(indexes).boxed().sorted().collect(java.util.stream.Collectors.toList()),
                    values.keySet().stream().collect(java.util.stream.Collectors.toList()), "every listed MSR was read");
            boolean anyVmx = Arrays.stream(indexes).anyMatch(index -> VmxMsr.ofIndex(index).isPresent());
            if (anyVmx) {
                VmxMsrValues vmx = kvm.vmxFeatureMsrs();
                assertTrue(vmx.value(VmxMsr.IA32_VMX_BASIC).isPresent());
                // SDM A.1: bits 30:0 of IA32_VMX_BASIC are the VMCS revision identifier, never 0
                assertTrue((vmx.value(VmxMsr.IA32_VMX_BASIC).getAsLong() & 0x7fffffffL) != 0);
            } else {
                NativeUnavailableException error = assertThrows(NativeUnavailableException.class, kvm::vmxFeatureMsrs);
                String flags = new String(Files.readAllBytes(Path.of("/proc/cpuinfo")));
                assertFalse(flags.contains(" vmx "), "a host without VMX feature MSRs here has no vmx flag");
                String vendor = flags.lines().filter(l -> l.startsWith("vendor_id")).findFirst().orElseThrow()
                        .replaceAll(".*:\\s*", "");
                String module = Files.isDirectory(Path.of("/sys/module/kvm_intel")) ? "; KVM runs through kvm_intel"
                        : Files.isDirectory(Path.of("/sys/module/kvm_amd")) ? "; KVM runs through kvm_amd"
                        : Files.isDirectory(Path.of("/sys/module/kvm_pvm")) ? "; KVM runs through kvm_pvm" : "";
                assertEquals("host CPU is " + vendor + " without VMX ('vmx' is not in /proc/cpuinfo flags" + module
                        + "): KVM exposes no IA32_VMX_* feature MSRs", error.getMessage());
                System.out.println("this machine: " + error.getMessage());
            }
        }
    }
}
