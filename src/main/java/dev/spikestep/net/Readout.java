package dev.spikestep.net;

import dev.spikestep.SpikestepException;
import java.util.Locale;

/**
 * How the per-step outputs {@code out_seq [T, B, C]} become logits {@code [B, C]} (SPEC section 5),
 * with the backward pass. The Java twin of {@code kernels/readout.cu}.
 */
public enum Readout {
    LAST, MAX, MEAN, SUM;

    public static Readout parse(String s) {
        for (Readout r : values()) {
            if (r.name().equalsIgnoreCase(s.trim())) {
                return r;
            }
        }
        throw new SpikestepException("unknown readout '" + s + "': expected last, max, mean or sum");
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** logits [B*C] from out_seq [T, B*C]. */
    public void forward(float[] out_seq, int T, int BC, float[] logits) {
        switch (this) {
            case LAST -> System.arraycopy(out_seq, (T - 1) * BC, logits, 0, BC);
            case MAX -> {
                // The notebook's running torch.maximum(acc, out_t), acc starting at out_0.
                System.arraycopy(out_seq, 0, logits, 0, BC);
                for (int t = 1; t < T; t++) {
                    for (int k = 0; k < BC; k++) {
                        logits[k] = max(logits[k], out_seq[t * BC + k]);
                    }
                }
            }
            case MEAN, SUM -> {
                java.util.Arrays.fill(logits, 0, BC, 0f);
                for (int t = 0; t < T; t++) {
                    for (int k = 0; k < BC; k++) {
                        logits[k] += out_seq[t * BC + k];
                    }
                }
                if (this == MEAN) {
                    for (int k = 0; k < BC; k++) {
                        logits[k] /= T;
                    }
                }
            }
            default -> throw new IllegalStateException();
        }
    }

    /**
     * grad_out_seq [T, B*C] from grad_logits [B*C]. For MAX the gradient follows torch.maximum's
     * rule along the running maximum: to the new value where it is larger, half to each side on a
     * tie. Ties are common (steps without hidden spikes give identical outputs), so this matters.
     */
    public void backward(float[] out_seq, int T, int BC, float[] grad_logits, float[] grad_out_seq) {
        java.util.Arrays.fill(grad_out_seq, 0, T * BC, 0f);
        switch (this) {
            case LAST -> System.arraycopy(grad_logits, 0, grad_out_seq, (T - 1) * BC, BC);
            case MAX -> {
                float[] acc = new float[T];
                for (int k = 0; k < BC; k++) {
                    // Recompute the running maximum acc_t = max(acc_{t-1}, out_t) forward, then walk back.
                    float g = grad_logits[k];
                    runningMax(out_seq, T, BC, k, acc);
                    for (int t = T - 1; t >= 1; t--) {
                        float o = out_seq[t * BC + k];
                        float prev = acc[t - 1];
                        if (o > prev) {
                            grad_out_seq[t * BC + k] = g;
                            g = 0f;
                        } else if (o == prev) {
                            g = g / 2f;
                            grad_out_seq[t * BC + k] = g;
                        }
                    }
                    grad_out_seq[k] = g;
                }
            }
            case MEAN, SUM -> {
                for (int t = 0; t < T; t++) {
                    for (int k = 0; k < BC; k++) {
                        grad_out_seq[t * BC + k] = this == MEAN ? grad_logits[k] / T : grad_logits[k];
                    }
                }
            }
            default -> throw new IllegalStateException();
        }
    }

    private static void runningMax(float[] out_seq, int T, int BC, int k, float[] acc) {
        acc[0] = out_seq[k];
        for (int t = 1; t < T; t++) {
            acc[t] = max(acc[t - 1], out_seq[t * BC + k]);
        }
    }

    /** torch.maximum: NaN if either side is NaN. */
    private static float max(float a, float b) {
        return Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.max(a, b);
    }
}
