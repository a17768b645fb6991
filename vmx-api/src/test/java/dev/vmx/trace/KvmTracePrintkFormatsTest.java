package dev.vmx.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.SourceTable;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Trace lines synthesized from the verbatim TP_printk format strings of several kernel versions
 * (kvm-tp-printk-formats.tsv) and from this machine's tracefs print fmt
 * (linux-6.18-tracefs-print-fmt.txt), printed with a C printf, behind the line prefixes of tracefs
 * (with and without the irq-flags column), trace-cmd report and perf script.
 */
class KvmTracePrintkFormatsTest {

    /** Prefixes as the tools print them; %s is the event name. */
    private static final String[] PREFIXES = {
        "  qemu-system-x86-4242    [003] d..2. 5123.456789: %s: ", // tracefs 6.x, 5 flag columns
        "   CPU 0/KVM-4242  [003] ....  5123.456789: %s: ",        // tracefs 4.x, 4 flag columns
        "qemu-system-x86-4242  [003]  5123.456789: %s: ",          // tracefs without irq-info / trace-cmd
        "qemu-system-x86-4242 [003] 5123.456789123: %s: ",         // trace-cmd report -t (nanoseconds)
        " qemu-system-x86  4242 [003]  5123.456789: kvm:%s: ",      // perf script
    };

    private static Map<String, String> tracefsFormats() {
        Map<String, String> formats = new LinkedHashMap<>();
        for (String[] row : SourceTable.rows(KvmTracePrintkFormatsTest.class, "linux-6.18-tracefs-print-fmt.txt", true)) {
            String fmt = row[1];
            assertTrue(fmt.startsWith("\""), row[0]);
            formats.put(row[0], fmt.substring(1, fmt.indexOf("\", ")));
        }
        return formats;
    }

    /** C printf for the conversions TP_printk uses: %[0][width][l|ll](u|d|x|s), %%. */
    static String printf(String format, List<String> args) {
        Matcher conversion = Pattern.compile("%(0?)(\\d*)(?:ll|l)?([udxs%])").matcher(format);
        StringBuilder out = new StringBuilder();
        int next = 0;
        int last = 0;
        while (conversion.find()) {
            out.append(format, last, conversion.start());
            last = conversion.end();
            char type = conversion.group(3).charAt(0);
            if (type == '%') {
                out.append('%');
                continue;
            }
            String arg = args.get(next++);
            String text;
            if (type == 's') {
                assertTrue(arg.startsWith("s:"), "string argument expected for " + conversion.group() + ": " + arg);
                text = arg.substring(2).replace('~', ' ');
            } else {
                long value = arg.startsWith("0x") ? Long.parseUnsignedLong(arg.substring(2), 16) : Long.parseLong(arg);
                text = type == 'x' ? Long.toHexString(value) : Long.toString(value);
            }
            int width = conversion.group(2).isEmpty() ? 0 : Integer.parseInt(conversion.group(2));
            char pad = conversion.group(1).isEmpty() ? ' ' : '0';
            out.append(String.valueOf(pad).repeat(Math.max(0, width - text.length()))).append(text);
        }
        assertEquals(args.size(), next, "arguments used by " + format);
        return out.append(format.substring(last)).toString();
    }

    private static long field(KvmEventRecord event, String name) {
        return switch (name) {
            case "vcpu" -> event.vcpu();
            case "exitCode" -> event.exitCode();
            case "guestRip" -> event.guestRip();
            case "info1" -> event.info1();
            case "info2" -> event.info2();
            case "intrInfo" -> event.intrInfo() & 0xffff_ffffL;
            case "errorCode" -> event.errorCode() & 0xffff_ffffL;
            case "write" -> event.isWrite() ? 1 : 0;
            case "port" -> event.port();
            case "size" -> event.size();
            case "count" -> event.count();
            case "value" -> event.value();
            case "mmioType" -> event.mmioType();
            case "gpa" -> event.gpa();
            case "msrIndex" -> event.msrIndex();
            case "msrException" -> event.isMsrException() ? 1 : 0;
            case "crNumber" -> event.crNumber();
            case "userspaceExitReason" -> event.userspaceExitReason();
            case "errno" -> event.errno();
            default -> throw new IllegalArgumentException("no field " + name);
        };
    }

    private static long expected(String value) {
        return switch (value) {
            case "true" -> 1;
            case "false" -> 0;
            default -> value.startsWith("0x") ? Long.parseUnsignedLong(value.substring(2), 16) : Long.parseLong(value);
        };
    }

