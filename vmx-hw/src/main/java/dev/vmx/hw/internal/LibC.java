package dev.vmx.hw.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The few libc calls the native backends need; failures surface as {@link LastErrorException}.
 * Public only so the backends in sibling packages share one binding; the package is not exported.
 * Constants are the x86-64 Linux values of {@code <fcntl.h>}, {@code <sys/mman.h>}.
 */
public interface LibC extends Library {
    /** The loaded library. */
    LibC INSTANCE = Native.load("c", LibC.class);

    /** {@code O_RDONLY}. */
    int O_RDONLY = 0;
    /** {@code O_RDWR}. */
    int O_RDWR = 2;
    /** {@code O_NONBLOCK} (asm-generic/fcntl.h: 04000 octal). */
    int O_NONBLOCK = 0x800;
    /** {@code O_CLOEXEC} (asm-generic/fcntl.h: 02000000 octal). */
    int O_CLOEXEC = 0x80000;
    /** {@code PROT_READ | PROT_WRITE}. */
    int PROT_READ_WRITE = 0x3;
    /** {@code MAP_SHARED}. */
    int MAP_SHARED = 0x01;
    /** {@code MAP_PRIVATE | MAP_ANONYMOUS}. */
    int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    /** {@code EINTR}. */
    int EINTR = 4;
    /**
     * {@code SIGPIPE}: the signal that interrupts a vCPU thread's KVM_RUN. HotSpot installs a
     * handler for it that ignores it, so it interrupts the system call (EINTR) and nothing else.
     */
    int SIGPIPE = 13;
    /** {@code EAGAIN}. */
    int EAGAIN = 11;

    int open(String path, int flags) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    /** {@code ioctl} with an integer argument, as KVM's _IO requests take. */
    int ioctl(int fd, long request, long argument) throws LastErrorException;

    /** {@code ioctl} with a pointer to a struct, as _IOR/_IOW/_IOWR requests take. */
    int ioctl(int fd, long request, Pointer argument) throws LastErrorException;

    Pointer mmap(Pointer address, long length, int protection, int flags, int fd, long offset)
            throws LastErrorException;

    int munmap(Pointer address, long length) throws LastErrorException;

    long read(int fd, Pointer buffer, long count) throws LastErrorException;

    long pread(int fd, Pointer buffer, long count, long offset) throws LastErrorException;

    int mount(String source, String target, String filesystemType, long flags, Pointer data) throws LastErrorException;

    int geteuid();

    int getpid();

    /** Sends a signal to one thread of a process (here: to interrupt a vCPU thread in KVM_RUN). */
    int tgkill(int processId, int threadId, int signal) throws LastErrorException;

    /** The calling thread's id: the {@code common_pid} trace events record for it. */
    int gettid();

    String strerror(int errno);
}
