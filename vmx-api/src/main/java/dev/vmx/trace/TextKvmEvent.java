package dev.vmx.trace;

/** The flyweight {@link KvmEvent} the text reader repositions on every line. */
final class TextKvmEvent implements KvmEvent {
    KvmEventType type = KvmEventType.OTHER;
    long timestampNanos;
    int cpu = -1;
    int pid;
    final CharSlice task = new CharSlice();
    int vcpu = -1;
    KvmIsa isa = KvmIsa.UNKNOWN;
    long exitCode;
    long info1;
    long info2;
    long requests;
    boolean immediateExit;
    int intrInfo;
    int errorCode;
    long guestRip;
    boolean write;
    int port;
    int size;
    int count;
    int mmioType;
    long gpa;
    int msrIndex;
    boolean msrException;
    int crNumber;
    long value;
    int userspaceExitReason;
    int errno;
    final CharSlice message = new CharSlice();

    // KvmTraceFastPath's guess of the next line's seconds digits (the last line's count, 1 to 7)
    int secondsDigitsHint = 1;
    // its guess of where '[' is after the task name (the last line's offset, 1 to 24; 0: no guess)
    int bracketHint;
    // its guess of the next line's leading blanks (the last line's count, 0 to 7)
    int leadingBlanksHint;
    // whether a field outside resetForFastPath()'s set may differ from its default
    private boolean fullyDirty = true;

    /**
     * Resets for a fast-path kvm_exit/kvm_entry line, which writes only the header, vcpu, exit and
     * RIP fields: the others are reset only if the previous line (a general one) may have set them.
     */
    void resetForFastPath() {
        if (fullyDirty) {
            reset();
            fullyDirty = false;
            return;
        }
        resetExitFields();
    }

    private void resetExitFields() {
        isa = KvmIsa.UNKNOWN;
        exitCode = 0;
        info1 = 0;
        info2 = 0;
        requests = 0;
        immediateExit = false;
        intrInfo = 0;
        errorCode = 0;
        guestRip = 0;
    }

    void reset() {
        fullyDirty = true;
        type = KvmEventType.OTHER;
        timestampNanos = 0;
        cpu = -1;
        pid = 0;
        task.clear();
        vcpu = -1;
        resetExitFields();
        write = false;
        port = 0;
        size = 0;
        count = 0;
        mmioType = 0;
        gpa = 0;
        msrIndex = 0;
        msrException = false;
        crNumber = 0;
        value = 0;
        userspaceExitReason = 0;
        errno = 0;
        message.clear();
    }

    @Override public KvmEventType type() { return type; }
    @Override public long timestampNanos() { return timestampNanos; }
    @Override public int cpu() { return cpu; }
    @Override public int pid() { return pid; }
    @Override public CharSequence task() { return task; }
    @Override public int vcpu() { return vcpu; }
    @Override public KvmIsa isa() { return isa; }
    @Override public long exitCode() { return exitCode; }
    @Override public long info1() { return info1; }
    @Override public long info2() { return info2; }
    @Override public long requests() { return requests; }
    @Override public boolean isImmediateExit() { return immediateExit; }
    @Override public int intrInfo() { return intrInfo; }
    @Override public int errorCode() { return errorCode; }
    @Override public long guestRip() { return guestRip; }
    @Override public boolean isWrite() { return write; }
    @Override public int port() { return port; }
    @Override public int size() { return size; }
    @Override public int count() { return count; }
    @Override public int mmioType() { return mmioType; }
    @Override public long gpa() { return gpa; }
    @Override public int msrIndex() { return msrIndex; }
    @Override public boolean isMsrException() { return msrException; }
    @Override public int crNumber() { return crNumber; }
    @Override public long value() { return value; }
    @Override public int userspaceExitReason() { return userspaceExitReason; }
    @Override public int errno() { return errno; }
    @Override public CharSequence message() { return message; }

    @Override
    public String toString() {
        return toRecord().toString();
    }
}
