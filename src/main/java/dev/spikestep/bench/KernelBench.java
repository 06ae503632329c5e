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
 * at {@code T x (batch * neurons)}, one neuron x integrator at a time: warm-up calls (the count
 * asked, then on until the JIT is quiet: {@link JitQuiet}), then
 * every repeat timed as one whole call, split over the threads as CpuNetwork splits it. Inputs are
 * seeded fc1-like currents (a mix of quiet and spiking neurons) and Gaussian spike gradients.
 * The CUDA twin is cuda.CudaBench, with CUDA events and an L2 flush between repeats.
 */
public final class KernelBench {
    /** Bytes per spike in the CPU layout (byte spikes); the GPU kernels keep them as floats. */
    public static final int CPU_SPIKE_BYTES = 1;
    public static final int GPU_SPIKE_BYTES = 4;

    /**
     * One kernel measured: its timings in seconds per call, the bytes one call moves, the device's
     * peak bandwidth in bytes/s (GPU: from the device attributes; CPU: the measured dram-rw
     * ceiling; NaN where unknown) and, on the CPU, the kernel's own time per neuron-step with its
     * data in cache ({@link #inCacheNs}; NaN where not measured) and the Java heap it allocated per
     * timed call, all threads together (NaN where not counted): its scratch rows, kilobytes; a
     * vector C2 did not keep in registers is an object per operation, megabytes.
     */
    public record Sample(NeuronSpec neuron, Pass pass, String backend, int T, int batch, int neurons, int threads,
                         Stats seconds, long bytesPerCall, double peakBytesPerSecond, double inCacheNsPerNeuronStep,
                         double allocBytesPerCall) {
        public Sample {
            if (!(inCacheNsPerNeuronStep > 0) && !Double.isNaN(inCacheNsPerNeuronStep)) {
                throw new IllegalArgumentException("in-cache ns per neuron-step must be > 0 or NaN, got "
                        + inCacheNsPerNeuronStep);
            }
            if (!(allocBytesPerCall >= 0) && !Double.isNaN(allocBytesPerCall)) {
                throw new IllegalArgumentException("allocated bytes per call must be >= 0 or NaN, got " + allocBytesPerCall);
            }
        }

        /** A sample without its allocation counted. */
        public Sample(NeuronSpec neuron, Pass pass, String backend, int T, int batch, int neurons, int threads,
                      Stats seconds, long bytesPerCall, double peakBytesPerSecond, double inCacheNsPerNeuronStep) {
            this(neuron, pass, backend, T, batch, neurons, threads, seconds, bytesPerCall, peakBytesPerSecond,
                    inCacheNsPerNeuronStep, Double.NaN);
        }

        /** A sample without an in-cache time (the GPU's, and runs that only want the cost). */
        public Sample(NeuronSpec neuron, Pass pass, String backend, int T, int batch, int neurons, int threads,
                      Stats seconds, long bytesPerCall, double peakBytesPerSecond) {
            this(neuron, pass, backend, T, batch, neurons, threads, seconds, bytesPerCall, peakBytesPerSecond, Double.NaN);
        }

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

        /** The bytes' time at the peak bandwidth (NaN when the peak is unknown). */
        private double memorySeconds() {
            return bytesPerCall / peakBytesPerSecond;
        }

        /** The arithmetic's time at the in-cache speed (NaN when not measured). */
        private double computeSeconds() {
            return inCacheNsPerNeuronStep * neuronSteps() / 1e9;
        }

        /**
         * The least time a call can take: its bytes at the peak bandwidth or its arithmetic at the
         * in-cache speed, whichever is longer (the roofline of this kernel's code); NaN when either
         * is unknown.
         */
        public double floorSeconds() {
            return Math.max(memorySeconds(), computeSeconds());
        }

        /** What bounds the floor: "memory" or "compute" (the in-cache time is the longer); "" when unknown. */
        public String bound() {
            if (!Double.isFinite(floorSeconds())) {
                return "";
            }
            return memorySeconds() >= computeSeconds() ? "memory" : "compute";
        }

        /** The floor over the median time: 1 at the floor; NaN when the floor is unknown. */
        public double fractionOfFloor() {
            return floorSeconds() / seconds.median();
        }
    }

