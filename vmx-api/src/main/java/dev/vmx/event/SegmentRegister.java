package dev.vmx.event;

import java.util.Optional;

/**
 * A segment register as encoded in bits 17:15 of VM-exit instruction information (0 = ES, 1 = CS,
 * 2 = SS, 3 = DS, 4 = FS, 5 = GS; 6 and 7 are not used).
 */
public enum SegmentRegister {
    /** 0. */ ES,
    /** 1. */ CS,
    /** 2. */ SS,
    /** 3. */ DS,
    /** 4. */ FS,
    /** 5. */ GS;

    private static final SegmentRegister[] BY_NUMBER = values();

    /**
     * The segment register with this number.
     *
     * @param number the 3-bit field
     * @return the register, or empty for 6, 7 and anything outside 0..5
     */
    public static Optional<SegmentRegister> fromNumber(int number) {
        return number >= 0 && number < BY_NUMBER.length ? Optional.of(BY_NUMBER[number]) : Optional.empty();
    }

    /**
     * The register's number.
     *
     * @return 0..5
     */
    public int number() {
        return ordinal();
    }
}
