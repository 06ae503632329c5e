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
//   izh_backward_stages_kernel  SPEC 9 (rk2, rk4, K > 1 sub-steps): the step's derivatives depend on w
//                         and x, so it reads x_seq and the forward's w_seq; sub-step states recomputed
// SPEC 9's sub-steps and rk2/rk4 run inside lif_forward_kernel and izh_forward_kernel (lif_step,
// izh_sub_step); the LIF backward needs no change (its step is affine: dh/dv, dh/dx from the host).
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
// SPEC 9 (NeuronParams.of); slots 14-17 above are then those of one sub-step of length dt/K
#define IZH_METHOD 18      // 0 euler, 1 symplectic, 2 rk2, 3 rk4
#define IZH_SUBSTEPS 19
#define IZH_DT_SUB 20      // dt/K, dt/(2K), dt/(6K)
#define IZH_DT_HALF 21
#define IZH_DT_SIXTH 22
#define IZH_INV_TAU 23     // 1/tau = dfv/dx = -dfv/dw
#define IZH_INV_TAU_W 24   // 1/tau_w = -dfw/dw
#define IZH_A_TAU_W 25     // a/tau_w = dfw/dv
#define IZH_A0_TAU 26      // a0/tau: dfv/dv = a0/tau * ((v - v_c) + (v - v_rest))
#define IZH_EULER 0
#define IZH_SYMPL 1
#define IZH_RK2 2
#define IZH_RK4 3

#define SURROGATE_ALPHA 4.0f

// The surrogate's exp in float, NeuronKernels' EXP_* constants: e^u = 2^n e^r, n = round(u / ln 2)
// (adding and subtracting 1.5 * 2^23), r = u - n ln 2 (ln 2 in two parts), e^r by Cephes' expf
// polynomial, 2^n from y's low bits.
#define EXP_LOG2E 1.44269504088896341f
#define EXP_SHIFT 12582912.0f
#define EXP_LN2_HI 0.693359375f
#define EXP_LN2_LO -2.12194440e-4f
#define EXP_P0 1.9875691500e-4f
#define EXP_P1 1.3981999507e-3f
#define EXP_P2 8.3334519073e-3f
#define EXP_P3 4.1665795894e-2f
#define EXP_P4 1.6666665459e-1f
#define EXP_P5 5.0000001201e-1f
#define EXP_BIAS (127 - 0x4B400000)  // bits(y) + EXP_BIAS = n + 127
#define SURROGATE_CUT 88.0f

// dH/dz of the sigmoid surrogate, alpha sig (1 - sig) with sig = 1 / (1 + e^u), u = -alpha z:
// NeuronKernels.surrogateGrad operation for operation (no library exp, no FMA with -fmad=false),
// so the same bits as the Java backend.
__device__ __forceinline__ float surrogate_grad(float z) {
    float u = -(SURROGATE_ALPHA * z);
    if (u > SURROGATE_CUT || u < -SURROGATE_CUT) {
        return 0.0f;
    }
    float y = u * EXP_LOG2E + EXP_SHIFT;
    float n = y - EXP_SHIFT;
    float r = u - n * EXP_LN2_HI - n * EXP_LN2_LO;
    float p = EXP_P0;
    p = p * r + EXP_P1;
    p = p * r + EXP_P2;
    p = p * r + EXP_P3;
    p = p * r + EXP_P4;
    p = p * r + EXP_P5;
    float pow2 = __int_as_float((int)(((unsigned int)__float_as_int(y) + (unsigned int)EXP_BIAS) << 23));
    float e = (p * (r * r) + r + 1.0f) * pow2;
    float sig = 1.0f / (1.0f + e);
    return SURROGATE_ALPHA * sig * (1.0f - sig);
}

// The constants of SPEC 9's Izhikevich sub-step (IzhStages.java), read once into registers.
struct IzhSub {
    int method, substeps;
    float dt, dth, dt6, tau, tau_w, a0, v_c, v_rest, a;
    float inv_tau, inv_tau_w, a_tau_w, a0_tau, dvdx, dwdv, dwdw, quad;
};

