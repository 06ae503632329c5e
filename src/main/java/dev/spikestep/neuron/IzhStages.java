package dev.spikestep.neuron;

/**
 * The Izhikevich step of SPEC 9 for the integrators and sub-step counts that the notebook's fused
 * loop ({@code NeuronKernels.izhForward}) does not cover: {@code rk2}, {@code rk4}, and K > 1 for
 * every integrator. Forward: K sub-steps of length dt/K with x held, each by the integrator's own
 * rule; backward: the exact derivative of that map, stage by stage, from the state before the step
 * (which the caller keeps: v from the stored h and spike, w from {@code w_seq}, x from
 * {@code x_seq}). {@code kernels/neuron.cu}'s {@code izh_sub_step} and {@code izh_backward_stages_kernel}
 * do the same float operations in the same order.
 *
 * <p>Not thread-safe: one instance per range of neurons (it keeps per-step scratch).
 */
final class IzhStages {
    final Integrator integrator;
    final int substeps;
    final float dt;      // dt/K, the sub-step length
    final float dtHalf;  // dt/(2K)
    final float dtSixth; // dt/(6K)
    final float tau;
    final float tauW;
    final float a0;
    final float vC;
    final float vRest;
    final float a;
    final float exactInvTau;  // NeuronKernels.exactReciprocal(tau): nonzero where x/tau is x*exactInvTau bit for bit
    final float exactInvTauW; // the same for tau_w
    // derivatives of the right-hand side that do not depend on the state, in double, rounded once
    final float invTau;   // dfv/dx = -dfv/dw = 1/tau
    final float invTauW;  // -dfw/dw = 1/tau_w
    final float aTauW;    // dfw/dv = a/tau_w
    final float a0Tau;    // dfv/dv = a0/tau * ((v - v_c) + (v - v_rest))
    private final float dvdx;     // euler/symplectic sub-step: dt/(K tau)
    private final float dwdv;     // dt*a/(K tau_w)
    private final float dwdw;     // 1 - dt/(K tau_w)
    private final float quad;     // dt*a0/(K tau)
    private final float[] subV;   // [K] state at the start of each sub-step of the current step
    private final float[] subW;
    private final float[] st = new float[2];
    private final float[] stages = new float[11]; // rk4 stages (rk4Stages)
    private final float[] gy = new float[2]; // stageBack's dL/d(v_s, w_s)

    IzhStages(IzhSpec p) {
        integrator = p.integrator();
        substeps = p.substeps();
        double h = p.dt() / p.substeps();
        dt = (float) h;
        dtHalf = (float) (h / 2);
        dtSixth = (float) (h / 6);
        tau = (float) p.tau();
        tauW = (float) p.tauW();
        a0 = p.a0();
        vC = p.vC();
        vRest = p.vRest();
        a = p.a();
        exactInvTau = NeuronKernels.exactReciprocal(tau);
        exactInvTauW = NeuronKernels.exactReciprocal(tauW);
        invTau = (float) (1 / p.tau());
        invTauW = (float) (1 / p.tauW());
        aTauW = (float) (p.a() / p.tauW());
        a0Tau = (float) (p.a0() / p.tau());
        dvdx = (float) (h / p.tau());
        dwdv = (float) (h * p.a() / p.tauW());
        dwdw = (float) (1 - h / p.tauW());
        quad = (float) (h * p.a0() / p.tau());
        subV = new float[substeps];
        subW = new float[substeps];
    }

    /** Whether a spec needs this class (and the state-keeping backward) rather than the fused loop. */
    static boolean needed(IzhSpec p) {
        return p.substeps() > 1 || p.integrator() == Integrator.RK2 || p.integrator() == Integrator.RK4;
    }

    private float fv(float v, float w, float x) {
        return (x + a0 * (v - vRest) * (v - vC) - w) / tau;
    }

    private float fw(float v, float w) {
        return (a * (v - vRest) - w) / tauW;
    }

    /** One sub-step of {@code s = {v, w}} in place. */
    void subStep(float[] s, float x) {
        float v = s[0];
        float w = s[1];
        switch (integrator) {
            case EULER -> {
                float h = v + dt * (x + a0 * (v - vRest) * (v - vC) - w) / tau;
                s[1] = w + dt * (a * (h - vRest) - w) / tauW;
                s[0] = h;
            }
            case SYMPLECTIC -> {
                float w1 = w + dt * (a * (v - vRest) - w) / tauW;
                s[0] = v + dt * (x + a0 * (v - vRest) * (v - vC) - w1) / tau;
                s[1] = w1;
            }
            case RK2 -> {
                float k1v = fv(v, w, x);
                float k1w = fw(v, w);
                float v2 = v + dt * k1v;
                float w2 = w + dt * k1w;
                float k2v = fv(v2, w2, x);
                float k2w = fw(v2, w2);
                s[0] = v + dtHalf * (k1v + k2v);
                s[1] = w + dtHalf * (k1w + k2w);
            }
            default -> {
                rk4Stages(v, w, x, stages);
                float[] q = stages;
                s[0] = v + dtSixth * (q[0] + 2f * q[2] + 2f * q[4] + q[6]);
                s[1] = w + dtSixth * (q[1] + 2f * q[3] + 2f * q[5] + q[7]);
            }
        }
    }

