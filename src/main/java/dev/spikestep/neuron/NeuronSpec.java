package dev.spikestep.neuron;

/**
 * Everything a neuron kernel needs to step one population: the model, its integrator, dt and
 * parameters. Records validate themselves, so a kernel never sees an impossible combination.
 */
public sealed interface NeuronSpec permits LifSpec, IzhSpec {
    Integrator integrator();

    double dt();

    /**
     * Sub-steps K per step (SPEC 9): K charges of length dt/K with the step's input held, then one
     * fire and reset. K = 1 is sections 2-3 exactly.
     */
    int substeps();

    /** Short model name used on the command line and in results: {@code lif} or {@code izh}. */
    String model();

    /** Potential a neuron starts from and is reset to (0 under soft reset). */
    float vInit();

    /** Parameters in SPEC's notation, for start-up tables. */
    String params();

    /** Returns the same neuron with another dt (sweeps over dt reuse everything else). */
    NeuronSpec withDt(double dt);

    /** Upper bound of {@link #substeps()}: beyond it a smaller dt is the cheaper way to the same accuracy. */
    int MAX_SUBSTEPS = 64;

    static void requireSubsteps(int substeps) {
        if (substeps < 1 || substeps > MAX_SUBSTEPS) {
            throw new dev.spikestep.SpikestepException("substeps must be an integer in [1, " + MAX_SUBSTEPS
                    + "], got " + substeps);
        }
    }

    /** Returns the same neuron with K sub-steps per step. */
    NeuronSpec withSubsteps(int substeps);

    static void requireFinitePositive(String name, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new dev.spikestep.SpikestepException(name + " must be a finite number > 0, got " + value);
        }
    }

    static void requireFinite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new dev.spikestep.SpikestepException(name + " must be a finite number, got " + value);
        }
    }
}
