package dev.vmx.hw.bochs;

import dev.vmx.hw.NativeUnavailableException;
import dev.vmx.vmcs.VmcsSnapshot;
import dev.vmx.vmcs.VmcsSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The VMCS of an L2 right after a VM exit, VMREAD field by field from Bochs' emulated VMX CPU: a
 * live VMCS read through a driver (the L1 hypervisor), with Bochs as the hardware. Registered with
 * {@link java.util.ServiceLoader} as {@code bochs}.
 *
 * <p>The discoverable instance runs {@link BochsGuest#baseline} with the two-byte program CPUID and
 * reads the VMCS after its exit; {@link #of(BochsRunner, BochsCase)} reads after the last exit of any
 * case. Each {@link #read()} boots Bochs again and runs the case (about half a second).
 */
public final class BochsVmcsSource implements VmcsSource {
    /** The source's name. */
    public static final String NAME = "bochs";

    private final BochsRunner runner;
    private final BochsCase bochsCase;

    /** The discoverable instance: the baseline guest's CPUID exit, on the default configuration. */
    public BochsVmcsSource() {
        this(null, null);
    }

    private BochsVmcsSource(BochsRunner runner, BochsCase bochsCase) {
        this.runner = runner;
        this.bochsCase = bochsCase;
    }

    /**
     * A source reading the VMCS after the last exit of a case.
     *
     * @param runner the runner
     * @param bochsCase the case
     * @return the source
     */
    public static BochsVmcsSource of(BochsRunner runner, BochsCase bochsCase) {
        return new BochsVmcsSource(Objects.requireNonNull(runner, "runner"), Objects.requireNonNull(bochsCase, "bochsCase"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<String> unavailableReason() {
        if (runner != null) {
            return Optional.empty();
        }
        try {
            BochsInstallation.locate();
            return Optional.empty();
        } catch (NativeUnavailableException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * Runs the case and VMREADs every catalog field after its last exit.
     *
     * @return the fields the emulated CPU has, with their values
     * @throws IllegalStateException when Bochs is missing, or the case did not exit
     */
    @Override
    public VmcsSnapshot read() {
        Optional<String> reason = unavailableReason();
        if (reason.isPresent()) {
            throw new IllegalStateException(NAME + " is unavailable: " + reason.get());
        }
        BochsRunner r = runner != null ? runner : BochsRunner.create();
        BochsCase c = bochsCase != null ? bochsCase
                : BochsGuest.baseline(r.capabilities(), "bochs VmcsSource: CPUID").pokeBytes(BochsGuest.CODE, new byte[] {0x0f, (byte) 0xa2})
                        .build();
        BochsCaseResult result = r.run(List.of(c), BochsRunner.allFields()).result(0);
        if (result.exits().isEmpty()) {
            throw new IllegalStateException(NAME + ": " + result + " made no VM exit, so there is no VMCS to read");
        }
        return result.exits().get(result.exits().size() - 1).vmcs();
    }
}