__device__ __forceinline__ IzhSub izh_sub_constants(const float* p) {
    IzhSub c;
    c.method = (int)p[IZH_METHOD];
    c.substeps = (int)p[IZH_SUBSTEPS];
    c.dt = p[IZH_DT_SUB];
    c.dth = p[IZH_DT_HALF];
    c.dt6 = p[IZH_DT_SIXTH];
    c.tau = p[IZH_TAU];
    c.tau_w = p[IZH_TAU_W];
    c.a0 = p[IZH_A0];
    c.v_c = p[IZH_V_C];
    c.v_rest = p[IZH_V_REST];
    c.a = p[IZH_A];
    c.inv_tau = p[IZH_INV_TAU];
    c.inv_tau_w = p[IZH_INV_TAU_W];
    c.a_tau_w = p[IZH_A_TAU_W];
    c.a0_tau = p[IZH_A0_TAU];
    c.dvdx = p[IZH_DVDX];
    c.dwdv = p[IZH_DWDV];
    c.dwdw = p[IZH_DWDW];
    c.quad = p[IZH_QUAD];
    return c;
}

__device__ __forceinline__ float izh_fv(const IzhSub& c, float v, float w, float x) {
    return (x + c.a0 * (v - c.v_rest) * (v - c.v_c) - w) / c.tau;
}

__device__ __forceinline__ float izh_fw(const IzhSub& c, float v, float w) {
    return (c.a * (v - c.v_rest) - w) / c.tau_w;
}

// rk4's stages from (v, w): q = {k1v, k1w, k2v, k2w, k3v, k3w, k4v, k4w, v2, v3, v4} (IzhStages.rk4Stages).
__device__ __forceinline__ void izh_rk4_stages(const IzhSub& c, float v, float w, float x, float* q) {
    q[0] = izh_fv(c, v, w, x);
    q[1] = izh_fw(c, v, w);
    float v2 = v + c.dth * q[0], w2 = w + c.dth * q[1];
    q[2] = izh_fv(c, v2, w2, x);
    q[3] = izh_fw(c, v2, w2);
    float v3 = v + c.dth * q[2], w3 = w + c.dth * q[3];
    q[4] = izh_fv(c, v3, w3, x);
    q[5] = izh_fw(c, v3, w3);
    float v4 = v + c.dt * q[4], w4 = w + c.dt * q[5];
    q[6] = izh_fv(c, v4, w4, x);
    q[7] = izh_fw(c, v4, w4);
    q[8] = v2;
    q[9] = v3;
    q[10] = v4;
}

// Backward through one stage k = f(v_s, w_s) given dL/dk: dL/d(v_s, w_s) into (gyv, gyw); returns
// the stage's dL/dx (IzhStages.stageBack).
__device__ __forceinline__ float izh_stage_back(const IzhSub& c, float vs, float gkv, float gkw, float& gyv,
                                                float& gyw) {
    gyv = gkv * (c.a0_tau * ((vs - c.v_c) + (vs - c.v_rest))) + gkw * c.a_tau_w;
    gyw = -gkv * c.inv_tau - gkw * c.inv_tau_w;
    return gkv * c.inv_tau;
}

