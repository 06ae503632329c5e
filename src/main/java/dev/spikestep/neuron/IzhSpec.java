package dev.spikestep.neuron;

/**
 * Izhikevich-type neuron of SPEC section 3 (the fork's IzhikevichNode; integrators euler and
 * symplectic) and section 9 (rk2, rk4, and K sub-steps for every integrator).
 *
 * @param substeps K sub-steps of length dt/K per step with the input held (SPEC 9); 1 = SPEC 3
 */
public record IzhSpec(Integrator integrator, double dt, double tau, float vC, float a0, float vTh,
                      float vReset, float vRest, float wRest, double tauW, float a, float b,
                      boolean softReset, int substeps) implements NeuronSpec {
    public IzhSpec {
        integrator.requireDefinedFor("izh");
        NeuronSpec.requireSubsteps(substeps);
        NeuronSpec.requireFinitePositive("dt", dt);
        NeuronSpec.requireFinitePositive("tau", tau);
        NeuronSpec.requireFinitePositive("tau_w", tauW);
        NeuronSpec.requireNormalRatio(dt, "tau", tau, substeps);
        NeuronSpec.requireNormalRatio(dt, "tau_w", tauW, substeps);
        String[] keys = {"v_c", "a0", "v_th", "v_reset", "v_rest", "w_rest", "a", "b"};
        float[] values = {vC, a0, vTh, vReset, vRest, wRest, a, b};
        for (int i = 0; i < keys.length; i++) {
            NeuronSpec.requireFinite(keys[i], values[i]);
        }
        NeuronSpec.requireResetBelowThreshold(vTh, vReset, softReset);
        if (softReset) {
            vReset = 0f;
        }
    }

    /** One step per dt (K = 1), the notebook's integrators. */
    public IzhSpec(Integrator integrator, double dt, double tau, float vC, float a0, float vTh, float vReset,
                   float vRest, float wRest, double tauW, float a, float b, boolean softReset) {
        this(integrator, dt, tau, vC, a0, vTh, vReset, vRest, wRest, tauW, a, b, softReset, 1);
    }

    /** The notebook's parameters: tau 2, v_c 0.8, a0 1, v_th 1, v_reset 0, v_rest -0.1, w_rest 0, tau_w 2, a 0.02, b 0.2. */
    public static IzhSpec notebook(Integrator integrator, double dt) {
        return new IzhSpec(integrator, dt, 2f, 0.8f, 1f, 1f, 0f, -0.1f, 0f, 2f, 0.02f, 0.2f, false);
    }

    @Override
    public String model() {
        return "izh";
    }

    @Override
    public String params() {
        return "tau " + tau + ", v_c " + vC + ", a0 " + a0 + ", v_th " + vTh + ", "
                + (softReset ? "soft reset" : "v_reset " + vReset) + ", v_rest " + vRest + ", w_rest " + wRest
                + ", tau_w " + tauW + ", a " + a + ", b " + b + (substeps > 1 ? ", substeps " + substeps : "");
    }

    @Override
    public float vInit() {
        return vReset;
    }

    @Override
    public IzhSpec with(Integrator newIntegrator, double newDt, int k) {
        return new IzhSpec(newIntegrator, newDt, tau, vC, a0, vTh, vReset, vRest, wRest, tauW, a, b, softReset, k);
    }

    @Override
    public IzhSpec withSubsteps(int k) {
        return with(integrator, dt, k);
    }
}
