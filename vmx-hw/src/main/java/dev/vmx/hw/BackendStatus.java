package dev.vmx.hw;

/**
 * Whether one native backend works on this machine, and if not, why.
 *
 * @param backend the backend's name, e.g. {@code kvm-guest}
 * @param available true if it works here
 * @param detail what was found when available (e.g. {@code KVM API 12 on /dev/kvm}), otherwise
 *        the exact reason it does not work (the message of the {@link NativeUnavailableException}
 *        its use would throw)
 */
public record BackendStatus(String backend, boolean available, String detail) {
    /** E.g. {@code kvm-guest: available (KVM API 12 on /dev/kvm)}. */
    @Override
    public String toString() {
        return backend + ": " + (available ? "available (" + detail + ")" : "unavailable: " + detail);
    }
}
