/** Runnable vmx tutorials. */
module dev.vmx.examples {
    requires dev.vmx.api;
    requires dev.vmx.hw;

    exports dev.vmx.examples;
}
