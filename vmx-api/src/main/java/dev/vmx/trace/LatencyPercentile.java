package dev.vmx.trace;

/**
 * A percentile of exit-to-entry times as {@link ExitStatistics} reports it: exact where its
 * histogram bucket decides it, otherwise the two observed times it lies between.
 *
 * <p>The percentile is the nearest-rank one (the smallest time t such that at least
 * ceil(p/100 * n) of the n timed exits took at most t). The statistics keep, per bucket, how many
 * times fell into it and the smallest and the largest of them. The percentile is exact when its
 * rank is the first or the last one of its bucket, or when the bucket holds one distinct value
 * (always so below 64 ns); otherwise it lies in [{@link #lowNanos()}, {@link #highNanos()}], two
 * times that were recorded, at most 1/32 (3.1%) apart. So neither bound is ever a time no exit took.
 *
 * @param percent the percentile, e.g. 50 or 99
 * @param lowNanos a recorded time at or below the percentile
 * @param highNanos a recorded time at or above the percentile (equal to {@code lowNanos} when exact)
 */
public record LatencyPercentile(double percent, long lowNanos, long highNanos) {
    /**
     * Checks the values.
     *
     * @param percent see the record component
     * @param lowNanos see the record component
     * @param highNanos see the record component
     * @throws IllegalArgumentException if percent is not in (0, 100] or the bounds are negative or crossed
     */
    public LatencyPercentile {
        if (!(percent > 0 && percent <= 100) || lowNanos < 0 || highNanos < lowNanos) {
            throw new IllegalArgumentException("percentile " + percent + " with bounds " + lowNanos + ".." + highNanos);
        }
    }

    /**
     * A percentile between two recorded times.
     *
     * @param percent the percentile, in (0, 100]
     * @param lowNanos the lower bound
     * @param highNanos the upper bound, equal to the lower when exact
     * @return the value
     */
    public static LatencyPercentile of(double percent, long lowNanos, long highNanos) {
        return new LatencyPercentile(percent, lowNanos, highNanos);
    }

    /**
     * Whether the percentile is known exactly.
     *
     * @return true when both bounds are the same time
     */
    public boolean isExact() {
        return lowNanos == highNanos;
    }

    /**
     * The time to report: the exact value, or else the upper bound (a recorded time that the
     * percentile does not exceed), so that a tail is never understated.
     *
     * @return nanoseconds
     */
    public long nanos() {
        return highNanos;
    }

    /**
     * The value in microseconds with two decimals, prefixed {@code <=} when it is an upper bound,
     * as the statistics tables print it.
     *
     * @return e.g. {@code 2.00} or {@code <=3.01}
     */
    public String toMicrosText() {
        String micros = String.format(java.util.Locale.ROOT, "%.2f", highNanos / 1000.0);
        return isExact() ? micros : "<=" + micros;
    }
}
