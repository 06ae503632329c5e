package dev.spikestep.rstdp;

import dev.spikestep.BadValueException;
import dev.spikestep.SpikestepException;
import dev.spikestep.data.DatasetLocator;
import dev.spikestep.io.Json;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.LifSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One R-STDP run (SPEC section 6), fully resolved and validated. The neuron and the gains are fixed
 * by the SPEC: LIF with {@code decay_input=false}, {@code v_th 0.3}, {@code tau 2}, {@code v_reset 0},
 * input and output gain 5, weights clamped to [-5, 5], Bernoulli encoder.
 *
 * @param maxTrainBatches train on the first N batches of each epoch's shuffled order (0 = all)
 * @param maxTestBatches evaluate each epoch on the first N test batches (0 = all); the final pass uses all
 * @param timeChunk steps simulated at once (buffers are {@code [timeChunk, B, N]}); results do not depend on it
 */
public record RstdpConfig(Integrator integrator, double dt, int T, int epochs, long seed, double lr, Reward reward,
                          double teach, double teachDecay, int maxTrainBatches, int maxTestBatches, int batch,
                          int testBatch, int hidden, int timeChunk, String dataset, String dataDir, String outDir,
                          String backend, int threads, int substeps) {
    public static final float V_TH = 0.3f;
    public static final double TAU = 2.0;
    public static final float V_RESET = 0f;
    /** {@code in_gain} and {@code out_gain} of the notebook. */
    public static final float GAIN = 5f;
    /** The notebook's {@code w_clip}. */
    public static final float W_CLIP = 5f;

    public RstdpConfig {
        neuron(integrator, dt, substeps); // validates integrator, dt and substeps
        dev.spikestep.net.NetShape.checkT("T", T);
        if (epochs < 1) {
            throw new BadValueException("epochs", "must be >= 1, got " + epochs);
        }
        BadValueException.requireFloat32("lr", lr, true, "");
        BadValueException.requireFloat32("teach", teach, true, " (0 = no teacher current)");
        BadValueException.requireFloat32("teach_decay", teachDecay, true, "");
        if (maxTrainBatches < 0) {
            throw new BadValueException("max_train_batches", "must be >= 0 (0 = all), got " + maxTrainBatches);
        }
        if (maxTestBatches < 0) {
            throw new BadValueException("max_test_batches", "must be >= 0 (0 = all), got " + maxTestBatches);
        }
        if (batch < 1 || batch > 65_536) {
            throw new BadValueException("batch", "must be within [1, 65536], got " + batch);
        }
        if (testBatch < 1 || testBatch > 65_536) {
            throw new BadValueException("test_batch", "must be within [1, 65536], got " + testBatch);
        }
        dev.spikestep.net.NetShape.checkHidden(hidden);
        if (timeChunk < 1) {
            throw new BadValueException("time_chunk", "must be >= 1, got " + timeChunk);
        }
        // The network's limits, here so that a run fails before its table and its OUT lock, and a
        // sweep's --check finds them; every dataset is 28x28 (DatasetLocator checks it on load).
        String tooLarge = dev.spikestep.net.NetShape.rstdpTooLarge(DatasetLocator.ROWS * DatasetLocator.COLS, hidden,
                T, timeChunk, Math.max(batch, testBatch));
        if (tooLarge != null) {
            throw new dev.spikestep.net.NetShape.TooLarge(tooLarge); // several values: a sweep names its point
        }
        checkTeacherCurrent(teach, teachDecay, epochs);
        dev.spikestep.net.Parallel.requireThreads(threads);
        // As train: cuda without a usable GPU is an error saying why, auto picks and says which;
        // never a silent fallback. The record keeps the resolved backend (cpu or cuda).
        backend = dev.spikestep.net.Backends.check(backend);
    }

    /** One step per dt (K = 1), the notebook's experiment. */
    public RstdpConfig(Integrator integrator, double dt, int T, int epochs, long seed, double lr, Reward reward,
                       double teach, double teachDecay, int maxTrainBatches, int maxTestBatches, int batch,
                       int testBatch, int hidden, int timeChunk, String dataset, String dataDir, String outDir,
                       String backend, int threads) {
        this(integrator, dt, T, epochs, seed, lr, reward, teach, teachDecay, maxTrainBatches, maxTestBatches, batch,
                testBatch, hidden, timeChunk, dataset, dataDir, outDir, backend, threads, 1);
    }

    /**
     * Each epoch's teacher current must be a finite float32 too: the kernels get it as one, and
     * --teach and --teach-decay can each be finite while teach x decay^epoch is not (1 x 1e30^2).
     * Multiplied as {@link #teachAt} does; it only grows where the decay is above 1.
     */
    private static void checkTeacherCurrent(double teach, double teachDecay, int epochs) {
        double t = teach;
        for (int e = 0; e < epochs && teachDecay > 1 && teach > 0; e++) {
            if (!Float.isFinite((float) t)) {
                // in the words of neither the options nor a sweep's keys: it comes from both
                throw new dev.spikestep.net.NetShape.TooLarge("the teacher current of epoch " + e + ", teach "
                        + Json.number(teach) + " x teach decay " + Json.number(teachDecay) + "^" + e + " = " + Json.number(t)
                        + ", is not a finite float32; lower the teacher current or its decay, or train fewer epochs");
            }
            t *= teachDecay;
        }
    }

    private static LifSpec neuron(Integrator integrator, double dt, int substeps) {
        return new LifSpec(integrator, dt, TAU, V_TH, V_RESET, false, false, substeps);
    }

    /** Both layers' neuron: SPEC 6's LIF at this run's integrator, dt and sub-steps (SPEC 9). */
    public LifSpec neuron() {
        return neuron(integrator, dt, substeps);
    }

    /** Teacher current of an epoch: {@code teach * teachDecay^epoch}, multiplied epoch by epoch as the notebook does. */
    public double teachAt(int epoch) {
        double t = teach;
        for (int e = 0; e < epoch; e++) {
            t *= teachDecay;
        }
        return t;
    }

    /** Encoder seed of an epoch's training pass (the notebook's {@code seed + epoch}). */
    public long trainEncoderSeed(int epoch) {
        return dev.spikestep.rng.EncoderSeeds.train(seed, epoch);
    }

    /** Encoder seed of an epoch's test pass ({@code seed + 10000 + epoch}). */
    public long testEncoderSeed(int epoch) {
        return dev.spikestep.rng.EncoderSeeds.test(seed, epoch);
    }

    /** Encoder seed of the final full test pass ({@code seed + 20000}, apart from every epoch's). */
    public long finalEncoderSeed() {
        return seed + 20_000;
    }

    /** The configuration as ordered name/value pairs, for the start-up table. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("experiment", "R-STDP (SPEC 6): W_out by reward-modulated STDP, per-step WTA on the output");
        m.put("integrator", integrator.cliName());
        m.put("dt", Json.exact(dt));
        m.put("neuron", "lif, " + neuron().params());
        m.put("gains", "in " + Json.exact(GAIN) + ", out " + Json.exact(GAIN) + "; W_out clamped to [-" + Json.exact(W_CLIP) + ", "
                + Json.exact(W_CLIP) + "]");
        m.put("T", T + " (simulated " + Math.min(timeChunk, T) + " steps at a time)");
        m.put("epochs", Integer.toString(epochs));
        m.put("seed", Long.toString(seed));
        m.put("reward", reward.cliName());
        m.put("lr", Json.exact(lr));
        m.put("teacher current", Json.exact(teach) + ", x" + Json.exact(teachDecay) + " per epoch");
        m.put("batch", batch + " train, " + testBatch + " test");
        m.put("batches per epoch", (maxTrainBatches == 0 ? "all" : Integer.toString(maxTrainBatches)) + " train, "
                + (maxTestBatches == 0 ? "all" : Integer.toString(maxTestBatches)) + " test; full test pass at the end");
        m.put("encoder", "bernoulli (p = x)");
        m.put("network", "784 -> " + hidden + " -> 10");
        m.put("dataset", dataset);
        m.put("data", dataDir);
        m.put("backend", backend + (backend.equals("cpu") ? " (" + threads + " threads)" : ""));
        m.put("out", outDir);
        return m;
    }
}
