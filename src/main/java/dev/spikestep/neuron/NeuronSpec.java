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

    /**
     * The neuron of {@code model} ({@code lif} or {@code izh}) from the options a user sets, the
     * rest the notebook's; {@code integrator} null means the model's default ({@code exp},
     * {@code symplectic}). {@code decayInput} is lif's only. The command line, the sweeps and the
     * checkpoints all build their neurons here.
     */
    static NeuronSpec of(String model, Integrator integrator, double dt, double tau, float vTh, float vReset,
                         boolean softReset, boolean decayInput) {
        switch (model) {
            case "lif" -> {
                return new LifSpec(integrator == null ? Integrator.EXP : integrator, dt, tau, vTh, vReset, softReset,
                        decayInput);
            }
            case "izh" -> {
                Integrator integ = integrator == null ? Integrator.SYMPLECTIC : integrator;
                IzhSpec n = IzhSpec.notebook(integ, dt);
                return new IzhSpec(integ, dt, tau, n.vC(), n.a0(), vTh, vReset, n.vRest(), n.wRest(), n.tauW(),
                        n.a(), n.b(), softReset);
            }
            default -> throw new dev.spikestep.SpikestepException("unknown model '" + model + "': expected lif or izh");
        }
    }

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
