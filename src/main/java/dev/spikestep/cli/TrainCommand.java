package dev.spikestep.cli;

import dev.spikestep.SpikestepException;
import dev.spikestep.data.DatasetLocator;
import dev.spikestep.io.OutLock;
import dev.spikestep.io.Safetensors;
import dev.spikestep.net.Readout;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.train.Checkpoints;
import dev.spikestep.train.TrainConfig;
import dev.spikestep.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Train the notebook's SNN with surrogate gradients and report accuracy and spike statistics.",
        description = {
            "Trains the notebook's network (784 -> hidden -> 10, no bias) with surrogate-gradient BPTT: "
                + "Poisson-encoded input, fc1 over all T*B rows at once, one neuron scan over time, fc_out, "
                + "a readout over time, cross-entropy and Adam (SPEC section 5). Prints the configuration "
                + "and one line per epoch; appends each epoch to OUT/epochs.jsonl and the finished run to "
                + "OUT/results.csv, flushed to disk as they are written. After every epoch a checkpoint "
                + "OUT/checkpoints/RUN-ID/epoch-NNN.safetensors (PyTorch's state_dict of the notebook's model; "
                + "evaluate it with 'spikestep eval') and the optimizer state for --resume. One run at a time "
                + "per OUT: a second one is refused.", ""},
        footer = {"", "Example:",
            "  spikestep train --model lif --integrator exp --dt 5 --T 50 --epochs 2 \\",
            "      --readout max --dataset mnist-sample --data data --out results",
            "  spikestep train ... --resume     # after a kill: continue from the last epoch"})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "lif|izh", defaultValue = "lif", description = "Neuron model (default: ${DEFAULT-VALUE}).")
    String model;

    @Mixin
    NeuronOptions.Single neuron;

    @Option(names = "--T", paramLabel = "STEPS", defaultValue = "50", description = "Time steps per sample (default: ${DEFAULT-VALUE}).")
    int T;

    @Option(names = "--epochs", defaultValue = "10", description = "Training epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", defaultValue = "0",
            description = "Seeds weights, shuffling and the encoder (train seed+epoch, test seed+10000+epoch) (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--readout", paramLabel = "last|max|mean|sum", defaultValue = "max",
            description = "How outputs over time become logits (default: ${DEFAULT-VALUE}).")
    String readout;

    @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--encoder", paramLabel = "exact|approx|bernoulli", defaultValue = "exact",
            description = "Spike probability per step from intensity x: 1-exp(-x*dt), clamp(x*dt), or x (default: ${DEFAULT-VALUE}).")
    String encoder;

    @Option(names = "--hidden", defaultValue = "256", description = "Hidden neurons (default: ${DEFAULT-VALUE}).")
    int hidden;






    @Option(names = "--train-samples", paramLabel = "N", defaultValue = "0",
            description = "Train on the first N samples only, 0 = all (default: ${DEFAULT-VALUE}).")
    int trainSamples;

    @Option(names = "--eval-batches", paramLabel = "N", defaultValue = "0",
            description = "Evaluate on the first N test batches only, 0 = all; the notebook used 10 per epoch (default: ${DEFAULT-VALUE}).")
    int evalBatches;

    @Option(names = "--resume",
            description = "Continue the run in OUT from its last complete checkpoint (same options; --epochs may grow). "
                + "A finished run is left as it is; an OUT without checkpoints starts a new run; one with another "
                + "run's checkpoints is refused, naming the options that differ.")
    boolean resume;

    @Option(names = "--keep-checkpoints", paramLabel = "N", defaultValue = "1",
            description = "Checkpoints kept in OUT/checkpoints/RUN-ID: the last N epochs and the best, 0 = every epoch "
                + "(default: ${DEFAULT-VALUE}).")
    int keepCheckpoints;

    @Mixin
    RunOptions run;

    @Mixin
    DatasetOption dataset;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() {
        int nThreads = run.threadCount();
        TrainConfig cfg = new TrainConfig(neuron.build("model", model), T, epochs, seed, Readout.parse(readout), batch, lr,
                PoissonEncoder.Method.parse(encoder), hidden, DatasetLocator.checkName(dataset.name), run.data.toString(),
                run.out.toString(), run.backend, nThreads, trainSamples, evalBatches);
        Checkpoints checkpoints = new Checkpoints(run.out.resolve("checkpoints").resolve(Checkpoints.runId(cfg)),
                keepCheckpoints);
        DatasetOption.find(run.data, cfg.dataset(), false); // a missing dataset is reported before OUT is touched
        // --device is checked before OUT is touched; the lock is held while the run lasts
        return device.run(cfg.backend(), () -> {
            try (OutLock lock = OutLock.acquire(run.out, "train")) {
                refuseRowsWithoutCheckpoints(run.out.resolve("epochs.jsonl"), Checkpoints.runId(cfg), checkpoints);
                if (resume) {
                    checkResumable(Checkpoints.identity(cfg), checkpoints);
                }
                DatasetLocator.Split split = DatasetLocator.load(run.data, cfg.dataset());
                new Trainer(cfg, System.out, System.err, System.console() != null).checkpoints(checkpoints, resume)
                        .onFinish(() -> InterruptNotice.finished = true).run(split);
                return 0;
            }
        });
    }

    /**
     * A run whose rows are in {@code epochsFile} but whose checkpoints were moved away is refused (train
     * and rstdp): running it again would write every row a second time.
     */
    static void refuseRowsWithoutCheckpoints(Path epochsFile, String runId, Checkpoints checkpoints) {
        java.util.Set<Integer> rows = Trainer.writtenEpochs(epochsFile, runId);
        if (checkpoints.epochs().isEmpty() && !rows.isEmpty()) {
            throw new SpikestepException(epochsFile + " already holds epochs " + new java.util.TreeSet<>(rows)
                    + " of run " + runId + ", whose checkpoints are gone from " + checkpoints.dir()
                    + ": running it again here would write its rows twice; choose another --out");
        }
    }

    /**
     * A resume needs this run's checkpoints; when OUT holds another run's instead, the message names
     * the options that differ (the run id is a hash of them, so they are found by content).
     */
    static void checkResumable(Map<String, String> want, Checkpoints mine) {
        if (!mine.epochs().isEmpty()) {
            return;
        }
        Path root = mine.dir().getParent();
        String kind = want.getOrDefault("kind", "surrogate"); // train's identity leaves it out; rstdp's names it
        List<String> closest = null;
        Path closestDir = null;
        if (Files.isDirectory(root)) {
            try (Stream<Path> dirs = Files.list(root)) {
                for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                    List<Integer> es = new Checkpoints(d, 1).epochs();
                    if (es.isEmpty()) {
                        continue;
                    }
                    Map<String, String> have;
                    try {
                        have = Safetensors.read(new Checkpoints(d, 1).weightsFile(es.get(es.size() - 1))).metadata();
                    } catch (SpikestepException e) {
                        continue; // another run's damaged file says nothing about this one
                    }
                    if (!have.getOrDefault("kind", "surrogate").equals(kind)) {
                        continue; // train's and rstdp's runs share checkpoints/
                    }
                    List<String> diff = Checkpoints.differences(want, have);
                    if (closest == null || diff.size() < closest.size()) {
                        closest = diff;
                        closestDir = d;
                    }
                }
            } catch (IOException e) {
                throw new SpikestepException("cannot list " + root + ": " + SpikestepException.reason(e), e);
            }
        }
        if (closest == null) {
            // Nothing to resume: a first run (make run always passes --resume, so that running it
            // again finishes or leaves the same run instead of refusing).
            System.err.println("--resume: " + root.getParent() + " holds no checkpoints yet: starting a new run");
            return;
        }
        throw new SpikestepException("--resume: the run in " + closestDir + " had other options: " + String.join(", ", closest)
                + "; resume with its options, or drop --resume to start a new run");
    }
}
