package dev.vmx.hw.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.hw.internal.LibC;
import java.nio.ByteBuffer;

/**
 * One KVM vCPU: register setup for real mode, {@code KVM_RUN}, and the exit it returns with.
 * Created by {@link KvmVm#createVcpu(int)} and closed with its VM. Not thread-safe.
 */
public final class KvmVcpu implements AutoCloseable {
    private final String path;
    private final int fd;
    private final int id;
    private final Pointer run;
    private final int runSize;
    private boolean closed;

    KvmVcpu(String path, int fd, int id, int runSize) {
        this.path = path;
        this.fd = fd;
        this.id = id;
        this.runSize = runSize;
        try {
            this.run = LibC.INSTANCE.mmap(null, runSize, LibC.PROT_READ_WRITE, LibC.MAP_SHARED, fd, 0);
        } catch (LastErrorException e) {
            LibC.INSTANCE.close(fd);
            throw KvmSystem.unavailable(path, "mmap of kvm_run for vCPU " + id, e);
        }
    }

    /**
     * The vCPU id.
     *
     * @return the id given at creation
     */
    public int id() {
        return id;
    }

    /**
     * Puts the vCPU in 16-bit real mode at {@code 0000:ip}: all segment bases and selectors 0,
     * RFLAGS 2 (bit 1 is reserved as 1), RIP {@code ip}, other general registers 0.
     *
     * @param ip the instruction pointer, below 0x10000
     */
    public void enterRealMode(int ip) {
        if (ip < 0 || ip > 0xffff) {
            throw new IllegalArgumentException("real-mode IP 0x" + Integer.toHexString(ip) + " does not fit 16 bits");
        }
        try (Memory sregs = new Memory(KvmUapi.SIZEOF_KVM_SREGS); Memory regs = new Memory(KvmUapi.SIZEOF_KVM_REGS)) {
            ioctl("KVM_GET_SREGS", KvmUapi.KVM_GET_SREGS, sregs);
            for (int segment : new int[] {KvmUapi.KVM_SREGS_CS, KvmUapi.KVM_SREGS_DS, KvmUapi.KVM_SREGS_ES,
                    KvmUapi.KVM_SREGS_FS, KvmUapi.KVM_SREGS_GS, KvmUapi.KVM_SREGS_SS}) {
                sregs.setLong(segment + KvmUapi.KVM_SEGMENT_BASE, 0);
                sregs.setShort(segment + KvmUapi.KVM_SEGMENT_SELECTOR, (short) 0);
            }
            ioctl("KVM_SET_SREGS", KvmUapi.KVM_SET_SREGS, sregs);
            regs.clear();
            regs.setLong(KvmUapi.KVM_REGS_RIP, ip);
            regs.setLong(KvmUapi.KVM_REGS_RFLAGS, 2);
            ioctl("KVM_SET_REGS", KvmUapi.KVM_SET_REGS, regs);
        }
    }

    /**
     * Reads {@code struct kvm_sregs}, lets {@code edit} change it in place (offsets per
     * {@link KvmUapi}), and writes it back: for tests that need a state {@link #enterRealMode(int)}
     * does not set up, such as one the processor refuses to enter.
     *
     * @param edit changes the {@code SIZEOF_KVM_SREGS} bytes
     */
    void editSpecialRegisters(java.util.function.Consumer<Pointer> edit) {
        try (Memory sregs = new Memory(KvmUapi.SIZEOF_KVM_SREGS)) {
            ioctl("KVM_GET_SREGS", KvmUapi.KVM_GET_SREGS, sregs);
            edit.accept(sregs);
            ioctl("KVM_SET_SREGS", KvmUapi.KVM_SET_SREGS, sregs);
        }
    }

