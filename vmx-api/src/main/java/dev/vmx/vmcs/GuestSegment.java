package dev.vmx.vmcs;

import java.util.List;

/**
 * The guest-state area's segment registers, each with its four fields: selector, base, limit and
 * access rights (SDM Vol. 3C "Guest Register State").
 */
public enum GuestSegment {
    /** ES. */
    ES(VmcsField.GUEST_ES_SELECTOR, VmcsField.GUEST_ES_BASE, VmcsField.GUEST_ES_LIMIT, VmcsField.GUEST_ES_AR_BYTES),
    /** CS. */
    CS(VmcsField.GUEST_CS_SELECTOR, VmcsField.GUEST_CS_BASE, VmcsField.GUEST_CS_LIMIT, VmcsField.GUEST_CS_AR_BYTES),
    /** SS. */
    SS(VmcsField.GUEST_SS_SELECTOR, VmcsField.GUEST_SS_BASE, VmcsField.GUEST_SS_LIMIT, VmcsField.GUEST_SS_AR_BYTES),
    /** DS. */
    DS(VmcsField.GUEST_DS_SELECTOR, VmcsField.GUEST_DS_BASE, VmcsField.GUEST_DS_LIMIT, VmcsField.GUEST_DS_AR_BYTES),
    /** FS. */
    FS(VmcsField.GUEST_FS_SELECTOR, VmcsField.GUEST_FS_BASE, VmcsField.GUEST_FS_LIMIT, VmcsField.GUEST_FS_AR_BYTES),
    /** GS. */
    GS(VmcsField.GUEST_GS_SELECTOR, VmcsField.GUEST_GS_BASE, VmcsField.GUEST_GS_LIMIT, VmcsField.GUEST_GS_AR_BYTES),
    /** LDTR. */
    LDTR(VmcsField.GUEST_LDTR_SELECTOR, VmcsField.GUEST_LDTR_BASE, VmcsField.GUEST_LDTR_LIMIT,
            VmcsField.GUEST_LDTR_AR_BYTES),
    /** TR. */
    TR(VmcsField.GUEST_TR_SELECTOR, VmcsField.GUEST_TR_BASE, VmcsField.GUEST_TR_LIMIT, VmcsField.GUEST_TR_AR_BYTES);

    private final VmcsField selector;
    private final VmcsField base;
    private final VmcsField limit;
    private final VmcsField accessRights;

    GuestSegment(VmcsField selector, VmcsField base, VmcsField limit, VmcsField accessRights) {
        this.selector = selector;
        this.base = base;
        this.limit = limit;
        this.accessRights = accessRights;
    }

    /**
     * The 16-bit selector field.
     *
     * @return e.g. {@code GUEST_CS_SELECTOR}
     */
    public VmcsField selector() {
        return selector;
    }

    /**
     * The natural-width base field.
     *
     * @return e.g. {@code GUEST_CS_BASE}
     */
    public VmcsField base() {
        return base;
    }

    /**
     * The 32-bit limit field.
     *
     * @return e.g. {@code GUEST_CS_LIMIT}
     */
    public VmcsField limit() {
        return limit;
    }

    /**
     * The 32-bit access-rights field.
     *
     * @return e.g. {@code GUEST_CS_AR_BYTES}
     */
    public VmcsField accessRights() {
        return accessRights;
    }

    /**
     * The segment's four fields.
     *
     * @return selector, base, limit and access rights, in that order
     */
    public List<VmcsField> fields() {
        return List.of(selector, base, limit, accessRights);
    }
}
