package dev.spikestep.neuron;

import dev.spikestep.SpikestepException;

/**
 * Leaky integrate-and-fire neuron of SPEC section 2.
 *
 * @param softReset when true the reset subtracts {@code vTh} and {@code vReset} is ignored (it
 *     counts as 0 in the charge formulas, as in spikingjelly with {@code v_reset=None})
 */
public record LifSpec(Integrator integrator, double dt, double tau, float vTh, float vReset,
                      boolean softReset, boolean decayInput) implements NeuronSpec {
    public LifSpec {
        if (integrator != Integrator.EULER && integrator != Integrator.EXP && integrator != Integrator.ZOH) {
            throw new SpikestepException("integrator '" + integrator.cliName()
                    + "' is not defined for lif: use euler, exp or zoh");
        }
        NeuronSpec.requireFinitePositive("dt", dt);
        NeuronSpec.requireFinitePositive("tau", tau);
        NeuronSpec.requireFinite("v_th", vTh);
        NeuronSpec.requireFinite("v_reset", vReset);
        if (softReset) {
            vReset = 0f;
        }
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
                + ", decay_input " + decayInput;
    }

    @Override
    public float vInit() {
        return vReset;
    }

    @Override
    public LifSpec withDt(double newDt) {
        return new LifSpec(integrator, newDt, tau, vTh, vReset, softReset, decayInput);
    }
}
