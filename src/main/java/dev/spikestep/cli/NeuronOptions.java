package dev.spikestep.cli;

import dev.spikestep.SpikestepException;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.NeuronSpec;
import picocli.CommandLine.Option;

/**
 * Neuron options shared by {@code train}, {@code bench} and {@code trace}; defaults are the notebook's values.
 * {@code --integrator} and {@code --substeps} take one value in train and trace ({@link Single}) and lists in
 * bench ({@link Lists}): each command's help says what it takes.
 */
public abstract class NeuronOptions {
    static final String INTEGRATORS = "lif: euler | exp | zoh | rk2 | rk4 (default exp); izh: euler | symplectic | rk2 "
            + "| rk4 (default symplectic). rk2 (Heun) and rk4 are SPEC 9's, on the same right-hand side.";
    static final String SUBSTEPS = "Integrate each step as K charges of length dt/K with the step's input held, then "
            + "fire and reset once (SPEC 9)";

    /** The --integrator given (bench: its comma-separated list); null = the model's default (bench: all). */
    String integrator;

    /** The --substeps K (bench: its list). */
    java.util.List<Integer> substeps;

    /** train's and trace's: one integrator, one K. */
    static final class Single extends NeuronOptions {
        @Option(names = "--integrator", paramLabel = "NAME", description = INTEGRATORS)
        void integrator(String name) {
            integrator = name;
        }

        @Option(names = "--substeps", paramLabel = "K", defaultValue = "1",
                description = SUBSTEPS + "; in train the encoder and readout still see steps of dt. 1 to 64 (default: "
                    + "${DEFAULT-VALUE}).")
        void substeps(int k) {
            substeps = java.util.List.of(k);
        }
    }

    /** bench's: lists of integrators and of K, each timed. */
    static final class Lists extends NeuronOptions {
        @Option(names = {"--integrator", "--integrators"}, paramLabel = "LIST", description = INTEGRATORS
                + " A comma-separated list that filters every --model's integrators; bench times all of them when it "
                + "is left out.")
        void integrator(String list) {
            integrator = list;
        }

        @Option(names = "--substeps", paramLabel = "K", split = ",", defaultValue = "1",
                description = SUBSTEPS + "; the encoder and readout still see steps of dt. 1 to 64; a list (1,2,4) is "
                    + "timed K by K (default: ${DEFAULT-VALUE}).")
        void substeps(java.util.List<Integer> ks) {
            substeps = ks;
        }
    }

    /** The single K of commands that run one neuron (train, trace: {@link Single}). */
    int substeps() {
        return substeps.get(0);
    }

    // 5, the notebook's dt of its best runs (SPEC 8: lif/exp 97%): at dt 1 and T 50 the default LIF
    // receives too little input to spike and learns nothing.
    @Option(names = "--dt", paramLabel = "DT", defaultValue = "5.0",
            description = "Integration time step (default: ${DEFAULT-VALUE}). In train and bench it also scales the "
                + "Poisson encoder's rate.")
    double dt;

    // Boxed, null when not given: an option that the neuron would ignore is refused, not dropped.
    @Option(names = "--decay-input", paramLabel = "BOOL", arity = "1",
            description = "lif only: whether the input is leaked with the potential (SPEC 2; default: true).")
    Boolean decayInput;

    @Option(names = "--v-reset", paramLabel = "V",
            description = "Potential after a spike, hard reset; not with --soft-reset (default: 0.0).")
    Float vReset;

    @Option(names = "--soft-reset", description = "Subtract v_th on a spike instead of resetting to v_reset.")
    boolean softReset;

    @Option(names = "--v-th", paramLabel = "V", defaultValue = "1.0", description = "Firing threshold (default: ${DEFAULT-VALUE}).")
    float vTh;

    @Option(names = "--tau", paramLabel = "TAU", defaultValue = "2.0", description = "Membrane time constant (default: ${DEFAULT-VALUE}).")
    double tau;

    /** Builds the validated spec for model {@code lif} or {@code izh}, given by option {@code --key} (model, neuron). */
    NeuronSpec build(String key, String model) {
        NeuronSpec.checkModel(key, model);
        checkApplies(java.util.List.of(model));
        return build(model, integrator, substeps());
    }

    /** Refuses an option none of {@code models} would use (it would be dropped without a word). */
    void checkApplies(java.util.Collection<String> models) {
        if (softReset && vReset != null) {
            throw new SpikestepException("--v-reset is the potential after a hard reset; with --soft-reset a spike "
                    + "subtracts v_th instead, so give one or the other");
        }
        decayInputNeedsLif(decayInput != null, models);
    }

    /** A --decay-input given for {@code models} without lif would be dropped: refused (train, bench, converge). */
    static void decayInputNeedsLif(boolean given, java.util.Collection<String> models) {
        if (given && !models.contains("lif")) {
            throw new SpikestepException("--decay-input applies to lif only, not to " + String.join(", ", models));
        }
    }

    /** Model {@code model}'s neuron with integrator {@code integrator} (null = the model's default) and K sub-steps. */
    NeuronSpec build(String model, String integrator, int k) {
        return NeuronSpec.of(model, integrator == null ? null
                : Integrator.parse("integrator", integrator, java.util.List.of(model)), dt, tau, vTh,
                vReset == null ? 0f : vReset, softReset, decayInput == null || decayInput, k);
    }
}
