package dev.vmx.cli;

/** A small JSON writer for the commands' {@code --format json} output: compact, keys in call order. */
final class Json {
    private final StringBuilder out = new StringBuilder();
    // whether the next value in the current container needs a comma before it
    private boolean needsComma;

    Json open() {
        separate();
        out.append('{');
        needsComma = false;
        return this;
    }

    Json close() {
        out.append('}');
        needsComma = true;
        return this;
    }

    Json openArray() {
        separate();
        out.append('[');
        needsComma = false;
        return this;
    }

    Json closeArray() {
        out.append(']');
        needsComma = true;
        return this;
    }

    Json key(String key) {
        separate();
        string(key);
        out.append(':');
        needsComma = false;
        return this;
    }

    Json value(String value) {
        separate();
        string(value);
        needsComma = true;
        return this;
    }

    Json value(long value) {
        separate();
        out.append(value);
        needsComma = true;
        return this;
    }

    Json value(boolean value) {
        separate();
        out.append(value);
        needsComma = true;
        return this;
    }

    Json nullValue() {
        separate();
        out.append("null");
        needsComma = true;
        return this;
    }

    /** Appends JSON text as it is (a value another writer produced). */
    Json raw(String json) {
        separate();
        out.append(json);
        needsComma = true;
        return this;
    }

    private void separate() {
        if (needsComma) {
            out.append(',');
            needsComma = false;
        }
    }

    private void string(String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
