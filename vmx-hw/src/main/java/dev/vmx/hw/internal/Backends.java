package dev.vmx.hw.internal;

import dev.vmx.hw.BackendStatus;
import dev.vmx.hw.NativeBackend;
import dev.vmx.hw.NativeBackends;
import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.hw.bochs.BochsInstallation;
import dev.vmx.hw.kvm.KvmSystem;
import dev.vmx.hw.msr.MsrDevice;
import dev.vmx.hw.msr.VmxMsrValues;
import dev.vmx.hw.tracefs.Tracefs;
import java.nio.file.Files;
import java.util.function.Supplier;

/**
 * The ServiceLoader providers of {@link NativeBackend}, one public nested class per backend (a
 * provider must be public with a public no-argument constructor; this package is not exported, so
 * they are not API).
 */
public final class Backends {
    private Backends() {
    }

    abstract static class Probe implements NativeBackend {
        private final String name;
        private final Supplier<String> probe;

        Probe(String name, Supplier<String> probe) {
            this.name = name;
            this.probe = probe;
        }

        @Override
        public final String name() {
            return name;
        }

        @Override
        public final BackendStatus probe() {
            try {
                return new BackendStatus(name, true, probe.get());
            } catch (NativeUnavailableException e) {
                return new BackendStatus(name, false, e.getMessage());
            } catch (RuntimeException | LinkageError e) {
                // probing must answer, not throw: an I/O error reading /proc or /sys, or JNA unable
                // to load libc, makes the backend unavailable with that reason
                return new BackendStatus(name, false, "probe failed: " + e);
            }
        }
    }

    /** {@link KvmSystem}: VMs, vCPUs, the guest runner. */
    public static final class KvmGuest extends Probe {
        /** For ServiceLoader. */
        public KvmGuest() {
            super(NativeBackends.KVM_GUEST, () -> {
                try (KvmSystem kvm = KvmSystem.open()) {
                    return "KVM API " + kvm.apiVersion() + " on " + KvmSystem.DEVICE;
                }
            });
        }
    }

    /** {@code KVM_GET_NESTED_STATE} and the vmcs12 inside it. */
    public static final class KvmNestedState extends Probe {
        /** For ServiceLoader. */
        public KvmNestedState() {
            super(NativeBackends.KVM_NESTED_STATE, () -> {
                try (KvmSystem kvm = KvmSystem.open()) {
                    return "KVM_CAP_NESTED_STATE " + kvm.requireNestedState();
                }
            });
        }
    }

    /** The IA32_VMX_* feature MSRs KVM offers guests. */
    public static final class KvmVmxFeatureMsrs extends Probe {
        /** For ServiceLoader. */
        public KvmVmxFeatureMsrs() {
            super(NativeBackends.KVM_VMX_FEATURE_MSRS, () -> {
                try (KvmSystem kvm = KvmSystem.open()) {
                    VmxMsrValues values = kvm.vmxFeatureMsrs();
                    return values.values().size() + " IA32_VMX_* MSRs, IA32_VMX_BASIC 0x"
                            + Long.toHexString(values.value(dev.vmx.cap.VmxMsr.IA32_VMX_BASIC).orElse(0));
                }
            });
        }
    }

    /** The tracefs live event stream. */
    public static final class TracefsStream extends Probe {
        /** For ServiceLoader. */
        public TracefsStream() {
            super(NativeBackends.TRACEFS, () -> {
                Tracefs tracefs = Tracefs.locate();
                if (!Files.isWritable(tracefs.root().resolve("instances"))) {
                    throw new NativeUnavailableException(tracefs.root().toString(), "no permission to create trace "
                            + "instances under " + tracefs.root() + ": tracefs needs root (or CAP_SYS_ADMIN)");
                }
                return tracefs.toString();
            });
        }
    }

    /** The host's IA32_VMX_* MSRs through /dev/cpu/0/msr. */
    public static final class MsrDeviceReader extends Probe {
        /** For ServiceLoader. */
        public MsrDeviceReader() {
            super(NativeBackends.MSR_DEVICE, () -> {
                try (MsrDevice device = MsrDevice.open(0)) {
                    return device.vmxMsrs().values().size() + " IA32_VMX_* MSRs on CPU 0";
                }
            });
        }
    }

    /** Bochs' emulated VMX CPU, driven by the L1 hypervisor of {@code dev.vmx.hw.bochs}. */
    public static final class Bochs extends Probe {
        /** For ServiceLoader. */
        public Bochs() {
            super(NativeBackends.BOCHS, () -> BochsInstallation.locate().describe());
        }
    }
}
