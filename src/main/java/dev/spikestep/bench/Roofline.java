package dev.spikestep.bench;

import dev.spikestep.SpikestepException;
import dev.spikestep.bench.Traffic.Pass;
import dev.spikestep.net.PhaseTimes;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.simd.VectorOps;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.function.IntConsumer;

/**
 * This machine's own ceilings, measured with the bench's threads before anything else, and the work
 * each phase of a training step cannot avoid, so that a phase's time becomes a throughput and a
 * share of the ceiling that bounds it ("at the floor" as a measurement, not a guess).
 *
 * <p>Every ceiling runs the CPU backend's own kernels with the Vector API when it is enabled, all
 * threads at once, each on its own part: the reads and the adds run {@link VectorOps#sumRows} (one
 * load and one add per element into 8 register accumulators), over consecutive rows of 8 vectors
 * ({@link #ROW} floats), its row index list counted in the bytes; read+write runs {@link VectorOps#axpy}.
 */
public final class Roofline {
    /** A measured ceiling: its name, its unit (per second) and how it is measured. */
    public enum Ceiling {
        DRAM_READ("dram-read", "B", "fc1's row sum over a 128 MiB buffer, split over the threads (4x a 32 MiB L3)"),
        DRAM_RW("dram-rw", "B", "y += a * x over two 64 MiB buffers: 12 bytes per element (2 reads, 1 write)"),
        L2_READ("l2-read", "B", "each thread row-sums its own 256 KiB buffer, again and again"),
        L1_ADD("l1-add", "add", "fc1's kernel on each thread's own 16 KiB: each loaded row added to "
                + dev.spikestep.net.SpikeLinear.stepsPerGroup() + " sums, float adds per second");

        private final String label;
        private final String unit;
        private final String how;

        Ceiling(String label, String unit, String how) {
            this.label = label;
            this.unit = unit;
            this.how = how;
        }

        public String label() {
            return label;
        }

        /** "B" (bytes) or "add" (float adds); throughputs are per second. */
        public String unit() {
            return unit;
        }

        public String how() {
            return how;
        }
    }

    /** The ceilings as measured: per second (bytes or adds), with the timing of each. */
    public record Ceilings(int threads, Map<Ceiling, Double> perSecond, Map<Ceiling, Stats> seconds) {
        public Ceilings {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            }
            for (Ceiling c : Ceiling.values()) {
                Double v = perSecond.get(c);
                if (v == null || !(v > 0) || !seconds.containsKey(c)) {
                    throw new IllegalArgumentException("ceiling " + c.label() + " is missing or not positive: " + v);
                }
            }
            perSecond = Map.copyOf(perSecond);
            seconds = Map.copyOf(seconds);
        }