// One sub-step of length dt/K by the integrator's own rule, (v, w) in place (IzhStages.subStep).
__device__ __forceinline__ void izh_sub_step(const IzhSub& c, float& v, float& w, float x) {
    if (c.method == IZH_EULER) {
        float h = v + c.dt * (x + c.a0 * (v - c.v_rest) * (v - c.v_c) - w) / c.tau;
        w = w + c.dt * (c.a * (h - c.v_rest) - w) / c.tau_w;
        v = h;
    } else if (c.method == IZH_SYMPL) {
        float w1 = w + c.dt * (c.a * (v - c.v_rest) - w) / c.tau_w;
        v = v + c.dt * (x + c.a0 * (v - c.v_rest) * (v - c.v_c) - w1) / c.tau;
        w = w1;
    } else if (c.method == IZH_RK2) {
        float k1v = izh_fv(c, v, w, x), k1w = izh_fw(c, v, w);
        float v2 = v + c.dt * k1v, w2 = w + c.dt * k1w;
        float k2v = izh_fv(c, v2, w2, x), k2w = izh_fw(c, v2, w2);
        v = v + c.dth * (k1v + k2v);
        w = w + c.dth * (k1w + k2w);
    } else {
        float q[11];
        izh_rk4_stages(c, v, w, x, q);
        v = v + c.dt6 * (q[0] + 2.0f * q[2] + 2.0f * q[4] + q[6]);
        w = w + c.dt6 * (q[1] + 2.0f * q[3] + 2.0f * q[5] + q[7]);
    }
}

// Backward of one sub-step from its start state (v, w): (gv, gw) on its result in, on its start out;
// gx accumulates dL/dx (IzhStages.backStep, the same operations).
__device__ __forceinline__ void izh_sub_step_back(const IzhSub& c, float v, float w, float x, float& gv, float& gw,
                                                  float& gx) {
    if (c.method == IZH_EULER) {
        float ght = gv + gw * c.dwdv;
        gx += ght * c.dvdx;
        gv = ght * (1.0f + c.quad * ((v - c.v_c) + (v - c.v_rest)));
        gw = gw * c.dwdw - ght * c.dvdx;
    } else if (c.method == IZH_SYMPL) {
        float gwt = gw - gv * c.dvdx;
        gx += gv * c.dvdx;
        gv = gv * (1.0f + c.quad * ((v - c.v_c) + (v - c.v_rest))) + gwt * c.dwdv;
        gw = gwt * c.dwdw;
    } else if (c.method == IZH_RK2) {
        // y' = y + dt/2*(k1 + k2), k2 = f(y + dt*k1), k1 = f(y); the Jacobian needs only v of each stage
        float v2 = v + c.dt * izh_fv(c, v, w, x);
        float g1v = c.dth * gv, g1w = c.dth * gw, gyv, gyw;
        gx += izh_stage_back(c, v2, g1v, g1w, gyv, gyw);
        float syv = gv + gyv, syw = gw + gyw;
        g1v += c.dt * gyv;
        g1w += c.dt * gyw;
        gx += izh_stage_back(c, v, g1v, g1w, gyv, gyw);
        gv = syv + gyv;
        gw = syw + gyw;
    } else {
        // y' = y + dt/6*(k1 + 2 k2 + 2 k3 + k4); stage i reads y + c_i*dt*k_(i-1)
        float q[11];
        izh_rk4_stages(c, v, w, x, q);
        float g1v = c.dt6 * gv, g1w = c.dt6 * gw;
        float g2v = 2.0f * g1v, g2w = 2.0f * g1w;
        float g3v = g2v, g3w = g2w;
        float syv = gv, syw = gw, gyv, gyw;
        gx += izh_stage_back(c, q[10], g1v, g1w, gyv, gyw); // k4 = f(y + dt*k3)
        syv += gyv;
        syw += gyw;
        g3v += c.dt * gyv;
        g3w += c.dt * gyw;
        gx += izh_stage_back(c, q[9], g3v, g3w, gyv, gyw); // k3 = f(y + dt/2*k2)
        syv += gyv;
        syw += gyw;
        g2v += c.dth * gyv;
        g2w += c.dth * gyw;
        gx += izh_stage_back(c, q[8], g2v, g2w, gyv, gyw); // k2 = f(y + dt/2*k1)
        syv += gyv;
        syw += gyw;
        g1v += c.dth * gyv;
        g1w += c.dth * gyw;
        gx += izh_stage_back(c, v, g1v, g1w, gyv, gyw); // k1 = f(y)
        gv = syv + gyv;
        gw = syw + gyw;
    }
}

