package dev.vmx.trace;

/**
 * Receives kvm events the way a binary trace reader can hand them over fastest: {@code kvm_exit}
 * and {@code kvm_entry} as plain values read in place (the fields {@link ExitStatistics} uses),
 * every other event as a {@link KvmEvent} flyweight. A {@link BinaryKvmTraceFormat} feeds it
 * through {@link BinaryKvmTraceFormat#readByThread}; nothing is allocated per event on either side.
 */
public interface ExitEntryConsumer {
    /**
     * A {@code kvm_exit}.
     *
     * @param pid the recording thread (the vCPU thread)
     * @param timestampNanos the event's time
     * @param isa VMX or SVM, {@link KvmIsa#UNKNOWN} when the event does not record it
     * @param exitCode the raw exit reason (VMX) or exit code (SVM)
     * @param guestRip the guest RIP at the exit
     * @param vcpu the vCPU id, -1 when the event does not record it
     * @param info1 the exit qualification (VMX) or EXITINFO1 (SVM)
     * @param intrInfo the VM-exit interruption information
     */
    void acceptExit(int pid, long timestampNanos, KvmIsa isa, long exitCode, long guestRip, int vcpu, long info1,
            int intrInfo);

    /**
     * A {@code kvm_entry}.
     *
     * @param pid the recording thread
     * @param timestampNanos the event's time
     * @param vcpu the vCPU id, -1 when the event does not record it
     */
    void acceptEntry(int pid, long timestampNanos, int vcpu);

    /**
     * Any other event.
     *
     * @param event the event (a flyweight, valid during the call)
     */
    void acceptOther(KvmEvent event);

    /**
     * Hands one event to the method its type calls for (how a reader that has only flyweights
     * feeds this consumer).
     *
     * @param consumer the consumer
     * @param event the event
     */
    static void dispatch(ExitEntryConsumer consumer, KvmEvent event) {
        KvmEventType type = event.type();
        if (type == KvmEventType.KVM_EXIT) {
            consumer.acceptExit(event.pid(), event.timestampNanos(), event.isa(), event.exitCode(), event.guestRip(),
                    event.vcpu(), event.info1(), event.intrInfo());
        } else if (type == KvmEventType.KVM_ENTRY) {
            consumer.acceptEntry(event.pid(), event.timestampNanos(), event.vcpu());
        } else {
            consumer.acceptOther(event);
        }
    }
}
