package dev.vmx.exit;

import java.util.Optional;

/**
 * A basic exit reason: bits 15:0 of the VM-exit reason field.
 *
 * <p>One constant per number defined in Intel SDM Vol. 3D Appendix C ("VMX Basic Exit Reasons"),
 * plus the numbers newer Linux kernels know ({@link #SEAMCALL}, {@link #TDCALL},
 * {@link #MSR_READ_IMM}, {@link #MSR_WRITE_IMM}) and the USER_MSR instructions ({@link #URDMSR} 80,
 * {@link #UWRMSR} 81), which Linux does not name. 82 and 83 are reserved. Constant names are Linux's
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
    EXCEPTION_NMI(Numbers.EXCEPTION_NMI, "Exception or non-maskable interrupt (NMI)", true),
    /** 1: external interrupt. */
    EXTERNAL_INTERRUPT(Numbers.EXTERNAL_INTERRUPT, "External interrupt", true),
    /** 2: triple fault. */
    TRIPLE_FAULT(Numbers.TRIPLE_FAULT, "Triple fault", true),
    /** 3: INIT signal. */
    INIT_SIGNAL(Numbers.INIT_SIGNAL, "INIT signal", true),
    /** 4: start-up IPI. */
    SIPI_SIGNAL(Numbers.SIPI_SIGNAL, "Start-up IPI (SIPI)", true),
    /** 5: I/O system-management interrupt (SDM only; Linux has no name). */
    IO_SMI(Numbers.IO_SMI, "I/O system-management interrupt (SMI)", false),
    /** 6: other SMI (SDM only). */
    OTHER_SMI(Numbers.OTHER_SMI, "Other SMI", false),
    /** 7: interrupt window. */
    INTERRUPT_WINDOW(Numbers.INTERRUPT_WINDOW, "Interrupt window", true),
    /** 8: NMI window. */
    NMI_WINDOW(Numbers.NMI_WINDOW, "NMI window", true),
    /** 9: task switch. */
    TASK_SWITCH(Numbers.TASK_SWITCH, "Task switch", true),
    /** 10: CPUID. */
    CPUID(Numbers.CPUID, "CPUID", true),
    /** 11: GETSEC (SDM only). */
    GETSEC(Numbers.GETSEC, "GETSEC", false),
    /** 12: HLT. */
    HLT(Numbers.HLT, "HLT", true),
    /** 13: INVD. */
    INVD(Numbers.INVD, "INVD", true),
    /** 14: INVLPG. */
    INVLPG(Numbers.INVLPG, "INVLPG", true),
    /** 15: RDPMC. */
    RDPMC(Numbers.RDPMC, "RDPMC", true),
    /** 16: RDTSC. */
    RDTSC(Numbers.RDTSC, "RDTSC", true),
    /** 17: RSM in SMM (SDM only). */
    RSM(Numbers.RSM, "RSM", false),
    /** 18: VMCALL. */
    VMCALL(Numbers.VMCALL, "VMCALL", true),
    /** 19: VMCLEAR. */
    VMCLEAR(Numbers.VMCLEAR, "VMCLEAR", true),
    /** 20: VMLAUNCH. */
    VMLAUNCH(Numbers.VMLAUNCH, "VMLAUNCH", true),
    /** 21: VMPTRLD. */
    VMPTRLD(Numbers.VMPTRLD, "VMPTRLD", true),
    /** 22: VMPTRST. */
    VMPTRST(Numbers.VMPTRST, "VMPTRST", true),
    /** 23: VMREAD. */
    VMREAD(Numbers.VMREAD, "VMREAD", true),
    /** 24: VMRESUME. */
    VMRESUME(Numbers.VMRESUME, "VMRESUME", true),
    /** 25: VMWRITE. */
    VMWRITE(Numbers.VMWRITE, "VMWRITE", true),
    /** 26: VMXOFF (Linux: {@code EXIT_REASON_VMOFF}). */
    VMOFF(Numbers.VMOFF, "VMXOFF", true),
    /** 27: VMXON (Linux: {@code EXIT_REASON_VMON}). */
    VMON(Numbers.VMON, "VMXON", true),
    /** 28: control-register accesses (MOV CR, CLTS, LMSW). */
    CR_ACCESS(Numbers.CR_ACCESS, "Control-register accesses", true),
    /** 29: MOV DR. */
    DR_ACCESS(Numbers.DR_ACCESS, "MOV DR", true),
    /** 30: I/O instruction. */
    IO_INSTRUCTION(Numbers.IO_INSTRUCTION, "I/O instruction", true),
    /** 31: RDMSR. */
    MSR_READ(Numbers.MSR_READ, "RDMSR", true),
    /** 32: WRMSR. */
    MSR_WRITE(Numbers.MSR_WRITE, "WRMSR", true),
    /** 33: VM-entry failure due to invalid guest state. */
    INVALID_STATE(Numbers.INVALID_STATE, "VM-entry failure due to invalid guest state", true),
    /** 34: VM-entry failure due to MSR loading. */
    MSR_LOAD_FAIL(Numbers.MSR_LOAD_FAIL, "VM-entry failure due to MSR loading", true),
    /** 36: MWAIT. */
    MWAIT_INSTRUCTION(Numbers.MWAIT_INSTRUCTION, "MWAIT", true),
    /** 37: monitor trap flag. */
    MONITOR_TRAP_FLAG(Numbers.MONITOR_TRAP_FLAG, "Monitor trap flag", true),
    /** 39: MONITOR. */
    MONITOR_INSTRUCTION(Numbers.MONITOR_INSTRUCTION, "MONITOR", true),
    /** 40: PAUSE. */
    PAUSE_INSTRUCTION(Numbers.PAUSE_INSTRUCTION, "PAUSE", true),
    /** 41: VM-entry failure due to machine-check event. */
    MCE_DURING_VMENTRY(Numbers.MCE_DURING_VMENTRY, "VM-entry failure due to machine-check event", true),
    /** 43: TPR below threshold. */
    TPR_BELOW_THRESHOLD(Numbers.TPR_BELOW_THRESHOLD, "TPR below threshold", true),
    /** 44: APIC access. */
    APIC_ACCESS(Numbers.APIC_ACCESS, "APIC access", true),
    /** 45: virtualized EOI. */
    EOI_INDUCED(Numbers.EOI_INDUCED, "Virtualized EOI", true),
    /** 46: access to GDTR or IDTR. */
    GDTR_IDTR(Numbers.GDTR_IDTR, "Access to GDTR or IDTR", true),
    /** 47: access to LDTR or TR. */
    LDTR_TR(Numbers.LDTR_TR, "Access to LDTR or TR", true),
    /** 48: EPT violation. */
    EPT_VIOLATION(Numbers.EPT_VIOLATION, "EPT violation", true),
    /** 49: EPT misconfiguration. */
    EPT_MISCONFIG(Numbers.EPT_MISCONFIG, "EPT misconfiguration", true),
    /** 50: INVEPT. */
    INVEPT(Numbers.INVEPT, "INVEPT", true),
    /** 51: RDTSCP. */
    RDTSCP(Numbers.RDTSCP, "RDTSCP", true),
    /** 52: VMX-preemption timer expired. */
    PREEMPTION_TIMER(Numbers.PREEMPTION_TIMER, "VMX-preemption timer expired", true),
    /** 53: INVVPID. */
    INVVPID(Numbers.INVVPID, "INVVPID", true),
    /** 54: WBINVD or WBNOINVD. */
    WBINVD(Numbers.WBINVD, "WBINVD or WBNOINVD", true),
    /** 55: XSETBV. */
    XSETBV(Numbers.XSETBV, "XSETBV", true),
    /** 56: APIC write. */
    APIC_WRITE(Numbers.APIC_WRITE, "APIC write", true),
    /** 57: RDRAND. */
    RDRAND(Numbers.RDRAND, "RDRAND", true),
    /** 58: INVPCID. */
    INVPCID(Numbers.INVPCID, "INVPCID", true),
    /** 59: VMFUNC. */
    VMFUNC(Numbers.VMFUNC, "VMFUNC", true),
    /** 60: ENCLS. */
    ENCLS(Numbers.ENCLS, "ENCLS", true),
    /** 61: RDSEED. */
    RDSEED(Numbers.RDSEED, "RDSEED", true),
    /** 62: page-modification log full. */
    PML_FULL(Numbers.PML_FULL, "Page-modification log full", true),
    /** 63: XSAVES. */
    XSAVES(Numbers.XSAVES, "XSAVES", true),
    /** 64: XRSTORS. */
    XRSTORS(Numbers.XRSTORS, "XRSTORS", true),
    /** 65: PCONFIG (SDM only). */
    PCONFIG(Numbers.PCONFIG, "PCONFIG", false),
    /** 66: SPP-related event (SDM only). */
    SPP_EVENT(Numbers.SPP_EVENT, "SPP-related event", false),
    /** 67: UMWAIT. */
    UMWAIT(Numbers.UMWAIT, "UMWAIT", true),
    /** 68: TPAUSE. */
    TPAUSE(Numbers.TPAUSE, "TPAUSE", true),
    /** 69: LOADIWKEY (SDM only). */
    LOADIWKEY(Numbers.LOADIWKEY, "LOADIWKEY", false),
    /** 70: ENCLV (SDM only). */
    ENCLV(Numbers.ENCLV, "ENCLV", false),
    /** 72: ENQCMD PASID translation failure (SDM only). */
    ENQCMD_PASID_FAIL(Numbers.ENQCMD_PASID_FAIL, "ENQCMD PASID translation failure", false),
    /** 73: ENQCMDS PASID translation failure (SDM only). */
    ENQCMDS_PASID_FAIL(Numbers.ENQCMDS_PASID_FAIL, "ENQCMDS PASID translation failure", false),
    /** 74: bus lock. */
    BUS_LOCK(Numbers.BUS_LOCK, "Bus lock", true),
    /** 75: instruction timeout (Linux: {@code EXIT_REASON_NOTIFY}, the "notify VM exit"). */
    NOTIFY(Numbers.NOTIFY, "Instruction timeout", true),
    /** 76: SEAMCALL. */
    SEAMCALL(Numbers.SEAMCALL, "SEAMCALL", true),
    /** 77: TDCALL. */
    TDCALL(Numbers.TDCALL, "TDCALL", true),
    /** 78: RDMSRLIST (SDM only). */
    RDMSRLIST(Numbers.RDMSRLIST, "RDMSRLIST", false),
    /** 79: WRMSRLIST (SDM only). */
    WRMSRLIST(Numbers.WRMSRLIST, "WRMSRLIST", false),
    /** 80: URDMSR, the user-mode MSR read (USER_MSR; Linux has no name, Bochs {@code VMX_VMEXIT_URDMSR}). */
    URDMSR(Numbers.URDMSR, "URDMSR", false),
    /** 81: UWRMSR, the user-mode MSR write (USER_MSR; Linux has no name, Bochs {@code VMX_VMEXIT_UWRMSR}). */
    UWRMSR(Numbers.UWRMSR, "UWRMSR", false),
    /** 84: RDMSR with an immediate MSR index (Linux 6.17+). */
    MSR_READ_IMM(Numbers.MSR_READ_IMM, "RDMSR (immediate form)", true),
    /** 85: WRMSRNS with an immediate MSR index (Linux 6.17+). */
    MSR_WRITE_IMM(Numbers.MSR_WRITE_IMM, "WRMSRNS (immediate form)", true),
    /**
     * A basic number with no definition known to this library. The real number is kept by
     * {@link ExitReason#basicNumber()}; {@link #number()} of this constant is -1.
     */
    UNRECOGNIZED(-1, "Unrecognized basic exit reason", false);

    /**
     * The basic exit reason numbers as compile-time constants, the single definition the enum
     * constants are built from. For a dispatch on the hottest path, {@code switch
     * (reason.basicNumber())} over these constants compiles to a plain table switch, where a
     * {@code switch} on the enum goes through javac's ordinal indirection (measured in vmx-bench).
     * {@link ExitReason#basicNumber()} is the basic reason by name and type, so these can never be
     * compared with a full exit reason by accident.
     */
    public static final class Numbers {
        /** 0: exception or non-maskable interrupt (NMI). */
        public static final int EXCEPTION_NMI = 0;

        /** 1: external interrupt. */
        public static final int EXTERNAL_INTERRUPT = 1;

        /** 2: triple fault. */
        public static final int TRIPLE_FAULT = 2;

        /** 3: INIT signal. */
        public static final int INIT_SIGNAL = 3;

        /** 4: start-up IPI. */
        public static final int SIPI_SIGNAL = 4;

        /** 5: I/O system-management interrupt (SDM only; Linux has no name). */
        public static final int IO_SMI = 5;

        /** 6: other SMI (SDM only). */
        public static final int OTHER_SMI = 6;

        /** 7: interrupt window. */
        public static final int INTERRUPT_WINDOW = 7;

        /** 8: NMI window. */
        public static final int NMI_WINDOW = 8;

        /** 9: task switch. */
        public static final int TASK_SWITCH = 9;

        /** 10: CPUID. */
        public static final int CPUID = 10;

        /** 11: GETSEC (SDM only). */
        public static final int GETSEC = 11;

        /** 12: HLT. */
        public static final int HLT = 12;

        /** 13: INVD. */
        public static final int INVD = 13;

        /** 14: INVLPG. */
        public static final int INVLPG = 14;

        /** 15: RDPMC. */
        public static final int RDPMC = 15;

        /** 16: RDTSC. */
        public static final int RDTSC = 16;

        /** 17: RSM in SMM (SDM only). */
        public static final int RSM = 17;

        /** 18: VMCALL. */
        public static final int VMCALL = 18;

        /** 19: VMCLEAR. */
        public static final int VMCLEAR = 19;

        /** 20: VMLAUNCH. */
        public static final int VMLAUNCH = 20;

        /** 21: VMPTRLD. */
        public static final int VMPTRLD = 21;

        /** 22: VMPTRST. */
        public static final int VMPTRST = 22;

        /** 23: VMREAD. */
        public static final int VMREAD = 23;

        /** 24: VMRESUME. */
        public static final int VMRESUME = 24;

        /** 25: VMWRITE. */
        public static final int VMWRITE = 25;

        /** 26: VMXOFF (Linux: {@code EXIT_REASON_VMOFF}). */
        public static final int VMOFF = 26;

        /** 27: VMXON (Linux: {@code EXIT_REASON_VMON}). */
        public static final int VMON = 27;

        /** 28: control-register accesses (MOV CR, CLTS, LMSW). */
        public static final int CR_ACCESS = 28;

        /** 29: MOV DR. */
        public static final int DR_ACCESS = 29;

        /** 30: I/O instruction. */
        public static final int IO_INSTRUCTION = 30;

        /** 31: RDMSR. */
        public static final int MSR_READ = 31;

        /** 32: WRMSR. */
        public static final int MSR_WRITE = 32;

        /** 33: VM-entry failure due to invalid guest state. */
        public static final int INVALID_STATE = 33;

        /** 34: VM-entry failure due to MSR loading. */
        public static final int MSR_LOAD_FAIL = 34;

        /** 36: MWAIT. */
        public static final int MWAIT_INSTRUCTION = 36;

        /** 37: monitor trap flag. */
        public static final int MONITOR_TRAP_FLAG = 37;

        /** 39: MONITOR. */
        public static final int MONITOR_INSTRUCTION = 39;

        /** 40: PAUSE. */
        public static final int PAUSE_INSTRUCTION = 40;

        /** 41: VM-entry failure due to machine-check event. */
        public static final int MCE_DURING_VMENTRY = 41;

        /** 43: TPR below threshold. */
        public static final int TPR_BELOW_THRESHOLD = 43;

        /** 44: APIC access. */
        public static final int APIC_ACCESS = 44;

        /** 45: virtualized EOI. */
        public static final int EOI_INDUCED = 45;

        /** 46: access to GDTR or IDTR. */
        public static final int GDTR_IDTR = 46;

        /** 47: access to LDTR or TR. */
        public static final int LDTR_TR = 47;

        /** 48: EPT violation. */
        public static final int EPT_VIOLATION = 48;

        /** 49: EPT misconfiguration. */
        public static final int EPT_MISCONFIG = 49;

        /** 50: INVEPT. */
        public static final int INVEPT = 50;

        /** 51: RDTSCP. */
        public static final int RDTSCP = 51;

        /** 52: VMX-preemption timer expired. */
        public static final int PREEMPTION_TIMER = 52;

        /** 53: INVVPID. */
        public static final int INVVPID = 53;

        /** 54: WBINVD or WBNOINVD. */
        public static final int WBINVD = 54;

        /** 55: XSETBV. */
        public static final int XSETBV = 55;

        /** 56: APIC write. */
        public static final int APIC_WRITE = 56;

        /** 57: RDRAND. */
        public static final int RDRAND = 57;

        /** 58: INVPCID. */
        public static final int INVPCID = 58;

        /** 59: VMFUNC. */
        public static final int VMFUNC = 59;

        /** 60: ENCLS. */
        public static final int ENCLS = 60;

        /** 61: RDSEED. */
        public static final int RDSEED = 61;

        /** 62: page-modification log full. */
        public static final int PML_FULL = 62;

        /** 63: XSAVES. */
        public static final int XSAVES = 63;

        /** 64: XRSTORS. */
        public static final int XRSTORS = 64;

        /** 65: PCONFIG (SDM only). */
        public static final int PCONFIG = 65;

        /** 66: SPP-related event (SDM only). */
        public static final int SPP_EVENT = 66;

        /** 67: UMWAIT. */
        public static final int UMWAIT = 67;

        /** 68: TPAUSE. */
        public static final int TPAUSE = 68;

        /** 69: LOADIWKEY (SDM only). */
        public static final int LOADIWKEY = 69;

        /** 70: ENCLV (SDM only). */
        public static final int ENCLV = 70;

        /** 72: ENQCMD PASID translation failure (SDM only). */
        public static final int ENQCMD_PASID_FAIL = 72;

        /** 73: ENQCMDS PASID translation failure (SDM only). */
        public static final int ENQCMDS_PASID_FAIL = 73;

        /** 74: bus lock. */
        public static final int BUS_LOCK = 74;

        /** 75: instruction timeout (Linux: {@code EXIT_REASON_NOTIFY}, the "notify VM exit"). */
        public static final int NOTIFY = 75;

        /** 76: SEAMCALL. */
        public static final int SEAMCALL = 76;

        /** 77: TDCALL. */
        public static final int TDCALL = 77;

        /** 78: RDMSRLIST (SDM only). */
        public static final int RDMSRLIST = 78;

        /** 79: WRMSRLIST (SDM only). */
        public static final int WRMSRLIST = 79;

        /** 80: URDMSR, the user-mode MSR read (USER_MSR). */
        public static final int URDMSR = 80;

        /** 81: UWRMSR, the user-mode MSR write (USER_MSR). */
        public static final int UWRMSR = 81;

        /** 84: RDMSR with an immediate MSR index (Linux 6.17+). */
        public static final int MSR_READ_IMM = 84;

        /** 85: WRMSRNS with an immediate MSR index (Linux 6.17+). */
        public static final int MSR_WRITE_IMM = 85;

        private Numbers() {
        }
    }

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
