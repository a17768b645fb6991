package dev.vmx.hw.kvm;

import com.sun.jna.LastErrorException;
import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.hw.internal.LibC;

/**
 * The KVM system file descriptor ({@code /dev/kvm}): API version and capability checks.
 *
 * <p>ioctl numbers come from Linux {@code include/uapi/linux/kvm.h}: {@code KVMIO} is 0xAE,
 * {@code KVM_GET_API_VERSION} is {@code _IO(KVMIO, 0x00)}, {@code KVM_CHECK_EXTENSION} is
 * {@code _IO(KVMIO, 0x03)}. Not thread-safe to close while in use; the queries themselves are.
 */
public final class KvmSystem implements AutoCloseable {
    /** The device path. */
    public static final String DEVICE = "/dev/kvm";
    /** The only stable KVM API version (kvm.h: {@code KVM_API_VERSION 12}). */
    public static final int STABLE_API_VERSION = KvmUapi.KVM_API_VERSION;


    private final String path;
    private final int fd;
    private boolean closed;

    private KvmSystem(String path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /**
     * Opens {@code /dev/kvm}.
     *
     * @return the open system handle
     * @throws NativeUnavailableException if the device is absent or not accessible, with the reason
     */
    public static KvmSystem open() {
        return open(DEVICE);
    }

    /**
     * Opens a KVM device at another path (for containers that bind-mount it elsewhere).
     *
     * @param path the device path
     * @return the open system handle
     * @throws NativeUnavailableException if the device is absent or not accessible, with the reason
     */
    public static KvmSystem open(String path) {
        try {
            return new KvmSystem(path, LibC.INSTANCE.open(path, LibC.O_RDWR | LibC.O_CLOEXEC));
        } catch (LastErrorException e) {
            throw unavailable(path, "open", e);
        }
    }

    /**
     * {@code KVM_GET_API_VERSION}: 12 on every kernel since 2.6.22.
     *
     * @return the API version
     */
    public int apiVersion() {
        return ioctl("KVM_GET_API_VERSION", KvmUapi.KVM_GET_API_VERSION, 0);
    }

    /**
     * {@code KVM_CHECK_EXTENSION} on the system fd: 0 when the capability is absent, otherwise a
     * capability-specific positive value (often 1, sometimes a size or a count).
     *
     * @param capability a {@code KVM_CAP_*} number, e.g. 157 for {@code KVM_CAP_NESTED_STATE}
     * @return the capability value, 0 if unsupported
     */
    public int checkExtension(int capability) {
        return ioctl("KVM_CHECK_EXTENSION(" + capability + ")", KvmUapi.KVM_CHECK_EXTENSION, capability);
    }

    /**
     * {@code KVM_GET_VCPU_MMAP_SIZE}: the size of the per-vCPU {@code struct kvm_run} area
     * (at least {@code sizeof(struct kvm_run)}, plus pages for I/O data).
     *
     * @return the size in bytes
     */
    public int vcpuMmapSize() {
        return ioctl("KVM_GET_VCPU_MMAP_SIZE", KvmUapi.KVM_GET_VCPU_MMAP_SIZE, 0);
    }

    /**
     * {@code KVM_CREATE_VM} with the default machine type.
     *
     * @return the new VM, to be closed by the caller
     * @throws NativeUnavailableException if KVM refuses (e.g. no memory, no permission)
     */
    public KvmVm createVm() {
        return new KvmVm(this, ioctl("KVM_CREATE_VM", KvmUapi.KVM_CREATE_VM, 0));
    }

    private int ioctl(String name, long request, long argument) {
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
        try {
            return LibC.INSTANCE.ioctl(fd, request, argument);
        } catch (LastErrorException e) {
            throw unavailable(path, name, e);
        }
    }

    static NativeUnavailableException unavailable(String path, String operation, LastErrorException e) {
        int errno = e.getErrorCode();
        String reason = LibC.INSTANCE.strerror(errno);
        String hint;
        switch (errno) {
            case 2: // ENOENT
                hint = "no KVM device: the kvm module is not loaded or the host has no hardware virtualization";
                break;
            case 13: // EACCES
            case 1: // EPERM
                hint = "permission denied: run as root or add the user to the group owning " + path;
                break;
            default:
                hint = "system call failed";
        }
        return new NativeUnavailableException(path, errno,
                operation + " on " + path + " failed: " + reason + " (errno " + errno + "); " + hint);
    }

    /** Closes the file descriptor; further queries throw {@link IllegalStateException}. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.INSTANCE.close(fd);
        }
    }
}
