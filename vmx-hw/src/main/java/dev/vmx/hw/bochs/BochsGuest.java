package dev.vmx.hw.bochs;

import dev.vmx.cap.ControlBit;
import dev.vmx.cap.ControlField;
import dev.vmx.cap.EntryControl;
import dev.vmx.cap.PrimaryExitControl;
import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.cap.SecondaryProcessorBasedControl;
import dev.vmx.cap.VmxCapabilities;
import dev.vmx.cap.VmxMsr;
import dev.vmx.vmcs.VmcsField;

/**
 * A complete, valid starting state for a case: a 64-bit L2 with its own identity page tables,
 * flat segments, and the fewest controls the CPU allows, at {@link #CODE}. Tests and tutorials
 * add their L2 program ({@link BochsCase.Builder#pokeBytes}) and the controls they study.
 *
 * <p>Memory the baseline uses (all in the cases' part, above 1 MiB; a case may use the rest):
 * <pre>
 * 0x100000 L2 PML4      0x101000 L2 PDPT (entry 0 only: 0..1 GiB)   0x102000 L2 PD: 512 x 2 MiB, identity
 * 0x103000 I/O bitmap A 0x104000 I/O bitmap B                       0x105000 MSR bitmap
 * 0x110000 EPT PML4     0x111000 EPT PDPT                           0x112000 EPT PD: 512 x 2 MiB, identity
 * 0x113000 EPT PT for 0x400000..0x5fffff (4 KiB pages), used by {@link #withEpt}
 * 0x200000 L2 code ({@link #CODE})   0x280000 L2 data ({@link #DATA})   0x2ff000 L2 stack top ({@link #STACK_TOP})
 * </pre>
 * The L2 page tables map 0..1 GiB; an access at or above {@link #UNMAPPED} (1 GiB) page-faults
 * (PDPT entry 1 is not present).
 */
public final class BochsGuest {
    /** The L2's PML4. */
    public static final long L2_PML4 = 0x100000;
    /** The L2's PDPT. */
    public static final long L2_PDPT = 0x101000;
    /** The L2's page directory. */
    public static final long L2_PD = 0x102000;
    /** I/O bitmap A (ports 0..0x7fff). */
    public static final long IO_BITMAP_A = 0x103000;
    /** I/O bitmap B (ports 0x8000..0xffff). */
    public static final long IO_BITMAP_B = 0x104000;
    /** The MSR bitmap. */
    public static final long MSR_BITMAP = 0x105000;
    /** The EPT PML4. */
    public static final long EPT_PML4 = 0x110000;
    /** The EPT PDPT. */
    public static final long EPT_PDPT = 0x111000;
    /** The EPT page directory. */
    public static final long EPT_PD = 0x112000;
    /** The EPT page table for guest-physical 0x400000..0x5fffff. */
    public static final long EPT_PT = 0x113000;
    /** Where the L2's code starts: GUEST_RIP. */
    public static final long CODE = 0x200000;
    /** A data page the L2 may use. */
    public static final long DATA = 0x280000;
    /** The L2's initial RSP. */
    public static final long STACK_TOP = 0x2ff000;
    /** The first linear address the L2's page tables do not map. */
    public static final long UNMAPPED = 0x40000000L;
    /** The 2 MiB region {@link #withEpt} maps with 4 KiB pages (entries of {@link #EPT_PT}). */
    public static final long EPT_4K_REGION = 0x400000;

    private BochsGuest() {
    }

