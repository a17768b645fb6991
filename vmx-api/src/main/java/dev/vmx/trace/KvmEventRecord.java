package dev.vmx.trace;

import java.util.Objects;

/**
 * An immutable {@link KvmEvent}: what {@link KvmEvent#toRecord()} returns, and what tests and
 * hand-built inputs use. Build one with {@link #builder()}; fields not set keep the "not recorded"
 * defaults of {@link KvmEvent} (0, -1 for cpu and vCPU, empty text, {@link KvmIsa#UNKNOWN}).
 * Value-equal over all fields.
 */
public final class KvmEventRecord implements KvmEvent {
    private final KvmEventType type;
    private final long timestampNanos;
    private final int cpu;
    private final int pid;
    private final String task;
    private final int vcpu;
    private final KvmIsa isa;
    private final long exitCode;
    private final long info1;
    private final long info2;
    private final long requests;
    private final boolean isImmediateExit;
    private final int intrInfo;
    private final int errorCode;
    private final long guestRip;
    private final boolean isWrite;
    private final int port;
    private final int size;
    private final int count;
    private final int mmioType;
    private final long gpa;
    private final int msrIndex;
    private final boolean isMsrException;
    private final int crNumber;
    private final long value;
    private final int userspaceExitReason;
    private final int errno;
    private final String message;

    private KvmEventRecord(Builder builder) {
        this.type = builder.type;
        this.timestampNanos = builder.timestampNanos;
        this.cpu = builder.cpu;
        this.pid = builder.pid;
        this.task = builder.task;
        this.vcpu = builder.vcpu;
        this.isa = builder.isa;
        this.exitCode = builder.exitCode;
        this.info1 = builder.info1;
        this.info2 = builder.info2;
        this.requests = builder.requests;
        this.isImmediateExit = builder.isImmediateExit;
        this.intrInfo = builder.intrInfo;
        this.errorCode = builder.errorCode;
        this.guestRip = builder.guestRip;
        this.isWrite = builder.isWrite;
        this.port = builder.port;
        this.size = builder.size;
        this.count = builder.count;
        this.mmioType = builder.mmioType;
        this.gpa = builder.gpa;
        this.msrIndex = builder.msrIndex;
        this.isMsrException = builder.isMsrException;
        this.crNumber = builder.crNumber;
        this.value = builder.value;
        this.userspaceExitReason = builder.userspaceExitReason;
        this.errno = builder.errno;
        this.message = builder.message;
    }

    /**
     * A builder with every field at its "not recorded" default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * An immutable copy of any event (a flyweight's current position, typically).
     *
     * @param event the event to copy
     * @return the copy; {@code event} itself if it already is a record
     */
    public static KvmEventRecord copyOf(KvmEvent event) {
        if (event instanceof KvmEventRecord) {
            return (KvmEventRecord) event;
        }
        return builder().from(event).build();
    }

    @Override
    public KvmEventRecord toRecord() {
        return this;
    }

    @Override
    public KvmEventType type() {
        return type;
    }

    @Override
    public long timestampNanos() {
        return timestampNanos;
    }

    @Override
    public int cpu() {
        return cpu;
    }

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public CharSequence task() {
        return task;
    }

    @Override
    public int vcpu() {
        return vcpu;
    }

    @Override
    public KvmIsa isa() {
        return isa;
    }

    @Override
    public long exitCode() {
        return exitCode;
    }

    @Override
    public long info1() {
        return info1;
    }

    @Override
    public long info2() {
        return info2;
    }

    @Override
    public long requests() {
        return requests;
    }

    @Override
    public boolean isImmediateExit() {
        return isImmediateExit;
    }

    @Override
    public int intrInfo() {
        return intrInfo;
    }

    @Override
    public int errorCode() {
        return errorCode;
    }

    @Override
    public long guestRip() {
        return guestRip;
    }

