package dev.spikestep.cli;

import dev.spikestep.BadValueException;
import dev.spikestep.SpikestepException;
import dev.spikestep.io.Json;
import dev.spikestep.net.Readout;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.train.Checkpoints;
import dev.spikestep.train.Meta;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/**
 * The dynamics a trained network is evaluated under ({@code eval}, the {@code transfer} study): each
 * option left out takes the checkpoint's value ({@code __metadata__}), and for a plain PyTorch
 * {@code state_dict} without it, the notebook's best setting (lif, exp, dt 5, T 50, max). Mixed
 * into any command that evaluates weights.
 */
public final class EvalOptions {
    /** The values of a file without Spikestep metadata. */
    static final Map<String, String> NOTEBOOK = Map.ofEntries(Map.entry("model", "lif"), Map.entry("integrator", "exp"),
            Map.entry("substeps", "1"),
            Map.entry("dt", "5"), Map.entry("T", "50"), Map.entry("readout", "max"), Map.entry("encoder", "exact"),
            Map.entry("tau", "2"), Map.entry("v_th", "1"), Map.entry("v_reset", "0"), Map.entry("soft_reset", "false"),
            Map.entry("decay_input", "true"));

    @Option(names = "--model", paramLabel = "lif|izh", description = "Neuron model (default: the checkpoint's).")
    String model;

    @Option(names = "--integrator", paramLabel = "NAME",
            description = "lif: euler | exp | zoh | rk2 | rk4; izh: euler | symplectic | rk2 | rk4 (default: the checkpoint's, "
                + "or the model's default "
                + "when --model changes it).")
    String integrator;

    @Option(names = "--substeps", paramLabel = "K", description = "Sub-steps per step, 1 to 64 (SPEC 9; default: the "
            + "checkpoint's).")
    Integer substeps;

    @Option(names = "--dt", paramLabel = "DT", description = "Integration time step; also scales the encoder's rate (default: the checkpoint's).")
    Double dt;

    @Option(names = "--T", paramLabel = "STEPS", description = "Time steps per sample (default: the checkpoint's).")
    Integer T;

    @Option(names = "--readout", paramLabel = "last|max|mean|sum", description = "Readout over time (default: the checkpoint's).")
    String readout;

    @Option(names = "--encoder", paramLabel = "exact|approx|bernoulli", description = "Poisson encoder (default: the checkpoint's).")
    String encoder;

    @Option(names = "--tau", paramLabel = "TAU", description = "Membrane time constant (default: the checkpoint's).")
    Double tau;

    @Option(names = "--v-th", paramLabel = "V", description = "Firing threshold (default: the checkpoint's).")
    Float vTh;

    @Option(names = "--v-reset", paramLabel = "V", description = "Reset potential (default: the checkpoint's).")
    Float vReset;

    // 0..1: --soft-reset alone is true, as train's flag; --soft-reset false overrides a checkpoint's soft reset.
    // Text, read by softReset(): as a Boolean picocli leaves a bad value ('yes') unmatched and says only that.
    @Option(names = "--soft-reset", paramLabel = "BOOL", arity = "0..1", fallbackValue = "true",
            description = "Soft reset; alone: true (default: the checkpoint's).")
    String softReset;

    /** --soft-reset as given: null when absent. */
    private Boolean softReset() {
        if (softReset == null) {
            return null;
        }
        return switch (softReset.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new dev.spikestep.BadValueException("soft_reset", "must be true or false (alone: true), got '"
                    + softReset + "'");
        };
    }

    @Option(names = "--decay-input", paramLabel = "BOOL", arity = "1", description = "lif: leak the input (default: the checkpoint's).")
    Boolean decayInput;

    @Option(names = "--seed", description = "Encoder seed of the test pass: seed + 10000 + epoch, as training's own test "
            + "pass (default: the checkpoint's seed and epoch, so unchanged dynamics reproduce its test accuracy).")
    Long seed;

    /** What a Spikestep checkpoint records and no default may stand in for (SPEC 10). */
    static final List<String> RECORDED = List.of("model", "dt", "T", "readout", "encoder", "tau", "v_th", "v_reset",
            "soft_reset", "seed");

    /** Whether {@code meta} is a Spikestep checkpoint's ({@code format spikestep-N}), not a plain state_dict's. */
    static boolean isSpikestep(Map<String, String> meta) {
        String f = meta.get("format");
        return f != null && f.startsWith("spikestep-");
    }

