package dev.vmx.entry;

/**
 * One 16-byte entry of an MSR-load area (SDM 24.8.2): bits 31:0 the MSR index, bits 63:32 reserved,
 * bits 127:64 the value.
 *
 * @param index the MSR index (bits 31:0)
 * @param reserved bits 63:32, which must be 0
 * @param value the value to load
 */
public record MsrEntry(long index, long reserved, long value) {
    /**
     * An entry with its reserved bits 0.
     *
     * @param index the MSR index
     * @param value the value
     * @return the entry
     */
    public static MsrEntry of(long index, long value) {
        return new MsrEntry(index, 0, value);
    }
}
