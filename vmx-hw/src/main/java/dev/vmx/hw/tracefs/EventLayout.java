package dev.vmx.hw.tracefs;

import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmIsa;
import java.util.EnumMap;
import java.util.Map;

/**
 * Where each {@link dev.vmx.trace.KvmEvent} accessor's field lies in one event's payload, resolved
 * by field name from the event's {@link EventFormat} (names per {@code arch/x86/kvm/trace.h}).
 * A field the running kernel's format does not have stays absent (offset -1) and reads as the
 * accessor's "not recorded" default.
 */
final class EventLayout {
    /** The accessor slots a field can fill. */
    enum Slot {
        EXIT_CODE, GUEST_RIP, ISA, INFO1, INFO2, INTR_INFO, ERROR_CODE, VCPU, WRITE, PORT, SIZE, COUNT,
        MMIO_TYPE, GPA, MSR_INDEX, MSR_EXCEPTION, CR, VALUE, USERSPACE_REASON, ERRNO, MESSAGE, REQUESTS, IMMEDIATE_EXIT
    }

    private static final Map<KvmEventType, Map<Slot, String>> FIELD_NAMES = new EnumMap<>(KvmEventType.class);

    static {
        Map<Slot, String> exit = new EnumMap<>(Slot.class);
        exit.put(Slot.EXIT_CODE, "exit_reason");
        exit.put(Slot.GUEST_RIP, "guest_rip");
        exit.put(Slot.ISA, "isa");
        exit.put(Slot.INFO1, "info1");
        exit.put(Slot.INFO2, "info2");
        exit.put(Slot.INTR_INFO, "intr_info");
        exit.put(Slot.ERROR_CODE, "error_code");
        exit.put(Slot.VCPU, "vcpu_id");
        exit.put(Slot.REQUESTS, "requests"); // Linux 6.18
        FIELD_NAMES.put(KvmEventType.KVM_EXIT, exit);
        FIELD_NAMES.put(KvmEventType.KVM_NESTED_VMEXIT, exit);
        Map<Slot, String> inject = new EnumMap<>(Slot.class);
        inject.put(Slot.EXIT_CODE, "exit_code");
        inject.put(Slot.INFO1, "exit_info1");
        inject.put(Slot.INFO2, "exit_info2");
        inject.put(Slot.INTR_INFO, "exit_int_info");
        inject.put(Slot.ERROR_CODE, "exit_int_info_err");
        inject.put(Slot.ISA, "isa");
        FIELD_NAMES.put(KvmEventType.KVM_NESTED_VMEXIT_INJECT, inject);
        Map<Slot, String> entry = new EnumMap<>(Slot.class);
        entry.put(Slot.VCPU, "vcpu_id");
        entry.put(Slot.GUEST_RIP, "rip");
        entry.put(Slot.INTR_INFO, "intr_info");
        entry.put(Slot.ERROR_CODE, "error_code");
        entry.put(Slot.IMMEDIATE_EXIT, "immediate_exit"); // Linux 6.x
        FIELD_NAMES.put(KvmEventType.KVM_ENTRY, entry);
        Map<Slot, String> pio = new EnumMap<>(Slot.class);
        pio.put(Slot.WRITE, "rw");
        pio.put(Slot.PORT, "port");
        pio.put(Slot.SIZE, "size");
        pio.put(Slot.COUNT, "count");
        pio.put(Slot.VALUE, "val");
        FIELD_NAMES.put(KvmEventType.KVM_PIO, pio);
        // kvm_page_fault (arch/x86/kvm/trace.h): vcpu_id and guest_rip since Linux 6.x
        Map<Slot, String> pageFault = new EnumMap<>(Slot.class);
        pageFault.put(Slot.VCPU, "vcpu_id");
        pageFault.put(Slot.GUEST_RIP, "guest_rip");
        pageFault.put(Slot.GPA, "fault_address");
        pageFault.put(Slot.ERROR_CODE, "error_code");
        FIELD_NAMES.put(KvmEventType.KVM_PAGE_FAULT, pageFault);
        Map<Slot, String> mmio = new EnumMap<>(Slot.class);
        mmio.put(Slot.MMIO_TYPE, "type");
        mmio.put(Slot.SIZE, "len");
        mmio.put(Slot.GPA, "gpa");
        mmio.put(Slot.VALUE, "val");
        FIELD_NAMES.put(KvmEventType.KVM_MMIO, mmio);
        Map<Slot, String> msr = new EnumMap<>(Slot.class);
        msr.put(Slot.WRITE, "write");
        msr.put(Slot.MSR_INDEX, "ecx");
        msr.put(Slot.VALUE, "data");
        msr.put(Slot.MSR_EXCEPTION, "exception");
        FIELD_NAMES.put(KvmEventType.KVM_MSR, msr);
        Map<Slot, String> cr = new EnumMap<>(Slot.class);
        cr.put(Slot.WRITE, "rw");
        cr.put(Slot.CR, "cr");
        cr.put(Slot.VALUE, "val");
        FIELD_NAMES.put(KvmEventType.KVM_CR, cr);
        Map<Slot, String> userspace = new EnumMap<>(Slot.class);
        userspace.put(Slot.USERSPACE_REASON, "reason");
        userspace.put(Slot.ERRNO, "errno");
        FIELD_NAMES.put(KvmEventType.KVM_USERSPACE_EXIT, userspace);
        Map<Slot, String> failed = new EnumMap<>(Slot.class);
        failed.put(Slot.MESSAGE, "msg");
        failed.put(Slot.ERRNO, "err");
        FIELD_NAMES.put(KvmEventType.KVM_NESTED_VMENTER_FAILED, failed);
    }