    /** The whole step: K sub-steps; on return {@code s = {h, w1}} (before fire, reset and w += b*s). */
    void step(float[] s, float x) {
        for (int k = 0; k < substeps; k++) {
            subStep(s, x);
        }
    }

    /**
     * Backward of one step: given dL/dh and dL/dw1 of its result and its state before
     * ({@code v0, w0}) and input x, writes {@code g = {dL/dv0, dL/dw0, dL/dx}}.
     */
    void backStep(float v0, float w0, float x, float gh, float gw1, float[] g) {
        st[0] = v0;
        st[1] = w0;
        for (int k = 0; k < substeps; k++) {
            subV[k] = st[0];
            subW[k] = st[1];
            subStep(st, x);
        }
        float gv = gh;
        float gw = gw1;
        float gx = 0f;
        for (int k = substeps - 1; k >= 0; k--) {
            float v = subV[k];
            float w = subW[k];
            switch (integrator) {
                case EULER -> {
                    // h = charge(v, w); w1 = adapt(h, w): w1 adds to h's gradient
                    float ghT = gv + gw * dwdv;
                    gx += ghT * dvdx;
                    gv = ghT * (1f + quad * ((v - vC) + (v - vRest)));
                    gw = gw * dwdw - ghT * dvdx;
                }
                case SYMPLECTIC -> {
                    // w1 = adapt(v, w); h = charge(v, w1)
                    float gwT = gw - gv * dvdx;
                    gx += gv * dvdx;
                    gv = gv * (1f + quad * ((v - vC) + (v - vRest))) + gwT * dwdv;
                    gw = gwT * dwdw;
                }
                case RK2 -> {
                    // y' = y + dt/2*(k1 + k2), k2 = f(y + dt*k1), k1 = f(y); the Jacobian needs only v of each stage
                    float v2 = v + dt * fv(v, w, x);
                    float g1v = dtHalf * gv;
                    float g1w = dtHalf * gw;
                    gx += stageBack(v2, g1v, g1w);
                    float syv = gv + gy[0];
                    float syw = gw + gy[1];
                    g1v += dt * gy[0];
                    g1w += dt * gy[1];
                    gx += stageBack(v, g1v, g1w);
                    gv = syv + gy[0];
                    gw = syw + gy[1];
                }
                default -> {
                    // y' = y + dt/6*(k1 + 2 k2 + 2 k3 + k4); stage i reads y + c_i*dt*k_(i-1)
                    rk4Stages(v, w, x, stages);
                    float g1v = dtSixth * gv;
                    float g1w = dtSixth * gw;
                    float g2v = 2f * g1v;
                    float g2w = 2f * g1w;
                    float g3v = g2v;
                    float g3w = g2w;
                    float syv = gv;
                    float syw = gw;
                    gx += stageBack(stages[10], g1v, g1w); // k4 = f(y + dt*k3)
                    syv += gy[0];
                    syw += gy[1];
                    g3v += dt * gy[0];
                    g3w += dt * gy[1];
                    gx += stageBack(stages[9], g3v, g3w);  // k3 = f(y + dt/2*k2)
                    syv += gy[0];
                    syw += gy[1];
                    g2v += dtHalf * gy[0];
                    g2w += dtHalf * gy[1];
                    gx += stageBack(stages[8], g2v, g2w);  // k2 = f(y + dt/2*k1)
                    syv += gy[0];
                    syw += gy[1];
                    g1v += dtHalf * gy[0];
                    g1w += dtHalf * gy[1];
                    gx += stageBack(v, g1v, g1w);     // k1 = f(y)
                    gv = syv + gy[0];
                    gw = syw + gy[1];
                }
            }
        }
        g[0] = gv;
        g[1] = gw;
        g[2] = gx;
    }

    /**
     * Backward through one stage {@code k = f(v_s, w_s)}, given dL/dk: leaves dL/d(v_s, w_s) in
     * {@code gy} and returns the stage's dL/dx.
     */
    private float stageBack(float vs, float gkv, float gkw) {
        gy[0] = gkv * (a0Tau * ((vs - vC) + (vs - vRest))) + gkw * aTauW;
        gy[1] = -gkv * invTau - gkw * invTauW;
        return gkv * invTau;
    }

    /** rk4's stages from (v, w): {@code k = {k1v, k1w, k2v, k2w, k3v, k3w, k4v, k4w, v2, v3, v4}}. */
    private void rk4Stages(float v, float w, float x, float[] k) {
        k[0] = fv(v, w, x);
        k[1] = fw(v, w);
        float v2 = v + dtHalf * k[0];
        float w2 = w + dtHalf * k[1];
        k[2] = fv(v2, w2, x);
        k[3] = fw(v2, w2);
        float v3 = v + dtHalf * k[2];
        float w3 = w + dtHalf * k[3];
        k[4] = fv(v3, w3, x);
        k[5] = fw(v3, w3);
        float v4 = v + dt * k[4];
        float w4 = w + dt * k[5];
        k[6] = fv(v4, w4, x);
        k[7] = fw(v4, w4);
        k[8] = v2;
        k[9] = v3;
        k[10] = v4;
    }
}
