/**
 * The VMX model: exit reasons, VMCS fields, qualifications, event information, capability MSRs,
 * the {@code VmcsSource} SPI and its embedded in-memory backend. No run-time dependencies.
 */
module dev.vmx.api {
    // Immutables generates plain Java; its annotations are needed to compile, not to run
    requires static org.immutables.value.annotations;

    exports dev.vmx;
    exports dev.vmx.cap;
    exports dev.vmx.event;
    exports dev.vmx.exit;
    exports dev.vmx.nested;
    exports dev.vmx.dump;
    exports dev.vmx.entry;
    exports dev.vmx.explain;
    exports dev.vmx.qual;
    exports dev.vmx.trace;
    exports dev.vmx.vmcs;

    uses dev.vmx.vmcs.VmcsSource;
    uses dev.vmx.trace.BinaryKvmTraceFormat;
    provides dev.vmx.vmcs.VmcsSource with dev.vmx.vmcs.InMemoryVmcsSource;
}
