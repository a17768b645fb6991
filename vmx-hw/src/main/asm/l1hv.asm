; l1hv.asm: a tiny L1 hypervisor that Bochs boots from its first hard disk (dev.vmx.hw.bochs).
;
; Assemble: nasm -f bin -o l1hv.bin l1hv.asm   (the image must stay <= 64 sectors, 32 KiB)
;
; Boot: the BIOS loads sector 0 at 0x7C00; it loads sectors 1..63 right after it (0x7E00) (INT 13h AH=42h),
; enters 32-bit protected mode, builds identity page tables (4 GiB, 2 MiB pages), enters long mode,
; sets IA32_FEATURE_CONTROL if the BIOS left it unlocked, reads the IA32_VMX_* MSRs (a #GP, for an
; MSR this CPU model lacks, is caught and reported), VMXON, and reports HELLO. Then it reads the
; case stream from the same disk, starting at LBA 64, with ATA PIO (so a batch of any size needs
; one boot), and runs each case. Memory from 1 MiB up belongs to the cases; below is ours.
;
; Case stream: little-endian u32 opcodes, each followed by its operands (all multiples of 4 bytes):
;   1 BEGIN   u32 case          VMCLEAR a zeroed VMCS, VMPTRLD it, write the host state below,
;                               zero the L2 registers
;   2 VMWRITE u32 enc, u64 val  (a failure is reported as WRITE_FAIL; the case is then not launched)
;   3 POKE    u64 addr, u64 val store 8 bytes at a physical (= linear) address
;   4 FILL    u64 addr, u32 n, u64 first, u64 step   n 8-byte stores: first, first+step, ...
;   5 FIELDS  u32 n, n * u32 enc  the fields VMREAD after every exit (kept until changed)
;   6 LAUNCH  u32 maxExits, u64 advanceMask   VMLAUNCH, then VMRESUME after each exit until
;                               maxExits exits or a VM-entry failure; before resuming, guest RIP
;                               advances by the VM-exit instruction length when bit (basic reason)
;                               of advanceMask is set (reasons 0..63)
;   7 END                       report BYE and write "Shutdown" to port 0x8900
;   8 GPR     u32 index, u64 val  the L2's initial general register (0 RAX .. 15 R15; 4 RSP ignored)
;
; Reports go to port 0xE9 (Bochs' port_e9_hack), as frames:
;   0xA5 0x5A, u8 type, u32 seq, u16 len, payload[len], u32 sum of the bytes from type to payload end
; Types: 1 HELLO   u32 version, u32 n, n * (u32 msr, u32 ok, u64 value)
;        2 WRITE_FAIL u32 case, u32 enc, u64 value, u32 kind (1 VMfailInvalid, 2 VMfailValid), u32 error
;        3 VMFAIL  u32 case, u32 exitIndex, u32 kind, u32 error      (VMLAUNCH/VMRESUME failed)
;        4 EXIT    u32 case, u32 exitIndex, u32 n, n * (u8 ok, u64 value)  in FIELDS order
;        5 CASE_END u32 case, u32 exits, u32 how (0 maxExits, 1 entry failure, 2 VMfail, 3 not launched)
;        6 FATAL   u32 vector, u32 errorCode, u64 rip, u64 cr2        (an exception in L1; ends)
;        7 BYE     u32 cases
;        8 CASE_START u32 case                                       (just before VMLAUNCH)
;        9 STREAM_ERROR u32 opcode, u32 lba, u32 status              (bad opcode or disk error; ends)

VERSION      equ 1
STAGE2       equ 0x7e00             ; right after the boot sector, as org 0x7c00 assumes
PML4         equ 0x10000
PDPT         equ 0x11000
PD0          equ 0x12000            ; four page directories: 0x12000..0x15fff
VMXON_REGION equ 0x16000
VMCS_REGION  equ 0x17000
IDT          equ 0x18000
FIELD_LIST   equ 0x19000            ; up to 1024 u32 encodings
GPR_SAVE     equ 0x1a000            ; 16 * u64 L2 registers
REPORT_BUF   equ 0x1b000            ; up to 1024 * 9 bytes of an EXIT record, or HELLO's MSRs
DISK_BUF     equ 0x20000            ; 64 KiB: 128 sectors per ATA read
DISK_SECTORS equ 128
STACK_TOP    equ 0x90000
CASE_LBA     equ 64

VMCS_INSTRUCTION_ERROR equ 0x4400
VMCS_EXIT_REASON       equ 0x4402
VMCS_EXIT_INSTR_LEN    equ 0x440c
VMCS_GUEST_RIP         equ 0x681e

bits 16
org 0x7c00
boot:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    in al, 0x92                    ; A20 on
    or al, 2
    and al, 0xfe
    out 0x92, al
    mov si, dap
    mov ah, 0x42                   ; DL still holds the boot drive
    int 0x13
    jc .halt
    lgdt [gdt_desc]
    mov eax, cr0
    or eax, 1
    mov cr0, eax
    jmp 0x18:pm32
.halt:
    hlt
    jmp .halt

align 4
dap:  db 16, 0
      dw 63                        ; sectors 1..63
      dw STAGE2, 0
      dq 1

align 8
gdt:  dq 0
      dq 0x00af9a000000ffff        ; 0x08 64-bit code
      dq 0x00cf92000000ffff        ; 0x10 data
      dq 0x00cf9a000000ffff        ; 0x18 32-bit code
tss_desc:                          ; 0x20 64-bit TSS (base filled in below)
      dw 0x67, 0
      db 0, 0x89, 0, 0
      dd 0, 0
gdt_end:
gdt_desc:
      dw gdt_end - gdt - 1
      dd gdt

bits 32
pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, STACK_TOP
    jmp stage2_32

times 510 - ($ - $$) db 0
dw 0xaa55

; ---------------------------------------------------------------- sector 1 on, loaded at 0x7e00
stage2_32:
    ; identity page tables: PML4[0] -> PDPT, PDPT[0..3] -> PD0..3, PD entries 2 MiB pages
    mov edi, PML4
    mov ecx, (0x16000 - PML4) / 4
    xor eax, eax
    rep stosd
    mov dword [PML4], PDPT | 3
    mov dword [PDPT], PD0 | 3
    mov dword [PDPT + 8], (PD0 + 0x1000) | 3
    mov dword [PDPT + 16], (PD0 + 0x2000) | 3
    mov dword [PDPT + 24], (PD0 + 0x3000) | 3
    mov edi, PD0
    mov eax, 0x83                  ; present, writable, 2 MiB
    xor edx, edx
    mov ecx, 2048
.pd:
    mov [edi], eax
    mov [edi + 4], edx
    add eax, 0x200000
    adc edx, 0
    add edi, 8
    loop .pd
    mov eax, cr4
    or eax, 0x20                   ; PAE
    mov cr4, eax
    mov eax, PML4
    mov cr3, eax
    mov ecx, 0xc0000080            ; IA32_EFER.LME
    rdmsr
    or eax, 0x100
    wrmsr
    mov eax, cr0
    or eax, 0x80000021             ; PG, NE, PE
    mov cr0, eax
    jmp 0x08:lm64

bits 64
lm64:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax
    mov rsp, STACK_TOP
    ; TSS descriptor base and LTR (VM exits need a non-null host TR)
    mov rax, tss
    mov [tss_desc + 2], ax
    shr rax, 16
    mov [tss_desc + 4], al
    mov [tss_desc + 7], ah
    mov ax, 0x20
    ltr ax
    call build_idt
    lidt [idt_desc]

    ; ATA: no interrupts from the disk (nIEN)
    mov dx, 0x3f6
    mov al, 2
    out dx, al

    ; IA32_FEATURE_CONTROL: lock with VMX outside SMX when the BIOS left it unlocked
    mov ecx, 0x3a
    rdmsr
    test eax, 1
    jnz .locked
    or eax, 5
    wrmsr
.locked:
    call hello

    ; CR0/CR4 as VMX requires (FIXED0 bits set, FIXED1 zeros clear), CR4.VMXE
    mov ecx, 0x486
    rdmsr
    mov rbx, cr0
    or ebx, eax
    mov ecx, 0x487
    rdmsr
    and ebx, eax
    mov cr0, rbx
    mov rbx, cr4
    or ebx, 0x2000
    mov ecx, 0x488
    rdmsr
    or ebx, eax
    mov ecx, 0x489
    rdmsr
    and ebx, eax
    mov cr4, rbx

    mov ecx, 0x480
    rdmsr
    and eax, 0x7fffffff
    mov [VMXON_REGION], eax
    mov [revision], eax
    vmxon [vmxon_ptr]
    jbe .vmxon_failed
    jmp next_op
.vmxon_failed:
    ; reported as a VMFAIL of case 0xffffffff, exit index 0
    pushfq
    pop rbx
    mov dword [case_id], 0xffffffff
    mov dword [exit_count], 0
    jmp report_vmfail_flags

; ---------------------------------------------------------------- case stream
next_op:
    call read_u32
    cmp eax, 1
    je op_begin
    cmp eax, 2
    je op_vmwrite
    cmp eax, 3
    je op_poke
    cmp eax, 4
    je op_fill
    cmp eax, 5
    je op_fields
    cmp eax, 6
    je op_launch
    cmp eax, 7
    je op_end
    cmp eax, 8
    je op_gpr
    ; unknown opcode
    mov ebx, eax
    mov al, 9
    mov cx, 12
    call frame_begin
    mov eax, ebx
    call emit_u32
    mov eax, [lba]
    call emit_u32
    xor eax, eax
    call emit_u32
    call frame_end
    jmp shutdown

op_begin:
    call read_u32
    mov [case_id], eax
    mov byte [write_failed], 0
    inc dword [cases]
    vmclear [vmcs_ptr]             ; flush the old one before its memory is zeroed
    mov rdi, VMCS_REGION
    mov ecx, 512
    xor eax, eax
    rep stosq
    mov eax, [revision]
    mov [VMCS_REGION], eax
    vmclear [vmcs_ptr]
    vmptrld [vmcs_ptr]
    mov rdi, GPR_SAVE
    mov ecx, 16
    xor eax, eax
    rep stosq
    ; host state: this hypervisor, as it runs now
    mov rsi, host_fields
.host:
    mov ebx, [rsi]
    test ebx, ebx
    jz next_op
    mov rax, [rsi + 8]
    cmp ebx, 0x6c00
    jne .h1
    mov rax, cr0
.h1:
    cmp ebx, 0x6c02
    jne .h2
    mov rax, cr3
.h2:
    cmp ebx, 0x6c04
    jne .h3
    mov rax, cr4
.h3:
    cmp ebx, 0x2c02
    jne .h4
    push rcx
    mov ecx, 0xc0000080
    rdmsr
    shl rdx, 32
    or rax, rdx
    pop rcx
.h4:
    vmwrite rbx, rax
    add rsi, 16
    jmp .host

op_vmwrite:
    call read_u32
    mov ebx, eax
    call read_u64
    vmwrite rbx, rax
    jbe .failed
    jmp next_op
.failed:
    pushfq
    pop r12
    mov r13, rax
    mov byte [write_failed], 1
    mov al, 2
    mov cx, 24
    call frame_begin
    mov eax, [case_id]
    call emit_u32
    mov eax, ebx
    call emit_u32
    mov rax, r13
    call emit_u64
    call fail_kind                 ; r12 = RFLAGS -> eax kind, edx error
    push rdx
    call emit_u32
    pop rax
    call emit_u32
    call frame_end
    jmp next_op

op_poke:
    call read_u64
    mov rdi, rax
    call read_u64
    mov [rdi], rax
    jmp next_op

op_fill:
    call read_u64
    mov rdi, rax
    call read_u32
    mov r8d, eax
    call read_u64
    mov r9, rax
    call read_u64
.fill:
    test r8d, r8d
    jz next_op
    mov [rdi], r9
    add r9, rax
    add rdi, 8
    dec r8d
    jmp .fill

op_fields:
    call read_u32
    mov [field_count], eax
    mov r8d, eax
    mov rdi, FIELD_LIST
.f:
    test r8d, r8d
    jz next_op
    call read_u32
    mov [rdi], eax
    add rdi, 4
    dec r8d
    jmp .f

op_gpr:
    call read_u32
    mov ebx, eax
    and ebx, 15
    call read_u64
    mov [GPR_SAVE + rbx * 8], rax
    jmp next_op

op_end:
    mov al, 7
    mov cx, 4
    call frame_begin
    mov eax, [cases]
    call emit_u32
    call frame_end
    jmp shutdown

op_launch:
    call read_u32
    mov [max_exits], eax
    call read_u64
    mov [advance_mask], rax
    mov dword [exit_count], 0
    cmp byte [write_failed], 0
    je .go
    mov dword [how], 3
    jmp case_end
.go:
    mov al, 8
    mov cx, 4
    call frame_begin
    mov eax, [case_id]
    call emit_u32
    call frame_end
    call load_guest_gprs
    vmlaunch
    ; VMLAUNCH fell through: VMfail
    pushfq
    pop rbx
    mov rsp, STACK_TOP
    jmp report_vmfail_flags

vmexit:                            ; HOST_RIP: every VM exit and every entry-failure exit lands here
    mov [GPR_SAVE + 0], rax
    mov [GPR_SAVE + 8], rcx
    mov [GPR_SAVE + 16], rdx
    mov [GPR_SAVE + 24], rbx
    mov [GPR_SAVE + 40], rbp
    mov [GPR_SAVE + 48], rsi
    mov [GPR_SAVE + 56], rdi
    mov [GPR_SAVE + 64], r8
    mov [GPR_SAVE + 72], r9
    mov [GPR_SAVE + 80], r10
    mov [GPR_SAVE + 88], r11
    mov [GPR_SAVE + 96], r12
    mov [GPR_SAVE + 104], r13
    mov [GPR_SAVE + 112], r14
    mov [GPR_SAVE + 120], r15
    mov rsp, STACK_TOP
    inc dword [exit_count]
    call report_exit
    mov eax, VMCS_EXIT_REASON
    vmread rbx, rax
    bt ebx, 31
    jnc .entered
    mov dword [how], 1
    jmp case_end
.entered:
    mov eax, [exit_count]
    cmp eax, [max_exits]
    jb .resume
    mov dword [how], 0
    jmp case_end
.resume:
    movzx ebx, bx
    cmp ebx, 64
    jae .no_advance
    mov rax, [advance_mask]
    bt rax, rbx
    jnc .no_advance
    mov eax, VMCS_EXIT_INSTR_LEN
    vmread rcx, rax
    mov eax, VMCS_GUEST_RIP
    vmread rdx, rax
    add rdx, rcx
    vmwrite rax, rdx
.no_advance:
    call load_guest_gprs
    vmresume
    pushfq
    pop rbx
    mov rsp, STACK_TOP
    ; fall into report_vmfail_flags

report_vmfail_flags:               ; rbx = RFLAGS after the failed VMX instruction
    mov r12, rbx
    mov al, 3
    mov cx, 16
    call frame_begin
    mov eax, [case_id]
    call emit_u32
    mov eax, [exit_count]
    call emit_u32
    call fail_kind
    push rdx
    call emit_u32
    pop rax
    call emit_u32
    call frame_end
    cmp dword [case_id], 0xffffffff
    je shutdown                    ; VMXON failed: nothing more can run
    mov dword [how], 2
case_end:
    mov al, 5
    mov cx, 12
    call frame_begin
    mov eax, [case_id]
    call emit_u32
    mov eax, [exit_count]
    call emit_u32
    mov eax, [how]
    call emit_u32
    call frame_end
    jmp next_op

; r12 = RFLAGS of a failed VMX instruction -> eax = 1 (CF, VMfailInvalid) or 2 (ZF, VMfailValid),
; edx = VM-instruction error (0 for VMfailInvalid)
fail_kind:
    xor edx, edx
    mov eax, 1
    test r12d, 1
    jnz .done
    mov eax, VMCS_INSTRUCTION_ERROR
    vmread rdx, rax
    mov eax, 2
.done:
    ret

load_guest_gprs:
    mov rax, [GPR_SAVE + 0]
    mov rcx, [GPR_SAVE + 8]
    mov rdx, [GPR_SAVE + 16]
    mov rbx, [GPR_SAVE + 24]
    mov rbp, [GPR_SAVE + 40]
    mov rsi, [GPR_SAVE + 48]
    mov rdi, [GPR_SAVE + 56]
    mov r8, [GPR_SAVE + 64]
    mov r9, [GPR_SAVE + 72]
    mov r10, [GPR_SAVE + 80]
    mov r11, [GPR_SAVE + 88]
    mov r12, [GPR_SAVE + 96]
    mov r13, [GPR_SAVE + 104]
    mov r14, [GPR_SAVE + 112]
    mov r15, [GPR_SAVE + 120]
    ret

report_exit:
    ; VMREAD everything first: a failing VMREAD makes Bochs log a line, which must not land
    ; inside a frame (the log shares stdout with port 0xE9)
    mov rsi, FIELD_LIST
    mov rdi, REPORT_BUF
    mov r8d, [field_count]
.read:
    test r8d, r8d
    jz .emit
    mov eax, [rsi]
    xor edx, edx
    vmread rdx, rax
    setnbe byte [rdi]
    jnbe .ok
    xor edx, edx
.ok:
    mov [rdi + 1], rdx
    add rsi, 4
    add rdi, 9
    dec r8d
    jmp .read
.emit:
    mov eax, [field_count]
    lea ecx, [eax * 8 + eax + 12]
    mov al, 4
    call frame_begin
    mov eax, [case_id]
    call emit_u32
    mov eax, [exit_count]
    dec eax
    call emit_u32
    mov eax, [field_count]
    call emit_u32
    mov eax, [field_count]
    lea ecx, [eax * 8 + eax]
    mov rsi, REPORT_BUF
    call emit_bytes
    jmp frame_end

; ---------------------------------------------------------------- HELLO: the VMX MSRs
hello:
    ; RDMSR everything first (a #GP or a Bochs log line must not land inside a frame)
    mov rsi, msr_list
    mov rdi, REPORT_BUF
.next:
    mov ecx, [rsi]
    test ecx, ecx
    jz .emit
    mov byte [msr_fault], 0
    mov byte [msr_probe], 1
    xor eax, eax
    xor edx, edx
    rdmsr                          ; a #GP here sets msr_fault and skips the 2-byte RDMSR
    mov byte [msr_probe], 0
    mov [rdi + 8], eax
    mov [rdi + 12], edx
    mov eax, [rsi]
    mov [rdi], eax
    mov eax, 1
    sub al, [msr_fault]
    mov [rdi + 4], eax
    add rsi, 4
    add rdi, 16
    jmp .next
.emit:
    mov al, 1
    mov cx, 8 + 16 * msr_count
    call frame_begin
    mov eax, VERSION
    call emit_u32
    mov eax, msr_count
    call emit_u32
    mov ecx, 16 * msr_count
    mov rsi, REPORT_BUF
    call emit_bytes
    jmp frame_end

; ---------------------------------------------------------------- exceptions in L1
build_idt:
    mov rdi, IDT
    mov rsi, isr_table
    mov ecx, 32
.g:
    mov rax, [rsi]
    mov [rdi], ax                  ; offset 15:0
    mov word [rdi + 2], 0x08
    mov word [rdi + 4], 0x8e00     ; present, 64-bit interrupt gate
    shr rax, 16
    mov [rdi + 6], ax
    shr rax, 16
    mov [rdi + 8], eax
    mov dword [rdi + 12], 0
    add rdi, 16
    add rsi, 8
    loop .g
    ret

%macro ISR 1
isr_%1:
%if %1 = 8 || (%1 >= 10 && %1 <= 14) || %1 = 17 || %1 = 21 || %1 = 29 || %1 = 30
%else
    push 0
%endif
    push %1
    jmp isr_common
%endmacro
%assign v 0
%rep 32
ISR v
%assign v v + 1
%endrep

isr_common:                        ; [rsp] vector, [rsp+8] error code, [rsp+16] RIP
    cmp qword [rsp], 13
    jne .fatal
    cmp byte [msr_probe], 0
    je .fatal
    mov byte [msr_fault], 1
    add rsp, 16
    add qword [rsp], 2
    iretq
.fatal:
    mov al, 6
    mov cx, 24
    call frame_begin
    mov eax, [rsp]
    call emit_u32
    mov eax, [rsp + 8]
    call emit_u32
    mov rax, [rsp + 16]
    call emit_u64
    mov rax, cr2
    call emit_u64
    call frame_end
    jmp shutdown

; ---------------------------------------------------------------- output frames on port 0xE9
; al = type, cx = payload length
frame_begin:
    push rax
    mov dx, 0xe9
    mov al, 0xa5
    out dx, al
    mov al, 0x5a
    out dx, al
    mov dword [checksum], 0
    pop rax
    call emit_u8
    mov eax, [seq]
    inc dword [seq]
    call emit_u32
    mov ax, cx
    call emit_u8
    mov al, ch
    jmp emit_u8

frame_end:
    mov eax, [checksum]
    ; emit_u32 changes the sum, so write the saved value byte by byte
    mov dx, 0xe9
    mov ecx, 4
.b:
    out dx, al
    shr eax, 8
    loop .b
    ret

emit_u64:
    push rax
    call emit_u32
    pop rax
    shr rax, 32
emit_u32:
    push rax
    call emit_u8
    mov al, ah
    call emit_u8
    pop rax
    shr eax, 16
    push rax
    call emit_u8
    mov al, ah
    call emit_u8
    pop rax
    ret
; rsi = bytes, ecx = count
emit_bytes:
    test ecx, ecx
    jz .done
    lodsb
    call emit_u8
    dec ecx
    jmp emit_bytes
.done:
    ret

emit_u8:
    push rdx
    mov dx, 0xe9
    out dx, al
    movzx edx, al
    add [checksum], edx
    pop rdx
    ret

shutdown:
    mov dx, 0x8900
    mov rsi, shutdown_text
.c:
    lodsb
    test al, al
    jz .h
    out dx, al
    jmp .c
.h:
    cli
    hlt
    jmp .h

; ---------------------------------------------------------------- ATA PIO reader of the case stream
; eax = next u32 of the stream
read_u32:
    mov eax, [buf_pos]
    cmp eax, [buf_len]
    jb .have
    call refill
    xor eax, eax
.have:
    mov edx, eax
    add eax, 4
    mov [buf_pos], eax
    mov eax, [DISK_BUF + rdx]
    ret

read_u64:
    call read_u32
    push rax
    call read_u32
    shl rax, 32
    pop rdx
    mov edx, edx
    or rax, rdx
    ret

refill:
    push rbx
    push rcx
    push rdx
    push rdi
    mov eax, [lba]
    mov dx, 0x1f6
    mov ebx, eax
    shr ebx, 24
    and bl, 0x0f
    or bl, 0xe0                    ; LBA, master
    push rax
    mov al, bl
    out dx, al
    pop rax
    mov dx, 0x1f2
    push rax
    mov al, DISK_SECTORS
    out dx, al
    pop rax
    mov dx, 0x1f3
    out dx, al
    shr eax, 8
    mov dx, 0x1f4
    out dx, al
    shr eax, 8
    mov dx, 0x1f5
    out dx, al
    mov dx, 0x1f7
    mov al, 0x20                   ; READ SECTORS
    out dx, al
    mov rdi, DISK_BUF
    mov ebx, DISK_SECTORS
.sector:
    mov dx, 0x1f7
.wait:
    in al, dx
    test al, 0x80                  ; BSY
    jnz .wait
    test al, 0x21                  ; ERR, DF
    jnz .error
    test al, 0x08                  ; DRQ
    jz .wait
    mov dx, 0x1f0
    mov ecx, 256
    rep insw
    dec ebx
    jnz .sector
    add dword [lba], DISK_SECTORS
    mov dword [buf_pos], 0
    mov dword [buf_len], DISK_SECTORS * 512
    pop rdi
    pop rdx
    pop rcx
    pop rbx
    ret
.error:
    movzx ebx, al
    mov al, 9
    mov cx, 12
    call frame_begin
    xor eax, eax
    call emit_u32
    mov eax, [lba]
    call emit_u32
    mov eax, ebx
    call emit_u32
    call frame_end
    jmp shutdown

; ---------------------------------------------------------------- data
align 8
idt_desc:   dw 32 * 16 - 1
            dq IDT
vmxon_ptr:  dq VMXON_REGION
vmcs_ptr:   dq VMCS_REGION
isr_table:
%assign v 0
%rep 32
            dq isr_ %+ v
%assign v v + 1
%endrep
; (encoding, value); CR0/CR3/CR4/EFER read live. Cases may overwrite any of them.
host_fields:
            dq 0x6c00, 0                ; HOST_CR0
            dq 0x6c02, 0                ; HOST_CR3
            dq 0x6c04, 0                ; HOST_CR4
            dq 0x2c02, 0                ; HOST_IA32_EFER
            dq 0x2c00, 0x0007040600070406 ; HOST_IA32_PAT (power-on value)
            dq 0x6c14, STACK_TOP        ; HOST_RSP
            dq 0x6c16, vmexit           ; HOST_RIP
            dq 0x0c00, 0x10             ; HOST_ES_SELECTOR
            dq 0x0c02, 0x08             ; HOST_CS_SELECTOR
            dq 0x0c04, 0x10             ; HOST_SS_SELECTOR
            dq 0x0c06, 0x10             ; HOST_DS_SELECTOR
            dq 0x0c08, 0x10             ; HOST_FS_SELECTOR
            dq 0x0c0a, 0x10             ; HOST_GS_SELECTOR
            dq 0x0c0c, 0x20             ; HOST_TR_SELECTOR
            dq 0x6c0a, tss              ; HOST_TR_BASE
            dq 0x6c0c, gdt              ; HOST_GDTR_BASE
            dq 0x6c0e, IDT              ; HOST_IDTR_BASE
            dq 0, 0
msr_list:   dd 0x3a, 0x480, 0x481, 0x482, 0x483, 0x484, 0x485, 0x486, 0x487, 0x488, 0x489, 0x48a
            dd 0x48b, 0x48c, 0x48d, 0x48e, 0x48f, 0x490, 0x491, 0x492, 0x493
msr_count   equ ($ - msr_list) / 4
            dd 0
shutdown_text: db "Shutdown", 0
align 8
tss:        times 0x68 db 0
seq:        dd 0
checksum:   dd 0
case_id:    dd 0
cases:      dd 0
exit_count: dd 0
max_exits:  dd 0
how:        dd 0
revision:   dd 0
field_count: dd 0
advance_mask: dq 0
lba:        dd CASE_LBA
buf_pos:    dd 0
buf_len:    dd 0
write_failed: db 0
msr_probe:  db 0
msr_fault:  db 0

%if ($ - $$) > CASE_LBA * 512
%error "l1hv image exceeds 64 sectors"
%endif
times CASE_LBA * 512 - ($ - $$) db 0
