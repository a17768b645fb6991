package dev.vmx.vmcs;

import java.util.ArrayList;
import java.util.List;

/**
 * The extended-page-table pointer ({@link VmcsField#EPT_POINTER}; SDM Vol. 3C Table "Format of
 * Extended-Page-Table Pointer", Table 24-8 in §24.6.11 of the September 2016 edition,
 * bit 7 from the editions that describe CET supervisor shadow stacks; Linux {@code VMX_EPTP_*}): bits 2:0 memory
 * type (0 UC, 6 WB), bits 5:3 page-walk length minus 1, bit 6 accessed/dirty flags enabled, bit 7
 * enforcement of access rights for supervisor shadow-stack pages, bits 11:8 reserved, bits N-1:12
 * the physical address of the EPT PML4 (or PML5) table.
 */
public final class EptPointer {
    /** Bits 2:0. */ public static final long MEMORY_TYPE_MASK = 0x7L;
    /** Bits 5:3. */ public static final long PAGE_WALK_MASK = 0x38L;
    /** Bit 6. */ public static final long ACCESSED_DIRTY_ENABLE = 1L << 6;
    /** Bit 7. */ public static final long SUPERVISOR_SHADOW_STACK = 1L << 7;
    /** Bits 11:8. */ public static final long RESERVED_MASK = 0xf00L;
    /** Bits 63:12. */ public static final long ADDRESS_MASK = ~0xfffL;
    /** Memory type 0. */ public static final int UNCACHEABLE = 0;
    /** Memory type 6. */ public static final int WRITE_BACK = 6;

    private final long raw;

    private EptPointer(long raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw value; every value is accepted.
     *
     * @param raw the 64-bit field
     * @return the decoded view
     */
    public static EptPointer of(long raw) {
        return new EptPointer(raw);
    }

    /** @return the raw value */
    public long raw() {
        return raw;
    }

    /** @return bits 2:0: 0 uncacheable, 6 write-back, others not allowed by the SDM */
    public int memoryType() {
        return (int) (raw & MEMORY_TYPE_MASK);
    }

    /** @return bits 5:3 plus 1: 4 or 5 for a valid pointer */
    public int pageWalkLength() {
        return (int) ((raw & PAGE_WALK_MASK) >>> 3) + 1;
    }

    /** @return bit 6 */
    public boolean isAccessedDirtyEnabled() {
        return (raw & ACCESSED_DIRTY_ENABLE) != 0;
    }

    /** @return bit 7: enforcement of access rights for supervisor shadow-stack pages */
    public boolean isSupervisorShadowStackEnforced() {
        return (raw & SUPERVISOR_SHADOW_STACK) != 0;
    }

    /** @return bits 11:8 in place */
    public long reservedBits() {
        return raw & RESERVED_MASK;
    }

    /** @return the physical address of the top-level EPT table (bits 63:12, low 12 bits 0) */
    public long tableAddress() {
        return raw & ADDRESS_MASK;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EptPointer && ((EptPointer) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /**
     * {@return e.g. {@code 0x10a3c105e: WB, 4-level walk, A/D enabled, PML4 at 0x10a3c1000}}
     */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        int type = memoryType();
        parts.add(type == WRITE_BACK ? "WB" : type == UNCACHEABLE ? "UC" : "memory type " + type + " (not UC or WB)");
        parts.add(pageWalkLength() + "-level walk" + (pageWalkLength() == 4 || pageWalkLength() == 5 ? "" : " (not 4 or 5)"));
        if (isAccessedDirtyEnabled()) {
            parts.add("A/D enabled");
        }
        if (isSupervisorShadowStackEnforced()) {
            parts.add("supervisor shadow-stack enforced");
        }
        if (reservedBits() != 0) {
            parts.add(String.format("reserved bits 0x%x", reservedBits()));
        }
        parts.add(String.format("%s at 0x%x", pageWalkLength() == 5 ? "PML5" : "PML4", tableAddress()));
        return String.format("0x%x: %s", raw, String.join(", ", parts));
    }
}
