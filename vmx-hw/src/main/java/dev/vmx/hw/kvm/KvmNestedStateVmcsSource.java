package dev.vmx.hw.kvm;

import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.vmcs.VmcsSnapshot;
import dev.vmx.vmcs.VmcsSource;
import java.util.Objects;
import java.util.Optional;

/**
 * The live vmcs12 of a vCPU that runs a nested (L1) hypervisor: {@code KVM_GET_NESTED_STATE},
 * decoded through {@link Vmcs12Layout}. Registered with {@link java.util.ServiceLoader} as
 * {@code kvm-nested}; the instance {@link dev.vmx.vmcs.VmcsSources} finds has no vCPU and says so
 * (or why this host has no nested state at all); {@link #of(KvmSystem, KvmVcpu)} gives a usable one.
 * Each {@link #read()} asks KVM again.
 */
public final class KvmNestedStateVmcsSource implements VmcsSource {
    /** The source's name. */
    public static final String NAME = "kvm-nested";

    private final KvmSystem system;
    private final KvmVcpu vcpu;

    /** The discoverable instance, with no vCPU attached (for {@link java.util.ServiceLoader}). */
    public KvmNestedStateVmcsSource() {
        this(null, null);
    }

    private KvmNestedStateVmcsSource(KvmSystem system, KvmVcpu vcpu) {
        this.system = system;
        this.vcpu = vcpu;
    }

    /**
     * A source reading one vCPU's nested state.
     *
     * @param system the open {@code /dev/kvm}
     * @param vcpu a vCPU of a VM of this process
     * @return the source
     */
    public static KvmNestedStateVmcsSource of(KvmSystem system, KvmVcpu vcpu) {
        return new KvmNestedStateVmcsSource(Objects.requireNonNull(system, "system"), Objects.requireNonNull(vcpu, "vcpu"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<String> unavailableReason() {
        if (system == null) {
            try (KvmSystem probe = KvmSystem.open()) {
                probe.requireNestedState();
            } catch (NativeUnavailableException e) {
                return Optional.of(e.getMessage());
            }
            return Optional.of("no vCPU attached: KVM state belongs to the process that created the VM; "
                    + "use KvmNestedStateVmcsSource.of(system, vcpu)");
        }
        try {
            system.requireNestedState();
            return Optional.empty();
        } catch (NativeUnavailableException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * The vCPU's current vmcs12.
     *
     * @return the fields of vmcs12 as a snapshot
     * @throws IllegalStateException with {@link #unavailableReason()} when unavailable, or when the
     *         L1 hypervisor has no current VMCS (no VMPTRLD yet)
     */
    @Override
    public VmcsSnapshot read() {
        Optional<String> reason = unavailableReason();
        if (reason.isPresent()) {
            throw new IllegalStateException(NAME + " is unavailable: " + reason.get());
        }
        return vcpu.nestedState(system).decodedVmcs12()
                .orElseThrow(() -> new IllegalStateException(NAME + ": the vCPU's L1 hypervisor has no current VMCS"))
                .toSnapshot();
    }
}
