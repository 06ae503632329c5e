package dev.spikestep.rstdp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.spikestep.BadValueException;
import dev.spikestep.SpikestepException;
import dev.spikestep.data.Dataset;
import dev.spikestep.data.DatasetLocator;
import dev.spikestep.io.Json;
import dev.spikestep.io.ResultsWriter;
import dev.spikestep.io.Safetensors;
import dev.spikestep.net.Loss;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.rng.Streams;
import dev.spikestep.train.Checkpoints;
import dev.spikestep.train.Progress;
import dev.spikestep.train.Trainer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The notebook's {@code run_rstdp_experiment} (SPEC section 6): a look at the first training batch
 * before any update, then per epoch a shuffled training pass (last partial batch dropped, at most
 * {@code maxTrainBatches}) that updates W_out after every batch, an evaluation on the first
 * {@code maxTestBatches} test batches in order, and the teacher current times {@code teachDecay};
 * finally one pass over the whole test set. Prints one line per epoch; appends each epoch to
 * {@code OUT/rstdp_epochs.jsonl} and the run to {@code OUT/rstdp_results.csv} (own file names, so
 * that {@code train} and {@code rstdp} runs can share one output directory). With checkpoints
 * and resume, a killed run continues after its last checkpoint to the rows of an uninterrupted one.
 */
public final class RstdpRunner {
    public static final String EPOCHS_FILE = "rstdp_epochs.jsonl";
    public static final String RESULTS_FILE = "rstdp_results.csv";

    /** The notebook's result fields, then what Spikestep adds. */
    public static final List<String> CSV_HEADER = List.of("integrator", "seed", "dt", "T", "final_acc",
            "final_H_mean_spike_rate", "final_O_mean_spike_rate", "final_no_spike_out_frac",
            "reward", "lr", "teach", "teach_decay", "epochs", "batch", "test_batch", "max_train_batches",
            "max_test_batches", "hidden", "substeps", "last_epoch_test_acc", "final_samples", "dataset", "backend", "seconds");

    /**
     * What one pass produced. {@code hiddenRate}/{@code outputRate}: spikes per (sample, neuron, step)
     * site (SPEC 7; output spikes counted after the WTA), so the silent fraction is {@code 1 - rate};
     * {@code noSpikeOut}: fraction of samples whose output never spiked, averaged over batches as the
     * notebook does; {@code pseudoCe}: mean over batches of {@code cross_entropy(o_count, label)}
     * (the counts as logits; computed for training passes, NaN otherwise).
     */
    public record Stats(double accuracy, double hiddenRate, double outputRate, double noSpikeOut, double pseudoCe,
                        int samples, int batches) {
    }

    public record Epoch(int epoch, double teach, Stats train, Stats test, double seconds) {
    }

    /** {@code initial} is null for a run that had finished before (nothing ran; {@code finalTest} from its row). */
    public record Result(Stats initial, List<Epoch> epochs, Stats finalTest, double seconds) {
    }

    private final RstdpConfig cfg;
    private java.util.function.Consumer<Map<String, Object>> epochListener = row -> { };
    private Runnable finishListener = () -> { };
    private Checkpoints checkpoints;
    private boolean resume;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean tty;

    public RstdpRunner(RstdpConfig cfg, PrintStream out, PrintStream err, boolean tty) {
        this.cfg = cfg;
        this.out = out;
        this.err = err;
        this.tty = tty;
    }

    /**
     * Also hands each epoch's row (the one appended to {@link #EPOCHS_FILE}) to {@code listener}, after
     * it is on disk; a sweep uses it to write the epoch into its own files.
     */
    public RstdpRunner onEpoch(java.util.function.Consumer<Map<String, Object>> listener) {
        this.epochListener = listener;
        return this;
    }

    /** Also calls {@code listener} once the run's results row and finished mark are on disk (rstdp's interrupt notice). */
    public RstdpRunner onFinish(Runnable listener) {
        this.finishListener = listener;
        return this;
    }

