package dev.vmx.exit;

import java.util.Optional;

/**
 * A basic exit reason: bits 15:0 of the VM-exit reason field.
 *
 * <p>One constant per number defined in Intel SDM Vol. 3D Appendix C ("VMX Basic Exit Reasons"),
 * plus the numbers newer Linux kernels know ({@link #SEAMCALL}, {@link #TDCALL},
 * {@link #MSR_READ_IMM}, {@link #MSR_WRITE_IMM}). Constant names are Linux's
 * {@code EXIT_REASON_*} names without the prefix where Linux has one, and names in the same style
 * where only the SDM defines the number. {@link #sdmName()} gives the SDM's wording.
 *
 * <p>A number with no definition maps to {@link #UNRECOGNIZED}. That constant has no number of its
 * own: keep the {@link ExitReason} (whose {@link ExitReason#basicNumber()} is always the real
 * number) rather than the enum when the number matters.
 *
 * <p>A {@code BasicExitReason} is not an exit reason: it carries no flags. Test an exit with
 * {@link ExitReason#is(BasicExitReason)}, which compares the basic reason only, so a failed
 * VM entry due to a machine-check event ({@code 0x80000029}) {@code is(MCE_DURING_VMENTRY)}.
 */
public enum BasicExitReason {
    /** 0: exception or non-maskable interrupt (NMI). */
    EXCEPTION_NMI(0, "Exception or non-maskable interrupt (NMI)", true),
    /** 1: external interrupt. */
    EXTERNAL_INTERRUPT(1, "External interrupt", true),
    /** 2: triple fault. */
    TRIPLE_FAULT(2, "Triple fault", true),
    /** 3: INIT signal. */
    INIT_SIGNAL(3, "INIT signal", true),
    /** 4: start-up IPI. */
    SIPI_SIGNAL(4, "Start-up IPI (SIPI)", true),
    /** 5: I/O system-management interrupt (SDM only; Linux has no name). */
    IO_SMI(5, "I/O system-management interrupt (SMI)", false),
    /** 6: other SMI (SDM only). */
    OTHER_SMI(6, "Other SMI", false),
    /** 7: interrupt window. */
    INTERRUPT_WINDOW(7, "Interrupt window", true),
    /** 8: NMI window. */
    NMI_WINDOW(8, "NMI window", true),
    /** 9: task switch. */
    TASK_SWITCH(9, "Task switch", true),
    /** 10: CPUID. */
    CPUID(10, "CPUID", true),
    /** 11: GETSEC (SDM only). */
    GETSEC(11, "GETSEC", false),
    /** 12: HLT. */
    HLT(12, "HLT", true),
    /** 13: INVD. */
    INVD(13, "INVD", true),
    /** 14: INVLPG. */
    INVLPG(14, "INVLPG", true),
    /** 15: RDPMC. */
    RDPMC(15, "RDPMC", true),
    /** 16: RDTSC. */
    RDTSC(16, "RDTSC", true),
    /** 17: RSM in SMM (SDM only). */
    RSM(17, "RSM", false),
    /** 18: VMCALL. */
    VMCALL(18, "VMCALL", true),
    /** 19: VMCLEAR. */
    VMCLEAR(19, "VMCLEAR", true),
    /** 20: VMLAUNCH. */
    VMLAUNCH(20, "VMLAUNCH", true),
    /** 21: VMPTRLD. */
    VMPTRLD(21, "VMPTRLD", true),
    /** 22: VMPTRST. */
    VMPTRST(22, "VMPTRST", true),
    /** 23: VMREAD. */
    VMREAD(23, "VMREAD", true),
    /** 24: VMRESUME. */
    VMRESUME(24, "VMRESUME", true),
    /** 25: VMWRITE. */
    VMWRITE(25, "VMWRITE", true),
    /** 26: VMXOFF (Linux: {@code EXIT_REASON_VMOFF}). */
    VMOFF(26, "VMXOFF", true),
    /** 27: VMXON (Linux: {@code EXIT_REASON_VMON}). */
    VMON(27, "VMXON", true),
    /** 28: control-register accesses (MOV CR, CLTS, LMSW). */
    CR_ACCESS(28, "Control-register accesses", true),
    /** 29: MOV DR. */
    DR_ACCESS(29, "MOV DR", true),
    /** 30: I/O instruction. */
    IO_INSTRUCTION(30, "I/O instruction", true),
    /** 31: RDMSR. */
    MSR_READ(31, "RDMSR", true),
    /** 32: WRMSR. */
    MSR_WRITE(32, "WRMSR", true),
    /** 33: VM-entry failure due to invalid guest state. */
    INVALID_STATE(33, "VM-entry failure due to invalid guest state", true),
    /** 34: VM-entry failure due to MSR loading. */
    MSR_LOAD_FAIL(34, "VM-entry failure due to MSR loading", true),
    /** 36: MWAIT. */
    MWAIT_INSTRUCTION(36, "MWAIT", true),
    /** 37: monitor trap flag. */
    MONITOR_TRAP_FLAG(37, "Monitor trap flag", true),
    /** 39: MONITOR. */
    MONITOR_INSTRUCTION(39, "MONITOR", true),
    /** 40: PAUSE. */
    PAUSE_INSTRUCTION(40, "PAUSE", true),
    /** 41: VM-entry failure due to machine-check event. */
    MCE_DURING_VMENTRY(41, "VM-entry failure due to machine-check event", true),
    /** 43: TPR below threshold. */
    TPR_BELOW_THRESHOLD(43, "TPR below threshold", true),
    /** 44: APIC access. */
    APIC_ACCESS(44, "APIC access", true),
    /** 45: virtualized EOI. */
    EOI_INDUCED(45, "Virtualized EOI", true),
    /** 46: access to GDTR or IDTR. */
    GDTR_IDTR(46, "Access to GDTR or IDTR", true),
    /** 47: access to LDTR or TR. */
    LDTR_TR(47, "Access to LDTR or TR", true),
    /** 48: EPT violation. */
    EPT_VIOLATION(48, "EPT violation", true),
    /** 49: EPT misconfiguration. */
    EPT_MISCONFIG(49, "EPT misconfiguration", true),
    /** 50: INVEPT. */
    INVEPT(50, "INVEPT", true),
    /** 51: RDTSCP. */
    RDTSCP(51, "RDTSCP", true),
    /** 52: VMX-preemption timer expired. */
    PREEMPTION_TIMER(52, "VMX-preemption timer expired", true),
    /** 53: INVVPID. */
    INVVPID(53, "INVVPID", true),
    /** 54: WBINVD or WBNOINVD. */
    WBINVD(54, "WBINVD or WBNOINVD", true),
    /** 55: XSETBV. */
    XSETBV(55, "XSETBV", true),
    /** 56: APIC write. */
    APIC_WRITE(56, "APIC write", true),
    /** 57: RDRAND. */
    RDRAND(57, "RDRAND", true),
    /** 58: INVPCID. */
    INVPCID(58, "INVPCID", true),
    /** 59: VMFUNC. */
    VMFUNC(59, "VMFUNC", true),
    /** 60: ENCLS. */
    ENCLS(60, "ENCLS", true),
    /** 61: RDSEED. */
    RDSEED(61, "RDSEED", true),
    /** 62: page-modification log full. */
    PML_FULL(62, "Page-modification log full", true),
    /** 63: XSAVES. */
    XSAVES(63, "XSAVES", true),
    /** 64: XRSTORS. */
    XRSTORS(64, "XRSTORS", true),
    /** 65: PCONFIG (SDM only). */
    PCONFIG(65, "PCONFIG", false),
    /** 66: SPP-related event (SDM only). */
    SPP_EVENT(66, "SPP-related event", false),
    /** 67: UMWAIT. */
    UMWAIT(67, "UMWAIT", true),
    /** 68: TPAUSE. */
    TPAUSE(68, "TPAUSE", true),
    /** 69: LOADIWKEY (SDM only). */
    LOADIWKEY(69, "LOADIWKEY", false),
    /** 70: ENCLV (SDM only). */
    ENCLV(70, "ENCLV", false),
    /** 72: ENQCMD PASID translation failure (SDM only). */
    ENQCMD_PASID_FAIL(72, "ENQCMD PASID translation failure", false),
    /** 73: ENQCMDS PASID translation failure (SDM only). */
    ENQCMDS_PASID_FAIL(73, "ENQCMDS PASID translation failure", false),
    /** 74: bus lock. */
    BUS_LOCK(74, "Bus lock", true),
    /** 75: instruction timeout (Linux: {@code EXIT_REASON_NOTIFY}, the "notify VM exit"). */
    NOTIFY(75, "Instruction timeout", true),
    /** 76: SEAMCALL. */
    SEAMCALL(76, "SEAMCALL", true),
    /** 77: TDCALL. */
    TDCALL(77, "TDCALL", true),
    /** 78: RDMSRLIST (SDM only). */
    RDMSRLIST(78, "RDMSRLIST", false),
    /** 79: WRMSRLIST (SDM only). */
    WRMSRLIST(79, "WRMSRLIST", false),
    /** 84: RDMSR with an immediate MSR index (Linux 6.17+). */
    MSR_READ_IMM(84, "RDMSR (immediate form)", true),
    /** 85: WRMSRNS with an immediate MSR index (Linux 6.17+). */
    MSR_WRITE_IMM(85, "WRMSRNS (immediate form)", true),
    /**
     * A basic number with no definition known to this library. The real number is kept by
     * {@link ExitReason#basicNumber()}; {@link #number()} of this constant is -1.
     */
    UNRECOGNIZED(-1, "Unrecognized basic exit reason", false);

