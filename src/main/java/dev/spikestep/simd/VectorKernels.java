package dev.spikestep.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API forms of {@link VectorOps}. Loaded only when {@link VectorSupport#ENABLED}, so the
 * incubator module is needed only when it is used.
 */
public final class VectorKernels {
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private VectorKernels() {
    }

    public static int lanes() {
        return F.length();
    }

    public static void addTo(float[] src, int s, float[] dst, int d, int n) {
        int j = 0;
        int upper = F.loopBound(n);
        for (; j < upper; j += F.length()) {
            FloatVector.fromArray(F, dst, d + j).add(FloatVector.fromArray(F, src, s + j)).intoArray(dst, d + j);
        }
        for (; j < n; j++) {
            dst[d + j] += src[s + j];
        }
    }

    public static void axpy(float a, float[] src, int s, float[] dst, int d, int n) {
        int j = 0;
        int upper = F.loopBound(n);
        for (; j < upper; j += F.length()) {
            FloatVector.fromArray(F, dst, d + j).add(FloatVector.fromArray(F, src, s + j).mul(a)).intoArray(dst, d + j);
        }
        for (; j < n; j++) {
            dst[d + j] += a * src[s + j];
        }
    }

    /**
     * {@link VectorOps#sumRows} ({@code into} false: from 0) and {@link VectorOps#addRows} ({@code into}
     * true: from dst): 8, then 1 vector of accumulators, then a scalar tail, k ascending in each.
     */
    public static void sumRows(float[] src, int[] rows, int k0, int k1, int stride, int s, float[] dst, int d, int n,
                               boolean into) {
        int L = F.length();
        int j = 0;
        for (; j + 8 * L <= n; j += 8 * L) {
            FloatVector a0 = start(dst, d + j, into);
            FloatVector a1 = start(dst, d + j + L, into);
            FloatVector a2 = start(dst, d + j + 2 * L, into);
            FloatVector a3 = start(dst, d + j + 3 * L, into);
            FloatVector a4 = start(dst, d + j + 4 * L, into);
            FloatVector a5 = start(dst, d + j + 5 * L, into);
            FloatVector a6 = start(dst, d + j + 6 * L, into);
            FloatVector a7 = start(dst, d + j + 7 * L, into);
            for (int k = k0; k < k1; k++) {
                int o = rows[k] * stride + s + j;
                a0 = a0.add(FloatVector.fromArray(F, src, o));
                a1 = a1.add(FloatVector.fromArray(F, src, o + L));
                a2 = a2.add(FloatVector.fromArray(F, src, o + 2 * L));
                a3 = a3.add(FloatVector.fromArray(F, src, o + 3 * L));
                a4 = a4.add(FloatVector.fromArray(F, src, o + 4 * L));
                a5 = a5.add(FloatVector.fromArray(F, src, o + 5 * L));
                a6 = a6.add(FloatVector.fromArray(F, src, o + 6 * L));
                a7 = a7.add(FloatVector.fromArray(F, src, o + 7 * L));
            }
            a0.intoArray(dst, d + j);
            a1.intoArray(dst, d + j + L);
            a2.intoArray(dst, d + j + 2 * L);
            a3.intoArray(dst, d + j + 3 * L);
            a4.intoArray(dst, d + j + 4 * L);
            a5.intoArray(dst, d + j + 5 * L);
            a6.intoArray(dst, d + j + 6 * L);
            a7.intoArray(dst, d + j + 7 * L);
        }
        for (; j + L <= n; j += L) {
            FloatVector a0 = start(dst, d + j, into);
            for (int k = k0; k < k1; k++) {
                a0 = a0.add(FloatVector.fromArray(F, src, rows[k] * stride + s + j));
            }
            a0.intoArray(dst, d + j);
        }
        for (; j < n; j++) {
            float acc = into ? dst[d + j] : 0f;
            for (int k = k0; k < k1; k++) {
                acc += src[rows[k] * stride + s + j];
            }
            dst[d + j] = acc;
        }
    }

    private static FloatVector start(float[] dst, int i, boolean into) {
        return into ? FloatVector.fromArray(F, dst, i) : FloatVector.zero(F);
    }
}
