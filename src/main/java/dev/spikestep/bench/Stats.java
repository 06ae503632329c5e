package dev.spikestep.bench;

import java.util.Arrays;

/**
 * Summary of repeated timings: median and spread. Percentiles interpolate linearly between the
 * sorted samples (numpy's default), so the median of an even count is the mean of the middle two.
 */
public record Stats(int n, double median, double min, double max, double p10, double p90, double mean) {
    public static Stats of(double[] samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] s = samples.clone();
        Arrays.sort(s);
        double sum = 0;
        for (double v : s) {
            sum += v;
        }
        return new Stats(s.length, percentile(s, 50), s[0], s[s.length - 1], percentile(s, 10), percentile(s, 90),
                sum / s.length);
    }

    /** The q-th percentile (0..100) of sorted samples, linear between closest ranks. */
    static double percentile(double[] sorted, double q) {
        double pos = (sorted.length - 1) * q / 100.0;
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** The same statistics with every value multiplied by {@code f} (unit changes). */
    public Stats scaled(double f) {
        return new Stats(n, median * f, min * f, max * f, p10 * f, p90 * f, mean * f);
    }
}
