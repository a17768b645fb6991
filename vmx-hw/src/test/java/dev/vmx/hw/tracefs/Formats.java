package dev.vmx.hw.tracefs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The tracefs description files copied from this machine into test resources. */
final class Formats {
    static final String[] KVM_EVENTS = {
        "kvm_exit", "kvm_entry", "kvm_nested_vmexit", "kvm_nested_vmexit_inject", "kvm_nested_vmenter_failed",
        "kvm_userspace_exit", "kvm_pio", "kvm_mmio", "kvm_msr", "kvm_cr",
    };

    private Formats() {
    }

    static String text(String resource) {
        try (InputStream in = Formats.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!text.startsWith("# Origin:")) {
                throw new IllegalStateException(resource + " does not start with its '# Origin:' line");
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static EventFormat headerPage() {
        return EventFormat.parse(text("header_page.txt"));
    }

    static EventFormat event(String name) {
        return EventFormat.parse(text(name + ".format"));
    }

    static List<EventFormat> kvmEvents() {
        List<EventFormat> formats = new ArrayList<>();
        for (String name : KVM_EVENTS) {
            formats.add(event(name));
        }
        return formats;
    }

    /** header_event: "padding : type == 29", "time_delta : 27 bits", "data max type_len == 28". */
    static Map<String, Integer> headerEvent() {
        Map<String, Integer> values = new TreeMap<>();
        Matcher matcher = Pattern.compile("(?m)^\\s*([a-z_ ]+?)\\s*:\\s*(?:type ==\\s*)?(\\d+)(?: bits)?\\s*$")
                .matcher(text("header_event.txt"));
        while (matcher.find()) {
            values.put(matcher.group(1), Integer.parseInt(matcher.group(2)));
        }
        Matcher max = Pattern.compile("data max type_len\\s*==\\s*(\\d+)").matcher(text("header_event.txt"));
        if (max.find()) {
            values.put("data max type_len", Integer.parseInt(max.group(1)));
        }
        return values;
    }
}
