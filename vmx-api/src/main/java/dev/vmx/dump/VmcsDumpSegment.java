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
}
