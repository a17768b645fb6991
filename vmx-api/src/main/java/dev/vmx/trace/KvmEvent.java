package dev.vmx.trace;

import dev.vmx.exit.ExitReason;

/**
 * One KVM trace event, decoded from trace text (tracefs {@code trace}, {@code trace-cmd report},
 * {@code perf script}) or from tracefs binary ring-buffer pages. This is the one definition both
 * sources share.
 *
 * <p><b>Lifetime.</b> Implementations may be flyweights that decode in place over a buffer and are
 * repositioned on the next event (that is how the hot paths avoid an object per event). Use an
 * event only until the source advances; call {@link #toRecord()} to keep it.
 *
 * <p><b>Fields.</b> Accessors return the recorded field for event types that record it, and 0
 * (or -1 for {@link #vcpu()}, empty text, {@link KvmIsa#UNKNOWN}) for types that do not. Which
 * type sets which field follows {@code arch/x86/kvm/trace.h}:
 * <ul>
 *   <li>{@code kvm_exit}, {@code kvm_nested_vmexit}, {@code kvm_nested_vmexit_inject}:
 *       {@link #exitCode()}, {@link #isa()}, {@link #info1()}, {@link #info2()},
 *       {@link #intrInfo()}, {@link #errorCode()}, {@link #guestRip()} (not for _inject),
 *       {@link #vcpu()} where the kernel records it, {@link #requests()} for {@code kvm_exit} on
 *       Linux 6.18+;</li>
 *   <li>{@code kvm_entry}: {@link #vcpu()}, {@link #guestRip()} (and intr_info/error_code on newer
 *       kernels, {@link #isImmediateExit()} on 6.x);</li>
 *   <li>{@code kvm_pio}: {@link #isWrite()}, {@link #port()}, {@link #size()}, {@link #count()},
 *       {@link #value()};</li>
 *   <li>{@code kvm_mmio}: {@link #mmioType()}, {@link #size()}, {@link #gpa()}, {@link #value()};</li>
 *   <li>{@code kvm_msr}: {@link #isWrite()}, {@link #msrIndex()}, {@link #value()},
 *       {@link #isMsrException()};</li>
 *   <li>{@code kvm_cr}: {@link #isWrite()}, {@link #crNumber()}, {@link #value()};</li>
 *   <li>{@code kvm_userspace_exit}: {@link #userspaceExitReason()}, {@link #errno()};</li>
 *   <li>{@code kvm_nested_vmenter_failed}: {@link #message()}, {@link #errno()} (the {@code err}
 *       field).</li>
 * </ul>
 */
public interface KvmEvent {
    /**
     * The tracepoint.
     *
     * @return the type; {@link KvmEventType#OTHER} for tracepoints this library does not decode
     */
    KvmEventType type();

    /**
     * The timestamp in nanoseconds of the trace clock (text traces: seconds.microseconds or
     * seconds.nanoseconds scaled to nanoseconds; the {@code counter} and {@code x86-tsc} trace
     * clocks print a bare count, which is kept in its own unit).
     *
     * @return nanoseconds
     */
    long timestampNanos();

    /**
     * The CPU whose ring buffer recorded the event.
     *
     * @return the CPU number, -1 when not known
     */
    int cpu();

    /**
     * The recording task's pid ({@code common_pid}).
     *
     * @return the pid, 0 when not known
     */
    int pid();

    /**
     * The recording task's name as text traces show it. A ring-buffer record holds only the pid: a
     * trace-cmd {@code trace.dat} names it from the file's saved cmdlines as {@code trace-cmd report}
     * does ({@code <idle>} for pid 0, {@code <...>} for a pid the file does not name); a live ring
     * buffer read from tracefs leaves it empty.
     *
     * @return the task name, empty when not known
     */
    CharSequence task();

    /**
     * The vCPU id.
     *
     * @return the vCPU id, -1 when the event does not record one
     */
    int vcpu();

    /**
     * The isa under which an exit was recorded.
     *
     * @return VMX or SVM for exit events, UNKNOWN otherwise
     */
    KvmIsa isa();

    /**
     * The exit code as recorded: the full 32-bit VMX exit reason when {@link #isa()} is VMX, the
     * SVM exit code when SVM.
     *
     * @return the recorded exit code, 0 for events without one
     */
    long exitCode();

    /**
     * The VMX exit reason of an exit event.
     *
     * @return {@code ExitReason.of((int) exitCode())}
     * @throws IllegalStateException if {@link #isa()} is not VMX: an SVM exit code is no VMX exit
     *         reason, and reading it as one is the mistake this API exists to prevent
     */
    default ExitReason exitReason() {
        if (isa() != KvmIsa.VMX) {
            throw new IllegalStateException(type().tracepoint() + " event recorded under isa " + isa()
                    + " has no VMX exit reason (exit code 0x" + Long.toHexString(exitCode()) + ")");
        }
        return ExitReason.of((int) exitCode());
    }

