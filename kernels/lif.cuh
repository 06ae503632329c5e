// lif.cuh: the LIF charge step (SPEC 2) and the slots of the per-run float parameter block, shared by
// neuron.cu (the surrogate-gradient network) and rstdp.cu (the R-STDP output layer), so that both
// compute exactly NeuronKernels.LifConst.charge. The block is written by cuda/NeuronParams.java.
#pragma once

#define NEURON_PARAMS 32
// LIF slots
#define LIF_FORM 0
#define LIF_DT 1
#define LIF_TAU 2
#define LIF_V_RESET 3
#define LIF_E 4
#define LIF_ONE_MINUS_E 5
#define LIF_DHDV 6
#define LIF_DHDX 7
#define LIF_V_TH 8
#define LIF_SOFT 9
#define LIF_V_INIT 10
#define LIF_SUBSTEPS 11   // SPEC 9: K; LIF_DT and LIF_E are then those of one sub-step (dt/K)
#define LIF_DT_HALF 12    // dt/(2K) and dt/(6K), in double on the host, rounded once (rk2, rk4)
#define LIF_DT_SIXTH 13
// LIF charge forms (NeuronKernels.LifConst)
#define EULER_DECAY 0
#define EULER_NODECAY 1
#define EXP_DECAY 2
#define EXP_NODECAY 3
#define ZOH_NODECAY 4
#define RK2_DECAY 5
#define RK2_NODECAY 6
#define RK4_DECAY 7
#define RK4_NODECAY 8

// SPEC 9's right-hand side f(v) with x held; -(v - vr)/tau + x written as x minus.
__device__ __forceinline__ float lif_rhs(int form, float v, float x, float tau, float vr) {
    return form == RK2_DECAY || form == RK4_DECAY ? (x - (v - vr)) / tau : x - (v - vr) / tau;
}

// Charge, with the SPEC's order of operations (no FMA: built with -fmad=false / -ffp-contract=off).
__device__ __forceinline__ float lif_charge(int form, float v, float x, float dt, float tau, float vr, float e,
                                            float ome, float dth, float dt6) {
    switch (form) {
        case EULER_DECAY: return v + dt * (x - (v - vr)) / tau;
        case EULER_NODECAY: return v - dt * (v - vr) / tau + dt * x;
        case EXP_DECAY: return v * e + (vr + x) * ome;
        case EXP_NODECAY: return vr + (v - vr) * e + x * ome;
        case ZOH_NODECAY: return vr + (v - vr) * e + x * tau * ome;
        case RK2_DECAY:
        case RK2_NODECAY: {
            float k1 = lif_rhs(form, v, x, tau, vr);
            float k2 = lif_rhs(form, v + dt * k1, x, tau, vr);
            return v + dth * (k1 + k2);
        }
        default: {
            float k1 = lif_rhs(form, v, x, tau, vr);
            float k2 = lif_rhs(form, v + dth * k1, x, tau, vr);
            float k3 = lif_rhs(form, v + dth * k2, x, tau, vr);
            float k4 = lif_rhs(form, v + dt * k3, x, tau, vr);
            return v + dt6 * (k1 + 2.0f * k2 + 2.0f * k3 + k4);
        }
    }
}

// The constants of the charge, read once from a run's block into registers.
struct LifCharge {
    int form, substeps;
    float dt, tau, vr, e, ome, dth, dt6;
};

__device__ __forceinline__ LifCharge lif_constants(const float* p) {
    LifCharge c;
    c.form = (int)p[LIF_FORM];
    c.substeps = (int)p[LIF_SUBSTEPS];
    c.dt = p[LIF_DT];
    c.tau = p[LIF_TAU];
    c.vr = p[LIF_V_RESET];
    c.e = p[LIF_E];
    c.ome = p[LIF_ONE_MINUS_E];
    c.dth = p[LIF_DT_HALF];
    c.dt6 = p[LIF_DT_SIXTH];
    return c;
}

// One whole step (SPEC 9): K charges of length dt/K with x held; K = 1 is SPEC 2's charge.
__device__ __forceinline__ float lif_step(const LifCharge& c, float v, float x) {
    float h = lif_charge(c.form, v, x, c.dt, c.tau, c.vr, c.e, c.ome, c.dth, c.dt6);
    for (int k = 1; k < c.substeps; k++) {
        h = lif_charge(c.form, h, x, c.dt, c.tau, c.vr, c.e, c.ome, c.dth, c.dt6);
    }
    return h;
}