extern "C" __global__ void lif_forward_kernel(const float* params, const float* x_seq, int T, int M, float* h_seq,
                                              float* spike_seq, float* v_seq, float* w_seq) {
    int m = blockIdx.x * blockDim.x + threadIdx.x;
    if (m >= M) return;
    int run = blockIdx.y;
    const float* p = params + run * NEURON_PARAMS;
    long long off = (long long)run * T * M; // [R, T, M]
    LifCharge c = lif_constants(p);
    float vr = c.vr, v_th = p[LIF_V_TH];
    bool soft = p[LIF_SOFT] != 0.0f;
    float v = p[LIF_V_INIT];
    for (int t = 0; t < T; t++) {
        long long i = off + (long long)t * M + m; // coalesced: consecutive threads, consecutive m
        float h = lif_step(c, v, x_seq[i]);
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
    LifCharge c = lif_constants(p);
    float vr = c.vr, v_th = p[LIF_V_TH];
    bool soft = p[LIF_SOFT] != 0.0f;
    float vm = v[m]; // the state lives in a register for the whole chunk
    for (int t = 0; t < T; t++) {
        long long i = (long long)t * M + m;
        float h = lif_step(c, vm, x_seq[i]);
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
    IzhSub sc = izh_sub_constants(p);
    bool stages = sc.substeps > 1 || sc.method >= IZH_RK2; // SPEC 9; else the notebook's fused step
    for (int t = 0; t < T; t++) {
        long long i = off + (long long)t * M + m;
        float x = x_seq[i];
        float h, w1;
        if (stages) {
            h = v;
            w1 = w;
            for (int k = 0; k < sc.substeps; k++) izh_sub_step(sc, h, w1, x);
        } else if (symplectic) {
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

// SPEC 9's Izhikevich backward (rk2, rk4, K > 1): the state before step t is v from the stored h and
// spike of step t-1 and w from the forward's w_seq; each sub-step's start state is recomputed from it
// (K small: O(K^2) sub-steps, no per-thread arrays), then the sub-steps are differentiated in reverse.
extern "C" __global__ void izh_backward_stages_kernel(const float* params, const float* grad_spike_seq,
                                                      const float* x_seq, const float* h_seq,
                                                      const float* spike_seq, const float* w_seq, int T, int M,
                                                      float* grad_x_seq) {
    int m = blockIdx.x * blockDim.x + threadIdx.x;
    if (m >= M) return;
    int run = blockIdx.y;
    const float* p = params + run * NEURON_PARAMS;
    long long off = (long long)run * T * M;
    IzhSub c = izh_sub_constants(p);
    float b = p[IZH_B], v_th = p[IZH_V_TH], vr = p[IZH_V_RESET];
    bool soft = p[IZH_SOFT] != 0.0f;
    float gv = 0.0f, gw = 0.0f; // dL/dv_t and dL/dw_t flowing back from step t+1
    for (int t = T - 1; t >= 0; t--) {
        long long i = off + (long long)t * M + m;
        float h = h_seq[i];
        float s = spike_seq[i];
        float v0, w0;
        if (t == 0) {
            v0 = p[IZH_V_INIT];
            w0 = p[IZH_W_INIT];
        } else {
            float hp = h_seq[i - M];
            float sp = spike_seq[i - M];
            v0 = soft ? hp - sp * v_th : (1.0f - sp) * hp + sp * vr;
            w0 = w_seq[i - M];
        }
        float x = x_seq[i];
        float dvdh = soft ? 1.0f : 1.0f - s;
        float dvds = soft ? -v_th : vr - h;
        float gs = grad_spike_seq[i] + gv * dvds + gw * b;
        float g_v = gv * dvdh + gs * surrogate_grad(h - v_th);
        float g_w = gw;
        float gx = 0.0f;
        for (int k = c.substeps - 1; k >= 0; k--) {
            float vk = v0, wk = w0;
            for (int j = 0; j < k; j++) izh_sub_step(c, vk, wk, x);
            izh_sub_step_back(c, vk, wk, x, g_v, g_w, gx);
        }
        grad_x_seq[i] = gx;
        gv = g_v;
        gw = g_w;
    }
}
