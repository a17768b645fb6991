package dev.vmx.hw.msr;

import dev.vmx.cap.VmxMsr;
import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.hw.internal.CpuInfo;
import dev.vmx.hw.internal.LibC;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The Linux MSR device {@code /dev/cpu/N/msr} (module {@code msr}): an 8-byte {@code pread} at
 * offset {@code index} is RDMSR on CPU N. Reads the host's own IA32_VMX_* MSRs (not what KVM
 * offers guests: see {@code KvmSystem.vmxFeatureMsrs()} for that).
 */
public final class MsrDevice implements AutoCloseable {
    /** {@code EIO}: what {@code /dev/cpu/N/msr} returns when RDMSR faults (no such MSR). */
    private static final int EIO = 5;

    private final Path path;
    private final int fd;
    private boolean closed;

    private MsrDevice(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /**
     * Opens {@code /dev/cpu/N/msr}.
     *
     * @param cpu the CPU number
     * @return the open device
     * @throws NativeUnavailableException if the msr module is absent, the CPU does not exist,
     *         or the caller lacks permission
     */
    public static MsrDevice open(int cpu) {
        Path path = Path.of("/dev/cpu/" + cpu + "/msr");
        if (!Files.exists(path)) {
            if (!Files.isDirectory(Path.of("/sys/module/msr"))) {
                throw new NativeUnavailableException(path.toString(), "no " + path
                        + ": the msr module is not loaded (modprobe msr, as root)");
            }
            throw new NativeUnavailableException(path.toString(), "no " + path + ": the msr module is loaded but CPU "
                    + cpu + " does not exist or is offline");
        }
        return at(path);
    }

    /**
     * Opens an MSR device (or any file laid out like one) at a path.
     *
     * @param path the device
     * @return the open device
     * @throws NativeUnavailableException if it cannot be opened, with the reason
     */
    public static MsrDevice at(Path path) {
        try {
            return new MsrDevice(path, LibC.INSTANCE.open(path.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC));
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            String hint = errno == 13 || errno == 1
                    ? "permission denied: reading MSRs needs root with CAP_SYS_RAWIO"
                    : LibC.INSTANCE.strerror(errno);
            throw new NativeUnavailableException(path.toString(), errno, "open of " + path + " failed (errno " + errno
                    + "): " + hint);
        }
    }

    /**
     * RDMSR through the device.
     *
     * @param index the MSR index
     * @return the value
     * @throws NativeUnavailableException if the CPU refuses the read (EIO: the MSR does not exist)
     */
    public long read(int index) {
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
        try (Memory value = new Memory(8)) {
            long read;
            try {
                read = LibC.INSTANCE.pread(fd, value, 8, Integer.toUnsignedLong(index));
            } catch (LastErrorException e) {
                throw new NativeUnavailableException(path.toString(), e.getErrorCode(), "RDMSR 0x"
                        + Integer.toHexString(index) + " through " + path + " failed: "
                        + LibC.INSTANCE.strerror(e.getErrorCode()) + " (errno " + e.getErrorCode() + ")");
            }
            if (read != 8) {
                throw new NativeUnavailableException(path.toString(), "RDMSR 0x" + Integer.toHexString(index) + " through "
                        + path + " returned " + read + " bytes, not 8");
            }
            return value.getLong(0);
        }
    }

    /**
     * Reads every IA32_VMX_* MSR this CPU has. IA32_VMX_BASIC must read; the others are read
     * when their existence conditions hold as far as a failed read tells (a refused read leaves
     * the MSR absent).
     *
     * @return the raw values
     * @throws NativeUnavailableException if the host CPU has no VMX
     */
    public VmxMsrValues vmxMsrs() {
        CpuInfo cpu = CpuInfo.host();
        if (cpu.noVmxReason().isPresent()) {
            throw new NativeUnavailableException(path.toString(), cpu.noVmxReason().get()
                    + ": it has no IA32_VMX_* MSRs to read through " + path);
        }
        return vmxMsrsUnchecked();
    }

    /** Reads without the cpuinfo check (for files laid out like the device). */
    VmxMsrValues vmxMsrsUnchecked() {
        Map<VmxMsr, Long> values = new EnumMap<>(VmxMsr.class);
        values.put(VmxMsr.IA32_VMX_BASIC, read(VmxMsr.IA32_VMX_BASIC.index()));
        for (VmxMsr msr : VmxMsr.values()) {
            if (msr != VmxMsr.IA32_VMX_BASIC) {
                try {
                    values.put(msr, read(msr.index()));
                } catch (NativeUnavailableException e) {
                    // msr.c: RDMSR of an MSR this CPU lacks faults, and the read fails with EIO; such
                    // an MSR is left out rather than zero. Any other failure is not an absent MSR.
                    if (e.errno() != EIO) {
                        throw e;
                    }
                }
            }
        }
        return new VmxMsrValues("pread of " + path, values);
    }

    /** Closes the device. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.INSTANCE.close(fd);
        }
    }
}
