package dev.spikestep.cuda;

import static jcuda.driver.JCudaDriver.cuProfilerStart;
import static jcuda.driver.JCudaDriver.cuProfilerStop;

import dev.spikestep.SpikestepException;
import dev.spikestep.bench.KernelBench;
import dev.spikestep.bench.Stats;
import dev.spikestep.bench.Traffic.Pass;
import dev.spikestep.bench.Traffic;
import dev.spikestep.bench.TrainBench;
import dev.spikestep.data.Dataset;
import dev.spikestep.net.Adam;
import dev.spikestep.net.Backends;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.PhaseTimes;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.NeuronKernels;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.rng.Streams;
import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUdevice_attribute;

/**
 * The benchmarks of {@code spikestep bench --backend cuda}, on GPU {@code --device} (0 by default),
 * called reflectively (like CudaBackend) so that the CPU path never loads JCuda. Timing is llm.c's: warm-up launches, then
 * every repeat between two CUDA events, with L2 flushed before each kernel repeat; a training step
 * is timed with an event at the end of each phase (KernelNetwork marks them). With {@code profile}
 * each timed region (one kernel's repeats, one model's timed steps) is a cuProfilerStart/Stop range
 * for {@code nsys --capture-range=cudaProfilerApi} and {@code ncu --profile-from-start off}.
 */
public final class CudaBench {
    private static final int BLOCK = 256; // as KernelNetwork launches the neuron kernels

    private CudaBench() {
    }

    private static void requireGpu() {
        String why = CudaBackend.unavailableReason();
        if (why != null) {
            throw new SpikestepException("--backend cuda is not available: " + why);
        }
    }

    /** {device, driver}: "NVIDIA H200 (sm_90, 139.8 GiB)", "CUDA 13.0 (13000)". */
    public static String[] environment() {
        requireGpu();
        int v = CudaContext.driverVersion();
        int k = CudaBackend.selectedDevice();
        return new String[] {"gpu " + k + ": " + CudaContext.describeDevice(k), "CUDA " + CudaBackend.version(v) + " (" + v + ")"};
    }

    /** Peak DRAM bandwidth of the benchmarked GPU ({@code --device}) in bytes/s from its attributes (NaN if the driver reports none). */
    public static double peakBytesPerSecond() {
        requireGpu();
        try {
            return Traffic.peakBytesPerSecond(
                    CudaContext.attribute(Backends.device(), CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE),
                    CudaContext.attribute(Backends.device(), CUdevice_attribute.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH));
        } catch (RuntimeException e) {
            // A driver that no longer reports the memory clock: GB/s are still measured, the share of the peak is not.
            System.err.println("cuda: no peak bandwidth (" + CudaBackend.brief(e) + "); % of peak is left empty");
            return Double.NaN;
        }
    }

