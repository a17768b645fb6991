package dev.vmx.hw;

/**
 * A native backend cannot work on this machine, and the message says exactly why: the device
 * that is missing, the permission that is lacking, the CPU feature the host does not have.
 *
 * <p>Thrown instead of crashing or returning empty data; {@link #path()} names the device or file
 * involved, {@link #errno()} the system error number where one was returned (0 otherwise).
 */
public class NativeUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The device or file involved. */
    private final String path;
    /** The system error number, 0 where none was returned. */
    private final int errno;

    /**
     * A backend that is unavailable for a reason with no system error number.
     *
     * @param path the device or file involved, e.g. {@code /dev/kvm}
     * @param message the complete explanation
     */
    public NativeUnavailableException(String path, String message) {
        this(path, 0, message);
    }

    /**
     * A backend that is unavailable because a system call failed.
     *
     * @param path the device or file involved
     * @param errno the {@code errno} the call returned
     * @param message the complete explanation
     */
    public NativeUnavailableException(String path, int errno, String message) {
        super(message);
        this.path = path;
        this.errno = errno;
    }

    /**
     * The device or file involved.
     *
     * @return e.g. {@code /dev/kvm}
     */
    public String path() {
        return path;
    }

    /**
     * The system error number, or 0 when no system call failed.
     *
     * @return errno or 0
     */
    public int errno() {
        return errno;
    }
}
