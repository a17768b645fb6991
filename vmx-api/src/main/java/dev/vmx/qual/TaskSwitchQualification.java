package dev.vmx.qual;

/**
 * Exit qualification for task switches (SDM Vol. 3C Table "Exit Qualification for Task Switches";
 * Linux {@code handle_task_switch()}): bits 15:0 the selector of the target TSS, bits 31:30 the
 * source (0 CALL, 1 IRET, 2 JMP, 3 task gate in IDT); bits 29:16 and 63:32 reserved.
 */
public final class TaskSwitchQualification implements ExitQualification {
    /** Bits 15:0. */ public static final long SELECTOR_MASK = 0xffffL;
    /** Bits 31:30. */ public static final long SOURCE_MASK = 0xc000_0000L;
    /** Everything else. */ public static final long RESERVED_MASK = ~(SELECTOR_MASK | SOURCE_MASK);

    private final long raw;

    TaskSwitchQualification(long raw) {
        this.raw = raw;
    }

    /**
     * Wraps a raw qualification; every value is accepted.
     *
     * @param raw the exit qualification
     * @return the decoded view
     */
    public static TaskSwitchQualification of(long raw) {
        return new TaskSwitchQualification(raw);
    }

    @Override
    public long raw() {
        return raw;
    }

    /**
     * The TSS selector.
     *
     * @return bits 15:0
     */
    public int selector() {
        return (int) (raw & SELECTOR_MASK);
    }

    /**
     * The source.
     *
     * @return bits 31:30
     */
    public TaskSwitchSource source() {
        return TaskSwitchSource.fromNumber((int) (raw >>> 30));
    }

    /**
     * Reserved bits in place.
     *
     * @return bits 29:16 and 63:32
     */
    public long reservedBits() {
        return raw & RESERVED_MASK;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TaskSwitchQualification && ((TaskSwitchQualification) other).raw == raw;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(raw);
    }

    /** Reads like {@code task switch by JMP to TSS selector 0x28}. */
    @Override
    public String toString() {
        return "task switch by " + source() + String.format(" to TSS selector 0x%x", selector())
                + (reservedBits() != 0 ? String.format(", reserved bits 0x%x", reservedBits()) : "")
                + String.format(" (0x%x)", raw);
    }
}