    /** The fused forward and backward kernels of kernels/neuron.cu, for every spec, at T x (batch * neurons). */
    public static List<KernelBench.Sample> kernels(List<NeuronSpec> specs, int T, int batch, int neurons, int warmup,
                                                   int repeats, boolean profile, long seed) {
        KernelBench.checkShape(T, batch, neurons, warmup, repeats);
        requireGpu();
        double peak = peakBytesPerSecond();
        int M = batch * neurons;
        long n = (long) T * M;
        float[][] in = KernelBench.inputs(T, M, seed);
        List<KernelBench.Sample> out = new ArrayList<>();
        try (CudaDevice dev = CudaBackend.device(CudaBackend.openSelected(), false)) {
            DeviceBuffer params = dev.alloc(4L * NeuronParams.SIZE);
            DeviceBuffer x = dev.alloc(4 * n);
            DeviceBuffer g = dev.alloc(4 * n);
            DeviceBuffer h = dev.alloc(4 * n);
            DeviceBuffer s = dev.alloc(4 * n); // float spikes, the operand of the next product
            DeviceBuffer gx = dev.alloc(4 * n);
            DeviceBuffer w = dev.alloc(4 * n); // izh w, for SPEC 9's stage backward (rk2, rk4, K > 1)
            dev.upload(x, in[0], (int) n);
            dev.upload(g, in[1], (int) n);
            EventTimer events = dev.events();
            for (NeuronSpec spec : specs) {
                dev.upload(params, NeuronParams.of(spec), NeuronParams.SIZE);
                String kind = NeuronParams.kernelPrefix(spec);
                // as KernelNetwork trains: w kept only where the backward needs it
                boolean stateful = NeuronKernels.needsState(spec);
                Launch fwd = NeuronParams.forward(kind, params, x, Launch.i32(T), Launch.i32(M), h, s, null,
                        stateful ? w : null).cover(M, BLOCK);
                Launch bwd = NeuronParams.backward(stateful, kind, params, g, x, h, s, w, Launch.i32(T), Launch.i32(M), gx)
                        .cover(M, BLOCK);
                for (Pass pass : Pass.values()) {
                    // The backward reads the h and spikes the forward's launches just left.
                    Launch l = pass == Pass.FORWARD ? fwd : bwd;
                    for (int i = 0; i < warmup; i++) {
                        dev.launch(l);
                    }
                    dev.synchronize();
                    double[] t = new double[repeats];
                    if (profile) {
                        cuProfilerStart();
                    }
                    for (int r = 0; r < repeats; r++) {
                        dev.flushL2();
                        t[r] = events.time(() -> dev.launch(l));
                    }
                    if (profile) {
                        cuProfilerStop();
                    }
                    out.add(new KernelBench.Sample(spec, pass, "cuda", T, batch, neurons, 0, Stats.of(t),
                            Traffic.bytesPerCall(pass, KernelBench.GPU_SPIKE_BYTES, T, M, stateful), peak));
                }
            }
        }
        return out;
    }

    /** Full training steps of KernelNetwork on the selected GPU, each phase timed between CUDA events. */
    public static TrainBench.Result step(Dataset train, NeuronSpec neuron, int T, int batch, int hidden, int warmup,
                                         int steps, boolean profile, long seed) {
        TrainBench.check(train, batch, hidden, warmup, steps);
        requireGpu();
        NetShape shape = new NetShape(train.pixels(), hidden, train.numClasses(), T, batch);
        PhaseTimes.Phase[] phases = PhaseTimes.Phase.values();
        CudaDevice dev = CudaBackend.device(CudaBackend.openSelected(), !Boolean.getBoolean("spikestep.noCublas"));
        CudaBackend.announce(dev.describe());
        try (KernelNetwork net = CudaBackend.orClose(dev, () -> new KernelNetwork(dev, shape, neuron, Readout.MAX,
                Adam.notebook()))) {
            net.initWeights(seed);
            PoissonEncoder encoder = new PoissonEncoder(PoissonEncoder.Method.EXACT, neuron.dt());
            int[] order = Streams.permutation(seed, 0, train.size());
            TrainBench.Batches batches = new TrainBench.Batches(train, order, batch);
            double[] times = new double[steps];
            double[][] phaseTimes = new double[phases.length][steps];
            EventTimer events = dev.events();
            for (int k = 0; k < warmup + steps; k++) {
                boolean timed = k >= warmup;
                if (k == warmup) {
                    dev.synchronize();
                    if (profile) {
                        cuProfilerStart();
                    }
                }
                int first = batches.first(k);
                dev.phaseTiming(timed);
                if (timed) {
                    events.begin();
                }
                net.encode(encoder, seed, train.images(), order, first, batch);
                net.forward();
                net.backward(batches.labels());
                net.adamStep();
                if (timed) {
                    PhaseTimes pt = new PhaseTimes();
                    times[k - warmup] = events.end(pt);
                    for (int p = 0; p < phases.length; p++) {
                        phaseTimes[p][k - warmup] = pt.nanos(phases[p]) / 1e9;
                    }
                }
            }
            dev.phaseTiming(false);
            if (profile) {
                cuProfilerStop();
            }
            return new TrainBench.Result(neuron, "cuda", T, batch, hidden, 0, times, TrainBench.phaseMap(phaseTimes));
        }
    }
}
