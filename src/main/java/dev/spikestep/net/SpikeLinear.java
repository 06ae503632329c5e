package dev.spikestep.net;

import dev.spikestep.simd.VectorOps;

/**
 * Bias-free linear layers whose input is binary spikes, the Java twin of {@code kernels/linear.cu}.
 * Since a spike is exactly 0 or 1, {@code x W} is the sum of the weight rows of the active inputs and
 * the weight gradient scatters into those rows only: work scales with the spike count, not the size.
 *
 * <p>Weights are stored {@code [n_in, n_out]} (the transpose of PyTorch's {@code nn.Linear.weight}) so
 * that a row is contiguous. Every output element is summed in a fixed order (ascending input index,
 * then ascending row), so results do not depend on how rows or columns are split across threads.
 */
public final class SpikeLinear {
    private SpikeLinear() {
    }

    /** Rows of one sample handled together by {@link #forwardBits}: their weight rows are shared in cache. */
    static final int TIME_BLOCK = 8;

    /**
     * Packs dense 0/1 input spikes x_seq [rows, nIn] into the bitmasks [rows, W] (bit i&63 of word
     * i>>6 = input i) that forwardBits reads; other values are an error. Overwrites the first rows*W words.
     */
    public static void packBits(float[] x_seq, int rows, int nIn, long[] bits, int W) {
        java.util.Arrays.fill(bits, 0, rows * W, 0L);
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < nIn; i++) {
                float x = x_seq[r * nIn + i];
                if (x != 0f && x != 1f) {
                    throw new IllegalArgumentException("input spikes must be 0 or 1, got " + x);
                }
                if (x == 1f) {
                    bits[r * W + (i >>> 6)] |= 1L << (i & 63);
                }
            }
        }
    }

    /**
     * fc1 forward from input spike bitmasks: {@code out[r, :] = sum of w[i, :]} over the inputs i whose
     * bit is set in row r, for the samples {@code [b0, b1)} at every step.
     *
     * <p>Rows are {@code r = t * B + b}. A sample's rows at neighbouring steps share most of their
     * active inputs, so they are processed together, {@link #TIME_BLOCK} steps at a time, input by
     * input: each weight row is fetched once per block instead of once per row. Each output element
     * still sums its inputs in ascending order, so the result is that of the plain loop.
     *
     * @param bits [T, B, W] 64-bit words, bit {@code i & 63} of word {@code i >>> 6} = input i
     */
    public static void forwardBits(long[] bits, int W, int T, int B, float[] w, int nOut, float[] out,
                                   int b0, int b1) {
        int[] rows = new int[TIME_BLOCK];
        long[] masks = new long[TIME_BLOCK];
        for (int b = b0; b < b1; b++) {
            for (int t0 = 0; t0 < T; t0 += TIME_BLOCK) {
                int n = Math.min(TIME_BLOCK, T - t0);
                for (int k = 0; k < n; k++) {
                    rows[k] = (t0 + k) * B + b;
                    java.util.Arrays.fill(out, rows[k] * nOut, rows[k] * nOut + nOut, 0f);
                }
                for (int wd = 0; wd < W; wd++) {
                    long union = 0;
                    for (int k = 0; k < n; k++) {
                        masks[k] = bits[rows[k] * W + wd];
                        union |= masks[k];
                    }
                    while (union != 0) {
                        int bit = Long.numberOfTrailingZeros(union);
                        union &= union - 1;
                        int wi = ((wd << 6) + bit) * nOut;
                        for (int k = 0; k < n; k++) {
                            if ((masks[k] >>> bit & 1L) != 0) {
                                VectorOps.addTo(w, wi, out, rows[k] * nOut, nOut);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * fc1 weight gradient: {@code gW[i, :] += grad_out[r, :]} for every row r where input i spiked,
     * for the inputs of bitmask words {@code [wd0, wd1)} (64 inputs each, so threads own disjoint
     * rows of gW). Rows are visited in ascending order, so each element sums in a fixed order.
     */
    public static void weightGradBits(long[] bits, int W, int R, float[] grad_out, int nOut, float[] gW,
                                      int wd0, int wd1) {
        for (int wd = wd0; wd < wd1; wd++) {
            for (int r = 0; r < R; r++) {
                long m = bits[r * W + wd];
                while (m != 0) {
                    int bit = Long.numberOfTrailingZeros(m);
                    m &= m - 1;
                    VectorOps.addTo(grad_out, r * nOut, gW, ((wd << 6) + bit) * nOut, nOut);
                }
            }
        }
    }

    /** out[r, :] = sum of w[n, :] over the neurons n that spiked in row r (spike_seq [R, nIn] of 0/1). */
    public static void forwardSpikes(byte[] spike_seq, int nIn, float[] w, int nOut, float[] out, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            int o = r * nOut;
            java.util.Arrays.fill(out, o, o + nOut, 0f);
            int s = r * nIn;
            for (int n = 0; n < nIn; n++) {
                if (spike_seq[s + n] != 0) {
                    int wi = n * nOut;
                    for (int j = 0; j < nOut; j++) {
                        out[o + j] += w[wi + j];
                    }
                }
            }
        }
    }

    /** gW[n, :] += sum over rows r where n spiked of grad_out[r, :], for neurons [n0, n1). */
    public static void weightGradSpikes(byte[] spike_seq, int nIn, int R, float[] grad_out, int nOut, float[] gW,
                                        int n0, int n1) {
        for (int r = 0; r < R; r++) {
            int s = r * nIn;
            int g = r * nOut;
            for (int n = n0; n < n1; n++) {
                if (spike_seq[s + n] != 0) {
                    int wi = n * nOut;
                    for (int j = 0; j < nOut; j++) {
                        gW[wi + j] += grad_out[g + j];
                    }
                }
            }
        }
    }

    /**
     * grad_in[r, n] = sum over j of grad_out[r, j] * wT[j, n], j ascending (dense: every neuron's
     * spike gets a gradient). {@code wT} is the weight transposed, [nOut, nIn], so the inner loop runs
     * over the nIn contiguous neurons.
     */
    public static void inputGrad(float[] grad_out, int nOut, float[] wT, int nIn, float[] grad_in, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            int o = r * nIn;
            java.util.Arrays.fill(grad_in, o, o + nIn, 0f);
            for (int j = 0; j < nOut; j++) {
                VectorOps.axpy(grad_out[r * nOut + j], wT, j * nIn, grad_in, o, nIn);
            }
        }
    }
}
