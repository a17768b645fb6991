package dev.vmx.hw;

import dev.vmx.hw.kvm.KvmSystem;
import dev.vmx.hw.msr.MsrDevice;
import dev.vmx.hw.msr.VmxMsrValues;
import dev.vmx.hw.tracefs.Tracefs;
import java.nio.file.Files;
import java.util.List;
import java.util.function.Supplier;

/**
 * Probes every native backend on this machine by trying it (nothing is changed: no trace
 * instance, no VM is created) and reports which work and why the others do not.
 */
public final class NativeBackends {
    /** {@link KvmSystem}: VMs, vCPUs, the guest runner. */
    public static final String KVM_GUEST = "kvm-guest";
    /** {@code KvmVcpu.nestedState}: KVM_GET_NESTED_STATE and the vmcs12 inside it. */
    public static final String KVM_NESTED_STATE = "kvm-nested-state";
    /** {@code KvmSystem.vmxFeatureMsrs}: the IA32_VMX_* feature MSRs KVM offers guests. */
    public static final String KVM_VMX_FEATURE_MSRS = "kvm-vmx-feature-msrs";
    /** {@code KvmTraceStream}: the tracefs live event stream. */
    public static final String TRACEFS = "tracefs";
    /** {@link MsrDevice}: the host's IA32_VMX_* MSRs through /dev/cpu/0/msr. */
    public static final String MSR_DEVICE = "msr-device";

    private NativeBackends() {
    }

    /**
     * Probes each backend.
     *
     * @return one status per backend, in the order of the constants above
     */
    public static List<BackendStatus> probe() {
        return List.of(
                status(KVM_GUEST, () -> {
                    try (KvmSystem kvm = KvmSystem.open()) {
                        return "KVM API " + kvm.apiVersion() + " on " + KvmSystem.DEVICE;
                    }
                }),
                status(KVM_NESTED_STATE, () -> {
                    try (KvmSystem kvm = KvmSystem.open()) {
                        return "KVM_CAP_NESTED_STATE " + kvm.requireNestedState();
                    }
                }),
                status(KVM_VMX_FEATURE_MSRS, () -> {
                    try (KvmSystem kvm = KvmSystem.open()) {
                        VmxMsrValues values = kvm.vmxFeatureMsrs();
                        return values.values().size() + " IA32_VMX_* MSRs, IA32_VMX_BASIC 0x"
                                + Long.toHexString(values.value(dev.vmx.cap.VmxMsr.IA32_VMX_BASIC).orElse(0));
                    }
                }),
                status(TRACEFS, () -> {
                    Tracefs tracefs = Tracefs.locate();
                    if (!Files.isWritable(tracefs.root().resolve("instances"))) {
                        throw new NativeUnavailableException(tracefs.root().toString(), "no permission to create trace "
                                + "instances under " + tracefs.root() + ": tracefs needs root (or CAP_SYS_ADMIN)");
                    }
                    return tracefs.toString();
                }),
                status(MSR_DEVICE, () -> {
                    try (MsrDevice device = MsrDevice.open(0)) {
                        return device.vmxMsrs().values().size() + " IA32_VMX_* MSRs on CPU 0";
                    }
                }));
    }

    private static BackendStatus status(String backend, Supplier<String> probe) {
        try {
            return new BackendStatus(backend, true, probe.get());
        } catch (NativeUnavailableException e) {
            return new BackendStatus(backend, false, e.getMessage());
        }
    }
}
