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
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training-step cost: full steps (encode, forward, BPTT, Adam) of the SPEC section 5 network on real
 * batches, after warm-up (the steps asked, then on until the JIT is quiet: {@link JitQuiet}), each
 * timed alone, with the time of every phase of every step. The CPU backend runs here (wall clock
 * of a whole step, and PhaseTimes' per-phase clock reads); the CUDA backend's twin is
 * cuda.CudaBench, which times the same phases with CUDA events.
 */
public final class TrainBench {
    /**
     * What one benchmark measured: {@code stepSeconds} per timed step, in order, and for every phase
     * (PhaseTimes labels, execution order) its seconds in each of those steps; {@code counts}, the
     * work the steps had to do (for {@link Roofline#work}), or null where it was not counted;
     * {@code allocBytesPerStep}, the Java heap all threads allocated per timed step (NaN where not
     * counted): the per-step scratch, or boxed vectors where that is many times more.
     */
    public record Result(NeuronSpec neuron, String backend, int T, int batch, int hidden, int threads, double[] stepSeconds,
                         Map<String, double[]> phaseSeconds, Roofline.StepCounts counts, double allocBytesPerStep) {
        public Result {
            if (!(allocBytesPerStep >= 0) && !Double.isNaN(allocBytesPerStep)) {
                throw new IllegalArgumentException("allocated bytes per step must be >= 0 or NaN, got " + allocBytesPerStep);
            }
        }

        /** A result without its allocation counted. */
        public Result(NeuronSpec neuron, String backend, int T, int batch, int hidden, int threads, double[] stepSeconds,
                      Map<String, double[]> phaseSeconds, Roofline.StepCounts counts) {
            this(neuron, backend, T, batch, hidden, threads, stepSeconds, phaseSeconds, counts, Double.NaN);
        }

        /** A result without counts (the CUDA bench). */
        public Result(NeuronSpec neuron, String backend, int T, int batch, int hidden, int threads, double[] stepSeconds,
                      Map<String, double[]> phaseSeconds) {
            this(neuron, backend, T, batch, hidden, threads, stepSeconds, phaseSeconds, null);
        }

        public Stats step() {
            return Stats.of(stepSeconds);
        }

        public Stats phase(String label) {
            return Stats.of(phaseSeconds.get(label));
        }

        /** Mean seconds of a phase per step over the mean step: the phase's share of a step. */
        public double share(String label) {
            return Stats.of(phaseSeconds.get(label)).mean() / step().mean();
        }

        public double samplesPerSecond() {
            return batch / step().median();
        }

        /** Seconds for a 60,000-sample MNIST epoch (468 full batches at batch 128), at the median step. */
        public double secondsPer60kEpoch() {
            return (60_000 / batch) * step().median();
        }
    }

    private TrainBench() {
    }

    /** What a step bench of {@code hidden} neurons refuses before any work; the hidden layer as train's {@code --hidden}. */
    public static void check(Dataset train, int batch, int hidden, int warmup, int steps) {
        try {
            NetShape.checkHidden(hidden);
        } catch (dev.spikestep.BadValueException e) { // bench's option for the width is --neurons
            throw new SpikestepException("--neurons " + e.problem() + " with --what step (its hidden layer, as train's "
                    + "--hidden)");
        }
        if (train.size() < batch) {
            throw new SpikestepException("the benchmark needs at least one batch of " + batch + " samples, the dataset has "
                    + train.size());
        }
        if (steps < 1 || warmup < 0) {
            throw new SpikestepException("--repeats must be >= 1 and --warmup >= 0");
        }
    }

    /**
     * The batches a step bench trains on, the same on every backend: step k (the warm-up steps
     * counted first) takes batch k mod (size / batch) of the permuted set, its labels filled apart,
     * so that a timed step times the step alone.
     */
    public static final class Batches {
        private final Dataset train;
        private final int[] order;
        private final int batch;
        private final int count;
        private final int[] labels;

        public Batches(Dataset train, int[] order, int batch) {
            this.train = train;
            this.order = order;
            this.batch = batch;
            this.count = train.size() / batch;
            this.labels = new int[batch];
        }

        /** Step k's first index into {@code order}; its labels are in {@link #labels()} until the next call. */
        public int first(int k) {
            int first = (k % count) * batch;
            for (int b = 0; b < batch; b++) {
                labels[b] = train.label(order[first + b]);
            }
            return first;
        }

        public int[] labels() {
            return labels;
        }
    }

    /** {@code hidden} neurons between the dataset's pixels and its classes (the notebook: 784 -> 256 -> 10). */
    public static Result run(Dataset train, NeuronSpec neuron, int T, int batch, int hidden, int threads, int warmup,
                             int steps, long seed) {
        check(train, batch, hidden, warmup, steps);
        NetShape shape = new NetShape(train.pixels(), hidden, train.numClasses(), T, batch);
        PhaseTimes.Phase[] phases = PhaseTimes.Phase.values();
        try (Parallel par = new Parallel(threads)) {
            CpuNetwork net = new CpuNetwork(shape, neuron, Readout.MAX, Adam.notebook(), par);
            net.initWeights(seed);
            PoissonEncoder encoder = new PoissonEncoder(PoissonEncoder.Method.EXACT, neuron.dt());
            int[] order = Streams.permutation(seed, 0, train.size());
            Batches batches = new Batches(train, order, batch);
            double[] times = new double[steps];
            double[][] phaseTimes = new double[phases.length][steps];
            long allocated = 0; // over the timed steps; -1 where not counted
            double inputSpikes = 0;
            double hiddenSpikes = 0;
            java.util.function.IntConsumer step = first -> {
                net.encode(encoder, seed, train.images(), order, first, batch);
                net.forward();
                net.backward(batches.labels());
                net.adamStep();
            };
            // JitQuiet may run more warm-up steps than asked; the timed steps are those of the GPU's bench
            int[] warm = {0};
            JitQuiet.warmUp(() -> step.accept(batches.first(warm[0]++)), warmup);
            for (int k = 0; k < steps; k++) {
                int first = batches.first(warmup + k);
                long[] before = net.phaseTimes().snapshot();
                long a0 = KernelBench.allocatedBytes();
                long t0 = System.nanoTime();
                step.accept(first);
                long t1 = System.nanoTime();
                long a1 = KernelBench.allocatedBytes();
                long[] after = net.phaseTimes().snapshot();
                times[k] = (t1 - t0) / 1e9;
                for (int p = 0; p < phases.length; p++) {
                    phaseTimes[p][k] = (after[p] - before[p]) / 1e9;
                }
                allocated = a0 < 0 || a1 < a0 || allocated < 0 ? -1 : allocated + (a1 - a0);
                // Counted after the clock stopped: the work this step had to do.
                inputSpikes += net.inputSpikeCount();
                hiddenSpikes += net.hiddenSpikeCount();
            }
            Roofline.StepCounts counts = new Roofline.StepCounts(T, batch, shape.nIn(), hidden, shape.nOut(),
                    inputSpikes / steps, hiddenSpikes / steps, dev.spikestep.neuron.NeuronKernels.needsState(neuron));
            return new Result(neuron, "cpu", T, batch, hidden, par.threads(), times, phaseMap(phaseTimes), counts,
                    allocated < 0 ? Double.NaN : (double) allocated / steps);
        }
    }

    /** Per-phase samples keyed by the PhaseTimes labels, in execution order. */
    public static Map<String, double[]> phaseMap(double[][] perPhase) {
        Map<String, double[]> m = new LinkedHashMap<>();
        PhaseTimes.Phase[] phases = PhaseTimes.Phase.values();
        for (int p = 0; p < phases.length; p++) {
            m.put(phases[p].label(), perPhase[p]);
        }
        return m;
    }
}