    /**
     * Writes both weight matrices after every epoch into {@code checkpoints} (SPEC 10; last and best
     * kept), with the epochs so far in the metadata. With {@code resume} a run whose checkpoints are
     * there continues after the last one (the shuffle, the encoder and the teacher current are
     * functions of (seed, epoch), so it ends as an uninterrupted run would); without, they are
     * refused rather than overwritten.
     */
    public RstdpRunner checkpoints(Checkpoints checkpoints, boolean resume) {
        this.checkpoints = checkpoints;
        this.resume = resume;
        return this;
    }

    /** A checkpoint to continue from: its epoch, weights, the epochs 0..epoch and the seconds they took. */
    private record Saved(int epoch, Path file, float[] wIn, float[] wOut, List<Epoch> history, double seconds) {
    }

    /**
     * The last checkpoint of this run, or null when there is none to continue (a new run); refuses
     * checkpoints without {@code resume}, of other options, or without the epoch history.
     */
    private Saved saved(int nIn, int C) {
        if (checkpoints == null) {
            return null;
        }
        dev.spikestep.io.AtomicFiles.removeOrphans(checkpoints.dir()); // what a killed save left
        List<Integer> have = checkpoints.epochs();
        if (have.isEmpty()) {
            return null;
        }
        if (!resume) {
            throw new SpikestepException(checkpoints.dir() + " already holds checkpoints of this run (epochs " + have
                    + "); add --resume to continue it, or choose another --out");
        }
        int e = have.get(have.size() - 1);
        Path file = checkpoints.weightsFile(e);
        Safetensors.Contents c = Safetensors.read(file);
        List<String> diff = Checkpoints.differences(identity(cfg), c.metadata());
        if (!diff.isEmpty()) {
            throw new SpikestepException("cannot resume from " + file + ": its run had other options: "
                    + String.join(", ", diff) + "; resume with the checkpoint's options, or choose another --out");
        }
        List<Epoch> history;
        try {
            String h = c.metadata().get("history");
            history = h == null ? null : Json.MAPPER.readValue(h, new TypeReference<List<Epoch>>() { });
        } catch (JsonProcessingException | IllegalArgumentException ex) {
            history = null;
        }
        boolean ordered = history != null && history.size() == e + 1;
        for (int k = 0; ordered && k <= e; k++) {
            ordered = history.get(k) != null && history.get(k).epoch() == k;
        }
        if (!ordered) {
            throw new SpikestepException(file + " holds no readable record of epochs 0.." + e + " (\"history\"), so "
                    + "the run cannot be continued; evaluate it with 'spikestep eval', or run it again into another --out");
        }
        double seconds = dev.spikestep.train.Meta.number(c.metadata(), "seconds", "0");
        return new Saved(e, file, c.require(file, "fc_in.weight", cfg.hidden(), nIn),
                c.require(file, "fc_out.weight", C, cfg.hidden()), history, seconds);
    }

    /** An epoch needs at least one full batch of {@code train}. */
    public static void checkBatch(RstdpConfig cfg, Dataset train) {
        if (train.size() < cfg.batch()) {
            throw new BadValueException("batch", cfg.batch() + " is more than the " + train.size()
                    + " samples of the " + cfg.dataset() + " training set: an epoch needs at least one full batch");
        }
    }

