package dev.spikestep.net;

import dev.spikestep.BadValueException;
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
        throw new BadValueException("readout", "'" + s + "': unknown readout; expected last, max, mean or sum");
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
        switch (this) {
            case LAST -> {
                java.util.Arrays.fill(grad_out_seq, 0, (T - 1) * BC, 0f);
                System.arraycopy(grad_logits, 0, grad_out_seq, (T - 1) * BC, BC);
            }
            case MAX -> {
                // grad_out_seq first holds the running maximum acc_t = max(acc_{t-1}, out_t), which
                // the walk back reads at t-1 before it overwrites row t with the gradient (as
                // kernels/readout.cu: no scratch). A row of all B*C outputs at a time: each output's
                // operations are those of a walk along its own column, in the same order, on
                // contiguous rows (a column at a time strode B*C floats per step: 0.35 ms of a
                // training step, against 0.21-0.26).
                System.arraycopy(out_seq, 0, grad_out_seq, 0, BC);
                for (int t = 1; t < T; t++) {
                    maxRow(grad_out_seq, out_seq, t * BC, BC);
                }
                float[] g = grad_logits.clone(); // [B*C]: what is still to be handed back
                for (int t = T - 1; t >= 1; t--) {
                    maxBackRow(out_seq, t * BC, BC, g, grad_out_seq);
                }
                System.arraycopy(g, 0, grad_out_seq, 0, BC);
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

    /**
     * acc[o ..] = max(acc[o - n ..], out_seq[o ..]) over one row of n outputs. A method per row, so
     * that C2 compiles it whole within a few steps, not only on stack replacement inside the time loop.
     */
    private static void maxRow(float[] acc, float[] out_seq, int o, int n) {
        for (int k = 0; k < n; k++) {
            acc[o + k] = max(acc[o - n + k], out_seq[o + k]);
        }
    }

    /**
     * Row t of the max readout's backward, its row t-1 of {@code acc_grad} still the running
     * maximum acc_{t-1}: the gradient g still to be handed back goes to out_t where it is the new
     * maximum, half of it to each side on a tie, none where acc_{t-1} stays larger (or either is
     * NaN); row t of {@code acc_grad} becomes that gradient.
     */
    private static void maxBackRow(float[] out_seq, int o, int n, float[] g, float[] acc_grad) {
        for (int k = 0; k < n; k++) {
            float out = out_seq[o + k];
            float prev = acc_grad[o - n + k];
            float gt = 0f;
            if (out > prev) {
                gt = g[k];
                g[k] = 0f;
            } else if (out == prev) {
                g[k] = g[k] / 2f;
                gt = g[k];
            }
            acc_grad[o + k] = gt;
        }
    }

    /** torch.maximum: NaN if either side is NaN. */
    private static float max(float a, float b) {
        return Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.max(a, b);
    }
}
