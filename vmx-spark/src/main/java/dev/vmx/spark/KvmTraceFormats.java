package dev.vmx.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Picks the {@link KvmTraceFormat} of a file from its first bytes: the formats registered with
 * {@link ServiceLoader} first, then the built-in text format. A file no format recognises is
 * reported as a problem that names what it looks like.
 */
final class KvmTraceFormats {
    /** trace-cmd's trace.dat starts with 0x17 0x08 0x44 and "tracing" (trace-cmd.dat(5), "INITIAL FORMAT"). */
    private static final byte[] TRACE_DAT_MAGIC = {0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g'};

    private KvmTraceFormats() {
    }

    /** The formats to try, in order: registered ones, then text. */
    static List<KvmTraceFormat> all() {
        List<KvmTraceFormat> formats = new ArrayList<>();
        ServiceLoader.load(KvmTraceFormat.class, KvmTraceFormats.class.getClassLoader()).forEach(formats::add);
        formats.add(TextTraceFormat.INSTANCE);
        return formats;
    }

    /** The first format that recognises the head, or null. */
    static KvmTraceFormat detect(List<KvmTraceFormat> formats, byte[] head, int length) {
        for (KvmTraceFormat format : formats) {
            if (format.recognizes(head, length)) {
                return format;
            }
        }
        return null;
    }

    /** Whether the head starts with trace.dat's magic. */
    static boolean isTraceDat(byte[] head, int length) {
        boolean traceDat = length >= TRACE_DAT_MAGIC.length;
        for (int i = 0; traceDat && i < TRACE_DAT_MAGIC.length; i++) {
            traceDat = head[i] == TRACE_DAT_MAGIC[i];
        }
        return traceDat;
    }

    /** Why no format took a file, for its problem row. */
    static String unknown(byte[] head, int length) {
        if (isTraceDat(head, length)) {
            // vmx-spark registers its trace.dat format; only a class path that lost the service file gets here
            return "unknown format: a trace-cmd trace.dat file, and no trace.dat reader is registered"
                    + " (META-INF/services/dev.vmx.spark.KvmTraceFormat of vmx-spark is missing from the class path)";
        }
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(length, 16); i++) {
            hex.append(String.format("%02x", head[i] & 0xff));
        }
        return "unknown format: not kvm trace text (it has NUL bytes) and no registered format recognises it;"
                + " first bytes " + hex;
    }
}