    @Override
    public boolean isWrite() {
        return isWrite;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public int mmioType() {
        return mmioType;
    }

    @Override
    public long gpa() {
        return gpa;
    }

    @Override
    public int msrIndex() {
        return msrIndex;
    }

    @Override
    public boolean isMsrException() {
        return isMsrException;
    }

    @Override
    public int crNumber() {
        return crNumber;
    }

    @Override
    public long value() {
        return value;
    }

    @Override
    public int userspaceExitReason() {
        return userspaceExitReason;
    }

    @Override
    public int errno() {
        return errno;
    }

    @Override
    public CharSequence message() {
        return message;
    }

    @Override
    public boolean equals(Object object) {
        if (!(object instanceof KvmEventRecord)) {
            return false;
        }
        KvmEventRecord other = (KvmEventRecord) object;
        return type == other.type
                && timestampNanos == other.timestampNanos
                && cpu == other.cpu
                && pid == other.pid
                && task.equals(other.task)
                && vcpu == other.vcpu
                && isa == other.isa
                && exitCode == other.exitCode
                && info1 == other.info1
                && info2 == other.info2
                && requests == other.requests
                && isImmediateExit == other.isImmediateExit
                && intrInfo == other.intrInfo
                && errorCode == other.errorCode
                && guestRip == other.guestRip
                && isWrite == other.isWrite
                && port == other.port
                && size == other.size
                && count == other.count
                && mmioType == other.mmioType
                && gpa == other.gpa
                && msrIndex == other.msrIndex
                && isMsrException == other.isMsrException
                && crNumber == other.crNumber
                && value == other.value
                && userspaceExitReason == other.userspaceExitReason
                && errno == other.errno
                && message.equals(other.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, timestampNanos, cpu, pid, task, vcpu, isa, exitCode, info1, info2, requests, isImmediateExit, intrInfo, errorCode, guestRip, isWrite, port, size, count, mmioType, gpa, msrIndex, isMsrException, crNumber, value, userspaceExitReason, errno, message);
    }

    /** The tracepoint name and the fields that are set, e.g. {@code kvm_exit cpu=1 vcpu=0 isa=VMX exitCode=0x30 ...}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(type == KvmEventType.OTHER ? "other" : type.tracepoint());
        text.append(" t=").append(timestampNanos).append("ns");
        if (cpu != -1) {
            text.append(" cpu=").append(cpu);
        }
        if (pid != 0) {
            text.append(" pid=").append(pid);
        }
        if (!task.isEmpty()) {
            text.append(" task=").append(task);
        }
        if (vcpu != -1) {
            text.append(" vcpu=").append(vcpu);
        }
        if (isa != KvmIsa.UNKNOWN) {
            text.append(" isa=").append(isa);
        }
        if (exitCode != 0) {
            text.append(" exitCode=0x").append(Long.toHexString(exitCode));
        }
        if (info1 != 0) {
            text.append(" info1=0x").append(Long.toHexString(info1));
        }
        if (info2 != 0) {
            text.append(" info2=0x").append(Long.toHexString(info2));
        }
        if (requests != 0) {
            text.append(" requests=0x").append(Long.toHexString(requests));
        }
        if (isImmediateExit) {
            text.append(" immediateExit");
        }
        if (intrInfo != 0) {
            text.append(" intrInfo=").append(intrInfo);
        }
        if (errorCode != 0) {
            text.append(" errorCode=").append(errorCode);
        }
        if (guestRip != 0) {
            text.append(" guestRip=0x").append(Long.toHexString(guestRip));
        }
        if (isWrite) {
            text.append(" isWrite");
        }
        if (port != 0) {
            text.append(" port=0x").append(Integer.toHexString(port));
        }
        if (size != 0) {
            text.append(" size=").append(size);
        }
        if (count != 0) {
            text.append(" count=").append(count);
        }
        if (mmioType != 0) {
            text.append(" mmioType=").append(mmioType);
        }
        if (gpa != 0) {
            text.append(" gpa=0x").append(Long.toHexString(gpa));
        }
        if (msrIndex != 0) {
            text.append(" msrIndex=").append(msrIndex);
        }
        if (isMsrException) {
            text.append(" isMsrException");
        }
        if (crNumber != 0) {
            text.append(" crNumber=").append(crNumber);
        }
        if (value != 0) {
            text.append(" value=0x").append(Long.toHexString(value));
        }
        if (userspaceExitReason != 0) {
            text.append(" userspaceExitReason=").append(userspaceExitReason);
        }
        if (errno != 0) {
            text.append(" errno=").append(errno);
        }
        if (!message.isEmpty()) {
            text.append(" message=").append(message);
        }
        return text.toString();
    }

    /** Builds a {@link KvmEventRecord}; not thread-safe, reusable after {@link #build()}. */
    public static final class Builder {
        private KvmEventType type = KvmEventType.OTHER;
        private long timestampNanos = 0;
        private int cpu = -1;
        private int pid = 0;
        private String task = "";
        private int vcpu = -1;
        private KvmIsa isa = KvmIsa.UNKNOWN;
        private long exitCode = 0;
        private long info1 = 0;
        private long info2 = 0;
        private long requests = 0;
        private boolean isImmediateExit = false;
        private int intrInfo = 0;
        private int errorCode = 0;
        private long guestRip = 0;
        private boolean isWrite = false;
        private int port = 0;
        private int size = 0;
        private int count = 0;
        private int mmioType = 0;
        private long gpa = 0;
        private int msrIndex = 0;
        private boolean isMsrException = false;
        private int crNumber = 0;
        private long value = 0;
        private int userspaceExitReason = 0;
        private int errno = 0;
        private String message = "";

        private Builder() {
        }

        /**
         * Copies every field of an event.
         *
         * @param event the event
         * @return this builder
         */
        public Builder from(KvmEvent event) {
            type(event.type());
            timestampNanos(event.timestampNanos());
            cpu(event.cpu());
            pid(event.pid());
            task(event.task());
            vcpu(event.vcpu());
            isa(event.isa());
            exitCode(event.exitCode());
            info1(event.info1());
            info2(event.info2());
            requests(event.requests());
            immediateExit(event.isImmediateExit());
            intrInfo(event.intrInfo());
            errorCode(event.errorCode());
            guestRip(event.guestRip());
            write(event.isWrite());
            port(event.port());
            size(event.size());
            count(event.count());
            mmioType(event.mmioType());
            gpa(event.gpa());
            msrIndex(event.msrIndex());
            msrException(event.isMsrException());
            crNumber(event.crNumber());
            value(event.value());
            userspaceExitReason(event.userspaceExitReason());
            errno(event.errno());
            message(event.message());
            return this;
        }

        /**
         * Sets {@code type}; see {@link KvmEvent#type()}.
         *
         * @param type the value
         * @return this builder
         */
        public Builder type(KvmEventType type) {
            this.type = Objects.requireNonNull(type, "type");
            return this;
        }

        /**
         * Sets {@code timestampNanos}; see {@link KvmEvent#timestampNanos()}.
         *
         * @param timestampNanos the value
         * @return this builder
         */
        public Builder timestampNanos(long timestampNanos) {
            this.timestampNanos = timestampNanos;
            return this;
        }

        /**
         * Sets {@code cpu}; see {@link KvmEvent#cpu()}.
         *
         * @param cpu the value
         * @return this builder
         */
        public Builder cpu(int cpu) {
            this.cpu = cpu;
            return this;
        }

        /**
         * Sets {@code pid}; see {@link KvmEvent#pid()}.
         *
         * @param pid the value
         * @return this builder
         */
        public Builder pid(int pid) {
            this.pid = pid;
            return this;
        }

        /**
         * Sets {@code task}; see {@link KvmEvent#task()}.
         *
         * @param task the value
         * @return this builder
         */
        public Builder task(CharSequence task) {
            this.task = String.valueOf(Objects.requireNonNull(task, "task"));
            return this;
        }

        /**
         * Sets {@code vcpu}; see {@link KvmEvent#vcpu()}.
         *
         * @param vcpu the value
         * @return this builder
         */
        public Builder vcpu(int vcpu) {
            this.vcpu = vcpu;
            return this;
        }

        /**
         * Sets {@code isa}; see {@link KvmEvent#isa()}.
         *
         * @param isa the value
         * @return this builder
         */
        public Builder isa(KvmIsa isa) {
            this.isa = Objects.requireNonNull(isa, "isa");
            return this;
        }

        /**
         * Sets {@code exitCode}; see {@link KvmEvent#exitCode()}.
         *
         * @param exitCode the value
         * @return this builder
         */
        public Builder exitCode(long exitCode) {
            this.exitCode = exitCode;
            return this;
        }

        /**
         * Sets {@code info1}; see {@link KvmEvent#info1()}.
         *
         * @param info1 the value
         * @return this builder
         */
        public Builder info1(long info1) {
            this.info1 = info1;
            return this;
        }

        /**
         * Sets {@code info2}; see {@link KvmEvent#info2()}.
         *
         * @param info2 the value
         * @return this builder
         */
        public Builder info2(long info2) {
            this.info2 = info2;
            return this;
        }

        /**
         * Sets {@code requests}; see {@link KvmEvent#requests()}.
         *
         * @param requests the value
         * @return this builder
         */
        public Builder requests(long requests) {
            this.requests = requests;
            return this;
        }

        /**
         * Sets {@code isImmediateExit}; see {@link KvmEvent#isImmediateExit()}.
         *
         * @param immediateExit the value
         * @return this builder
         */
        public Builder immediateExit(boolean immediateExit) {
            this.isImmediateExit = immediateExit;
            return this;
        }

        /**
         * Sets {@code intrInfo}; see {@link KvmEvent#intrInfo()}.
         *
         * @param intrInfo the value
         * @return this builder
         */
        public Builder intrInfo(int intrInfo) {
            this.intrInfo = intrInfo;
            return this;
        }

        /**
         * Sets {@code errorCode}; see {@link KvmEvent#errorCode()}.
         *
         * @param errorCode the value
         * @return this builder
         */
        public Builder errorCode(int errorCode) {
            this.errorCode = errorCode;
            return this;
        }

        /**
         * Sets {@code guestRip}; see {@link KvmEvent#guestRip()}.
         *
         * @param guestRip the value
         * @return this builder
         */
        public Builder guestRip(long guestRip) {
            this.guestRip = guestRip;
            return this;
        }

        /**
         * Sets {@code isWrite}; see {@link KvmEvent#isWrite()}.
         *
         * @param isWrite the value
         * @return this builder
         */
        public Builder write(boolean isWrite) {
            this.isWrite = isWrite;
            return this;
        }

        /**
         * Sets {@code port}; see {@link KvmEvent#port()}.
         *
         * @param port the value
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * Sets {@code size}; see {@link KvmEvent#size()}.
         *
         * @param size the value
         * @return this builder
         */
        public Builder size(int size) {
            this.size = size;
            return this;
        }

        /**
         * Sets {@code count}; see {@link KvmEvent#count()}.
         *
         * @param count the value
         * @return this builder
         */
        public Builder count(int count) {
            this.count = count;
            return this;
        }

        /**
         * Sets {@code mmioType}; see {@link KvmEvent#mmioType()}.
         *
         * @param mmioType the value
         * @return this builder
         */
        public Builder mmioType(int mmioType) {
            this.mmioType = mmioType;
            return this;
        }

        /**
         * Sets {@code gpa}; see {@link KvmEvent#gpa()}.
         *
         * @param gpa the value
         * @return this builder
         */
        public Builder gpa(long gpa) {
            this.gpa = gpa;
            return this;
        }

        /**
         * Sets {@code msrIndex}; see {@link KvmEvent#msrIndex()}.
         *
         * @param msrIndex the value
         * @return this builder
         */
        public Builder msrIndex(int msrIndex) {
            this.msrIndex = msrIndex;
            return this;
        }

        /**
         * Sets {@code isMsrException}; see {@link KvmEvent#isMsrException()}.
         *
         * @param isMsrException the value
         * @return this builder
         */
        public Builder msrException(boolean isMsrException) {
            this.isMsrException = isMsrException;
            return this;
        }

        /**
         * Sets {@code crNumber}; see {@link KvmEvent#crNumber()}.
         *
         * @param crNumber the value
         * @return this builder
         */
        public Builder crNumber(int crNumber) {
            this.crNumber = crNumber;
            return this;
        }

        /**
         * Sets {@code value}; see {@link KvmEvent#value()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder value(long value) {
            this.value = value;
            return this;
        }

        /**
         * Sets {@code userspaceExitReason}; see {@link KvmEvent#userspaceExitReason()}.
         *
         * @param userspaceExitReason the value
         * @return this builder
         */
        public Builder userspaceExitReason(int userspaceExitReason) {
            this.userspaceExitReason = userspaceExitReason;
            return this;
        }

        /**
         * Sets {@code errno}; see {@link KvmEvent#errno()}.
         *
         * @param errno the value
         * @return this builder
         */
        public Builder errno(int errno) {
            this.errno = errno;
            return this;
        }

        /**
         * Sets {@code message}; see {@link KvmEvent#message()}.
         *
         * @param message the value
         * @return this builder
         */
        public Builder message(CharSequence message) {
            this.message = String.valueOf(Objects.requireNonNull(message, "message"));
            return this;
        }

        /**
         * The record.
         *
         * @return an immutable record of the fields set so far
         */
        public KvmEventRecord build() {
            return new KvmEventRecord(this);
        }
    }
}
