/**
 * Native VMX backends for Linux through JNA: KVM ioctls, tracefs, the MSR device.
 * Each backend that cannot work on the current machine says why in one exception.
 */
module dev.vmx.hw {
    requires transitive dev.vmx.api;
    // KvmVm.addMemory hands out JNA Pointers: callers need JNA readable too
    requires transitive com.sun.jna;

    exports dev.vmx.hw;
    exports dev.vmx.hw.bochs;
    exports dev.vmx.hw.kvm;
    exports dev.vmx.hw.msr;
    exports dev.vmx.hw.tracefs;

    uses dev.vmx.hw.NativeBackend;
    provides dev.vmx.hw.NativeBackend with dev.vmx.hw.internal.Backends.KvmGuest, dev.vmx.hw.internal.Backends.KvmNestedState,
            dev.vmx.hw.internal.Backends.KvmVmxFeatureMsrs, dev.vmx.hw.internal.Backends.TracefsStream,
            dev.vmx.hw.internal.Backends.MsrDeviceReader,
            dev.vmx.hw.internal.Backends.Bochs;
    provides dev.vmx.vmcs.VmcsSource with dev.vmx.hw.kvm.KvmNestedStateVmcsSource, dev.vmx.hw.bochs.BochsVmcsSource;

    // JNA reflects on the libc binding interface to build its proxy
    opens dev.vmx.hw.internal to com.sun.jna;
}
