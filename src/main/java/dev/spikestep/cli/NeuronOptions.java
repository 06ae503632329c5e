package dev.spikestep.cli;

import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.NeuronSpec;
import picocli.CommandLine.Option;

/** Neuron options shared by {@code train} and {@code trace}; defaults are the notebook's values. */
public final class NeuronOptions {
    @Option(names = "--integrator", paramLabel = "NAME",
            description = "lif: euler | exp | zoh (default exp); izh: euler | symplectic (default symplectic).")
    String integrator;

    // 5, the notebook's dt of its best runs (SPEC 8: lif/exp 97%): at dt 1 and T 50 the default LIF
    // receives too little input to spike and learns nothing.
    @Option(names = "--dt", paramLabel = "DT", defaultValue = "5.0",
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
        return NeuronSpec.of(model, integrator == null ? null : Integrator.parse(integrator), dt, tau, vTh, vReset,
                softReset, decayInput);
    }
}
