package dev.spikestep.sweep;

import dev.spikestep.data.DatasetLocator;
import dev.spikestep.net.NetworkFactory;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.train.Checkpoints;
import dev.spikestep.train.EpochResult;
import dev.spikestep.train.TrainConfig;
import dev.spikestep.train.Trainer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The {@code train} experiment: one {@link Trainer} run per grid point (SPEC 5). */
public final class TrainRunner implements ExperimentRunner {
    /** Datasets are read once per sweep and shared, read-only, by every run. */
    private final Map<String, DatasetLocator.Split> datasets = new ConcurrentHashMap<>();

    @Override
    public String experiment() {
        return "train";
    }

    /** The training configuration of a grid point, validated. */
    public static TrainConfig config(RunPoint p, Context ctx) {
        return new TrainConfig(neuron(p), p.steps("T"), p.int32("epochs"), p.integer("seed"),
                Readout.parse(p.string("readout")), p.int32("batch"), p.number("lr"),
                PoissonEncoder.Method.parse(p.string("encoder")), p.int32("hidden"), p.string("dataset"),
                ctx.dataDir().toString(), ctx.runDir().toString(), ctx.backend(), ctx.threads(),
                p.int32("train_samples"), p.int32("eval_batches"));
    }

    static NeuronSpec neuron(RunPoint p) {
        return NeuronSpec.of(p.string("model"), Integrator.parse(p.string("integrator")), p.number("dt"),
                p.number("tau"), (float) p.number("v_th"), (float) p.number("v_reset"), p.bool("soft_reset"),
                p.bool("decay_input"), p.int32("substeps"));
    }

    @Override
    public void check(RunPoint p, Context ctx) {
        TrainConfig cfg = config(p, ctx);
        DatasetLocator.findDir(ctx.dataDir(), cfg.dataset());
        DatasetLocator.Split split = dataset(ctx, cfg.dataset()); // read once here, shared
        Trainer.shape(cfg, Trainer.trainingSet(cfg, split.train()));
        Trainer.checkEvalBatches(cfg.evalBatches(), cfg.batch(), split.test(), cfg.dataset()); // after the batch's own check
    }

    /**
     * The values a run may differ in from the other runs of its pack: the neuron's parameters (each
     * run has its own parameter block), seed, learning rate and encoder (its own table and seed).
     * Everything else (model, T, batch, hidden, readout, dataset, epochs, train_samples,
     * eval_batches and any other key) must be equal: it fixes the shapes and the sequence of steps.
     */
    static final java.util.Set<String> PER_RUN = java.util.Set.of("integrator", "dt", "substeps", "tau", "v_th", "v_reset",
            "soft_reset", "decay_input", "seed", "lr", "encoder");

    @Override
    public String packKey(RunPoint p) {
        Map<String, Object> key = new java.util.TreeMap<>(p.params());
        key.keySet().removeAll(PER_RUN);
        return key.toString();
    }

    @Override
    public Map<String, Object> run(RunPoint p, Context ctx) {
        return run(p, ctx, null);
    }

    /** The dataset, read once per sweep and shared. */
    DatasetLocator.Split dataset(Context ctx, String name) {
        return datasets.computeIfAbsent(ctx.dataDir().toAbsolutePath() + "|" + name,
                k -> DatasetLocator.load(ctx.dataDir(), name));
    }

    /** The run on {@code network}'s network ({@code --backend}'s when null): same rows either way. */
    @Override
    public Map<String, Object> run(RunPoint p, Context ctx, NetworkFactory network) {
        TrainConfig cfg = config(p, ctx);
        DatasetLocator.Split split = dataset(ctx, cfg.dataset());
        // A killed point continues from its last checkpoint. Packed runs step in lockstep from epoch 0,
        // so a pack's run starts over (its stale checkpoints cleared).
        Checkpoints checkpoints = new Checkpoints(ctx.checkpointDir(), 1);
        boolean resume = network == null;
        if (!resume) {
            checkpoints.clear();
        }
        List<EpochResult> epochs = new Trainer(cfg, ctx.log(), ctx.log(), false).onEpoch(ctx.epochSink())
                .network(network).runId(p.runId()).checkpoints(checkpoints, resume).run(split);
        EpochResult last = epochs.get(epochs.size() - 1);
        double seconds = epochs.stream().mapToDouble(EpochResult::seconds).sum();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("final_acc", last.testAcc());
        m.put("final_mean_spike_rate", last.spikeRate());
        m.put("final_silent_frac", last.silentFrac());
        m.put("final_active_frac", last.activeFrac());
        m.put("final_nonfinite", last.nonFinite());
        m.put("final_loss", last.loss());
        m.put("final_train_acc", last.trainAcc());
        m.put("seconds_per_epoch", seconds / epochs.size());
        return m;
    }
}
