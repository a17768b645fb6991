package dev.vmx.hw.bochs;

/**
 * The L2 programs of {@link BochsExitsTest}, each instruction with its nasm text (checked against
 * nasm by {@link L2ProgramTest}). All run at {@link BochsGuest#CODE}.
 */
final class ExitPrograms {
    private ExitPrograms() {
    }

    /** DX = 0x3f8, RSI = DATA, RDI = DATA + 0x100, RCX = 3. */
    static final L2Program IO = L2Program.at(BochsGuest.CODE)
            .op("out dx, al", "EE")
            .op("in ax, dx", "66 ED")
            .op("in eax, 0x71", "E5 71")
            .op("out 0x70, al", "E6 70")
            .op("rep outsb", "F3 6E")
            .op("insd", "6D")
            .op("rep insw", "F3 66 6D")
            .op("out dx, eax", "EF")
            .op("hlt", "F4");

    /** Ports 0x81 (its bitmap bit clear) and 0x80 (set). */
    static final L2Program IO_BITMAP = L2Program.at(BochsGuest.CODE).op("out 0x81, al", "E6 81").op("out 0x80, al", "E6 80")
            .op("hlt", "F4");

    static final L2Program CPUID = L2Program.at(BochsGuest.CODE).op("cpuid", "0F A2").op("hlt", "F4");

    /** RCX = 0x174 (IA32_SYSENTER_CS). */
    static final L2Program MSR = L2Program.at(BochsGuest.CODE).op("wrmsr", "0F 30").op("rdmsr", "0F 32").op("hlt", "F4");

    /** RBX = L2 CR3, RCX = CR0 with TS clear, RDX = CR4 with PGE, RSI = 5, RAX = 1. */
    static final L2Program CR = L2Program.at(BochsGuest.CODE)
            .op("mov rax, cr3", "0F 20 D8")
            .op("mov cr3, rbx", "0F 22 DB")
            .op("mov cr0, rcx", "0F 22 C1")
            .op("mov cr4, rdx", "0F 22 E2")
            .op("mov cr8, rsi", "44 0F 22 C6")
            .op("mov rdi, cr8", "44 0F 20 C7")
            .op("clts", "0F 06")
            .op("lmsw ax", "0F 01 F0")
            .op("hlt", "F4");

    /** RAX = 0x400. */
    static final L2Program DR = L2Program.at(BochsGuest.CODE).op("mov dr7, rax", "0F 23 F8").op("mov rbx, dr6", "0F 21 F3")
            .op("hlt", "F4");

    /** RAX = 0x12345000. */
    static final L2Program INVLPG = L2Program.at(BochsGuest.CODE).op("invlpg [rax]", "0F 01 38").op("hlt", "F4");

    static final L2Program TSC = L2Program.at(BochsGuest.CODE).op("rdtsc", "0F 31").op("rdtscp", "0F 01 F9").op("hlt", "F4");

    static final L2Program UD = L2Program.at(BochsGuest.CODE).op("ud2", "0F 0B");

    static final L2Program BP = L2Program.at(BochsGuest.CODE).op("int3", "CC");

    static final L2Program GP = L2Program.at(BochsGuest.CODE).op("mov rax, 0x8000000000000000", "48 B8 0000000000000080")
            .op("mov rbx, [rax]", "48 8B 18");

    static final L2Program PF_READ = L2Program.at(BochsGuest.CODE).op("mov rbx, [0x40000000]", "48 8B 1C 25 00000040");

    /** RAX = 0x40000000. */
    static final L2Program PF_WRITE = L2Program.at(BochsGuest.CODE).op("mov [rax], rbx", "48 89 18");

    static final L2Program EPT_READ = L2Program.at(BochsGuest.CODE).op("mov rbx, [0x401000]", "48 8B 1C 25 00104000");

    static final L2Program EPT_WRITE = L2Program.at(BochsGuest.CODE).op("mov [0x402000], rbx", "48 89 1C 25 00204000");

    static final L2Program EPT_FETCH = L2Program.at(BochsGuest.CODE).op("mov eax, 0x403000", "B8 00304000").op("jmp rax", "FF E0");

    static final L2Program VMCALL = L2Program.at(BochsGuest.CODE).op("vmcall", "0F 01 C1").op("hlt", "F4");

    static final L2Program SPIN = L2Program.at(BochsGuest.CODE).op("jmp $", "EB FE");

    static final L2Program NOPS = L2Program.at(BochsGuest.CODE).op("nop", "90").op("nop", "90").op("hlt", "F4");

    static final L2Program HLT = L2Program.at(BochsGuest.CODE).op("hlt", "F4");

    /** Touches every program, so that {@link L2Program#ALL} holds them all. */
    static void load() {
        // the static initializer above did the work
    }
}
