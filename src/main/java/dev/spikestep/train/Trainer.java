package dev.spikestep.train;

import dev.spikestep.BadValueException;
import dev.spikestep.SpikestepException;
import dev.spikestep.data.Dataset;
import dev.spikestep.data.DatasetLocator;
import dev.spikestep.io.Json;
import dev.spikestep.io.ResultsWriter;
import dev.spikestep.net.Adam;
import dev.spikestep.net.Backends;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Network;
import dev.spikestep.net.NetworkFactory;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.rng.Streams;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs the notebook's protocol (SPEC section 5): per epoch, a shuffled training pass with the last
 * partial batch dropped, then a test pass in order; prints one line per epoch and appends each
 * epoch to {@code epochs.jsonl} and the finished run to {@code results.csv} in the output directory.
 */
public final class Trainer {
    /** The notebook's result columns, then what Spikestep adds. */
    public static final List<String> CSV_HEADER = List.of("model", "integrator", "seed", "dt", "T", "readout",
            "final_acc", "final_mean_spike_rate", "final_silent_frac", "final_active_frac",
            "substeps", "final_nonfinite", "epochs", "dataset", "backend", "seconds");

    private final TrainConfig cfg;
    /** The last epoch's weights that are NaN or infinite, and all of them (train's note, as eval's warning). */
    private long[] lastWeights = {0, 0};
    private final PrintStream out;
    private final PrintStream err;
    private final boolean tty;
    /** Training batches of the first epoch watched for a silent hidden layer. */
    static final int SILENCE_BATCHES = 20;

    private Consumer<Map<String, Object>> epochListener = row -> { };
    private Runnable finishListener = () -> { };
    private NetworkFactory networks;
    private Checkpoints checkpoints;
    private boolean resume;
    private String runId;

    public Trainer(TrainConfig cfg, PrintStream out, PrintStream err, boolean tty) {
        this.cfg = cfg;
        this.out = out;
        this.err = err;
        this.tty = tty;
    }

    /**
     * Also hands every finished epoch's row (the object appended to {@code epochs.jsonl}) to
     * {@code listener}, on the training thread, after the row is on disk; a sweep uses it to write
     * the epoch, tagged with its run id, into the sweep's own files.
     */
    public Trainer onEpoch(Consumer<Map<String, Object>> listener) {
        this.epochListener = listener;
        return this;
    }

    /** Also calls {@code listener} once the run's results row and finished mark are on disk (train's interrupt notice). */
    public Trainer onFinish(Runnable listener) {
        this.finishListener = listener;
        return this;
    }

    /**
     * Trains on a network from {@code factory} instead of {@code Backends.create(cfg.backend(), ...)}:
     * a sweep's packed GPU runs (each run's view of one packed network) or a test's device.
     */
    public Trainer network(NetworkFactory factory) {
        this.networks = factory;
        return this;
    }

    /**
     * Writes a checkpoint after every epoch into {@code checkpoints}; with {@code resume}, continues
     * from the last complete one there, if any (a finished run is then not trained again). Without
     * this call a run keeps no checkpoints.
     */
    public Trainer checkpoints(Checkpoints checkpoints, boolean resume) {
        this.checkpoints = checkpoints;
        this.resume = resume;
        return this;
    }

    /** The run id written into every epoch row ({@code run_id}); {@link Checkpoints#runId} by default. */
    public Trainer runId(String id) {
        this.runId = id;
        return this;
    }

    public String runId() {
        return runId != null ? runId : Checkpoints.runId(cfg);
    }

    /**
     * The samples a run trains on: the first {@code train_samples} of {@code full} (all of it with
     * 0), at least one batch. Asking for more samples than the set holds is an error, not a silent
     * clamp: the run would be recorded under a sample count it never saw.
     */
    public static Dataset trainingSet(TrainConfig cfg, Dataset full) {
        if (cfg.trainLimit() > full.size()) {
            throw new BadValueException("train_samples", cfg.trainLimit() + " is more than the " + full.size()
                    + " samples of the " + cfg.dataset() + " training set (0 = all)");
        }
        Dataset train = cfg.trainLimit() > 0 ? full.head(cfg.trainLimit()) : full;
        if (train.size() < cfg.batch()) {
            throw new BadValueException("batch", cfg.batch() + " is more than the " + train.size()
                    + " samples the run trains on: an epoch needs at least one full batch");
        }
        return train;
    }