    /**
     * {@code KVM_RUN}: runs the guest until KVM needs user space, and decodes why.
     *
     * @return the exit
     * @throws NativeUnavailableException if KVM_RUN itself fails (e.g. EFAULT); a signal
     *         (EINTR) is the exit {@code Other(INTR)} instead
     */
    public KvmExit run() {
        checkOpen();
        try {
            LibC.INSTANCE.ioctl(fd, KvmUapi.KVM_RUN, 0L);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EINTR) {
                // a signal interrupted the guest (kvm.h: KVM_RUN fails with EINTR, exit_reason KVM_EXIT_INTR)
                return new KvmExit.Other(KvmExitType.INTR, KvmExitType.INTR.number());
            }
            throw KvmSystem.unavailable(path, "KVM_RUN on vCPU " + id, e);
        }
        return KvmExit.decode(runArea());
    }

    /**
     * Answers the IN the guest is waiting for: writes {@code data} where KVM reads it on the next
     * {@code KVM_RUN} ({@code io.data_offset} of {@code struct kvm_run}).
     *
     * @param in the IN exit just returned by {@link #run()}
     * @param data exactly {@code size * count} bytes
     * @throws IllegalArgumentException if the length is wrong or the exit is an OUT
     */
    public void answerIn(KvmExit.Io in, byte[] data) {
        checkOpen();
        if (in.isOut() || data.length != in.size() * in.count()) {
            throw new IllegalArgumentException("an IN of " + in.size() + " x " + in.count() + " bytes needs "
                    + in.size() * in.count() + " bytes of answer, got " + data.length + (in.isOut() ? " (and it is an OUT)" : ""));
        }
        long dataOffset = run.getLong(KvmUapi.KVM_RUN_IO_DATA_OFFSET);
        run.write(dataOffset, data, 0, data.length);
    }

    /**
     * Answers the MMIO read the guest is waiting for: writes {@code data} into
     * {@code mmio.data} of {@code struct kvm_run}, which KVM hands to the guest on the next
     * {@code KVM_RUN}.
     *
     * @param read the MMIO read exit just returned by {@link #run()}
     * @param data exactly as many bytes as the read's length
     * @throws IllegalArgumentException if the length is wrong or the exit is a write
     */
    public void answerMmioRead(KvmExit.Mmio read, byte[] data) {
        checkOpen();
        if (read.isWrite() || data.length != read.data().length) {
            throw new IllegalArgumentException("an MMIO read of " + read.data().length + " bytes needs that many bytes of answer, got "
                    + data.length + (read.isWrite() ? " (and it is a write)" : ""));
        }
        run.write(KvmUapi.KVM_RUN_MMIO_DATA, data, 0, data.length);
    }

    /**
     * The raw {@code struct kvm_run} area as KVM left it (for callers that decode more).
     *
     * @return a view over the mapped area (valid until the VM is closed)
     */
    ByteBuffer runArea() {
        return run.getByteBuffer(0, runSize);
    }

    /**
     * {@code KVM_GET_NESTED_STATE}: the nested (L1 hypervisor) state of this vCPU, with the
     * vmcs12 of its current VMCS when it has one.
     *
     * @param system the system fd, to check {@code KVM_CAP_NESTED_STATE}
     * @return the parsed {@code struct kvm_nested_state}
     * @throws NativeUnavailableException if the host KVM has no nested state (the capability is
     *         0: no nested virtualization on this host, e.g. AMD without nested SVM state or
     *         {@code kvm_intel nested=0})
     */
    public KvmNestedState nestedState(KvmSystem system) {
        checkOpen();
        int maxSize = system.requireNestedState();
        try (Memory state = new Memory(maxSize)) {
            state.clear();
            state.setInt(KvmUapi.KVM_NESTED_STATE_SIZE, maxSize);
            ioctl("KVM_GET_NESTED_STATE", KvmUapi.KVM_GET_NESTED_STATE, state);
            int size = state.getInt(KvmUapi.KVM_NESTED_STATE_SIZE);
            return KvmNestedState.parse(state.getByteArray(0, Math.min(Math.max(size, KvmUapi.SIZEOF_KVM_NESTED_STATE), maxSize)));
        }
    }

    /**
     * {@code KVM_SET_NESTED_STATE}: writes nested state back. Changing an L1 hypervisor's state is
     * dangerous, so the caller must say so explicitly.
     *
     * @param state a {@code struct kvm_nested_state} image
     * @param iUnderstandThisChangesTheGuest must be true
     * @throws IllegalArgumentException if the opt-in is false
     */
    public void setNestedState(byte[] state, boolean iUnderstandThisChangesTheGuest) {
        if (!iUnderstandThisChangesTheGuest) {
            throw new IllegalArgumentException("KVM_SET_NESTED_STATE rewrites the L1 hypervisor's state; "
                    + "pass true to confirm");
        }
        checkOpen();
        try (Memory memory = new Memory(state.length)) {
            memory.write(0, state, 0, state.length);
            ioctl("KVM_SET_NESTED_STATE", KvmUapi.KVM_SET_NESTED_STATE, memory);
        }
    }

    private void ioctl(String name, long request, Pointer argument) {
        checkOpen();
        try {
            LibC.INSTANCE.ioctl(fd, request, argument);
        } catch (LastErrorException e) {
            throw KvmSystem.unavailable(path, name + " on vCPU " + id, e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("vCPU " + id + " is closed");
        }
    }

    /** Unmaps {@code kvm_run} and closes the vCPU fd. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LastErrorException unmapFailure = null;
            try {
                LibC.INSTANCE.munmap(run, runSize);
            } catch (LastErrorException e) {
                unmapFailure = e;
            }
            try {
                LibC.INSTANCE.close(fd);
            } catch (LastErrorException e) {
                throw KvmSystem.unavailable(path, "close of vCPU " + id, e);
            }
            if (unmapFailure != null) {
                throw KvmSystem.unavailable(path, "munmap of kvm_run for vCPU " + id, unmapFailure);
            }
        }
    }
}
