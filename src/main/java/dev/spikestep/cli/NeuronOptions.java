package dev.spikestep.cli;

import dev.spikestep.SpikestepException;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.IzhSpec;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronSpec;
import picocli.CommandLine.Option;

/** Neuron options shared by {@code train} and {@code trace}; defaults are the notebook's values. */
public final class NeuronOptions {
    @Option(names = "--integrator", paramLabel = "NAME",
            description = "lif: euler | exp | zoh (default exp); izh: euler | symplectic (default symplectic).")
    String integrator;

    @Option(names = "--dt", paramLabel = "DT", defaultValue = "1.0",
            description = "Integration time step (default: ${DEFAULT-VALUE}). Also scales the Poisson encoder's rate.")
    double dt;

    @Option(names = "--decay-input", paramLabel = "BOOL", arity = "1", defaultValue = "true",
            description = "lif only: whether the input is leaked with the potential (SPEC 2; default: ${DEFAULT-VALUE}).")
    boolean decayInput;

    @Option(names = "--v-reset", paramLabel = "V", defaultValue = "0.0",
            description = "Potential after a spike, hard reset (default: ${DEFAULT-VALUE}).")
    float vReset;

    @Option(names = "--soft-reset", description = "Subtract v_th on a spike instead of resetting to v_reset.")
    boolean softReset;

    @Option(names = "--v-th", paramLabel = "V", defaultValue = "1.0", description = "Firing threshold (default: ${DEFAULT-VALUE}).")
    float vTh;

    @Option(names = "--tau", paramLabel = "TAU", defaultValue = "2.0", description = "Membrane time constant (default: ${DEFAULT-VALUE}).")
    double tau;

    /** Builds the validated spec for model {@code lif} or {@code izh}. */
    NeuronSpec build(String model) {
        return build(model, integrator);
    }

    /** As {@link #build(String)} with another integrator name (null = the model's default). */
    NeuronSpec build(String model, String integrator) {
        switch (model) {
            case "lif" -> {
                Integrator integ = integrator == null ? Integrator.EXP : Integrator.parse(integrator);
                return new LifSpec(integ, dt, tau, vTh, vReset, softReset, decayInput);
            }
            case "izh" -> {
                Integrator integ = integrator == null ? Integrator.SYMPLECTIC : Integrator.parse(integrator);
                IzhSpec n = IzhSpec.notebook(integ, dt);
                return new IzhSpec(integ, dt, tau, n.vC(), n.a0(), vTh, vReset, n.vRest(), n.wRest(), n.tauW(),
                        n.a(), n.b(), softReset);
            }
            default -> throw new SpikestepException("unknown model '" + model + "': expected lif or izh");
        }
    }
}
