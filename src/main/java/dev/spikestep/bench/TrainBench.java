package dev.spikestep.bench;

import dev.spikestep.SpikestepException;
import dev.spikestep.data.Dataset;
import dev.spikestep.net.Adam;
import dev.spikestep.net.CpuNetwork;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Parallel;
import dev.spikestep.net.PhaseTimes;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.rng.Streams;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training-step throughput of the CPU backend: full steps (encode, forward, BPTT, Adam) on real
 * batches, after warm-up, timed per step; reports the median and the phase breakdown.
 */
public final class TrainBench {
    /** What one benchmark measured. {@code stepSeconds} are the timed steps, in order. */
    public record Result(NeuronSpec neuron, int T, int batch, int threads, double[] stepSeconds,
                         Map<String, Double> phaseSeconds) {
        public double medianStep() {
            double[] s = stepSeconds.clone();
            Arrays.sort(s);
            int n = s.length;
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }

        public double minStep() {
            return Arrays.stream(stepSeconds).min().orElse(Double.NaN);
        }

        public double maxStep() {
            return Arrays.stream(stepSeconds).max().orElse(Double.NaN);
        }

        public double samplesPerSecond() {
            return batch / medianStep();
        }

        /** Seconds for a 60,000-sample MNIST epoch (468 full batches of 128 at batch 128). */
        public double secondsPer60kEpoch() {
            return (60_000 / batch) * medianStep();
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", neuron.model());
            m.put("integrator", neuron.integrator().cliName());
            m.put("dt", neuron.dt());
            m.put("T", T);
            m.put("batch", batch);
            m.put("threads", threads);
            m.put("steps", stepSeconds.length);
            m.put("median_step_s", medianStep());
            m.put("min_step_s", minStep());
            m.put("max_step_s", maxStep());
            m.put("samples_per_s", samplesPerSecond());
            m.put("s_per_60k_epoch", secondsPer60kEpoch());
            phaseSeconds.forEach((k, v) -> m.put("phase_" + k.replace(' ', '_').replace('/', '_') + "_s_per_step",
                    v / stepSeconds.length));
            return m;
        }
    }

    private TrainBench() {
    }

    public static Result run(Dataset train, NeuronSpec neuron, int T, int batch, int threads, int warmup, int steps,
                             long seed) {
        if (train.size() < batch) {
            throw new SpikestepException("the benchmark needs at least one batch of " + batch + " samples");
        }
        if (steps < 1 || warmup < 0) {
            throw new SpikestepException("--repeats must be >= 1 and --warmup >= 0");
        }
        NetShape shape = new NetShape(train.pixels(), 256, train.numClasses(), T, batch);
        try (Parallel par = new Parallel(threads)) {
            CpuNetwork net = new CpuNetwork(shape, neuron, Readout.MAX, Adam.notebook(), par);
            net.initWeights(seed);
            PoissonEncoder encoder = new PoissonEncoder(PoissonEncoder.Method.EXACT, neuron.dt());
            int[] order = Streams.permutation(seed, 0, train.size());
            int batches = train.size() / batch;
            int[] labels = new int[batch];
            double[] times = new double[steps];
            for (int k = 0; k < warmup + steps; k++) {
                if (k == warmup) {
                    net.phaseTimes().reset();
                }
                int first = (k % batches) * batch;
                for (int b = 0; b < batch; b++) {
                    labels[b] = train.label(order[first + b]);
                }
                long t0 = System.nanoTime();
                net.encode(encoder, seed, train.images(), order, first, batch);
                net.forward();
                net.backward(labels);
                net.adamStep();
                if (k >= warmup) {
                    times[k - warmup] = (System.nanoTime() - t0) / 1e9;
                }
            }
            return new Result(neuron, T, batch, threads, times, net.phaseTimes().seconds());
        }
    }

    /** Phase name to median-free mean seconds per step, for display. */
    static Map<String, Double> perStep(Result r) {
        Map<String, Double> m = new LinkedHashMap<>();
        r.phaseSeconds().forEach((k, v) -> m.put(k, v / r.stepSeconds().length));
        return m;
    }
}
