package dev.vmx.vmcs;

/**
 * The type of a VMCS field, bits 11:10 of its encoding: which area of the VMCS it belongs to.
 */
public enum FieldType {
    /** 0: VM-execution, VM-exit and VM-entry control fields. */
    CONTROL(0),
    /** 1: read-only data, the VM-exit information fields. */
    EXIT_INFO(1),
    /** 2: guest-state area. */
    GUEST_STATE(2),
    /** 3: host-state area. */
    HOST_STATE(3);

    private static final FieldType[] BY_CODE = values();

    private final int code;

    FieldType(int code) {
        this.code = code;
    }

    /**
     * The value of encoding bits 11:10.
     *
     * @return 0..3
     */
    public int code() {
        return code;
    }

    /**
     * The type for encoding bits 11:10.
     *
     * @param code 0..3 (higher bits ignored)
     * @return the type
     */
    public static FieldType fromCode(int code) {
        return BY_CODE[code & 3];
    }
}
