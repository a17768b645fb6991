package dev.vmx;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates the integer {@code #define}s and {@code NAME = value,} enum lines of a C header copied
 * into a test resource: literals (0x.., decimal, with u/ull suffixes), names defined in the same
 * resource, {@code BIT(n)}, parentheses, {@code <<} and {@code |}. Anything else fails the test
 * loudly rather than being guessed.
 */
public final class CDefines {
    private static final Pattern DEFINE = Pattern.compile("^#define\\s+([A-Za-z_][A-Za-z0-9_]*)\\s+(.*?)\\s*(/\\*.*)?$");
    private static final Pattern ENUM = Pattern.compile("^\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*([^,]+),?\\s*$");

    private final Map<String, String> expressions = new HashMap<>();

    private CDefines() {
    }

    /**
     * Reads a resource of C lines (origin lines start with '#', but '#define' lines are data).
     *
     * @param anchor a class in the resource's package
     * @param name the resource name
     * @return the definitions
     */
    public static CDefines read(Class<?> anchor, String name) {
        CDefines defines = new CDefines();
        if (anchor.getResourceAsStream(name) == null) {
            throw new IllegalStateException("missing test resource " + name + " next to " + anchor.getName());
        }
        boolean sawOrigin = false;
        try (java.io.BufferedReader reader = new java.io.BufferedReader(new java.io.InputStreamReader(
                anchor.getResourceAsStream(name), java.nio.charset.StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                sawOrigin |= line.startsWith("# Origin:");
                Matcher define = DEFINE.matcher(line);
                Matcher enumerator = ENUM.matcher(line);
                if (define.matches()) {
                    if (!define.group(2).contains("(eq)")) {
                        defines.expressions.put(define.group(1), define.group(2));
                    }
                } else if (enumerator.matches()) {
                    defines.expressions.put(enumerator.group(1), enumerator.group(2).trim());
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (!sawOrigin) {
            throw new IllegalStateException(name + " does not name its origin in a '# Origin:' line");
        }
        if (defines.expressions.isEmpty()) {
            throw new IllegalStateException(name + " defines nothing");
        }
        return defines;
    }

    /**
     * The names defined.
     *
     * @return the names
     */
    public java.util.Set<String> names() {
        return expressions.keySet();
    }

    /**
     * The value of a name.
     *
     * @param name the macro or enumerator
     * @return its value
     */
    public long value(String name) {
        String expression = expressions.get(name);
        if (expression == null) {
            throw new IllegalArgumentException(name + " is not defined in the resource");
        }
        return new Parser(expression).parse();
    }

    private final class Parser {
        private final String text;
        private int at;

        Parser(String text) {
            this.text = text;
        }

        long parse() {
            long value = or();
            skip();
            if (at != text.length()) {
                throw new IllegalArgumentException("cannot evaluate '" + text + "' at " + at);
            }
            return value;
        }

        private void skip() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private long or() {
            long value = shift();
            skip();
            while (at < text.length() && text.charAt(at) == '|') {
                at++;
                value |= shift();
                skip();
            }
            return value;
        }

        private long shift() {
            long value = primary();
            skip();
            while (text.startsWith("<<", at)) {
                at += 2;
                value <<= primary();
                skip();
            }
            return value;
        }

        private long primary() {
            skip();
            char c = text.charAt(at);
            if (c == '(') {
                at++;
                long value = or();
                skip();
                if (text.charAt(at++) != ')') {
                    throw new IllegalArgumentException("expected ) in '" + text + "'");
                }
                return value;
            }
            int start = at;
            while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_')) {
                at++;
            }
            String token = text.substring(start, at);
            if (token.isEmpty()) {
                throw new IllegalArgumentException("cannot evaluate '" + text + "' at " + start);
            }
            if (Character.isDigit(token.charAt(0))) {
                return SourceTable.cInteger(token.replaceAll("[uUlL]+$", ""));
            }
            if (token.equals("BIT")) {
                return 1L << primary();
            }
            return value(token);
        }
    }
}
