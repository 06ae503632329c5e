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

    /** Index of the largest logit of row b, the first one on ties (as torch.argmax). */
    public static int argmax(float[] logits, int b, int C) {
        int best = 0;
        for (int c = 1; c < C; c++) {
            if (logits[b * C + c] > logits[b * C + best]) {
                best = c;
            }
        }
        return best;
    }
}
