package dev.vmx.hw.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.hw.internal.LibC;
import java.util.ArrayList;
import java.util.List;

/**
 * A KVM virtual machine ({@code KVM_CREATE_VM}): guest memory slots backed by anonymous
 * {@code mmap}s, and vCPUs. Closing it closes its vCPUs, unmaps its memory and closes the VM fd.
 * Not thread-safe.
 */
public final class KvmVm implements AutoCloseable {
    private final KvmSystem system;
    private final int fd;
    private final List<Pointer> mappings = new ArrayList<>();
    private final List<Long> mappingSizes = new ArrayList<>();
    private final List<KvmVcpu> vcpus = new ArrayList<>();
    private boolean closed;

    KvmVm(KvmSystem system, int fd) {
        this.system = system;
        this.fd = fd;
    }

    /**
     * Backs {@code size} bytes of guest-physical memory at {@code guestPhysical} with fresh
     * zeroed host memory ({@code KVM_SET_USER_MEMORY_REGION} on the next free slot).
     *
     * @param guestPhysical the guest-physical start, page aligned
     * @param size the size in bytes, a multiple of 4096
     * @return the host memory, for loading code and reading results
     * @throws IllegalArgumentException if the range is not page aligned
     * @throws NativeUnavailableException if the kernel refuses the mapping
     */
    public Pointer addMemory(long guestPhysical, long size) {
        checkOpen();
        if ((guestPhysical & 0xfff) != 0 || (size & 0xfff) != 0 || size <= 0) {
            throw new IllegalArgumentException("guest memory at 0x" + Long.toHexString(guestPhysical) + " size 0x"
                    + Long.toHexString(size) + " is not a positive whole number of 4096-byte pages");
        }
        Pointer host;
        try {
            host = LibC.INSTANCE.mmap(null, size, LibC.PROT_READ_WRITE, LibC.MAP_PRIVATE_ANONYMOUS, -1, 0);
        } catch (LastErrorException e) {
            throw KvmSystem.unavailable("anonymous memory", "mmap", e);
        }
        mappings.add(host);
        mappingSizes.add(size);
        try (Memory region = new Memory(KvmUapi.SIZEOF_KVM_USERSPACE_MEMORY_REGION)) {
            region.clear();
            region.setInt(KvmUapi.KVM_USERSPACE_MEMORY_REGION_SLOT, mappings.size() - 1);
            region.setLong(KvmUapi.KVM_USERSPACE_MEMORY_REGION_GUEST_PHYS_ADDR, guestPhysical);
            region.setLong(KvmUapi.KVM_USERSPACE_MEMORY_REGION_MEMORY_SIZE, size);
            region.setLong(KvmUapi.KVM_USERSPACE_MEMORY_REGION_USERSPACE_ADDR, Pointer.nativeValue(host));
            ioctl("KVM_SET_USER_MEMORY_REGION", KvmUapi.KVM_SET_USER_MEMORY_REGION, region);
        }
        return host;
    }

    /**
     * Creates a vCPU ({@code KVM_CREATE_VCPU}) and maps its {@code struct kvm_run}.
     *
     * @param id the vCPU id, 0 for the boot processor
     * @return the vCPU, closed with this VM
     */
    public KvmVcpu createVcpu(int id) {
        checkOpen();
        int runSize = system.vcpuMmapSize(); // before the fd exists, so a failure leaks nothing
        int vcpuFd;
        try {
            vcpuFd = LibC.INSTANCE.ioctl(fd, KvmUapi.KVM_CREATE_VCPU, id);
        } catch (LastErrorException e) {
            throw KvmSystem.unavailable(system.path(), "KVM_CREATE_VCPU(" + id + ")", e);
        }
        KvmVcpu vcpu = new KvmVcpu(system.path(), vcpuFd, id, runSize);
        vcpus.add(vcpu);
        return vcpu;
    }

    private void ioctl(String name, long request, Pointer argument) {
        try {
            LibC.INSTANCE.ioctl(fd, request, argument);
        } catch (LastErrorException e) {
            throw KvmSystem.unavailable(system.path(), name, e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the VM is closed");
        }
    }

    /** Closes the vCPUs, the VM fd, and unmaps guest memory (in that order: KVM holds the pages until the VM is gone). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // release everything even if one step fails, then report the first failure
        RuntimeException first = null;
        for (KvmVcpu vcpu : vcpus) {
            try {
                vcpu.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException e) {
            first = first == null ? KvmSystem.unavailable(system.path(), "close of the VM fd", e) : first;
        }
        for (int i = 0; i < mappings.size(); i++) {
            try {
                LibC.INSTANCE.munmap(mappings.get(i), mappingSizes.get(i));
            } catch (LastErrorException e) {
                first = first == null ? KvmSystem.unavailable("anonymous memory", "munmap of guest memory slot " + i, e) : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
