package dev.spikestep.rstdp;

import dev.spikestep.net.SpikeLinear;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronKernels;

/**
 * The R-STDP experiment's kernels (SPEC section 6) on the CPU, the twins of {@code kernels/rstdp.cu}
 * ({@code rstdp_<name>_kernel}): each method is one kernel, its range arguments ({@code [b0, b1)},
 * {@code [m0, m1)}, ...) are the threads a launch covers, and each "thread" writes only its own
 * outputs, summing in a fixed order, so results never depend on how the range is split, and the
 * CUDA kernels, summing in the same order, give the same floats.
 *
 * <p>Layouts (rows {@code r = t * B + b} within a time chunk of {@code Tc} steps):
 * <ul>
 *   <li>{@code i_h, s_h}: {@code [Tc, B, H]} hidden input current and spikes;</li>
 *   <li>{@code i_o, s_o}: {@code [Tc, B, C]} output input current and (pre-WTA) spikes;</li>
 *   <li>{@code v_h [B, H]}, {@code v_o [B, C]}: neuron state carried from chunk to chunk;</li>
 *   <li>{@code h_count [B, H]}, {@code o_count [B, C]}: spike counts over all T steps (int);</li>
 *   <li>{@code w_in [N_in, H]}, {@code w_out [H, C]}: weights, transposed from PyTorch's
 *       {@code nn.Linear.weight} so that a spike selects one contiguous row.</li>
 * </ul>
 * One batch is {@link #beginBatch}, then per chunk: encoder, {@link #hiddenCurrent},
 * {@code NeuronKernels.lifForwardFrom} over {@code M = B*H}, {@link #countSpikes},
 * {@link #outputCurrent}, {@link #outputLayerWta}; the update is {@link #rewardCoefficients} (one
 * thread) and {@link #updateWeights}. {@link #sampleTotals} gives the statistics' hidden spikes.
 */
public final class RstdpKernels {
    private RstdpKernels() {
    }

    /**
     * A batch's start, for the state elements {@code [k0, k1)}: potentials {@code v_h [M_h]},
     * {@code v_o [M_o]} to {@code v_init}, counts to 0 (one thread per element, up to max(M_h, M_o)).
     */
    public static void beginBatch(float v_init, int M_h, int M_o, float[] v_h, float[] v_o, int[] h_count,
                                  int[] o_count, int k0, int k1) {
        for (int k = k0; k < k1; k++) {
            if (k < M_h) {
                v_h[k] = v_init;
                h_count[k] = 0;
            }
            if (k < M_o) {
                v_o[k] = v_init;
                o_count[k] = 0;
            }
        }
    }

    /** {@code total[b] = sum over n of count[b, n]} for the samples {@code [b0, b1)} (one thread per sample). */
    public static void sampleTotals(int[] count, int B, int N, int[] total, int b0, int b1) {
        for (int b = b0; b < b1; b++) {
            int s = 0;
            for (int n = 0; n < N; n++) {
                s += count[b * N + n];
            }
            total[b] = s;
        }
    }

    /**
     * {@code i_h[r, :] = gain * sum of w_in[i, :]} over the active inputs i of row {@code r = t * B + b},
     * for the samples {@code [b0, b1)} at every step of the chunk (one thread per sample). The sum is
     * {@link SpikeLinear#forwardBits}'s (ascending input index), then one float multiply, as the
     * notebook's {@code fc_in(x_t) * in_gain}.
     *
     * @param bits input spikes [Tc, B, W] as 64-bit masks
     */
    public static void hiddenCurrent(long[] bits, int W, int Tc, int B, float[] w_in, int H, float gain,
                                     float[] i_h, int b0, int b1) {
        SpikeLinear.forwardBits(bits, W, Tc, B, w_in, H, H, i_h, b0, b1);
        for (int t = 0; t < Tc; t++) {
            scaleRows(i_h, H, gain, t * B + b0, t * B + b1);
        }
    }

    /**
     * {@code i_o[r, :] = gain * sum of w_out[n, :]} over the hidden neurons n that spiked in row r,
     * rows {@code [r0, r1)} (one thread per row): the notebook's {@code fc_out(s_h) * out_gain}.
     */
    public static void outputCurrent(byte[] s_h, int H, float[] w_out, int C, float gain, float[] i_o,
                                     int r0, int r1) {
        SpikeLinear.forwardSpikes(s_h, H, w_out, C, i_o, r0, r1);
        scaleRows(i_o, C, gain, r0, r1);
    }

    private static void scaleRows(float[] x, int n, float gain, int r0, int r1) {
        for (int i = r0 * n, end = r1 * n; i < end; i++) {
            x[i] *= gain;
        }
    }

    /**
     * {@code count[m] += sum over t of spike_seq[t, m]} for the neurons {@code m = b * N + n} in
     * {@code [m0, m1)}; {@code spike_seq} is {@code [Tc, M]}, {@code M = B * N} (one thread per neuron,
     * the time loop inside, coalesced reads {@code t * M + m}).
     */
    public static void countSpikes(byte[] spike_seq, int Tc, int M, int[] count, int m0, int m1) {
        for (int t = 0; t < Tc; t++) {
            int row = t * M;
            for (int m = m0; m < m1; m++) {
                count[m] += spike_seq[row + m];
            }
        }
    }