    /** The largest number with a definition; array tables are sized from it. */
    static final int MAX_DEFINED_NUMBER = 85;

    private static final BasicExitReason[] BY_NUMBER = new BasicExitReason[MAX_DEFINED_NUMBER + 1];

    static {
        java.util.Arrays.fill(BY_NUMBER, UNRECOGNIZED);
        for (BasicExitReason reason : values()) {
            if (reason != UNRECOGNIZED) {
                if (BY_NUMBER[reason.number] != UNRECOGNIZED) {
                    throw new AssertionError("duplicate basic exit reason number " + reason.number);
                }
                BY_NUMBER[reason.number] = reason;
            }
        }
    }

    private final int number;
    private final String sdmName;
    private final boolean namedByLinux;

    BasicExitReason(int number, String sdmName, boolean namedByLinux) {
        this.number = number;
        this.sdmName = sdmName;
        this.namedByLinux = namedByLinux;
    }

    /**
     * The basic exit reason number (bits 15:0 of the exit-reason field), or -1 for
     * {@link #UNRECOGNIZED}.
     *
     * @return the SDM number
     */
    public int number() {
        return number;
    }

    /**
     * The SDM's name for this reason, from Vol. 3D Appendix C, e.g. "EPT violation".
     *
     * @return the SDM wording
     */
    public String sdmName() {
        return sdmName;
    }

    /**
     * Linux's macro name, e.g. {@code EXIT_REASON_EPT_VIOLATION}, if Linux defines one.
     *
     * @return the Linux {@code EXIT_REASON_*} name, or empty where only the SDM names the number
     */
    public Optional<String> linuxName() {
        return namedByLinux ? Optional.of("EXIT_REASON_" + name()) : Optional.empty();
    }

    /**
     * The constant for a basic number. Never throws: a negative number, a number above 65535 or
     * a number with no definition gives {@link #UNRECOGNIZED}.
     *
     * @param number a basic exit reason number
     * @return the constant, or {@link #UNRECOGNIZED}
     */
    public static BasicExitReason fromNumber(int number) {
        return number >= 0 && number <= MAX_DEFINED_NUMBER ? BY_NUMBER[number] : UNRECOGNIZED;
    }
}
