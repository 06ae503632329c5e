package dev.spikestep.net;

/** Softmax cross-entropy, mean over the batch (PyTorch's {@code nn.CrossEntropyLoss}). */
public final class Loss {
    private Loss() {
    }

    /**
     * Returns the mean loss and writes {@code grad_logits = (softmax - onehot) / B}.
     *
     * @param logits [B, C]
     */
    public static float crossEntropy(float[] logits, int[] labels, int B, int C, float[] grad_logits) {
        double total = 0;
        for (int b = 0; b < B; b++) {
            int o = b * C;
            float m = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < C; c++) {
                m = Math.max(m, logits[o + c]);
            }
            double sum = 0;
            for (int c = 0; c < C; c++) {
                sum += Math.exp(logits[o + c] - m);
            }
            double lse = m + Math.log(sum);
            total += lse - logits[o + labels[b]];
            for (int c = 0; c < C; c++) {
                double p = Math.exp(logits[o + c] - lse);
                grad_logits[o + c] = (float) ((p - (c == labels[b] ? 1 : 0)) / B);
            }
        }
        return (float) (total / B);
    }

    /** Index of the largest logit of row b of [B, C]: the first on ties, the first NaN if any (torch.argmax). */
    public static int argmax(float[] logits, int b, int C) {
        return argmaxAt(logits, b * C, C);
    }

    /**
     * Index of the largest of {@code x[o .. o+n)}: the first on ties, the first NaN if any, as
     * torch.argmax (NaN compares greater than every number there). Readouts and the R-STDP
     * winner-take-all share it; loss.cu's correct_kernel and rstdp.cu are its twins.
     */
    public static int argmaxAt(float[] x, int o, int n) {
        int best = 0;
        float bv = x[o];
        if (Float.isNaN(bv)) {
            return 0;
        }
        for (int c = 1; c < n; c++) {
            float v = x[o + c];
            if (Float.isNaN(v)) {
                return c;
            }
            if (v > bv) {
                bv = v;
                best = c;
            }
        }
        return best;
    }
}
