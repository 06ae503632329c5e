package dev.spikestep.train;

import dev.spikestep.SpikestepException;
import dev.spikestep.data.Dataset;
import dev.spikestep.data.DatasetLocator;
import dev.spikestep.io.ResultsWriter;
import dev.spikestep.net.Adam;
import dev.spikestep.net.Backends;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Network;
import dev.spikestep.net.NetworkFactory;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.rng.Streams;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
            "final_nonfinite", "epochs", "dataset", "backend", "seconds");

    private final TrainConfig cfg;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean tty;
    private Consumer<Map<String, Object>> epochListener = row -> { };
    private NetworkFactory networks;

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

    /**
     * Trains on a network from {@code factory} instead of {@code Backends.create(cfg.backend(), ...)}:
     * a sweep's packed GPU runs (each run's view of one packed network) or a test's device.
     */
    public Trainer network(NetworkFactory factory) {
        this.networks = factory;
        return this;
    }

    /** Trains and evaluates; returns one result per epoch (the last one is the run's final result). */
    public List<EpochResult> run(DatasetLocator.Split data) {
        Dataset train = cfg.trainLimit() > 0 ? data.train().head(cfg.trainLimit()) : data.train();
        Dataset test = data.test();
        int nIn = train.pixels();
        int steps = train.size() / cfg.batch();
        if (steps == 0) {
            throw new SpikestepException("the training set has " + train.size() + " samples, fewer than one batch of "
                    + cfg.batch() + "; lower --batch");
        }
        Path outDir = Path.of(cfg.outDir());
        Path epochsFile = outDir.resolve("epochs.jsonl");
        Path resultsFile = outDir.resolve("results.csv");

        List<EpochResult> results = new ArrayList<>();
        long runStart = System.nanoTime();
        NetShape shape = new NetShape(nIn, cfg.hidden(), train.numClasses(), cfg.T(), cfg.batch());
        NetworkFactory factory = networks != null ? networks
                : (sh, neuron, readout, adam, threads) -> Backends.create(cfg.backend(), sh, neuron, readout, adam, threads);
        try (Network net = factory.create(shape, cfg.neuron(), cfg.readout(), new Adam(cfg.lr(), 0.9, 0.999, 1e-8),
                cfg.threads())) {
            printTable(train, test, net.describe());
            net.initWeights(cfg.seed());
            PoissonEncoder encoder = new PoissonEncoder(cfg.encoder(), cfg.neuron().dt());
            int[] labels = new int[cfg.batch()];
            out.println(String.format(Locale.ROOT, "%5s | %8s | %9s | %8s | %10s | %7s | %9s | %7s",
                    "epoch", "loss", "train_acc", "test_acc", "spike_rate", "silent", "nonfinite", "seconds"));
            for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
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
                    bar.update(k + 1, String.format(Locale.ROOT, "loss %.4f", lossSum / (k + 1)));
                }
                Evaluation ev = evaluate(net, encoder, test, cfg.testEncoderSeed(epoch), labels);
                double seconds = (System.nanoTime() - t0) / 1e9;
                EpochResult r = new EpochResult(epoch, lossSum / steps, 100.0 * correct / ((long) steps * cfg.batch()),
                        ev.accuracy(), ev.spikeRate(), 1 - ev.spikeRate(), ev.spikeRate(), ev.nonFinite(),
                        trainNonFinite, seconds);
                results.add(r);
                out.println(String.format(Locale.ROOT, "%5d | %8.4f | %8.2f%% | %7.2f%% | %10.4f | %7.3f | %9d | %7.1f",
                        epoch, r.loss(), r.trainAcc(), r.testAcc(), r.spikeRate(), r.silentFrac(), r.nonFinite(), seconds));
                out.flush();
                Map<String, Object> row = epochRow(r, test.size(), ev.samples());
                ResultsWriter.appendJsonLine(epochsFile, row);
                epochListener.accept(row);
            }
        }
        EpochResult last = results.get(results.size() - 1);
        double total = (System.nanoTime() - runStart) / 1e9;
        ResultsWriter.appendCsvRow(resultsFile, CSV_HEADER, List.of(cfg.neuron().model(),
                cfg.neuron().integrator().cliName(), cfg.seed(), cfg.neuron().dt(), cfg.T(), cfg.readout().cliName(),
                last.testAcc(), last.spikeRate(), last.silentFrac(), last.activeFrac(), last.nonFinite(),
                cfg.epochs(), cfg.dataset(), cfg.backend(), total));
        if (last.nonFinite() > 0) {
            out.println("note: " + last.nonFinite() + " hidden states were NaN or infinite in the last evaluation: "
                    + "the integrator diverged at this dt");
        }
        out.println(String.format(Locale.ROOT, "final test accuracy %.2f%%, hidden spike rate %.4f; results appended to %s and %s",
                last.testAcc(), last.spikeRate(), resultsFile, epochsFile));
        return results;
    }

    /** Accuracy and hidden-layer spike statistics on the test set, in order, batch by batch. */
    record Evaluation(double accuracy, double spikeRate, long nonFinite, int samples) {
    }

    private Evaluation evaluate(Network net, PoissonEncoder encoder, Dataset test, long seed, int[] labels) {
        int batches = (test.size() + cfg.batch() - 1) / cfg.batch();
        if (cfg.evalBatches() > 0) {
            batches = Math.min(batches, cfg.evalBatches());
        }
        long correct = 0;
        long spikes = 0;
        long nonFinite = 0;
        int samples = 0;
        for (int k = 0; k < batches; k++) {
            int first = k * cfg.batch();
            int B = Math.min(cfg.batch(), test.size() - first);
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
        double sites = (double) samples * cfg.T() * cfg.hidden();
        return new Evaluation(100.0 * correct / samples, spikes / sites, nonFinite, samples);
    }

    private Map<String, Object> epochRow(EpochResult r, int testSize, int evalSamples) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", cfg.neuron().model());
        m.put("integrator", cfg.neuron().integrator().cliName());
        m.put("seed", cfg.seed());
        m.put("dt", cfg.neuron().dt());
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
        rows.put("train / test", train.size() + " / " + test.size() + " samples, " + (train.size() / cfg.batch())
                + " batches per epoch");
        int w = rows.keySet().stream().mapToInt(String::length).max().orElse(10);
        String rule = "+" + "-".repeat(w + 2) + "+" + "-".repeat(80) + "+";
        out.println(rule);
        for (Map.Entry<String, String> e : rows.entrySet()) {
            out.println(String.format(Locale.ROOT, "| %-" + w + "s | %-78s |", e.getKey(), clip(e.getValue(), 78)));
        }
        out.println(rule);
    }

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 3) + "...";
    }
}
