package dev.vmx.examples;

import java.util.List;
import java.util.function.Consumer;

/**
 * The examples tour: runs every tutorial in order on the embedded backend (no hardware needed).
 *
 * <p>Run: {@code ./mvnw -q -pl examples exec:java}
 */
public final class Tour {
    /** One tutorial: its class, what it teaches, and its {@code main}. */
    public static final class Tutorial {
        private final Class<?> type;
        private final String teaches;
        private final Consumer<String[]> main;

        Tutorial(Class<?> type, String teaches, Consumer<String[]> main) {
            this.type = type;
            this.teaches = teaches;
            this.main = main;
        }

        /**
         * The tutorial's class.
         *
         * @return the class with the {@code main}
         */
        public Class<?> type() {
            return type;
        }

        /**
         * One line on what the tutorial teaches.
         *
         * @return the description
         */
        public String teaches() {
            return teaches;
        }

        /** Runs the tutorial's {@code main} with no arguments. */
        public void run() {
            main.accept(new String[0]);
        }
    }

    /** Every tutorial, in reading order. The test suite runs each one. */
    public static final List<Tutorial> TUTORIALS = List.of(
            new Tutorial(DecodeExitReason.class,
                    "decode exit reasons from logs; why is() prevents the MCE_DURING_VMENTRY bug",
                    DecodeExitReason::main),
            new Tutorial(ExplainExit.class,
                    "explain one kvm_exit trace line: qualification, interruption info, error code",
                    ExplainExit::main),
            new Tutorial(CheckControls.class,
                    "decode a real capability-MSR dump and check/adjust a proposed control value",
                    CheckControls::main),
            new Tutorial(ReadVmcs.class,
                    "build an EPT-violation VMCS, read it through the embedded source, diff the next exit",
                    ReadVmcs::main),
            new Tutorial(LiveExits.class,
                    "run a tiny guest under /dev/kvm; its KVM_RUN exits and its live tracefs events",
                    LiveExits::main),
            new Tutorial(ReadNestedVmcs.class,
                    "decode KVM's vmcs12 (the VMCS of a nested hypervisor) with the kernel's layout",
                    ReadNestedVmcs::main),
            new Tutorial(ExitStats.class,
                    "perf kvm stat from trace text: exit counts, shares and exit-to-entry times",
                    ExitStats::main),
            new Tutorial(ExplainEntryFailure.class,
                    "read the dump_vmcs() block of a failed VM entry: reason, qualification, guest state",
                    ExplainEntryFailure::main),
            new Tutorial(WhoHandlesThisExit.class,
                    "nested VMX: does an L2 exit go to L0 or to L1? bitmaps, masks and KVM's policy",
                    WhoHandlesThisExit::main),
            new Tutorial(WhyDidEntryFail.class,
                    "hardware error 0x80000021: run the SDM's VM-entry checks over the dumped VMCS",
                    WhyDidEntryFail::main),
            new Tutorial(VmxInBochs.class,
                    "run a guest on Bochs' emulated VMX CPU: its real exits, decoded, and its live VMCS",
                    VmxInBochs::main));

    private Tour() {
    }

    /**
     * Runs every tutorial.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        int number = 1;
        for (Tutorial tutorial : TUTORIALS) {
            System.out.println("=".repeat(78));
            System.out.println("Tutorial " + number++ + ": " + tutorial.type().getSimpleName() + " - " + tutorial.teaches());
            System.out.println("=".repeat(78));
            tutorial.run();
            System.out.println();
        }
    }
}
