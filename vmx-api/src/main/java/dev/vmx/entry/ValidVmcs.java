package dev.vmx.entry;

import dev.vmx.cap.AllowedSettings;
import dev.vmx.cap.ControlField;
import dev.vmx.cap.EntryControl;
import dev.vmx.cap.EptVpidCapability;
import dev.vmx.cap.EptVpidCapabilityBit;
import dev.vmx.cap.PinBasedControl;
import dev.vmx.cap.PrimaryExitControl;
import dev.vmx.cap.PrimaryProcessorBasedControl;
import dev.vmx.cap.SecondaryProcessorBasedControl;
import dev.vmx.cap.VmxCapabilities;
import dev.vmx.cap.VmxMsr;
import dev.vmx.vmcs.GuestSegment;
import dev.vmx.vmcs.VmcsField;
import dev.vmx.vmcs.VmcsSnapshot;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The inverse of {@link EntryChecker}: builds, for a processor's {@link VmxCapabilities}, a VMCS that
 * passes every VM-entry check (SDM Vol. 3C chapter "VM Entries", 26.2-26.4 in the 2016 edition,
 * 27.2-27.4 in later ones) for one of three kinds of guest.
 *
 * <pre>{@code
 * VmcsSnapshot vmcs = ValidVmcs.forGuest(ValidVmcs.GuestKind.IA32E_64BIT, caps);
 * EntryChecker.create().withCapabilities(caps).check(vmcs).failures();   // empty
 * }</pre>
 *
 * <p>How it is made valid: every control field is the smallest value the capability MSRs allow
 * ({@code (wanted | allowed0) & allowed1}), with only the controls the guest kind needs asked for;
 * the fields a forced control makes relevant (bitmap and page addresses, the EPT pointer, a VPID)
 * get 4-KByte aligned addresses and valid values; CR0 and CR4 (host and guest) carry the bits
 * IA32_VMX_CR0/CR4_FIXED0 require and none FIXED1 forbids (CR0.PE and PG exempt for the
 * unrestricted guest); segments, descriptor tables, RFLAGS, activity and interruptibility state are
 * the ones a freshly set-up guest of that kind has; there is no event injection, no MSR-load area,
 * and the VMCS link pointer is FFFFFFFF_FFFFFFFFH. {@link Builder#build()} runs {@link EntryChecker}
 * over the result and throws if any check fails, so a VMCS this class returns has passed the checker.
 *
 * <p>Only fields the processor has are written: a field behind a control the capabilities do not
 * allow (e.g. the IA32_PAT fields without "load IA32_PAT") is left out, so a driver can VMWRITE
 * every field of the snapshot. Addresses default to low pages (listed on {@link Builder}); a
 * hypervisor that runs the VMCS sets its own with the builder.
 */
public final class ValidVmcs {
    private ValidVmcs() {
    }

    /** The kinds of guest a valid VMCS can start. */
    public enum GuestKind {
        /** A 64-bit guest: "IA-32e mode guest" 1, CR0.PG and CR4.PAE 1, CS.L 1, a 64-bit busy TSS. */
        IA32E_64BIT,
        /** A 32-bit protected-mode guest with 32-bit (non-PAE) paging: CS.D 1, flat 4-GByte segments, a 32-bit busy TSS. */
        PROTECTED_32BIT,
        /**
         * A real-mode guest (CR0.PE and PG 0, 64-KByte segments at base 0) run with "unrestricted guest" and
         * "enable EPT", which the capabilities must allow.
         */
        REAL_MODE_UNRESTRICTED
    }

    /**
     * A VMCS that passes every entry check for a guest kind on a processor, with the default addresses
     * and a 64-bit host.
     *
     * @param kind the kind of guest
     * @param capabilities the processor's capability MSRs
     * @return the VMCS
     * @throws IllegalArgumentException naming the capability that is missing when the processor cannot run
     *     such a guest (e.g. no "unrestricted guest" for {@link GuestKind#REAL_MODE_UNRESTRICTED})
     */
    public static VmcsSnapshot forGuest(GuestKind kind, VmxCapabilities capabilities) {
        return builder(kind, capabilities).build();
    }

    /**
     * A builder, to choose addresses and the host's address-space size.
     *
     * @param kind the kind of guest
     * @param capabilities the processor's capability MSRs
     * @return a new builder with the defaults listed on {@link Builder}
     */
    public static Builder builder(GuestKind kind, VmxCapabilities capabilities) {
        return new Builder(Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(capabilities, "capabilities"));
    }

    /**
     * Builds a valid VMCS. Defaults: host RIP 0x10000, host RSP 0x1F000, host CR3 0x20000, guest RIP
     * 0x8000, guest RSP 0x9000, guest CR3 0x30000, EPT PML4 at 0x40000, GDT at 0x5000 (limit 0x37), IDT
     * at 0x6000 (limit 0x1FF), TSS at 0x7000; host selectors CS 0x08, SS/DS/ES/FS/GS 0x10, TR 0x18;
     * pages for bitmaps and APIC pages from 0x50000 up. Not thread-safe.
     */
    public static final class Builder {
        private final GuestKind kind;
        private final VmxCapabilities caps;
        private boolean hostLongMode = true;
        private long hostRip = 0x10000;
        private long hostRsp = 0x1F000;
        private long hostCr3 = 0x20000;
        private long guestRip = 0x8000;
        private long guestRsp = 0x9000;
        private long guestCr3 = 0x30000;
        private long eptRoot = 0x40000;

        private Builder(GuestKind kind, VmxCapabilities caps) {
            this.kind = kind;
            this.caps = caps;
        }

        /**
         * Whether the host (the hypervisor VM exits return to) runs in 64-bit mode: sets "host address-space
         * size" and host CR4.PAE. A host outside IA-32e mode cannot enter a 64-bit guest (SDM 26.2.4).
         *
         * @param longMode true for a 64-bit host (the default)
         * @return this builder
         */
        public Builder hostLongMode(boolean longMode) {
            this.hostLongMode = longMode;
            return this;
        }

        /**
         * Where VM exits continue in the host.
         *
         * @param rip host RIP (canonical; below 4 GBytes for a 32-bit host)
         * @param rsp host RSP
         * @return this builder
         */
        public Builder hostEntry(long rip, long rsp) {
            this.hostRip = rip;
            this.hostRsp = rsp;
            return this;
        }

        /**
         * The host's page-table root.
         *
         * @param cr3 host CR3
         * @return this builder
         */
        public Builder hostCr3(long cr3) {
            this.hostCr3 = cr3;
            return this;
        }

        /**
         * Where the guest starts.
         *
         * @param rip guest RIP (below 4 GBytes, and below 64 KBytes for a real-mode guest)
         * @param rsp guest RSP
         * @return this builder
         */
        public Builder guestEntry(long rip, long rsp) {
            this.guestRip = rip;
            this.guestRsp = rsp;
            return this;
        }

        /**
         * The guest's page-table root (ignored by a real-mode guest, which does not page).
         *
         * @param cr3 guest CR3
         * @return this builder
         */
        public Builder guestCr3(long cr3) {
            this.guestCr3 = cr3;
            return this;
        }

        /**
         * The EPT PML4 table, used when "enable EPT" is 1 (always for the real-mode guest).
         *
         * @param address a 4-KByte aligned physical address
         * @return this builder
         */
        public Builder eptRoot(long address) {
            if ((address & 0xFFF) != 0) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "EPT root 0x%x is not 4-KByte aligned", address));
            }
            this.eptRoot = address;
            return this;
        }

        /**
         * The VMCS.
         *
         * @return a VMCS that passes every entry check {@link EntryChecker} can judge with these capabilities
         * @throws IllegalArgumentException naming what the processor lacks when it cannot run the guest kind
         * @throws IllegalStateException listing the failed checks if the capabilities make a valid VMCS of this
         *     kind impossible in a way not foreseen here (e.g. FIXED0 demanding a bit FIXED1 forbids)
         */
        public VmcsSnapshot build() {
            boolean longGuest = kind == GuestKind.IA32E_64BIT;
            boolean realMode = kind == GuestKind.REAL_MODE_UNRESTRICTED;
            if (longGuest && !hostLongMode) {
                throw new IllegalArgumentException("a 64-bit guest needs a 64-bit host: a host outside IA-32e mode must clear"
                        + " \"IA-32e mode guest\" (SDM 26.2.4)");
            }
            VmcsSnapshot.Builder b = VmcsSnapshot.builder();

            // --- VM-execution, VM-exit and VM-entry controls: the minimum, plus what the guest kind needs
            long pin = caps.adjust(ControlField.PIN_BASED, 0);
            boolean needSecondary = realMode;
            long primary = caps.adjust(ControlField.PRIMARY_PROCESSOR_BASED,
                    needSecondary ? PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS.mask() : 0);
            require(ControlField.PRIMARY_PROCESSOR_BASED, primary, needSecondary ? PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS.mask() : 0,
                    "the real-mode guest needs the secondary controls");
            long secondary = 0;
            boolean secondaryActive = (primary & PrimaryProcessorBasedControl.ACTIVATE_SECONDARY_CONTROLS.mask()) != 0;
            if (secondaryActive) {
                long wanted = realMode ? SecondaryProcessorBasedControl.ENABLE_EPT.mask() | SecondaryProcessorBasedControl.UNRESTRICTED_GUEST.mask() : 0;
                secondary = caps.adjust(ControlField.SECONDARY_PROCESSOR_BASED, wanted);
                require(ControlField.SECONDARY_PROCESSOR_BASED, secondary, wanted, "a real-mode guest needs \"unrestricted guest\" and \"enable EPT\"");
            }
            long exitWanted = hostLongMode ? PrimaryExitControl.HOST_ADDRESS_SPACE_SIZE.mask() : 0;
            long exit = caps.adjust(ControlField.PRIMARY_EXIT, exitWanted);
            require(ControlField.PRIMARY_EXIT, exit, exitWanted, "a 64-bit host needs \"host address-space size\"");
            if (!hostLongMode && (exit & PrimaryExitControl.HOST_ADDRESS_SPACE_SIZE.mask()) != 0) {
                throw new IllegalArgumentException("the processor forces \"host address-space size\" to 1, so the host must be 64-bit");
            }
            long entryWanted = longGuest ? EntryControl.IA32E_MODE_GUEST.mask() : 0;
            long entry = caps.adjust(ControlField.ENTRY, entryWanted);
            require(ControlField.ENTRY, entry, entryWanted, "a 64-bit guest needs \"IA-32e mode guest\"");
            if (!longGuest && (entry & EntryControl.IA32E_MODE_GUEST.mask()) != 0) {
                throw new IllegalArgumentException("the processor forces \"IA-32e mode guest\" to 1, so only a 64-bit guest can be entered");
            }
            b.put(VmcsField.PIN_BASED_VM_EXEC_CONTROL, pin).put(VmcsField.CPU_BASED_VM_EXEC_CONTROL, primary)
                    .put(VmcsField.VM_EXIT_CONTROLS, exit).put(VmcsField.VM_ENTRY_CONTROLS, entry);
            if (secondaryActive) {
                b.put(VmcsField.SECONDARY_VM_EXEC_CONTROL, secondary);
            }
            // neutral values for the fields every VM entry reads
            b.put(VmcsField.EXCEPTION_BITMAP, 0).put(VmcsField.PAGE_FAULT_ERROR_CODE_MASK, 0).put(VmcsField.PAGE_FAULT_ERROR_CODE_MATCH, 0)
                    .put(VmcsField.CR3_TARGET_COUNT, 0).put(VmcsField.VM_EXIT_MSR_STORE_COUNT, 0).put(VmcsField.VM_EXIT_MSR_LOAD_COUNT, 0)
                    .put(VmcsField.VM_ENTRY_MSR_LOAD_COUNT, 0).put(VmcsField.VM_ENTRY_INTR_INFO_FIELD, 0)
                    .put(VmcsField.VM_ENTRY_EXCEPTION_ERROR_CODE, 0).put(VmcsField.VM_ENTRY_INSTRUCTION_LEN, 0)
                    .put(VmcsField.CR0_GUEST_HOST_MASK, 0).put(VmcsField.CR4_GUEST_HOST_MASK, 0).put(VmcsField.TSC_OFFSET, 0);
            controlAddresses(b, pin, primary, secondary);

            // --- host state
            long hostCr0 = fixedCr0(0x8000_0031L, false); // PG NE ET PE
            long hostCr4 = fixedCr4(hostLongMode ? 0x20 : 0); // PAE for a 64-bit host
            b.put(VmcsField.HOST_CR0, hostCr0).put(VmcsField.HOST_CR3, hostCr3).put(VmcsField.HOST_CR4, hostCr4)
                    .put(VmcsField.HOST_RIP, hostRip).put(VmcsField.HOST_RSP, hostRsp)
                    .put(VmcsField.HOST_CS_SELECTOR, 0x08).put(VmcsField.HOST_SS_SELECTOR, 0x10).put(VmcsField.HOST_DS_SELECTOR, 0x10)
                    .put(VmcsField.HOST_ES_SELECTOR, 0x10).put(VmcsField.HOST_FS_SELECTOR, 0x10).put(VmcsField.HOST_GS_SELECTOR, 0x10)
                    .put(VmcsField.HOST_TR_SELECTOR, 0x18).put(VmcsField.HOST_FS_BASE, 0).put(VmcsField.HOST_GS_BASE, 0)
                    .put(VmcsField.HOST_TR_BASE, 0x7000).put(VmcsField.HOST_GDTR_BASE, 0x5000).put(VmcsField.HOST_IDTR_BASE, 0x6000)
                    .put(VmcsField.HOST_IA32_SYSENTER_CS, 0).put(VmcsField.HOST_IA32_SYSENTER_ESP, 0).put(VmcsField.HOST_IA32_SYSENTER_EIP, 0);
            if (canBeOne(ControlField.PRIMARY_EXIT, PrimaryExitControl.LOAD_IA32_EFER.mask())) {
                b.put(VmcsField.HOST_IA32_EFER, hostLongMode ? 0x500 : 0); // LMA and LME equal "host address-space size"
            }
            if (canBeOne(ControlField.PRIMARY_EXIT, PrimaryExitControl.LOAD_IA32_PAT.mask())) {
                b.put(VmcsField.HOST_IA32_PAT, POWER_ON_PAT);
            }

            // --- guest state
            long guestCr0 = realMode ? fixedCr0(0x30, true) : fixedCr0(0x8000_0031L, false); // (PG) NE ET (PE)
            long guestCr4 = fixedCr4(longGuest ? 0x20 : 0);
            b.put(VmcsField.GUEST_CR0, guestCr0).put(VmcsField.GUEST_CR3, realMode ? 0 : guestCr3).put(VmcsField.GUEST_CR4, guestCr4)
                    .put(VmcsField.CR0_READ_SHADOW, guestCr0).put(VmcsField.CR4_READ_SHADOW, guestCr4)
                    .put(VmcsField.GUEST_DR7, 0x400).put(VmcsField.GUEST_IA32_DEBUGCTL, 0)
                    .put(VmcsField.GUEST_RIP, guestRip).put(VmcsField.GUEST_RSP, guestRsp).put(VmcsField.GUEST_RFLAGS, 0x2)
                    .put(VmcsField.GUEST_SYSENTER_CS, 0).put(VmcsField.GUEST_SYSENTER_ESP, 0).put(VmcsField.GUEST_SYSENTER_EIP, 0)
                    .put(VmcsField.GUEST_ACTIVITY_STATE, 0).put(VmcsField.GUEST_INTERRUPTIBILITY_INFO, 0)
                    .put(VmcsField.GUEST_PENDING_DBG_EXCEPTIONS, 0).put(VmcsField.VMCS_LINK_POINTER, -1L);
            if (canBeOne(ControlField.ENTRY, EntryControl.LOAD_IA32_EFER.mask())) {
                b.put(VmcsField.GUEST_IA32_EFER, longGuest ? 0x500 : 0); // LMA = "IA-32e mode guest", LME = LMA with paging
            }
            if (canBeOne(ControlField.ENTRY, EntryControl.LOAD_IA32_PAT.mask())) {
                b.put(VmcsField.GUEST_IA32_PAT, POWER_ON_PAT);
            }
            if (canBeOne(ControlField.ENTRY, EntryControl.LOAD_IA32_BNDCFGS.mask())) {
                b.put(VmcsField.GUEST_BNDCFGS, 0);
            }
            if (realMode) {
                long data = 0x93; // P, DPL 0, S, read/write accessed
                for (GuestSegment segment : new GuestSegment[] {GuestSegment.SS, GuestSegment.DS, GuestSegment.ES, GuestSegment.FS,
                    GuestSegment.GS}) {
                    segment(b, segment, 0, data, 0xFFFF, 0);
                }
                segment(b, GuestSegment.CS, 0, 0x9B, 0xFFFF, 0); // execute/read accessed code, DPL 0
                segment(b, GuestSegment.TR, 0, 0x8B, 0xFFFF, 0); // busy TSS, as VM entry needs a usable TR
                b.put(VmcsField.GUEST_GDTR_BASE, 0).put(VmcsField.GUEST_GDTR_LIMIT, 0xFFFF)
                        .put(VmcsField.GUEST_IDTR_BASE, 0).put(VmcsField.GUEST_IDTR_LIMIT, 0x3FF); // the real-mode IVT
            } else {
                long data = 0xC093; // G, D/B, P, DPL 0, S, read/write accessed
                segment(b, GuestSegment.CS, 0x08, longGuest ? 0xA09B : 0xC09B, 0xFFFF_FFFFL, 0); // L (64-bit) or D (32-bit)
                for (GuestSegment segment : new GuestSegment[] {GuestSegment.SS, GuestSegment.DS, GuestSegment.ES, GuestSegment.FS,
                    GuestSegment.GS}) {
                    segment(b, segment, 0x10, data, 0xFFFF_FFFFL, 0);
                }
                segment(b, GuestSegment.TR, 0x18, 0x8B, 0x67, 0x7000); // busy 32-bit or 64-bit TSS (type 11)
                b.put(VmcsField.GUEST_GDTR_BASE, 0x5000).put(VmcsField.GUEST_GDTR_LIMIT, 0x37)
                        .put(VmcsField.GUEST_IDTR_BASE, 0x6000).put(VmcsField.GUEST_IDTR_LIMIT, 0x1FF);
            }
            segment(b, GuestSegment.LDTR, 0, UNUSABLE, 0, 0);

            VmcsSnapshot vmcs = b.build();
            List<CheckOutcome> failures = EntryChecker.create().withCapabilities(caps).check(vmcs).failures();
            if (!failures.isEmpty()) {
                throw new IllegalStateException("no valid " + kind + " VMCS for these capabilities: "
                        + failures.stream().map(CheckOutcome::toString).collect(Collectors.joining("; ")));
            }
            return vmcs;
        }

        /** The address fields the active controls make VM entry check, each on its own page. */
        private void controlAddresses(VmcsSnapshot.Builder b, long pin, long primary, long secondary) {
            long page = 0x50000;
            if ((primary & PrimaryProcessorBasedControl.USE_IO_BITMAPS.mask()) != 0) {
                b.put(VmcsField.IO_BITMAP_A, page).put(VmcsField.IO_BITMAP_B, page + 0x1000);
            }
            page += 0x2000;
            if ((primary & PrimaryProcessorBasedControl.USE_MSR_BITMAPS.mask()) != 0) {
                b.put(VmcsField.MSR_BITMAP, page);
            }
            page += 0x1000;
            if ((primary & PrimaryProcessorBasedControl.USE_TPR_SHADOW.mask()) != 0) {
                b.put(VmcsField.VIRTUAL_APIC_PAGE_ADDR, page).put(VmcsField.TPR_THRESHOLD, 0);
            }
            page += 0x1000;
            if ((secondary & SecondaryProcessorBasedControl.VIRTUALIZE_APIC_ACCESSES.mask()) != 0) {
                b.put(VmcsField.APIC_ACCESS_ADDR, page);
            }
            page += 0x1000;
            if ((secondary & SecondaryProcessorBasedControl.ENABLE_EPT.mask()) != 0) {
                b.put(VmcsField.EPT_POINTER, eptPointer());
                b.put(VmcsField.GUEST_PDPTR0, 0).put(VmcsField.GUEST_PDPTR1, 0).put(VmcsField.GUEST_PDPTR2, 0).put(VmcsField.GUEST_PDPTR3, 0);
            }
            if ((secondary & SecondaryProcessorBasedControl.ENABLE_VPID.mask()) != 0) {
                b.put(VmcsField.VIRTUAL_PROCESSOR_ID, 1);
            }
            if ((secondary & SecondaryProcessorBasedControl.ENABLE_PML.mask()) != 0) {
                b.put(VmcsField.PML_ADDRESS, page);
            }
            page += 0x1000;
            if ((secondary & SecondaryProcessorBasedControl.VMCS_SHADOWING.mask()) != 0) {
                b.put(VmcsField.VMREAD_BITMAP, page).put(VmcsField.VMWRITE_BITMAP, page + 0x1000);
            }
            page += 0x2000;
            if ((secondary & SecondaryProcessorBasedControl.EPT_VIOLATION.mask()) != 0) {
                b.put(VmcsField.VE_INFORMATION_ADDRESS, page);
            }
            if ((secondary & SecondaryProcessorBasedControl.ENABLE_VM_FUNCTIONS.mask()) != 0) {
                b.put(VmcsField.VM_FUNCTION_CONTROL, 0);
            }
            if ((pin & PinBasedControl.ACTIVATE_VMX_PREEMPTION_TIMER.mask()) != 0) {
                b.put(VmcsField.VMX_PREEMPTION_TIMER_VALUE, 0xFFFF_FFFFL);
            }
        }

        /** The EPTP: write-back if supported (else uncacheable), a 4-level walk if supported (else 5). */
        private long eptPointer() {
            EptVpidCapability ept = caps.eptVpid().orElseThrow(() -> new IllegalArgumentException(
                    "\"enable EPT\" is 1 but the capabilities lack IA32_VMX_EPT_VPID_CAP (MSR 0x48c)"));
            long type = ept.has(EptVpidCapabilityBit.MEMORY_TYPE_WRITE_BACK) ? 6 : 0;
            if (type == 0 && !ept.has(EptVpidCapabilityBit.MEMORY_TYPE_UNCACHEABLE)) {
                throw new IllegalArgumentException("IA32_VMX_EPT_VPID_CAP reports neither a UC nor a WB EPT paging-structure memory type");
            }
            long walk = ept.has(EptVpidCapabilityBit.PAGE_WALK_LENGTH_4) ? 3 : 4;
            if (walk == 4 && !ept.has(EptVpidCapabilityBit.PAGE_WALK_LENGTH_5)) {
                throw new IllegalArgumentException("IA32_VMX_EPT_VPID_CAP reports neither a 4- nor a 5-level EPT page walk");
            }
            return eptRoot | (walk << 3) | type;
        }

        private boolean canBeOne(ControlField field, long mask) {
            return (caps.allowed(field).allowed1() & mask) != 0;
        }

        private void require(ControlField field, long value, long wanted, String why) {
            long missing = wanted & ~value;
            if (missing != 0) {
                AllowedSettings allowed = caps.allowed(field);
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: %s (MSR 0x%x) does not allow bits 0x%x of %s to be 1",
                        why, allowed.source(), allowed.source().index(), missing, field));
            }
        }

        private long fixedCr0(long wanted, boolean unrestricted) {
            long fixed0 = caps.msr(VmxMsr.IA32_VMX_CR0_FIXED0).getAsLong();
            long fixed1 = caps.msr(VmxMsr.IA32_VMX_CR0_FIXED1).getAsLong();
            if (unrestricted) {
                fixed0 &= ~0x8000_0001L; // PE and PG may be 0 with "unrestricted guest" (SDM 26.3.1.1)
            }
            return (wanted | fixed0) & fixed1;
        }

        private long fixedCr4(long wanted) {
            long fixed0 = caps.msr(VmxMsr.IA32_VMX_CR4_FIXED0).getAsLong();
            long fixed1 = caps.msr(VmxMsr.IA32_VMX_CR4_FIXED1).getAsLong();
            return (wanted | fixed0) & fixed1;
        }
    }

    /** The power-on IA32_PAT (SDM Vol. 3A 11.12.4): WB WT UC- UC, twice. */
    static final long POWER_ON_PAT = 0x0007_0406_0007_0406L;
    /** Access rights with only the unusable bit (16) set. */
    static final long UNUSABLE = 0x1_0000L;

    private static void segment(VmcsSnapshot.Builder b, GuestSegment segment, long selector, long ar, long limit, long base) {
        b.put(segment.selector(), selector).put(segment.accessRights(), ar).put(segment.limit(), limit).put(segment.base(), base);
    }
}
