package dev.vmx.cli;

import dev.vmx.cap.AllowedSettings;
import dev.vmx.cap.ControlBit;
import dev.vmx.cap.ControlField;
import dev.vmx.cap.ControlViolation;
import dev.vmx.cap.EptVpidCapabilityBit;
import dev.vmx.cap.VmxBasic;
import dev.vmx.cap.VmxCapabilities;
import dev.vmx.cap.VmxMsr;
import dev.vmx.hw.kvm.KvmSystem;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vmx caps}: the VMX capabilities as QEMU's scripts/kvm/vmxcap prints them (per control bit
 * yes / no / forced / default, from the TRUE MSRs where the processor has them), and verdicts on
 * proposed control values.
 */
@Command(name = "caps", mixinStandardHelpOptions = true, versionProvider = Vmx.Version.class,
        description = {"Print the VMX capabilities like QEMU's vmxcap: per control bit 'yes' (may be 0 or 1), 'no' (must be 0), "
                + "'forced' (must be 1) or 'default' (must be 1 by the plain MSR, may be 0 by its TRUE MSR). "
                + "Several CPUs with the same values print once; CPUs that differ print each.",
            "With --check CONTROL=VALUE, also judge a proposed control value: the bits the processor rejects and the "
                + "value adjusted the way hypervisors do ((value | must-be-1) & may-be-1)."},
        footerHeading = "%nCapability dump format (--file):%n",
        footer = {"  # comment        one MSR per line: INDEX VALUE (hex 0x.. or decimal; blank, = or : between)",
            "  cpu 0            optional: starts the values of CPU 0 (without it the file is one CPU)",
            "  0x480 0xda040000000012",
            "  0x481 0x7f00000016",
            "Required: 0x480-0x489 (BASIC, PINBASED, PROCBASED, EXIT, ENTRY, MISC, CR0/CR4 FIXED0/1), and the TRUE MSRs "
                + "0x48d-0x490 when IA32_VMX_BASIC bit 55 is 1.",
            "",
            "CONTROL names: pin, proc, proc2, proc3, exit, exit2, entry (or PIN_BASED, PRIMARY_PROCESSOR_BASED, ...)."})