    final KvmEventType type;
    final int[] offsets = new int[Slot.values().length];
    final int[] sizes = new int[Slot.values().length];
    final boolean[] signed = new boolean[Slot.values().length];
    /** Bytes of payload the fields need; a shorter record is corrupt. */
    final int minimumPayload;
    /**
     * Whether the fields have the widths of every kernel's kvm_exit and kvm_entry (exit_reason an
     * unsigned 4 bytes, guest_rip and info1 8, intr_info 4, isa and vcpu_id 4 or absent), so
     * that {@link RingBufferCursor#deliverExitOrEntry} reads them with fixed loads.
     */
    final boolean usualWidths;

    EventLayout(KvmEventType type, EventFormat format) {
        this.type = type;
        java.util.Arrays.fill(offsets, -1);
        int needed = 0;
        for (Map.Entry<Slot, String> slot : FIELD_NAMES.getOrDefault(type, Map.of()).entrySet()) {
            EventFormat.Field field = format.fields().get(slot.getValue());
            if (field != null) {
                offsets[slot.getKey().ordinal()] = field.offset();
                sizes[slot.getKey().ordinal()] = field.size();
                signed[slot.getKey().ordinal()] = field.signed();
                needed = Math.max(needed, field.offset() + field.size());
            }
        }
        this.minimumPayload = needed;
        boolean vcpuUsual = sizeOrAbsent(Slot.VCPU, 4);
        this.usualWidths = type == KvmEventType.KVM_ENTRY ? vcpuUsual
                : type == KvmEventType.KVM_EXIT && vcpuUsual && sizeOrAbsent(Slot.ISA, 4)
                        && sizes[Slot.EXIT_CODE.ordinal()] == 4 && !signed[Slot.EXIT_CODE.ordinal()]
                        && sizes[Slot.GUEST_RIP.ordinal()] == 8 && sizes[Slot.INFO1.ordinal()] == 8
                        && sizes[Slot.INTR_INFO.ordinal()] == 4;
    }

    private boolean sizeOrAbsent(Slot slot, int size) {
        return offsets[slot.ordinal()] < 0 || sizes[slot.ordinal()] == size;
    }

    /**
     * Reads a slot's field of an event with this layout, in place.
     *
     * @param page the bytes holding the event (little-endian)
     * @param payload where its payload starts
     * @param slot the field
     * @return the field, sign- or zero-extended as its format says; 0 when this event has no such field
     */
    long read(java.nio.ByteBuffer page, int payload, Slot slot) {
        int index = slot.ordinal();
        int offset = offsets[index];
        if (offset < 0) {
            return 0;
        }
        int at = payload + offset;
        boolean isSigned = signed[index];
        switch (sizes[index]) {
            case 1:
                return isSigned ? page.get(at) : Byte.toUnsignedLong(page.get(at));
            case 2:
                return isSigned ? page.getShort(at) : Short.toUnsignedLong(page.getShort(at));
            case 4:
                return isSigned ? page.getInt(at) : Integer.toUnsignedLong(page.getInt(at));
            case 8:
                return page.getLong(at);
            default:
                return 0;
        }
    }

    /** The vCPU id field, -1 when this event has none. */
    int vcpu(java.nio.ByteBuffer page, int payload) {
        return offsets[Slot.VCPU.ordinal()] < 0 ? -1 : (int) read(page, payload, Slot.VCPU);
    }

    /** The isa field, {@link KvmIsa#UNKNOWN} when this event has none. */
    KvmIsa isa(java.nio.ByteBuffer page, int payload) {
        return offsets[Slot.ISA.ordinal()] < 0 ? KvmIsa.UNKNOWN : KvmIsa.fromCode((int) read(page, payload, Slot.ISA));
    }

    /**
     * The field names this library reads for an event type (for tests and error messages).
     *
     * @param type the type
     * @return slot to field name
     */
    static Map<Slot, String> fieldNames(KvmEventType type) {
        return FIELD_NAMES.getOrDefault(type, Map.of());
    }
}
