#!/bin/sh
# Regenerates kvm-uapi.txt: ioctl numbers, constants and struct offsets/sizes exactly as the C
# compiler computes them from the installed Linux uapi headers (no hand arithmetic).
# Usage: sh generate-kvm-uapi.sh > kvm-uapi.txt
set -e
tmp=$(mktemp -d)
cat > "$tmp/g.c" <<'C'
#include <stdio.h>
#include <stddef.h>
#include <linux/kvm.h>
#define V(n) printf("%s\t%llu\n", #n, (unsigned long long)(n))
#define O(s, f, name) printf("%s\t%zu\n", name, offsetof(struct s, f))
#define S(s) printf("sizeof_%s\t%zu\n", #s, sizeof(struct s))
int main(void) {
  V(KVM_API_VERSION);
  V(KVM_GET_API_VERSION); V(KVM_CREATE_VM); V(KVM_CHECK_EXTENSION); V(KVM_GET_VCPU_MMAP_SIZE);
  V(KVM_GET_MSR_FEATURE_INDEX_LIST); V(KVM_GET_MSRS); V(KVM_SET_USER_MEMORY_REGION);
  V(KVM_CREATE_VCPU); V(KVM_RUN); V(KVM_GET_REGS); V(KVM_SET_REGS); V(KVM_GET_SREGS); V(KVM_SET_SREGS);
  V(KVM_GET_NESTED_STATE); V(KVM_SET_NESTED_STATE);
  V(KVM_CAP_NESTED_STATE); V(KVM_CAP_GET_MSR_FEATURES); V(KVM_CAP_USER_MEMORY);
  V(KVM_EXIT_UNKNOWN); V(KVM_EXIT_EXCEPTION); V(KVM_EXIT_IO); V(KVM_EXIT_HYPERCALL); V(KVM_EXIT_DEBUG);
  V(KVM_EXIT_HLT); V(KVM_EXIT_MMIO); V(KVM_EXIT_IRQ_WINDOW_OPEN); V(KVM_EXIT_SHUTDOWN); V(KVM_EXIT_FAIL_ENTRY);
  V(KVM_EXIT_INTR); V(KVM_EXIT_SET_TPR); V(KVM_EXIT_TPR_ACCESS); V(KVM_EXIT_NMI); V(KVM_EXIT_INTERNAL_ERROR);
  V(KVM_EXIT_SYSTEM_EVENT); V(KVM_EXIT_IOAPIC_EOI); V(KVM_EXIT_HYPERV); V(KVM_EXIT_X86_RDMSR); V(KVM_EXIT_X86_WRMSR);
  V(KVM_EXIT_DIRTY_RING_FULL); V(KVM_EXIT_AP_RESET_HOLD); V(KVM_EXIT_X86_BUS_LOCK); V(KVM_EXIT_XEN); V(KVM_EXIT_NOTIFY);
  V(KVM_EXIT_IO_IN); V(KVM_EXIT_IO_OUT);
  V(KVM_INTERNAL_ERROR_EMULATION); V(KVM_INTERNAL_ERROR_SIMUL_EX); V(KVM_INTERNAL_ERROR_DELIVERY_EV);
  V(KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON); V(KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES);
  V(KVM_STATE_NESTED_FORMAT_VMX); V(KVM_STATE_NESTED_FORMAT_SVM); V(KVM_STATE_NESTED_VMX_VMCS_SIZE);
  O(kvm_run, exit_reason, "kvm_run.exit_reason");
  O(kvm_run, io.direction, "kvm_run.io.direction"); O(kvm_run, io.size, "kvm_run.io.size");
  O(kvm_run, io.port, "kvm_run.io.port"); O(kvm_run, io.count, "kvm_run.io.count");
  O(kvm_run, io.data_offset, "kvm_run.io.data_offset");
  O(kvm_run, mmio.phys_addr, "kvm_run.mmio.phys_addr"); O(kvm_run, mmio.data, "kvm_run.mmio.data");
  O(kvm_run, mmio.len, "kvm_run.mmio.len"); O(kvm_run, mmio.is_write, "kvm_run.mmio.is_write");
  O(kvm_run, fail_entry.hardware_entry_failure_reason, "kvm_run.fail_entry.hardware_entry_failure_reason");
  O(kvm_run, fail_entry.cpu, "kvm_run.fail_entry.cpu");
  O(kvm_run, internal.suberror, "kvm_run.internal.suberror"); O(kvm_run, internal.ndata, "kvm_run.internal.ndata");
  O(kvm_run, internal.data, "kvm_run.internal.data");
  O(kvm_run, emulation_failure.flags, "kvm_run.emulation_failure.flags");
  O(kvm_run, emulation_failure.insn_size, "kvm_run.emulation_failure.insn_size");
  O(kvm_run, emulation_failure.insn_bytes, "kvm_run.emulation_failure.insn_bytes");
  O(kvm_run, hw.hardware_exit_reason, "kvm_run.hw.hardware_exit_reason");
  O(kvm_run, system_event.type, "kvm_run.system_event.type");
  S(kvm_run);
  O(kvm_userspace_memory_region, slot, "kvm_userspace_memory_region.slot");
  O(kvm_userspace_memory_region, flags, "kvm_userspace_memory_region.flags");
  O(kvm_userspace_memory_region, guest_phys_addr, "kvm_userspace_memory_region.guest_phys_addr");
  O(kvm_userspace_memory_region, memory_size, "kvm_userspace_memory_region.memory_size");
  O(kvm_userspace_memory_region, userspace_addr, "kvm_userspace_memory_region.userspace_addr");
  S(kvm_userspace_memory_region);
  O(kvm_regs, rax, "kvm_regs.rax"); O(kvm_regs, rdx, "kvm_regs.rdx"); O(kvm_regs, rsp, "kvm_regs.rsp");
  O(kvm_regs, rip, "kvm_regs.rip"); O(kvm_regs, rflags, "kvm_regs.rflags"); S(kvm_regs);
  O(kvm_sregs, cs, "kvm_sregs.cs"); O(kvm_sregs, ds, "kvm_sregs.ds"); O(kvm_sregs, es, "kvm_sregs.es");
  O(kvm_sregs, fs, "kvm_sregs.fs"); O(kvm_sregs, gs, "kvm_sregs.gs"); O(kvm_sregs, ss, "kvm_sregs.ss");
  O(kvm_sregs, idt, "kvm_sregs.idt"); O(kvm_sregs, cr0, "kvm_sregs.cr0"); O(kvm_sregs, cr3, "kvm_sregs.cr3");
  O(kvm_sregs, cr4, "kvm_sregs.cr4"); O(kvm_sregs, efer, "kvm_sregs.efer"); S(kvm_sregs);
  O(kvm_segment, base, "kvm_segment.base"); O(kvm_segment, limit, "kvm_segment.limit");
  O(kvm_segment, selector, "kvm_segment.selector"); O(kvm_segment, type, "kvm_segment.type");
  O(kvm_segment, present, "kvm_segment.present"); O(kvm_segment, dpl, "kvm_segment.dpl");
  O(kvm_segment, db, "kvm_segment.db"); O(kvm_segment, s, "kvm_segment.s"); O(kvm_segment, l, "kvm_segment.l");
  O(kvm_segment, g, "kvm_segment.g"); S(kvm_segment);
  O(kvm_dtable, base, "kvm_dtable.base"); O(kvm_dtable, limit, "kvm_dtable.limit"); S(kvm_dtable);
  O(kvm_msr_list, nmsrs, "kvm_msr_list.nmsrs"); O(kvm_msr_list, indices, "kvm_msr_list.indices");
  O(kvm_msrs, nmsrs, "kvm_msrs.nmsrs"); O(kvm_msrs, entries, "kvm_msrs.entries"); S(kvm_msrs);
  O(kvm_msr_entry, index, "kvm_msr_entry.index"); O(kvm_msr_entry, data, "kvm_msr_entry.data"); S(kvm_msr_entry);
  O(kvm_nested_state, flags, "kvm_nested_state.flags"); O(kvm_nested_state, format, "kvm_nested_state.format");
  O(kvm_nested_state, size, "kvm_nested_state.size"); O(kvm_nested_state, hdr, "kvm_nested_state.hdr");
  O(kvm_nested_state, hdr.vmx.vmxon_pa, "kvm_nested_state.hdr.vmx.vmxon_pa");
  O(kvm_nested_state, hdr.vmx.vmcs12_pa, "kvm_nested_state.hdr.vmx.vmcs12_pa");
  O(kvm_nested_state, data, "kvm_nested_state.data");
  O(kvm_nested_state, data.vmx[0].vmcs12, "kvm_nested_state.data.vmx.vmcs12");
  O(kvm_nested_state, data.vmx[0].shadow_vmcs12, "kvm_nested_state.data.vmx.shadow_vmcs12");
  S(kvm_nested_state);
  return 0;
}
C
gcc -o "$tmp/g" "$tmp/g.c"
echo "# Origin: /usr/include/linux/kvm.h and /usr/include/x86_64-linux-gnu/asm/kvm.h (Debian linux-libc-dev $(dpkg-query -W -f='${Version}' linux-libc-dev 2>/dev/null || echo unknown), x86-64),"
echo "# values computed by gcc (offsetof/sizeof/_IO* macros) with generate-kvm-uapi.sh next to this file"
"$tmp/g"
rm -rf "$tmp"
