package dev.spikestep.train;

import dev.spikestep.BadValueException;
import dev.spikestep.SpikestepException;
import dev.spikestep.io.Json;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.rng.PoissonEncoder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One surrogate-gradient training run (SPEC section 5), fully resolved and validated.
 *
 * @param trainLimit use only the first N training samples (0 = all)
 * @param evalBatches evaluate on the first N test batches only (0 = all, the default)
 */
public record TrainConfig(NeuronSpec neuron, int T, int epochs, long seed, Readout readout, int batch,
                          double lr, PoissonEncoder.Method encoder, int hidden, String dataset,
                          String dataDir, String outDir, String backend, int threads, int trainLimit,
                          int evalBatches) {
    public TrainConfig {
        dev.spikestep.net.NetShape.checkT("T", T);
        if (epochs < 1) {
            throw new BadValueException("epochs", "must be >= 1, got " + epochs);
        }
        if (batch < 1 || batch > 65_536) {
            throw new BadValueException("batch", "must be within [1, 65536], got " + batch);
        }
        BadValueException.requireFloat32("lr", lr, false, "");
        dev.spikestep.net.NetShape.checkHidden(hidden);
        dev.spikestep.net.Parallel.requireThreads(threads);
        if (trainLimit < 0) {
            throw new BadValueException("train_samples", "must be >= 0 (0 = all), got " + trainLimit);
        }
        if (evalBatches < 0) {
            throw new BadValueException("eval_batches", "must be >= 0 (0 = all), got " + evalBatches);
        }
        backend = dev.spikestep.net.Backends.check(backend); // auto becomes cpu or cuda
    }

    /** Encoder seed of an epoch's training pass (the notebook's {@code seed + epoch}). */
    public long trainEncoderSeed(int epoch) {
        return dev.spikestep.rng.EncoderSeeds.train(seed, epoch);
    }

    /** Encoder seed of an epoch's test pass (the notebook's {@code seed + 10000 + epoch}). */
    public long testEncoderSeed(int epoch) {
        return dev.spikestep.rng.EncoderSeeds.test(seed, epoch);
    }

    /** The configuration as ordered name/value pairs, for the start-up table and the results. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", neuron.model());
        m.put("integrator", neuron.integrator().cliName());
        m.put("dt", Json.exact(neuron.dt()));
        m.put("neuron", neuron.params());
        m.put("T", Integer.toString(T));
        m.put("epochs", Integer.toString(epochs));
        m.put("seed", Long.toString(seed));
        m.put("readout", readout.cliName());
        m.put("batch", Integer.toString(batch));
        m.put("lr", Json.exact(lr));
        m.put("encoder", encoder.cliName());
        m.put("network", "784 -> " + hidden + " -> 10");
        m.put("dataset", dataset + (trainLimit > 0 ? " (first " + trainLimit + " train samples)" : ""));
        m.put("data", dataDir);
        m.put("eval batches", evalBatches == 0 ? "all" : Integer.toString(evalBatches));
        m.put("backend", backend + (backend.equals("cpu") ? " (" + threads + " threads)" : ""));
        m.put("out", outDir);
        return m;
    }
}
