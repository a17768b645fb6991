package dev.vmx.hw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.hw.internal.CpuInfo;
import dev.vmx.hw.kvm.KvmSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every backend reports its status on this machine, with the exact reason where it cannot work. */
class NativeBackendsTest {
    @Test
    void everyBackendSaysWhetherItWorksHereAndWhyNot() {
        List<BackendStatus> statuses = NativeBackends.probe();
        statuses.forEach(status -> System.out.println("backend " + status));
        Map<String, BackendStatus> byName = statuses.stream()
                .collect(Collectors.toMap(BackendStatus::backend, Function.identity()));
        assertEquals(List.of(NativeBackends.KVM_GUEST, NativeBackends.KVM_NESTED_STATE, NativeBackends.KVM_VMX_FEATURE_MSRS,
                NativeBackends.TRACEFS, NativeBackends.MSR_DEVICE, NativeBackends.BOCHS),
                statuses.stream().map(BackendStatus::backend).collect(Collectors.toList()));

        boolean kvm = Files.isWritable(Path.of(KvmSystem.DEVICE));
        assertEquals(kvm, byName.get(NativeBackends.KVM_GUEST).available());
        if (kvm) {
            assertEquals("KVM API 12 on /dev/kvm", byName.get(NativeBackends.KVM_GUEST).detail());
            try (KvmSystem system = KvmSystem.open()) {
                if (system.checkExtension(157) == 0) { // KVM_CAP_NESTED_STATE
                    assertEquals(new BackendStatus(NativeBackends.KVM_NESTED_STATE, false, "KVM_CAP_NESTED_STATE is 0 on this "
                            + "host: KVM keeps no nested (L1 hypervisor) state to read, so there is no vmcs12; it needs an "
                            + "Intel host with kvm_intel nested=1"), byName.get(NativeBackends.KVM_NESTED_STATE));
                }
            }
            CpuInfo cpu = CpuInfo.host();
            if (cpu.noVmxReason().isPresent()) {
                assertEquals(new BackendStatus(NativeBackends.KVM_VMX_FEATURE_MSRS, false, cpu.noVmxReason().get()
                        + ": KVM exposes no IA32_VMX_* feature MSRs"), byName.get(NativeBackends.KVM_VMX_FEATURE_MSRS));
            }
        } else {
            assertTrue(byName.get(NativeBackends.KVM_GUEST).detail().startsWith("open on /dev/kvm failed"));
        }
        if (!Files.isDirectory(Path.of("/sys/module/msr"))) {
            assertEquals(new BackendStatus(NativeBackends.MSR_DEVICE, false,
                    "no /dev/cpu/0/msr: the msr module is not loaded (modprobe msr, as root)"), byName.get(NativeBackends.MSR_DEVICE));
            assertEquals("msr-device: unavailable: no /dev/cpu/0/msr: the msr module is not loaded (modprobe msr, as root)",
                    byName.get(NativeBackends.MSR_DEVICE).toString());
        }
        BackendStatus tracefs = byName.get(NativeBackends.TRACEFS);
        if (tracefs.available()) {
            assertTrue(tracefs.detail().startsWith("tracefs at /"), tracefs.detail());
        } else {
            assertFalse(tracefs.detail().isEmpty());
        }
    }
}
