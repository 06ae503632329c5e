package dev.spikestep.cli;

import dev.spikestep.SpikestepException;
import dev.spikestep.data.DatasetLocator;
import dev.spikestep.io.OutLock;
import dev.spikestep.train.Checkpoints;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.rstdp.Reward;
import dev.spikestep.rstdp.RstdpConfig;
import dev.spikestep.rstdp.RstdpRunner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "rstdp", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Train the notebook's two-layer LIF network with reward-modulated STDP (no gradients).",
        description = {
            "The notebook's R-STDP experiment (SPEC section 6): Bernoulli-encoded input, fc_in (gain 5) into "
                + "--hidden LIF neurons (256 by default), fc_out (gain 5) into 10 LIF neurons (decay_input false, v_th 0.3, tau 2, "
                + "v_reset 0), a teacher current on the label's output during training, winner-take-all on the "
                + "counted output spikes at every step, and after each batch the R-STDP update of W_out "
                + "(clamped to [-5, 5]). Prediction: the output neuron with the most spikes. Prints the "
                + "configuration and one line per epoch, then a pass over the whole test set; appends each "
                + "epoch to OUT/rstdp_epochs.jsonl and the run to OUT/rstdp_results.csv.", ""},
        footer = {"", "Example:",
            "  spikestep rstdp --integrator euler --dt 0.1 --T 200 --epochs 5 --reward pm1 \\",
            "      --dataset mnist-sample --data data --out results",
            "  spikestep rstdp ... --resume     # after a kill: continue from the last epoch"})
public final class RstdpCommand implements Callable<Integer> {
    @Option(names = "--integrator", paramLabel = "euler|exp|zoh|rk2|rk4", defaultValue = "euler",
            description = "LIF integrator of both layers (default: ${DEFAULT-VALUE}).")
    String integrator;

    @Option(names = "--substeps", paramLabel = "K", defaultValue = "1",
            description = "Charges of length dt/K per step with the input held, one fire and reset (SPEC 9; default: ${DEFAULT-VALUE}).")
    int substeps;

    @Option(names = "--dt", paramLabel = "DT", defaultValue = "0.1", description = "Integration time step (default: ${DEFAULT-VALUE}).")
    double dt;

    @Option(names = "--T", paramLabel = "STEPS", defaultValue = "200", description = "Time steps per sample (default: ${DEFAULT-VALUE}).")
    int T;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", defaultValue = "0",
            description = "Seeds weights, shuffling and the encoder (train seed+epoch, test seed+10000+epoch, "
                    + "final test seed+20000) (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--lr", defaultValue = "0.05", description = "Learning rate of W_out (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--reward", paramLabel = "pm1|onehot", defaultValue = "pm1",
            description = "pm1: +-1 to the spike-count winner's row; onehot: onehot(label) - softmax(counts) (default: ${DEFAULT-VALUE}).")
    String reward;

    @Option(names = "--teach", paramLabel = "I", defaultValue = "1.0",
            description = "Teacher current added to the label's output during training, 0 = none (default: ${DEFAULT-VALUE}).")
    double teach;

    @Option(names = "--teach-decay", paramLabel = "F", defaultValue = "0.95",
            description = "Factor applied to the teacher current after every epoch (default: ${DEFAULT-VALUE}).")
    double teachDecay;

    @Option(names = "--max-train-batches", paramLabel = "N", defaultValue = "1000",
            description = "Training batches per epoch, 0 = all (default: ${DEFAULT-VALUE}).")
    int maxTrainBatches;

    @Option(names = "--max-test-batches", paramLabel = "N", defaultValue = "50",
            description = "Test batches evaluated after each epoch, 0 = all; the final pass uses all (default: ${DEFAULT-VALUE}).")
    int maxTestBatches;

    @Option(names = "--batch", defaultValue = "64", description = "Training batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--test-batch", defaultValue = "256", description = "Test batch size (default: ${DEFAULT-VALUE}).")
    int testBatch;

    @Option(names = "--hidden", defaultValue = "256", description = "Hidden neurons (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--time-chunk", paramLabel = "STEPS", defaultValue = "50",
            description = "Steps simulated at once; bounds memory for long T, never changes results (default: ${DEFAULT-VALUE}).")
    int timeChunk;

    @Option(names = "--resume",
            description = "Continue the run in OUT from its last checkpoint (same options), or write its results row "
                + "when only the final test pass is missing. A finished run is left as it is; an OUT without "
                + "checkpoints starts a new run; one with another run's checkpoints is refused, naming the "
                + "options that differ.")
    boolean resume;

    @Mixin
    RunOptions run;

    @Mixin
    DatasetOption dataset;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() {
        int nThreads = run.threadCount();
        RstdpConfig cfg = new RstdpConfig(Integrator.parse("integrator", integrator, java.util.List.of("lif")), dt, T, epochs, seed, lr, Reward.parse(reward),
                teach, teachDecay, maxTrainBatches, maxTestBatches, batch, testBatch, hidden, timeChunk,
                DatasetLocator.checkName(dataset.name), run.data.toString(), run.out.toString(), run.backend, nThreads, substeps);
        DatasetOption.find(run.data, cfg.dataset(), false); // a missing dataset is reported before OUT is touched
        // --device is checked before OUT is touched; the lock is held while the run lasts
        return device.run(cfg.backend(), () -> {
            try (OutLock lock = OutLock.acquire(run.out, "rstdp")) {
                Checkpoints checkpoints = new Checkpoints(run.out.resolve("checkpoints").resolve(RstdpRunner.runId(cfg)), 1);
                TrainCommand.refuseRowsWithoutCheckpoints(run.out.resolve(RstdpRunner.EPOCHS_FILE), RstdpRunner.runId(cfg),
                        checkpoints);
                if (resume) {
                    TrainCommand.checkResumable(RstdpRunner.identity(cfg), checkpoints);
                }
                DatasetLocator.Split split = DatasetLocator.load(run.data, cfg.dataset());
                new RstdpRunner(cfg, System.out, System.err, System.console() != null).checkpoints(checkpoints, resume)
                        .onFinish(() -> InterruptNotice.finished = true).run(split);
                return 0;
            }
        });
    }
}
