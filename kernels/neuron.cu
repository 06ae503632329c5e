// neuron.cu: fused multi-step neuron forward and surrogate BPTT backward (SPEC 2-4), the CUDA twin
// of neuron/NeuronKernels.java: same arguments in the same order, same [T, M] layout (M = B * N,
// index t * M + m), same float32 operation order. Built with -fmad=false so no FMA contraction
// changes a rounding: the spikes then match the Java backend bit for bit.
//
// Kernels (one thread per neuron, the time loop inside, state in registers)
//   lif_forward_kernel    every integrator (euler, exp, zoh) x decay_input x hard/soft reset
//   lif_forward_from_kernel  the same LIF scan from explicit state v [M] (time chunks; byte spikes)
//   izh_forward_kernel    euler, symplectic x hard/soft reset
//   lif_backward_kernel   reverse-time surrogate BPTT over the stored h_seq, spike_seq
//   izh_backward_kernel   idem; v before each step is recomputed from h and spike of step t-1
// Spikes are float 0/1 because they are the operand of the next matrix product.
//
// Parameters come as a float block per run (params + run * NEURON_PARAMS, run = blockIdx.y), derived
// in double on the host exactly as NeuronKernels.LifConst does (see cuda/NeuronParams.java), so that
// several runs with their own dt, integrator and constants can share one launch.

#include "lif.cuh" // NEURON_PARAMS, the LIF slots and forms, lif_charge (shared with rstdp.cu)

// Izhikevich slots
#define IZH_SYMPLECTIC 0
#define IZH_DT 1
#define IZH_TAU 2
#define IZH_TAU_W 3
#define IZH_A0 4
#define IZH_V_C 5
#define IZH_V_REST 6
#define IZH_A 7
#define IZH_B 8
#define IZH_V_TH 9
#define IZH_V_RESET 10
#define IZH_SOFT 11
#define IZH_V_INIT 12
#define IZH_W_INIT 13
#define IZH_DVDX 14
#define IZH_DWDV 15
#define IZH_DWDW 16
#define IZH_QUAD 17

#define SURROGATE_ALPHA 4.0f

// dH/dz of the sigmoid surrogate; the sigmoid in double as NeuronKernels.surrogateGrad.
__device__ __forceinline__ float surrogate_grad(float z) {
    float sig = (float)(1.0 / (1.0 + exp(-(double)(SURROGATE_ALPHA * z))));
    return SURROGATE_ALPHA * sig * (1.0f - sig);
}

extern "C" __global__ void lif_forward_kernel(const float* params, const float* x_seq, int T, int M, float* h_seq,
                                              float* spike_seq, float* v_seq, float* w_seq) {
    int m = blockIdx.x * blockDim.x + threadIdx.x;
    if (m >= M) return;
    int run = blockIdx.y;
    const float* p = params + run * NEURON_PARAMS;
    long long off = (long long)run * T * M; // [R, T, M]
    int form = (int)p[LIF_FORM];
    float dt = p[LIF_DT], tau = p[LIF_TAU], vr = p[LIF_V_RESET], e = p[LIF_E], ome = p[LIF_ONE_MINUS_E];
    float v_th = p[LIF_V_TH];
    bool soft = p[LIF_SOFT] != 0.0f;
    float v = p[LIF_V_INIT];
    for (int t = 0; t < T; t++) {
        long long i = off + (long long)t * M + m; // coalesced: consecutive threads, consecutive m
        float h = lif_charge(form, v, x_seq[i], dt, tau, vr, e, ome);
        float s = h - v_th >= 0.0f ? 1.0f : 0.0f;
        // The reset is computed literally, never branched: inf * 0 must give NaN as on the CPU.
        v = soft ? h - s * v_th : (1.0f - s) * h + s * vr;
        h_seq[i] = h;
        spike_seq[i] = s;
        if (v_seq) v_seq[i] = v;
        if (w_seq) w_seq[i] = 0.0f;
    }
}

// NeuronKernels.lifForwardFrom: the scan continued from explicit state v [M] (read before step 0,
// left as after step T-1), so a long run can be simulated in time chunks with results identical to
// one scan. h_seq may be NULL; spikes are bytes (unsigned char 0/1) as the Java twin's, because the
// R-STDP kernels read them as a mask, never as a matrix operand. One run (no blockIdx.y packing).
extern "C" __global__ void lif_forward_from_kernel(const float* params, const float* x_seq, int T, int M, float* v,
                                                   float* h_seq, unsigned char* spike_seq) {
    int m = blockIdx.x * blockDim.x + threadIdx.x;
    if (m >= M) return;
    const float* p = params;
    int form = (int)p[LIF_FORM];
    float dt = p[LIF_DT], tau = p[LIF_TAU], vr = p[LIF_V_RESET], e = p[LIF_E], ome = p[LIF_ONE_MINUS_E];
    float v_th = p[LIF_V_TH];
    bool soft = p[LIF_SOFT] != 0.0f;
    float vm = v[m]; // the state lives in a register for the whole chunk
    for (int t = 0; t < T; t++) {
        long long i = (long long)t * M + m;
        float h = lif_charge(form, vm, x_seq[i], dt, tau, vr, e, ome);
        float s = h - v_th >= 0.0f ? 1.0f : 0.0f;
        vm = soft ? h - s * v_th : (1.0f - s) * h + s * vr;
        if (h_seq) h_seq[i] = h;
        spike_seq[i] = (unsigned char)s;
    }
    v[m] = vm;
}

