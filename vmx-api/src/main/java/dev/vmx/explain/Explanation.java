package dev.vmx.explain;

import java.util.List;
import java.util.Objects;

/**
 * What one input means: a one-line summary, named details and what to look at next. The structured
 * form for programs is the record itself (or {@link #toJson()}); {@link #toText()} is for people.
 *
 * @param subject what kind of input was explained
 * @param input the input as given (a number, a name, a line), for messages and reports
 * @param summary one sentence a person understands, e.g. "EPT violation: write to a page mapped
 *     read-only in EPT, guest linear address valid"
 * @param details the decoded parts, in reading order
 * @param nextSteps what to look at next, most useful first; empty when there is nothing to do
 */
public record Explanation(Subject subject, String input, String summary, List<Detail> details, List<String> nextSteps) {

    /** The kinds of input {@link Explain} takes, one entry point each. */
    public enum Subject {
        /** A 32-bit exit reason, {@link Explain#exitReason}. */
        EXIT_REASON,
        /** A kvm trace line, {@link Explain#traceLine}. */
        TRACE_LINE,
        /** An exit reason with its qualification and information fields, {@link Explain#exit}. */
        EXIT,
        /** A VMCS field encoding, {@link Explain#fieldEncoding}. */
        FIELD_ENCODING,
        /** An interruption-information value, {@link Explain#interruptionInfo}. */
        INTERRUPTION_INFO,
        /** A VM-instruction error number, {@link Explain#vmInstructionError}. */
        VM_INSTRUCTION_ERROR,
        /** QEMU's "KVM: entry failed, hardware error 0xN" line, {@link Explain#hardwareError}. */
        HARDWARE_ERROR
    }

    /**
     * One decoded part.
     *
     * @param name a stable lower-case key, e.g. {@code basic_reason}
     * @param value what it says, e.g. {@code 33 INVALID_STATE (VM-entry failure due to invalid guest state)}
     */
    public record Detail(String name, String value) {
        /**
         * Checks the parts.
         *
         * @param name see the record component
         * @param value see the record component
         */
        public Detail {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Checks and copies the parts.
     *
     * @param subject see the record component
     * @param input see the record component
     * @param summary see the record component
     * @param details see the record component
     * @param nextSteps see the record component
     */
    public Explanation {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(summary, "summary");
        details = List.copyOf(details);
        nextSteps = List.copyOf(nextSteps);
    }

    /**
     * A detail by name.
     *
     * @param name the key
     * @return its value, empty if this explanation has no such detail
     */
    public java.util.Optional<String> detail(String name) {
        return details.stream().filter(d -> d.name().equals(name)).map(Detail::value).findFirst();
    }

    /**
     * For people: the summary, then one indented line per detail ({@code name: value}), then one
     * per next step ({@code next: ...}).
     *
     * @return the text, lines ending in a newline
     */
    public String toText() {
        StringBuilder out = new StringBuilder(summary).append('\n');
        for (Detail detail : details) {
            out.append("  ").append(detail.name()).append(": ").append(detail.value()).append('\n');
        }
        for (String step : nextSteps) {
            out.append("  next: ").append(step).append('\n');
        }
        return out.toString();
    }

    /**
     * For programs: one JSON object on one line, keys in this order:
     * {@code {"subject":"EXIT_REASON","input":"...","summary":"...","details":{"name":"value",...},"next":["...",...]}}.
     *
     * @return the JSON text, without a trailing newline
     */
    public String toJson() {
        StringBuilder out = new StringBuilder("{\"subject\":").append(quote(subject.name()))
                .append(",\"input\":").append(quote(input)).append(",\"summary\":").append(quote(summary))
                .append(",\"details\":{");
        for (int i = 0; i < details.size(); i++) {
            out.append(i == 0 ? "" : ",").append(quote(details.get(i).name())).append(':').append(quote(details.get(i).value()));
        }
        out.append("},\"next\":[");
        for (int i = 0; i < nextSteps.size(); i++) {
            out.append(i == 0 ? "" : ",").append(quote(nextSteps.get(i)));
        }
        return out.append("]}").toString();
    }

    /**
     * A JSON string literal.
     *
     * @param text any text
     * @return the text quoted, with {@code "}, {@code \} and control characters escaped
     */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
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
        return out.append('"').toString();
    }
}
