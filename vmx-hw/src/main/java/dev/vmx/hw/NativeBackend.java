package dev.vmx.hw;

/**
 * One native backend of vmx-hw, found with {@link java.util.ServiceLoader} (the SPI every backend
 * registers under, in {@code META-INF/services} and {@code provides} in module-info). Probing
 * changes nothing on the machine: no trace instance, no VM is created.
 */
public interface NativeBackend {
    /**
     * The backend's stable name, e.g. {@code kvm-guest}.
     *
     * @return the name
     */
    String name();

    /**
     * Tries the backend on this machine.
     *
     * @return available with what was found, or unavailable with the exact reason
     */
    BackendStatus probe();
}
