package dev.spikestep.rstdp;

import dev.spikestep.net.Parallel;
import dev.spikestep.rng.PoissonEncoder;
import java.util.Arrays;

/**
 * Where a batch's input spikes come from, described rather than computed, so that every
 * {@link RstdpEngine} can produce them where it simulates: the CPU engine calls {@link #fill}; the
 * device engine runs the encoder kernel for {@link Poisson} and uploads {@link #fill}'s masks for
 * {@link Dense}. Either way the spikes of steps {@code [t0, t0 + Tc)} are input bitmasks
 * {@code bits [Tc, B, W]}, row {@code r = tt * B + b} at {@code bits[r * W ..]}, bit {@code i & 63}
 * of word {@code i >>> 6} = input i.
 */
public sealed interface RstdpInput {
    /** Writes the input spikes of steps {@code [t0, t0 + Tc)} of samples {@code [0, B)}. */
    void fill(int t0, int Tc, int B, long[] bits, int W, Parallel par);

    /**
     * Poisson (Bernoulli) input: sample b is image {@code order[first + b]} (or {@code first + b} when
     * {@code order} is null), and its random numbers are keyed by its position {@code first + b} in
     * the epoch's order and the absolute step (SPEC section 1), so chunking changes nothing.
     *
     * @param images {@code [n, nPixels]} uint8
     */
    record Poisson(PoissonEncoder encoder, long seed, byte[] images, int[] order, int first, int nPixels)
            implements RstdpInput {
        public Poisson {
            if (nPixels < 1 || images.length % nPixels != 0 || first < 0) {
                throw new IllegalArgumentException("images of " + images.length + " bytes, " + nPixels
                        + " pixels each, first " + first);
            }
        }

        @Override
        public void fill(int t0, int Tc, int B, long[] bits, int W, Parallel par) {
            par.forRange(B, 1, (b0, b1) -> {
                PoissonEncoder.Prepared prep = new PoissonEncoder.Prepared(nPixels);
                for (int b = b0; b < b1; b++) {
                    int img = order == null ? first + b : order[first + b];
                    encoder.prepare(images, img * nPixels, nPixels, prep);
                    // Row tt * B + b for tt = 0..Tc-1: one row every B rows.
                    encoder.encodeSteps(seed, first + b, t0, Tc, prep, bits, b * W, B * W);
                }
            });
        }
    }

    /** Input spikes given densely, {@code x_seq [T, B, nIn]} of 0/1 (tests, fixtures). */
    record Dense(float[] x_seq, int nIn) implements RstdpInput {
        @Override
        public void fill(int t0, int Tc, int B, long[] bits, int W, Parallel par) {
            Arrays.fill(bits, 0, Tc * B * W, 0L);
            for (int tt = 0; tt < Tc; tt++) {
                for (int b = 0; b < B; b++) {
                    int r = tt * B + b;
                    int src = ((t0 + tt) * B + b) * nIn;
                    for (int i = 0; i < nIn; i++) {
                        float x = x_seq[src + i];
                        if (x != 0f && x != 1f) {
                            throw new IllegalArgumentException("input spikes must be 0 or 1, got " + x);
                        }
                        if (x == 1f) {
                            bits[r * W + (i >>> 6)] |= 1L << (i & 63);
                        }
                    }
                }
            }
        }
    }
}
