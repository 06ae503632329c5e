package dev.spikestep.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
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
     * {@link VectorOps#sumRows}: 8, then 1 vector of accumulators, then a scalar tail, k ascending in each.
     */
    public static void sumRows(float[] src, int[] rows, int k0, int k1, int stride, int s, float[] dst, int d, int n) {
        int L = F.length();
        int j = 0;
        for (; j + 8 * L <= n; j += 8 * L) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            FloatVector a4 = FloatVector.zero(F);
            FloatVector a5 = FloatVector.zero(F);
            FloatVector a6 = FloatVector.zero(F);
            FloatVector a7 = FloatVector.zero(F);
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
            FloatVector a0 = FloatVector.zero(F);
            for (int k = k0; k < k1; k++) {
                a0 = a0.add(FloatVector.fromArray(F, src, rows[k] * stride + s + j));
            }
            a0.intoArray(dst, d + j);
        }
        for (; j < n; j++) {
            float acc = 0f;
            for (int k = k0; k < k1; k++) {
                acc += src[rows[k] * stride + s + j];
            }
            dst[d + j] = acc;
        }
    }

    /**
     * {@link VectorOps#addRowsMasked}: as {@link #sumRows}, continuing from dst, with the rows the set bits of
     * {@code mask} (row {@code r0 + k} for bit k, k ascending).
     */
    public static void addRowsMasked(float[] src, int r0, long mask, int stride, int s, float[] dst, int d, int n) {
        int L = F.length();
        int j = 0;
        for (; j + 8 * L <= n; j += 8 * L) {
            FloatVector a0 = FloatVector.fromArray(F, dst, d + j);
            FloatVector a1 = FloatVector.fromArray(F, dst, d + j + L);
            FloatVector a2 = FloatVector.fromArray(F, dst, d + j + 2 * L);
            FloatVector a3 = FloatVector.fromArray(F, dst, d + j + 3 * L);
            FloatVector a4 = FloatVector.fromArray(F, dst, d + j + 4 * L);
            FloatVector a5 = FloatVector.fromArray(F, dst, d + j + 5 * L);
            FloatVector a6 = FloatVector.fromArray(F, dst, d + j + 6 * L);
            FloatVector a7 = FloatVector.fromArray(F, dst, d + j + 7 * L);
            for (long m = mask; m != 0; m &= m - 1) {
                int o = (r0 + Long.numberOfTrailingZeros(m)) * stride + s + j;
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
            FloatVector a0 = FloatVector.fromArray(F, dst, d + j);
            for (long m = mask; m != 0; m &= m - 1) {
                a0 = a0.add(FloatVector.fromArray(F, src, (r0 + Long.numberOfTrailingZeros(m)) * stride + s + j));
            }
            a0.intoArray(dst, d + j);
        }
        for (; j < n; j++) {
            float acc = dst[d + j];
            for (long m = mask; m != 0; m &= m - 1) {
                acc += src[(r0 + Long.numberOfTrailingZeros(m)) * stride + s + j];
            }
            dst[d + j] = acc;
        }
    }

    /** Whether every element of {@code a[from, to)} is +0 or -0 (a NaN is not). */
    public static boolean allZero(float[] a, int from, int to) {
        int L = F.length();
        int i = from;
        for (; i + L <= to; i += L) {
            // != is true for a NaN and false for -0; out at the first such vector: a row of a
            // gradient that is not all zeros is almost never zero in its first 16 columns, so
            // the row masks' check reads a line of it, not the row (weight gradients, RESULTS.md)
            if (FloatVector.fromArray(F, a, i).compare(VectorOperators.NE, 0f).anyTrue()) {
                return false;
            }
        }
        for (; i < to; i++) {
            if (a[i] != 0f) {
                return false;
            }
        }
        return true;
    }

    /** Whether every element of {@code a[from, to)} is finite: x * 0 is 0 for a finite x and NaN otherwise. */
    public static boolean allFinite(float[] a, int from, int to) {
        int L = F.length();
        FloatVector acc = FloatVector.zero(F);
        int i = from;
        for (; i + L <= to; i += L) {
            acc = acc.add(FloatVector.fromArray(F, a, i).mul(0f));
        }
        float tail = 0f;
        for (; i < to; i++) {
            tail += a[i] * 0f;
        }
        return acc.reduceLanes(VectorOperators.ADD) + tail == 0f;
    }

    /** BITS4[m * 4 + g] = bit g of m, as 0f or 1f. */
    private static final float[] BITS4 = new float[64];

    static {
        for (int m = 0; m < 16; m++) {
            for (int g = 0; g < 4; g++) {
                BITS4[m * 4 + g] = (m >> g) & 1;
            }
        }
    }

    /**
     * {@link VectorOps#sumRows4}: 4 outputs x 2 vectors of accumulators, each row segment loaded once,
     * then a scalar tail. With {@code finite} rows, the segment is added to output g as
     * {@code fma(x, bit_g, acc)}: for a bit of 1 that is {@code x + acc} rounded once, the plain
     * addition; for a bit of 0 it adds a zero, which changes no sum (a sum that starts from +0 never
     * becomes -0); measured 1.2-2x faster than masked adds on JDK 25 and 2x on JDK 17, where masked
     * adds are blends. A NaN or infinite row times 0 is NaN, so such rows take the masked adds.
     */
    public static void sumRows4(float[] src, int[] rows, byte[] bits4, int k0, int k1, int stride, int s,
                                float[] dst, int d, int dStride, int n, boolean finite) {
        // Two methods, not a branch inside one: a run whose weights turn non-finite then starts
        // using a method of its own instead of deoptimizing the compiled FMA loop.
        if (finite) {
            sumRows4Fma(src, rows, bits4, k0, k1, stride, s, dst, d, dStride, n);
        } else {
            sumRows4Masked(src, rows, bits4, k0, k1, stride, s, dst, d, dStride, n);
        }
    }

    private static void sumRows4Fma(float[] src, int[] rows, byte[] bits4, int k0, int k1, int stride, int s,
                                    float[] dst, int d, int dStride, int n) {
        int L = F.length();
        int e = d + dStride;
        int f = d + 2 * dStride;
        int h = d + 3 * dStride;
        int j = 0;
        for (; j + 2 * L <= n; j += 2 * L) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector b0 = FloatVector.zero(F);
            FloatVector b1 = FloatVector.zero(F);
            FloatVector c0 = FloatVector.zero(F);
            FloatVector c1 = FloatVector.zero(F);
            FloatVector g0 = FloatVector.zero(F);
            FloatVector g1 = FloatVector.zero(F);
            for (int k = k0; k < k1; k++) {
                int o = rows[k] * stride + s + j;
                FloatVector x0 = FloatVector.fromArray(F, src, o);
                FloatVector x1 = FloatVector.fromArray(F, src, o + L);
                int m = bits4[k] << 2;
                FloatVector sa = FloatVector.broadcast(F, BITS4[m]);
                FloatVector sb = FloatVector.broadcast(F, BITS4[m + 1]);
                FloatVector sc = FloatVector.broadcast(F, BITS4[m + 2]);
                FloatVector sg = FloatVector.broadcast(F, BITS4[m + 3]);
                a0 = x0.fma(sa, a0);
                a1 = x1.fma(sa, a1);
                b0 = x0.fma(sb, b0);
                b1 = x1.fma(sb, b1);
                c0 = x0.fma(sc, c0);
                c1 = x1.fma(sc, c1);
                g0 = x0.fma(sg, g0);
                g1 = x1.fma(sg, g1);
            }
            a0.intoArray(dst, d + j);
            a1.intoArray(dst, d + j + L);
            b0.intoArray(dst, e + j);
            b1.intoArray(dst, e + j + L);
            c0.intoArray(dst, f + j);
            c1.intoArray(dst, f + j + L);
            g0.intoArray(dst, h + j);
            g1.intoArray(dst, h + j + L);
        }
        sumRowsTail(4, src, rows, bits4, k0, k1, stride, s, dst, d, dStride, j, n);
    }


    private static void sumRows4Masked(float[] src, int[] rows, byte[] bits4, int k0, int k1, int stride, int s,
                                       float[] dst, int d, int dStride, int n) {
        int L = F.length();
        int e = d + dStride;
        int f = d + 2 * dStride;
        int h = d + 3 * dStride;
        int j = 0;
        for (; j + 2 * L <= n; j += 2 * L) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector b0 = FloatVector.zero(F);
            FloatVector b1 = FloatVector.zero(F);
            FloatVector c0 = FloatVector.zero(F);
            FloatVector c1 = FloatVector.zero(F);
            FloatVector g0 = FloatVector.zero(F);
            FloatVector g1 = FloatVector.zero(F);
            for (int k = k0; k < k1; k++) {
                int o = rows[k] * stride + s + j;
                FloatVector x0 = FloatVector.fromArray(F, src, o);
                FloatVector x1 = FloatVector.fromArray(F, src, o + L);
                int m = bits4[k] << 2;
                VectorMask<Float> ma = FloatVector.broadcast(F, BITS4[m]).compare(VectorOperators.NE, 0f);
                VectorMask<Float> mb = FloatVector.broadcast(F, BITS4[m + 1]).compare(VectorOperators.NE, 0f);
                VectorMask<Float> mc = FloatVector.broadcast(F, BITS4[m + 2]).compare(VectorOperators.NE, 0f);
                VectorMask<Float> mg = FloatVector.broadcast(F, BITS4[m + 3]).compare(VectorOperators.NE, 0f);
                a0 = a0.add(x0, ma);
                a1 = a1.add(x1, ma);
                b0 = b0.add(x0, mb);
                b1 = b1.add(x1, mb);
                c0 = c0.add(x0, mc);
                c1 = c1.add(x1, mc);
                g0 = g0.add(x0, mg);
                g1 = g1.add(x1, mg);
            }
            a0.intoArray(dst, d + j);
            a1.intoArray(dst, d + j + L);
            b0.intoArray(dst, e + j);
            b1.intoArray(dst, e + j + L);
            c0.intoArray(dst, f + j);
            c1.intoArray(dst, f + j + L);
            g0.intoArray(dst, h + j);
            g1.intoArray(dst, h + j + L);
        }
        sumRowsTail(4, src, rows, bits4, k0, k1, stride, s, dst, d, dStride, j, n);
    }

    /**
     * {@link VectorOps#sumRows4} for eight outputs (bit g of {@code bits8[k]} for output g), finite
     * rows only: 8 outputs x 2 vectors of accumulators, each row segment loaded once for all eight
     * and added as {@code fma(x, bit_g, acc)} (see {@link #sumRows4}), then a scalar tail. Sixteen
     * independent chains instead of eight, and half the loads per addition: fc1 1.05-1.26x faster
     * on the digits (JDK 25, 16-float vectors), 1.4x on Fashion-MNIST. The caller keeps four
     * outputs for narrower vectors.
     */
    public static void sumRows8(float[] src, int[] rows, byte[] bits8, int k0, int k1, int stride, int s,
                                float[] dst, int d, int dStride, int n) {
        int L = F.length();
        int j = 0;
        for (; j + 2 * L <= n; j += 2 * L) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector b0 = FloatVector.zero(F);
            FloatVector b1 = FloatVector.zero(F);
            FloatVector c0 = FloatVector.zero(F);
            FloatVector c1 = FloatVector.zero(F);
            FloatVector e0 = FloatVector.zero(F);
            FloatVector e1 = FloatVector.zero(F);
            FloatVector f0 = FloatVector.zero(F);
            FloatVector f1 = FloatVector.zero(F);
            FloatVector g0 = FloatVector.zero(F);
            FloatVector g1 = FloatVector.zero(F);
            FloatVector h0 = FloatVector.zero(F);
            FloatVector h1 = FloatVector.zero(F);
            FloatVector i0 = FloatVector.zero(F);
            FloatVector i1 = FloatVector.zero(F);
            for (int k = k0; k < k1; k++) {
                int o = rows[k] * stride + s + j;
                FloatVector x0 = FloatVector.fromArray(F, src, o);
                FloatVector x1 = FloatVector.fromArray(F, src, o + L);
                int lo = (bits8[k] & 15) << 2;
                int hi = (bits8[k] >> 4 & 15) << 2;
                FloatVector sa = FloatVector.broadcast(F, BITS4[lo]);
                FloatVector sb = FloatVector.broadcast(F, BITS4[lo + 1]);
                FloatVector sc = FloatVector.broadcast(F, BITS4[lo + 2]);
                FloatVector se = FloatVector.broadcast(F, BITS4[lo + 3]);
                FloatVector sf = FloatVector.broadcast(F, BITS4[hi]);
                FloatVector sg = FloatVector.broadcast(F, BITS4[hi + 1]);
                FloatVector sh = FloatVector.broadcast(F, BITS4[hi + 2]);
                FloatVector si = FloatVector.broadcast(F, BITS4[hi + 3]);
                a0 = x0.fma(sa, a0);
                a1 = x1.fma(sa, a1);
                b0 = x0.fma(sb, b0);
                b1 = x1.fma(sb, b1);
                c0 = x0.fma(sc, c0);
                c1 = x1.fma(sc, c1);
                e0 = x0.fma(se, e0);
                e1 = x1.fma(se, e1);
                f0 = x0.fma(sf, f0);
                f1 = x1.fma(sf, f1);
                g0 = x0.fma(sg, g0);
                g1 = x1.fma(sg, g1);
                h0 = x0.fma(sh, h0);
                h1 = x1.fma(sh, h1);
                i0 = x0.fma(si, i0);
                i1 = x1.fma(si, i1);
            }
            a0.intoArray(dst, d + j);
            a1.intoArray(dst, d + j + L);
            b0.intoArray(dst, d + dStride + j);
            b1.intoArray(dst, d + dStride + j + L);
            c0.intoArray(dst, d + 2 * dStride + j);
            c1.intoArray(dst, d + 2 * dStride + j + L);
            e0.intoArray(dst, d + 3 * dStride + j);
            e1.intoArray(dst, d + 3 * dStride + j + L);
            f0.intoArray(dst, d + 4 * dStride + j);
            f1.intoArray(dst, d + 4 * dStride + j + L);
            g0.intoArray(dst, d + 5 * dStride + j);
            g1.intoArray(dst, d + 5 * dStride + j + L);
            h0.intoArray(dst, d + 6 * dStride + j);
            h1.intoArray(dst, d + 6 * dStride + j + L);
            i0.intoArray(dst, d + 7 * dStride + j);
            i1.intoArray(dst, d + 7 * dStride + j + L);
        }
        sumRowsTail(8, src, rows, bits8, k0, k1, stride, s, dst, d, dStride, j, n);
    }

    /** The columns {@code [j, n)} of {@link #sumRows4} or {@link #sumRows8} ({@code G} outputs) that fill no vector, in scalar code. */
    private static void sumRowsTail(int G, float[] src, int[] rows, byte[] bits4, int k0, int k1, int stride, int s,
                                    float[] dst, int d, int dStride, int j, int n) {
        for (int g = 0; g < G; g++) {
            int dg = d + g * dStride;
            for (int jj = j; jj < n; jj++) {
                float acc = 0f;
                for (int k = k0; k < k1; k++) {
                    if ((bits4[k] >> g & 1) != 0) {
                        acc += src[rows[k] * stride + s + jj];
                    }
                }
                dst[dg + jj] = acc;
            }
        }
    }

    /**
     * fc_out forward for 4 rows at once, outputs in lanes: {@code out[r, j] = sum over n ascending with
     * spike[r, n] != 0 of w[n, j]}, for the rows {@code r0 + 4 * g} .. {@code + 3} of {@code groups}
     * groups. {@code wPad} is w with rows padded to {@code V * L} floats (V = 1 or 2), finite: a spike
     * byte of 1 adds {@code fma(w, 1, acc)} (the plain addition), a 0 adds a zero (no change), so there
     * is no branch to mispredict on the 0/1 spikes. Four rows give four independent accumulation chains.
     */
    public static void spikeRows4(byte[] spikes, int nIn, float[] wPad, int V, float[] out, int nOut, int r0, int groups) {
        int L = F.length();
        float[] tmp = new float[4 * V * L];
        for (int gr = 0; gr < groups; gr++) {
            int r = r0 + 4 * gr;
            int s0 = r * nIn;
            int s1 = s0 + nIn;
            int s2 = s1 + nIn;
            int s3 = s2 + nIn;
            if (V == 1) {
                FloatVector a = FloatVector.zero(F);
                FloatVector b = FloatVector.zero(F);
                FloatVector c = FloatVector.zero(F);
                FloatVector e = FloatVector.zero(F);
                for (int n = 0; n < nIn; n++) {
                    FloatVector x = FloatVector.fromArray(F, wPad, n * L);
                    a = x.fma(FloatVector.broadcast(F, (float) spikes[s0 + n]), a);
                    b = x.fma(FloatVector.broadcast(F, (float) spikes[s1 + n]), b);
                    c = x.fma(FloatVector.broadcast(F, (float) spikes[s2 + n]), c);
                    e = x.fma(FloatVector.broadcast(F, (float) spikes[s3 + n]), e);
                }
                a.intoArray(tmp, 0);
                b.intoArray(tmp, L);
                c.intoArray(tmp, 2 * L);
                e.intoArray(tmp, 3 * L);
            } else {
                FloatVector a = FloatVector.zero(F);
                FloatVector a1 = FloatVector.zero(F);
                FloatVector b = FloatVector.zero(F);
                FloatVector b1 = FloatVector.zero(F);
                FloatVector c = FloatVector.zero(F);
                FloatVector c1 = FloatVector.zero(F);
                FloatVector e = FloatVector.zero(F);
                FloatVector e1 = FloatVector.zero(F);
                for (int n = 0; n < nIn; n++) {
                    FloatVector x = FloatVector.fromArray(F, wPad, 2 * n * L);
                    FloatVector x1 = FloatVector.fromArray(F, wPad, 2 * n * L + L);
                    FloatVector ka = FloatVector.broadcast(F, (float) spikes[s0 + n]);
                    FloatVector kb = FloatVector.broadcast(F, (float) spikes[s1 + n]);
                    FloatVector kc = FloatVector.broadcast(F, (float) spikes[s2 + n]);
                    FloatVector ke = FloatVector.broadcast(F, (float) spikes[s3 + n]);
                    a = x.fma(ka, a);
                    a1 = x1.fma(ka, a1);
                    b = x.fma(kb, b);
                    b1 = x1.fma(kb, b1);
                    c = x.fma(kc, c);
                    c1 = x1.fma(kc, c1);
                    e = x.fma(ke, e);
                    e1 = x1.fma(ke, e1);
                }
                a.intoArray(tmp, 0);
                a1.intoArray(tmp, L);
                b.intoArray(tmp, 2 * L);
                b1.intoArray(tmp, 3 * L);
                c.intoArray(tmp, 4 * L);
                c1.intoArray(tmp, 5 * L);
                e.intoArray(tmp, 6 * L);
                e1.intoArray(tmp, 7 * L);
            }
            for (int g = 0; g < 4; g++) {
                System.arraycopy(tmp, g * V * L, out, (r + g) * nOut, nOut);
            }
        }
    }

    /**
     * fc_out weight gradient for 4 neurons at once, outputs in lanes: {@code gWPad[n, j] += sum over
     * the listed rows r = rows[k], k ascending, with spike[r, n] != 0 of gPad[k, j]} for the neurons
     * {@code n0 + 4 * g} .. {@code + 3} of {@code groups} groups. {@code gPad} holds the listed rows of
     * grad [R, nOut] in list order and {@code gWPad} gW [nIn, nOut], both with rows padded to
     * {@code V * L} floats (V = 1 or 2); gPad finite; the additions as in {@link #spikeRows4}. Blocked
     * over 64 listed rows, so that their spike bytes stay in L1 for every group.
     */
    public static void spikeGrad4(byte[] spikes, int nIn, int[] rows, int nRows, float[] gPad, int V, float[] gWPad,
                                  int n0, int groups) {
        int L = F.length();
        int P = V * L;
        for (int rb = 0; rb < nRows; rb += 64) {
            int re = Math.min(nRows, rb + 64);
            for (int gr = 0; gr < groups; gr++) {
                int n = n0 + 4 * gr;
                int w0 = n * P;
                if (V == 1) {
                    FloatVector a = FloatVector.fromArray(F, gWPad, w0);
                    FloatVector b = FloatVector.fromArray(F, gWPad, w0 + L);
                    FloatVector c = FloatVector.fromArray(F, gWPad, w0 + 2 * L);
                    FloatVector e = FloatVector.fromArray(F, gWPad, w0 + 3 * L);
                    for (int kk = rb; kk < re; kk++) {
                        int r = rows[kk];
                        FloatVector x = FloatVector.fromArray(F, gPad, kk * L);
                        int s = r * nIn + n;
                        a = x.fma(FloatVector.broadcast(F, (float) spikes[s]), a);
                        b = x.fma(FloatVector.broadcast(F, (float) spikes[s + 1]), b);
                        c = x.fma(FloatVector.broadcast(F, (float) spikes[s + 2]), c);
                        e = x.fma(FloatVector.broadcast(F, (float) spikes[s + 3]), e);
                    }
                    a.intoArray(gWPad, w0);
                    b.intoArray(gWPad, w0 + L);
                    c.intoArray(gWPad, w0 + 2 * L);
                    e.intoArray(gWPad, w0 + 3 * L);
                } else {
                    FloatVector a = FloatVector.fromArray(F, gWPad, w0);
                    FloatVector a1 = FloatVector.fromArray(F, gWPad, w0 + L);
                    FloatVector b = FloatVector.fromArray(F, gWPad, w0 + 2 * L);
                    FloatVector b1 = FloatVector.fromArray(F, gWPad, w0 + 3 * L);
                    FloatVector c = FloatVector.fromArray(F, gWPad, w0 + 4 * L);
                    FloatVector c1 = FloatVector.fromArray(F, gWPad, w0 + 5 * L);
                    FloatVector e = FloatVector.fromArray(F, gWPad, w0 + 6 * L);
                    FloatVector e1 = FloatVector.fromArray(F, gWPad, w0 + 7 * L);
                    for (int kk = rb; kk < re; kk++) {
                        int r = rows[kk];
                        FloatVector x = FloatVector.fromArray(F, gPad, 2 * kk * L);
                        FloatVector x1 = FloatVector.fromArray(F, gPad, 2 * kk * L + L);
                        int s = r * nIn + n;
                        FloatVector ka = FloatVector.broadcast(F, (float) spikes[s]);
                        FloatVector kb = FloatVector.broadcast(F, (float) spikes[s + 1]);
                        FloatVector kc = FloatVector.broadcast(F, (float) spikes[s + 2]);
                        FloatVector ke = FloatVector.broadcast(F, (float) spikes[s + 3]);
                        a = x.fma(ka, a);
                        a1 = x1.fma(ka, a1);
                        b = x.fma(kb, b);
                        b1 = x1.fma(kb, b1);
                        c = x.fma(kc, c);
                        c1 = x1.fma(kc, c1);
                        e = x.fma(ke, e);
                        e1 = x1.fma(ke, e1);
                    }
                    a.intoArray(gWPad, w0);
                    a1.intoArray(gWPad, w0 + L);
                    b.intoArray(gWPad, w0 + 2 * L);
                    b1.intoArray(gWPad, w0 + 3 * L);
                    c.intoArray(gWPad, w0 + 4 * L);
                    c1.intoArray(gWPad, w0 + 5 * L);
                    e.intoArray(gWPad, w0 + 6 * L);
                    e1.intoArray(gWPad, w0 + 7 * L);
                }
            }
        }
    }

    /**
     * {@code dst[d + j] = sum over i ascending of a[ai + i] * src[s + i * stride + j]} for {@code j < n}, each
     * product rounded and then added (never fused), from 0: the spike gradient's rows, 8 vectors of
     * accumulators kept in registers over the {@code m} terms instead of n/L loads and stores per term.
     */
    public static void axpyRows(float[] a, int ai, int m, float[] src, int s, int stride, float[] dst, int d, int n) {
        int L = F.length();
        int j = 0;
        for (; j + 8 * L <= n; j += 8 * L) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            FloatVector a4 = FloatVector.zero(F);
            FloatVector a5 = FloatVector.zero(F);
            FloatVector a6 = FloatVector.zero(F);
            FloatVector a7 = FloatVector.zero(F);
            for (int i = 0; i < m; i++) {
                float c = a[ai + i];
                int o = s + i * stride + j;
                a0 = a0.add(FloatVector.fromArray(F, src, o).mul(c));
                a1 = a1.add(FloatVector.fromArray(F, src, o + L).mul(c));
                a2 = a2.add(FloatVector.fromArray(F, src, o + 2 * L).mul(c));
                a3 = a3.add(FloatVector.fromArray(F, src, o + 3 * L).mul(c));
                a4 = a4.add(FloatVector.fromArray(F, src, o + 4 * L).mul(c));
                a5 = a5.add(FloatVector.fromArray(F, src, o + 5 * L).mul(c));
                a6 = a6.add(FloatVector.fromArray(F, src, o + 6 * L).mul(c));
                a7 = a7.add(FloatVector.fromArray(F, src, o + 7 * L).mul(c));
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
            FloatVector a0 = FloatVector.zero(F);
            for (int i = 0; i < m; i++) {
                a0 = a0.add(FloatVector.fromArray(F, src, s + i * stride + j).mul(a[ai + i]));
            }
            a0.intoArray(dst, d + j);
        }
        for (; j < n; j++) {
            float acc = 0f;
            for (int i = 0; i < m; i++) {
                acc += a[ai + i] * src[s + i * stride + j];
            }
            dst[d + j] = acc;
        }
    }
}
