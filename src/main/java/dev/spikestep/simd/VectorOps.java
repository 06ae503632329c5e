package dev.spikestep.simd;

/**
 * The dense inner loops of the CPU backend. Each has a scalar form (the reference, and what runs
 * when the Vector API is not enabled) and a Vector API form; both do the same element operations in
 * the same order per element, so they give identical results.
 */
public final class VectorOps {
    private VectorOps() {
    }

    /** {@code dst[d + j] += src[s + j]} for {@code j < n}. */
    public static void addTo(float[] src, int s, float[] dst, int d, int n) {
        if (VectorSupport.ENABLED) {
            VectorKernels.addTo(src, s, dst, d, n);
            return;
        }
        for (int j = 0; j < n; j++) {
            dst[d + j] += src[s + j];
        }
    }

    /** {@code dst[d + j] += a * src[s + j]} for {@code j < n} (a multiply then an add, never fused). */
    public static void axpy(float a, float[] src, int s, float[] dst, int d, int n) {
        if (VectorSupport.ENABLED) {
            VectorKernels.axpy(a, src, s, dst, d, n);
            return;
        }
        for (int j = 0; j < n; j++) {
            dst[d + j] += a * src[s + j];
        }
    }

    /**
     * Columns that {@link #sumRows} keeps in registers: 8 vectors (64 floats
     * with AVX2; measured faster than 4 vectors or whole 256-wide rows). The scalar form keeps
     * nothing in registers and runs best on whole rows: it answers a width no row reaches.
     */
    public static int blockColumns() {
        return VectorSupport.ENABLED ? 8 * VectorKernels.lanes() : 1 << 20;
    }

    /**
     * {@code dst[d + j] = sum over k in [k0, k1) of src[rows[k] * stride + s + j]} for {@code j < n},
     * each element summed from 0 in ascending k (a weight-row gather: the rows of the live inputs).
     * The Vector API form keeps up to {@link #blockColumns} columns of accumulators in registers
     * while the rows stream through, so a row segment costs one load per vector and dst is written once.
     */
    public static void sumRows(float[] src, int[] rows, int k0, int k1, int stride, int s, float[] dst, int d, int n) {
        if (VectorSupport.ENABLED) {
            VectorKernels.sumRows(src, rows, k0, k1, stride, s, dst, d, n);
            return;
        }
        // Row after row (the plain loop's order per element, and the scalar code's fast order).
        java.util.Arrays.fill(dst, d, d + n, 0f);
        for (int k = k0; k < k1; k++) {
            int o = rows[k] * stride + s;
            for (int j = 0; j < n; j++) {
                dst[d + j] += src[o + j];
            }
        }
    }

    /**
     * {@code dst[d + j] += src[(r0 + k) * stride + s + j]} for the set bits k of {@code mask},
     * ascending, and {@code j < n}: the rows of a 64-row block as a bitmask, added to dst's values
     * (the same float additions, in the same order, as adding the rows one by one).
     */
    public static void addRowsMasked(float[] src, int r0, long mask, int stride, int s, float[] dst, int d, int n) {
        if (VectorSupport.ENABLED) {
            VectorKernels.addRowsMasked(src, r0, mask, stride, s, dst, d, n);
            return;
        }
        for (long m = mask; m != 0; m &= m - 1) {
            int o = (r0 + Long.numberOfTrailingZeros(m)) * stride + s;
            for (int j = 0; j < n; j++) {
                dst[d + j] += src[o + j];
            }
        }
    }

    /**
     * Columns that one {@link #sumRows4} pass keeps in registers for its four outputs: 2 vectors
     * (the whole width in the scalar form).
     */
    public static int blockColumns4() {
        return VectorSupport.ENABLED ? 2 * VectorKernels.lanes() : 1 << 20;
    }

    /**
     * Four sums of rows at once, for the rows of a gather list that four outputs share: for each g
     * in 0..3 and {@code j < n}, {@code dst[d + g * dStride + j]} = the sum from 0 of
     * {@code src[rows[k] * stride + s + j]} over the k in {@code [k0, k1)}, ascending, where bit g of
     * {@code bits4[k]} is set: the additions of four {@link #sumRows} calls, each on its own
     * sub-list, in their order. One row segment is loaded once for all four outputs (fc1: four
     * steps of a sample share most of their live inputs).
     *
     * @param finite whether every element of the listed row segments is finite (see {@link #allFinite}):
     *               the Vector API form then takes a faster path; the results are the same either way
     */
    public static void sumRows4(float[] src, int[] rows, byte[] bits4, int k0, int k1, int stride, int s,
                                float[] dst, int d, int dStride, int n, boolean finite) {
        if (VectorSupport.ENABLED) {
            VectorKernels.sumRows4(src, rows, bits4, k0, k1, stride, s, dst, d, dStride, n, finite);
            return;
        }
        for (int g = 0; g < 4; g++) {
            int dg = d + g * dStride;
            java.util.Arrays.fill(dst, dg, dg + n, 0f);
            for (int k = k0; k < k1; k++) {
                if ((bits4[k] >> g & 1) != 0) {
                    int o = rows[k] * stride + s;
                    for (int j = 0; j < n; j++) {
                        dst[dg + j] += src[o + j];
                    }
                }
            }
        }
    }

    /** Whether every element of {@code a[from, to)} is +0 or -0 (a NaN is not). */
    public static boolean allZero(float[] a, int from, int to) {
        if (VectorSupport.ENABLED) {
            return VectorKernels.allZero(a, from, to);
        }
        for (int i = from; i < to; i++) {
            if (a[i] != 0f) {
                return false;
            }
        }
        return true;
    }

    /** Whether every element of {@code a[from, to)} is finite (neither NaN nor infinite). */
    public static boolean allFinite(float[] a, int from, int to) {
        if (VectorSupport.ENABLED) {
            return VectorKernels.allFinite(a, from, to);
        }
        for (int i = from; i < to; i++) {
            if (!Float.isFinite(a[i])) {
                return false;
            }
        }
        return true;
    }

}
