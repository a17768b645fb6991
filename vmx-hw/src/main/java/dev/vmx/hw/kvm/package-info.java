/**
 * Linux KVM through JNA ioctls on {@code /dev/kvm}; numbers and layouts from the Linux uapi
 * headers {@code linux/kvm.h} and {@code asm/kvm.h}.
 */
package dev.vmx.hw.kvm;
