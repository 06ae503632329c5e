package dev.spikestep.net;

import dev.spikestep.simd.VectorOps;
import dev.spikestep.simd.VectorSupport;

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
     * bit is set in row r, for the samples {@code [b0, b1)} at every step; {@code w} [nIn, nOut]
     * with its rows {@code wStride >= nOut} floats apart ({@link #padRows}).
     *
     * <p>Rows are {@code r = t * B + b}. A sample's steps share most of their live inputs (a bright
     * pixel spikes at almost every step), so its steps are taken four at a time: the union of their
     * live inputs is listed once (ascending), each with the 4 bits of the steps where it spiked, and
     * {@link VectorOps#sumRows4} loads each live weight-row segment once for the four rows. With
     * 16-float vectors and finite weights, eight at a time ({@code VectorKernels.sumRows8}). The steps
     * left over sum their own lists ({@link VectorOps#sumRows}). Each output element sums its
     * inputs in ascending order from 0, the order of the plain loop.
     *
     * <p>A sample's lists are made first, then its outputs are summed one column block
     * ({@link VectorOps#blockColumns4}) at a time for all its steps: the block's segments of the live
     * weight rows (about 200 x 128 bytes on the digits) stay in L1 across the sample's 12 groups
     * of steps instead of coming from L2 for each. That needs rows whose segments spread over
     * the cache's sets: 256 floats (1 KiB) apart, as in w itself, they fall into 8 of L1's 64 sets.
     *
     * @param bits [T, B, W] 64-bit words, bit {@code i & 63} of word {@code i >>> 6} = input i
     */
    public static void forwardBits(long[] bits, int W, int T, int B, float[] w, int wStride, int nOut, float[] out,
                                   int b0, int b1) {
        forwardBits(bits, W, T, B, w, 0, wStride, nOut, out, b0, b1);
    }

    /** {@link #forwardBits} with w's row i from its index {@code wLead + i * wStride} ({@link #padRows}' lead). */
    public static void forwardBits(long[] bits, int W, int T, int B, float[] w, int wLead, int wStride, int nOut,
                                   float[] out, int b0, int b1) {
        if (wStride < nOut) {
            throw new IllegalArgumentException("weight rows " + wStride + " apart, shorter than their " + nOut + " outputs");
        }
        boolean finite = VectorOps.allFinite(w, 0, w.length);
        int G = finite && EIGHT && T >= 8 ? 8 : 4; // steps per group: eight need finite weights (sumRows8)
        int groups = T / G;
        int[][] live = new int[T - (G - 1) * groups][W * 64]; // [groups + T % G][]: each group's list, then each last step's
        byte[][] bitsG = new byte[groups][W * 64];
        int[] count = new int[live.length];
        for (int b = b0; b < b1; b++) {
            forwardSample(bits, W, T, B, w, wLead, wStride, nOut, out, b, G, live, bitsG, count, finite);
        }
    }

    /**
     * Whether {@link #forwardBits} takes eight steps at a time where the weights are finite: with
     * 16-float vectors (8 steps x 2 vectors of accumulators, 16 registers of AVX-512's 32; AVX2's 16
     * would spill).
     */
    static final boolean EIGHT = dev.spikestep.simd.VectorSupport.ENABLED && dev.spikestep.simd.VectorKernels.lanes() >= 16;

    /** The steps {@link #forwardBits} takes at a time with finite weights: 8 or 4 ({@link #EIGHT}). */
    public static int stepsPerGroup() {
        return EIGHT ? 8 : 4;
    }

    /** {@link #liveInputs4} for 8 bitmask rows {@code o, o + rs, ..., o + 7 rs}: bit g of {@code bits8} for row g. */
    static int liveInputs8(long[] bits, int o, int rs, int W, int[] live, byte[] bits8) {
        int n = 0;
        for (int wd = 0; wd < W; wd++) {
            long any = 0;
            for (int g = 0; g < 8; g++) {
                any |= bits[o + g * rs + wd];
            }
            while (any != 0) {
                int i = Long.numberOfTrailingZeros(any);
                any &= any - 1;
                int m = 0;
                for (int g = 0; g < 8; g++) {
                    m |= (int) (bits[o + g * rs + wd] >>> i & 1) << g;
                }
                live[n] = (wd << 6) + i;
                bits8[n++] = (byte) m;
            }
        }
        return n;
    }

    /**
     * {@link #forwardBits} for sample b, G (4 or 8) steps at a time. Its own method, called once per sample, so that C2 compiles
     * it as a method, not only as a loop entered twice a step: when the weights turn non-finite (a
     * diverged run) the masked path it had never seen taken deoptimizes it, and a loop entered
     * twice a step waits longer for its recompilation. With the masked path also a method of its
     * own ({@code VectorKernels.sumRows4}), izh/rk4 at dt 5 (NaN weights after one step)
     * benchmarked after izh/rk2 in one JVM measured fc1 at 2.9-4.6 ms in five runs, against 22.9,
     * 34.3 and 76.2 ms before either change (4.7 ms alone).
     */
    private static void forwardSample(long[] bits, int W, int T, int B, float[] w, int wLead, int wStride, int nOut, float[] out,
                                      int b, int G, int[][] live, byte[][] bitsG, int[] count, boolean finite) {
        int groups = bitsG.length;
        for (int g = 0; g < groups; g++) {
            int o = (G * g * B + b) * W;
            count[g] = G == 8 ? liveInputs8(bits, o, B * W, W, live[g], bitsG[g]) : liveInputs4(bits, o, B * W, W, live[g], bitsG[g]);
        }
        for (int t = G * groups; t < T; t++) {
            count[t - (G - 1) * groups] = liveInputs(bits, (t * B + b) * W, W, live[t - (G - 1) * groups], 0);
        }
        int cb = VectorOps.blockColumns4();
        for (int c = 0; c < nOut; c += cb) {
            int n = Math.min(cb, nOut - c);
            for (int g = 0; g < groups; g++) {
                int d = (G * g * B + b) * nOut + c;
                if (G == 8) {
                    dev.spikestep.simd.VectorKernels.sumRows8(w, live[g], bitsG[g], 0, count[g], wStride, wLead + c, out, d, B * nOut, n);
                } else {
                    VectorOps.sumRows4(w, live[g], bitsG[g], 0, count[g], wStride, wLead + c, out, d, B * nOut, n, finite);
                }
            }
        }
        // The last T % G steps in sumRows' own, wider column blocks.
        int cbRows = VectorOps.blockColumns();
        for (int t = G * groups; t < T; t++) {
            for (int c = 0; c < nOut; c += cbRows) {
                VectorOps.sumRows(w, live[t - (G - 1) * groups], 0, count[t - (G - 1) * groups], wStride, wLead + c, out,
                        (t * B + b) * nOut + c, Math.min(cbRows, nOut - c));
            }
        }
    }

    /**
     * w [rows, n] copied into {@code dst} with its rows {@link #paddedStride}(n) floats apart (the
     * layout {@link #forwardBits} reads fastest); returns that stride. Row r
     * starts at {@code dst[lead + r * stride]}: from a line-aligned lead (VectorSupport#lineLead) every row is.
     */
    public static int padRows(float[] w, int rows, int n, float[] dst, int lead) {
        int P = paddedStride(n);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(w, r * n, dst, lead + r * P, n);
        }
        return P;
    }

    /** n floats rounded up to whole cache lines, plus one line: rows that far apart spread over L1's sets. */
    public static int paddedStride(int n) {
        return ((n + 15) & ~15) + 16;
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
     * fc1's weight gradient's row masks, built once per step and shared by the threads (which split
     * the columns): per block of {@link #GRAD_ROW_BLOCK} rows and input, bit k set iff the input
     * spiked in the block's row k and that row of the gradient is not all zeros. (A zero row adds
     * nothing: a sum that starts from +0 is never -0, so adding a zero leaves it as it is. With the
     * Izhikevich neuron a third of the rows are zeros: after a sample's last gradient step, BPTT has
     * nothing.) The masks are the input bitmasks of the block transposed, 64 x 64 bits at a time.
     */
    public static final class GradRows {
        private final int nIn;
        private final long[] masks; // [blocks, nIn]
        private int R;

        /** For up to {@code maxRows} rows of {@code nIn} inputs. */
        public GradRows(int maxRows, int nIn) {
            this.nIn = nIn;
            masks = new long[blocks(maxRows) * nIn];
        }

        /** Row blocks of {@code R} rows: the unit {@link #build} is split by. */
        public static int blocks(int R) {
            return (R + GRAD_ROW_BLOCK - 1) / GRAD_ROW_BLOCK;
        }

        /**
         * Builds the masks of the blocks {@code [blk0, blk1)} of the bitmasks [R, W] and the gradient
         * grad_out [R, nOut]; every thread building a part must pass the same R.
         */
        public void build(long[] bits, int W, int R, float[] grad_out, int nOut, int blk0, int blk1) {
            if (blocks(R) * nIn > masks.length) {
                throw new IllegalArgumentException(R + " rows: more than these lists were made for");
            }
            this.R = R;
            long[] a = new long[64];
            for (int blk = blk0; blk < blk1; blk++) {
                int r0 = blk * GRAD_ROW_BLOCK;
                int nr = Math.min(GRAD_ROW_BLOCK, R - r0);
                long live = 0; // bit k: row r0 + k has a nonzero gradient
                for (int k = 0; k < nr; k++) {
                    live |= VectorOps.allZero(grad_out, (r0 + k) * nOut, (r0 + k + 1) * nOut) ? 0L : 1L << k;
                }
                int q = blk * nIn;
                for (int wd = 0; wd < W; wd++) {
                    long any = 0;
                    for (int k = 0; k < 64; k++) {
                        a[k] = k < nr ? bits[(r0 + k) * W + wd] : 0L;
                        any |= a[k];
                    }
                    int n = Math.min(64, nIn - (wd << 6)); // past nIn: no input, the encoder never sets these bits
                    if (any == 0) {
                        java.util.Arrays.fill(masks, q + (wd << 6), q + (wd << 6) + n, 0L);
                        continue;
                    }
                    transpose64(a);
                    for (int bit = 0; bit < n; bit++) {
                        masks[q + (wd << 6) + bit] = a[bit] & live;
                    }
                }
            }
        }
    }

    /**
     * Transposes the 64 x 64 bit matrix {@code a} in place: bit j of a[k] goes to bit k of a[j]
     * (swapping off-diagonal blocks of 32, 16, ..., 1 bits: Hacker's Delight, 7-3).
     */
    static void transpose64(long[] a) {
        long m = 0x00000000FFFFFFFFL;
        for (int j = 32; j != 0; j >>>= 1, m ^= m << j) {
            for (int k = 0; k < 64; k = (k + j + 1) & ~j) {
                long t = (a[k] >>> j ^ a[k + j]) & m;
                a[k] ^= t << j;
                a[k + j] ^= t;
            }
        }
    }

    /**
     * fc1 weight gradient: {@code gW[i, :] += grad_out[r, :]} for every row r where input i spiked,
     * for the columns {@code [c0, c1)} of every input (threads own disjoint columns of gW and do
     * equal work: a split by inputs would give the threads the image's dark borders or its centre),
     * from the row masks of {@code lists}. Rows are visited in ascending order, so each element sums
     * in a fixed order.
     *
     * <p>Blocked over {@link #GRAD_ROW_BLOCK} consecutive rows: each live input's gW row segment is
     * loaded into registers once per block, takes the grad_out rows of its mask in ascending order
     * ({@link VectorOps#addRowsMasked}) and is stored once, instead of being read and written once per row.
     * The additions are those of the row-by-row loop, in its order. The block's grad_out columns are
     * first copied to a scratch with rows of {@code c1 - c0} floats plus one cache line: 256 floats
     * (1 KiB) apart, as in grad_out, every row segment falls into the same 8 of L1's 64 sets and the
     * block no longer fits (1.5x slower). (Sharing each loaded grad_out row among 4 or 2
     * neighbouring inputs, as fc1's forward shares weight rows among 4 steps, measured 1.0-1.15x
     * slower on the digits: the pixels of a thin stroke share too few rows.)
     */
    public static void weightGradBits(GradRows lists, float[] grad_out, int nOut, float[] gW, int c0, int c1) {
        weightGradBits(lists, grad_out, nOut, gW, c0, c1, VectorSupport.lineLead());
    }

    /** {@link #weightGradBits} with the scratch's rows from its index {@code lead} (VectorSupport#lineLead). */
    static void weightGradBits(GradRows lists, float[] grad_out, int nOut, float[] gW, int c0, int c1, int lead) {
        int nIn = lists.nIn;
        int n = c1 - c0;
        int ps = paddedStride(n); // whole lines: from a line-aligned lead every row is
        float[] block = new float[lead + GRAD_ROW_BLOCK * ps]; // [64, ps]: grad_out[r0 + k, c0 .. c1) at lead + k * ps
        for (int blk = 0; blk < GradRows.blocks(lists.R); blk++) {
            int r0 = blk * GRAD_ROW_BLOCK;
            int nr = Math.min(GRAD_ROW_BLOCK, lists.R - r0);
            for (int k = 0; k < nr; k++) {
                System.arraycopy(grad_out, (r0 + k) * nOut + c0, block, lead + k * ps, n);
            }
            int q = blk * nIn;
            for (int i = 0; i < nIn; i++) {
                long mk = lists.masks[q + i];
                if (mk != 0) {
                    VectorOps.addRowsMasked(block, 0, mk, ps, lead, gW, i * nOut + c0, n);
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
