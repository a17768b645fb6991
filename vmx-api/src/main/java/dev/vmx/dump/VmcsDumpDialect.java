package dev.vmx.dump;

/**
 * Which program printed a dump block. They share the layout Linux's {@code dump_vmcs()} took from
 * Xen's {@code vmcs_dump_vcpu()} ({@code *** Guest State ***}, {@code CR0: actual=...}), so one
 * parser reads both into the same {@link VmcsDump} model; the dialect says whose labels to expect.
 */
public enum VmcsDumpDialect {
    /** Linux KVM's {@code dump_vmcs()} ({@code arch/x86/kvm/vmx/vmx.c}). */
    LINUX_KVM,
    /** Xen's {@code vmcs_dump_vcpu()} ({@code xen/arch/x86/hvm/vmx/vmcs.c}), lines prefixed {@code (XEN)}. */
    XEN,
    /**
     * Intel HAXM's field dump ({@code dump_vmcs()} in intel/haxm {@code core/dump.c}, which walks
     * its {@code dump_vmcs_list} of encodings and prints each with {@code vmread_dump()}): one line
     * per field, {@code haxm_warning: 4002 VMX_PRIMARY_PROCESSOR_CONTROLS: 960061fa}, the field's
     * encoding, HAXM's name for it and the value in hex without a fixed width (as the posted logs
     * of intel/haxm#193 and #306 show). Fields are identified by
     * the encoding; the names are kept as printed.
     */
    HAXM,
    /**
     * Text that looks like a VMCS dump (section headers, {@code name=value} lines) but carries
     * labels neither Linux nor Xen prints: its values are kept in {@link VmcsDump#fields()} and
     * each unknown label is a reported problem.
     */
    UNKNOWN
}