    public Result run(DatasetLocator.Split data) {
        Dataset train = data.train();
        Dataset test = data.test();
        checkBatch(cfg, train);
        // A results file of other columns is refused now, not after the epochs (and their checkpoints).
        ResultsWriter.requireHeader(Path.of(cfg.outDir()).resolve(RESULTS_FILE), CSV_HEADER);
        int fullSteps = train.size() / cfg.batch();
        int steps = cfg.maxTrainBatches() == 0 ? fullSteps : Math.min(fullSteps, cfg.maxTrainBatches());
        int testBatches = (test.size() + cfg.testBatch() - 1) / cfg.testBatch();
        int epochTestBatches = cfg.maxTestBatches() == 0 ? testBatches : Math.min(testBatches, cfg.maxTestBatches());
        Path outDir = Path.of(cfg.outDir());
        Path epochsFile = outDir.resolve(EPOCHS_FILE);
        Path resultsFile = outDir.resolve(RESULTS_FILE);
        printTable(train, test, steps, epochTestBatches);

        long runStart = System.nanoTime();
        PoissonEncoder encoder = new PoissonEncoder(PoissonEncoder.Method.BERNOULLI, cfg.dt());
        int nIn = train.pixels();
        int C = train.numClasses();
        List<Epoch> epochs = new ArrayList<>();
        String id = runId(cfg);
        Saved saved = saved(nIn, C);
        int startEpoch = 0;
        double secondsBefore = 0;
        if (saved != null) {
            epochs.addAll(saved.history());
            startEpoch = saved.epoch() + 1;
            secondsBefore = saved.seconds();
            ResultsWriter.dropTornTail(epochsFile);
            Set<Integer> written = Trainer.writtenEpochs(epochsFile, id);
            for (Epoch e : saved.history()) {
                if (!written.contains(e.epoch())) { // the kill came between the checkpoint and its row
                    writeEpochRow(epochsFile, e);
                }
            }
            if (startEpoch >= cfg.epochs() && !checkpoints.finishedRow().isEmpty()) {
                checkpoints.restoreFinishedRow(resultsFile, CSV_HEADER);
                finishListener.run();
                out.println("run " + id + " already finished (" + cfg.epochs() + " epochs, checkpoint " + saved.file()
                        + "): nothing to do; its row is in " + resultsFile);
                return new Result(null, epochs, markedFinalTest(checkpoints.finishedRow()), secondsBefore);
            }
            out.println(String.format(Locale.ROOT, "resuming run %s from %s: %s", id, saved.file(),
                    startEpoch < cfg.epochs() ? "epoch " + startEpoch + " of " + cfg.epochs() + " next"
                            : "all " + cfg.epochs() + " epochs trained, the final test pass next"));
        }
        Stats initial;
        Stats finalTest;
        try (RstdpEngine net = RstdpEngine.create(cfg.backend(), nIn, cfg.hidden(), C, cfg.T(),
                Math.max(cfg.batch(), cfg.testBatch()), cfg.timeChunk(), cfg.neuron(), cfg.threads())) {
            out.println("engine: " + net.describe());
            net.initWeights(cfg.seed());
            int[] labels = new int[Math.max(cfg.batch(), cfg.testBatch())];

            // The notebook's "debug" forward: the first training batch with the initial teacher
            // current, before any update (the same spikes as epoch 0's first batch).
            int[] order0 = Streams.permutation(cfg.seed(), 0, train.size());
            Tally first = new Tally(cfg.T(), cfg.hidden(), C);
            for (int b = 0; b < cfg.batch(); b++) {
                labels[b] = train.label(order0[b]);
            }
            net.run(RstdpNetwork.poisson(encoder, cfg.trainEncoderSeed(0), train.images(), order0, 0, nIn),
                    cfg.batch(), labels, (float) cfg.teachAt(0));
            first.add(net, labels, cfg.batch(), true);
            initial = first.stats();
            out.println(String.format(Locale.ROOT, "initial batch (teacher %s, before any update): h_count mean %.4f, "
                            + "o_count mean %.4f, H_rate %.4f, O_rate %.4f, no_spike_out %.3f",
                    Json.exact(cfg.teachAt(0)), initial.hiddenRate() * cfg.T(), initial.outputRate() * cfg.T(),
                    initial.hiddenRate(), initial.outputRate(), initial.noSpikeOut()));
            if (saved != null) {
                net.setWeightsTorchLayout(saved.wIn(), saved.wOut());
            }

            out.println(String.format(Locale.ROOT, "%5s | %7s | %9s | %9s | %8s | %7s | %7s | %12s | %7s",
                    "epoch", "teach", "pseudo_ce", "train_acc", "test_acc", "H_rate", "O_rate", "no_spike_out",
                    "seconds"));
            for (int epoch = startEpoch; epoch < cfg.epochs(); epoch++) {
                long t0 = System.nanoTime();
                double teach = cfg.teachAt(epoch);
                int[] order = Streams.permutation(cfg.seed(), epoch, train.size());
                long seed = cfg.trainEncoderSeed(epoch);
                Tally tr = new Tally(cfg.T(), cfg.hidden(), C);
                Progress bar = new Progress(err, "epoch " + epoch + " train", steps, tty);
                for (int k = 0; k < steps; k++) {
                    int firstPos = k * cfg.batch();
                    for (int b = 0; b < cfg.batch(); b++) {
                        labels[b] = train.label(order[firstPos + b]);
                    }
                    net.run(RstdpNetwork.poisson(encoder, seed, train.images(), order, firstPos, nIn), cfg.batch(),
                            labels, (float) teach);
                    tr.add(net, labels, cfg.batch(), true);
                    net.update(cfg.reward(), labels, (float) cfg.lr(), RstdpConfig.W_CLIP);
                    bar.update(k + 1, String.format(Locale.ROOT, "pseudo_ce %.4f", tr.ceSum / tr.batches));
                }
                Stats ev = evaluate(net, encoder, test, cfg.testEncoderSeed(epoch), epochTestBatches, labels,
                        "epoch " + epoch + " test");
                double seconds = (System.nanoTime() - t0) / 1e9;
                Epoch e = new Epoch(epoch, teach, tr.stats(), ev, seconds);
                epochs.add(e);
                out.println(String.format(Locale.ROOT, "%5d | %7.4f | %9.4f | %8.2f%% | %7.2f%% | %7.4f | %7.4f | %12.3f | %7.1f",
                        epoch, teach, e.train().pseudoCe(), e.train().accuracy(), ev.accuracy(), ev.hiddenRate(),
                        ev.outputRate(), ev.noSpikeOut(), seconds));
                out.flush();
                if (checkpoints != null) {
                    Epoch best = epochs.stream().reduce((a, b) -> b.test().accuracy() > a.test().accuracy() ? b : a).get();
                    Map<String, Safetensors.Tensor> w = new LinkedHashMap<>();
                    w.put("fc_in.weight", new Safetensors.Tensor(new int[] {cfg.hidden(), nIn}, net.wInTorchLayout()));
                    w.put("fc_out.weight", new Safetensors.Tensor(new int[] {C, cfg.hidden()}, net.wOutTorchLayout()));
                    Map<String, String> meta = identity(cfg);
                    meta.put("test_acc", Double.toString(ev.accuracy()));
                    // What a resume needs besides the weights: the epochs so far and their time.
                    meta.put("history", history(epochs));
                    meta.put("seconds", Double.toString(secondsBefore + (System.nanoTime() - runStart) / 1e9));
                    // The checkpoint before the row: a kill in between leaves a row to write on resume,
                    // never a row without the checkpoint it came from.
                    checkpoints.saveWeights(epoch, w, meta, best.epoch());
                }
                writeEpochRow(epochsFile, e);
            }
            finalTest = evaluate(net, encoder, test, cfg.finalEncoderSeed(), testBatches, labels, "final test");
        }
        double total = secondsBefore + (System.nanoTime() - runStart) / 1e9;
        Epoch last = epochs.get(epochs.size() - 1);
        List<Object> values = List.of(cfg.integrator().cliName(), cfg.seed(), cfg.dt(),
                cfg.T(), finalTest.accuracy(), finalTest.hiddenRate(), finalTest.outputRate(), finalTest.noSpikeOut(),
                cfg.reward().cliName(), cfg.lr(), cfg.teach(), cfg.teachDecay(), cfg.epochs(), cfg.batch(),
                cfg.testBatch(), cfg.maxTrainBatches(), cfg.maxTestBatches(), cfg.hidden(), cfg.substeps(), last.test().accuracy(),
                finalTest.samples(), cfg.dataset(), cfg.backend(), total);
        if (checkpoints != null) {
            checkpoints.finish(resultsFile, CSV_HEADER, values); // the mark first: a resume finds whether the row made it
        } else {
            ResultsWriter.appendCsvRow(resultsFile, CSV_HEADER, values);
        }
        finishListener.run();
        out.println(String.format(Locale.ROOT, "final test (all %d samples): accuracy %.2f%%, H_rate %.4f, O_rate %.4f, "
                        + "no_spike_out %.3f; results appended to %s and %s", finalTest.samples(), finalTest.accuracy(),
                finalTest.hiddenRate(), finalTest.outputRate(), finalTest.noSpikeOut(), resultsFile, epochsFile));
        return new Result(initial, epochs, finalTest, total);
    }

