package dev.vmx.cap;

import java.util.Optional;

/** One bit of a VMX control field, so code can treat every control enum alike. */
public interface ControlBit {
    /**
     * Bit position inside the control field.
     *
     * @return 0..63
     */
    int bit();

    /**
     * The bit as a mask.
     *
     * @return {@code 1L << bit()}
     */
    default long mask() {
        return 1L << bit();
    }

    /**
     * The SDM name (as transcribed by ia32-doc), if the SDM names this bit.
     *
     * @return the SDM name
     */
    Optional<String> sdmName();

    /**
     * Linux's macro name (e.g. {@code CPU_BASED_HLT_EXITING}), if Linux defines one.
     *
     * @return the Linux macro name
     */
    Optional<String> linuxName();

    /**
     * The control field this bit belongs to.
     *
     * @return the field
     */
    ControlField field();
}
