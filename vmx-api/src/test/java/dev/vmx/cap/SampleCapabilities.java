package dev.vmx.cap;

import dev.vmx.SourceTable;
import java.util.HashMap;
import java.util.Map;

/**
 * The real capability dumps tests share: a Core i7-5600U (resource core-i7-5600u-vmx-msrs.txt) and Bochs 2.7's
 * corei7_skylake_x model (bochs-2.7-skylake-x-vmx-msrs.txt); origins in their headers.
 */
public final class SampleCapabilities {
    private SampleCapabilities() {
    }

    /**
     * The dump's MSR values.
     *
     * @return a new, mutable map of MSR index to value
     */
    public static Map<Integer, Long> coreI7_5600uMsrs() {
        Map<Integer, Long> msrs = new HashMap<>();
        for (String[] row : SourceTable.rows(SampleCapabilities.class, "core-i7-5600u-vmx-msrs.txt", true)) {
            msrs.put((int) SourceTable.cInteger(row[0]), SourceTable.cInteger(row[1]));
        }
        return msrs;
    }

    /**
     * The dump as capabilities.
     *
     * @return the capabilities
     */
    public static VmxCapabilities coreI7_5600u() {
        return VmxCapabilities.fromMsrs(coreI7_5600uMsrs());
    }

    /**
     * The MSR values Bochs 2.7 reports for {@code cpu: model=corei7_skylake_x}.
     *
     * @return a new, mutable map of MSR index to value
     */
    public static Map<Integer, Long> bochsSkylakeXMsrs() {
        Map<Integer, Long> msrs = new HashMap<>();
        for (String[] row : SourceTable.rows(SampleCapabilities.class, "bochs-2.7-skylake-x-vmx-msrs.txt", true)) {
            msrs.put((int) SourceTable.cInteger(row[0]), SourceTable.cInteger(row[1]));
        }
        return msrs;
    }

    /**
     * Bochs 2.7's corei7_skylake_x as capabilities.
     *
     * @return the capabilities
     */
    public static VmxCapabilities bochsSkylakeX() {
        return VmxCapabilities.fromMsrs(bochsSkylakeXMsrs());
    }
}
