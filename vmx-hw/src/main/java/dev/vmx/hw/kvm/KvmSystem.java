package dev.vmx.hw.kvm;

import com.sun.jna.LastErrorException;
import dev.vmx.hw.NativeUnavailableException;
import com.sun.jna.Memory;
import dev.vmx.hw.internal.CpuInfo;
import dev.vmx.hw.internal.LibC;
import dev.vmx.cap.VmxMsr;
import dev.vmx.hw.msr.VmxMsrValues;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

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

    /**
     * Checks that KVM keeps nested state ({@code KVM_CAP_NESTED_STATE} is non-zero), so that
     * {@code KVM_GET_NESTED_STATE} can return a vmcs12.
     *
     * @return the capability value: the largest {@code struct kvm_nested_state} KVM returns
     * @throws NativeUnavailableException if the capability is 0, saying why
     */
    public int requireNestedState() {
        int maxSize = checkExtension(KvmUapi.KVM_CAP_NESTED_STATE);
        if (maxSize <= 0) {
            throw new NativeUnavailableException(path, "KVM_CAP_NESTED_STATE is 0 on this host: "
                    + "KVM keeps no nested (L1 hypervisor) state to read, so there is no vmcs12; "
                    + "it needs an Intel host with kvm_intel nested=1");
        }
        return maxSize;
    }

    /**
     * {@code KVM_GET_MSR_FEATURE_INDEX_LIST}: the MSRs that describe what KVM and the host CPU
     * can offer guests (read with {@link #featureMsrs()}).
     *
     * @return the MSR indexes, in KVM's order
     * @throws NativeUnavailableException if KVM lacks {@code KVM_CAP_GET_MSR_FEATURES}
     */
    public int[] featureMsrIndexes() {
        if (checkExtension(KvmUapi.KVM_CAP_GET_MSR_FEATURES) <= 0) {
            throw new NativeUnavailableException(path, "KVM_CAP_GET_MSR_FEATURES is 0: this KVM cannot list feature MSRs");
        }
        // first call with room for none: KVM answers E2BIG and writes the count
        int count;
        try (Memory probe = new Memory(KvmUapi.KVM_MSR_LIST_INDICES)) {
            probe.setInt(KvmUapi.KVM_MSR_LIST_NMSRS, 0);
            try {
                LibC.INSTANCE.ioctl(fd, KvmUapi.KVM_GET_MSR_FEATURE_INDEX_LIST, probe);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != 7) { // E2BIG
                    throw unavailable(path, "KVM_GET_MSR_FEATURE_INDEX_LIST", e);
                }
            }
            count = probe.getInt(KvmUapi.KVM_MSR_LIST_NMSRS);
        }
        try (Memory list = new Memory(KvmUapi.KVM_MSR_LIST_INDICES + 4L * Math.max(count, 1))) {
            list.setInt(KvmUapi.KVM_MSR_LIST_NMSRS, count);
            ioctl("KVM_GET_MSR_FEATURE_INDEX_LIST", KvmUapi.KVM_GET_MSR_FEATURE_INDEX_LIST, list);
            return list.getIntArray(KvmUapi.KVM_MSR_LIST_INDICES, list.getInt(KvmUapi.KVM_MSR_LIST_NMSRS));
        }
    }

    /**
     * {@code KVM_GET_MSRS} on the system fd: the value of every feature MSR.
     *
     * @return index to value, ascending by index
     */
    public Map<Integer, Long> featureMsrs() {
        int[] indexes = featureMsrIndexes();
        Map<Integer, Long> values = new TreeMap<>();
        if (indexes.length == 0) {
            return Map.of();
        }
        try (Memory msrs = new Memory(KvmUapi.KVM_MSRS_ENTRIES + (long) KvmUapi.SIZEOF_KVM_MSR_ENTRY * indexes.length)) {
            msrs.clear();
            msrs.setInt(KvmUapi.KVM_MSRS_NMSRS, indexes.length);
            for (int i = 0; i < indexes.length; i++) {
                msrs.setInt(KvmUapi.KVM_MSRS_ENTRIES + (long) KvmUapi.SIZEOF_KVM_MSR_ENTRY * i + KvmUapi.KVM_MSR_ENTRY_INDEX,
                        indexes[i]);
            }
            // returns how many entries it filled, stopping at the first it cannot read
            int read = ioctl("KVM_GET_MSRS", KvmUapi.KVM_GET_MSRS, msrs);
            for (int i = 0; i < read; i++) {
                long entry = KvmUapi.KVM_MSRS_ENTRIES + (long) KvmUapi.SIZEOF_KVM_MSR_ENTRY * i;
                values.put(msrs.getInt(entry + KvmUapi.KVM_MSR_ENTRY_INDEX), msrs.getLong(entry + KvmUapi.KVM_MSR_ENTRY_DATA));
            }
        }
        return Collections.unmodifiableMap(values);
    }

    /**
     * The IA32_VMX_* capability MSRs KVM exposes as feature MSRs: what a nested (L1) hypervisor
     * in a guest of this host would see. Present on Intel hosts with nested VMX.
     *
     * @return the raw values
     * @throws NativeUnavailableException if KVM exposes none, saying why (no VMX on this CPU, or
     *         nested virtualization off)
     */
    public VmxMsrValues vmxFeatureMsrs() {
        Map<VmxMsr, Long> vmx = new EnumMap<>(VmxMsr.class);
        for (Map.Entry<Integer, Long> msr : featureMsrs().entrySet()) {
            VmxMsr.ofIndex(msr.getKey()).ifPresent(known -> vmx.put(known, msr.getValue()));
        }
        if (vmx.isEmpty()) {
            CpuInfo cpu = CpuInfo.host();
            String why = cpu.noVmxReason().orElse("host CPU is " + cpu.vendor()
                    + " with VMX, but nested virtualization is off (kvm_intel nested=0)");
            throw new NativeUnavailableException(path, why + ": KVM exposes no IA32_VMX_* feature MSRs");
        }
        return new VmxMsrValues("KVM_GET_MSRS on " + path, vmx);
    }

    private int ioctl(String name, long request, com.sun.jna.Pointer argument) {
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
        try {
            return LibC.INSTANCE.ioctl(fd, request, argument);
        } catch (LastErrorException e) {
            throw unavailable(path, name, e);
        }
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

    /** The device path this handle opened. */
    String path() {
        return path;
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
            try {
                LibC.INSTANCE.close(fd);
            } catch (LastErrorException e) {
                throw unavailable(path, "close", e);
            }
        }
    }
}