    /**
     * {@code info1}: the exit qualification on VMX.
     *
     * @return info1, 0 when not recorded
     */
    long info1();

    /**
     * {@code info2}: on VMX, the IDT-vectoring information.
     *
     * @return info2, 0 when not recorded
     */
    long info2();

    /**
     * {@code requests} of {@code kvm_exit} (Linux 6.18 and later): the vCPU's pending KVM requests
     * bitmap at the exit.
     *
     * @return requests, 0 when not recorded
     */
    long requests();

    /**
     * {@code immediate_exit} of {@code kvm_entry} (Linux 6.x): KVM entered the guest only to exit
     * again at once (printed as {@code [immediate exit]}).
     *
     * @return whether it was set; false when not recorded
     */
    boolean isImmediateExit();

    /**
     * {@code intr_info}: the VM-exit interruption information on VMX.
     *
     * @return intr_info, 0 when not recorded
     */
    int intrInfo();

    /**
     * {@code error_code}: the VM-exit interruption error code on VMX; of a {@code kvm_page_fault},
     * its error code (after a VMX EPT violation the exit qualification, low 32 bits).
     *
     * @return error_code, 0 when not recorded
     */
    int errorCode();

    /**
     * The guest RIP ({@code guest_rip} of exits, {@code rip} of entries).
     *
     * @return the RIP, 0 when not recorded
     */
    long guestRip();

    /**
     * Whether a pio, msr or cr access writes (pio {@code rw}, msr {@code write}, cr {@code rw};
     * for mmio see {@link #mmioType()}).
     *
     * @return true for writes
     */
    boolean isWrite();

    /**
     * The I/O port of a {@code kvm_pio} event.
     *
     * @return the port, 0 otherwise
     */
    int port();

    /**
     * The access size in bytes: pio {@code size}, mmio {@code len}.
     *
     * @return the size, 0 otherwise
     */
    int size();

    /**
     * The repeat count of a string {@code kvm_pio}.
     *
     * @return the count, 0 otherwise
     */
    int count();

    /**
     * The {@code type} of a {@code kvm_mmio} event: 0 unsatisfied read, 1 read, 2 write
     * ({@code KVM_TRACE_MMIO_*} in {@code include/trace/events/kvm.h}).
     *
     * @return the mmio type, 0 otherwise
     */
    int mmioType();

    /**
     * The guest-physical address of a {@code kvm_mmio} event, or the faulting address
     * ({@code fault_address}) of a {@code kvm_page_fault} event (guest-physical for an EPT violation).
     *
     * @return the address, 0 otherwise
     */
    long gpa();

    /**
     * The MSR index ({@code ecx}) of a {@code kvm_msr} event.
     *
     * @return the MSR index, 0 otherwise
     */
    int msrIndex();

    /**
     * Whether a {@code kvm_msr} access raised an exception (#GP) in the guest.
     *
     * @return true if it did
     */
    boolean isMsrException();

    /**
     * The control register number of a {@code kvm_cr} event.
     *
     * @return 0, 3, 4, 8 ..., 0 otherwise
     */
    int crNumber();

    /**
     * The data: pio {@code val}, mmio {@code val}, msr {@code data}, cr {@code val}.
     *
     * @return the value, 0 otherwise
     */
    long value();

    /**
     * The {@code KVM_EXIT_*} reason of a {@code kvm_userspace_exit} event.
     *
     * @return the reason, 0 otherwise
     */
    int userspaceExitReason();

    /**
     * The {@code errno} of {@code kvm_userspace_exit} as the kernel records it (negative, e.g. -4
     * for -EINTR, which the text shows as {@code restart (4)}; 0 when KVM_RUN returned with an exit
     * reason), or the {@code err} of {@code kvm_nested_vmenter_failed} (the VM-instruction error
     * number, e.g. 7 for {@code VMENTRY_INVALID_CONTROL_FIELD}; 0 for a failed consistency check).
     *
     * @return the error number, 0 otherwise
     */
    int errno();

    /**
     * The message of a {@code kvm_nested_vmenter_failed} event (the failed check).
     *
     * @return the message, empty otherwise
     */
    CharSequence message();

    /**
     * An immutable copy that stays valid after the source advances.
     *
     * @return the copy
     */
    default KvmEventRecord toRecord() {
        return KvmEventRecord.copyOf(this);
    }
}