    /**
     * Neurons per thread of the in-cache run ({@link #inCacheNs}): at T 50 its x, h, spikes,
     * gradients and w take 270 KiB, inside a 512 KiB L2 with the kernels' scratch rows.
     */
    public static final int IN_CACHE_NEURONS = 256;
    /** The in-cache run's steps at most: the cost per neuron-step does not depend on T, the footprint does. */
    private static final int IN_CACHE_T = 50;
    /** Untimed calls of each in-cache thread at least (C2 compiles a kernel after a few hundred). */
    static final int IN_CACHE_WARMUP_CALLS = 500;

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
        checkHeap(ARRAYS_PER_ELEMENT * T * batch * neurons, "use a smaller --T, --batch or --neurons");
    }

    /** About how many float arrays of [T, M] a kernel's bench holds at once (inputs, h, w, grad_x, spikes). */
    public static final long ARRAYS_PER_ELEMENT = 6;

    /**
     * Fails before any work, with the options to lower, when arrays of {@code floats} floats in all
     * would not fit the JVM's heap (they ended in OutOfMemoryError halfway through).
     */
    public static void checkHeap(long floats, String lower) {
        double need = 4.0 * floats;
        // MiB, as the out-of-memory message says the heap: a small heap (-Xmx40m) is not "0.0 GB"
        if (need > 0.8 * Runtime.getRuntime().maxMemory()) {
            throw new SpikestepException(String.format(java.util.Locale.ROOT,
                    "that needs about %.0f MiB of arrays and the JVM's heap is %d MiB: %s, or run java with a larger -Xmx",
                    need / (1 << 20), dev.spikestep.net.Backends.heapMiB(), lower));
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
        return cpu(specs, T, batch, neurons, threads, warmup, repeats, seed, List.of(Pass.values()), Double.NaN, false);
    }

    /**
     * The given passes of every spec on the CPU (converge times the forward only);
     * {@code peakBytesPerSecond} is the ceiling the samples are a share of (the measured
     * {@link Roofline.Ceiling#DRAM_RW}), NaN for none; with {@code inCache} each sample also gets
     * its {@link #inCacheNs}.
     */
    public static List<Sample> cpu(List<NeuronSpec> specs, int T, int batch, int neurons, int threads, int warmup,
                                   int repeats, long seed, List<Pass> passes, double peakBytesPerSecond, boolean inCache) {
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
                    Timed t = time(pass == Pass.FORWARD ? fwd : bwd, warmup, repeats);
                    double cached = inCache ? inCacheNs(spec, pass, T, threads, seed) : Double.NaN;
                    out.add(new Sample(spec, pass, "cpu", T, batch, neurons, par.threads(), Stats.of(t.seconds()),
                            Traffic.bytesPerCall(pass, CPU_SPIKE_BYTES, T, M, w != null), peakBytesPerSecond, cached,
                            t.allocBytesPerCall()));
                }
            }
        }
        return out;
    }

    /**
     * The kernel's time per neuron-step when memory is not what bounds it: all threads at once, each
     * calling it again and again on its own {@code min(T, IN_CACHE_T) x IN_CACHE_NEURONS} inputs
     * (which stay in its L2). Each thread warms up until its fastest call stops improving, takes as
     * many calls as fill 2 ms, then times 15 rounds of them, every round started by a barrier, so that the
     * threads run together; the threads' rates (the fastest round of each: whatever else runs on
     * the cores, the JIT's threads or another tenant, only adds time) add up. Two such runs at least,
     * on fresh arrays, until two agree. Above the bytes' time at the DRAM
     * ceiling, the arithmetic (with the kernel's scratch rows in L1 and L2) is what bounds the
     * pass, not the memory: see {@link Sample#bound}. The backward reads the h, spikes (and w) of a
     * forward first.
     */
    static double inCacheNs(NeuronSpec spec, Pass pass, int T, int threads, long seed) {
        // Runs with fresh arrays and threads until two agree within 15% (3 at most), the fastest
        // taken: one run in a few came out 3-20x slower than the others (lif rk4's forward, JDK 25).
        double best = inCacheRun(spec, pass, T, threads, seed, 0.2);
        for (int run = 1; run < 3; run++) {
            double next = inCacheRun(spec, pass, T, threads, seed + 1000L * run, 0.05);
            boolean agree = Math.abs(next - best) <= 0.15 * Math.min(next, best);
            best = Math.min(best, next);
            if (agree) {
                break;
            }
        }
        return best;
    }

    /** One in-cache run, its warm-up {@code minWarmupSeconds} at least. */
    private static double inCacheRun(NeuronSpec spec, Pass pass, int T, int threads, long seed, double minWarmupSeconds) {
        int t = Math.min(T, IN_CACHE_T);
        int m = IN_CACHE_NEURONS;
        double[] stepsPerSecond = new double[threads];
        java.util.concurrent.CyclicBarrier round = new java.util.concurrent.CyclicBarrier(threads);
        Roofline.onThreads(threads, round, "in-cache", "the in-cache kernel run", k -> {
            float[][] in = inputs(t, m, seed + k); // each thread its own inputs, its own pages
            float[] x = in[0];
            float[] g = in[1];
            float[] h = new float[t * m];
            byte[] s = new byte[t * m];
            float[] gx = new float[t * m];
            float[] w = NeuronKernels.needsState(spec) ? new float[t * m] : null;
            NeuronKernels.forwardRange(spec, x, t, m, 0, m, h, s, null, w);
            Runnable call = pass == Pass.FORWARD
                    ? () -> NeuronKernels.forwardRange(spec, x, t, m, 0, m, h, s, null, w)
                    : () -> NeuronKernels.backwardRange(spec, g, x, h, s, w, t, m, 0, m, gx);
            // Warm-up until the fastest call has not improved by 5% for 50 ms and the JIT is quiet
            // (minWarmupSeconds and 500 calls at least, 3 s at most): a kernel entered with new
            // sizes may hit an uncommon trap and run deoptimized until C2 has compiled it again.
            long start = System.nanoTime();
            long lastGain = start;
            long best = Long.MAX_VALUE;
            JitQuiet jit = new JitQuiet();
            for (int c = 1; ; c++) {
                long a = System.nanoTime();
                call.run();
                long now = System.nanoTime();
                if (now - a < 0.95 * best) {
                    lastGain = now;
                }
                best = Math.min(best, now - a);
                if (c >= IN_CACHE_WARMUP_CALLS && now - start >= minWarmupSeconds * 1e9 && now - lastGain >= 50_000_000L
                        && jit.quiet() || now - start >= 3_000_000_000L) {
                    break;
                }
            }
            int calls = (int) Math.max(1, Math.min(1_000_000, 2_000_000L / Math.max(1, best))); // about 2 ms
            double[] sec = new double[15];
            for (int r = 0; r < sec.length; r++) {
                round.await();
                long r0 = System.nanoTime();
                for (int c = 0; c < calls; c++) {
                    call.run();
                }
                sec[r] = (System.nanoTime() - r0) / 1e9;
            }
            stepsPerSecond[k] = (double) calls * t * m / Stats.of(sec).min();
        });
        double sum = 0;
        for (double r : stepsPerSecond) {
            sum += r;
        }
        return 1e9 / sum;
    }

    /** Timed calls: each one's seconds, and the heap all threads allocated per call (NaN where the JVM does not count it). */
    record Timed(double[] seconds, double allocBytesPerCall) {
    }

    /**
     * Runs {@code call} {@code warmup} times untimed and on until the JIT is quiet ({@link JitQuiet}),
     * then times each of {@code repeats} calls, counting what they allocate.
     */
    static Timed time(Runnable call, int warmup, int repeats) {
        JitQuiet.warmUp(call, warmup);
        double[] t = new double[repeats];
        long a0 = allocatedBytes();
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            call.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        long a1 = allocatedBytes();
        return new Timed(t, a0 < 0 || a1 < a0 ? Double.NaN : (double) (a1 - a0) / repeats);
    }

    /** The heap every thread of this JVM has allocated so far (those ended too), bytes; -1 where not counted. */
    static long allocatedBytes() {
        return java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean m
                && m.isThreadAllocatedMemorySupported() && m.isThreadAllocatedMemoryEnabled()
                ? m.getTotalThreadAllocatedBytes() : -1;
    }
}
