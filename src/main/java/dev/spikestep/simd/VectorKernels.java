package dev.spikestep.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
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
     * out[oOff .. oOff+nOut) = sum over the n with spikes[sOff + n] != 0, ascending, of
     * w[n*nOut .. n*nOut+nOut): the row kept in one register (nOut <= lanes).
     */
    public static void spikeRowSum(byte[] spikes, int sOff, int nIn, float[] w, int nOut, float[] out, int oOff) {
        VectorMask<Float> m = F.indexInRange(0, nOut);
        FloatVector acc = FloatVector.zero(F);
        for (int n = 0; n < nIn; n++) {
            if (spikes[sOff + n] != 0) {
                acc = acc.add(FloatVector.fromArray(F, w, n * nOut, m));
            }
        }
        acc.intoArray(out, oOff, m);
    }

    /** gW[n*nOut ..) += g[gOff .. gOff+nOut) for each n in [n0, n1) with spikes[sOff + n] != 0 (nOut <= lanes). */
    public static void spikeRowScatter(byte[] spikes, int sOff, float[] g, int gOff, int nOut, float[] gW, int n0, int n1) {
        VectorMask<Float> m = F.indexInRange(0, nOut);
        FloatVector gv = FloatVector.fromArray(F, g, gOff, m);
        for (int n = n0; n < n1; n++) {
            if (spikes[sOff + n] != 0) {
                FloatVector.fromArray(F, gW, n * nOut, m).add(gv).intoArray(gW, n * nOut, m);
            }
        }
    }
}
