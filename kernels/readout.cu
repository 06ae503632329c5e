// readout.cu: logits from the per-step outputs (SPEC 5), the CUDA twin of net/Readout.java.
//
// Kernels (one thread per element k of B*C; the time loop inside, in Java's order)
//   readout_forward_kernel    out_seq [T, BC] -> logits [BC]
//   readout_backward_kernel   grad_logits [BC] -> grad_out_seq [T, BC]
// readout: 0 last, 1 max, 2 mean, 3 sum (Readout.ordinal()). Several runs pack by blockIdx.y = run:
// out_seq and grad_out_seq [runs, T, BC], logits and grad_logits [runs, BC].

#define READOUT_LAST 0
#define READOUT_MAX 1
#define READOUT_MEAN 2
#define READOUT_SUM 3

// torch.maximum with Java's Math.max semantics: NaN wins, +0 beats -0.
__device__ __forceinline__ float torch_max(float a, float b) {
    if (a != a || b != b) return a != a ? a : b;
    if (a == 0.0f && b == 0.0f) return signbit(a) ? b : a;
    return a >= b ? a : b;
}

extern "C" __global__ void readout_forward_kernel(int readout, const float* out_seq, int T, int BC, float* logits) {
    int k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= BC) return;
    int run = blockIdx.y;
    out_seq += (long long)run * T * BC;
    logits += (long long)run * BC;
    float acc;
    if (readout == READOUT_LAST) {
        acc = out_seq[(long long)(T - 1) * BC + k];
    } else if (readout == READOUT_MAX) {
        acc = out_seq[k]; // the notebook's running max, starting at out_0
        for (int t = 1; t < T; t++) acc = torch_max(acc, out_seq[(long long)t * BC + k]);
    } else {
        acc = 0.0f;
        for (int t = 0; t < T; t++) acc += out_seq[(long long)t * BC + k];
        if (readout == READOUT_MEAN) acc /= (float)T;
    }
    logits[k] = acc;
}

// For max, grad_out_seq first holds the running maximum acc_t, which the reverse walk reads at t-1
// before overwriting position t with the gradient: no scratch buffer (the Java twin keeps the
// gradient still to hand back in a [B*C] copy of grad_logits instead), the Java twin's arguments.
extern "C" __global__ void readout_backward_kernel(int readout, const float* out_seq, int T, int BC,
                                                   const float* grad_logits, float* grad_out_seq) {
    int k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= BC) return;
    int run = blockIdx.y;
    out_seq += (long long)run * T * BC;
    grad_out_seq += (long long)run * T * BC;
    grad_logits += (long long)run * BC;
    float g = grad_logits[k];
    if (readout == READOUT_LAST) {
        for (int t = 0; t < T - 1; t++) grad_out_seq[(long long)t * BC + k] = 0.0f;
        grad_out_seq[(long long)(T - 1) * BC + k] = g;
    } else if (readout == READOUT_MAX) {
        float acc = out_seq[k];
        grad_out_seq[k] = acc;
        for (int t = 1; t < T; t++) {
            acc = torch_max(acc, out_seq[(long long)t * BC + k]);
            grad_out_seq[(long long)t * BC + k] = acc;
        }
        // torch.maximum's backward along the running max: to the new value where larger, half each on a tie.
        for (int t = T - 1; t >= 1; t--) {
            float o = out_seq[(long long)t * BC + k];
            float prev = grad_out_seq[(long long)(t - 1) * BC + k];
            float gt = 0.0f;
            if (o > prev) {
                gt = g;
                g = 0.0f;
            } else if (o == prev) {
                g = g / 2.0f;
                gt = g;
            }
            grad_out_seq[(long long)t * BC + k] = gt;
        }
        grad_out_seq[k] = g;
    } else {
        float gt = readout == READOUT_MEAN ? g / (float)T : g;
        for (int t = 0; t < T; t++) grad_out_seq[(long long)t * BC + k] = gt;
    }
}
