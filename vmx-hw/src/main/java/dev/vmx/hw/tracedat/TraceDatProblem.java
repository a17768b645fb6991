package dev.vmx.hw.tracedat;

import java.util.Objects;

/**
 * Something in a trace.dat that could not be read, or was lost before it was written: where (the
 * file offset, the buffer and the CPU) and what was lost. Readers keep the first few of these and
 * count all of them, so nothing is dropped silently.
 */
public final class TraceDatProblem {
    private final long offset;
    private final String buffer;
    private final int cpu;
    private final String problem;

    private TraceDatProblem(long offset, String buffer, int cpu, String problem) {
        this.offset = offset;
        this.buffer = Objects.requireNonNull(buffer, "buffer");
        this.cpu = cpu;
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    /**
     * A problem.
     *
     * @param offset the file offset where it was found, -1 when it has none
     * @param buffer the buffer (trace instance) name, "" for the top buffer or for the whole file
     * @param cpu the CPU whose data it is in, -1 for the file's metadata
     * @param problem what is wrong and what was lost
     * @return the value
     */
    public static TraceDatProblem of(long offset, String buffer, int cpu, String problem) {
        return new TraceDatProblem(offset, buffer, cpu, problem);
    }

    /**
     * The file offset where the problem was found; for compressed data, the offset of the
     * compressed chunk that holds it.
     *
     * @return the offset, -1 when none applies
     */
    public long offset() {
        return offset;
    }

    /**
     * The buffer (trace instance) it is in.
     *
     * @return the name, "" for the top buffer or the file's metadata
     */
    public String buffer() {
        return buffer;
    }

    /**
     * The CPU whose data it is in.
     *
     * @return the CPU, -1 for the file's metadata
     */
    public int cpu() {
        return cpu;
    }

    /**
     * What is wrong and what was lost.
     *
     * @return the description
     */
    public String problem() {
        return problem;
    }

    @Override
    public boolean equals(Object object) {
        return object instanceof TraceDatProblem other && offset == other.offset && cpu == other.cpu
                && buffer.equals(other.buffer) && problem.equals(other.problem);
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset, buffer, cpu, problem);
    }

    /** Reads like {@code offset 0x3000, buffer vmxa, CPU 1: ...}. */
    @Override
    public String toString() {
        // the place as KvmTraceProblem.where() names it, then buffer and CPU
        return asTraceProblem().where() + (buffer.isEmpty() && cpu < 0 ? ": " : ", ") + withoutOffset();
    }

    /** The problem with its buffer and CPU, as {@link #toString()} gives it after the offset. */
    String withoutOffset() {
        StringBuilder text = new StringBuilder();
        if (!buffer.isEmpty()) {
            text.append("buffer ").append(buffer);
        }
        if (cpu >= 0) {
            text.append(text.length() > 0 ? ", " : "").append("CPU ").append(cpu);
        }
        return text.append(text.length() > 0 ? ": " : "").append(problem).toString();
    }

    /** This problem as {@link dev.vmx.trace.ExitStatistics#readFile} reports it. */
    dev.vmx.trace.KvmTraceProblem asTraceProblem() {
        return dev.vmx.trace.KvmTraceProblem.atOffset(Math.max(offset, -1), withoutOffset());
    }
}