    /** The final pass's statistics as the finished mark (the results row) holds them, to 6 digits. */
    private Stats markedFinalTest(String row) {
        String[] v = row.split(",", -1);
        try {
            if (v.length != CSV_HEADER.size()) {
                throw new NumberFormatException(v.length + " values for " + CSV_HEADER.size() + " columns");
            }
            int samples = Integer.parseInt(v[CSV_HEADER.indexOf("final_samples")]);
            return new Stats(Double.parseDouble(v[CSV_HEADER.indexOf("final_acc")]),
                    Double.parseDouble(v[CSV_HEADER.indexOf("final_H_mean_spike_rate")]),
                    Double.parseDouble(v[CSV_HEADER.indexOf("final_O_mean_spike_rate")]),
                    Double.parseDouble(v[CSV_HEADER.indexOf("final_no_spike_out_frac")]), Double.NaN, samples,
                    (samples + cfg.testBatch() - 1) / cfg.testBatch());
        } catch (NumberFormatException e) {
            throw new SpikestepException(checkpoints.finishedFile() + " is not a results row of rstdp ("
                    + e.getMessage() + "): delete it to run the final test pass again");
        }
    }

    /**
     * Appends epoch {@code e}'s row to {@code epochsFile}, naming its run (a rerun over moved
     * checkpoints is refused by it), then hands it to the listener (a sweep's listener puts the
     * point's own run_id in its rows).
     */
    private void writeEpochRow(Path epochsFile, Epoch e) {
        Map<String, Object> row = epochRow(e);
        Map<String, Object> fileRow = new LinkedHashMap<>();
        fileRow.put("run_id", runId(cfg));
        fileRow.putAll(row);
        ResultsWriter.appendJsonLine(epochsFile, fileRow);
        epochListener.accept(row);
    }

