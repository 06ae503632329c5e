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
}
