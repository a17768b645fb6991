package dev.vmx.vmcs;

import dev.vmx.VmxParseException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;

/**
 * The embedded backend's text format for one VMCS:
 * <pre>
 * # comment lines and trailing comments start with '#'
 * VM_EXIT_REASON     = 0x00000030
 * GUEST_RIP          = 0xffffffff81000000
 * VIRTUAL_PROCESSOR_ID = 1
 * </pre>
 * One {@code FIELD_NAME = value} per line; the name is a {@link VmcsField} name (Linux or
 * SDM-derived alias, see {@link VmcsField#fromName(String)}) of a FULL field; the value is
 * hexadecimal with {@code 0x} or decimal, and must fit the field. Blank lines are ignored.
 * {@link #format(Vmcs)} writes every field in encoding order, zero-padded to the field width, and
 * {@link #parse(Reader)} reads that back to an equal snapshot.
 *
 * <p>Errors are {@link VmxParseException}s with the line number and column: unknown field, HIGH
 * field, missing {@code =}, malformed or oversize value, a field given twice.
 */
public final class VmcsText {
    private VmcsText() {
    }

    /**
     * Writes a VMCS in the text format.
     *
     * @param vmcs the VMCS
     * @return the text, one line per present field
     */
    public static String format(Vmcs vmcs) {
        StringBuilder text = new StringBuilder();
        for (VmcsField field : VmcsField.values()) {
            if (field.isHighHalf()) {
                continue;
            }
            if (vmcs.find(field).isPresent()) {
                int digits = field.width().bits() / 4;
                text.append(String.format("%-36s = 0x%0" + digits + "x%n", field.name(), vmcs.read(field)));
            }
        }
        return text.toString();
    }

    /**
     * Parses the text format.
     *
     * @param text the text
     * @return the snapshot
     * @throws VmxParseException for the first bad line, with its number and column
     */
    public static VmcsSnapshot parse(String text) {
        return parse(new StringReader(text));
    }

    /**
     * Parses the text format from a reader (not closed).
     *
     * @param reader the text
     * @return the snapshot
     * @throws VmxParseException for the first bad line, with its number and column
     * @throws UncheckedIOException if reading fails
     */
    public static VmcsSnapshot parse(Reader reader) {
        VmcsSnapshot.Builder builder = VmcsSnapshot.builder();
        Map<VmcsField, Long> firstLine = new EnumMap<>(VmcsField.class);
        BufferedReader lines = reader instanceof BufferedReader ? (BufferedReader) reader : new BufferedReader(reader);
        long lineNumber = 0;
        try {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                lineNumber++;
                parseLine(line, lineNumber, builder, firstLine);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading VMCS text failed after line " + lineNumber, e);
        }
        return builder.build();
    }

    private static void parseLine(String line, long lineNumber, VmcsSnapshot.Builder builder,
            Map<VmcsField, Long> firstLine) {
        int end = line.indexOf('#');
        if (end < 0) {
            end = line.length();
        }
        int start = skipSpaces(line, 0, end);
        if (start == end) {
            return;
        }
        int nameEnd = start;
        while (nameEnd < end && (Character.isLetterOrDigit(line.charAt(nameEnd)) || line.charAt(nameEnd) == '_')) {
            nameEnd++;
        }
        if (nameEnd == start) {
            throw new VmxParseException("expected a VMCS field name", line, start, lineNumber);
        }
        String name = line.substring(start, nameEnd);
        VmcsField field = VmcsField.fromName(name).orElseThrow(() ->
                new VmxParseException("unknown VMCS field '" + name + "'", line, start, lineNumber));
        if (field.isHighHalf()) {
            throw new VmxParseException("HIGH field " + name + " is not written on its own; give the 64-bit "
                    + field.fullField() + " instead", line, start, lineNumber);
        }
        int equals = skipSpaces(line, nameEnd, end);
        if (equals == end || line.charAt(equals) != '=') {
            throw new VmxParseException("expected '=' after " + name, line, equals, lineNumber);
        }
        int valueStart = skipSpaces(line, equals + 1, end);
        int valueEnd = end;
        while (valueEnd > valueStart && Character.isWhitespace(line.charAt(valueEnd - 1))) {
            valueEnd--;
        }
        if (valueStart == valueEnd) {
            throw new VmxParseException("missing value for " + name, line, valueStart, lineNumber);
        }
        long value = parseValue(line, valueStart, valueEnd, lineNumber);
        Long earlier = firstLine.putIfAbsent(field, lineNumber);
        if (earlier != null) {
            throw new VmxParseException(field + " given twice (first on line " + earlier + ")", line, start, lineNumber);
        }
        try {
            builder.put(field, value);
        } catch (IllegalArgumentException e) {
            throw new VmxParseException(e.getMessage(), line, valueStart, lineNumber);
        }
    }

    private static int skipSpaces(String line, int from, int end) {
        while (from < end && Character.isWhitespace(line.charAt(from))) {
            from++;
        }
        return from;
    }

    private static long parseValue(String line, int start, int end, long lineNumber) {
        boolean hex = end - start >= 2 && line.charAt(start) == '0'
                && (line.charAt(start + 1) == 'x' || line.charAt(start + 1) == 'X');
        int radix = hex ? 16 : 10;
        int digitsStart = hex ? start + 2 : start;
        if (digitsStart == end) {
            throw new VmxParseException("missing digits after '0x'", line, digitsStart, lineNumber);
        }
        long value = 0;
        for (int i = digitsStart; i < end; i++) {
            int digit = Character.digit(line.charAt(i), radix);
            if (digit < 0) {
                throw new VmxParseException("unexpected character '" + line.charAt(i) + "' in "
                        + (hex ? "hexadecimal" : "decimal") + " value", line, i, lineNumber);
            }
            if (hex ? (value >>> 60) != 0 : Long.compareUnsigned(value, Long.divideUnsigned(-1L, 10)) > 0) {
                throw new VmxParseException("value does not fit in 64 bits", line, start, lineNumber);
            }
            long next = value * radix + digit;
            if (!hex && Long.compareUnsigned(next, value * radix) < 0) {
                throw new VmxParseException("value does not fit in 64 bits", line, start, lineNumber);
            }
            value = next;
        }
        return value;
    }
}
