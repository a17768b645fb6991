package dev.vmx.qual;

/**
 * Exit qualification for EPT violations (SDM Vol. 3C Table "Exit Qualification for EPT
 * Violations"; Linux {@code EPT_VIOLATION_*}; ia32-doc {@code EXIT_QUALIFICATION_EPT_VIOLATION}).
 *
 * <pre>
 *  0  data read              3  entry readable (AND of bit 0 of the EPT entries)
 *  1  data write             4  entry writable
 *  2  instruction fetch      5  entry executable (supervisor-mode under MBEC)
 *                            6  entry user-mode executable (MBEC)
 *  7  guest linear address valid
 *  8  access to the translated address (1) or to a guest paging-structure entry (0); if bit 7
 *  9  user-mode linear address       (advanced VM-exit information for EPT violations,
 * 10  read/write page (0: read-only)   defined only when bits 7 and 8 are set)
 * 11  execute-disable page
 * 12  NMI unblocking due to IRET
 * 13  shadow-stack access             14  supervisor shadow-stack page (EPT bit 60)
 * 15  guest-paging verification       16  asynchronous to instruction execution
 * 63:17 reserved
 * </pre>
 *
 * <p>A final class wrapping the long; each accessor has a static twin on the raw value for
 * allocation-free hot paths.
 */
public final class EptViolationQualification implements ExitQualification {
    /** Bit 0. */ public static final long DATA_READ = 1L;
    /** Bit 1. */ public static final long DATA_WRITE = 1L << 1;
    /** Bit 2. */ public static final long INSTRUCTION_FETCH = 1L << 2;
    /** Bit 3. */ public static final long ENTRY_READABLE = 1L << 3;
    /** Bit 4. */ public static final long ENTRY_WRITABLE = 1L << 4;
    /** Bit 5. */ public static final long ENTRY_EXECUTABLE = 1L << 5;
    /** Bit 6. */ public static final long ENTRY_USER_EXECUTABLE = 1L << 6;
    /** Bit 7. */ public static final long GUEST_LINEAR_ADDRESS_VALID = 1L << 7;
    /** Bit 8. */ public static final long TRANSLATED_ACCESS = 1L << 8;
    /** Bit 9. */ public static final long USER_MODE_LINEAR_ADDRESS = 1L << 9;
    /** Bit 10. */ public static final long READ_WRITE_PAGE = 1L << 10;
    /** Bit 11. */ public static final long EXECUTE_DISABLE_PAGE = 1L << 11;
    /** Bit 12. */ public static final long NMI_UNBLOCKING = 1L << 12;
    /** Bit 13. */ public static final long SHADOW_STACK_ACCESS = 1L << 13;
    /** Bit 14. */ public static final long SUPERVISOR_SHADOW_STACK = 1L << 14;
    /** Bit 15. */ public static final long GUEST_PAGING_VERIFICATION = 1L << 15;
    /** Bit 16. */ public static final long ASYNCHRONOUS = 1L << 16;
    /** Bits 2:0, the access. */ public static final long ACCESS_MASK = 7L;
    /** Bits 5:3, the EPT entry's read/write/execute permissions. */ public static final long ENTRY_RWX_MASK = 7L << 3;
    /**
     * Bits 11:9, the guest-paging information (user/supervisor, read/write, execute-disable): defined
     * only when bits 7 and 8 are set and the processor reports advanced VM-exit information for EPT
     * violations (IA32_VMX_EPT_VPID_CAP bit 22).
     */
    public static final long GUEST_PAGING_INFO_MASK = 7L << 9;
    /** Bits 63:17, reserved. */ public static final long RESERVED_MASK = -1L << 17;

    private final long raw;

