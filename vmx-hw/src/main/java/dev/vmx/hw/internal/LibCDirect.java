package dev.vmx.hw.internal;

import com.sun.jna.Native;

/**
 * libc calls on hot paths, bound with JNA direct mapping ({@link Native#register(Class, String)}):
 * primitive arguments and results, no argument array, no boxing, and no exception for an
 * expected failure. A call returns -1 and leaves errno in {@link Native#getLastError()}, so a
 * poll loop that meets {@code EAGAIN} on every idle CPU allocates nothing, where the
 * {@link LibC} interface binding builds a {@code LastErrorException} (with its stack trace) per
 * call. Public only so sibling packages share it; the package is not exported.
 */
public final class LibCDirect {
    static {
        Native.register(LibCDirect.class, "c");
    }

    private LibCDirect() {
    }

    /**
     * {@code ssize_t read(int fd, void *buf, size_t count)}.
     *
     * @param fd an open file descriptor
     * @param buffer the native address to read into (e.g. {@code Pointer.nativeValue(memory)})
     * @param count how many bytes at most
     * @return the bytes read, 0 at end of file, or -1 with errno in {@link Native#getLastError()}
     */
    public static native long read(int fd, long buffer, long count);
}
