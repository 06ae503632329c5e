package dev.spikestep.cli;

import dev.spikestep.SpikestepException;
import dev.spikestep.data.Dataset;
import dev.spikestep.data.DatasetLocator;
import dev.spikestep.io.ResultsWriter;
import dev.spikestep.train.Checkpoints;
import dev.spikestep.train.Evaluator;
import dev.spikestep.train.Meta;
import dev.spikestep.train.Trainer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Evaluate a trained network, under its own dynamics or others (integrator, dt, T, readout, encoder).",
        description = {
            "Loads the weights of a checkpoint written by 'train' (OUT/checkpoints/RUN-ID/epoch-NNN.safetensors) or a "
                + "safetensors file saved from the notebook's PyTorch model (its state_dict: fc1.weight [hidden, 784], "
                + "fc_out.weight [10, hidden], float32) and runs the test set through it. Every dynamics option left out "
                + "takes the checkpoint's value; a plain state_dict gets the notebook's lif/exp, dt 5, T 50, max. With "
                + "the checkpoint's own settings the accuracy is that epoch's test accuracy. Prints the accuracy, the "
                + "hidden spike statistics and the count of non-finite states (a diverged integrator), and appends "
                + "them to OUT/eval.jsonl. Without --dataset it runs the test set of the dataset the checkpoint was "
                + "trained on (mnist for a plain state_dict).", ""},
        footer = {"", "Examples:",
            "  spikestep eval --weights results/checkpoints/RUN-ID/epoch-009.safetensors \\",
            "      --dataset mnist-sample --data data",
            "  spikestep eval --weights CKPT --integrator euler --dt 1 --T 100 \\",
            "      --dataset mnist-sample --data data"})
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--weights", paramLabel = "FILE", required = true,
            description = "A safetensors checkpoint of 'train', or a notebook state_dict saved as safetensors.")
    Path weights;

    @Mixin
    EvalOptions dynamics;

    @Option(names = "--batch", description = "Test batch size: only speed, unless --eval-batches picks the first N "
            + "batches (default: the checkpoint's batch when the first N batches are evaluated, N from --eval-batches "
            + "or the checkpoint's, so that they are the same samples; else 256).")
    Integer batch;

    @Option(names = "--eval-batches", paramLabel = "N",
            description = "Evaluate on the first N test batches only, 0 = all (default: the checkpoint's, so that its "
                + "own settings reproduce its test pass; 0 for a state_dict).")
    Integer evalBatches;

    @Mixin
    RunOptions run;

    @Mixin
    DeviceOption device;

    @Option(names = "--dataset", paramLabel = "mnist|mnist-sample|fashion",
            description = "Whose test set, under --data (default: the dataset the checkpoint was trained on; mnist for "
                + "a plain state_dict). Prepare it with 'spikestep data'.")
    String dataset;

    @Override
    public Integer call() {
        int threads = run.threadCount(); // an option mistake is said before the file is read
        Evaluator.Weights w = Evaluator.read(weights);
        Map<String, String> trained = EvalOptions.trainedWith(w.metadata());
        Map<String, String> used = dynamics.evaluatedWith(trained);
        EvalOptions.requireRecorded(weights, w.metadata(), used);
        // The samples of training's test pass: its first eval_batches x batch when it used a subset.
        if (evalBatches == null && EvalOptions.isSpikestep(w.metadata()) && !w.metadata().containsKey("eval_batches")) {
            throw new SpikestepException(weights + ": its metadata has no eval_batches (a damaged or hand-edited "
                    + "checkpoint); give --eval-batches to evaluate it");
        }
        Evaluator.Settings s;
        try {
            int nBatches = evalBatches != null ? evalBatches : Meta.integer(w.metadata(), "eval_batches", "0");
            int testBatch = batch != null ? batch
                    : nBatches > 0 && w.metadata().containsKey("batch") ? Meta.integer(w.metadata(), "batch", null) : 256;
            s = new Evaluator.Settings(Checkpoints.neuron(used), Meta.integer(used, "T", null),
                    EvalOptions.readout(used), EvalOptions.encoder(used), EvalOptions.encoderSeed(used), testBatch, nBatches,
                    run.backend, threads);
        } catch (SpikestepException e) {
            // a bad value may be the checkpoint's own (T 0 in its metadata reads as "--T ... got 0")
            throw w.metadata().isEmpty() ? e : new SpikestepException(e.getMessage()
                    + " (settings not given on the command line come from the metadata of " + weights + ")");
        }
        if (s.evalBatches() > 0 && batch == null && EvalOptions.isSpikestep(w.metadata())
                && !w.metadata().containsKey("batch")) {
            // its first eval_batches batches of another size would be other samples than training's test pass
            throw new SpikestepException(weights + ": its metadata has no batch (a damaged or hand-edited checkpoint), "
                    + "so its first " + s.evalBatches() + " test batches are unknown; give --batch, or --eval-batches 0 "
                    + "for the whole test set");
        }
        device.check(s.backend()); // auto resolved: --backend auto --device 1 runs on GPU 1 when there is one
        // Without --dataset: the test set of the dataset it was trained on (mnist for a plain state_dict).
        String trainedOn = trained.getOrDefault("dataset", "");
        String dataset;
        if (this.dataset != null || trainedOn.isEmpty()) {
            // the user's name: the usual unknown-dataset error
            dataset = DatasetLocator.checkName(this.dataset != null ? this.dataset : "mnist");
        } else {
            try {
                dataset = DatasetLocator.checkName(trainedOn);
            } catch (SpikestepException e) {
                throw new SpikestepException(weights + ": its metadata names the dataset '" + trainedOn + "', which is "
                        + "not one Spikestep knows; give --dataset", e);
            }
        }
        checkOut(run.out); // before the test pass, not after it
        Dataset test = DatasetLocator.loadTestFrom(DatasetOption.find(run.data, dataset, true), dataset);
        int testBatches = Trainer.testBatches(test, s.batch());
        if (evalBatches == null && s.evalBatches() > testBatches) {
            // the checkpoint's own eval_batches, past a smaller test set (another --dataset): all of it, said so
            System.out.println("note: the checkpoint's eval_batches " + s.evalBatches() + " is more than the "
                    + testBatches + " batches of " + s.batch() + " in the " + dataset
                    + " test set: all of its " + test.size() + " samples are evaluated");
            s = new Evaluator.Settings(s.neuron(), s.T(), s.readout(), s.encoder(), s.encoderSeed(), s.batch(), 0,
                    s.backend(), s.threads());
        }
        Trainer.checkEvalBatches(s.evalBatches(), s.batch(), test, dataset);
        Evaluator.Settings settings = s;
        System.out.println(String.format(Locale.ROOT, "eval %s (%d -> %d -> %d%s)", weights, w.nIn(), w.nHidden(), w.nOut(),
                EvalOptions.isSpikestep(w.metadata()) ? ""
                    : ", a state_dict without Spikestep metadata: the notebook's settings assumed where it has none"));
        System.out.println(String.format(Locale.ROOT, "%-12s | %-24s | %-24s", "", "trained with", "evaluated with"));
        for (String k : List.of("model", "integrator", "substeps", "dt", "T", "readout", "encoder", "tau", "v_th", "v_reset",
                "soft_reset", "decay_input", "seed")) {
            if (k.equals("decay_input") && !(s.neuron() instanceof dev.spikestep.neuron.LifSpec)) {
                continue; // lif's alone, as in eval.jsonl's row (putNeuron)
            }
            String a = trained.getOrDefault(k, k.equals("integrator") ? "(model default)" : "");
            // the seed a plain state_dict's test pass uses is 0's (EvalOptions.encoderSeed), the notebook's
            String b = used.getOrDefault(k, k.equals("integrator") ? s.neuron().integrator().cliName()
                    : k.equals("seed") ? "0" : "");
            // unknown (a plain state_dict's seed) is no change
            System.out.println(String.format(Locale.ROOT, "%-12s | %-24s | %-24s%s", k, a, b,
                    a.isEmpty() || a.equals(b) ? "" : "  *"));
        }
        // a --dataset other than training's is marked, as a changed dynamics option is
        // a plain state_dict is taken for the notebook's, trained on mnist: another dataset is a change there too
        String assumed = trainedOn.isEmpty() ? "mnist" : trainedOn;
        System.out.println(String.format(Locale.ROOT, "%-12s | %-24s | %-24s%s", "dataset",
                trainedOn.isEmpty() ? "(mnist)" : trainedOn, dataset, assumed.equals(dataset) ? "" : "  *"));
        // numbers, as dt and T are in the row (the metadata holds strings); a malformed one that an option overrode
        // is kept as written rather than failing the row after the test pass
        Object trainedDt = numberOrAsWritten(trained.get("dt"), false);
        Object trainedT = numberOrAsWritten(trained.get("T"), true);
        long badWeights = w.nonFinite();
        if (badWeights > 0) { // non-finite states would otherwise read as this integrator's divergence
            System.err.println(String.format(Locale.ROOT, "warning: %d of the %d weights in %s are NaN or infinite (the "
                    + "training that wrote them diverged): the results below are those of a broken network, whatever "
                    + "the dynamics", badWeights, w.w1().length + w.wOut().length, weights));
        }
        long t0 = System.nanoTime();
        Trainer.Evaluation ev = device.run(s.backend(), () -> Evaluator.evaluate(w, settings, test));
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("weights", weights.toString());
        row.put("trained_model", trained.get("model"));
        row.put("trained_integrator", trained.getOrDefault("integrator", ""));
        row.put("trained_dt", trainedDt);
        row.put("trained_T", trainedT);
        row.put("model", s.neuron().model());
        row.put("integrator", s.neuron().integrator().cliName());
        row.put("substeps", s.neuron().substeps());
        row.put("dt", s.neuron().dt());
        row.put("T", s.T());
        row.put("readout", s.readout().cliName());
        row.put("encoder", s.encoder().cliName());
        putNeuron(row, s.neuron());
        row.put("encoder_seed", s.encoderSeed());
        row.put("batch", s.batch());
        row.put("eval_batches", s.evalBatches());
        row.put("dataset", dataset); // the name, as train's rows record it (the split is always the test set)
        row.put("test_acc", ev.accuracy());
        row.put("mean_spike_rate", ev.spikeRate());
        row.put("silent_frac", 1 - ev.spikeRate());
        row.put("nonfinite", ev.nonFinite());
        row.put("nonfinite_weights", badWeights);
        row.put("eval_samples", ev.samples());
        row.put("seconds", seconds);
        ResultsWriter.appendJsonLine(run.out.resolve("eval.jsonl"), row);
        System.out.println(String.format(Locale.ROOT, "test accuracy %.2f%% on %d samples, hidden spike rate %.4f, "
                + "non-finite states %d%s; %.1f s; appended to %s", ev.accuracy(), ev.samples(), ev.spikeRate(), ev.nonFinite(),
                badWeights > 0 ? " (the weights are not finite)"
                    : ev.nonFinite() > 0 ? " (DIVERGED: the integrator blew up at this dt)" : "", seconds,
                run.out.resolve("eval.jsonl")));
        return 0;
    }

    /** The neuron parameters the evaluation ran with (every setting that changes a result is in the row). */
    private static void putNeuron(Map<String, Object> row, dev.spikestep.neuron.NeuronSpec n) {
        if (n instanceof dev.spikestep.neuron.LifSpec l) {
            row.put("tau", l.tau());
            row.put("v_th", (double) l.vTh());
            row.put("v_reset", (double) l.vReset());
            row.put("soft_reset", l.softReset());
            row.put("decay_input", l.decayInput());
        } else if (n instanceof dev.spikestep.neuron.IzhSpec z) {
            row.put("tau", z.tau());
            row.put("v_th", (double) z.vTh());
            row.put("v_reset", (double) z.vReset());
            row.put("soft_reset", z.softReset());
        }
    }

    private static Object numberOrAsWritten(String value, boolean integer) {
        if (value == null) {
            return null;
        }
        try {
            return integer ? (Object) Long.parseLong(value) : (Object) Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return value;
        }
    }

    /** --out must be a directory eval.jsonl can be appended to: said before the test pass. */
    private static void checkOut(java.nio.file.Path out) {
        if (java.nio.file.Files.exists(out) && !java.nio.file.Files.isDirectory(out)) {
            throw new SpikestepException("--out " + out + " is a file, not a directory");
        }
        if (java.nio.file.Files.isDirectory(out.resolve("eval.jsonl"))) {
            throw new SpikestepException(out.resolve("eval.jsonl") + " is a directory, not a file; choose another --out");
        }
    }
}
