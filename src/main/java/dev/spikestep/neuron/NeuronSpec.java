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

    /**
     * The same neuron (every parameter of the model) under another integrator, dt and K: a
     * transfer's evaluation, a converge run. The integrator must be defined for the model.
     */
    NeuronSpec with(Integrator integrator, double dt, int substeps);

    /** Upper bound of {@link #substeps()}: beyond it a smaller dt is the cheaper way to the same accuracy. */
    int MAX_SUBSTEPS = 64;

    static void requireSubsteps(int substeps) {
        requireSubsteps("substeps", substeps);
    }

    /** {@code substeps}, or transfer's {@code eval_substeps}, named by its key. */
    static void requireSubsteps(String key, int substeps) {
        if (substeps < 1 || substeps > MAX_SUBSTEPS) {
            throw new dev.spikestep.BadValueException(key, "must be an integer in [1, " + MAX_SUBSTEPS + "], got "
                    + substeps);
        }
    }

    /** Returns the same neuron with K sub-steps per step. */
    default NeuronSpec withSubsteps(int substeps) {
        return with(integrator(), dt(), substeps);
    }

    /**
     * The neuron of {@code model} ({@code lif} or {@code izh}) from the options a user sets, the
     * rest the notebook's; {@code integrator} null means the model's default ({@code exp},
     * {@code symplectic}). {@code decayInput} is lif's only. The command line, the sweeps and the
     * checkpoints all build their neurons here.
     */
    static NeuronSpec of(String model, Integrator integrator, double dt, double tau, float vTh, float vReset,
                         boolean softReset, boolean decayInput) {
        return of(model, integrator, dt, tau, vTh, vReset, softReset, decayInput, 1);
    }

    /** As {@link #of(String, Integrator, double, double, float, float, boolean, boolean)} with K sub-steps (SPEC 9). */
    static NeuronSpec of(String model, Integrator integrator, double dt, double tau, float vTh, float vReset,
                         boolean softReset, boolean decayInput, int substeps) {
        switch (model) {
            case "lif" -> {
                return new LifSpec(integrator == null ? Integrator.EXP : integrator, dt, tau, vTh, vReset, softReset,
                        decayInput, substeps);
            }
            case "izh" -> {
                Integrator integ = integrator == null ? Integrator.SYMPLECTIC : integrator;
                IzhSpec n = IzhSpec.notebook(integ, dt);
                return new IzhSpec(integ, dt, tau, n.vC(), n.a0(), vTh, vReset, n.vRest(), n.wRest(), n.tauW(),
                        n.a(), n.b(), softReset, substeps);
            }
            default -> throw unknownModel("model", model);
        }
    }

    /** The models: {@link #of}'s names. */
    java.util.List<String> MODELS = java.util.List.of("lif", "izh");

    /** {@code model} when it is one of {@link #MODELS}; else the error of {@link #unknownModel}. */
    static String checkModel(String key, String model) {
        if (!MODELS.contains(model)) {
            throw unknownModel(key, model);
        }
        return model;
    }

    /** An unknown model's error, named by the option or config key it came from ({@code --neuron 'foo': ...}). */
    static dev.spikestep.BadValueException unknownModel(String key, String model) {
        return new dev.spikestep.BadValueException(key, "'" + model + "': unknown model; expected lif or izh");
    }

    /**
     * {@code key} (dt, tau, span ...) must be finite and positive, also as the float32 the kernels use
     * (dt 1e39 would make dt/tau infinite there); named as its option or config key.
     */
    static void requireFinitePositive(String key, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new dev.spikestep.BadValueException(key, "must be a finite number > 0, got " + value);
        }
        if (!Float.isFinite((float) value)) {
            throw new dev.spikestep.BadValueException(key, "must be a finite float32 (below 3.4e38), got " + value);
        }
        if ((float) value < Float.MIN_NORMAL) { // dt 1e-300 is 0 there: nothing would ever charge
            throw new dev.spikestep.BadValueException(key, "must be at least 1.2e-38 (float32's smallest normal number, "
                    + "the kernels' precision), got " + value);
        }
    }

    /**
     * A sub-step's {@code dt / tau} as the kernels compute it in float32 must be a finite normal number: dt 1e30
     * over tau 1e-30 would make every state infinite (read as the integrator's divergence), dt 1e-20 over tau 1e20
     * every charge 0.
     */
    static void requireNormalRatio(double dt, String tauKey, double tau, int substeps) {
        float h = (float) dt / substeps; // a sub-step's length (SPEC 9)
        if (h < Float.MIN_NORMAL) {
            throw new dev.spikestep.BadValueException("dt", dt + " over " + substeps + " sub-steps is below float32's "
                    + "smallest normal number (the kernels' precision)");
        }
        float ratio = h / (float) tau;
        // the step the kernels divide: dt, or a sub-step dt/K (SPEC 9), named as such
        String step = substeps == 1 ? "dt " + dt : "a sub-step of dt " + dt + " / " + substeps + " sub-steps";
        String ratioName = substeps == 1 ? "dt / " + tauKey : "dt / K / " + tauKey;
        if (!Float.isFinite(ratio)) {
            throw new dev.spikestep.BadValueException(tauKey, tau + " is too small for " + step + ": " + ratioName
                    + " overflows float32 (the kernels' precision)");
        }
        if (ratio < Float.MIN_NORMAL) { // dt 1e-20 over tau 1e20: every charge is 0, the neuron never moves
            throw new dev.spikestep.BadValueException(tauKey, tau + " is too large for " + step + ": " + ratioName
                    + " is below float32's smallest normal number (the kernels' precision)"
                    + (substeps == 1 ? "" : "; fewer sub-steps or a larger dt"));
        }
    }

    static void requireFinite(String key, double value) {
        if (!Double.isFinite(value)) {
            throw new dev.spikestep.BadValueException(key, "must be a finite number, got " + value);
        }
    }

    /**
     * The reset must leave the neuron below its threshold: a LIF potential rests at v_reset and an
     * Izhikevich one restarts there after a spike, so v_reset >= v_th (or v_th <= 0 with a soft reset,
     * which subtracts it) would make every neuron fire at every step: a network that can neither learn
     * nor tell its integrators apart.
     */
    static void requireResetBelowThreshold(float vTh, float vReset, boolean softReset) {
        if (softReset && !(vTh > 0)) {
            throw new dev.spikestep.BadValueException("v_th", "must be > 0 with a soft reset (subtracting it would not "
                    + "bring a neuron that fired below it: it would fire at every step), got " + vTh);
        }
        if (!softReset && !(vReset < vTh)) {
            // named by v_reset, though either may be the value given: both values and both ways out are stated
            throw new dev.spikestep.BadValueException("v_reset", vReset + " must be below v_th " + vTh + " (at or above "
                    + "it every neuron would fire at every step): lower the reset or raise the threshold");
        }
    }
}
