package dev.vmx.cap;

import java.util.Optional;

/**
 * Single-bit capabilities in IA32_VMX_EPT_VPID_CAP (MSR 0x48c, SDM Vol. 3D A.10). Names from ia32-doc
 * {@code ArchitecturalMsr.yml} (PAGE_WALK_LENGTH_5 named after Linux's VMX_EPT_PAGE_WALK_5_BIT), Linux 6.1 names
 * from {@code arch/x86/include/asm/vmx.h}.
 */
public enum EptVpidCapabilityBit {
    /** Bit 0, Linux VMX_EPT_EXECUTE_ONLY_BIT. */
    EXECUTE_ONLY_PAGES(0, Optional.of("VMX_EPT_EXECUTE_ONLY_BIT")),
    /** Bit 6, Linux VMX_EPT_PAGE_WALK_4_BIT. */
    PAGE_WALK_LENGTH_4(6, Optional.of("VMX_EPT_PAGE_WALK_4_BIT")),
    /** Bit 7, Linux VMX_EPT_PAGE_WALK_5_BIT. */
    PAGE_WALK_LENGTH_5(7, Optional.of("VMX_EPT_PAGE_WALK_5_BIT")),
    /** Bit 8, Linux VMX_EPTP_UC_BIT. */
    MEMORY_TYPE_UNCACHEABLE(8, Optional.of("VMX_EPTP_UC_BIT")),
    /** Bit 14, Linux VMX_EPTP_WB_BIT. */
    MEMORY_TYPE_WRITE_BACK(14, Optional.of("VMX_EPTP_WB_BIT")),
    /** Bit 16, Linux VMX_EPT_2MB_PAGE_BIT. */
    PDE_2MB_PAGES(16, Optional.of("VMX_EPT_2MB_PAGE_BIT")),
    /** Bit 17, Linux VMX_EPT_1GB_PAGE_BIT. */
    PDPTE_1GB_PAGES(17, Optional.of("VMX_EPT_1GB_PAGE_BIT")),
    /** Bit 20, Linux VMX_EPT_INVEPT_BIT. */
    INVEPT(20, Optional.of("VMX_EPT_INVEPT_BIT")),
    /** Bit 21, Linux VMX_EPT_AD_BIT. */
    EPT_ACCESSED_AND_DIRTY_FLAGS(21, Optional.of("VMX_EPT_AD_BIT")),
    /** Bit 22. */
    ADVANCED_VMEXIT_EPT_VIOLATIONS_INFORMATION(22, Optional.empty()),
    /** Bit 23. */
    SUPERVISOR_SHADOW_STACK(23, Optional.empty()),
    /** Bit 25, Linux VMX_EPT_EXTENT_CONTEXT_BIT. */
    INVEPT_SINGLE_CONTEXT(25, Optional.of("VMX_EPT_EXTENT_CONTEXT_BIT")),
    /** Bit 26, Linux VMX_EPT_EXTENT_GLOBAL_BIT. */
    INVEPT_ALL_CONTEXTS(26, Optional.of("VMX_EPT_EXTENT_GLOBAL_BIT")),
    /** Bit 32, Linux VMX_VPID_INVVPID_BIT (Linux shifts VPID bits down by 32). */
    INVVPID(32, Optional.of("VMX_VPID_INVVPID_BIT")),
    /** Bit 40, Linux VMX_VPID_EXTENT_INDIVIDUAL_ADDR_BIT (Linux shifts VPID bits down by 32). */
    INVVPID_INDIVIDUAL_ADDRESS(40, Optional.of("VMX_VPID_EXTENT_INDIVIDUAL_ADDR_BIT")),
    /** Bit 41, Linux VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT (Linux shifts VPID bits down by 32). */
    INVVPID_SINGLE_CONTEXT(41, Optional.of("VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT")),
    /** Bit 42, Linux VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT (Linux shifts VPID bits down by 32). */
    INVVPID_ALL_CONTEXTS(42, Optional.of("VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT")),
    /** Bit 43, Linux VMX_VPID_EXTENT_SINGLE_NON_GLOBAL_BIT (Linux shifts VPID bits down by 32). */
    INVVPID_SINGLE_CONTEXT_RETAIN_GLOBALS(43, Optional.of("VMX_VPID_EXTENT_SINGLE_NON_GLOBAL_BIT"));

    private final int bit;
    private final Optional<String> linuxName;

    EptVpidCapabilityBit(int bit, Optional<String> linuxName) {
        this.bit = bit;
        this.linuxName = linuxName;
    }

    /**
     * Bit position in the MSR.
     *
     * @return 0..63
     */
    public int bit() {
        return bit;
    }

    /**
     * The bit as a mask.
     *
     * @return {@code 1L << bit()}
     */
    public long mask() {
        return 1L << bit;
    }

    /**
     * Linux's macro name; for VPID bits Linux's mask is relative to bit 32.
     *
     * @return the macro name, if any
     */
    public Optional<String> linuxName() {
        return linuxName;
    }
}
