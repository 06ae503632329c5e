package dev.spikestep.testutil;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The one comparison helper every test uses (after llm.c's {@code dev/cuda/common.h}): spikes are
 * compared exactly, real values with {@code |actual - expected| <= atol + rtol * |expected|}; a
 * failure reports how many positions differ and lists the first {@value #SHOW} of them.
 */
public final class Compare {
    /** How many mismatching positions a failure message lists. */
    public static final int SHOW = 10;

    private Compare() {
    }

    // ---------------------------------------------------------------- spikes, exact

    public static void spikesEqual(String what, byte[] expected, byte[] actual) {
        spikes(what, asDoubles(expected), asDoubles(actual));
    }

    public static void spikesEqual(String what, byte[] expected, float[] actual) {
        spikes(what, asDoubles(expected), asDoubles(actual));
    }

    public static void spikesEqual(String what, byte[] expected, int[] actual) {
        spikes(what, asDoubles(expected), asDoubles(actual));
    }

    public static void spikesEqual(String what, float[] expected, byte[] actual) {
        spikes(what, asDoubles(expected), asDoubles(actual));
    }

    public static void spikesEqual(String what, float[] expected, float[] actual) {
        spikes(what, asDoubles(expected), asDoubles(actual));
    }

    public static void spikesEqual(String what, float[] expected, int[] actual) {
        spikes(what, asDoubles(expected), asDoubles(actual));
    }

    public static void spikesEqual(String what, int[] expected, byte[] actual) {
        spikes(what, asDoubles(expected), asDoubles(actual));
    }

    public static void spikesEqual(String what, int[] expected, float[] actual) {
        spikes(what, asDoubles(expected), asDoubles(actual));
    }

    public static void spikesEqual(String what, int[] expected, int[] actual) {
        spikes(what, asDoubles(expected), asDoubles(actual));
    }

    private static void spikes(String what, double[] e, double[] a) {
        sameLength(what, e.length, a.length);
        int bad = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < e.length; i++) {
            if (e[i] != a[i]) { // a NaN never equals anything; 0 == -0
                if (bad < SHOW) {
                    first.append(String.format("%n  [%d] expected %s, actual %s", i, num(e[i]), num(a[i])));
                }
                bad++;
            }
        }
        if (bad > 0) {
            fail(String.format("%s: %d of %d spikes differ%s%s", what, bad, e.length, first,
                    bad > SHOW ? String.format("%n  ... (%d more)", bad - SHOW) : ""));
        }
    }

    // ---------------------------------------------------------------- real values, tolerance

    /**
     * Passes when, at every position, both are NaN, or both are the same infinity, or both are
     * finite and {@code |a - e| <= atol + rtol * |e|}. A finite value never matches NaN or an infinity.
     */
    public static void close(String what, float[] expected, float[] actual, float atol, float rtol) {
        sameLength(what, expected.length, actual.length);
        int bad = 0;
        double maxAbs = 0;
        int maxAt = -1;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean ok;
            if (Float.isNaN(e) || Float.isNaN(a)) {
                ok = Float.isNaN(e) && Float.isNaN(a);
            } else if (Float.isInfinite(e) || Float.isInfinite(a)) {
                ok = e == a;
            } else {
                double err = Math.abs((double) a - (double) e);
                ok = err <= (double) atol + (double) rtol * Math.abs((double) e);
                if (!ok && err > maxAbs) {
                    maxAbs = err;
                    maxAt = i;
                }
            }
            if (!ok) {
                if (bad < SHOW) {
                    first.append(String.format("%n  [%d] expected %s, actual %s, |diff| %s", i, num(e), num(a),
                            num(Math.abs((double) a - (double) e))));
                }
                bad++;
            }
        }
        if (bad > 0) {
            String max = maxAt < 0 ? "n/a (only NaN/inf mismatches)"
                    : String.format("%s at [%d]", num(maxAbs), maxAt);
            fail(String.format("%s: %d of %d values differ (atol %s, rtol %s); max abs error among finite %s%s%s",
                    what, bad, expected.length, num(atol), num(rtol), max, first,
                    bad > SHOW ? String.format("%n  ... (%d more)", bad - SHOW) : ""));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void sameLength(String what, int e, int a) {
        if (e != a) {
            fail(String.format("%s: expected %d values, actual has %d", what, e, a));
        }
    }

    private static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        if ((double) (float) v == v) {
            return Float.toString((float) v); // shortest text that reads back as the same float
        }
        return String.format("%.9g", v);
    }

    private static double[] asDoubles(byte[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    private static double[] asDoubles(int[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    private static double[] asDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
