package dev.vmx.qual;

import java.util.Optional;

/**
 * Exit qualification for VM-entry failure due to invalid guest state (exit reason 33; SDM Vol. 3C
 * "VM-Entry Failures During or After Loading Guest State"; Linux {@code enum vm_entry_failure_code}
 * {@code ENTRY_FAIL_*}): 0 and 1 not used (default), 2 PDPTE loading, 3 NMI injection while blocked
 * by STI, 4 invalid VMCS link pointer.
 */
public final class InvalidGuestStateQualification implements ExitQualification {
    /** The failure causes. */
    public enum Cause {
        /** 0: not used, no specific cause (Linux {@code ENTRY_FAIL_DEFAULT}). */
        DEFAULT(0, "no specific cause"),
        /** 2: a problem loading the PDPTEs. */
        PDPTE(2, "a problem loading the PDPTEs"),
        /** 3: an attempt to inject an NMI into a guest blocking events through STI. */
        NMI(3, "an attempt to inject an NMI into a guest that is blocking events through STI"),
        /** 4: an invalid VMCS link pointer. */
        VMCS_LINK_POINTER(4, "an invalid VMCS link pointer");

        private final int number;
        private final String description;

        Cause(int number, String description) {
            this.number = number;
            this.description = description;
        }

        /**
         * The qualification value.
         *
         * @return the number
         */
        public int number() {
            return number;
        }

        /**
         * The cause in words.
         *
         * @return the description
         */
        public String description() {
            return description;
        }
    }

    private final long raw;

    InvalidGuestStateQualification(long raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw qualification; every value is accepted.
     *
     * @param raw the exit qualification
     * @return the decoded view
     */
    public static InvalidGuestStateQualification of(long raw) {
        return new InvalidGuestStateQualification(raw);
    }

    @Override
    public long raw() {
        return raw;
    }

    /**
     * The cause.
     *
     * @return the cause; empty for values the SDM does not define (5 and up; 1 maps to DEFAULT
     *     since the SDM says "not used" for both 0 and 1)
     */
    public Optional<Cause> cause() {
        if (raw == 0 || raw == 1) {
            return Optional.of(Cause.DEFAULT);
        }
        for (Cause cause : Cause.values()) {
            if (cause.number == raw) {
                return Optional.of(cause);
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof InvalidGuestStateQualification && ((InvalidGuestStateQualification) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /** Reads like {@code VM entry failed: invalid guest state, an invalid VMCS link pointer}. */
    @Override
    public String toString() {
        Optional<Cause> cause = cause();
        return "VM entry failed: invalid guest state, "
                + (cause.isPresent() ? cause.get().description() : String.format("undefined qualification 0x%x", raw));
    }
}