    /**
     * The output layer of one time chunk, fused, one thread per sample {@code b} in {@code [b0, b1)}
     * with the time loop inside (CUDA: one thread per sample as well):
     * <ol>
     *   <li>teacher current: if {@code labels != null && teach > 0}, {@code i_o[t, b, labels[b]] += teach}
     *       for every t of the chunk (in place, one float add, as the notebook's
     *       {@code o_cur[arange(B), y] += teach});</li>
     *   <li>the C output neurons of b run the LIF of SPEC 2 from state {@code v_o[b, :]}, each resetting
     *       on its own spike ({@code s_o} is that pre-WTA spike train, scratch);</li>
     *   <li>winner-take-all on the count: at each step where any of b's outputs spiked, only
     *       {@code argmax_c i_o[t, b, c]} (current after the teacher, first index on ties, NaN wins as
     *       in torch.argmax) adds one to {@code o_count[b, winner]}, whether or not that neuron
     *       crossed its threshold itself.</li>
     * </ol>
     * The WTA changes only what is counted, never a neuron's state, which is why the LIF scan can
     * run before it.
     *
     * @param i_o {@code [Tc, B, C]} output current {@code gain * fc_out(s_h)}; receives the teacher current
     * @param v_o {@code [B, C]} potentials before the chunk; left as after its last step
     * @param s_o {@code [Tc, B, C]} scratch for the pre-WTA spikes
     * @param o_count {@code [B, C]} WTA spike counts, accumulated
     */
    public static void outputLayerWta(LifSpec neuron, float[] i_o, int Tc, int B, int C, int[] labels, float teach,
                                      float[] v_o, byte[] s_o, int[] o_count, int b0, int b1) {
        int M = B * C;
        for (int b = b0; b < b1; b++) {
            if (labels != null && teach > 0f) {
                int y = labels[b];
                for (int t = 0; t < Tc; t++) {
                    i_o[t * M + b * C + y] += teach;
                }
            }
            NeuronKernels.lifForwardFrom(neuron, i_o, Tc, M, b * C, b * C + C, v_o, null, s_o);
            for (int t = 0; t < Tc; t++) {
                int o = t * M + b * C;
                boolean any = false;
                for (int c = 0; c < C; c++) {
                    any |= s_o[o + c] != 0;
                }
                if (any) {
                    o_count[b * C + dev.spikestep.net.Loss.argmaxAt(i_o, o, C)]++;
                }
            }
        }
    }


    /** Index of the largest count of sample b, the first on ties: the prediction and the pm1 winner. */
    public static int argmaxCount(int[] o_count, int b, int C) {
        int o = b * C;
        int best = 0;
        for (int c = 1; c < C; c++) {
            if (o_count[o + c] > o_count[o + best]) {
                best = c;
            }
        }
        return best;
    }

    /**
     * The reward of a batch as coefficients of one linear form (one thread; B*C work), so that
     * {@link #updateWeights} is the same kernel for both rewards:
     * {@code dW[c, h] = (sum_b coef[b, c] * pre[b, h]) / norm[c]}, rows with {@code norm[c] == 0}
     * unchanged (dW 0).
     * <ul>
     *   <li>{@code pm1}: {@code coef[b, c] = r_b} if {@code c == winner_b} else 0, {@code norm[c]} =
     *       number of samples won by c (the notebook's masked mean);</li>
     *   <li>{@code onehot}: {@code coef[b, c] = onehot(label_b)[c] - softmax(o_count[b, :])[c]},
     *       {@code norm[c] = B}.</li>
     * </ul>
     *
     * @param coef {@code [B, C]} out
     * @param norm {@code [C]} out
     */
    public static void rewardCoefficients(Reward reward, int[] o_count, int[] labels, int B, int C, float[] coef,
                                          float[] norm) {
        java.util.Arrays.fill(norm, 0, C, 0f);
        for (int b = 0; b < B; b++) {
            int o = b * C;
            if (reward == Reward.PM1) {
                int winner = argmaxCount(o_count, b, C);
                float r = winner == labels[b] ? 1f : -1f;
                for (int c = 0; c < C; c++) {
                    coef[o + c] = c == winner ? r : 0f;
                }
                norm[winner] += 1f;
            } else {
                // softmax of the counts in float, max subtracted first (as torch.softmax)
                float m = o_count[o];
                for (int c = 1; c < C; c++) {
                    m = Math.max(m, o_count[o + c]);
                }
                float sum = 0f;
                for (int c = 0; c < C; c++) {
                    float e = (float) Math.exp((float) o_count[o + c] - m);
                    coef[o + c] = e;
                    sum += e;
                }
                for (int c = 0; c < C; c++) {
                    coef[o + c] = (c == labels[b] ? 1f : 0f) - coef[o + c] / sum;
                }
            }
        }
        if (reward == Reward.ONEHOT) {
            java.util.Arrays.fill(norm, 0, C, (float) B);
        }
    }

    /**
     * {@code W_out += lr * dW}, then clamp to {@code [-clip, clip]}, for the hidden neurons
     * {@code h} in {@code [h0, h1)} (one thread per hidden neuron, updating its C weights; the sum
     * over b ascending, in float). {@code pre[b, h] = h_count[b, h] / T} in float, as the
     * notebook's {@code h_count / T}; dW as in {@link #rewardCoefficients}.
     *
     * @param w_out {@code [H, C]}
     */
    public static void updateWeights(float[] coef, float[] norm, int[] h_count, int B, int H, int C, int T,
                                     float lr, float clip, float[] w_out, int h0, int h1) {
        float fT = Math.max(1f, (float) T);
        for (int h = h0; h < h1; h++) {
            for (int c = 0; c < C; c++) {
                float dw = 0f; // a pm1 row that no sample won keeps its weights (but is still clamped)
                if (norm[c] != 0f) {
                    float acc = 0f;
                    for (int b = 0; b < B; b++) {
                        float k = coef[b * C + c];
                        if (k != 0f) {
                            acc += k * ((float) h_count[b * H + h] / fT);
                        }
                    }
                    dw = acc / norm[c];
                }
                int i = h * C + c;
                w_out[i] = Math.max(-clip, Math.min(clip, w_out[i] + lr * dw));
            }
        }
    }
}