extern "C" __global__ void lif_backward_kernel(const float* params, const float* grad_spike_seq, const float* h_seq,
                                               const float* spike_seq, int T, int M, float* grad_x_seq) {
    int m = blockIdx.x * blockDim.x + threadIdx.x;
    if (m >= M) return;
    int run = blockIdx.y;
    const float* p = params + run * NEURON_PARAMS;
    long long off = (long long)run * T * M;
    float v_th = p[LIF_V_TH], vr = p[LIF_V_RESET], dhdv = p[LIF_DHDV], dhdx = p[LIF_DHDX];
    bool soft = p[LIF_SOFT] != 0.0f;
    float gv = 0.0f; // dL/dv_t flowing back from step t+1
    for (int t = T - 1; t >= 0; t--) {
        long long i = off + (long long)t * M + m;
        float h = h_seq[i];
        float s = spike_seq[i];
        // Reset not detached: the spike also carries gradient through v = reset(h, s).
        float dvdh = soft ? 1.0f : 1.0f - s;
        float dvds = soft ? -v_th : vr - h;
        float gh = gv * dvdh + (grad_spike_seq[i] + gv * dvds) * surrogate_grad(h - v_th);
        grad_x_seq[i] = gh * dhdx;
        gv = gh * dhdv;
    }
}

extern "C" __global__ void izh_forward_kernel(const float* params, const float* x_seq, int T, int M, float* h_seq,
                                              float* spike_seq, float* v_seq, float* w_seq) {
    int m = blockIdx.x * blockDim.x + threadIdx.x;
    if (m >= M) return;
    int run = blockIdx.y;
    const float* p = params + run * NEURON_PARAMS;
    long long off = (long long)run * T * M;
    bool symplectic = p[IZH_SYMPLECTIC] != 0.0f;
    float dt = p[IZH_DT], tau = p[IZH_TAU], tau_w = p[IZH_TAU_W], a0 = p[IZH_A0], v_c = p[IZH_V_C];
    float v_rest = p[IZH_V_REST], a = p[IZH_A], b = p[IZH_B], v_th = p[IZH_V_TH], vr = p[IZH_V_RESET];
    bool soft = p[IZH_SOFT] != 0.0f;
    float v = p[IZH_V_INIT];
    float w = p[IZH_W_INIT];
    for (int t = 0; t < T; t++) {
        long long i = off + (long long)t * M + m;
        float x = x_seq[i];
        float h, w1;
        if (symplectic) {
            w1 = w + dt * (a * (v - v_rest) - w) / tau_w;
            h = v + dt * (x + a0 * (v - v_rest) * (v - v_c) - w1) / tau;
        } else {
            h = v + dt * (x + a0 * (v - v_rest) * (v - v_c) - w) / tau;
            w1 = w + dt * (a * (h - v_rest) - w) / tau_w;
        }
        float s = h - v_th >= 0.0f ? 1.0f : 0.0f;
        v = soft ? h - s * v_th : (1.0f - s) * h + s * vr;
        w = w1 + b * s;
        h_seq[i] = h;
        spike_seq[i] = s;
        if (v_seq) v_seq[i] = v;
        if (w_seq) w_seq[i] = w;
    }
}

extern "C" __global__ void izh_backward_kernel(const float* params, const float* grad_spike_seq, const float* h_seq,
                                               const float* spike_seq, int T, int M, float* grad_x_seq) {
    int m = blockIdx.x * blockDim.x + threadIdx.x;
    if (m >= M) return;
    int run = blockIdx.y;
    const float* p = params + run * NEURON_PARAMS;
    long long off = (long long)run * T * M;
    bool symplectic = p[IZH_SYMPLECTIC] != 0.0f;
    float v_c = p[IZH_V_C], v_rest = p[IZH_V_REST], b = p[IZH_B], v_th = p[IZH_V_TH], vr = p[IZH_V_RESET];
    bool soft = p[IZH_SOFT] != 0.0f;
    float v_init = p[IZH_V_INIT];
    float dvdx = p[IZH_DVDX], dwdv = p[IZH_DWDV], dwdw = p[IZH_DWDW], quad = p[IZH_QUAD];
    float gv = 0.0f, gw = 0.0f; // dL/dv_t and dL/dw_t flowing back from step t+1
    for (int t = T - 1; t >= 0; t--) {
        long long i = off + (long long)t * M + m;
        float h = h_seq[i];
        float s = spike_seq[i];
        float v_prev;
        if (t == 0) {
            v_prev = v_init;
        } else {
            float hp = h_seq[i - M];
            float sp = spike_seq[i - M];
            v_prev = soft ? hp - sp * v_th : (1.0f - sp) * hp + sp * vr;
        }
        float dvdh = soft ? 1.0f : 1.0f - s;
        float dvds = soft ? -v_th : vr - h;
        float gs = grad_spike_seq[i] + gv * dvds + gw * b;
        float gh = gv * dvdh + gs * surrogate_grad(h - v_th);
        float dv1dv = 1.0f + quad * ((v_prev - v_c) + (v_prev - v_rest));
        float g_prev_v, g_prev_w;
        if (symplectic) {
            float gw1 = gw - gh * dvdx;
            g_prev_v = gh * dv1dv + gw1 * dwdv;
            g_prev_w = gw1 * dwdw;
        } else {
            gh = gh + gw * dwdv;
            g_prev_v = gh * dv1dv;
            g_prev_w = gw * dwdw - gh * dvdx;
        }
        grad_x_seq[i] = gh * dvdx;
        gv = g_prev_v;
        gw = g_prev_w;
    }
}
