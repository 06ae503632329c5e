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
}
