package dev.spikestep.sweep;

import dev.spikestep.neuron.Integrator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys an experiment accepts in a sweep configuration ({@code base} and {@code axes}), and the
 * checks that involve more than one key. The two experiments are {@link #TRAIN} (surrogate-gradient
 * training, SPEC 5) and {@link #RSTDP} (SPEC 6); a schema exists for each even where this build has
 * no runner for it, so that every configuration can be validated.
 */
public final class ExperimentSchema {
    /** The {@code train} axis that sets model and integrator together, as {@code lif/exp}. */
    public static final String MODEL_INTEGRATOR = "model_integrator";
    /** Integrators each neuron model defines (SPEC 2, 3, 9). */
    static final Map<String, List<String>> INTEGRATORS = Map.of(
            "lif", Integrator.cliNames("lif"),
            "izh", Integrator.cliNames("izh"));

    public static final ExperimentSchema TRAIN = new ExperimentSchema("train", List.of(
            ParamSpec.choice("model", "lif", "neuron model", "lif", "izh"),
            ParamSpec.choice("integrator", null, "lif: euler|exp|zoh|rk2|rk4 (default exp); izh: euler|symplectic|rk2|rk4 "
                    + "(default symplectic)", "euler", "exp", "zoh", "symplectic", "rk2", "rk4"),
            // train's default: at dt 1 and T 50 the default LIF receives too little input to spike
            ParamSpec.positive("dt", 5.0, "integration time step"),
            ParamSpec.integer("substeps", 1, 1L, "charges of length dt/K per step, one fire and reset (SPEC 9)"),
            ParamSpec.integer("T", 1, 50L, "time steps per sample"),
            ParamSpec.integer("epochs", 1, 10L, "training epochs"),
            ParamSpec.integer("seed", 0, 0L, "weights, shuffling, encoder"),
            ParamSpec.choice("readout", "max", "logits from the outputs over time", "last", "max", "mean", "sum"),
            ParamSpec.integer("batch", 1, 128L, "batch size"),
            ParamSpec.positive("lr", 1e-3, "Adam learning rate"),
            ParamSpec.choice("encoder", "exact", "Poisson encoder", "exact", "approx", "bernoulli"),
            ParamSpec.integer("hidden", 1, 256L, "hidden neurons"),
            ParamSpec.choice("dataset", "mnist", "dataset under --data", "mnist", "mnist-sample", "fashion"),
            ParamSpec.integer("train_samples", 0, 0L, "train on the first N samples only, 0 = all"),
            ParamSpec.integer("eval_batches", 0, 0L, "evaluate on the first N test batches only, 0 = all"),
            ParamSpec.bool("decay_input", true, "lif: leak the input with the potential"),
            ParamSpec.number("v_th", 1.0, "firing threshold"),
            ParamSpec.number("v_reset", 0.0, "potential after a spike (hard reset)"),
            ParamSpec.bool("soft_reset", false, "subtract v_th instead of resetting"),
            ParamSpec.positive("tau", 2.0, "membrane time constant")));

    /** The evaluation keys of {@link #TRANSFER}; {@code trained} (or 0) means the value the network was trained with. */
    public static final List<String> EVAL_KEYS = List.of("eval_integrator", "eval_substeps", "eval_dt", "eval_T",
            "eval_readout");

    /**
     * {@code transfer}: each point trains (once per distinct training, shared by the points that
     * differ only in their eval keys) and evaluates the trained network under its eval keys.
     */
    public static final ExperimentSchema TRANSFER = new ExperimentSchema("transfer", concat(TRAIN.params().values(), List.of(
            ParamSpec.choice("eval_integrator", "trained", "integrator of the evaluation (trained = as trained)",
                    "trained", "euler", "exp", "zoh", "symplectic", "rk2", "rk4"),
            ParamSpec.integer("eval_substeps", 0, 0L, "sub-steps of the evaluation (SPEC 9), 0 = as trained"),
            new ParamSpec("eval_dt", ParamSpec.Kind.FLOAT, List.of(), 0, false, 0.0, "dt of the evaluation, 0 = as trained"),
            ParamSpec.integer("eval_T", 0, 0L, "time steps of the evaluation, 0 = as trained"),
            ParamSpec.choice("eval_readout", "trained", "readout of the evaluation (trained = as trained)",
                    "trained", "last", "max", "mean", "sum"))));

    private static List<ParamSpec> concat(java.util.Collection<ParamSpec> a, List<ParamSpec> b) {
        List<ParamSpec> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    public static final ExperimentSchema RSTDP = new ExperimentSchema("rstdp", List.of(
            ParamSpec.choice("integrator", "euler", "LIF integrator of both layers", "euler", "exp", "zoh", "rk2", "rk4"),
            ParamSpec.positive("dt", null, "integration time step (required)"),
            ParamSpec.integer("substeps", 1, 1L, "charges of length dt/K per step, one fire and reset (SPEC 9)"),
            ParamSpec.integer("T", 1, 200L, "time steps per sample"),
            ParamSpec.integer("epochs", 1, 5L, "epochs"),
            ParamSpec.integer("seed", 0, 0L, "weights, shuffling, encoder"),
            new ParamSpec("lr", ParamSpec.Kind.FLOAT, List.of(), 0, false, 0.05, "R-STDP learning rate (0: no updates)"),
            ParamSpec.choice("reward", "pm1", "reward rule (SPEC 6)", "pm1", "onehot"),
            new ParamSpec("teach", ParamSpec.Kind.FLOAT, List.of(), 0, false, 1.0, "teacher current"),
            new ParamSpec("teach_decay", ParamSpec.Kind.FLOAT, List.of(), 0, false, 0.95, "teacher current factor per epoch"),
            ParamSpec.integer("max_train_batches", 0, 1000L, "training batches per epoch, 0 = all"),
            ParamSpec.integer("max_test_batches", 0, 50L, "test batches per epoch, 0 = all"),
            ParamSpec.integer("batch", 1, 64L, "training batch size"),
            ParamSpec.integer("test_batch", 1, 256L, "test batch size"),
            ParamSpec.choice("dataset", "mnist", "dataset under --data", "mnist", "mnist-sample", "fashion")));

    private final String name;
    private final Map<String, ParamSpec> params;

    private ExperimentSchema(String name, List<ParamSpec> specs) {
        this.name = name;
        Map<String, ParamSpec> m = new LinkedHashMap<>();
        for (ParamSpec p : specs) {
            m.put(p.key(), p);
        }
        this.params = Collections.unmodifiableMap(m);
    }

    /** The schema of {@code experiment}; the caller has checked the name against {@link #NAMES}. */
    public static ExperimentSchema of(String experiment) {
        return switch (experiment) {
            case "train" -> TRAIN;
            case "transfer" -> TRANSFER;
            default -> RSTDP;
        };
    }

    /** The experiments a configuration may name. */
    public static final List<String> NAMES = List.of("train", "rstdp", "transfer");

    public String name() {
        return name;
    }

    /** Every parameter, in the order rows and tables show them. */
    public Map<String, ParamSpec> params() {
        return params;
    }

    /** Keys allowed in {@code base} and {@code axes}. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>(params.keySet());
        if (this == TRAIN || this == TRANSFER) {
            keys.add(1, MODEL_INTEGRATOR);
        }
        return keys;
    }

    /**
     * Fills defaults that depend on other keys and checks the combination; returns null when the
     * point is valid, else why not (an invalid model/integrator pair, for example).
     */
    String resolve(Map<String, Object> p) {
        if (this != TRAIN && this != TRANSFER) {
            return null;
        }
        String model = (String) p.get("model");
        if (p.get("integrator") == null) {
            p.put("integrator", model.equals("lif") ? "exp" : "symplectic");
        }
        String integrator = (String) p.get("integrator");
        if (!INTEGRATORS.get(model).contains(integrator)) {
            return "integrator '" + integrator + "' is not defined for model " + model + " (" + model + " allows "
                    + String.join(", ", INTEGRATORS.get(model)) + ")";
        }
        Object evalInteg = p.get("eval_integrator");
        if (evalInteg != null && !evalInteg.equals("trained") && !INTEGRATORS.get(model).contains(evalInteg)) {
            return "eval_integrator '" + evalInteg + "' is not defined for model " + model + " (" + model + " allows "
                    + String.join(", ", INTEGRATORS.get(model)) + ")";
        }
        return null;
    }
}
