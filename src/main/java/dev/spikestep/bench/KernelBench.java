package dev.spikestep.bench;

import dev.spikestep.SpikestepException;
import dev.spikestep.bench.Traffic.Pass;
import dev.spikestep.net.Parallel;
import dev.spikestep.neuron.NeuronKernels;
import dev.spikestep.neuron.NeuronSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The fused neuron kernels alone (NeuronKernels.forward / backward, the twins of kernels/neuron.cu)
 * at {@code T x (batch * neurons)}, one neuron x integrator at a time: warm-up calls (JIT), then
 * every repeat timed as one whole call, split over the threads as CpuNetwork splits it. Inputs are
 * seeded fc1-like currents (a mix of quiet and spiking neurons) and Gaussian spike gradients.
 * The CUDA twin is cuda.CudaBench, with CUDA events and an L2 flush between repeats.
 */
public final class KernelBench {
    /** Bytes per spike in the CPU layout (byte spikes); the GPU kernels keep them as floats. */
    public static final int CPU_SPIKE_BYTES = 1;
    public static final int GPU_SPIKE_BYTES = 4;

    /**
     * One kernel measured: its timings in seconds per call, the bytes one call moves, and the
     * device's peak bandwidth in bytes/s (GPU: from the device attributes; CPU: the measured
     * dram-rw ceiling; NaN where unknown).
     */
    public record Sample(NeuronSpec neuron, Pass pass, String backend, int T, int batch, int neurons, int threads,
                         Stats seconds, long bytesPerCall, double peakBytesPerSecond) {
        public long neuronSteps() {
            return (long) T * batch * neurons;
        }

        public double nsPerNeuronStep() {
            return seconds.median() * 1e9 / neuronSteps();
        }

        public double gbPerSecond() {
            return Traffic.gbPerSecond(bytesPerCall, seconds.median());
        }

        /** Achieved over peak bandwidth, NaN when the peak is unknown. */
        public double fractionOfPeak() {
            return bytesPerCall / seconds.median() / peakBytesPerSecond;
        }
    }

    private KernelBench() {
    }

    /** Checks the sizes before anything runs; M = batch * neurons must fit an int index. */
    public static void checkShape(int T, int batch, int neurons, int warmup, int repeats) {
        if (T < 1 || batch < 1 || neurons < 1) {
            throw new SpikestepException("--T, --batch and --neurons must be >= 1");
        }
        if ((long) T * batch * neurons > Integer.MAX_VALUE) {
            throw new SpikestepException("--T x --batch x --neurons = " + (long) T * batch * neurons
                    + " is more than one array holds (2^31 - 1); use fewer");
        }
        if (repeats < 1 || warmup < 0) {
            throw new SpikestepException("--repeats must be >= 1 and --warmup >= 0");
        }
    }

    /** Seeded inputs of the kernels: x_seq (fc1-like currents) and grad_spike_seq, each [T, M]. */
    public static float[][] inputs(int T, int M, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[T * M];
        float[] g = new float[T * M];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * 1.5 + 0.8);
            g[i] = (float) rnd.nextGaussian();
        }
        return new float[][] {x, g};
    }

    /** Forward then backward of every spec on the CPU, without a known peak. */
    public static List<Sample> cpu(List<NeuronSpec> specs, int T, int batch, int neurons, int threads, int warmup,
                                   int repeats, long seed) {
        return cpu(specs, T, batch, neurons, threads, warmup, repeats, seed, List.of(Pass.values()), Double.NaN);
    }

    /**
     * The given passes of every spec on the CPU (converge times the forward only);
     * {@code peakBytesPerSecond} is the ceiling the samples are a share of (the measured
     * {@link Roofline.Ceiling#DRAM_RW}), NaN for none.
     */
    public static List<Sample> cpu(List<NeuronSpec> specs, int T, int batch, int neurons, int threads, int warmup,
                                   int repeats, long seed, List<Pass> passes, double peakBytesPerSecond) {
        checkShape(T, batch, neurons, warmup, repeats);
        int M = batch * neurons;
        float[][] in = inputs(T, M, seed);
        float[] x = in[0];
        float[] g = in[1];
        float[] h = new float[T * M];
        byte[] s = new byte[T * M];
        float[] gx = new float[T * M];
        List<Sample> out = new ArrayList<>();
        try (Parallel par = new Parallel(threads)) {
            for (NeuronSpec spec : specs) {
                // as CpuNetwork trains: izh rk2, rk4 and K > 1 keep w for their backward
                float[] w = NeuronKernels.needsState(spec) ? new float[T * M] : null;
                Runnable fwd = () -> par.forRange(M, 256,
                        (m0, m1) -> NeuronKernels.forwardRange(spec, x, T, M, m0, m1, h, s, null, w));
                Runnable bwd = () -> par.forRange(M, 256,
                        (m0, m1) -> NeuronKernels.backwardRange(spec, g, x, h, s, w, T, M, m0, m1, gx));
                for (Pass pass : passes) {
                    // The backward reads the forward's h and spikes: they are in place from the forward's calls.
                    double[] t = time(pass == Pass.FORWARD ? fwd : bwd, warmup, repeats);
                    out.add(new Sample(spec, pass, "cpu", T, batch, neurons, par.threads(), Stats.of(t),
                            Traffic.bytesPerCall(pass, CPU_SPIKE_BYTES, T, M, w != null), peakBytesPerSecond));
                }
            }
        }
        return out;
    }

    /** Runs {@code call} {@code warmup} times untimed, then times each of {@code repeats} calls (seconds). */
    static double[] time(Runnable call, int warmup, int repeats) {
        for (int i = 0; i < warmup; i++) {
            call.run();
        }
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            call.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        return t;
    }
}