    /**
     * The starting state: controls adjusted to {@code caps}, a 64-bit L2 at {@link #CODE}.
     *
     * @param caps the emulated CPU's capabilities ({@link BochsRunner#capabilities()})
     * @param name the case's name
     * @return a builder holding the state; add the L2 program and more writes
     */
    public static BochsCase.Builder baseline(VmxCapabilities caps, String name) {
        BochsCase.Builder b = BochsCase.builder(name);
        // L2 page tables: identity map of 0..1 GiB with 2 MiB pages
        b.fill(L2_PML4, 512, 0, 0).poke(L2_PML4, L2_PDPT | 7);
        b.fill(L2_PDPT, 512, 0, 0).poke(L2_PDPT, L2_PD | 7);
        b.fill(L2_PD, 512, 0x87, 0x200000);
        b.write(VmcsField.PIN_BASED_VM_EXEC_CONTROL, caps.adjust(ControlField.PIN_BASED, 0));
        b.write(VmcsField.CPU_BASED_VM_EXEC_CONTROL, caps.adjust(ControlField.PRIMARY_PROCESSOR_BASED,
                PrimaryProcessorBasedControl.HLT_EXITING.mask()));
        b.write(VmcsField.VM_EXIT_CONTROLS, caps.adjust(ControlField.PRIMARY_EXIT,
                PrimaryExitControl.HOST_ADDRESS_SPACE_SIZE.mask()));
        b.write(VmcsField.VM_ENTRY_CONTROLS, caps.adjust(ControlField.ENTRY,
                EntryControl.IA32E_MODE_GUEST.mask() | EntryControl.LOAD_IA32_EFER.mask()));
        b.write(VmcsField.VMCS_LINK_POINTER, -1L);
        long cr0 = 0x80000031L; // PG, NE, ET, PE
        cr0 = (cr0 | caps.msr(VmxMsr.IA32_VMX_CR0_FIXED0).orElse(0)) & caps.msr(VmxMsr.IA32_VMX_CR0_FIXED1).orElse(-1);
        long cr4 = 0x20L; // PAE
        cr4 = (cr4 | caps.msr(VmxMsr.IA32_VMX_CR4_FIXED0).orElse(0)) & caps.msr(VmxMsr.IA32_VMX_CR4_FIXED1).orElse(-1);
        b.write(VmcsField.GUEST_CR0, cr0).write(VmcsField.GUEST_CR3, L2_PML4).write(VmcsField.GUEST_CR4, cr4);
        b.write(VmcsField.CR0_READ_SHADOW, cr0).write(VmcsField.CR4_READ_SHADOW, cr4);
        b.write(VmcsField.GUEST_IA32_EFER, 0x500); // LME, LMA
        b.write(VmcsField.GUEST_DR7, 0x400).write(VmcsField.GUEST_RFLAGS, 0x2);
        b.write(VmcsField.GUEST_RIP, CODE).write(VmcsField.GUEST_RSP, STACK_TOP);
        segment(b, VmcsField.GUEST_CS_SELECTOR, VmcsField.GUEST_CS_BASE, VmcsField.GUEST_CS_LIMIT, VmcsField.GUEST_CS_AR_BYTES, 0x08, 0xa09b);
        segment(b, VmcsField.GUEST_SS_SELECTOR, VmcsField.GUEST_SS_BASE, VmcsField.GUEST_SS_LIMIT, VmcsField.GUEST_SS_AR_BYTES, 0x10, 0xc093);
        segment(b, VmcsField.GUEST_DS_SELECTOR, VmcsField.GUEST_DS_BASE, VmcsField.GUEST_DS_LIMIT, VmcsField.GUEST_DS_AR_BYTES, 0x10, 0xc093);
        segment(b, VmcsField.GUEST_ES_SELECTOR, VmcsField.GUEST_ES_BASE, VmcsField.GUEST_ES_LIMIT, VmcsField.GUEST_ES_AR_BYTES, 0x10, 0xc093);
        segment(b, VmcsField.GUEST_FS_SELECTOR, VmcsField.GUEST_FS_BASE, VmcsField.GUEST_FS_LIMIT, VmcsField.GUEST_FS_AR_BYTES, 0x10, 0xc093);
        segment(b, VmcsField.GUEST_GS_SELECTOR, VmcsField.GUEST_GS_BASE, VmcsField.GUEST_GS_LIMIT, VmcsField.GUEST_GS_AR_BYTES, 0x10, 0xc093);
        b.write(VmcsField.GUEST_TR_SELECTOR, 0x18).write(VmcsField.GUEST_TR_BASE, 0).write(VmcsField.GUEST_TR_LIMIT, 0x67)
                .write(VmcsField.GUEST_TR_AR_BYTES, 0x8b);
        b.write(VmcsField.GUEST_LDTR_AR_BYTES, 0x10000); // unusable
        b.write(VmcsField.GUEST_GDTR_LIMIT, 0xffff).write(VmcsField.GUEST_IDTR_LIMIT, 0xffff);
        return b;
    }

    private static void segment(BochsCase.Builder b, VmcsField selector, VmcsField base, VmcsField limit, VmcsField rights,
            int value, int accessRights) {
        b.write(selector, value).write(base, 0).write(limit, 0xffffffffL).write(rights, accessRights);
    }

    /**
     * A control field's value with these bits set, adjusted to what the CPU allows (bits it cannot
     * set stay clear: check with {@link VmxCapabilities#check}).
     *
     * @param caps the capabilities
     * @param field the control field
     * @param bits the bits to set on top of the must-be-one bits
     * @return the value
     */
    public static long controls(VmxCapabilities caps, ControlField field, ControlBit... bits) {
        long value = 0;
        for (ControlBit bit : bits) {
            value |= bit.mask();
        }
        return caps.adjust(field, value);
    }