    @Test
    void everyFormatOfEveryVersionBehindEveryPrefixDecodesToTheArguments() {
        Map<String, String> tracefs = tracefsFormats();
        int checked = 0;
        List<String> versions = new ArrayList<>();
        for (String[] row : SourceTable.rows(getClass(), "kvm-tp-printk-formats.tsv", true)) {
            String version = row[0];
            String name = row[1];
            String format = row[2].equals("@tracefs") ? tracefs.get(name) : row[2];
            assertTrue(format != null, "no tracefs format for " + name);
            String body = printf(format, row[3].isEmpty() ? List.of() : List.of(row[3].split(" ")));
            if (!versions.contains(version)) {
                versions.add(version);
            }
            for (String prefix : PREFIXES) {
                String line = String.format(prefix, name) + body;
                KvmTraceReader reader = KvmTraceReader.of(new StringReader(line + "\n"), version);
                assertTrue(reader.advance(), line + " -> " + reader.problems());
                KvmEventRecord event = reader.event().toRecord();
                String where = version + " " + line;
                assertEquals(KvmEventType.fromTracepoint(name), event.type(), where);
                assertEquals(4242, event.pid(), where);
                assertEquals(3, event.cpu(), where);
                assertEquals(prefix.contains("789123") ? 5_123_456_789_123L : 5_123_456_789_000L, event.timestampNanos(), where);
                assertTrue(event.task().toString().equals("qemu-system-x86") || event.task().toString().equals("CPU 0/KVM"), where);
                for (String expectation : row[4].split(" ")) {
                    String[] pair = expectation.split("=", 2);
                    if (pair[0].equals("isa")) {
                        assertEquals(KvmIsa.valueOf(pair[1]), event.isa(), where);
                    } else if (pair[0].equals("message")) {
                        assertEquals(pair[1].replace('~', ' '), event.message().toString(), where);
                    } else {
                        assertEquals(expected(pair[1]), field(event, pair[0]), where + ": " + pair[0]);
                    }
                }
                assertFalse(reader.advance());
                assertEquals(0, reader.problemCount(), where);
                checked++;
            }
        }
        assertEquals(List.of("4.x", "5.5", "5.9", "6.1", "6.18"), versions);
        assertTrue(checked > 200, "checked " + checked);
    }

    @Test
    void everyExitSymbolOfThisMachinesKernelDecodesToItsCode() {
        String fmt = SourceTable.rows(getClass(), "linux-6.18-tracefs-print-fmt.txt", true).get(0)[1];
        int svmStart = fmt.indexOf(": __print_symbolic(REC->exit_reason,");
        assertTrue(svmStart > 0);
        Pattern pair = Pattern.compile("\\{ (0x[0-9a-f]+|-?\\d+)(?: \\+ (\\d+))?, \"([^\"]+)\" \\}");
        Matcher symbols = pair.matcher(fmt);
        int vmx = 0;
        int svm = 0;
        while (symbols.find()) {
            String number = symbols.group(1);
            long code = number.startsWith("0x") ? Long.parseLong(number.substring(2), 16) : Long.parseLong(number);
            if (symbols.group(2) != null) {
                code += Long.parseLong(symbols.group(2));
            }
            byte[] name = symbols.group(3).getBytes(StandardCharsets.US_ASCII);
            if (symbols.group(3).equals("FAILED_VMENTRY")) {
                assertEquals(0x8000_0000L, code);
                continue;
            }
            boolean isVmx = symbols.start() < svmStart;
            SymbolTable table = isVmx ? SymbolTable.vmxExitReasons() : SvmExitNames.table();
            long expected = code & 0xffff_ffffL; // { -1, "invalid_guest_state" } is the u32 0xffffffff
            assertEquals(expected, table.lookup(name, 0, name.length), symbols.group(3));
            if (isVmx) {
                vmx++;
            } else {
                svm++;
                assertEquals(symbols.group(3), ExitStatistics.reasonName(KvmIsa.SVM, expected));
            }
        }
        assertEquals(65, vmx); // counted in the print fmt
        assertEquals(110, svm);
    }

    @Test
    void theNestedVmenterErrorSymbolsAreLinuxs() {
        // VMX_VMENTER_INSTRUCTION_ERRORS, numbers from enum vmx_error_number (arch/x86/include/asm/vmx.h, 6.1)
        assertEquals(Map.of("VMLAUNCH_NONCLEAR_VMCS", 4, "VMRESUME_NONLAUNCHED_VMCS", 5, "VMRESUME_AFTER_VMXOFF", 6,
                "VMENTRY_INVALID_CONTROL_FIELD", 7, "VMENTRY_INVALID_HOST_STATE_FIELD", 8,
                "VMENTRY_EVENTS_BLOCKED_BY_MOV_SS", 26), KvmTraceReader.vmenterErrors());
        String fmt = tracefsFormats().keySet().contains("kvm_nested_vmenter_failed")
                ? SourceTable.rows(getClass(), "linux-6.18-tracefs-print-fmt.txt", true).stream()
                        .filter(row -> row[0].equals("kvm_nested_vmenter_failed")).findFirst().orElseThrow()[1] : "";
        for (String name : KvmTraceReader.vmenterErrors().keySet()) {
            assertTrue(fmt.contains("\"" + name + "\""), name + " in this machine's print fmt");
        }
    }
}
