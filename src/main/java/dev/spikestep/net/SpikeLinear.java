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
     * <p>Rows are {@code r = t * B + b}. A sample's steps share most of their live inputs (a bright
     * pixel spikes at almost every step), so its steps are taken four at a time: the union of their
     * live inputs is listed once (ascending), each with the 4 bits of the steps where it spiked, and
     * {@link VectorOps#sumRows4} loads each live weight-row segment once for the four rows. The last
     * {@code T % 4} steps sum their own lists ({@link VectorOps#sumRows}). Each output element sums
     * its inputs in ascending order from 0, the order of the plain loop.
     *
     * @param bits [T, B, W] 64-bit words, bit {@code i & 63} of word {@code i >>> 6} = input i
     */
    public static void forwardBits(long[] bits, int W, int T, int B, float[] w, int nOut, float[] out,
                                   int b0, int b1) {
        int[] live = new int[W * 64];
        byte[] bits4 = new byte[W * 64];
        int cb = VectorOps.blockColumns();
        boolean finite = VectorOps.allFinite(w, 0, w.length);
        for (int b = b0; b < b1; b++) {
            int t = 0;
            for (; t + 4 <= T; t += 4) {
                int n = liveInputs4(bits, (t * B + b) * W, B * W, W, live, bits4);
                VectorOps.sumRows4(w, live, bits4, 0, n, nOut, 0, out, (t * B + b) * nOut, B * nOut, nOut, finite);
            }
            for (; t < T; t++) {
                int n = liveInputs(bits, (t * B + b) * W, W, live, 0);
                for (int c = 0; c < nOut; c += cb) {
                    VectorOps.sumRows(w, live, 0, n, nOut, c, out, (t * B + b) * nOut + c, Math.min(cb, nOut - c));
                }
            }
        }
    }

    /**
     * Lists the inputs set in any of 4 bitmask rows {@code o, o + rs, o + 2 rs, o + 3 rs} (W words
     * each), ascending, into {@code live}, with bit g of {@code bits4} set iff row g has the input;
     * returns the count.
     */
    static int liveInputs4(long[] bits, int o, int rs, int W, int[] live, byte[] bits4) {
        int n = 0;
        for (int wd = 0; wd < W; wd++) {
            long m0 = bits[o + wd];
            long m1 = bits[o + rs + wd];
            long m2 = bits[o + 2 * rs + wd];
            long m3 = bits[o + 3 * rs + wd];
            long any = m0 | m1 | m2 | m3;
            while (any != 0) {
                int i = Long.numberOfTrailingZeros(any);
                any &= any - 1;
                live[n] = (wd << 6) + i;
                bits4[n++] = (byte) ((m0 >>> i & 1) | (m1 >>> i & 1) << 1 | (m2 >>> i & 1) << 2 | (m3 >>> i & 1) << 3);
            }
        }
        return n;
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
     * fc1's weight gradient's row lists, built once per step and shared by the threads (which split
     * the columns): per block of {@link #GRAD_ROW_BLOCK} rows and input, the block's rows where the
     * input spiked and whose gradient row is not all zeros, ascending. (A zero row adds nothing: a
     * sum that starts from +0 is never -0, so adding a zero leaves it as it is. With the Izhikevich
     * neuron a third of the rows are zeros: after a sample's last gradient step, BPTT has nothing.)
     */
    public static final class GradRows {
        private final int nIn;
        private final int[] start;  // [blocks, nIn + 1]: block blk, input i: rows[start[blk * (nIn + 1) + i], ... + 1])
        private final int[] blockStart;
        private int[] rows = new int[0];
        private int R;

        /** For up to {@code maxRows} rows of {@code nIn} inputs. */
        public GradRows(int maxRows, int nIn) {
            this.nIn = nIn;
            start = new int[blocks(maxRows) * (nIn + 1)];
            blockStart = new int[blocks(maxRows) + 1];
        }

        /** Row blocks of {@code R} rows: the unit {@link #build} is split by. */
        public static int blocks(int R) {
            return (R + GRAD_ROW_BLOCK - 1) / GRAD_ROW_BLOCK;
        }

        /**
         * Sizes the lists for the bitmasks [R, W] (one thread, before {@link #build}): each block's
         * rows go where the set bits of the blocks before it end.
         */
        public void prepare(long[] bits, int W, int R) {
            this.R = R;
            int blocks = blocks(R);
            int n = 0;
            for (int blk = 0; blk < blocks; blk++) {
                blockStart[blk] = n;
                for (int i = blk * GRAD_ROW_BLOCK * W; i < Math.min(R, (blk + 1) * GRAD_ROW_BLOCK) * W; i++) {
                    n += Long.bitCount(bits[i]);
                }
            }
            blockStart[blocks] = n;
            if (rows.length < n) {
                rows = new int[n + n / 4];
            }
        }

        /**
         * Lists the blocks {@code [blk0, blk1)} (after {@link #prepare} on the same bitmasks): per word,
         * the block's bits are transposed into one row mask per input, then each mask into its rows;
         * rows of {@code grad_out} [R, nOut] that are all zeros are left out.
         */
        public void build(long[] bits, int W, float[] grad_out, int nOut, int blk0, int blk1) {
            long[] masks = new long[64];
            for (int blk = blk0; blk < blk1; blk++) {
                int r0 = blk * GRAD_ROW_BLOCK;
                int nr = Math.min(GRAD_ROW_BLOCK, R - r0);
                long live = 0; // bit k: row r0 + k has a nonzero gradient
                for (int k = 0; k < nr; k++) {
                    live |= VectorOps.allZero(grad_out, (r0 + k) * nOut, (r0 + k + 1) * nOut) ? 0L : 1L << k;
                }
                int n = blockStart[blk];
                int q = blk * (nIn + 1);
                for (int wd = 0; wd < W; wd++) {
                    for (int k = 0; k < nr; k++) {
                        long m = (live >>> k & 1) != 0 ? bits[(r0 + k) * W + wd] : 0L;
                        while (m != 0) {
                            masks[Long.numberOfTrailingZeros(m)] |= 1L << k;
                            m &= m - 1;
                        }
                    }
                    for (int bit = 0; bit < 64; bit++) {
                        long mk = masks[bit];
                        masks[bit] = 0L;
                        if ((wd << 6) + bit >= nIn) {
                            continue; // no input: the encoder never sets these bits
                        }
                        start[q + (wd << 6) + bit] = n;
                        while (mk != 0) {
                            rows[n++] = r0 + Long.numberOfTrailingZeros(mk);
                            mk &= mk - 1;
                        }
                    }
                }
                start[q + nIn] = n;
            }
        }
    }

    /**
     * fc1 weight gradient: {@code gW[i, :] += grad_out[r, :]} for every row r where input i spiked,
     * for the columns {@code [c0, c1)} of every input (threads own disjoint columns of gW and do
     * equal work: a split by inputs would give the threads the image's dark borders or its centre),
     * from the row lists of {@code lists}. Rows are visited in ascending order, so each element sums
     * in a fixed order.
     *
     * <p>Blocked over {@link #GRAD_ROW_BLOCK} consecutive rows: each live input's gW row segment is
     * loaded into registers once per block, takes the grad_out rows of its list in ascending order
     * ({@link VectorOps#addRows}) and is stored once, instead of being read and written once per row.
     * The additions are those of the row-by-row loop, in its order. (Sharing each loaded grad_out
     * row among 4 or 2 neighbouring inputs, as fc1's forward shares weight rows among 4 steps,
     * measured 1.0-1.15x slower on the digits: the pixels of a thin stroke share too few rows.)
     */
    public static void weightGradBits(GradRows lists, float[] grad_out, int nOut, float[] gW, int c0, int c1) {
        int nIn = lists.nIn;
        for (int blk = 0; blk < GradRows.blocks(lists.R); blk++) {
            int q = blk * (nIn + 1);
            for (int i = 0; i < nIn; i++) {
                int k0 = lists.start[q + i];
                int k1 = lists.start[q + i + 1];
                if (k1 > k0) {
                    VectorOps.addRows(grad_out, lists.rows, k0, k1, nOut, c0, gW, i * nOut + c0, c1 - c0);
                }
            }
        }
    }

    /**
     * out[r, :] = sum of w[n, :] over the neurons n that spiked in row r, n ascending (spike_seq
     * [R, nIn] of 0/1 bytes). With the Vector API and at most 2 vectors of outputs (fc_out's 10),
     * four rows at a time with the outputs in lanes ({@link dev.spikestep.simd.VectorKernels#spikeRows4}):
     * no branch on the spikes, the same additions.
     */
    public static void forwardSpikes(byte[] spike_seq, int nIn, float[] w, int nOut, float[] out, int r0, int r1) {
        int V = spikeLanes(nOut);
        if (V > 0 && VectorOps.allFinite(w, 0, nIn * nOut)) {
            int groups = (r1 - r0) / 4;
            dev.spikestep.simd.VectorKernels.spikeRows4(spike_seq, nIn, pad(w, nIn, nOut, V), V, out, nOut, r0, groups);
            r0 += 4 * groups;
        }
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

    /**
     * gW[n, :] += sum over rows r where n spiked of grad_out[r, :], r ascending, for neurons [n0, n1);
     * with the Vector API four neurons at a time, outputs in lanes, as {@link #forwardSpikes}.
     */
    public static void weightGradSpikes(byte[] spike_seq, int nIn, int R, float[] grad_out, int nOut, float[] gW,
                                        int n0, int n1) {
        int V = spikeLanes(nOut);
        if (V > 0 && VectorOps.allFinite(grad_out, 0, R * nOut)) {
            int groups = (n1 - n0) / 4;
            int P = V * dev.spikestep.simd.VectorKernels.lanes();
            float[] gWPad = new float[nIn * P];
            for (int n = n0; n < n0 + 4 * groups; n++) {
                System.arraycopy(gW, n * nOut, gWPad, n * P, nOut);
            }
            // Only the rows with a gradient (a zero row adds nothing; with the max readout and the
            // Izhikevich neuron 80% of fc_out's gradient rows are zeros), padded, in order.
            int[] rows = new int[R];
            int nRows = 0;
            for (int r = 0; r < R; r++) {
                rows[nRows] = r;
                nRows += VectorOps.allZero(grad_out, r * nOut, (r + 1) * nOut) ? 0 : 1;
            }
            float[] gPad = new float[nRows * P];
            for (int k = 0; k < nRows; k++) {
                System.arraycopy(grad_out, rows[k] * nOut, gPad, k * P, nOut);
            }
            dev.spikestep.simd.VectorKernels.spikeGrad4(spike_seq, nIn, rows, nRows, gPad, V, gWPad, n0, groups);
            for (int n = n0; n < n0 + 4 * groups; n++) {
                System.arraycopy(gWPad, n * P, gW, n * nOut, nOut);
            }
            n0 += 4 * groups;
        }
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

    /** Vectors per padded row for the lane-wise spike kernels (1 or 2), or 0 where they do not apply. */
    private static int spikeLanes(int nOut) {
        if (!dev.spikestep.simd.VectorSupport.ENABLED) {
            return 0;
        }
        int L = dev.spikestep.simd.VectorKernels.lanes();
        return nOut <= L ? 1 : nOut <= 2 * L ? 2 : 0;
    }

    /** a [rows, n] with each row padded with zeros to V vectors. */
    private static float[] pad(float[] a, int rows, int n, int V) {
        int P = V * dev.spikestep.simd.VectorKernels.lanes();
        float[] p = new float[rows * P];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(a, r * n, p, r * P, n);
        }
        return p;
    }

    /**
     * grad_in[r, n] = sum over j of grad_out[r, j] * wT[j, n], j ascending (dense: every neuron's
     * spike gets a gradient). {@code wT} is the weight transposed, [nOut, nIn], so the inner loop runs
     * over the nIn contiguous neurons.
     */
    public static void inputGrad(float[] grad_out, int nOut, float[] wT, int nIn, float[] grad_in, int r0, int r1) {
        // A row of grad_out of zeros gives a row of +0 (0 * w is +-0, and +0 + -0 is +0) when w is finite.
        boolean finite = VectorOps.allFinite(wT, 0, nOut * nIn);
        if (dev.spikestep.simd.VectorSupport.ENABLED) {
            for (int r = r0; r < r1; r++) {
                if (finite && VectorOps.allZero(grad_out, r * nOut, (r + 1) * nOut)) {
                    java.util.Arrays.fill(grad_in, r * nIn, (r + 1) * nIn, 0f);
                } else {
                    dev.spikestep.simd.VectorKernels.axpyRows(grad_out, r * nOut, nOut, wT, 0, nIn, grad_in, r * nIn, nIn);
                }
            }
            return;
        }
        for (int r = r0; r < r1; r++) {
            int o = r * nIn;
            java.util.Arrays.fill(grad_in, o, o + nIn, 0f);
            for (int j = 0; j < nOut; j++) {
                VectorOps.axpy(grad_out[r * nOut + j], wT, j * nIn, grad_in, o, nIn);
            }
        }
    }
}
