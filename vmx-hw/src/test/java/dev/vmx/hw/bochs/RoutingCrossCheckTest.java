package dev.vmx.hw.bochs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.cap.ControlField;
import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.cap.VmxCapabilities;
import dev.vmx.event.GeneralRegister;
import dev.vmx.exit.BasicExitReason;
import dev.vmx.exit.ExitReason;
import dev.vmx.nested.ExitRouter;
import dev.vmx.nested.GuestMemory;
import dev.vmx.nested.NestedExit;
import dev.vmx.nested.Route;
import dev.vmx.nested.RoutingDecision;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Nested routing, checked against the emulated CPU: for an L2 action under L1's intercept settings (I/O and
 * MSR bitmaps, exception bitmap with #PF error-code mask/match, CR0/CR4 guest/host masks and read shadows,
 * CR3-load, HLT and RDTSC exiting, CPUID), whether Bochs exits for the action must equal
 * {@link ExitRouter#l1Rule}'s L1-wants decision for that exit, computed from the same VMCS and bitmap memory.
 * Each L2 program is the action and then VMCALL (which always exits): a first exit other than the
 * action's means the CPU let the action run.
 */
class RoutingCrossCheckTest {
    /** One case: the Bochs case, the VMCS L1 wrote (as the router sees it), its bitmap memory, and the exit the action would cause. */
    record Routing(String name, BochsCase bochsCase, NestedExit exit, VmcsSnapshot vmcs12, GuestMemory memory, int vector) {
    }

    private static final long IDT_LIMIT_ZERO = 0; // an exception the L2 itself must deliver faults on its IDT: #GP, intercepted

    private static final class Setup {
        final VmxCapabilities caps;
        final String name;
        final BochsCase.Builder b;
        final VmcsSnapshot.Builder v = VmcsSnapshot.builder();
        final GuestMemory.Builder memory = GuestMemory.builder();

        Setup(VmxCapabilities caps, String name, L2Program program, PrimaryProcessorBasedControl... primary) {
            this.caps = caps;
            this.name = name;
            b = BochsGuest.baseline(caps, name).pokeBytes(program.base(), program.bytes()).maxExits(1);
            write(VmcsField.CPU_BASED_VM_EXEC_CONTROL, BochsGuest.primary(caps, primary));
            write(VmcsField.SECONDARY_VM_EXEC_CONTROL, 0);
            write(VmcsField.PIN_BASED_VM_EXEC_CONTROL, caps.adjust(ControlField.PIN_BASED, 0));
            write(VmcsField.EXCEPTION_BITMAP, 0).write(VmcsField.PAGE_FAULT_ERROR_CODE_MASK, 0).write(VmcsField.PAGE_FAULT_ERROR_CODE_MATCH, 0);
            write(VmcsField.CR0_GUEST_HOST_MASK, 0).write(VmcsField.CR4_GUEST_HOST_MASK, 0).write(VmcsField.CR3_TARGET_COUNT, 0);
            write(VmcsField.IO_BITMAP_A, BochsGuest.IO_BITMAP_A).write(VmcsField.IO_BITMAP_B, BochsGuest.IO_BITMAP_B)
                    .write(VmcsField.MSR_BITMAP, BochsGuest.MSR_BITMAP);
            for (long page : new long[] {BochsGuest.IO_BITMAP_A, BochsGuest.IO_BITMAP_B, BochsGuest.MSR_BITMAP}) {
                b.fill(page, 512, 0, 0);
                memory.zeroPage(page);
            }
            b.write(VmcsField.GUEST_IDTR_LIMIT, IDT_LIMIT_ZERO);
        }

        Setup write(VmcsField field, long value) {
            b.write(field, value);
            v.put(field, value);
            return this;
        }

        /** Sets bit {@code bit} of the bitmap page at {@code page}, in Bochs' memory and in the router's. */
        Setup bit(long page, long bit) {
            long word = page + (bit / 64) * 8;
            b.poke(word, 1L << (bit % 64));
            memory.setBit(page, bit);
            return this;
        }

        Routing exit(NestedExit exit) {
            return exit(exit, -1);
        }

        Routing exit(NestedExit exit, int vector) {
            return new Routing(name, b.build(), exit, v.build(), memory.build(), vector);
        }
    }

    private static L2Program program(String asm, String hex) {
        return L2Program.at(BochsGuest.CODE).op(asm, hex).op("vmcall", "0F 01 C1");
    }

    private static NestedExit io(int port, int size, boolean in, boolean immediate) {
        long qualification = (size - 1) | (in ? 8 : 0) | (immediate ? 0x40 : 0) | ((long) port << 16);
        return NestedExit.of(ExitReason.of(BasicExitReason.IO_INSTRUCTION.number()), qualification);
    }

    static List<Routing> cases(VmxCapabilities caps) {
        List<Routing> out = new ArrayList<>();
        L2Program out80 = program("out 0x80, al", "E6 80");
        L2Program in81 = program("in al, 0x81", "E4 81");
        L2Program outDx = program("out dx, al", "EE");
        out.add(new Setup(caps, "OUT 0x80, no I/O exiting", out80).exit(io(0x80, 1, false, true)));
        out.add(new Setup(caps, "OUT 0x80, unconditional I/O exiting", out80, PrimaryProcessorBasedControl.UNCONDITIONAL_IO_EXITING)
                .exit(io(0x80, 1, false, true)));
        out.add(new Setup(caps, "OUT 0x80, I/O bitmap bit 0x80 set", out80, PrimaryProcessorBasedControl.USE_IO_BITMAPS)
                .bit(BochsGuest.IO_BITMAP_A, 0x80).exit(io(0x80, 1, false, true)));
        out.add(new Setup(caps, "OUT 0x80, I/O bitmap bit 0x81 set only", out80, PrimaryProcessorBasedControl.USE_IO_BITMAPS)
                .bit(BochsGuest.IO_BITMAP_A, 0x81).exit(io(0x80, 1, false, true)));
        out.add(new Setup(caps, "IN 0x81, I/O bitmap bit 0x81 set", in81, PrimaryProcessorBasedControl.USE_IO_BITMAPS)
                .bit(BochsGuest.IO_BITMAP_A, 0x81).exit(io(0x81, 1, true, true)));
        Setup dx = new Setup(caps, "OUT DX=0x8001, I/O bitmap B bit 1 set", outDx, PrimaryProcessorBasedControl.USE_IO_BITMAPS)
                .bit(BochsGuest.IO_BITMAP_B, 1);
        dx.b.register(2, 0x8001);
        out.add(dx.exit(io(0x8001, 1, false, false)));
        Setup dxFree = new Setup(caps, "OUT DX=0x8002, I/O bitmap B bit 1 set", outDx, PrimaryProcessorBasedControl.USE_IO_BITMAPS)
                .bit(BochsGuest.IO_BITMAP_B, 1);
        dxFree.b.register(2, 0x8002);
        out.add(dxFree.exit(io(0x8002, 1, false, false)));
        // MSR bitmaps: read-low at +0, read-high at +0x400, write-low at +0x800, write-high at +0xC00 (SDM 24.6.9)
        L2Program rdmsr = program("rdmsr", "0F 32");
        L2Program wrmsr = program("wrmsr", "0F 30");
        long[][] msrCases = {{0x174, 0, 1}, {0x174, 0, 0}, {0xC000_0080L, 0x400 * 8, 1}, {0xC000_0080L, 0x400 * 8, 0}};
        for (long[] m : msrCases) {
            for (boolean write : new boolean[] {false, true}) {
                long msr = m[0];
                long bit = (write ? 0x800 * 8 : 0) + m[1] + (msr & 0x1FFF);
                Setup s = new Setup(caps, String.format("%s 0x%x, MSR bitmap bit %s", write ? "WRMSR" : "RDMSR", msr, m[2] == 1 ? "set" : "clear"),
                        write ? wrmsr : rdmsr, PrimaryProcessorBasedControl.USE_MSR_BITMAPS);
                if (m[2] == 1) {
                    s.bit(BochsGuest.MSR_BITMAP, bit);
                }
                s.b.register(1, msr);
                long value = msr == 0x174 ? 0x10 : 0x500; // SYSENTER_CS 0x10; EFER as the L2 has it (LME, LMA)
                s.b.register(0, value);
                out.add(s.exit(NestedExit.builder(ExitReason.of(write ? BasicExitReason.MSR_WRITE.number() : BasicExitReason.MSR_READ.number()))
                        .register(GeneralRegister.RCX, msr).register(GeneralRegister.RAX, value).register(GeneralRegister.RDX, 0).build()));
            }
        }
        // #PF with error-code mask/match (SDM 25.2): a read (error code 0) and a write (2) of a not-present page
        L2Program pfRead = program("mov rbx, [0x40000000]", "48 8B 1C 25 00000040");
        int[][] pf = {{1, 0, 0}, {0, 0, 0}, {1, 2, 2}, {1, 2, 0}, {0, 2, 2}, {0, 2, 0}};
        for (int[] p : pf) {
            for (int errorCode : new int[] {0}) {
                Setup s = new Setup(caps, String.format("#PF read (error code %d), bitmap bit 14 %d, mask 0x%x, match 0x%x", errorCode, p[0], p[1], p[2]),
                        pfRead);
                s.write(VmcsField.EXCEPTION_BITMAP, 0xFFFF_FFFFL & ~(p[0] == 1 ? 0 : 1L << 14))
                        .write(VmcsField.PAGE_FAULT_ERROR_CODE_MASK, p[1]).write(VmcsField.PAGE_FAULT_ERROR_CODE_MATCH, p[2]);
                out.add(s.exit(NestedExit.builder(ExitReason.of(BasicExitReason.EXCEPTION_NMI.number())).qualification(0x4000_0000L)
                        .interruptionInfo(0x8000_0B0E).interruptionErrorCode(errorCode).build(), 14));
            }
        }
        L2Program pfWrite = program("mov [rax], rbx", "48 89 18");
        for (int[] p : pf) {
            Setup s = new Setup(caps, String.format("#PF write (error code 2), bitmap bit 14 %d, mask 0x%x, match 0x%x", p[0], p[1], p[2]), pfWrite);
            s.write(VmcsField.EXCEPTION_BITMAP, 0xFFFF_FFFFL & ~(p[0] == 1 ? 0 : 1L << 14))
                    .write(VmcsField.PAGE_FAULT_ERROR_CODE_MASK, p[1]).write(VmcsField.PAGE_FAULT_ERROR_CODE_MATCH, p[2]);
            s.b.register(0, 0x4000_0000L);
            out.add(s.exit(NestedExit.builder(ExitReason.of(BasicExitReason.EXCEPTION_NMI.number())).qualification(0x4000_0000L)
                    .interruptionInfo(0x8000_0B0E).interruptionErrorCode(2).build(), 14));
        }
        for (boolean intercepted : new boolean[] {true, false}) {
            Setup ud = new Setup(caps, "#UD (ud2), bitmap bit 6 " + (intercepted ? 1 : 0), program("ud2", "0F 0B"));
            ud.write(VmcsField.EXCEPTION_BITMAP, 0xFFFF_FFFFL & ~(intercepted ? 0 : 1L << 6));
            out.add(ud.exit(NestedExit.builder(ExitReason.of(BasicExitReason.EXCEPTION_NMI.number())).interruptionInfo(0x8000_0306).build(), 6));
        }
        // CR0/CR4 guest/host masks and read shadows (SDM 25.1.3): MOV to CR exits when a masked bit differs from the shadow
        long cr0 = (0x8000_0031L | 0x8000_0021L);
        L2Program movCr0 = program("mov cr0, rax", "0F 22 C0");
        long[][] crCases = {{0x8, 0x8}, {0x8, 0}, {0x0, 0x8}, {0x20, 0x8}};
        for (long[] c : crCases) {
            Setup s = new Setup(caps, String.format("MOV CR0 <- CR0|0x%x, mask 0x%x, shadow = CR0", c[1], c[0]), movCr0);
            s.write(VmcsField.CR0_GUEST_HOST_MASK, c[0]).write(VmcsField.CR0_READ_SHADOW, cr0).write(VmcsField.GUEST_CR0, cr0);
            s.b.register(0, cr0 | c[1]);
            out.add(s.exit(NestedExit.builder(ExitReason.of(BasicExitReason.CR_ACCESS.number())).qualification(0)
                    .register(GeneralRegister.RAX, cr0 | c[1]).build()));
        }
        long cr4 = 0x2020;
        L2Program movCr4 = program("mov cr4, rax", "0F 22 E0");
        for (long[] c : new long[][] {{0x200, 0x200}, {0x200, 0}, {0, 0x200}}) {
            Setup s = new Setup(caps, String.format("MOV CR4 <- CR4|0x%x, mask 0x%x, shadow = CR4", c[1], c[0]), movCr4);
            s.write(VmcsField.CR4_GUEST_HOST_MASK, c[0]).write(VmcsField.CR4_READ_SHADOW, cr4).write(VmcsField.GUEST_CR4, cr4);
            s.b.register(0, cr4 | c[1]);
            out.add(s.exit(NestedExit.builder(ExitReason.of(BasicExitReason.CR_ACCESS.number())).qualification(4)
                    .register(GeneralRegister.RAX, cr4 | c[1]).build()));
        }
        L2Program movCr3 = program("mov cr3, rax", "0F 22 D8");
        for (boolean exiting : new boolean[] {true, false}) {
            Setup s = exiting ? new Setup(caps, "MOV CR3, CR3-load exiting", movCr3, PrimaryProcessorBasedControl.CR3_LOAD_EXITING)
                    : new Setup(caps, "MOV CR3, no CR3-load exiting", movCr3);
            s.b.register(0, BochsGuest.L2_PML4);
            out.add(s.exit(NestedExit.builder(ExitReason.of(BasicExitReason.CR_ACCESS.number())).qualification(3)
                    .register(GeneralRegister.RAX, BochsGuest.L2_PML4).build()));
        }
        L2Program hlt = program("hlt", "F4");
        out.add(new Setup(caps, "HLT, HLT exiting", hlt, PrimaryProcessorBasedControl.HLT_EXITING)
                .exit(NestedExit.of(ExitReason.of(BasicExitReason.HLT.number()), 0)));
        L2Program rdtsc = program("rdtsc", "0F 31");
        out.add(new Setup(caps, "RDTSC, RDTSC exiting", rdtsc, PrimaryProcessorBasedControl.RDTSC_EXITING)
                .exit(NestedExit.of(ExitReason.of(BasicExitReason.RDTSC.number()), 0)));
        out.add(new Setup(caps, "RDTSC, no RDTSC exiting", rdtsc).exit(NestedExit.of(ExitReason.of(BasicExitReason.RDTSC.number()), 0)));
        out.add(new Setup(caps, "CPUID (unconditional)", program("cpuid", "0F A2")).exit(NestedExit.of(ExitReason.of(BasicExitReason.CPUID.number()), 0)));
        return out;
    }

    @Test
    void theEmulatedCpuExitsExactlyWhenTheRouterSaysL1WantsTheExit() {
        BochsRunner runner = BochsTesting.runner();
        List<Routing> cases = cases(runner.capabilities());
        BochsBatchResult batch = runner.run(cases.stream().map(Routing::bochsCase).toList(),
                List.of(VmcsField.VM_EXIT_REASON, VmcsField.EXIT_QUALIFICATION, VmcsField.VM_EXIT_INTR_INFO));
        Map<String, String> disagreements = new LinkedHashMap<>();
        int l1Wants = 0;
        for (int i = 0; i < cases.size(); i++) {
            Routing c = cases.get(i);
            BochsExit first = batch.result(i).orThrow().exit(0);
            boolean sameReason = first.reason().basicNumber() == c.exit().reason().basicNumber();
            boolean exited = sameReason && (c.vector() < 0 || (first.vmcs().read(VmcsField.VM_EXIT_INTR_INFO) & 0xFF) == c.vector());
            RoutingDecision decision = ExitRouter.l1Rule(c.exit(), c.vmcs12(), c.memory());
            boolean wants = decision.route() == Route.L1_WANTS;
            l1Wants += wants ? 1 : 0;
            System.out.printf("%-60s Bochs %-24s router %s%n", c.name(), exited ? "exits" : "runs on (" + first.reason() + ")", decision);
            if (exited != wants) {
                disagreements.put(c.name(), "Bochs " + (exited ? "exits" : "first exit " + first.reason()) + ", router " + decision);
            }
        }
        assertEquals(Map.of(), disagreements);
        assertTrue(l1Wants >= 10 && l1Wants <= cases.size() - 10, "both decisions exercised: " + l1Wants + " of " + cases.size());
    }
}
