// lif.cuh: the LIF charge step (SPEC 2) and the slots of the per-run float parameter block, shared by
// neuron.cu (the surrogate-gradient network) and rstdp.cu (the R-STDP output layer), so that both
// compute exactly NeuronKernels.LifConst.charge. The block is written by cuda/NeuronParams.java.
#pragma once

#define NEURON_PARAMS 24
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
// LIF charge forms (NeuronKernels.LifConst)
#define EULER_DECAY 0
#define EULER_NODECAY 1
#define EXP_DECAY 2
#define EXP_NODECAY 3
#define ZOH_NODECAY 4

// Charge, with the SPEC's order of operations (no FMA: built with -fmad=false / -ffp-contract=off).
__device__ __forceinline__ float lif_charge(int form, float v, float x, float dt, float tau, float vr, float e,
                                            float ome) {
    switch (form) {
        case EULER_DECAY: return v + dt * (x - (v - vr)) / tau;
        case EULER_NODECAY: return v - dt * (v - vr) / tau + dt * x;
        case EXP_DECAY: return v * e + (vr + x) * ome;
        case EXP_NODECAY: return vr + (v - vr) * e + x * ome;
        default: return vr + (v - vr) * e + x * tau * ome;
    }
}
