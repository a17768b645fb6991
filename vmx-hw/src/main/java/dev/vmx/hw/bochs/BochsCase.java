package dev.vmx.hw.bochs;

import dev.vmx.exit.BasicExitReason;
import dev.vmx.vmcs.VmcsField;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One case for the L1 hypervisor: what to put into a fresh VMCS and into memory, then VMLAUNCH and
 * run the L2 for up to {@link #maxExits()} exits. Immutable; built with {@link #builder(String)}.
 *
 * <p>What the hypervisor does with a case, in order: VMCLEAR a zeroed VMCS and VMPTRLD it; write the
 * host state it runs with (HOST_CR0/CR3/CR4, HOST_IA32_EFER, HOST_IA32_PAT, HOST_RSP, HOST_RIP, the
 * host selectors, HOST_TR_BASE, HOST_GDTR_BASE, HOST_IDTR_BASE); zero the L2's general registers;
 * then apply this case's operations in the order they were added: {@link Builder#write VMWRITE}s
 * (a later write of a field wins, and a case may overwrite host fields: it then owns the
 * consequences), {@link Builder#poke stores} and {@link Builder#fill fills} of memory at or above
 * 1 MiB, {@link Builder#register L2 registers}; then VMLAUNCH. After each VM exit it VMREADs the
 * report fields, advances GUEST_RIP by VM_EXIT_INSTRUCTION_LEN when the basic exit reason is in
 * {@link #advanceRipOn()}, restores the L2 registers and VMRESUMEs, until {@link #maxExits()} exits or
 * a VM-entry failure or a VMfail. Every field is zero unless a case writes it: {@link BochsGuest}
 * gives a complete, valid starting state.
 *
 * <p>Problems are collected, not thrown, so that one bad case in a batch of thousands does not stop
 * the others: a case with {@link #problems()} is not sent to Bochs and is reported as
 * {@link BochsOutcome#REJECTED} with each problem named ({@link #validate()} throws instead).
 */
public final class BochsCase {
    /** The lowest physical address a case may store to: below it lie the hypervisor, its page tables and VMCS. */
    public static final long CASE_MEMORY_START = 0x100000L;
    /** The most exits a case may ask for. */
    public static final int MAX_EXITS = 1 << 20;

    static final int OP_BEGIN = 1;
    static final int OP_VMWRITE = 2;
    static final int OP_POKE = 3;
    static final int OP_FILL = 4;
    static final int OP_FIELDS = 5;
    static final int OP_LAUNCH = 6;
    static final int OP_END = 7;
    static final int OP_GPR = 8;

    private final String name;
    private final byte[] ops;
    private final List<Write> writes;
    private final List<String> problems;
    private final int maxExits;
    private final long advanceRipOn;

    /**
     * One VMWRITE of a case.
     *
     * @param encoding the field encoding written
     * @param value the value
     */
    public record Write(int encoding, long value) {
        /**
         * The catalog field with this encoding.
         *
         * @return the field, or empty for an encoding the catalog lacks (sent with {@link Builder#writeUnchecked})
         */
        public Optional<VmcsField> field() {
            return VmcsField.fromEncoding(encoding);
        }
    }

    private BochsCase(Builder builder) {
        this.name = builder.name;
        this.ops = builder.ops.array().length == builder.ops.position() ? builder.ops.array()
                : java.util.Arrays.copyOf(builder.ops.array(), builder.ops.position());
        this.writes = List.copyOf(builder.writes);
        this.problems = List.copyOf(builder.problems);
        this.maxExits = builder.maxExits;
        this.advanceRipOn = builder.advanceRipOn;
    }

    /**
     * A builder for a case with this name.
     *
     * @param name the name reports and exceptions use for the case
     * @return the builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * The case's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The VMWRITEs, in order.
     *
     * @return the writes
     */
    public List<Write> writes() {
        return writes;
    }

    /**
     * The last value this case writes to a field.
     *
     * @param field the field
     * @return the value, or empty when the case does not write it
     */
    public java.util.OptionalLong written(VmcsField field) {
        for (int i = writes.size() - 1; i >= 0; i--) {
            if (writes.get(i).encoding() == field.encoding()) {
                return java.util.OptionalLong.of(writes.get(i).value());
            }
        }
        return java.util.OptionalLong.empty();
    }

    /**
     * What is wrong with this case, each naming the case and the bad input.
     *
     * @return empty for a case that can be sent
     */
    public List<String> problems() {
        return problems;
    }

    /**
     * Throws when the case has problems.
     *
     * @return this case
     * @throws IllegalArgumentException with every problem
     */
    public BochsCase validate() {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return this;
    }

    /**
     * How many VM exits the L2 may make before the case ends.
     *
     * @return 1 by default
     */
    public int maxExits() {
        return maxExits;
    }

    /**
     * The basic exit reasons (0..63), as a bit mask, after which the hypervisor advances GUEST_RIP by
     * the VM-exit instruction length before resuming.
     *
     * @return bit n set for basic reason n
     */
    public long advanceRipOn() {
        return advanceRipOn;
    }

    /** The case's operations in the stream format of l1hv.asm, without BEGIN and LAUNCH. */
    byte[] operations() {
        return ops;
    }

    @Override
    public String toString() {
        return "case '" + name + "' (" + writes.size() + " VMWRITEs, up to " + maxExits + " exits)";
    }

    /** Builds a {@link BochsCase}; not thread-safe. */
    public static final class Builder {
        private final String name;
        private ByteBuffer ops = ByteBuffer.allocate(1024).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        private final List<Write> writes = new ArrayList<>();
        private final List<String> problems = new ArrayList<>();
        private int maxExits = 1;
        private long advanceRipOn = DEFAULT_ADVANCE;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * A copy of this builder, to derive several cases from one starting state.
         *
         * @param newName the copy's case name
         * @return the copy
         */
        public Builder copy(String newName) {
            Builder copy = new Builder(newName);
            copy.ops = ByteBuffer.allocate(ops.capacity()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            copy.ops.put(ops.array(), 0, ops.position());
            copy.writes.addAll(writes);
            for (String problem : problems) {
                copy.problems.add(problem.replace("case '" + name + "'", "case '" + newName + "'"));
            }
            copy.maxExits = maxExits;
            copy.advanceRipOn = advanceRipOn;
            return copy;
        }

        /**
         * VMWRITE of a catalog field.
         *
         * @param field the field
         * @param value the value; must fit the field ({@link VmcsField#valueBits()})
         * @return this builder
         */
        public Builder write(VmcsField field, long value) {
            int bits = field.valueBits();
            if (bits < 64 && (value >>> bits) != 0) {
                problems.add("case '" + name + "': value 0x" + Long.toHexString(value) + " is wider than " + field
                        + " (encoding 0x" + Integer.toHexString(field.encoding()) + ", " + bits + " bits)");
                return this;
            }
            return put(field.encoding(), value);
        }

        /**
         * VMWRITE of every writable field a VMCS holds, in encoding order: a state built or read
         * elsewhere (e.g. a {@code VmcsSnapshot}) replayed on the emulated CPU. Read-only fields
         * ({@code EXIT_INFO}: VMWRITE to them fails unless IA32_VMX_MISC bit 29 allows it) and HIGH
         * halves (their FULL field carries all 64 bits) are skipped.
         *
         * @param vmcs the fields to write
         * @return this builder
         */
        public Builder writeAll(dev.vmx.vmcs.Vmcs vmcs) {
            vmcs.fields().stream().filter(f -> f.type() != dev.vmx.vmcs.FieldType.EXIT_INFO && !f.isHighHalf())
                    .sorted(java.util.Comparator.comparingInt(VmcsField::encoding))
                    .forEach(f -> write(f, vmcs.read(f)));
            return this;
        }

        /**
         * VMWRITE of a raw encoding, which must name a catalog field; the value must fit it.
         *
         * @param encoding the field encoding
         * @param value the value
         * @return this builder
         */
        public Builder write(int encoding, long value) {
            Optional<VmcsField> field = VmcsField.fromEncoding(encoding);
            if (field.isEmpty()) {
                problems.add("case '" + name + "': encoding 0x" + Integer.toHexString(encoding) + " names no VMCS field"
                        + " (use writeUnchecked to send it to the CPU anyway)");
                return this;
            }
            return write(field.get(), value);
        }

        /**
         * The value this builder last wrote to a field.
         *
         * @param field the field
         * @return the value, or empty when not written
         */
        public java.util.OptionalLong lastWrite(VmcsField field) {
            for (int i = writes.size() - 1; i >= 0; i--) {
                if (writes.get(i).encoding() == field.encoding()) {
                    return java.util.OptionalLong.of(writes.get(i).value());
                }
            }
            return java.util.OptionalLong.empty();
        }

        /**
         * VMWRITE of any encoding and value, unchecked: to see what the emulated CPU does with an
         * encoding it lacks (VMfailValid, error 12) or with a value wider than the field.
         *
         * @param encoding the raw encoding (its upper bits as given: VMWRITE takes 64 bits)
         * @param value the value
         * @return this builder
         */
        public Builder writeUnchecked(int encoding, long value) {
            return put(encoding, value);
        }

        private Builder put(int encoding, long value) {
            ensure(16);
            ops.putInt(OP_VMWRITE).putInt(encoding).putLong(value);
            writes.add(new Write(encoding, value));
            return this;
        }

        /**
         * Stores 8 bytes at a physical address of the emulated machine before launch (the L1 runs
         * with identity paging over 4 GiB, so this is also its linear address).
         *
         * @param address at or above {@link #CASE_MEMORY_START}, 8-byte aligned, below the memory size
         * @param value the little-endian value
         * @return this builder
         */
        public Builder poke(long address, long value) {
            if (checkAddress(address, 1)) {
                ensure(20);
                ops.putInt(OP_POKE).putLong(address).putLong(value);
            }
            return this;
        }

        /**
         * Stores bytes (e.g. L2 code) at a physical address, 8 at a time (the last group padded with zeros).
         *
         * @param address at or above {@link #CASE_MEMORY_START}, 8-byte aligned
         * @param bytes the bytes
         * @return this builder
         */
        public Builder pokeBytes(long address, byte[] bytes) {
            for (int i = 0; i < bytes.length; i += 8) {
                long value = 0;
                for (int j = 0; j < 8 && i + j < bytes.length; j++) {
                    value |= (bytes[i + j] & 0xFFL) << (8 * j);
                }
                poke(address + i, value);
            }
            return this;
        }

        /**
         * Stores {@code count} 8-byte values {@code first, first + step, ...} from an address: page
         * tables and bitmaps in one operation.
         *
         * @param address at or above {@link #CASE_MEMORY_START}, 8-byte aligned
         * @param count how many values
         * @param first the first value
         * @param step added for each next value
         * @return this builder
         */
        public Builder fill(long address, int count, long first, long step) {
            if (count < 0) {
                problems.add("case '" + name + "': fill count " + count + " is negative");
            } else if (checkAddress(address, count)) {
                ensure(28);
                ops.putInt(OP_FILL).putLong(address).putInt(count).putLong(first).putLong(step);
            }
            return this;
        }

        /**
         * The L2's value of a general register at VMLAUNCH (all are zero otherwise; RSP comes from GUEST_RSP).
         *
         * @param index 0 RAX, 1 RCX, 2 RDX, 3 RBX, 5 RBP, 6 RSI, 7 RDI, 8..15 R8..R15 (the SDM's register numbering)
         * @param value the value
         * @return this builder
         */
        public Builder register(int index, long value) {
            if (index < 0 || index > 15 || index == 4) {
                problems.add("case '" + name + "': register index " + index + " is not 0..15 without 4 (RSP)");
                return this;
            }
            ensure(16);
            ops.putInt(OP_GPR).putInt(index).putLong(value);
            return this;
        }

        /**
         * How many exits the L2 may make before the case ends (1 by default).
         *
         * @param exits 1..{@link #MAX_EXITS}
         * @return this builder
         */
        public Builder maxExits(int exits) {
            if (exits < 1 || exits > MAX_EXITS) {
                problems.add("case '" + name + "': maxExits " + exits + " is outside 1.." + MAX_EXITS);
            } else {
                maxExits = exits;
            }
            return this;
        }

        /**
         * The basic exit reasons after which GUEST_RIP advances by the instruction length before
         * resuming, replacing the default ({@link #DEFAULT_ADVANCE}: the instruction-caused exits).
         *
         * @param reasons basic reasons numbered below 64
         * @return this builder
         */
        public Builder advanceRipOn(BasicExitReason... reasons) {
            long mask = 0;
            for (BasicExitReason reason : reasons) {
                if (reason.number() < 0 || reason.number() >= 64) {
                    problems.add("case '" + name + "': exit reason " + reason + " is not numbered below 64");
                } else {
                    mask |= 1L << reason.number();
                }
            }
            advanceRipOn = mask;
            return this;
        }

        /**
         * Builds the case; problems are kept in {@link BochsCase#problems()}, not thrown.
         *
         * @return the case
         */
        public BochsCase build() {
            return new BochsCase(this);
        }

        private boolean checkAddress(long address, long count) {
            if (address < CASE_MEMORY_START || (address & 7) != 0 || address + 8 * count > 1L << 32 || address + 8 * count < address) {
                problems.add("case '" + name + "': address 0x" + Long.toHexString(address) + " (" + count
                        + " x 8 bytes) is not 8-byte aligned memory between 1 MiB and 4 GiB");
                return false;
            }
            return true;
        }

        private void ensure(int bytes) {
            if (ops.remaining() < bytes) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(ops.capacity() * 2, ops.position() + bytes))
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                bigger.put(ops.array(), 0, ops.position());
                ops = bigger;
            }
        }
    }

    /**
     * The exits after which GUEST_RIP advances by default: those an instruction causes and after
     * which the instruction is done (SDM Vol. 3C "Information for VM Exits Due to Instruction
     * Execution", §27.2.4 in the September 2016 edition, lists the exits that report an instruction length): CPUID 10, GETSEC 11, HLT 12, INVD 13, INVLPG 14, RDPMC 15, RDTSC 16, VMCALL 18, the VMX
     * instructions 19..27, CR access 28, MOV DR 29, I/O 30, RDMSR 31, WRMSR 32, MWAIT 36, MONITOR 39,
     * PAUSE 40, GDTR/IDTR 46, LDTR/TR 47, INVEPT 50, RDTSCP 51, INVVPID 53, WBINVD 54, XSETBV 55,
     * RDRAND 57, INVPCID 58, VMFUNC 59, ENCLS 60, RDSEED 61, XSAVES 63. Not exceptions, EPT violations,
     * the preemption timer, MTF or the windows: their RIP is where the L2 resumes.
     */
    public static final long DEFAULT_ADVANCE = mask(10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
            30, 31, 32, 36, 39, 40, 46, 47, 50, 51, 53, 54, 55, 57, 58, 59, 60, 61, 63);

    private static long mask(int... bits) {
        long mask = 0;
        for (int bit : bits) {
            mask |= 1L << bit;
        }
        return mask;
    }
}