    EptViolationQualification(long raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw qualification; every value is accepted.
     *
     * @param raw the exit qualification
     * @return the decoded view
     */
    public static EptViolationQualification of(long raw) {
        return new EptViolationQualification(raw);
    }

    @Override
    public long raw() {
        return raw;
    }

    /**
     * Reads bit 0 of a raw qualification without creating an object.
     *
     * @param raw the exit qualification
     * @return bit 0
     */
    public static boolean isRead(long raw) {
        return (raw & DATA_READ) != 0;
    }

    /**
     * Reads bit 1 of a raw qualification without creating an object.
     *
     * @param raw the exit qualification
     * @return bit 1
     */
    public static boolean isWrite(long raw) {
        return (raw & DATA_WRITE) != 0;
    }

    /**
     * Reads bit 2 of a raw qualification without creating an object.
     *
     * @param raw the exit qualification
     * @return bit 2
     */
    public static boolean isInstructionFetch(long raw) {
        return (raw & INSTRUCTION_FETCH) != 0;
    }

    /**
     * Reads bit 3 of a raw qualification without creating an object.
     *
     * @param raw the exit qualification
     * @return bit 3
     */
    public static boolean isEntryReadable(long raw) {
        return (raw & ENTRY_READABLE) != 0;
    }

    /**
     * Reads bit 4 of a raw qualification without creating an object.
     *
     * @param raw the exit qualification
     * @return bit 4
     */
    public static boolean isEntryWritable(long raw) {
        return (raw & ENTRY_WRITABLE) != 0;
    }

    /**
     * Reads bit 5 of a raw qualification without creating an object.
     *
     * @param raw the exit qualification
     * @return bit 5
     */
    public static boolean isEntryExecutable(long raw) {
        return (raw & ENTRY_EXECUTABLE) != 0;
    }

    /**
     * Reads bits 5 of a raw qualification without creating an object.
     *
     * @param raw the exit qualification
     * @return bits 5:3 all clear: the guest-physical address was not mapped
     */
    public static boolean isEntryNotPresent(long raw) {
        return (raw & ENTRY_RWX_MASK) == 0;
    }

    /**
     * Reads bit 7 of a raw qualification without creating an object.
     *
     * @param raw the exit qualification
     * @return bit 7
     */
    public static boolean isGuestLinearAddressValid(long raw) {
        return (raw & GUEST_LINEAR_ADDRESS_VALID) != 0;
    }

    /**
     * Reads bits 7 and 8 of a raw qualification without creating an object.
     *
     * @param raw the exit qualification
     * @return bits 7 and 8: the access was to the translated address
     */
    public static boolean isTranslatedAccess(long raw) {
        return (raw & (GUEST_LINEAR_ADDRESS_VALID | TRANSLATED_ACCESS)) == (GUEST_LINEAR_ADDRESS_VALID | TRANSLATED_ACCESS);
    }

    /**
     * Reads bit 7 set, bit 8 clear of a raw qualification without creating an object.
     *
     * @param raw the exit qualification
     * @return bit 7 set, bit 8 clear: the access was to a guest paging-structure entry
     */
    public static boolean isPagingStructureAccess(long raw) {
        return (raw & (GUEST_LINEAR_ADDRESS_VALID | TRANSLATED_ACCESS)) == GUEST_LINEAR_ADDRESS_VALID;
    }

    /**
     * Reads bit 12 of a raw qualification without creating an object.
     *
     * @param raw the exit qualification
     * @return bit 12
     */
    public static boolean isNmiUnblockingDueToIret(long raw) {
        return (raw & NMI_UNBLOCKING) != 0;
    }

    /**
     * Reads bit 0.
     *
     * @return bit 0: the access was a data read
     */
    public boolean isRead() {
        return isRead(raw);
    }

    /**
     * Reads bit 1.
     *
     * @return bit 1: the access was a data write
     */
    public boolean isWrite() {
        return isWrite(raw);
    }

    /**
     * Reads bit 2.
     *
     * @return bit 2: the access was an instruction fetch
     */
    public boolean isInstructionFetch() {
        return isInstructionFetch(raw);
    }

    /**
     * Reads bit 3.
     *
     * @return bit 3: the guest-physical address was readable in EPT
     */
    public boolean isEntryReadable() {
        return isEntryReadable(raw);
    }

    /**
     * Reads bit 4.
     *
     * @return bit 4: the guest-physical address was writable in EPT
     */
    public boolean isEntryWritable() {
        return isEntryWritable(raw);
    }

    /**
     * Reads bit 5.
     *
     * @return bit 5: executable (supervisor-mode executable under mode-based execute control)
     */
    public boolean isEntryExecutable() {
        return isEntryExecutable(raw);
    }

    /**
     * Reads bit 6.
     *
     * @return bit 6: user-mode executable under mode-based execute control (else undefined)
     */
    public boolean isEntryUserExecutable() {
        return (raw & ENTRY_USER_EXECUTABLE) != 0;
    }

    /**
     * Reads bits 5.
     *
     * @return bits 5:3 all clear: the guest-physical address was not present in EPT
     */
    public boolean isEntryNotPresent() {
        return isEntryNotPresent(raw);
    }

    /**
     * Reads bit 7.
     *
     * @return bit 7: the guest linear-address field is valid
     */
    public boolean isGuestLinearAddressValid() {
        return isGuestLinearAddressValid(raw);
    }

    /**
     * Reads bits 7 and 8.
     *
     * @return bits 7 and 8: the access was to the guest-physical translation of the linear address
     */
    public boolean isTranslatedAccess() {
        return isTranslatedAccess(raw);
    }

    /**
     * Reads bit 7 set, bit 8 clear.
     *
     * @return bit 7 set, bit 8 clear: the access was to a guest paging-structure entry (page walk)
     */
    public boolean isPagingStructureAccess() {
        return isPagingStructureAccess(raw);
    }

    /**
     * Reads bit 9.
     *
     * @return bit 9: user-mode linear address (1) or supervisor-mode (0); defined only for an access to
     *     the translated address ({@link #isTranslatedAccess()}) on processors with advanced VM-exit
     *     information for EPT violations
     */
    public boolean isUserModeLinearAddress() {
        return (raw & USER_MODE_LINEAR_ADDRESS) != 0;
    }

    /**
     * Reads bit 10.
     *
     * @return bit 10: paging mapped the linear address read/write (0: read-only); defined as bit 9 is
     */
    public boolean isReadWritePage() {
        return (raw & READ_WRITE_PAGE) != 0;
    }

    /**
     * Reads bit 11.
     *
     * @return bit 11: paging mapped the linear address execute-disable; defined as bit 9 is
     */
    public boolean isExecuteDisablePage() {
        return (raw & EXECUTE_DISABLE_PAGE) != 0;
    }

    /**
     * Reads bit 12.
     *
     * @return bit 12: NMI unblocking due to IRET
     */
    public boolean isNmiUnblockingDueToIret() {
        return isNmiUnblockingDueToIret(raw);
    }

    /**
     * Reads bit 13.
     *
     * @return bit 13: shadow-stack access
     */
    public boolean isShadowStackAccess() {
        return (raw & SHADOW_STACK_ACCESS) != 0;
    }

    /**
     * Reads bit 14.
     *
     * @return bit 14: supervisor shadow-stack page (EPT entry bit 60)
     */
    public boolean isSupervisorShadowStack() {
        return (raw & SUPERVISOR_SHADOW_STACK) != 0;
    }

    /**
     * Reads bit 15.
     *
     * @return bit 15: caused by guest-paging verification
     */
    public boolean isGuestPagingVerification() {
        return (raw & GUEST_PAGING_VERIFICATION) != 0;
    }

    /**
     * Reads bit 16.
     *
     * @return bit 16: the access was asynchronous to instruction execution
     */
    public boolean isAsynchronous() {
        return (raw & ASYNCHRONOUS) != 0;
    }

    /**
     * Reads bits 63.
     *
     * @return bits 63:17 in place
     */
    public long reservedBits() {
        return raw & RESERVED_MASK;
    }

    /**
     * The access in words.
     *
     * @return for example {@code "write"}, {@code "read/write"}, {@code "no access bits"}
     */
    public String access() {
        StringBuilder text = new StringBuilder();
        if (isRead()) {
            text.append("read");
        }
        if (isWrite()) {
            text.append(text.length() > 0 ? "/" : "").append("write");
        }
        if (isInstructionFetch()) {
            text.append(text.length() > 0 ? "/" : "").append("instruction fetch");
        }
        return text.length() == 0 ? "no access bits" : text.toString();
    }

    /**
     * What EPT allowed, in words.
     *
     * @return {@code "not present"} or for example {@code "read-only"}, {@code "r-x"}
     */
    public String entryPermissions() {
        if (isEntryNotPresent()) {
            return "not present";
        }
        if (isEntryReadable() && !isEntryWritable() && !isEntryExecutable()) {
            return "read-only";
        }
        return (isEntryReadable() ? "r" : "-") + (isEntryWritable() ? "w" : "-") + (isEntryExecutable() ? "x" : "-");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EptViolationQualification && ((EptViolationQualification) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /**
     * Reads like {@code EPT violation: write to a page mapped read-only in EPT, guest linear address
     * valid, access to the translated address (0x18a)}.
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("EPT violation: ").append(access());
        // "write to a page", "read from a page", "read/write of a page"
        long access = raw & ACCESS_MASK;
        String preposition = access == DATA_WRITE ? " to" : Long.bitCount(access) == 1 ? " from" : " of";
        text.append(preposition).append(isEntryNotPresent() ? " a page not present in EPT"
                : " a page mapped " + entryPermissions() + " in EPT");
        if (isGuestLinearAddressValid()) {
            text.append(", guest linear address valid");
            text.append(isTranslatedAccess() ? ", access to the translated address" : ", access to a guest paging-structure entry");
        }
        // Bits 11:9 describe the guest's own paging of the address, and only for an access to the
        // translated address (bits 7 and 8 set); elsewhere the SDM leaves them undefined.
        if (isTranslatedAccess()) {
            if (isUserModeLinearAddress()) {
                text.append(", user-mode address");
            }
            if (isReadWritePage()) {
                text.append(", guest page writable");
            }
            if (isExecuteDisablePage()) {
                text.append(", guest page execute-disable");
            }
        } else if ((raw & GUEST_PAGING_INFO_MASK) != 0) {
            text.append(String.format(", undefined bits 11:9 0x%x", (raw & GUEST_PAGING_INFO_MASK) >>> 9));
        }
        if (isNmiUnblockingDueToIret()) {
            text.append(", NMI unblocking due to IRET");
        }
        if (isShadowStackAccess()) {
            text.append(", shadow-stack access");
        }
        if (isSupervisorShadowStack()) {
            text.append(", supervisor shadow-stack page");
        }
        if (isGuestPagingVerification()) {
            text.append(", guest-paging verification");
        }
        if (isAsynchronous()) {
            text.append(", asynchronous to instruction execution");
        }
        if (reservedBits() != 0) {
            text.append(String.format(", reserved bits 0x%x", reservedBits()));
        }
        return text.append(String.format(" (0x%x)", raw)).toString();
    }
}
