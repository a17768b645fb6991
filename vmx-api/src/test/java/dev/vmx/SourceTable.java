package dev.vmx;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a test table derived from a cited source: '#' lines are the origin notes, every other
 * non-blank line is a row of tab- or space-separated columns.
 */
public final class SourceTable {
    private SourceTable() {
    }

    /**
     * Rows of a classpath resource next to {@code anchor}.
     *
     * @param anchor a class in the resource's package
     * @param name the resource name
     * @param tabSeparated true to split on tabs only (columns may hold spaces)
     * @return the rows; never empty (an empty table is a broken test)
     */
    public static List<String[]> rows(Class<?> anchor, String name, boolean tabSeparated) {
        InputStream in = anchor.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("missing test resource " + name + " next to " + anchor.getName());
        }
        List<String[]> rows = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            boolean sawOrigin = false;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("#")) {
                    sawOrigin |= line.contains("Origin");
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                rows.add(tabSeparated ? line.split("\t") : line.trim().split("\\s+"));
            }
            if (!sawOrigin) {
                throw new IllegalStateException(name + " does not name its origin in a '# Origin:' line");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (rows.isEmpty()) {
            throw new IllegalStateException(name + " has no rows");
        }
        return rows;
    }

    /**
     * Parses a C integer literal as in the source (decimal or 0x-hex).
     *
     * @param literal the literal
     * @return its value
     */
    public static long cInteger(String literal) {
        String text = literal.trim();
        if (text.startsWith("0x") || text.startsWith("0X")) {
            return Long.parseUnsignedLong(text.substring(2), 16);
        }
        return Long.parseLong(text);
    }
}