final class CapsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Exactly one source. */
    static final class Source {
        @Option(names = "--file", paramLabel = "FILE", description = "A capability dump (format below); - for standard input.")
        String file;

        @Option(names = "--kvm", description = "KVM's feature MSRs (what a nested hypervisor sees); the default.")
        boolean kvm;

        @Option(names = "--msr", paramLabel = "CPU", description = "/dev/cpu/CPU/msr (root, modprobe msr); 'all' for every CPU.")
        String msrCpu;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Source source;

    @Option(names = "--kvm-device", paramLabel = "PATH", defaultValue = KvmSystem.DEVICE,
            description = "The KVM device for --kvm (default: ${DEFAULT-VALUE}).")
    String kvmDevice;

    @Option(names = "--check", paramLabel = "CONTROL=VALUE", description = "A proposed control value to judge.")
    List<String> checks = new ArrayList<>();

    @Override
    public Integer call() {
        Map<String, VmxCapabilities> cpus;
        if (source != null && source.file != null) {
            cpus = Capabilities.fromFile(source.file);
        } else if (source != null && source.msrCpu != null) {
            cpus = Capabilities.fromMsrDevice(source.msrCpu);
        } else {
            cpus = Capabilities.fromKvm(kvmDevice);
        }
        List<Map.Entry<ControlField, Long>> proposed = new ArrayList<>();
        for (String check : checks) {
            proposed.add(parseCheck(check));
        }
        PrintWriter out = spec.commandLine().getOut();
        // CPUs with equal MSR values print once, under all their labels
        Map<List<Long>, List<String>> groups = new LinkedHashMap<>();
        Map<List<Long>, VmxCapabilities> byValues = new LinkedHashMap<>();
        for (Map.Entry<String, VmxCapabilities> cpu : cpus.entrySet()) {
            List<Long> key = new ArrayList<>();
            for (VmxMsr msr : VmxMsr.values()) {
                OptionalLong value = cpu.getValue().msr(msr);
                key.add(value.isPresent() ? value.getAsLong() : null);
            }
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(cpu.getKey());
            byValues.putIfAbsent(key, cpu.getValue());
        }
        boolean rejected = false;
        boolean first = true;
        for (Map.Entry<List<Long>, List<String>> group : groups.entrySet()) {
            if (!first) {
                out.println();
            }
            first = false;
            if (groups.size() > 1 || group.getValue().size() > 1) {
                out.println("== " + String.join(", ", group.getValue()) + " ==");
            }
            VmxCapabilities caps = byValues.get(group.getKey());
            print(out, caps);
            for (Map.Entry<ControlField, Long> check : proposed) {
                rejected |= judge(out, caps, check.getKey(), check.getValue());
            }
        }
        out.flush();
        return rejected ? Vmx.FINDING : Vmx.OK;
    }

    private static void print(PrintWriter out, VmxCapabilities caps) {
        VmxBasic basic = caps.basic();
        out.println("Basic VMX Information");
        out.printf(Locale.ROOT, "  Hex: 0x%x%n", basic.raw());
        row(out, "Revision", Integer.toString(basic.revisionId()));
        row(out, "VMCS size", Integer.toString(basic.regionSize()));
        row(out, "VMCS restricted to 32 bit addresses", yesNo(basic.physicalAddressesLimitedTo32Bits()));
        row(out, "Dual-monitor support", yesNo(basic.dualMonitorSmm()));
        row(out, "VMCS memory type", Integer.toString(basic.memoryType()));
        row(out, "INS/OUTS instruction information", yesNo(basic.insOutsReporting()));
        row(out, "IA32_VMX_TRUE_*_CTLS support", yesNo(basic.trueControls()));
        row(out, "Skip checks on event error code", yesNo(basic.noErrorCodeRequired()));
        for (ControlField field : ControlField.values()) {
            if (caps.msr(field.capabilityMsr()).isEmpty()) {
                continue;
            }
            out.println(title(field));
            for (ControlBit bit : field.bits()) {
                row(out, String.valueOf(bit), setting(caps, field, bit));
            }
        }
        caps.eptVpid().ifPresent(ept -> {
            out.println("VPID and EPT capabilities");
            out.printf(Locale.ROOT, "  Hex: 0x%x%n", ept.raw());
            for (EptVpidCapabilityBit bit : EptVpidCapabilityBit.values()) {
                row(out, bit.name(), yesNo(ept.has(bit)));
            }
        });
    }

    /** QEMU vmxcap's Control.show: 'default' needs the TRUE MSR to allow 0 where the plain one forces 1. */
    static String setting(VmxCapabilities caps, ControlField field, ControlBit bit) {
        long mask = bit.mask();
        if (field.width() == 64) {
            // 64-bit controls (tertiary, secondary exit) have only allowed-1 bits: vmxcap's Allowed1Control
            return (caps.msr(field.capabilityMsr()).orElse(0) & mask) != 0 ? "yes" : "no";
        }
        long plain = caps.msr(field.capabilityMsr()).orElse(0);
        boolean zero = (plain & mask) == 0;
        boolean one = ((plain >>> 32) & mask) != 0;
        OptionalLong trueValue = field.trueMsr().filter(m -> caps.basic().trueControls()).map(caps::msr)
                .orElse(OptionalLong.empty());
        if (trueValue.isPresent()) {
            boolean trueZero = (trueValue.getAsLong() & mask) == 0;
            boolean trueOne = ((trueValue.getAsLong() >>> 32) & mask) != 0;
            if (trueZero && trueOne && one && !zero) {
                return "default";
            }
        }
        if (zero && !one) {
            return "no";
        }
        if (one && !zero) {
            return "forced";
        }
        if (one) {
            return "yes";
        }
        return "?";
    }

    private static String title(ControlField field) {
        return switch (field) {
            case PIN_BASED -> "pin-based controls";
            case PRIMARY_PROCESSOR_BASED -> "primary processor-based controls";
            case SECONDARY_PROCESSOR_BASED -> "secondary processor-based controls";
            case TERTIARY_PROCESSOR_BASED -> "tertiary processor-based controls";
            case PRIMARY_EXIT -> "VM-Exit controls";
            case SECONDARY_EXIT -> "secondary VM-Exit controls";
            case ENTRY -> "VM-Entry controls";
        };
    }

    private static void row(PrintWriter out, String name, String value) {
        out.printf(Locale.ROOT, "  %-40s %s%n", name, value);
    }

    private static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }

    /** Prints the verdict on one proposed value; true when the processor rejects it. */
    private static boolean judge(PrintWriter out, VmxCapabilities caps, ControlField field, long value) {
        AllowedSettings allowed = caps.allowed(field);
        List<ControlViolation> violations = caps.check(field, value);
        out.printf(Locale.ROOT, "check %s=0x%x against %s: %s%n", field, value, allowed.source(),
                violations.isEmpty() ? "accepted" : "rejected");
        out.println("  " + field.decode(value));
        for (ControlViolation violation : violations) {
            out.println("  violation: " + violation);
        }
        if (!violations.isEmpty()) {
            long adjusted = caps.adjust(field, value);
            out.printf(Locale.ROOT, "  adjusted: 0x%x %s%n", adjusted, field.decode(adjusted));
        }
        return !violations.isEmpty();
    }

    private Map.Entry<ControlField, Long> parseCheck(String check) {
        int equals = check.indexOf('=');
        if (equals < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--check: expected CONTROL=VALUE, found '" + check + "'");
        }
        String name = check.substring(0, equals).strip();
        ControlField field = switch (name.toLowerCase(Locale.ROOT)) {
            case "pin" -> ControlField.PIN_BASED;
            case "proc", "primary" -> ControlField.PRIMARY_PROCESSOR_BASED;
            case "proc2", "secondary" -> ControlField.SECONDARY_PROCESSOR_BASED;
            case "proc3", "tertiary" -> ControlField.TERTIARY_PROCESSOR_BASED;
            case "exit" -> ControlField.PRIMARY_EXIT;
            case "exit2" -> ControlField.SECONDARY_EXIT;
            case "entry" -> ControlField.ENTRY;
            default -> {
                try {
                    yield ControlField.valueOf(name.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                            "--check: no control named '" + name + "' (pin, proc, proc2, proc3, exit, exit2, entry)");
                }
            }
        };
        return Map.entry(field, Inputs.number("--check " + name, check.substring(equals + 1)));
    }
}
