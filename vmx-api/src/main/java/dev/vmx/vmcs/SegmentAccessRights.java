package dev.vmx.vmcs;

import java.util.ArrayList;
import java.util.List;

/**
 * A guest segment's access rights ({@code GUEST_*_AR_BYTES}; SDM Vol. 3C Table "Format of Access
 * Rights", Table 24-2 in §24.4.1 of the September 2016 edition, one chapter higher in later
 * editions; Linux {@code VMX_AR_*}): bits 3:0 segment type, bit 4 S (0 system, 1 code or data),
 * bits 6:5 DPL, bit 7 P, bit 12 AVL, bit 13 L (64-bit code), bit 14 D/B, bit 15 G, bit 16 segment
 * unusable; bits 11:8 and 31:17 reserved. Readable like
 * {@code 0xc09b: code execute/read accessed, DPL 0, present, 32-bit, 4K granular}.
 */
public final class SegmentAccessRights {
    /** Bits 3:0. */ public static final int TYPE_MASK = 0xf;
    /** Bit 4. */ public static final int S = 1 << 4;
    /** Bit 5 is the low bit of the DPL. */ public static final int DPL_SHIFT = 5;
    /** Bit 7. */ public static final int P = 1 << 7;
    /** Bit 12. */ public static final int AVL = 1 << 12;
    /** Bit 13. */ public static final int L = 1 << 13;
    /** Bit 14. */ public static final int DB = 1 << 14;
    /** Bit 15. */ public static final int G = 1 << 15;
    /** Bit 16. */ public static final int UNUSABLE = 1 << 16;
    /** Bits 11:8 and 31:17. */ public static final int RESERVED_MASK = 0xfffe0f00;

    // type names of code and data segments (S = 1), SDM Vol. 3A Table "Code- and Data-Segment Types"
    private static final String[] CODE_DATA = {"data read-only", "data read-only accessed", "data read/write",
        "data read/write accessed", "data read-only expand-down", "data read-only expand-down accessed",
        "data read/write expand-down", "data read/write expand-down accessed", "code execute-only",
        "code execute-only accessed", "code execute/read", "code execute/read accessed", "code execute-only conforming",
        "code execute-only conforming accessed", "code execute/read conforming", "code execute/read conforming accessed"};
    // system types (S = 0) in IA-32e mode and protected mode, SDM Vol. 3A Table "System-Segment and Gate-Descriptor Types"
    private static final String[] SYSTEM = {"system type 0 (reserved)", "16-bit TSS available", "LDT", "16-bit TSS busy",
        "16-bit call gate", "task gate", "16-bit interrupt gate", "16-bit trap gate", "system type 8 (reserved)",
        "32/64-bit TSS available", "system type 10 (reserved)", "32/64-bit TSS busy", "32/64-bit call gate",
        "system type 13 (reserved)", "32/64-bit interrupt gate", "32/64-bit trap gate"};

    private final int raw;

    private SegmentAccessRights(int raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw value; every value is accepted.
     *
     * @param raw the 32-bit access-rights field
     * @return the decoded view
     */
    public static SegmentAccessRights of(int raw) {
        return new SegmentAccessRights(raw);
    }

    /**
     * Wraps the field as {@link Vmcs#read(VmcsField)} returns it.
     *
     * @param field the value, at most 32 bits
     * @return the decoded view
     * @throws IllegalArgumentException if bits 63:32 are set (names the value)
     */
    public static SegmentAccessRights from(long field) {
        if ((field >>> 32) != 0) {
            throw new IllegalArgumentException(String.format("access rights 0x%x are wider than 32 bits", field));
        }
        return new SegmentAccessRights((int) field);
    }

    /** @return the raw value */
    public int raw() {
        return raw;
    }

    /** @return bits 3:0 */
    public int type() {
        return raw & TYPE_MASK;
    }

    /** @return bit 4: true for a code or data segment, false for a system segment */
    public boolean isCodeOrData() {
        return (raw & S) != 0;
    }

    /** @return whether this is a code segment (S = 1 and type bit 3) */
    public boolean isCode() {
        return isCodeOrData() && (raw & 8) != 0;
    }

    /** @return type bit 0 of a code or data segment */
    public boolean isAccessed() {
        return (raw & 1) != 0;
    }

    /** @return bits 6:5 */
    public int dpl() {
        return (raw >>> DPL_SHIFT) & 3;
    }

    /** @return bit 7 */
    public boolean isPresent() {
        return (raw & P) != 0;
    }

    /** @return bit 12 */
    public boolean isAvailable() {
        return (raw & AVL) != 0;
    }

    /** @return bit 13: 64-bit code segment */
    public boolean isLongMode() {
        return (raw & L) != 0;
    }

    /** @return bit 14: default operation size 32 bits (code) or big (stack, data) */
    public boolean isDefaultBig() {
        return (raw & DB) != 0;
    }

    /** @return bit 15: the limit is in 4-KByte units */
    public boolean isPageGranular() {
        return (raw & G) != 0;
    }

    /** @return bit 16: the segment is unusable (the register was loaded with a null selector) */
    public boolean isUnusable() {
        return (raw & UNUSABLE) != 0;
    }

    /** @return bits 11:8 and 31:17 in place */
    public int reservedBits() {
        return raw & RESERVED_MASK;
    }

    /** @return the type's name, e.g. {@code code execute/read accessed} or {@code 32/64-bit TSS busy} */
    public String typeName() {
        return isCodeOrData() ? CODE_DATA[type()] : SYSTEM[type()];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SegmentAccessRights && ((SegmentAccessRights) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return raw;
    }

    /** {@return e.g. {@code 0xc09b: code execute/read accessed, DPL 0, present, 32-bit, 4K granular}} */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (isUnusable()) {
            parts.add("unusable");
        }
        parts.add(typeName());
        parts.add("DPL " + dpl());
        parts.add(isPresent() ? "present" : "not present");
        if (isAvailable()) {
            parts.add("AVL");
        }
        if (isCodeOrData()) { // D/B and L mean nothing for system segments
            parts.add(isLongMode() ? (isDefaultBig() ? "L and D/B both 1" : "64-bit") : isDefaultBig() ? "32-bit" : "16-bit");
        }
        parts.add(isPageGranular() ? "4K granular" : "byte granular");
        if (reservedBits() != 0) {
            parts.add(String.format("reserved bits 0x%x", reservedBits()));
        }
        return String.format("0x%x: %s", raw, String.join(", ", parts));
    }
}