        public double of(Ceiling c) {
            return perSecond.get(c);
        }
    }

    /**
     * What a training step must do, counted from its data: the shape, and the mean number of input
     * spikes (set bits of the encoder's bitmasks) and of hidden spikes per step.
     */
    public record StepCounts(int T, int batch, int nIn, int hidden, int nOut, double inputSpikes, double hiddenSpikes,
                             boolean keepsState) {
        public StepCounts {
            if (T < 1 || batch < 1 || nIn < 1 || hidden < 1 || nOut < 1) {
                throw new IllegalArgumentException("step shape must be positive");
            }
            if (!(inputSpikes >= 0) || !(hiddenSpikes >= 0)) {
                throw new IllegalArgumentException("spike counts must be >= 0, got " + inputSpikes + ", " + hiddenSpikes);
            }
        }

        long neuronSteps() {
            return (long) T * batch * hidden;
        }
    }

    /** The unavoidable work of one phase per step, in the unit of the ceiling that bounds it. */
    public record Work(double amount, Ceiling ceiling, String what) {
    }

    private static volatile float sink;

    private Roofline() {
    }

    /**
     * The work of each phase (SPEC section 5 network, CPU layouts): bytes for the streaming phases
     * (against dram-rw: their [T, B, N] buffers are several times L2), float adds for the sparse
     * products (against l1-add: their weight rows stay in cache).
     */
    public static Work work(PhaseTimes.Phase phase, StepCounts c) {
        long rows = (long) c.T() * c.batch();
        long params = (long) c.nIn() * c.hidden() + (long) c.hidden() * c.nOut();
        return switch (phase) {
            case ENCODE -> new Work(rows * PoissonEncoder.words(c.nIn()) * 8.0 + (double) c.batch() * c.nIn(), Ceiling.DRAM_RW,
                    "input bitmasks written + image bytes read (the Philox draws are compute, not counted)");
            case FC1 -> new Work(c.inputSpikes() * c.hidden(), Ceiling.L1_ADD, "input spikes x hidden: one add each");
            case NEURON_FORWARD -> new Work(Traffic.bytesPerCall(Pass.FORWARD, KernelBench.CPU_SPIKE_BYTES, c.T(),
                    (long) c.batch() * c.hidden(), c.keepsState()), Ceiling.DRAM_RW,
                    c.keepsState() ? "x read, h, w and spike written" : "x read, h and spike written");
            case FC_OUT -> new Work(c.hiddenSpikes() * c.nOut(), Ceiling.L1_ADD, "hidden spikes x outputs: one add each");
            case READOUT_LOSS -> new Work(rows * c.nOut() * 4.0 * 2, Ceiling.DRAM_RW, "out_seq read, its gradient written");
            case NEURON_BACKWARD -> new Work(Traffic.bytesPerCall(Pass.BACKWARD, KernelBench.CPU_SPIKE_BYTES, c.T(),
                    (long) c.batch() * c.hidden(), c.keepsState()), Ceiling.DRAM_RW, c.keepsState()
                    ? "grad_spike, h, w, x, spike read, grad_x written" : "grad_spike, h, spike read, grad_x written");
            case WEIGHT_GRADS -> new Work(c.inputSpikes() * c.hidden() + c.hiddenSpikes() * c.nOut()
                    + 2.0 * rows * c.nOut() * c.hidden(), Ceiling.L1_ADD,
                    "fc1 and fc_out gradients (an add per spike x column) + the spike gradient (a multiply and an add)");
            case OPTIMIZER -> new Work(params * 7 * 4.0, Ceiling.DRAM_RW, "w, g, m, v read, w, m, v written");
        };
    }

    /** Measures every ceiling with {@code threads} threads: warm-up runs, then the median of {@code repeats}. */
    public static Ceilings measure(int threads, int repeats) {
        if (threads < 1 || repeats < 1) {
            throw new SpikestepException("the ceilings need >= 1 thread and >= 1 repeat");
        }
        Map<Ceiling, Double> per = new EnumMap<>(Ceiling.class);
        Map<Ceiling, Stats> secs = new EnumMap<>(Ceiling.class);

        float[] big = filled(LEAD + (32 << 20)); // 128 MiB, its rows from LEAD (rowSum)
        int[] rows = identity(big.length / ROW);
        Stats s = time(repeats, threads, k -> {
            int n = rows.length / threads;
            sink += rowSum(big, rows, k * n, k == threads - 1 ? rows.length : (k + 1) * n);
        });
        put(per, secs, Ceiling.DRAM_READ, (4.0 * ROW + 4) * rows.length, s);

        float[] x = filled(16 << 20); // 64 MiB each
        float[] y = filled(16 << 20);
        s = time(repeats, threads, k -> {
            int n = x.length / threads;
            int from = k * n;
            int to = k == threads - 1 ? x.length : from + n;
            VectorOps.axpy(1e-7f, x, from, y, from, to - from);
        });
        put(per, secs, Ceiling.DRAM_RW, 12.0 * x.length, s);

        int l2Rows = (256 << 10) / (4 * ROW); // 256 KiB per thread
        int l2Passes = 256;
        float[][] own = new float[threads][];
        for (int k = 0; k < threads; k++) {
            own[k] = filled(LEAD + l2Rows * ROW); // rows from LEAD, as fc1's weight copy has them
        }
        int[] l2Order = twice(l2Rows);
        s = time(repeats, threads, k -> {
            float acc = 0f;
            for (int p = 0; p < l2Passes; p++) {
                int k0 = p % l2Rows; // each pass from another row: no two passes are the same sums
                acc += rowSum(own[k], l2Order, k0, k0 + l2Rows);
            }
            sink += acc;
        });
        put(per, secs, Ceiling.L2_READ, (4.0 * ROW + 4) * l2Rows * l2Passes * threads, s);

        // fc1's forward kernel with every bit set: each row segment loaded once (from L1) and added
        // into the G outputs of a group of steps (8 or 4, as fc1 takes them), so the adds and not
        // the loads bound it: the machine's add throughput.
        int G = dev.spikestep.net.SpikeLinear.stepsPerGroup();
        int l1Rows = (16 << 10) / (4 * ROW); // 16 KiB per thread
        int l1Passes = 4096;
        int[] l1Order = twice(l1Rows);
        byte[] allBits = new byte[2 * l1Rows];
        java.util.Arrays.fill(allBits, (byte) ((1 << G) - 1));
        float[][] outG = new float[threads][G * ROW];
        s = time(repeats, threads, k -> {
            float acc = 0f;
            for (int p = 0; p < l1Passes; p++) {
                int k0 = p % l1Rows;
                if (G == 8) {
                    dev.spikestep.simd.VectorKernels.sumRows8(own[k], l1Order, allBits, k0, k0 + l1Rows, ROW, LEAD, outG[k], 0,
                            ROW, ROW);
                } else {
                    VectorOps.sumRows4(own[k], l1Order, allBits, k0, k0 + l1Rows, ROW, LEAD, outG[k], 0, ROW, ROW, true);
                }
                acc += outG[k][p & (G * ROW - 1)];
            }
            sink += acc;
        });
        put(per, secs, Ceiling.L1_ADD, (double) G * ROW * l1Rows * l1Passes * threads, s);
        return new Ceilings(threads, per, secs);
    }

    /**
     * Floats per row of the read and add ceilings: one block of {@link VectorOps#sumRows}'s 8
     * register accumulators (64 floats with AVX2, 128 with AVX-512), so that the adds run as 8
     * independent chains and measure throughput, not the latency of one chain; 64 for the scalar form.
     */
    private static final int ROW = dev.spikestep.simd.VectorSupport.ENABLED ? VectorOps.blockColumns() : 64;
    /** Where the buffers' rows start: on a cache line where the JVM aligns objects to lines, as fc1's rows do. */
    private static final int LEAD = dev.spikestep.simd.VectorSupport.lineLead();

    /**
     * The rows [k0, k1) of {@code a} summed by fc1's kernel, 64 rows per call as fc1 sums
     * a row's live inputs (so the scalar form, column by column, also streams); returns a value
     * that depends on every call, so that none is dropped.
     */
    private static final ThreadLocal<float[]> OUT = ThreadLocal.withInitial(() -> new float[ROW]);

    private static float rowSum(float[] a, int[] rows, int k0, int k1) {
        // A heap array: every sum is stored, so C2 cannot drop the accumulators whose lanes are not
        // read (a local one could be scalar-replaced; l2-read then measured up to 466,000 GB/s).
        float[] out = OUT.get();
        float acc = 0f;
        for (int k = k0; k < k1; k += 64) {
            VectorOps.sumRows(a, rows, k, Math.min(k + 64, k1), ROW, LEAD, out, 0, ROW);
            acc += out[k & (ROW - 1)];
        }
        return acc;
    }

    /** 0..n-1 twice: rows [k0, k0 + n) of it are every row once, starting at row k0. */
    private static int[] twice(int n) {
        int[] r = new int[2 * n];
        for (int i = 0; i < 2 * n; i++) {
            r[i] = i % n;
        }
        return r;
    }

    private static int[] identity(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    private static void put(Map<Ceiling, Double> per, Map<Ceiling, Stats> secs, Ceiling c, double amount, Stats s) {
        per.put(c, amount / s.median());
        secs.put(c, s);
    }

    private static float[] filled(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (i & 1023) * 1e-3f; // touched, so the pages exist before the clock starts
        }
        return a;
    }

    /** Seconds of untimed rounds before a ceiling's clock starts. */
    private static final double WARMUP_SECONDS = 0.4;

    /**
     * Runs {@code body(k)} on threads k = 0..threads-1 at once: untimed rounds for at least
     * {@link #WARMUP_SECONDS} (and 3 rounds), then {@code repeats} timed ones. A fixed 3 rounds
     * measured the kernels before C2 had compiled them, some runs: l1-add 18 or 47 Gadd/s on the same machine.
     */
    private static Stats time(int repeats, int threads, IntConsumer body) {
        long warm = System.nanoTime();
        for (int r = 0; r < 3 || System.nanoTime() - warm < WARMUP_SECONDS * 1e9; r++) {
            wallSeconds(threads, body);
        }
        double[] t = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            t[r] = wallSeconds(threads, body);
        }
        return Stats.of(t);
    }

    /**
     * Seconds from the first thread's start to the last one's end. Each thread reads the clock
     * itself: the main thread read it after the start barrier, and on 2 cores it was sometimes
     * descheduled until the workers had finished (rounds of 0.2 microseconds, l2-read 466,000 GB/s).
     */
    private static double wallSeconds(int threads, IntConsumer body) {
        CyclicBarrier start = new CyclicBarrier(threads);
        long[] begin = new long[threads];
        long[] end = new long[threads];
        onThreads(threads, start, "roofline", "a ceiling measurement", k -> {
            start.await();
            begin[k] = System.nanoTime();
            body.accept(k);
            end[k] = System.nanoTime();
        });
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int k = 0; k < threads; k++) {
            first = Math.min(first, begin[k]);
            last = Math.max(last, end[k]);
        }
        return (last - first) / 1e9;
    }

    /** The body of one of {@link #onThreads}' threads, which may wait on a barrier. */
    @FunctionalInterface
    interface ThreadBody {
        void run(int k) throws InterruptedException, BrokenBarrierException;
    }

    /**
     * Runs {@code body(k)} on new threads k = 0..threads-1 (named {@code name-k}) and waits for all
     * of them. A thread that fails breaks {@code barrier}, so that the others' awaits fail instead
     * of waiting for ever; the first failure is then thrown as "{@code what} failed".
     */
    static void onThreads(int threads, CyclicBarrier barrier, String name, String what, ThreadBody body) {
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        Thread[] ts = new Thread[threads];
        for (int k = 0; k < threads; k++) {
            int id = k;
            ts[k] = new Thread(() -> {
                try {
                    body.run(id);
                } catch (InterruptedException | BrokenBarrierException | RuntimeException | Error e) {
                    failed.compareAndSet(null, e);
                    barrier.reset();
                }
            }, name + "-" + k);
            ts[k].start();
        }
        try {
            for (Thread th : ts) {
                th.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpikestepException(what + " was interrupted");
        }
        if (failed.get() != null) {
            throw new SpikestepException(what + " failed: " + failed.get());
        }
    }

    /** An amount of work with its unit, in millions: 14.7 MB, 211 Madd. */
    public static String amount(double amount, String unit) {
        return String.format(Locale.ROOT, "%.3g M%s", amount / 1e6, unit);
    }

    /** One number with its unit, scaled: 12.3 GB/s, 45.6 Gadd/s. */
    public static String rate(double perSecond, String unit) {
        return String.format(Locale.ROOT, "%.2f G%s/s", perSecond / 1e9, unit);
    }
}
