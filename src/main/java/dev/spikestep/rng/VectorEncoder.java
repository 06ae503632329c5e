package dev.spikestep.rng;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API form of {@link PoissonEncoder#encodeSteps}: one lane per step, so that a vector of
 * {@code L} long lanes runs Philox4x32-10 for one pixel group at {@code L} consecutive steps (the
 * 32-bit words zero-extended in the lanes, each 32x32->64 multiply one lane multiply). The same
 * counters, keys and threshold compares as the scalar form, so the same bits. Loaded only when
 * {@link dev.spikestep.simd.VectorSupport#ENABLED}; used where {@link PoissonEncoder#VECTOR}.
 */
final class VectorEncoder {
    private static final VectorSpecies<Long> S = LongVector.SPECIES_PREFERRED;
    private static final long MASK = 0xFFFFFFFFL;

    private VectorEncoder() {
    }

    static int lanes() {
        return S.length();
    }

    static int encodeSteps(int k0, int k1, int pos, int t0, int nSteps, PoissonEncoder.Prepared prep, long[] bits,
                           int bitsOffset, int rowStride) {
        long[] keys = prep.keys;
        for (int r = 0; r < 10; r++) {
            keys[2 * r] = (k0 + r * Philox.W0) & MASK;
            keys[2 * r + 1] = (k1 + r * Philox.W1) & MASK;
        }
        int spikes = 0;
        for (int s = 0; s < nSteps; s += S.length()) {
            // The last block computes all lanes and stores the steps asked for.
            spikes += encodeLanes(pos, t0 + s, Math.min(S.length(), nSteps - s), prep, bits,
                    bitsOffset + s * rowStride, rowStride);
        }
        return spikes;
    }

    private static int encodeLanes(int pos, int t, int nLanes, PoissonEncoder.Prepared prep, long[] bits, int off,
                                   int stride) {
        int[] groups = prep.groups;
        int[] thr = prep.thresholds;
        int[] wordEnd = prep.wordEnd;
        long[] keys = prep.keys;
        long[] lane = prep.laneWords;
        int nWords = PoissonEncoder.words(prep.nPixels);
        // Lane l: counter word 1 is step t + l (its bits above 32 are masked off where they could matter).
        LongVector steps = LongVector.zero(S).addIndex(1).add(t & MASK);
        LongVector m0 = LongVector.broadcast(S, Philox.M0L);
        LongVector m1 = LongVector.broadcast(S, Philox.M1L);
        LongVector position = LongVector.broadcast(S, pos & MASK);
        LongVector zero = LongVector.zero(S);
        int spikes = 0;
        int k = 0;
        for (int w = 0; w < nWords; w++) {
            LongVector acc = zero;
            for (int end = wordEnd[w]; k < end; k++) {
                int g = groups[k];
                LongVector c0 = LongVector.broadcast(S, g & MASK);
                LongVector c1 = steps;
                LongVector c2 = position;
                LongVector c3 = zero; // Streams.ENCODER
                for (int r = 0; r < 10; r++) {
                    // Upper halves of c0..c3 may hold garbage: masked before every multiply and compare.
                    LongVector p0 = c0.and(MASK).mul(m0);
                    LongVector p1 = c2.and(MASK).mul(m1);
                    c0 = p1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, c1)
                            .lanewise(VectorOperators.XOR, keys[2 * r]);
                    c2 = p0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, c3)
                            .lanewise(VectorOperators.XOR, keys[2 * r + 1]);
                    c1 = p1;
                    c3 = p0;
                }
                int q = 4 * k;
                LongVector nibble = spike(c0, thr[q])
                        .or(spike(c1, thr[q + 1]).lanewise(VectorOperators.LSHL, 1))
                        .or(spike(c2, thr[q + 2]).lanewise(VectorOperators.LSHL, 2))
                        .or(spike(c3, thr[q + 3]).lanewise(VectorOperators.LSHL, 3));
                acc = acc.or(nibble.lanewise(VectorOperators.LSHL, (g << 2) & 63));
            }
            acc.intoArray(lane, 0);
            for (int l = 0; l < nLanes; l++) {
                bits[off + l * stride + w] = lane[l];
                spikes += Long.bitCount(lane[l]);
            }
        }
        return spikes;
    }

    /** 1 in the lanes whose word's top 24 bits are below {@code threshold} ({@link PoissonEncoder#threshold}). */
    private static LongVector spike(LongVector word, int threshold) {
        return word.and(MASK).lanewise(VectorOperators.LSHR, 8).sub(threshold).lanewise(VectorOperators.LSHR, 63);
    }
}
