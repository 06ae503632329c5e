package dev.spikestep.sweep;

import dev.spikestep.data.DatasetLocator;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.rstdp.Reward;
import dev.spikestep.rstdp.RstdpConfig;
import dev.spikestep.rstdp.RstdpRunner;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The {@code rstdp} experiment (SPEC 6): one {@link RstdpRunner} run per grid point. */
public final class RstdpSweepRunner implements ExperimentRunner {
    /** Steps simulated at once: the R-STDP command's default; results do not depend on it. */
    private static final int TIME_CHUNK = 50;
    private static final int HIDDEN = 256;

    private final Map<String, DatasetLocator.Split> datasets = new ConcurrentHashMap<>();

    @Override
    public String experiment() {
        return "rstdp";
    }

    static RstdpConfig config(RunPoint p, Context ctx) {
        return new RstdpConfig(Integrator.parse(p.string("integrator")), p.number("dt"), p.steps("T"),
                p.int32("epochs"), p.integer("seed"), p.number("lr"), Reward.parse(p.string("reward")),
                p.number("teach"), p.number("teach_decay"), p.int32("max_train_batches"),
                p.int32("max_test_batches"), p.int32("batch"), p.int32("test_batch"), HIDDEN, TIME_CHUNK,
                p.string("dataset"), ctx.dataDir().toString(), ctx.runDir().toString(), ctx.backend(), ctx.threads(),
                p.int32("substeps"));
    }

    @Override
    public void check(RunPoint p, Context ctx) {
        RstdpConfig cfg = config(p, ctx);
        DatasetLocator.findDir(ctx.dataDir(), cfg.dataset());
        RstdpRunner.checkBatch(cfg, dataset(ctx, cfg.dataset()).train()); // read once here, shared by the runs
    }

    /** The dataset, read once per sweep and shared. */
    private DatasetLocator.Split dataset(Context ctx, String name) {
        return datasets.computeIfAbsent(ctx.dataDir().toAbsolutePath() + "|" + name,
                k -> DatasetLocator.load(ctx.dataDir(), name));
    }

    @Override
    public Map<String, Object> run(RunPoint p, Context ctx) {
        RstdpConfig cfg = config(p, ctx);
        DatasetLocator.Split split = dataset(ctx, cfg.dataset());
        RstdpRunner.Result r = new RstdpRunner(cfg, ctx.log(), ctx.log(), false).onEpoch(ctx.epochSink())
                .checkpoints(new dev.spikestep.train.Checkpoints(ctx.checkpointDir(), 1), true).run(split); // a killed point continues
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("final_acc", r.finalTest().accuracy());
        // The hidden layer's rate, as for train runs, so the report's spike-rate chart compares alike.
        m.put("final_mean_spike_rate", r.finalTest().hiddenRate());
        m.put("final_silent_frac", 1 - r.finalTest().hiddenRate());
        m.put("final_O_mean_spike_rate", r.finalTest().outputRate());
        m.put("final_no_spike_out_frac", r.finalTest().noSpikeOut());
        m.put("seconds_per_epoch", r.epochs().stream().mapToDouble(RstdpRunner.Epoch::seconds).sum() / r.epochs().size());
        return m;
    }
}
