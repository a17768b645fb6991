package dev.vmx.hw;

import dev.vmx.hw.kvm.KvmSystem;
import dev.vmx.hw.msr.MsrDevice;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Probes every native backend on this machine by trying it (nothing is changed: no trace
 * instance, no VM is created) and reports which work and why the others do not. The backends
 * are {@link NativeBackend}s found with {@link ServiceLoader}.
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
    /** {@code dev.vmx.hw.bochs.BochsRunner}: Bochs' emulated VMX CPU (the probe checks the installation; it boots nothing). */
    public static final String BOCHS = "bochs";

    private NativeBackends() {
    }

    /** The order probe() reports in: the constants above. */
    private static final List<String> ORDER = List.of(KVM_GUEST, KVM_NESTED_STATE, KVM_VMX_FEATURE_MSRS, TRACEFS, MSR_DEVICE, BOCHS);

    /**
     * Probes every {@link NativeBackend} {@link ServiceLoader} finds.
     *
     * @return one status per backend: the six of vmx-hw in the order of the constants above, then
     *         any others registered, by name
     */
    public static List<BackendStatus> probe() {
        List<NativeBackend> backends = new ArrayList<>();
        ServiceLoader.load(NativeBackend.class, NativeBackend.class.getClassLoader()).forEach(backends::add);
        backends.sort(Comparator.comparingInt((NativeBackend backend) -> {
            int index = ORDER.indexOf(backend.name());
            return index < 0 ? ORDER.size() : index;
        }).thenComparing(NativeBackend::name));
        List<BackendStatus> statuses = new ArrayList<>();
        for (NativeBackend backend : backends) {
            statuses.add(backend.probe());
        }
        return List.copyOf(statuses);
    }
}
