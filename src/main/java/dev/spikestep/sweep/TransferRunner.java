package dev.spikestep.sweep;

import dev.spikestep.BadValueException;
import dev.spikestep.data.Dataset;
import dev.spikestep.data.DatasetLocator;
import dev.spikestep.io.Json;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.train.Checkpoints;
import dev.spikestep.train.EpochResult;
import dev.spikestep.train.Evaluator;
import dev.spikestep.train.TrainConfig;
import dev.spikestep.train.Trainer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code transfer} experiment: a grid of trained points crossed with a grid of evaluation
 * settings ({@link ExperimentSchema#EVAL_KEYS}). The points that share their training keys share
 * one trained network: the first to run trains it into {@code OUT/checkpoints/<train-run-id>}, the
 * others find it finished there (a killed training continues from its last epoch). Each point then
 * evaluates the last epoch's weights under its eval keys, with the training's test pass (the same
 * encoder seed), so an eval equal to the training reproduces the training's own test accuracy.
 */
public final class TransferRunner implements ExperimentRunner {
    private final TrainRunner train = new TrainRunner();
    /** One training at a time per trained network, however many points want it. */
    private final Map<String, Object> trainings = new ConcurrentHashMap<>();

    @Override
    public String experiment() {
        return "transfer";
    }

    @Override
    public void check(RunPoint p, Context ctx) {
        train.check(p, ctx);
        // 0 is "as trained"; the rest must be what the evaluation takes, named by the eval key
        if (p.integer("eval_T") != 0) {
            p.steps("eval_T");
        }
        if (p.int32("eval_substeps") != 0) {
            NeuronSpec.requireSubsteps("eval_substeps", p.int32("eval_substeps"));
        }
        TrainConfig cfg = TrainRunner.config(p, ctx);
        try {
            evalNeuron(p, cfg.neuron());
        } catch (BadValueException e) { // the evaluated neuron's values come from eval_dt and eval_substeps
            throw new BadValueException("eval_dt", p.number("eval_dt") + " (eval_substeps " + p.int32("eval_substeps")
                    + "; 0 = as trained) is refused for the evaluated neuron: its " + e.key() + " " + e.problem());
        }
        if (p.int32("eval_T") != 0) { // the evaluation's network: the trained one's shape at eval_T
            Dataset test = train.dataset(ctx, cfg.dataset()).test();
            String tooLarge = NetShape.tooLarge(test.pixels(), cfg.hidden(), p.int32("eval_T"), cfg.batch(), "eval_T");
            if (tooLarge != null) {
                throw new NetShape.TooLarge(tooLarge);
            }
        }
    }

    /** The trained neuron with the eval keys' integrator, sub-steps and dt. */
    static NeuronSpec evalNeuron(RunPoint p, NeuronSpec trained) {
        String integ = p.string("eval_integrator");
        double dt = p.number("eval_dt") > 0 ? p.number("eval_dt") : trained.dt();
        int k = p.int32("eval_substeps") > 0 ? p.int32("eval_substeps") : trained.substeps();
        Integrator i = integ.equals("trained") ? trained.integrator() : Integrator.parse(integ);
        return trained.with(i, dt, k);
    }

    @Override
    public Map<String, Object> run(RunPoint p, Context ctx) {
        TrainConfig cfg = TrainRunner.config(p, ctx);
        DatasetLocator.Split split = train.dataset(ctx, cfg.dataset());
        String trainId = Checkpoints.runId(cfg);
        Path dir = ctx.checkpointDir().resolveSibling(trainId);
        List<EpochResult> history;
        synchronized (trainings.computeIfAbsent(trainId, k -> new Object())) {
            ctx.log().println("training " + trainId + " (shared by the points that differ only in eval keys)");
            history = new Trainer(cfg, ctx.log(), ctx.log(), false).onEpoch(ctx.epochSink()).runId(trainId)
                    .checkpoints(new Checkpoints(dir, 1), true).run(split);
        }
        EpochResult last = history.get(history.size() - 1);
        Evaluator.Weights w = Evaluator.read(new Checkpoints(dir, 1).weightsFile(last.epoch()));
        NeuronSpec neuron = evalNeuron(p, cfg.neuron());
        int T = p.int32("eval_T") > 0 ? p.int32("eval_T") : cfg.T();
        Readout readout = p.string("eval_readout").equals("trained") ? cfg.readout() : Readout.parse(p.string("eval_readout"));
        Evaluator.Settings s = new Evaluator.Settings(neuron, T, readout, cfg.encoder(), cfg.testEncoderSeed(last.epoch()),
                cfg.batch(), cfg.evalBatches(), ctx.backend(), ctx.threads());
        Trainer.Evaluation ev = Evaluator.evaluate(w, s, split.test());
        ctx.log().println(String.format(java.util.Locale.ROOT, "evaluated with %s/%s dt %s T %d %s: test accuracy %.2f%%, "
                        + "spike rate %.4f, non-finite %d (trained: %.2f%%)", neuron.model(), neuron.integrator().cliName(),
                Json.exact(neuron.dt()), T, readout.cliName(), ev.accuracy(), ev.spikeRate(), ev.nonFinite(),
                last.testAcc()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("final_acc", ev.accuracy());
        m.put("final_mean_spike_rate", ev.spikeRate());
        m.put("final_silent_frac", 1 - ev.spikeRate());
        m.put("final_nonfinite", ev.nonFinite());
        m.put("used_integrator", neuron.integrator().cliName());
        m.put("used_substeps", (long) neuron.substeps());
        m.put("used_dt", neuron.dt());
        m.put("used_T", (long) T);
        m.put("used_readout", readout.cliName());
        m.put("trained_acc", last.testAcc());
        m.put("trained_nonfinite", last.nonFinite());
        m.put("train_run_id", trainId);
        m.put("seconds_per_epoch", history.stream().mapToDouble(EpochResult::seconds).sum() / history.size());
        return m;
    }
}
