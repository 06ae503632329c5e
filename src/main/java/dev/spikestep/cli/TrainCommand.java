package dev.spikestep.cli;

import dev.spikestep.data.DatasetLocator;
import dev.spikestep.net.Readout;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.train.TrainConfig;
import dev.spikestep.train.Trainer;
import java.util.concurrent.Callable;
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
                + "OUT/results.csv, flushed to disk as they are written.", ""},
        footer = {"", "Example:",
            "  spikestep train --model lif --integrator exp --dt 5 --T 50 --epochs 2 \\",
            "      --readout max --dataset mnist-sample --data data --out results"})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "lif|izh", defaultValue = "lif", description = "Neuron model (default: ${DEFAULT-VALUE}).")
    String model;

    @Mixin
    NeuronOptions neuron;

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

    @Mixin
    RunOptions run;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() {
        int nThreads = run.threadCount();
        TrainConfig cfg = new TrainConfig(neuron.build(model), T, epochs, seed, Readout.parse(readout), batch, lr,
                PoissonEncoder.Method.parse(encoder), hidden, DatasetLocator.checkName(run.dataset), run.data.toString(),
                run.out.toString(), run.backend, nThreads, trainSamples, evalBatches);
        return device.run(cfg.backend(), () -> {
            DatasetLocator.Split split = DatasetLocator.load(run.data, cfg.dataset());
            new Trainer(cfg, System.out, System.err, System.console() != null).run(split);
            return 0;
        });
    }
}