    /**
     * Primary processor-based controls: HLT exiting plus these bits.
     *
     * @param caps the capabilities
     * @param bits more bits
     * @return the value to write to CPU_BASED_VM_EXEC_CONTROL
     */
    public static long primary(VmxCapabilities caps, PrimaryProcessorBasedControl... bits) {
        long value = PrimaryProcessorBasedControl.HLT_EXITING.mask();
        for (PrimaryProcessorBasedControl bit : bits) {
            value |= bit.mask();
        }
        return caps.adjust(ControlField.PRIMARY_PROCESSOR_BASED, value);
    }

    /**
     * Turns on EPT with an identity map of guest-physical 0..1 GiB (2 MiB pages, read/write/execute,
     * write-back), the 2 MiB at {@link #EPT_4K_REGION} mapped with 4 KiB pages through {@link #EPT_PT}
     * so that single pages can be made read-only or not present ({@link #eptPage}). Sets the
     * secondary controls to {@code ENABLE_EPT} plus {@code more} (and activates them in the primary controls).
     *
     * @param b the case
     * @param caps the capabilities
     * @param more other secondary controls
     * @return the builder
     */
    public static BochsCase.Builder withEpt(BochsCase.Builder b, VmxCapabilities caps, SecondaryProcessorBasedControl... more) {
        b.fill(EPT_PML4, 512, 0, 0).poke(EPT_PML4, EPT_PDPT | 7);
        b.fill(EPT_PDPT, 512, 0, 0).poke(EPT_PDPT, EPT_PD | 7);
        b.fill(EPT_PD, 512, 0x87 | (6 << 3), 0x200000); // R W X, memory type 6 (WB), 2 MiB page
        b.poke(EPT_PD + 8 * (EPT_4K_REGION >> 21), EPT_PT | 7);
        b.fill(EPT_PT, 512, EPT_4K_REGION | 7 | (6 << 3), 0x1000);
        // EPTP: memory type WB (6), page-walk length 4 (3 in bits 5:3)
        b.write(VmcsField.EPT_POINTER, EPT_PML4 | 6 | (3 << 3));
        long secondary = SecondaryProcessorBasedControl.ENABLE_EPT.mask();
        for (SecondaryProcessorBasedControl bit : more) {
            secondary |= bit.mask();
        }
        return secondary(b, caps, secondary);
    }

    /**
     * Writes the secondary controls (adjusted) and sets "activate secondary controls" in the
     * primary controls the case wrote last.
     *
     * @param b the case
     * @param caps the capabilities
     * @param secondary the secondary control bits wanted
     * @return the builder
     */
    public static BochsCase.Builder secondary(BochsCase.Builder b, VmxCapabilities caps, long secondary) {
        long primary = b.lastWrite(VmcsField.CPU_BASED_VM_EXEC_CONTROL).orElse(primary(caps));
        b.write(VmcsField.CPU_BASED_VM_EXEC_CONTROL, caps.adjust(ControlField.PRIMARY_PROCESSOR_BASED,
                primary | PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS.mask()));
        b.write(VmcsField.SECONDARY_VM_EXEC_CONTROL, caps.adjust(ControlField.SECONDARY_PROCESSOR_BASED, secondary));
        return b;
    }

    /**
     * Sets the EPT permissions of one 4 KiB page in {@link #EPT_4K_REGION} (after {@link #withEpt}).
     *
     * @param b the case
     * @param guestPhysical a page address in 0x400000..0x5fffff
     * @param permissions bit 0 read, bit 1 write, bit 2 execute (0: not present)
     * @return the builder
     */
    public static BochsCase.Builder eptPage(BochsCase.Builder b, long guestPhysical, int permissions) {
        if (guestPhysical < EPT_4K_REGION || guestPhysical >= EPT_4K_REGION + 0x200000 || (guestPhysical & 0xfff) != 0) {
            throw new IllegalArgumentException("0x" + Long.toHexString(guestPhysical) + " is not a 4 KiB page in 0x400000..0x5fffff");
        }
        long entry = permissions == 0 ? 0 : guestPhysical | (permissions & 7) | (6 << 3);
        return b.poke(EPT_PT + 8 * ((guestPhysical - EPT_4K_REGION) >> 12), entry);
    }
}
