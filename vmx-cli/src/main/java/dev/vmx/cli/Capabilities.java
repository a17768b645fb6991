package dev.vmx.cli;

import dev.vmx.cap.VmxCapabilities;
import dev.vmx.cap.VmxMsr;
import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.hw.kvm.KvmSystem;
import dev.vmx.hw.msr.MsrDevice;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where the IA32_VMX_* capability MSRs come from: a capability dump file, KVM's feature MSRs, or the
 * MSR device of one or every CPU. Each source gives one capability set per CPU it names.
 *
 * <p>The capability dump format (documented in vmx-cli/README.md): one MSR per line as
 * {@code INDEX VALUE} (hex with {@code 0x} or decimal, separated by blanks, {@code =} or {@code :});
 * {@code #} starts a comment; a line {@code cpu N} starts the values of CPU N (without one, the whole
 * file is one CPU). Indexes must be IA32_VMX_* capability MSRs (0x480-0x493), each at most once per CPU.
 */
final class Capabilities {
    private static final Pattern CPU = Pattern.compile("cpu\\s+(\\d+)\\s*", Pattern.CASE_INSENSITIVE);
    private static final Pattern ENTRY = Pattern.compile("(\\S+?)\\s*[\\s=:]\\s*(\\S+)\\s*");

    private Capabilities() {
    }

    /**
     * Capability sets by CPU label, in input order.
     *
     * @param file the dump file or {@code -}
     * @return label ({@code cpu N}, or {@code FILE} when the file names no CPU) to capabilities
     */
    static Map<String, VmxCapabilities> fromFile(String file) {
        String name = Inputs.displayName(file);
        Map<String, Map<Integer, Long>> cpus = new LinkedHashMap<>();
        Map<String, Long> sectionLines = new LinkedHashMap<>();
        String current = name;
        try (BufferedReader in = Inputs.reader(file)) {
            long lineNumber = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                int hash = line.indexOf('#');
                String content = hash >= 0 ? line.substring(0, hash) : line;
                if (content.isBlank()) {
                    continue;
                }
                int column = content.indexOf(content.strip()) + 1;
                Matcher cpu = CPU.matcher(content.strip());
                if (cpu.matches()) {
                    current = "cpu " + cpu.group(1);
                    if (cpus.containsKey(current)) {
                        throw UserError.at(name, lineNumber, column, current + " given twice");
                    }
                    cpus.put(current, new TreeMap<>());
                    sectionLines.put(current, lineNumber);
                    continue;
                }
                Matcher entry = ENTRY.matcher(content.strip());
                if (!entry.matches()) {
                    throw UserError.at(name, lineNumber, column, "expected 'INDEX VALUE' or 'cpu N', found '" + content.strip() + "'");
                }
                long index = numberAt(name, lineNumber, column, entry.group(1));
                long value = numberAt(name, lineNumber, column + entry.start(2), entry.group(2));
                if (index > Integer.MAX_VALUE || VmxMsr.ofIndex((int) index).isEmpty()) {
                    throw UserError.at(name, lineNumber, column, String.format(
                            "MSR 0x%x is not an IA32_VMX_* capability MSR (0x480-0x493)", index));
                }
                Map<Integer, Long> values = cpus.computeIfAbsent(current, k -> new TreeMap<>());
                sectionLines.putIfAbsent(current, lineNumber);
                if (values.put((int) index, value) != null) {
                    throw UserError.at(name, lineNumber, column, String.format("MSR 0x%x given twice", index));
                }
            }
        } catch (IOException e) {
            throw Inputs.cannotRead(file, e);
        }
        if (cpus.isEmpty()) {
            throw UserError.at(name, 0, 0, "no capability MSR values in the file");
        }
        Map<String, VmxCapabilities> result = new LinkedHashMap<>();
        for (Map.Entry<String, Map<Integer, Long>> cpu : cpus.entrySet()) {
            try {
                result.put(cpu.getKey(), VmxCapabilities.fromMsrs(cpu.getValue()));
            } catch (NoSuchElementException | IllegalArgumentException e) {
                throw UserError.at(name, sectionLines.get(cpu.getKey()), 0,
                        (cpu.getKey().equals(name) ? "" : cpu.getKey() + ": ") + e.getMessage());
            }
        }
        return result;
    }

    private static long numberAt(String name, long line, int column, String text) {
        try {
            return Inputs.number("value", text);
        } catch (UserError e) {
            throw UserError.at(name, line, column, "'" + text + "' is not a number (hex with 0x, or decimal)");
        }
    }

    /**
     * KVM's feature MSRs: what a nested hypervisor in a guest of this host sees.
     *
     * @param device the KVM device, normally /dev/kvm
     * @return one capability set
     * @throws UserError with KVM's reason if the device or nested VMX is missing
     */
    static Map<String, VmxCapabilities> fromKvm(String device) {
        try (KvmSystem kvm = KvmSystem.open(device)) {
            return Map.of("KVM feature MSRs (" + device + ")", kvm.vmxFeatureMsrs().toCapabilities());
        } catch (NativeUnavailableException e) {
            throw refusal(e);
        }
    }

    /**
     * The MSR device of one CPU, or of every CPU for {@code all}.
     *
     * @param cpu a CPU number or {@code all}
     * @return capability sets by {@code cpu N}
     * @throws UserError with the reason if the device cannot be read
     */
    static Map<String, VmxCapabilities> fromMsrDevice(String cpu) {
        List<Integer> cpus = new ArrayList<>();
        if (cpu.equalsIgnoreCase("all")) {
            try (Stream<Path> entries = Files.list(Path.of("/dev/cpu"))) {
                entries.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+")).map(Integer::valueOf).sorted()
                        .forEach(cpus::add);
            } catch (IOException e) {
                throw new UserError("/dev/cpu: cannot list the CPUs: " + e.getMessage());
            }
        } else {
            cpus.add(Inputs.number32("--msr", cpu));
        }
        Map<String, VmxCapabilities> result = new LinkedHashMap<>();
        for (int n : cpus) {
            try (MsrDevice device = MsrDevice.open(n)) {
                result.put("cpu " + n, device.vmxMsrs().toCapabilities());
            } catch (NativeUnavailableException e) {
                throw refusal(e);
            } catch (NoSuchElementException e) {
                throw new UserError("/dev/cpu/" + n + "/msr: " + e.getMessage());
            }
        }
        return result;
    }

    /**
     * The source a {@code --caps} value names: {@code kvm}, {@code msr}, {@code msr:CPU}, or a file.
     *
     * @param value the option value
     * @return capability sets by CPU label
     */
    static Map<String, VmxCapabilities> fromOption(String value) {
        if (value.equals("kvm")) {
            return fromKvm(KvmSystem.DEVICE);
        }
        if (value.equals("msr")) {
            return fromMsrDevice("0");
        }
        if (value.startsWith("msr:")) {
            return fromMsrDevice(value.substring(4));
        }
        return fromFile(value);
    }

    static UserError refusal(NativeUnavailableException e) {
        String message = e.getMessage();
        return new UserError(message.startsWith(e.path()) ? message : e.path() + ": " + message);
    }
}
