// rstdp.cu: the R-STDP experiment (SPEC 6), the CUDA twin of rstdp/RstdpKernels.java: same
// arguments in the same order (a Java thread range [x0, x1) becomes the launch's extent), same
// layouts, rows r = t*B + b within a time chunk of Tc steps:
//   bits [Tc, B, W] u64 input masks (encoder.cu's poisson_encode_bits_kernel), i_h, s_h [Tc, B, H],
//   i_o, s_o [Tc, B, C], v_h [B, H], v_o [B, C] (state carried from chunk to chunk),
//   h_count [B, H], o_count [B, C] (int, over all T steps), w_in [N_in, H], w_out [H, C].
// Every sum runs in the Java twin's order, so with -fmad=false the counts and weights are those of
// the CPU backend bit for bit (this is why fc_in and fc_out are sparse kernels, not cuBLAS: a
// dense SGEMM sums in another order and could move a spike).
//
// Launch sequence of one batch (cuda/RstdpKernelNetwork), per chunk:
//   poisson_encode_bits_kernel, rstdp_hidden_current_kernel, lif_forward_from_kernel (neuron.cu,
//   M = B*H), rstdp_count_spikes_kernel, rstdp_output_current_kernel, rstdp_output_wta_kernel;
// before the first chunk rstdp_begin_kernel, after the last rstdp_sample_totals_kernel; for the
// update rstdp_reward_kernel (one thread) and rstdp_update_weights_kernel.
//
// Kernels
//   rstdp_begin_kernel             one thread per state element: v = v_init, counts = 0
//   rstdp_hidden_current_kernel    one thread per (row, hidden neuron), grid-stride; the active
//                                  inputs in ascending order (the row's mask is warp-uniform)
//   rstdp_count_spikes_kernel      one thread per neuron, time loop inside, coalesced t*M + m
//   rstdp_output_current_kernel    one thread per (row, output neuron), hidden neurons ascending
//   rstdp_output_wta_kernel        one thread per sample, time loop inside: teacher current, C LIF
//                                  neurons with their state in registers, WTA count
//   rstdp_sample_totals_kernel     one thread per sample: its hidden spikes (the runner's statistics)
//   rstdp_reward_kernel            one thread: the reward as coefficients coef [B, C], norm [C]
//   rstdp_update_weights_kernel    one thread per hidden neuron: W_out += lr*dW, clamped
#include "bits.cuh" // bits_row_sum (shared with linear.cu)
#include "lif.cuh"

// Output neurons one thread keeps in registers (the loops over them are unrolled); the Java side
// checks C <= RSTDP_MAX_OUT before it launches anything.
#define RSTDP_MAX_OUT 32
#define RSTDP_PM1 0
#define RSTDP_ONEHOT 1

extern "C" __global__ void rstdp_begin_kernel(float v_init, int M_h, int M_o, float* v_h, float* v_o, int* h_count,
                                              int* o_count) {
    int k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k < M_h) {
        v_h[k] = v_init;
        h_count[k] = 0;
    }
    if (k < M_o) {
        v_o[k] = v_init;
        o_count[k] = 0;
    }
}

extern "C" __global__ void rstdp_hidden_current_kernel(const unsigned long long* bits, int W, int Tc, int B,
                                                       const float* w_in, int H, float gain, float* i_h) {
    long long n = (long long)Tc * B * H;
    for (long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x; k < n;
         k += (long long)gridDim.x * blockDim.x) {
        int h = (int)(k % H);
        // fc_in(x_t) * in_gain: the sum (bits.cuh, shared with linear.cu's fc1), then one multiply
        i_h[k] = bits_row_sum(bits + (k / H) * W, W, w_in, H, h) * gain;
    }
}

extern "C" __global__ void rstdp_count_spikes_kernel(const unsigned char* spike_seq, int Tc, int M, int* count) {
    int m = blockIdx.x * blockDim.x + threadIdx.x;
    if (m >= M) return;
    int c = count[m];
    for (int t = 0; t < Tc; t++) c += spike_seq[(long long)t * M + m];
    count[m] = c;
}

extern "C" __global__ void rstdp_output_current_kernel(const unsigned char* s_h, int H, const float* w_out, int C,
                                                       float gain, float* i_o, int R) {
    long long n = (long long)R * C;
    for (long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x; k < n;
         k += (long long)gridDim.x * blockDim.x) {
        int c = (int)(k % C);
        const unsigned char* s = s_h + (k / C) * H;
        float acc = 0.0f;
        for (int h = 0; h < H; h++) {
            if (s[h]) acc += w_out[h * C + c];
        }
        i_o[k] = acc * gain;
    }
}

