package dev.spikestep.neuron;

/**
 * Everything a neuron kernel needs to step one population: the model, its integrator, dt and
 * parameters. Records validate themselves, so a kernel never sees an impossible combination.
 */
public sealed interface NeuronSpec permits LifSpec, IzhSpec {
    Integrator integrator();

    double dt();

    /** Short model name used on the command line and in results: {@code lif} or {@code izh}. */
    String model();

    /** Potential a neuron starts from and is reset to (0 under soft reset). */
    float vInit();

    /** Parameters in SPEC's notation, for start-up tables. */
    String params();

    /** Returns the same neuron with another dt (sweeps over dt reuse everything else). */
    NeuronSpec withDt(double dt);

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
