// loss.cu: softmax cross-entropy and accuracy (SPEC 5), the CUDA twin of net/Loss.java.
//
// Kernels (one thread per sample)
//   cross_entropy_kernel   grad_logits = (softmax - onehot) / B; loss_b[b] in double, summed on the
//                          host in sample order (as Loss.crossEntropy), after the batch's one copy back
//   correct_kernel         counts samples whose argmax logit (first on ties) equals the label
// Exponentials and logarithms in double, as the Java twin. Neither libdevice's exp/log nor Java's are
// correctly rounded (both within 1 ulp of double), so loss_b may differ from the CPU's in its last double
// bit, and a grad_logits float in rare cases: the contract tests compare the loss with a tolerance.
// Several runs pack by blockIdx.y = run: logits, grad_logits [runs, B, C], labels, loss_b [runs, B],
// and each run's counts at count + run * LOSS_COUNTS_PER_RUN (the network's per-run counts block:
// spikes, non-finite, correct, unused; stats.cu writes the first two).

#define LOSS_COUNTS_PER_RUN 4

extern "C" __global__ void cross_entropy_kernel(const float* logits, const int* labels, int B, int C,
                                                float* grad_logits, double* loss_b) {
    int b = blockIdx.x * blockDim.x + threadIdx.x;
    if (b >= B) return;
    int run = blockIdx.y;
    logits += (long long)run * B * C;
    grad_logits += (long long)run * B * C;
    labels += (long long)run * B;
    loss_b += (long long)run * B;
    const float* row = logits + (long long)b * C;
    float m = -INFINITY;
    for (int c = 0; c < C; c++) {
        float x = row[c];
        m = (m != m || x != x) ? (m != m ? m : x) : (x > m ? x : m); // Math.max: NaN propagates
    }
    double sum = 0.0;
    for (int c = 0; c < C; c++) sum += exp((double)(row[c] - m));
    double lse = (double)m + log(sum);
    int label = labels[b];
    loss_b[b] = lse - (double)row[label];
    for (int c = 0; c < C; c++) {
        double p = exp((double)row[c] - lse);
        grad_logits[(long long)b * C + c] = (float)((p - (c == label ? 1.0 : 0.0)) / B);
    }
}

extern "C" __global__ void correct_kernel(const float* logits, const int* labels, int B, int C,
                                          unsigned long long* count) {
    int b = blockIdx.x * blockDim.x + threadIdx.x;
    if (b >= B) return;
    int run = blockIdx.y;
    logits += (long long)run * B * C;
    labels += (long long)run * B;
    count += run * LOSS_COUNTS_PER_RUN;
    const float* row = logits + (long long)b * C;
    // the first on ties, the first NaN if any (torch.argmax; Loss.argmaxAt)
    int best = 0;
    float bv = row[0];
    if (!isnan(bv)) {
        for (int c = 1; c < C; c++) {
            float v = row[c];
            if (isnan(v)) {
                best = c;
                break;
            }
            if (v > bv) {
                bv = v;
                best = c;
            }
        }
    }
    if (best == labels[b]) atomicAdd(count, 1ull);
}