// The output layer of one chunk for sample b (RstdpKernels.outputLayerWta): per step, the teacher
// current is added to the label's current in place, each of the C neurons charges, fires and resets
// on its own spike, and if any fired, argmax_c i_o (first index on ties, the first NaN wins, as
// torch.argmax) gets the one counted spike. s_o (pre-WTA spikes) may be NULL.
extern "C" __global__ void rstdp_output_wta_kernel(const float* params, float* i_o, int Tc, int B, int C,
                                                   const int* labels, float teach, float* v_o, unsigned char* s_o,
                                                   int* o_count) {
    int b = blockIdx.x * blockDim.x + threadIdx.x;
    if (b >= B) return;
    LifCharge lc = lif_constants(params);
    float vr = lc.vr, v_th = params[LIF_V_TH];
    bool soft = params[LIF_SOFT] != 0.0f;
    int y = labels != 0 && teach > 0.0f ? labels[b] : -1;
    int M = B * C;
    float v[RSTDP_MAX_OUT]; // fully unrolled loops keep these in registers
    int cnt[RSTDP_MAX_OUT];
#pragma unroll
    for (int c = 0; c < RSTDP_MAX_OUT; c++) {
        v[c] = c < C ? v_o[b * C + c] : 0.0f;
        cnt[c] = c < C ? o_count[b * C + c] : 0;
    }
    for (int t = 0; t < Tc; t++) {
        long long o = (long long)t * M + (long long)b * C;
        bool any = false;
        bool nan = false;
        int best = 0;
        float bv = 0.0f;
#pragma unroll
        for (int c = 0; c < RSTDP_MAX_OUT; c++) {
            if (c < C) {
                float x = i_o[o + c];
                if (c == y) {
                    x = x + teach;
                    i_o[o + c] = x;
                }
                float h = lif_step(lc, v[c], x);
                float s = h - v_th >= 0.0f ? 1.0f : 0.0f;
                v[c] = soft ? h - s * v_th : (1.0f - s) * h + s * vr;
                if (s_o) s_o[o + c] = (unsigned char)s;
                any = any || s != 0.0f;
                if (!nan) {
                    if (c == 0 || isnan(x)) {
                        best = c;
                        bv = x;
                        nan = isnan(x);
                    } else if (x > bv) {
                        best = c;
                        bv = x;
                    }
                }
            }
        }
        if (any) {
#pragma unroll
            for (int c = 0; c < RSTDP_MAX_OUT; c++) cnt[c] += c == best ? 1 : 0;
        }
    }
#pragma unroll
    for (int c = 0; c < RSTDP_MAX_OUT; c++) {
        if (c < C) {
            v_o[b * C + c] = v[c];
            o_count[b * C + c] = cnt[c];
        }
    }
}

extern "C" __global__ void rstdp_sample_totals_kernel(const int* count, int B, int N, int* total) {
    int b = blockIdx.x * blockDim.x + threadIdx.x;
    if (b >= B) return;
    int s = 0;
    for (int n = 0; n < N; n++) s += count[(long long)b * N + n];
    total[b] = s;
}

// Index of the largest count of sample b, the first on ties (RstdpKernels.argmaxCount).
__device__ __forceinline__ int rstdp_argmax_count(const int* o_count, int b, int C) {
    const int* o = o_count + b * C;
    int best = 0;
    for (int c = 1; c < C; c++) {
        if (o[c] > o[best]) best = c;
    }
    return best;
}

extern "C" __global__ void rstdp_reward_kernel(int reward, const int* o_count, const int* labels, int B, int C,
                                               float* coef, float* norm) {
    if (blockIdx.x * blockDim.x + threadIdx.x != 0) return; // B*C work: one thread, Java's order
    for (int c = 0; c < C; c++) norm[c] = 0.0f;
    for (int b = 0; b < B; b++) {
        int o = b * C;
        if (reward == RSTDP_PM1) {
            int winner = rstdp_argmax_count(o_count, b, C);
            float r = winner == labels[b] ? 1.0f : -1.0f;
            for (int c = 0; c < C; c++) coef[o + c] = c == winner ? r : 0.0f;
            norm[winner] += 1.0f;
        } else {
            // softmax of the counts in float, max subtracted first; exp in double, rounded once (as Java)
            float m = (float)o_count[o];
            for (int c = 1; c < C; c++) m = fmaxf(m, (float)o_count[o + c]);
            float sum = 0.0f;
            for (int c = 0; c < C; c++) {
                float e = (float)exp((double)((float)o_count[o + c] - m));
                coef[o + c] = e;
                sum += e;
            }
            for (int c = 0; c < C; c++) coef[o + c] = (c == labels[b] ? 1.0f : 0.0f) - coef[o + c] / sum;
        }
    }
    if (reward == RSTDP_ONEHOT) {
        for (int c = 0; c < C; c++) norm[c] = (float)B;
    }
}

extern "C" __global__ void rstdp_update_weights_kernel(const float* coef, const float* norm, const int* h_count, int B,
                                                       int H, int C, int T, float lr, float clip, float* w_out) {
    int h = blockIdx.x * blockDim.x + threadIdx.x;
    if (h >= H) return;
    float fT = fmaxf(1.0f, (float)T);
    for (int c = 0; c < C; c++) {
        float dw = 0.0f; // a pm1 row no sample won keeps its weights (but is still clamped)
        if (norm[c] != 0.0f) {
            float acc = 0.0f;
            for (int b = 0; b < B; b++) {
                float k = coef[b * C + c];
                if (k != 0.0f) acc += k * ((float)h_count[(long long)b * H + h] / fT); // coalesced over h
            }
            dw = acc / norm[c];
        }
        int i = h * C + c;
        float w = w_out[i] + lr * dw;
        // Math.max(-clip, Math.min(clip, w)) with Java's NaN rule (fminf would turn NaN into clip)
        w = w > clip ? clip : w;
        w = w < -clip ? -clip : w;
        w_out[i] = w;
    }
}
