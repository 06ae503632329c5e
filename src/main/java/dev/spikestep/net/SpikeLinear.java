package dev.spikestep.net;

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
     * out[r, :] = sum of w[i, :] over the active inputs i of row r, for rows [r0, r1).
     *
     * @param idx active input indices, row r at {@code idx[r * stride .. r * stride + count[r])}, ascending
     */
    public static void forwardIndexed(int[] idx, int[] count, int stride, float[] w, int nOut, float[] out,
                                      int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            int o = r * nOut;
            java.util.Arrays.fill(out, o, o + nOut, 0f);
            int base = r * stride;
            for (int k = 0; k < count[r]; k++) {
                int wi = idx[base + k] * nOut;
                for (int j = 0; j < nOut; j++) {
                    out[o + j] += w[wi + j];
                }
            }
        }
    }

    /** gW[i, j] += sum over rows r of grad_out[r, j] for each active input i of r; columns [j0, j1). */
    public static void weightGradIndexed(int[] idx, int[] count, int stride, int R, float[] grad_out, int nOut,
                                         float[] gW, int j0, int j1) {
        for (int r = 0; r < R; r++) {
            int g = r * nOut;
            int base = r * stride;
            for (int k = 0; k < count[r]; k++) {
                int wi = idx[base + k] * nOut;
                for (int j = j0; j < j1; j++) {
                    gW[wi + j] += grad_out[g + j];
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

    /** grad_in[r, n] = sum_j grad_out[r, j] * w[n, j] (dense: every neuron's spike gets a gradient). */
    public static void inputGrad(float[] grad_out, int nOut, float[] w, int nIn, float[] grad_in, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            int g = r * nOut;
            int o = r * nIn;
            for (int n = 0; n < nIn; n++) {
                int wi = n * nOut;
                float acc = 0f;
                for (int j = 0; j < nOut; j++) {
                    acc += grad_out[g + j] * w[wi + j];
                }
                grad_in[o + n] = acc;
            }
        }
    }
}
