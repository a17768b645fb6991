package dev.vmx.hw.bochs;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How {@link BochsRunner} starts Bochs: the emulated CPU model, its memory, and the time limits
 * every run is held to. Immutable; change it with the {@code with...} methods.
 *
 * @param cpuModel a Bochs {@code cpu: model=} name, e.g. {@code corei7_skylake_x} (the default),
 *        {@code tigerlake}, {@code corei7_icelake_u}; {@code bochs --help cpu} lists them. The model
 *        must report VMX
 * @param memoryMiB the emulated machine's memory in MiB: 64 (the default) to 2048. The hypervisor
 *        keeps the first MiB; cases use the rest
 * @param bootTimeout how long Bochs may take from start to the hypervisor's HELLO report
 * @param stallTimeout how long a running batch may stay silent (no report) before Bochs is
 *        considered hung, killed, and the case it was running reported as hung
 * @param maxRestarts how many times a batch restarts Bochs after a crash or hang, to run the cases
 *        after the one that failed; past that the rest are reported as not run
 */
public record BochsConfig(String cpuModel, int memoryMiB, Duration bootTimeout, Duration stallTimeout, int maxRestarts) {
    /** The default CPU model: Skylake-X, whose VMX has EPT, VPID, unrestricted guest, PML, VMCS shadowing. */
    public static final String DEFAULT_CPU_MODEL = "corei7_skylake_x";
    private static final Pattern MODEL = Pattern.compile("[a-z0-9_]+");

    /**
     * Checks the settings.
     *
     * @param cpuModel the CPU model name
     * @param memoryMiB memory in MiB
     * @param bootTimeout time to HELLO
     * @param stallTimeout longest silence while running
     * @param maxRestarts restarts after a crash or hang
     */
    public BochsConfig {
        Objects.requireNonNull(cpuModel, "cpuModel");
        if (!MODEL.matcher(cpuModel).matches()) {
            throw new IllegalArgumentException("CPU model '" + cpuModel + "' is not a Bochs model name ([a-z0-9_]+)");
        }
        if (memoryMiB < 64 || memoryMiB > 2048) {
            throw new IllegalArgumentException("memoryMiB " + memoryMiB + " is outside 64..2048");
        }
        requirePositive(bootTimeout, "bootTimeout");
        requirePositive(stallTimeout, "stallTimeout");
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts " + maxRestarts + " is negative");
        }
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " " + duration + " is not positive");
        }
    }

    /**
     * Skylake-X, 64 MiB, 60 s to boot, 30 s of silence, 3 restarts. The limits are generous because
     * a loaded CI machine may run Bochs at a fraction of its usual speed.
     *
     * @return the defaults
     */
    public static BochsConfig defaults() {
        return new BochsConfig(DEFAULT_CPU_MODEL, 64, Duration.ofSeconds(60), Duration.ofSeconds(30), 3);
    }

    /**
     * This configuration with another CPU model.
     *
     * @param model the Bochs model name
     * @return the new configuration
     */
    public BochsConfig withCpuModel(String model) {
        return new BochsConfig(model, memoryMiB, bootTimeout, stallTimeout, maxRestarts);
    }

    /**
     * This configuration with another memory size.
     *
     * @param mib memory in MiB
     * @return the new configuration
     */
    public BochsConfig withMemoryMiB(int mib) {
        return new BochsConfig(cpuModel, mib, bootTimeout, stallTimeout, maxRestarts);
    }

    /**
     * This configuration with other time limits.
     *
     * @param boot time to HELLO
     * @param stall longest silence while running
     * @return the new configuration
     */
    public BochsConfig withTimeouts(Duration boot, Duration stall) {
        return new BochsConfig(cpuModel, memoryMiB, boot, stall, maxRestarts);
    }

    /**
     * This configuration with another restart limit.
     *
     * @param restarts restarts after a crash or hang
     * @return the new configuration
     */
    public BochsConfig withMaxRestarts(int restarts) {
        return new BochsConfig(cpuModel, memoryMiB, bootTimeout, stallTimeout, restarts);
    }
}