    /**
     * What the weights were trained with, as metadata keys. A plain state_dict (no metadata, or another
     * tool's such as {@code format pt}) gets the notebook's values under whatever keys it has; a Spikestep
     * checkpoint gets only the defaults of keys added after its format: {@code substeps 1} (before SPEC 9)
     * and {@code decay_input true} (izh files, which have no such parameter). The rest it must record.
     */
    static Map<String, String> trainedWith(Map<String, String> meta) {
        if (!isSpikestep(meta)) {
            Map<String, String> m = new LinkedHashMap<>(NOTEBOOK);
            m.putAll(meta);
            return m;
        }
        Map<String, String> m = new LinkedHashMap<>(meta);
        m.putIfAbsent("substeps", "1");
        m.putIfAbsent("decay_input", "true");
        return m;
    }

    /**
     * Refuses a checkpoint of an unknown Spikestep format, or evaluation settings without a key that the
     * checkpoint should have recorded and no option gave: a guess (the notebook's T 50 for a file trained
     * at T 8) would report a wrong accuracy as the trained one.
     */
    static void requireRecorded(Path file, Map<String, String> meta, Map<String, String> used) {
        if (!isSpikestep(meta)) {
            return;
        }
        if (!Checkpoints.FORMAT.equals(meta.get("format"))) {
            throw new SpikestepException(file + ": checkpoint format '" + meta.get("format") + "' is not one this "
                    + "version reads (" + Checkpoints.FORMAT + "); a newer Spikestep wrote it");
        }
        if (!meta.containsKey("epoch")) {
            throw new SpikestepException(file + ": its metadata has no epoch (a damaged or hand-edited checkpoint), "
                    + "so the encoder seed of its test pass (seed + 10000 + epoch) is not known");
        }
        List<String> missing = new java.util.ArrayList<>(RECORDED.stream().filter(k -> !used.containsKey(k)).toList());
        if (!used.containsKey("integrator") && java.util.Objects.equals(used.get("model"), meta.get("model"))) {
            missing.add(0, "integrator"); // the trained model's: no default stands in for it (another model's may)
        }
        if (!missing.isEmpty()) {
            throw new SpikestepException(file + ": its metadata has no " + String.join(", ", missing)
                    + " (a damaged or hand-edited checkpoint); give "
                    + missing.stream().map(BadValueException::option).collect(Collectors.joining(" "))
                    + " to evaluate it");
        }
    }

    /** The evaluation settings as metadata keys: the options given, the rest from {@code trained}. */
    Map<String, String> evaluatedWith(Map<String, String> trained) {
        Map<String, String> m = new LinkedHashMap<>(trained);
        if (model != null && !model.equals(trained.get("model"))) {
            m.put("model", model);
            m.remove("integrator"); // the other model's default unless --integrator says
        }
        put(m, "integrator", integrator);
        put(m, "substeps", substeps);
        put(m, "dt", dt);
        put(m, "T", T);
        put(m, "readout", readout);
        put(m, "encoder", encoder);
        put(m, "tau", tau);
        put(m, "v_th", vTh);
        put(m, "v_reset", vReset);
        put(m, "soft_reset", softReset());
        put(m, "decay_input", decayInput);
        put(m, "seed", seed);
        // An option the evaluated neuron would not use would be dropped without a word: refused, as train does.
        NeuronOptions.decayInputNeedsLif(decayInput != null, List.of(m.getOrDefault("model", "lif")));
        if (vReset != null && "true".equals(m.get("soft_reset"))) {
            throw new SpikestepException("--v-reset is the potential after a hard reset; with a soft reset (the "
                    + (softReset != null ? "--soft-reset given" : "checkpoint's") + ") a spike subtracts v_th instead, "
                    + "so give one or the other");
        }
        return m;
    }

    private static void put(Map<String, String> m, String key, Object value) {
        if (value != null) {
            // Floats as the metadata writes numbers (0, not 0.0), so that an unchanged value reads unchanged.
            m.put(key, value instanceof Double d ? Json.exact(d)
                    : value instanceof Float f ? Json.exact(Double.parseDouble(f.toString())) : value.toString());
        }
    }

    static Readout readout(Map<String, String> m) {
        return Readout.parse(m.get("readout"));
    }

    static PoissonEncoder.Method encoder(Map<String, String> m) {
        return PoissonEncoder.Method.parse(m.get("encoder"));
    }

    /** Training's test-pass encoder seed for the checkpoint's epoch: {@code seed + 10000 + epoch}. */
    static long encoderSeed(Map<String, String> m) {
        long epoch = Meta.longInteger(m, "epoch", "0");
        if (epoch < 0) {
            throw new SpikestepException("the checkpoint's epoch must be >= 0, got " + epoch + " (a damaged or "
                    + "hand-edited checkpoint)");
        }
        return dev.spikestep.rng.EncoderSeeds.test(Meta.longInteger(m, "seed", "0"), epoch);
    }
}
