package dev.vmx.vmcs;

import dev.vmx.event.InterruptionInfo;
import dev.vmx.event.VmInstructionError;
import dev.vmx.exit.ExitReason;
import dev.vmx.qual.ExitQualification;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Read access to one VMCS: field values by {@link VmcsField}, and typed views of the fields people
 * read most (the exit reason, its qualification, the event information, guest registers).
 *
 * <p>A HIGH field ({@code *_HIGH}) reads as the upper 32 bits of its 64-bit FULL field.
 * Implementations: {@link VmcsSnapshot} (immutable), and the native backends' views.
 */
public interface Vmcs {
    /**
     * The value of a field, if this VMCS holds it.
     *
     * @param field the field
     * @return the value, or empty when the field is not present
     */
    OptionalLong find(VmcsField field);

    /**
     * The FULL fields present, in encoding order.
     *
     * @return the present fields (never HIGH halves)
     */
    Set<VmcsField> fields();

    /**
     * The value of a field that must be present.
     *
     * @param field the field
     * @return the value
     * @throws NoSuchElementException naming the field and its encoding when it is absent
     */
    default long read(VmcsField field) {
        OptionalLong value = find(field);
        if (value.isEmpty()) {
            throw new NoSuchElementException(String.format("VMCS has no value for %s (encoding 0x%04x)",
                    field, field.encoding()));
        }
        return value.getAsLong();
    }

    /**
     * {@code VM_EXIT_REASON} as an exit reason.
     *
     * @return the exit reason
     */
    default ExitReason exitReason() {
        return ExitReason.of((int) read(VmcsField.VM_EXIT_REASON));
    }

    /**
     * {@code EXIT_QUALIFICATION} decoded for {@link #exitReason()}.
     *
     * @return the qualification in the format the exit reason defines
     */
    default ExitQualification exitQualification() {
        return ExitQualification.decode(exitReason(), read(VmcsField.EXIT_QUALIFICATION));
    }

    /**
     * {@code VM_EXIT_INTR_INFO}: the event that caused the exit.
     *
     * @return the VM-exit interruption information
     */
    default InterruptionInfo exitInterruptionInfo() {
        return InterruptionInfo.of((int) read(VmcsField.VM_EXIT_INTR_INFO));
    }

    /**
     * {@code IDT_VECTORING_INFO_FIELD}: the event being delivered when the exit happened.
     *
     * @return the IDT-vectoring information
     */
    default InterruptionInfo idtVectoringInfo() {
        return InterruptionInfo.of((int) read(VmcsField.IDT_VECTORING_INFO_FIELD));
    }

    /**
     * {@code VM_INSTRUCTION_ERROR}: why the last VMX instruction failed.
     *
     * @return the error
     */
    default VmInstructionError vmInstructionError() {
        return VmInstructionError.fromNumber(read(VmcsField.VM_INSTRUCTION_ERROR));
    }

    /**
     * {@code GUEST_RIP}.
     *
     * @return the guest RIP
     */
    default long guestRip() {
        return read(VmcsField.GUEST_RIP);
    }

    /**
     * {@code GUEST_RSP}.
     *
     * @return the guest RSP
     */
    default long guestRsp() {
        return read(VmcsField.GUEST_RSP);
    }

    /**
     * {@code GUEST_RFLAGS}.
     *
     * @return the guest RFLAGS
     */
    default long guestRflags() {
        return read(VmcsField.GUEST_RFLAGS);
    }

    /**
     * {@code GUEST_CR0}.
     *
     * @return the guest CR0
     */
    default long guestCr0() {
        return read(VmcsField.GUEST_CR0);
    }

    /**
     * {@code GUEST_CR3}.
     *
     * @return the guest CR3
     */
    default long guestCr3() {
        return read(VmcsField.GUEST_CR3);
    }

    /**
     * {@code GUEST_CR4}.
     *
     * @return the guest CR4
     */
    default long guestCr4() {
        return read(VmcsField.GUEST_CR4);
    }

    /**
     * {@code GUEST_PHYSICAL_ADDRESS}: the guest-physical address of an EPT violation or
     * misconfiguration.
     *
     * @return the guest-physical address
     */
    default long guestPhysicalAddress() {
        return read(VmcsField.GUEST_PHYSICAL_ADDRESS);
    }

    /**
     * {@code GUEST_LINEAR_ADDRESS}.
     *
     * @return the guest-linear address
     */
    default long guestLinearAddress() {
        return read(VmcsField.GUEST_LINEAR_ADDRESS);
    }

    /**
     * {@code GUEST_INTERRUPTIBILITY_INFO} decoded.
     *
     * @return the interruptibility state
     * @throws NoSuchElementException if the VMCS lacks the field
     * @throws IllegalArgumentException if the value is wider than 32 bits
     */
    default GuestInterruptibility guestInterruptibility() {
        return GuestInterruptibility.from(read(VmcsField.GUEST_INTERRUPTIBILITY_INFO));
    }

    /**
     * {@code GUEST_ACTIVITY_STATE} decoded; an undefined value is kept with its number.
     *
     * @return the activity state
     * @throws NoSuchElementException if the VMCS lacks the field
     */
    default GuestActivityState guestActivityState() {
        return GuestActivityState.of(read(VmcsField.GUEST_ACTIVITY_STATE));
    }

    /**
     * A guest segment's access rights decoded.
     *
     * @param segment the segment register
     * @return the access rights
     * @throws NoSuchElementException if the VMCS lacks the field
     * @throws IllegalArgumentException if the value is wider than 32 bits
     */
    default SegmentAccessRights guestAccessRights(GuestSegment segment) {
        return SegmentAccessRights.from(read(segment.accessRights()));
    }

    /**
     * {@code GUEST_PENDING_DBG_EXCEPTIONS} decoded.
     *
     * @return the pending debug exceptions
     * @throws NoSuchElementException if the VMCS lacks the field
     */
    default PendingDebugExceptions guestPendingDebugExceptions() {
        return PendingDebugExceptions.of(read(VmcsField.GUEST_PENDING_DBG_EXCEPTIONS));
    }

    /**
     * {@code EPT_POINTER} decoded.
     *
     * @return the EPT pointer
     * @throws NoSuchElementException if the VMCS lacks the field
     */
    default EptPointer eptPointer() {
        return EptPointer.of(read(VmcsField.EPT_POINTER));
    }
}
