package dev.vmx.dump;

import java.util.OptionalInt;

/**
 * One row of a dump's segment table ({@code vmx_dump_sel}, {@code vmx_dump_dtsel}).
 *
 * @param name CS, DS, SS, ES, FS, GS, GDTR, LDTR, IDTR or TR
 * @param selector the selector, empty for GDTR and IDTR
 * @param accessRights the access-rights (attr) field, empty for GDTR and IDTR
 * @param limit the limit
 * @param base the base address
 */
public record VmcsDumpSegment(String name, OptionalInt selector, OptionalInt accessRights, long limit, long base) {

    /**
     * The access rights decoded, e.g. {@code 0xc09b: code execute/read accessed, DPL 0, present,
     * 32-bit, 4K granular}.
     *
     * @return the decoded access rights, empty for GDTR and IDTR
     */
    public java.util.Optional<dev.vmx.vmcs.SegmentAccessRights> rights() {
        return accessRights.isPresent() ? java.util.Optional.of(dev.vmx.vmcs.SegmentAccessRights.of(accessRights.getAsInt()))
                : java.util.Optional.empty();
    }
}
