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
     * <p>Rows are {@code r = t * B + b}. Each row's live inputs are listed once (ascending); then,
     * one block of {@link VectorOps#blockColumns} output columns at a time, every step of the sample
     * sums its live weight-row segments in registers ({@link VectorOps#sumRows}). A sample's steps
     * share most of their live inputs, so a block's weight segments stay in L1 across its T rows.
     * Each output element sums its inputs in ascending order from 0, the order of the plain loop.
     *
     * @param bits [T, B, W] 64-bit words, bit {@code i & 63} of word {@code i >>> 6} = input i
     */
    public static void forwardBits(long[] bits, int W, int T, int B, float[] w, int nOut, float[] out,
                                   int b0, int b1) {
        int[] live = new int[T * W * 64]; // [T, live inputs] of one sample, rows back to back
        int[] start = new int[T + 1];
        int cb = VectorOps.blockColumns();
        for (int b = b0; b < b1; b++) {
            int n = 0;
            for (int t = 0; t < T; t++) {
                start[t] = n;
                n = liveInputs(bits, (t * B + b) * W, W, live, n);
            }
            start[T] = n;
            for (int c = 0; c < nOut; c += cb) {
                int len = Math.min(cb, nOut - c);
                for (int t = 0; t < T; t++) {
                    VectorOps.sumRows(w, live, start[t], start[t + 1], nOut, c, out, (t * B + b) * nOut + c, len);
                }
            }
        }
    }

    /** Appends the indices of the set bits of {@code bits[o, o + W)} to {@code live} from {@code n}, ascending; returns the new end. */
    static int liveInputs(long[] bits, int o, int W, int[] live, int n) {
        for (int wd = 0; wd < W; wd++) {
            long m = bits[o + wd];
            while (m != 0) {
                live[n++] = (wd << 6) + Long.numberOfTrailingZeros(m);
                m &= m - 1;
            }
        }
        return n;
    }

    /** Rows of grad_out taken together by {@link #weightGradBits}: one 64-bit mask per input. */
    static final int GRAD_ROW_BLOCK = 64;

    /**
     * fc1 weight gradient: {@code gW[i, :] += grad_out[r, :]} for every row r where input i spiked,
     * for the inputs of bitmask words {@code [wd0, wd1)} (64 inputs each, so threads own disjoint
     * rows of gW). Rows are visited in ascending order, so each element sums in a fixed order.
     *
     * <p>Blocked over {@link #GRAD_ROW_BLOCK} consecutive rows: per word, the block's bits are
     * transposed into one row mask per input; then each live input's gW row is loaded into registers
     * once per block, takes the grad_out rows of its mask in ascending order ({@link VectorOps#addRows})
     * and is stored once, instead of being read and written once per row. The block's grad_out rows
     * (64 KB) stay in L2 for all 64 inputs. The additions are those of the row-by-row loop, in its order.
     */
    public static void weightGradBits(long[] bits, int W, int R, float[] grad_out, int nOut, float[] gW,
                                      int wd0, int wd1) {
        long[] masks = new long[64];  // [input bit] rows of the block where that input spiked
        int[] rows = new int[GRAD_ROW_BLOCK];
        for (int r0 = 0; r0 < R; r0 += GRAD_ROW_BLOCK) {
            int nr = Math.min(GRAD_ROW_BLOCK, R - r0);
            for (int wd = wd0; wd < wd1; wd++) {
                long any = 0;
                for (int k = 0; k < nr; k++) {
                    long m = bits[(r0 + k) * W + wd];
                    any |= m;
                    while (m != 0) {
                        masks[Long.numberOfTrailingZeros(m)] |= 1L << k;
                        m &= m - 1;
                    }
                }
                while (any != 0) {
                    int bit = Long.numberOfTrailingZeros(any);
                    any &= any - 1;
                    long mk = masks[bit];
                    masks[bit] = 0L;
                    int n = 0;
                    while (mk != 0) {
                        rows[n++] = r0 + Long.numberOfTrailingZeros(mk);
                        mk &= mk - 1;
                    }
                    VectorOps.addRows(grad_out, rows, 0, n, nOut, 0, gW, ((wd << 6) + bit) * nOut, nOut);
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
