package dev.vmx.hw.kvm;

import dev.vmx.exit.ExitReason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One return of {@code KVM_RUN} to user space, decoded from {@code struct kvm_run} into an
 * immutable value. Offsets are those of {@code include/uapi/linux/kvm.h} ({@link KvmUapi}).
 */
public sealed interface KvmExit
        permits KvmExit.Io, KvmExit.Mmio, KvmExit.Halt, KvmExit.Shutdown, KvmExit.FailEntry,
                KvmExit.InternalError, KvmExit.Other {

    /**
     * The {@code exit_reason} of {@code struct kvm_run}.
     *
     * @return the type
     */
    KvmExitType type();

    /**
     * {@code KVM_EXIT_IO}: an IN or OUT the guest executed. For OUT, {@code data} holds what the
     * guest wrote ({@code size * count} bytes); for IN, what user space answered (zeros here).
     *
     * @param isOut true for OUT ({@code KVM_EXIT_IO_OUT}), false for IN
     * @param port the I/O port
     * @param size the access size in bytes (1, 2 or 4)
     * @param count the repeat count (greater than 1 for string I/O with REP)
     * @param data the bytes transferred, a defensive copy
     */
    record Io(boolean isOut, int port, int size, int count, byte[] data) implements KvmExit {
        /**
         * Copies the data.
         *
         * @param isOut true for OUT
         * @param port the port
         * @param size the access size
         * @param count the repeat count
         * @param data the bytes, copied
         */
        public Io {
            data = data.clone();
        }

        /**
         * The bytes.
         *
         * @return a copy
         */
        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public KvmExitType type() {
            return KvmExitType.IO;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Io io && io.isOut == isOut && io.port == port && io.size == size
                    && io.count == count && Arrays.equals(io.data, data);
        }

        @Override
        public int hashCode() {
            return ((Boolean.hashCode(isOut) * 31 + port) * 31 + size * 7 + count) * 31 + Arrays.hashCode(data);
        }

        /** E.g. {@code IO out port=0x3f8 size=1 count=1 data=48}. */
        @Override
        public String toString() {
            return "IO " + (isOut ? "out" : "in") + " port=0x" + Integer.toHexString(port) + " size=" + size
                    + " count=" + count + " data=" + hex(data);
        }
    }

    /**
     * {@code KVM_EXIT_MMIO}: an access to guest-physical memory that no memory slot backs.
     *
     * @param physicalAddress the guest-physical address
     * @param isWrite true for a write
     * @param data the bytes written (or the buffer for a read), {@code len} of them, a copy
     */
    record Mmio(long physicalAddress, boolean isWrite, byte[] data) implements KvmExit {
        /**
         * Copies the data.
         *
         * @param physicalAddress the address
         * @param isWrite true for a write
         * @param data the bytes, copied
         */
        public Mmio {
            data = data.clone();
        }

        /**
         * The bytes.
         *
         * @return a copy
         */
        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public KvmExitType type() {
            return KvmExitType.MMIO;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Mmio mmio && mmio.physicalAddress == physicalAddress
                    && mmio.isWrite == isWrite && Arrays.equals(mmio.data, data);
        }

        @Override
        public int hashCode() {
            return (Long.hashCode(physicalAddress) * 31 + Boolean.hashCode(isWrite)) * 31 + Arrays.hashCode(data);
        }

        /** E.g. {@code MMIO write gpa=0x8000 data=42}. */
        @Override
        public String toString() {
            return "MMIO " + (isWrite ? "write" : "read") + " gpa=0x" + Long.toHexString(physicalAddress)
                    + " data=" + hex(data);
        }
    }

    /** {@code KVM_EXIT_HLT}: the guest executed HLT. */
    record Halt() implements KvmExit {
        @Override
        public KvmExitType type() {
            return KvmExitType.HLT;
        }

        @Override
        public String toString() {
            return "HLT";
        }
    }

    /** {@code KVM_EXIT_SHUTDOWN}: the guest shut down, e.g. after a triple fault. */
    record Shutdown() implements KvmExit {
        @Override
        public KvmExitType type() {
            return KvmExitType.SHUTDOWN;
        }

        @Override
        public String toString() {
            return "SHUTDOWN";
        }
    }

    /**
     * {@code KVM_EXIT_FAIL_ENTRY}: the processor refused the VM entry.
     *
     * @param hardwareEntryFailureReason {@code hardware_entry_failure_reason} as KVM reported it:
     *        on Intel the full VMX exit reason (bit 31 set), on AMD the SVM exit code
     * @param cpu the physical CPU the entry failed on
     */
    record FailEntry(long hardwareEntryFailureReason, int cpu) implements KvmExit {
        @Override
        public KvmExitType type() {
            return KvmExitType.FAIL_ENTRY;
        }

        /**
         * The failure reason read as a VMX exit reason (meaningful on an Intel host, where KVM
         * copies the 32-bit exit reason, e.g. {@code INVALID_STATE|VM_ENTRY_FAILURE}).
         *
         * @return {@code ExitReason.of((int) hardwareEntryFailureReason())}
         */
        public ExitReason exitReason() {
            return ExitReason.of((int) hardwareEntryFailureReason);
        }

        /** E.g. {@code FAIL_ENTRY 0x80000021 (INVALID_STATE|VM_ENTRY_FAILURE) cpu=3}. */
        @Override
        public String toString() {
            return "FAIL_ENTRY 0x" + Long.toHexString(hardwareEntryFailureReason) + " (" + exitReason() + ") cpu=" + cpu;
        }
    }

    /**
     * {@code KVM_EXIT_INTERNAL_ERROR}: KVM could not handle an exit.
     *
     * @param suberror {@code KVM_INTERNAL_ERROR_*}: 1 emulation, 2 simultaneous exceptions,
     *        3 delivery of an event, 4 unexpected exit reason
     * @param data the {@code ndata} words KVM attached, a copy
     */
    record InternalError(int suberror, long[] data) implements KvmExit {
        /**
         * Copies the data.
         *
         * @param suberror the suberror
         * @param data the words, copied
         */
        public InternalError {
            data = data.clone();
        }

        /**
         * The words.
         *
         * @return a copy
         */
        @Override
        public long[] data() {
            return data.clone();
        }

        @Override
        public KvmExitType type() {
            return KvmExitType.INTERNAL_ERROR;
        }

        /**
         * The suberror's uapi name.
         *
         * @return e.g. {@code KVM_INTERNAL_ERROR_EMULATION}, or {@code suberror N}
         */
        public String suberrorName() {
            switch (suberror) {
                case KvmUapi.KVM_INTERNAL_ERROR_EMULATION:
                    return "KVM_INTERNAL_ERROR_EMULATION";
                case KvmUapi.KVM_INTERNAL_ERROR_SIMUL_EX:
                    return "KVM_INTERNAL_ERROR_SIMUL_EX";
                case KvmUapi.KVM_INTERNAL_ERROR_DELIVERY_EV:
                    return "KVM_INTERNAL_ERROR_DELIVERY_EV";
                case KvmUapi.KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
                    return "KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON";
                default:
                    return "suberror " + suberror;
            }
        }

        /**
         * For {@code KVM_INTERNAL_ERROR_EMULATION} with
         * {@code KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES} in {@code emulation_failure.flags}
         * (the first data word): the bytes of the instruction KVM failed to emulate,
         * {@code insn_bytes[0..insn_size)}. Empty otherwise.
         *
         * @return the instruction bytes, a copy
         */
        public byte[] instructionBytes() {
            // struct emulation_failure overlays internal.data[]: flags is data[0], insn_size the low
            // byte of data[1], insn_bytes[15] the rest of data[1] and data[2]
            if (suberror != KvmUapi.KVM_INTERNAL_ERROR_EMULATION || data.length < 3
                    || (data[0] & KvmUapi.KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES) == 0) {
                return new byte[0];
            }
            ByteBuffer words = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(data[1]).putLong(data[2]);
            int size = Math.min(Byte.toUnsignedInt(words.get(0)), 15);
            byte[] bytes = new byte[size];
            words.get(1, bytes);
            return bytes;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof InternalError error && error.suberror == suberror && Arrays.equals(error.data, data);
        }

        @Override
        public int hashCode() {
            return suberror * 31 + Arrays.hashCode(data);
        }

        /** E.g. {@code INTERNAL_ERROR KVM_INTERNAL_ERROR_EMULATION data=[0x0]}. */
        @Override
        public String toString() {
            StringBuilder text = new StringBuilder("INTERNAL_ERROR ").append(suberrorName()).append(" data=[");
            for (int i = 0; i < data.length; i++) {
                text.append(i == 0 ? "" : ", ").append("0x").append(Long.toHexString(data[i]));
            }
            return text.append(']').toString();
        }
    }

    /**
     * Any other exit; the number is kept even when {@link KvmExitType#UNRECOGNIZED}.
     *
     * @param type the type
     * @param number the raw {@code exit_reason}
     */
    record Other(KvmExitType type, int number) implements KvmExit {
        /** E.g. {@code SYSTEM_EVENT (24)}. */
        @Override
        public String toString() {
            return type + " (" + number + ")";
        }
    }

    /**
     * Decodes {@code struct kvm_run} as KVM left it after {@code KVM_RUN} returned.
     *
     * @param run the whole mmap'ed vCPU area (I/O data lives at {@code io.data_offset} inside it);
     *        its position and byte order are ignored
     * @return the exit
     * @throws IllegalArgumentException if a length or offset in the struct points outside
     *         {@code run}
     */
    static KvmExit decode(ByteBuffer run) {
        ByteBuffer in = run.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int number = in.getInt(KvmUapi.KVM_RUN_EXIT_REASON);
        KvmExitType type = KvmExitType.fromNumber(number);
        switch (type) {
            case IO: {
                boolean out = in.get(KvmUapi.KVM_RUN_IO_DIRECTION) == KvmUapi.KVM_EXIT_IO_OUT;
                int size = Byte.toUnsignedInt(in.get(KvmUapi.KVM_RUN_IO_SIZE));
                int port = Short.toUnsignedInt(in.getShort(KvmUapi.KVM_RUN_IO_PORT));
                int count = in.getInt(KvmUapi.KVM_RUN_IO_COUNT);
                long dataOffset = in.getLong(KvmUapi.KVM_RUN_IO_DATA_OFFSET);
                long length = (long) size * Integer.toUnsignedLong(count);
                if (dataOffset < 0 || length > in.capacity() || dataOffset > in.capacity() - length) {
                    throw new IllegalArgumentException("kvm_run io: data_offset " + dataOffset + " + size " + size
                            + " * count " + Integer.toUnsignedString(count) + " lies outside the "
                            + in.capacity() + "-byte vCPU area");
                }
                byte[] data = new byte[(int) length];
                in.get((int) dataOffset, data);
                return new Io(out, port, size, count, data);
            }
            case MMIO: {
                int length = in.getInt(KvmUapi.KVM_RUN_MMIO_LEN);
                if (length < 0 || length > 8) {
                    throw new IllegalArgumentException("kvm_run mmio: len " + Integer.toUnsignedString(length)
                            + " exceeds the 8-byte data field");
                }
                byte[] data = new byte[length];
                in.get(KvmUapi.KVM_RUN_MMIO_DATA, data);
                return new Mmio(in.getLong(KvmUapi.KVM_RUN_MMIO_PHYS_ADDR), in.get(KvmUapi.KVM_RUN_MMIO_IS_WRITE) != 0, data);
            }
            case HLT:
                return new Halt();
            case SHUTDOWN:
                return new Shutdown();
            case FAIL_ENTRY:
                return new FailEntry(in.getLong(KvmUapi.KVM_RUN_FAIL_ENTRY_HARDWARE_ENTRY_FAILURE_REASON),
                        in.getInt(KvmUapi.KVM_RUN_FAIL_ENTRY_CPU));
            case INTERNAL_ERROR: {
                int ndata = in.getInt(KvmUapi.KVM_RUN_INTERNAL_NDATA);
                // kvm.h: __u64 data[16]
                if (ndata < 0 || ndata > 16) {
                    throw new IllegalArgumentException("kvm_run internal: ndata " + Integer.toUnsignedString(ndata)
                            + " exceeds the 16 words of data[]");
                }
                long[] data = new long[ndata];
                for (int i = 0; i < ndata; i++) {
                    data[i] = in.getLong(KvmUapi.KVM_RUN_INTERNAL_DATA + 8 * i);
                }
                return new InternalError(in.getInt(KvmUapi.KVM_RUN_INTERNAL_SUBERROR), data);
            }
            default:
                return new Other(type, number);
        }
    }

    private static String hex(byte[] data) {
        StringBuilder text = new StringBuilder();
        for (byte b : data) {
            text.append(String.format("%02x", b & 0xff));
        }
        return text.toString();
    }
}
