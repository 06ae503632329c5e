package dev.spikestep.neuron;

/**
 * Leaky integrate-and-fire neuron of SPEC section 2 (integrators euler, exp, zoh) and section 9
 * (rk2, rk4, and K sub-steps for every integrator).
 *
 * @param softReset when true the reset subtracts {@code vTh} and {@code vReset} is ignored (it
 *     counts as 0 in the charge formulas, as in spikingjelly with {@code v_reset=None})
 * @param substeps K charges of length dt/K per step with the input held (SPEC 9); 1 = SPEC 2
 */
public record LifSpec(Integrator integrator, double dt, double tau, float vTh, float vReset,
                      boolean softReset, boolean decayInput, int substeps) implements NeuronSpec {
    public LifSpec {
        integrator.requireDefinedFor("lif");
        NeuronSpec.requireFinitePositive("dt", dt);
        NeuronSpec.requireFinitePositive("tau", tau);
        NeuronSpec.requireFinite("v_th", vTh);
        NeuronSpec.requireFinite("v_reset", vReset);
        NeuronSpec.requireSubsteps(substeps);
        NeuronSpec.requireNormalRatio(dt, "tau", tau, substeps);
        NeuronSpec.requireResetBelowThreshold(vTh, vReset, softReset);
        if (softReset) {
            vReset = 0f;
        }
    }

    /** One step per dt (K = 1), the notebook's integrators. */
    public LifSpec(Integrator integrator, double dt, double tau, float vTh, float vReset, boolean softReset,
                   boolean decayInput) {
        this(integrator, dt, tau, vTh, vReset, softReset, decayInput, 1);
    }

    /** The notebook's LIF: tau 2, v_th 1, v_reset 0 (hard), decay_input true. */
    public static LifSpec notebook(Integrator integrator, double dt) {
        return new LifSpec(integrator, dt, 2f, 1f, 0f, false, true);
    }

    @Override
    public String model() {
        return "lif";
    }

    @Override
    public String params() {
        return "tau " + tau + ", v_th " + vTh + ", " + (softReset ? "soft reset" : "v_reset " + vReset)
                + ", decay_input " + decayInput + (substeps > 1 ? ", substeps " + substeps : "");
    }

    @Override
    public float vInit() {
        return vReset;
    }

    @Override
    public LifSpec with(Integrator newIntegrator, double newDt, int k) {
        return new LifSpec(newIntegrator, newDt, tau, vTh, vReset, softReset, decayInput, k);
    }

    @Override
    public LifSpec withSubsteps(int k) {
        return with(integrator, dt, k);
    }

    /**
     * The exact derivatives {@code {dh/dv, dh/dx}} of one whole step (all K sub-steps), in double.
     * Every LIF integrator is affine in (v, x), so the surrogate BPTT needs only these two numbers;
     * the backends round them once to float. A sub-step is {@code v' = alpha*v + beta*x + const}, and
     * K of them compose to {@code alpha^K} and {@code beta*(1 + alpha + ... + alpha^(K-1))}.
     */
    public double[] stepDerivatives() {
        double h = dt / substeps; // sub-step length
        double e = Math.exp(-h / tau);
        double gain = decayInput ? 1.0 / tau : 1.0; // df/dx of SPEC 9's right-hand side
        double z = -h / tau;                       // h * df/dv
        double alpha;
        double beta;
        switch (integrator) {
            case EULER -> {
                alpha = 1 - h / tau;
                beta = decayInput ? h / tau : h;
            }
            case EXP -> {
                alpha = e;
                beta = 1.0 - e;
            }
            case ZOH -> {
                alpha = e;
                beta = decayInput ? 1.0 - e : tau * (1.0 - e);
            }
            case RK2 -> {
                alpha = 1 + z + z * z / 2;
                beta = h * gain * (1 + z / 2);
            }
            case RK4 -> {
                alpha = 1 + z + z * z / 2 + z * z * z / 6 + z * z * z * z / 24;
                beta = h * gain * (1 + z / 2 + z * z / 6 + z * z * z / 24);
            }
            default -> throw new IllegalStateException("validated by the constructor");
        }
        double a = 1;
        double sum = 0;
        for (int k = 0; k < substeps; k++) {
            sum += a;
            a *= alpha;
        }
        return new double[] {a, beta * sum};
    }
}
