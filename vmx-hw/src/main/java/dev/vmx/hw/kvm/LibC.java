package dev.vmx.hw.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/** The few libc calls the KVM backend needs; failures surface as {@link LastErrorException}. */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    /** {@code O_RDWR} from {@code <fcntl.h>}. */
    int O_RDWR = 2;
    /** {@code O_CLOEXEC} from {@code <asm-generic/fcntl.h>} (x86-64). */
    int O_CLOEXEC = 0x80000;

    int open(String path, int flags) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    /** {@code ioctl} with an integer argument, as KVM's _IO requests take. */
    int ioctl(int fd, long request, long argument) throws LastErrorException;

    String strerror(int errno);
}