    /**
     * {@code eval_batches} past the end of {@code test} (of {@code dataset}) in batches of {@code batch} is an error, as train_samples
     * past the training set is: the run would be recorded under a batch count it never evaluated.
     */
    public static void checkEvalBatches(int evalBatches, int batch, Dataset test, String dataset) {
        int batches = testBatches(test, batch);
        if (evalBatches > batches) {
            throw new BadValueException("eval_batches", evalBatches + " is more than the " + batches + " batches of "
                    + batch + " in the " + dataset + " test set (" + test.size() + " samples; 0 = all)");
        }
    }

    /** The batches of {@code batch} that {@code test} makes, the last one partial. */
    public static int testBatches(Dataset test, int batch) {
        return (test.size() + batch - 1) / batch;
    }

    /**
     * The network's shape for {@code cfg} on {@code train} (its T x batch x width must fit one buffer): built
     * here for the run and for a sweep's checks before its first point, so that a point too large for memory
     * is refused up front rather than after the points before it have run.
     */
    public static NetShape shape(TrainConfig cfg, Dataset train) {
        return new NetShape(train.pixels(), cfg.hidden(), train.numClasses(), cfg.T(), cfg.batch());
    }

    /** Trains and evaluates; returns one result per epoch (the last one is the run's final result). */
    public List<EpochResult> run(DatasetLocator.Split data) {
        Dataset train = trainingSet(cfg, data.train());
        Dataset test = data.test();
        checkEvalBatches(cfg.evalBatches(), cfg.batch(), test, cfg.dataset());
        int steps = train.size() / cfg.batch();
        Path outDir = Path.of(cfg.outDir());
        Path epochsFile = outDir.resolve("epochs.jsonl");
        Path resultsFile = outDir.resolve("results.csv");

        List<EpochResult> results = new ArrayList<>();
        long runStart = System.nanoTime();
        double secondsBefore = 0;
        String id = runId();
        NetShape shape = shape(cfg, train);
        NetworkFactory factory = networks != null ? networks
                : (sh, neuron, readout, adam, threads) -> Backends.create(cfg.backend(), sh, neuron, readout, adam, threads);
        // A results.csv of other columns is refused now, not after every epoch has been trained.
        ResultsWriter.requireHeader(resultsFile, CSV_HEADER);
        Checkpoints.Saved saved = null;
        if (checkpoints != null) {
            dev.spikestep.io.AtomicFiles.removeOrphans(checkpoints.dir()); // what a killed save left
            saved = resume ? checkpoints.lastComplete(shape).orElse(null) : null;
            if (saved != null) {
                List<String> diff = Checkpoints.differences(Checkpoints.identity(cfg), saved.metadata());
                if (!diff.isEmpty()) {
                    throw new SpikestepException("cannot resume from " + saved.file() + ": its run had other options: "
                            + String.join(", ", diff) + "; resume with the checkpoint's options, or choose another --out");
                }
            } else if (resume && !checkpoints.epochs().isEmpty()) {
                // Weights without their optimizer state (deleted by hand): a restart would overwrite them, and
                // fresh Adam moments would not continue the run bit-identically, so neither is done silently.
                throw new SpikestepException("--resume: " + checkpoints.dir() + " holds checkpoints of this run (epochs "
                        + checkpoints.epochs() + ") but not the optimizer state saved beside the last "
                        + "(epoch-NNN.state.safetensors), so it cannot be continued; evaluate them with 'spikestep eval', "
                        + "or train the run again into another --out");
            } else if (!resume && !checkpoints.epochs().isEmpty()) {
                throw new SpikestepException(checkpoints.dir() + " already holds checkpoints of this run (epochs "
                        + checkpoints.epochs() + "); add --resume to continue it, or choose another --out");
            }
        }
        int startEpoch = 0;
        if (saved != null) {
            results.addAll(saved.history());
            lastWeights = new long[] {Evaluator.Weights.nonFinite(saved.w1(), saved.wOut()),
                (long) saved.w1().length + saved.wOut().length};
            startEpoch = saved.epoch() + 1;
            secondsBefore = Meta.number(saved.metadata(), "seconds", "0");
            ResultsWriter.dropTornTail(epochsFile);
            int evalSamples = evalSamples(test.size());
            Set<Integer> written = writtenEpochs(epochsFile, id);
            for (EpochResult r : saved.history()) {
                if (!written.contains(r.epoch())) { // the kill came between the checkpoint and its row
                    Map<String, Object> row = epochRow(id, r, evalSamples);
                    ResultsWriter.appendJsonLine(epochsFile, row);
                    epochListener.accept(row);
                }
            }
            if (startEpoch >= cfg.epochs() && finishedAfter(startEpoch)) {
                out.println("run " + id + " already finished (" + saved.history().size() + " epochs, checkpoint "
                        + saved.file() + "): nothing to do");
                finish(results, 0, resultsFile, epochsFile, true);
                return results;
            }
            if (startEpoch > cfg.epochs()) {
                throw new SpikestepException("cannot resume from " + saved.file() + ": it has trained " + startEpoch
                        + " epochs, more than --epochs " + cfg.epochs() + "; resume with --epochs " + startEpoch + " or more");
            }
            if (startEpoch < cfg.epochs()) {
                out.println(String.format(Locale.ROOT, "resuming run %s from %s: epoch %d of %d next", id, saved.file(),
                        startEpoch, cfg.epochs()));
            }
        }
        if (startEpoch < cfg.epochs()) {
            trainEpochs(train, test, shape, factory, saved, startEpoch, results, epochsFile, secondsBefore, runStart);
        } else if (saved != null) {
            out.println("run " + id + " had trained all " + cfg.epochs() + " epochs: writing its results row");
        }
        finish(results, secondsBefore + (System.nanoTime() - runStart) / 1e9, resultsFile, epochsFile, false);
        return results;
    }

