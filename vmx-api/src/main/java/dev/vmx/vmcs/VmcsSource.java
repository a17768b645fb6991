package dev.vmx.vmcs;

import java.util.Optional;

/**
 * The SPI a VMCS backend implements: the embedded in-memory source in vmx-api, native sources in
 * vmx-hw (KVM nested state). Found by {@link VmcsSources} through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.vmx.vmcs.VmcsSource} and {@code provides} in module-info), so an
 * implementation needs a public no-argument constructor.
 */
public interface VmcsSource {
    /**
     * A short stable name, e.g. {@code memory}, {@code kvm-nested}.
     *
     * @return the name
     */
    String name();

    /**
     * Why this source cannot work on this machine, if it cannot.
     *
     * @return empty when the source is usable here; otherwise the exact reason
     */
    Optional<String> unavailableReason();

    /**
     * Whether this source works on this machine.
     *
     * @return true when {@link #unavailableReason()} is empty
     */
    default boolean isAvailable() {
        return unavailableReason().isEmpty();
    }

    /**
     * The current VMCS of this source, as an immutable snapshot.
     *
     * @return the snapshot
     * @throws IllegalStateException with {@link #unavailableReason()} when the source is unavailable
     *         or holds no VMCS yet
     */
    VmcsSnapshot read();
}