    /** The epochs so far as JSON (the checkpoint's {@code history}); doubles round-trip exactly. */
    static String history(List<Epoch> epochs) {
        try {
            return Json.MAPPER.writeValueAsString(epochs);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first {@code batches} test batches, in order, without teacher current or updates. */
    private Stats evaluate(RstdpEngine net, PoissonEncoder encoder, Dataset test, long seed, int batches, int[] labels,
                           String label) {
        Tally t = new Tally(cfg.T(), cfg.hidden(), test.numClasses());
        Progress bar = new Progress(err, label, batches, tty);
        for (int k = 0; k < batches; k++) {
            int first = k * cfg.testBatch();
            int B = Math.min(cfg.testBatch(), test.size() - first);
            for (int b = 0; b < B; b++) {
                labels[b] = test.label(first + b);
            }
            net.run(RstdpNetwork.poisson(encoder, seed, test.images(), null, first, test.pixels()), B, null, 0f);
            t.add(net, labels, B, false);
            bar.update(k + 1, String.format(Locale.ROOT, "acc %.2f%%", 100.0 * t.correct / t.samples));
        }
        return t.stats();
    }

    /** Sums over the batches of one pass, read from the counts the network leaves after each batch. */
    static final class Tally {
        private final int T;
        private final int H;
        private final int C;
        int batches;
        int samples;
        long correct;
        long hiddenSpikes;
        long outputSpikes;
        double noSpikeSum;
        double ceSum;
        boolean withCe;

        Tally(int T, int H, int C) {
            this.T = T;
            this.H = H;
            this.C = C;
        }

        void add(RstdpEngine net, int[] labels, int B, boolean ce) {
            int[] o = net.outputCounts();
            hiddenSpikes += net.hiddenSpikeTotal();
            int silent = 0;
            float[] lg = new float[B * C];
            for (int b = 0; b < B; b++) {
                int sum = 0;
                for (int c = 0; c < C; c++) {
                    sum += o[b * C + c];
                    lg[b * C + c] = o[b * C + c];
                }
                outputSpikes += sum;
                if (sum == 0) {
                    silent++;
                }
                if (RstdpKernels.argmaxCount(o, b, C) == labels[b]) {
                    correct++;
                }
            }
            if (ce) {
                ceSum += Loss.crossEntropy(lg, labels, B, C, new float[B * C]);
                withCe = true;
            }
            noSpikeSum += (double) silent / B;
            samples += B;
            batches++;
        }

        Stats stats() {
            double sites = (double) samples * T;
            return new Stats(100.0 * correct / samples, hiddenSpikes / (sites * H), outputSpikes / (sites * C),
                    noSpikeSum / batches, withCe ? ceSum / batches : Double.NaN, samples, batches);
        }
    }

    /** The run's configuration as checkpoint metadata (SPEC 10): what its weights were trained with. */
    public static Map<String, String> identity(RstdpConfig cfg) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kind", "rstdp");
        m.put("model", "lif");
        m.put("integrator", cfg.integrator().cliName());
        m.put("substeps", Integer.toString(cfg.substeps()));
        m.put("dt", Json.exact(cfg.dt()));
        m.put("neuron", cfg.neuron().params());
        m.put("T", Integer.toString(cfg.T()));
        m.put("encoder", "bernoulli");
        m.put("hidden", Integer.toString(cfg.hidden()));
        m.put("seed", Long.toString(cfg.seed()));
        m.put("lr", Json.exact(cfg.lr()));
        m.put("reward", cfg.reward().cliName());
        m.put("teach", Json.exact(cfg.teach()));
        m.put("teach_decay", Json.exact(cfg.teachDecay()));
        m.put("batch", Integer.toString(cfg.batch()));
        m.put("max_train_batches", Integer.toString(cfg.maxTrainBatches()));
        m.put("dataset", cfg.dataset());
        m.put("epochs", Integer.toString(cfg.epochs()));
        return m;
    }

    /** The run's checkpoint directory name: readable, and a hash of {@link #identity}. */
    public static String runId(RstdpConfig cfg) {
        return String.format(Locale.ROOT, "rstdp-%s-dt%s-T%d-seed%d-%s", cfg.integrator().cliName(),
                Json.exact(cfg.dt()), cfg.T(), cfg.seed(), Checkpoints.hash(identity(cfg)));
    }

    private Map<String, Object> epochRow(Epoch e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("experiment", "rstdp");
        m.put("integrator", cfg.integrator().cliName());
        m.put("seed", cfg.seed());
        m.put("dt", cfg.dt());
        m.put("T", cfg.T());
        m.put("substeps", cfg.substeps());
        m.put("reward", cfg.reward().cliName());
        m.put("lr", cfg.lr());
        m.put("dataset", cfg.dataset());
        m.put("epoch", e.epoch());
        m.put("teach", e.teach());
        m.put("pseudo_ce", e.train().pseudoCe());
        m.put("train_acc", e.train().accuracy());
        m.put("train_H_mean_spike_rate", e.train().hiddenRate());
        m.put("train_O_mean_spike_rate", e.train().outputRate());
        m.put("train_no_spike_out", e.train().noSpikeOut());
        m.put("test_acc", e.test().accuracy());
        m.put("H_mean_spike_rate", e.test().hiddenRate());
        m.put("H_silent_frac", 1 - e.test().hiddenRate());
        m.put("O_mean_spike_rate", e.test().outputRate());
        m.put("O_silent_frac", 1 - e.test().outputRate());
        m.put("no_spike_out", e.test().noSpikeOut());
        m.put("train_samples", e.train().samples());
        m.put("eval_samples", e.test().samples());
        m.put("seconds", e.seconds());
        m.put("backend", cfg.backend());
        return m;
    }

    private void printTable(Dataset train, Dataset test, int steps, int testBatches) {
        Map<String, String> rows = cfg.describe();
        rows.put("network", train.pixels() + " -> " + cfg.hidden() + " -> " + train.numClasses());
        rows.put("train / test", train.size() + " / " + test.size() + " samples; " + steps + " train and "
                + testBatches + " test batches per epoch");
        dev.spikestep.io.StartTable.print(out, rows);
    }
}
