package dev.vmx.qual;

/** Source of a task switch, bits 31:30 of its exit qualification. */
public enum TaskSwitchSource {
    /** 0: CALL instruction. */
    CALL,
    /** 1: IRET instruction. */
    IRET,
    /** 2: JMP instruction. */
    JMP,
    /** 3: task gate in the IDT. */
    TASK_GATE;

    private static final TaskSwitchSource[] BY_NUMBER = values();

    /**
     * The source with this number; only the low two bits are used.
     *
     * @param number bits 31:30 shifted down
     * @return the source
     */
    public static TaskSwitchSource fromNumber(int number) {
        return BY_NUMBER[number & 3];
    }
}
