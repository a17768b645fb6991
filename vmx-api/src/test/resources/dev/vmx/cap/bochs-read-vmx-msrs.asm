; Boot sector that prints CPUID.80000008H:EAX (physical/linear address widths), then IA32_FEATURE_CONTROL and IA32_VMX_* (0x480-0x493)
; to Bochs port 0xE9 as "index=value" lines, then writes "Shutdown" to port 0x8900.
; Build: nasm -f bin bochs-read-vmx-msrs.asm -o msr.img; run with port_e9_hack enabled.
bits 16
org 0x7c00
start:
  cli
  xor ax, ax
  mov ds, ax
  ; FEATURE_CONTROL 0x3a then 0x480..0x493
  mov eax, 0x80000008
  cpuid
  mov ebx, eax
  call hex32
  mov al, 10
  out 0xe9, al
  mov ecx, 0x3a
  call dump
  mov ecx, 0x480
.loop:
  call dump
  inc ecx
  cmp ecx, 0x494
  jne .loop
  mov dx, 0x8900
  mov si, shut
.s: lodsb
  or al, al
  jz .h
  out dx, al
  jmp .s
.h: hlt
  jmp .h
dump:           ; prints "ecx=edx:eax\n"
  push ecx
  mov ebx, ecx
  call hex32
  mov al, '='
  out 0xe9, al
  pop ecx
  push ecx
  rdmsr
  push eax
  mov ebx, edx
  call hex32
  pop ebx
  call hex32
  mov al, 10
  out 0xe9, al
  pop ecx
  ret
hex32:
  mov cx, 8
.h1: rol ebx, 4
  mov al, bl
  and al, 0xf
  add al, '0'
  cmp al, '9'
  jbe .o
  add al, 7
.o: out 0xe9, al
  loop .h1
  ret
shut: db "Shutdown", 0
times 510-($-$$) db 0
dw 0xaa55
