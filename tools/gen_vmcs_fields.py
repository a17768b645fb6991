#!/usr/bin/env python3
"""Generates vmx-api/src/main/java/dev/vmx/vmcs/VmcsField.java constants.

Sources (the same files the tests check the enum against):
  Linux 6.1 enum vmcs_field  -> vmx-api/src/test/resources/dev/vmx/vmcs/linux-6.1-vmcs-fields.txt
  Linux 6.18 CET additions   -> .../linux-6.18-vmcs-additions.txt
  ia32-doc (SDM Appendix B)  -> .../ia32-doc-vmcs-fields.txt
  KVM patch series (FRED, APIC-timer virtualization) -> .../linux-kvm-patches-vmcs-fields.txt
  Bochs vmx.h (SDM + Intel ISE) -> .../bochs-vmcs-fields.txt
Released-Linux names win, then KVM patch-series names; fields only the SDM (ia32-doc) or Bochs
lists get Linux-style names from SDM_ONLY_NAMES / BOCHS_ONLY_NAMES below, and 64-bit ones get a
_HIGH sibling as Linux does. The ia32-doc name is kept as the SDM alias.
"""
import pathlib, sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
RES = ROOT / "vmx-api/src/test/resources/dev/vmx/vmcs"

SDM_ONLY_NAMES = {
    0x0004: "EPTP_INDEX", 0x0006: "HLAT_PREFIX_SIZE", 0x0814: "GUEST_UINV",
    0x200C: "EXECUTIVE_VMCS_POINTER", 0x202A: "VE_INFORMATION_ADDRESS", 0x2030: "SPP_TABLE_POINTER",
    0x2036: "ENCLV_EXITING_BITMAP", 0x2038: "LOW_PASID_DIRECTORY_ADDRESS",
    0x203A: "HIGH_PASID_DIRECTORY_ADDRESS", 0x203C: "SHARED_EPT_POINTER",
    0x203E: "PCONFIG_EXITING_BITMAP", 0x2040: "HLAT_POINTER", 0x2044: "SECONDARY_VM_EXIT_CONTROLS",
    0x204A: "IA32_SPEC_CTRL_MASK", 0x204C: "IA32_SPEC_CTRL_SHADOW", 0x2816: "GUEST_IA32_LBR_CTL",
    0x2818: "GUEST_IA32_PKRS", 0x2C06: "HOST_IA32_PKRS", 0x4828: "GUEST_SMBASE",
    0x6402: "EXIT_IO_RCX", 0x6404: "EXIT_IO_RSI", 0x6406: "EXIT_IO_RDI", 0x6408: "EXIT_IO_RIP",
}

# Bochs-only fields (Intel ISE features ia32-doc and Linux do not list yet)
BOCHS_ONLY_NAMES = {
    0x000A: "VIRTUAL_TIMER_VECTOR", 0x2402: "MSR_DATA", 0x282E: "GUEST_IA32_SPEC_CTRL",
    0x2C1A: "HOST_IA32_SPEC_CTRL", 0x4026: "SEAM_GUEST_KEYID",
}

def rows(name):
    for line in (RES / name).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            n, v = line.split()
            yield n, int(v, 16)

fields = {}  # encoding -> name
for n, e in list(rows("linux-6.1-vmcs-fields.txt")) + list(rows("linux-6.18-vmcs-additions.txt")):
    fields[e] = n
linux = set(fields)  # encodings released Linux names
patch = {e: n for n, e in rows("linux-kvm-patches-vmcs-fields.txt")}
ia32 = {e: n for n, e in rows("ia32-doc-vmcs-fields.txt")}
for e, n in ia32.items():
    if e not in fields:
        if e not in SDM_ONLY_NAMES:
            sys.exit("no Linux-style name for SDM field %s 0x%04x" % (n, e))
        fields[e] = SDM_ONLY_NAMES[e]
        if (e >> 13) & 3 == 1 and e & 1 == 0:
            fields[e | 1] = SDM_ONLY_NAMES[e] + "_HIGH"

for e, n in patch.items():
    if e not in fields:
        fields[e] = n
for n, e in rows("bochs-vmcs-fields.txt"):
    if e not in fields and e not in ia32:
        if e & 1:
            continue  # HIGH halves follow their FULL field below
        if e not in BOCHS_ONLY_NAMES:
            sys.exit("no Linux-style name for Bochs field %s 0x%04x" % (n, e))
        fields[e] = BOCHS_ONLY_NAMES[e]
        if (e >> 13) & 3 == 1:
            fields[e | 1] = BOCHS_ONLY_NAMES[e] + "_HIGH"

out = []
for e in sorted(fields):
    alias = ia32.get(e, "")
    if e in linux:
        note = ""
    elif e in patch:
        note = " (name from a KVM patch series; not in a released Linux's enum vmcs_field)"
    elif e in ia32 or (e & ~1) in ia32:
        note = " (SDM only; not in Linux's enum vmcs_field)"
    else:
        note = " (SDM/Intel ISE via Bochs; not in Linux's enum vmcs_field)"
    out.append('    /** Encoding 0x%04x%s. */\n    %s(0x%04x, "%s", %s),' % (
        e, note, fields[e], e, alias, "true" if e in linux else "false"))
print("\n".join(out)[:-1] + ";")
