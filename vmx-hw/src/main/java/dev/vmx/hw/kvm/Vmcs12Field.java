package dev.vmx.hw.kvm;

import java.nio.ByteBuffer;

/**
 * One VMCS field's place in KVM's {@code struct vmcs12}.
 *
 * @param linuxName the Linux VMCS field name, e.g. {@code GUEST_RIP}
 * @param encoding the VMCS field encoding, e.g. 0x681e (Linux {@code enum vmcs_field})
 * @param member the {@code struct vmcs12} member, e.g. {@code guest_rip}
 * @param offset the byte offset in the image
 * @param size the size in bytes: 2, 4 or 8
 */
public record Vmcs12Field(String linuxName, int encoding, String member, int offset, int size) {
    long read(ByteBuffer image) {
        switch (size) {
            case 2:
                return Short.toUnsignedLong(image.getShort(offset));
            case 4:
                return Integer.toUnsignedLong(image.getInt(offset));
            default:
                return image.getLong(offset);
        }
    }

    void write(ByteBuffer image, long value) {
        if (size < 8 && (value >>> (8 * size)) != 0) {
            throw new IllegalArgumentException(linuxName + " is " + size + " bytes wide; 0x" + Long.toHexString(value)
                    + " does not fit");
        }
        switch (size) {
            case 2:
                image.putShort(offset, (short) value);
                break;
            case 4:
                image.putInt(offset, (int) value);
                break;
            default:
                image.putLong(offset, value);
        }
    }
}