    private void trainEpochs(Dataset train, Dataset test, NetShape shape, NetworkFactory factory,
                             Checkpoints.Saved saved, int startEpoch, List<EpochResult> results, Path epochsFile,
                             double secondsBefore, long runStart) {
        int steps = train.size() / cfg.batch();
        String id = runId();
        try (Network net = factory.create(shape, cfg.neuron(), cfg.readout(), new Adam(cfg.lr(), 0.9, 0.999, 1e-8),
                cfg.threads())) {
            printTable(train, test, net.describe());
            net.initWeights(cfg.seed());
            if (saved != null) {
                net.setWeightsTorchLayout(saved.w1(), saved.wOut());
                net.setAdamState(saved.adam());
            }
            PoissonEncoder encoder = new PoissonEncoder(cfg.encoder(), cfg.neuron().dt());
            int[] labels = new int[cfg.batch()];
            long silenceSpikes = 0;
            out.println(String.format(Locale.ROOT, "%5s | %8s | %9s | %8s | %10s | %7s | %9s | %7s",
                    "epoch", "loss", "train_acc", "test_acc", "spike_rate", "silent", "nonfinite", "seconds"));
            for (int epoch = startEpoch; epoch < cfg.epochs(); epoch++) {
                long t0 = System.nanoTime();
                int[] order = Streams.permutation(cfg.seed(), epoch, train.size());
                long trainSeed = cfg.trainEncoderSeed(epoch);
                double lossSum = 0;
                long correct = 0;
                long trainNonFinite = 0;
                Progress bar = new Progress(err, "epoch " + epoch + " train", steps, tty);
                for (int k = 0; k < steps; k++) {
                    int first = k * cfg.batch();
                    for (int b = 0; b < cfg.batch(); b++) {
                        labels[b] = train.label(order[first + b]);
                    }
                    net.encode(encoder, trainSeed, train.images(), order, first, cfg.batch());
                    net.forward();
                    lossSum += net.backward(labels);
                    net.adamStep();
                    correct += net.correct(labels);
                    trainNonFinite += net.nonFiniteCount();
                    if (epoch == 0 && k < SILENCE_BATCHES) {
                        silenceSpikes += net.hiddenSpikeCount();
                        if (silenceSpikes == 0 && (k == SILENCE_BATCHES - 1 || k == steps - 1)) {
                            warnSilent(k + 1);
                        }
                    }
                    bar.update(k + 1, String.format(Locale.ROOT, "loss %.4f", lossSum / (k + 1)));
                }
                Evaluation ev = evaluate(net, encoder, test, cfg.testEncoderSeed(epoch), cfg.evalBatches());
                double seconds = (System.nanoTime() - t0) / 1e9;
                EpochResult r = new EpochResult(epoch, lossSum / steps, 100.0 * correct / ((long) steps * cfg.batch()),
                        ev.accuracy(), ev.spikeRate(), 1 - ev.spikeRate(), ev.spikeRate(), ev.nonFinite(),
                        trainNonFinite, seconds);
                results.add(r);
                out.println(String.format(Locale.ROOT, "%5d | %8.4f | %8.2f%% | %7.2f%% | %10.4f | %7.3f | %9d | %7.1f",
                        epoch, r.loss(), r.trainAcc(), r.testAcc(), r.spikeRate(), r.silentFrac(), r.nonFinite(), seconds));
                out.flush();
                float[] w1 = net.w1TorchLayout();
                float[] wOut = net.wOutTorchLayout();
                lastWeights = new long[] {Evaluator.Weights.nonFinite(w1, wOut), (long) w1.length + wOut.length};
                if (checkpoints != null) {
                    // A finished run given more --epochs keeps its finished mark, which names its epoch count:
                    // resumed with the old --epochs it is done as long as no later epoch is saved (finishedAfter).
                    // The checkpoint before the row: a kill in between leaves a row to re-write on resume,
                    // never a row without the checkpoint it came from.
                    checkpoints.save(cfg, shape, w1, wOut, net.adamState(), results,
                            secondsBefore + (System.nanoTime() - runStart) / 1e9);
                }
                Map<String, Object> row = epochRow(id, r, ev.samples());
                ResultsWriter.appendJsonLine(epochsFile, row);
                epochListener.accept(row);
            }
        }
    }

