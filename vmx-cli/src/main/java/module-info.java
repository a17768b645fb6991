/**
 * The {@code vmx} command line. It runs from the shaded jar on the class path; this descriptor keeps
 * the module graph checked by javac and opens the commands to picocli's reflection.
 */
module dev.vmx.cli {
    requires dev.vmx.api;
    requires dev.vmx.hw;
    requires info.picocli;

    // Inputs asks the binary trace readers (vmx-hw's trace.dat) whether stdin or a pipe holds one
    uses dev.vmx.trace.BinaryKvmTraceFormat;

    opens dev.vmx.cli to info.picocli;
}
