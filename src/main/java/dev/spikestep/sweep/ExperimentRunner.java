package dev.spikestep.sweep;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs one grid point of one kind of experiment; the sweep engine does everything else (resume,
 * packing, sharding, files, progress). To add an experiment: implement this interface, give its
 * keys a schema in {@link ExperimentSchema}, and register it in {@link ExperimentRunners} or list
 * the class in {@code META-INF/services/dev.spikestep.sweep.ExperimentRunner}.
 *
 * <p>Implementations are called from several threads at once (one run each, {@code --parallel}),
 * must give results that do not depend on {@link Context#threads()}, and should report a user's
 * mistake as a {@link dev.spikestep.SpikestepException}.
 */
public interface ExperimentRunner {
    /** The {@code experiment:} value of the configurations this runner executes. */
    String experiment();

    /**
     * Checks, before the sweep starts, that the point can run here (its data exists, its values
     * make a valid configuration), so that a bad grid fails at once and not hours in. Throws
     * {@link dev.spikestep.SpikestepException} otherwise.
     */
    void check(RunPoint point, Context ctx);

    /**
     * Runs the point to the end. Calls {@code ctx.epochSink()} once per finished epoch with that
     * epoch's row (metrics such as {@code epoch, loss, test_acc, mean_spike_rate, seconds}) and
     * returns the run's final metrics. The report reads these keys when present:
     * {@code final_acc} (test accuracy in %), {@code final_mean_spike_rate}, {@code final_silent_frac},
     * {@code final_nonfinite} (count of NaN/infinite states; > 0 marks a diverged run),
     * {@code seconds_per_epoch}.
     */
    Map<String, Object> run(RunPoint point, Context ctx);

    /**
     * Packed runs ({@code --pack}): points with equal non-null keys can train together, each on its
     * view of one packed network. Null (the default): the point always runs alone.
     */
    default String packKey(RunPoint point) {
        return null;
    }

    /** {@link #run} on a network from {@code network} (a packed run's view); only for points with a pack key. */
    default Map<String, Object> run(RunPoint point, Context ctx, dev.spikestep.net.NetworkFactory network) {
        throw new UnsupportedOperationException(experiment() + " runs are not packed");
    }

    /**
     * Where and how a run executes.
     *
     * @param runDir a directory of the run's own (its log and any files it writes), emptied before each attempt
     * @param log the run's console output (a file in {@code runDir}); runs in parallel must not share stdout
     */
    record Context(Path dataDir, String backend, int threads, Path runDir, PrintStream log,
                   Consumer<Map<String, Object>> epochSink) {
        /**
         * Where the run keeps its checkpoints: {@code OUT/checkpoints/<run-id>}, beside (not in) its
         * run directory, so that they outlive the attempt that wrote them and a resumed sweep
         * continues a killed point from its last epoch.
         */
        public Path checkpointDir() {
            Path runs = runDir.toAbsolutePath().getParent();
            return runs.resolveSibling("checkpoints").resolve(runDir.getFileName());
        }
    }
}