    private void warnSilent(int batches) {
        String w = String.format(Locale.ROOT, "warning: the hidden layer has not spiked once in the first %d training "
                + "batches (%s/%s, dt %s, T %d, v_th %s): silent neurons pass no gradient, so nothing learns. Use a "
                + "larger --dt or --T (more input per sample) or a lower --v-th; training goes on", batches,
                cfg.neuron().model(), cfg.neuron().integrator().cliName(), Json.exact(cfg.neuron().dt()), cfg.T(),
                Checkpoints.identity(cfg).get("v_th"));
        // on stdout, with the epoch table, where a terminal shows it even with stderr sent away (2>/dev/null hides the
        // progress bars); when stdout is not a terminal (a log) on stderr too, so that a terminal still shows it
        out.println(w);
        if (err != out && !tty) {
            err.println(w);
        }
    }

    /** results.csv's row, the done mark, the closing lines; {@code already}: the row may exist from before. */
    private void finish(List<EpochResult> results, double total, Path resultsFile, Path epochsFile, boolean already) {
        EpochResult last = results.get(results.size() - 1);
        if (!already) {
            if (total == 0) {
                total = results.stream().mapToDouble(EpochResult::seconds).sum();
            }
            List<Object> values = List.of(cfg.neuron().model(),
                    cfg.neuron().integrator().cliName(), cfg.seed(), cfg.neuron().dt(), cfg.T(), cfg.readout().cliName(),
                    last.testAcc(), last.spikeRate(), last.silentFrac(), last.activeFrac(), cfg.neuron().substeps(),
                    last.nonFinite(), cfg.epochs(), cfg.dataset(), cfg.backend(), total);
            if (checkpoints != null) {
                checkpoints.finish(resultsFile, CSV_HEADER, values); // the mark first: a resume finds whether the row made it
            } else {
                ResultsWriter.appendCsvRow(resultsFile, CSV_HEADER, values);
            }
        } else {
            checkpoints.restoreFinishedRow(resultsFile, CSV_HEADER);
        }
        finishListener.run();
        // as eval: weights blown up (a too large --lr) make non-finite states whatever the integrator
        if (lastWeights[0] > 0) {
            out.println("note: " + lastWeights[0] + " of the " + lastWeights[1] + " weights are NaN or infinite after "
                    + "the last epoch: the training diverged (a lower --lr)");
        }
        if (last.nonFinite() > 0) {
            out.println("note: " + last.nonFinite() + " hidden states were NaN or infinite in the last evaluation: "
                    + (lastWeights[0] > 0 ? "the weights are not finite" : "the integrator diverged at this dt"));
        }
        out.println(String.format(Locale.ROOT, "final test accuracy %.2f%%, hidden spike rate %.4f; results %s %s and %s",
                last.testAcc(), last.spikeRate(), already ? "in" : "appended to", resultsFile, epochsFile));
        if (checkpoints != null) {
            EpochResult best = Checkpoints.best(results);
            out.println(String.format(Locale.ROOT, "checkpoints in %s: last %s, best %s (test acc %.2f%%)",
                    checkpoints.dir(), checkpoints.weightsFile(last.epoch()).getFileName(),
                    checkpoints.weightsFile(best.epoch()).getFileName(), best.testAcc()));
        }
    }

