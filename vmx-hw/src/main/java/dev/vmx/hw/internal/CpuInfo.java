package dev.vmx.hw.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What {@code /proc/cpuinfo} and {@code /sys/module} say about the host, for precise "why not"
 * messages: the CPU vendor, its feature flags, the KVM vendor module. CPUID-free on purpose.
 */
public final class CpuInfo {
    private final String vendor;
    private final List<String> flags;
    private final Optional<String> kvmModule;

    private CpuInfo(String vendor, List<String> flags, Optional<String> kvmModule) {
        this.vendor = vendor;
        this.flags = flags;
        this.kvmModule = kvmModule;
    }

    /**
     * Reads the first CPU's entry of {@code /proc/cpuinfo} and the loaded KVM modules.
     *
     * @return the host's info; vendor "unknown" when cpuinfo is unreadable
     */
    public static CpuInfo host() {
        return parse(read(Path.of("/proc/cpuinfo")), Path.of("/sys/module"));
    }

    static String read(Path file) {
        // procfs reports size 0: read the stream to its end
        try (var in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Parses cpuinfo text.
     *
     * @param cpuinfo the text of {@code /proc/cpuinfo}
     * @param modules the {@code /sys/module} directory
     * @return the info
     */
    public static CpuInfo parse(String cpuinfo, Path modules) {
        String vendor = "unknown";
        List<String> flags = List.of();
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (key.equals("vendor_id") && vendor.equals("unknown")) {
                vendor = value;
            } else if (key.equals("flags") && flags.isEmpty()) {
                flags = Arrays.asList(value.split("\\s+"));
            }
        }
        Optional<String> module = Optional.empty();
        for (String candidate : new String[] {"kvm_intel", "kvm_amd", "kvm_pvm"}) {
            if (Files.isDirectory(modules.resolve(candidate))) {
                module = Optional.of(candidate);
                break;
            }
        }
        return new CpuInfo(vendor, List.copyOf(flags), module);
    }

    /**
     * The {@code vendor_id}.
     *
     * @return e.g. {@code GenuineIntel}, {@code AuthenticAMD}, or {@code unknown}
     */
    public String vendor() {
        return vendor;
    }

    /**
     * Whether the CPU flags include one.
     *
     * @param flag e.g. {@code vmx}
     * @return true if listed
     */
    public boolean hasFlag(String flag) {
        return flags.contains(flag);
    }

    /**
     * The loaded KVM vendor module.
     *
     * @return {@code kvm_intel}, {@code kvm_amd}, {@code kvm_pvm}, or empty
     */
    public Optional<String> kvmModule() {
        return kvmModule;
    }

    /**
     * One phrase on why this host has no VMX, or empty if it has VMX.
     *
     * @return e.g. {@code host CPU is AuthenticAMD without VMX ('vmx' is not in /proc/cpuinfo flags)}
     */
    public Optional<String> noVmxReason() {
        if (hasFlag("vmx")) {
            return Optional.empty();
        }
        return Optional.of("host CPU is " + vendor + " without VMX ('vmx' is not in /proc/cpuinfo flags"
                + kvmModule.map(m -> "; KVM runs through " + m).orElse("") + ")");
    }
}
