package dev.vmx.hw.tracefs;

import dev.vmx.VmxParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The binary layout of one trace event as tracefs describes it in {@code events/SYSTEM/NAME/format}
 * (or of the page header in {@code events/header_page}): its name, id, and each field's offset,
 * size and signedness. Offsets are relative to the start of the event's payload (after the ring
 * buffer's record header). Parsed once per stream, never hard-coded.
 */
public final class EventFormat {
    /**
     * One {@code field:} line.
     *
     * @param declaration the C declaration, e.g. {@code unsigned int exit_reason}
     * @param name the field name, e.g. {@code exit_reason}
     * @param offset the byte offset in the payload
     * @param size the size in bytes
     * @param signed whether the field is signed
     */
    public record Field(String declaration, String name, int offset, int size, boolean signed) {
        /**
         * Whether the field is a {@code __data_loc} (its 32-bit value is {@code length << 16 | offset}
         * of variable-length data inside the payload).
         *
         * @return true for {@code __data_loc} fields
         */
        public boolean isDataLocation() {
            return declaration.startsWith("__data_loc");
        }
    }

    private final String name;
    private final int id;
    private final Map<String, Field> fields;

    private EventFormat(String name, int id, Map<String, Field> fields) {
        this.name = name;
        this.id = id;
        this.fields = Collections.unmodifiableMap(fields);
    }

    /**
     * Parses the text of a {@code format} file (or {@code header_page}, which has no name or id).
     *
     * @param text the file's content
     * @return the format
     * @throws VmxParseException naming the line if a {@code field:} line, the name or the id is
     *         malformed
     */
    public static EventFormat parse(CharSequence text) {
        String name = "";
        int id = -1;
        Map<String, Field> fields = new LinkedHashMap<>();
        String[] lines = text.toString().split("\n", -1);
        for (int number = 1; number <= lines.length; number++) {
            String line = lines[number - 1];
            String trimmed = line.strip();
            if (trimmed.startsWith("name:")) {
                name = trimmed.substring(5).strip();
            } else if (trimmed.startsWith("ID:")) {
                try {
                    id = Integer.parseInt(trimmed.substring(3).strip());
                } catch (NumberFormatException e) {
                    throw new VmxParseException("event ID is not a number", line, line.indexOf("ID:") + 3, number);
                }
            } else if (trimmed.startsWith("field:")) {
                Field field = field(line, number);
                fields.put(field.name(), field);
            }
        }
        return new EventFormat(name, id, fields);
    }

    private static Field field(String line, int number) {
        // field:unsigned int exit_reason;\toffset:8;\tsize:4;\tsigned:0;
        String[] parts = line.strip().split(";");
        if (parts.length < 4) {
            throw new VmxParseException("field line needs declaration, offset, size and signed", line, 0, number);
        }
        String declaration = parts[0].substring("field:".length()).strip();
        // "char comm[16]" and "__data_loc char[] msg": the name is the last word without brackets
        String fieldName = withoutBrackets(declaration).strip();
        fieldName = fieldName.substring(fieldName.lastIndexOf(' ') + 1);
        if (fieldName.isEmpty()) {
            throw new VmxParseException("field has no name", line, line.indexOf("field:"), number);
        }
        return new Field(declaration, fieldName, number(line, parts[1], "offset", number),
                number(line, parts[2], "size", number), number(line, parts[3], "signed", number) != 0);
    }

    /**
     * The declaration without its {@code [..]} parts, in one pass (a regex retried from every
     * unclosed {@code [} is quadratic in the line's length, and a format file is input).
     */
    static String withoutBrackets(String declaration) {
        StringBuilder kept = new StringBuilder(declaration.length());
        int i = 0;
        while (i < declaration.length()) {
            char c = declaration.charAt(i);
            int close = c == '[' ? declaration.indexOf(']', i + 1) : -1;
            if (close < 0) {
                if (c == '[') {
                    // no ']' after this one, so none after any later '[' either: keep the rest as it is
                    kept.append(declaration, i, declaration.length());
                    break;
                }
                kept.append(c);
                i++;
            } else {
                i = close + 1;
            }
        }
        return kept.toString();
    }

    private static int number(String line, String part, String key, int number) {
        String text = part.strip();
        int at = line.indexOf(text);
        if (!text.startsWith(key + ":")) {
            throw new VmxParseException("expected '" + key + ":'", line, Math.max(at, 0), number);
        }
        try {
            return Integer.parseInt(text.substring(key.length() + 1).strip());
        } catch (NumberFormatException e) {
            throw new VmxParseException(key + " is not a number", line, at + key.length() + 1, number);
        }
    }

    /**
     * The event name ({@code name:} line).
     *
     * @return e.g. {@code kvm_exit}; empty for {@code header_page}
     */
    public String name() {
        return name;
    }

    /**
     * The event id, the value of {@code common_type} in each record of this event.
     *
     * @return the id, -1 for {@code header_page}
     */
    public int id() {
        return id;
    }

    /**
     * The fields in file order.
     *
     * @return name to field, unmodifiable
     */
    public Map<String, Field> fields() {
        return fields;
    }

    /**
     * One field.
     *
     * @param fieldName e.g. {@code exit_reason}
     * @return the field, empty if this format has none by that name
     */
    public Optional<Field> field(String fieldName) {
        return Optional.ofNullable(fields.get(fieldName));
    }

    @Override
    public String toString() {
        return "EventFormat[" + name + " id=" + id + " " + fields.keySet() + "]";
    }
}