    /**
     * Whether the finished mark is the row of a run of exactly {@code epochs} epochs: the saved
     * epochs count. A mark of fewer epochs is that of a finished run later given more --epochs,
     * whose extension saved an epoch past it.
     */
    private boolean finishedAfter(int epochs) {
        String[] mark = checkpoints.finishedRow().split(",", -1);
        int i = CSV_HEADER.indexOf("epochs");
        return mark.length == CSV_HEADER.size() && mark[i].equals(Integer.toString(epochs));
    }

    private static String readQuietly(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (java.io.IOException e) {
            throw new SpikestepException("cannot read " + f + ": " + SpikestepException.reason(e), e);
        }
    }

    /** The epochs of run {@code id} that {@code epochsFile} holds a row of. */
    public static Set<Integer> writtenEpochs(Path epochsFile, String id) {
        Set<Integer> out = new HashSet<>();
        for (String line : readQuietly(epochsFile).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                Map<String, Object> row = Json.parseObject(line);
                if (id.equals(row.get("run_id")) && row.get("epoch") instanceof Long e) {
                    out.add(e.intValue());
                }
            } catch (IllegalArgumentException e) {
                // a line torn by an earlier kill: not a row
            }
        }
        return out;
    }

    private int evalSamples(int testSize) {
        return cfg.evalBatches() == 0 ? testSize : Math.min(testSize, cfg.evalBatches() * cfg.batch());
    }

    /** Accuracy and hidden-layer spike statistics on the test set, in order, batch by batch. */
    public record Evaluation(double accuracy, double spikeRate, long nonFinite, int samples) {
    }

    /**
     * Evaluates {@code net} on the first {@code evalBatches} batches (0 = all) of {@code test}, in order,
     * in batches of the network's largest batch, with encoder seed {@code seed}.
     */
    public static Evaluation evaluate(Network net, PoissonEncoder encoder, Dataset test, long seed, int evalBatches) {
        int batch = net.shape().maxBatch();
        int batches = testBatches(test, batch);
        if (evalBatches > 0) {
            batches = Math.min(batches, evalBatches);
        }
        int[] labels = new int[batch];
        long correct = 0;
        long spikes = 0;
        long nonFinite = 0;
        int samples = 0;
        for (int k = 0; k < batches; k++) {
            int first = k * batch;
            int B = Math.min(batch, test.size() - first);
            for (int b = 0; b < B; b++) {
                labels[b] = test.label(first + b);
            }
            net.encode(encoder, seed, test.images(), null, first, B);
            net.forward();
            correct += net.correct(labels);
            spikes += net.hiddenSpikeCount();
            nonFinite += net.nonFiniteCount();
            samples += B;
        }
        double sites = (double) samples * net.shape().T() * net.shape().nHidden();
        return new Evaluation(100.0 * correct / samples, spikes / sites, nonFinite, samples);
    }

    private Map<String, Object> epochRow(String id, EpochResult r, int evalSamples) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", id);
        m.put("model", cfg.neuron().model());
        m.put("integrator", cfg.neuron().integrator().cliName());
        m.put("seed", cfg.seed());
        m.put("dt", cfg.neuron().dt());
        m.put("substeps", cfg.neuron().substeps());
        m.put("T", cfg.T());
        m.put("readout", cfg.readout().cliName());
        m.put("dataset", cfg.dataset());
        m.put("epoch", r.epoch());
        m.put("loss", r.loss());
        m.put("train_acc", r.trainAcc());
        m.put("test_acc", r.testAcc());
        m.put("mean_spike_rate", r.spikeRate());
        m.put("silent_frac", r.silentFrac());
        m.put("active_frac", r.activeFrac());
        m.put("nonfinite", r.nonFinite());
        m.put("train_nonfinite", r.trainNonFinite());
        m.put("eval_samples", evalSamples);
        m.put("seconds", r.seconds());
        m.put("backend", cfg.backend());
        return m;
    }

    private void printTable(Dataset train, Dataset test, String backend) {
        Map<String, String> rows = cfg.describe();
        rows.put("backend", backend);
        // --eval-batches N evaluates the first N batches of the test set, not all of it
        int evaluated = evalSamples(test.size());
        rows.put("train / test", train.size() + " / " + test.size() + " samples, " + (train.size() / cfg.batch())
                + " batches per epoch" + (evaluated < test.size() ? "; " + evaluated + " test samples evaluated" : ""));
        dev.spikestep.io.StartTable.print(out, rows);
    }
}
