package dev.vmx.cap;

import java.util.EnumSet;
import java.util.Set;

/**
 * IA32_VMX_EPT_VPID_CAP decoded. Total for any 64-bit value.
 *
 * @param raw the MSR value
 */
public record EptVpidCapability(long raw) {
    private static final long DEFINED;

    static {
        long mask = 0x003f_0000_0000_0000L; // bits 53:48, maximum HLAT prefix size
        for (EptVpidCapabilityBit bit : EptVpidCapabilityBit.values()) {
            mask |= bit.mask();
        }
        DEFINED = mask;
    }

    /**
     * Decodes a value.
     *
     * @param raw the MSR value
     * @return the decoded capabilities
     */
    public static EptVpidCapability of(long raw) {
        return new EptVpidCapability(raw);
    }

    /**
     * The single-bit capabilities that are set.
     *
     * @return the set
     */
    public Set<EptVpidCapabilityBit> bits() {
        EnumSet<EptVpidCapabilityBit> set = EnumSet.noneOf(EptVpidCapabilityBit.class);
        for (EptVpidCapabilityBit bit : EptVpidCapabilityBit.values()) {
            if ((raw & bit.mask()) != 0) {
                set.add(bit);
            }
        }
        return set;
    }

    /**
     * Whether one capability is set.
     *
     * @param bit the capability
     * @return true if set
     */
    public boolean has(EptVpidCapabilityBit bit) {
        return (raw & bit.mask()) != 0;
    }

    /**
     * Maximum HLAT prefix size, bits 53:48.
     *
     * @return the size
     */
    public int maxHlatPrefixSize() {
        return (int) ((raw >>> 48) & 0x3f);
    }

    /**
     * Set bits that no source defines; kept, not dropped.
     *
     * @return the undefined bits
     */
    public long undefinedBits() {
        return raw & ~DEFINED;
    }
}
