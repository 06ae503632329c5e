package dev.spikestep.cuda;

import dev.spikestep.SpikestepException;
import dev.spikestep.net.Adam;
import dev.spikestep.net.Backends;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Network;
import dev.spikestep.net.NetworkFactory;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry points of the CUDA backend, called reflectively by net.Backends and cli.InfoCommand so that
 * the CPU path never loads JCuda. Detection never crashes: every probe runs in try/catch(Throwable)
 * and turns into a reason why the backend is not usable.
 */
public final class CudaBackend {
    private static String reason;
    private static boolean probed;

    private CudaBackend() {
    }

    /** Null when a GPU, the driver and the PTX are usable; otherwise why not, and what to do. */
    public static synchronized String unavailableReason() {
        if (!probed) {
            reason = probe();
            probed = true;
        }
        return reason;
    }

    private static String probe() {
        int devices;
        try {
            devices = CudaContext.init();
        } catch (Throwable t) {
            return "the CUDA driver did not initialise (" + brief(t) + ")" + Backends.visibleDevicesNote();
        }
        if (devices < 1) {
            return "the CUDA driver found no GPU" + Backends.visibleDevicesNote();
        }
        String ptx = ptxProblem();
        if (ptx != null) {
            return ptx;
        }
        try (CudaContext ctx = CudaContext.open(0); CudaModule loads = new CudaModule()) {
            return null;
        } catch (SpikestepException e) {
            return e.getMessage();
        } catch (Throwable t) {
            return "the kernels did not load on GPU 0 (" + brief(t) + "); " + loadAdvice(t);
        }
    }

    /** A missing PTX resource, or PTX newer than the driver (built by an nvcc newer than the driver). */
    static String ptxProblem() {
        CudaModule.PtxVersion isa;
        try {
            isa = CudaModule.newestPtxVersion();
        } catch (SpikestepException e) {
            return e.getMessage();
        }
        int have;
        try {
            have = CudaContext.driverVersion();
        } catch (Throwable t) {
            return "cuDriverGetVersion failed (" + brief(t) + ")";
        }
        return isa != null && have < isa.driverVersion() ? olderDriver(isa, have) : null;
    }

    /**
     * PTX of ISA {@code isa} on a driver of CUDA {@code have} that cannot load it: rebuilding with the same nvcc
     * gives the same PTX, so the way out is a newer driver or an nvcc no newer than the driver. Make's -B
     * rebuilds PTX that is up to date against its .cu but came from the other nvcc.
     */
    static String olderDriver(CudaModule.PtxVersion isa, int have) {
        String v = version(have);
        return "the driver (CUDA " + v + ") is older than the nvcc that built the kernels' PTX (ISA " + isa + " needs "
                + isa.needs() + "): update the driver, or build the kernels with an nvcc of CUDA " + v
                + " or older, e.g. make -B build NVCC=/usr/local/cuda-" + v + "/bin/nvcc (benchmarks/gpu-check.sh takes "
                + "NVCC= too)";
    }

    /**
     * What to do when the kernels did not load: CUDA_ERROR_UNSUPPORTED_PTX_VERSION means PTX newer than the
     * driver (also one the table above lets through: an ISA newer than this build knows), else a rebuild.
     */
    static String loadAdvice(Throwable t) {
        if (t instanceof jcuda.CudaException
                && String.valueOf(t.getMessage()).trim().equals("CUDA_ERROR_UNSUPPORTED_PTX_VERSION")) {
            try {
                CudaModule.PtxVersion isa = CudaModule.newestPtxVersion();
                if (isa != null) {
                    return olderDriver(isa, CudaContext.driverVersion());
                }
            } catch (RuntimeException e) {
                // no PTX or no driver version to name: the general advice below
            }
        }
        return "rebuild kernels with your nvcc: make kernels";
    }

    /** A one-line cause: JCuda's link errors carry whole stack traces in their message. */
    static String brief(Throwable t) {
        String m = String.valueOf(t.getMessage());
        if (m.contains("libcuda.so")) {
            return "no NVIDIA driver: libcuda.so.1 is not installed";
        }
        if (t instanceof jcuda.CudaException) {
            return CudaContext.explain(t);
        }
        int nl = m.indexOf('\n');
        return t.getClass().getSimpleName() + ": " + (nl < 0 ? m : m.substring(0, nl));
    }

    static String version(int v) {
        return v / 1000 + "." + (v % 1000) / 10;
    }

    /** The number of GPUs the driver lists (after CUDA_VISIBLE_DEVICES); what {@code Backends.devices} checks against. */
    public static int deviceCount() {
        return CudaContext.init();
    }

    /**
     * The primary context of GPU {@link Backends#device} ({@code --device}, or a sweep worker's GPU),
     * or a SpikestepException saying why there is none.
     */
    static CudaContext openSelected() {
        return CudaContext.open(selectedDevice());
    }

    /** {@link Backends#device}, checked against the driver's device list. */
    static int selectedDevice() {
        String why = unavailableReason();
        if (why != null) {
            throw new SpikestepException("--backend cuda is not available: " + why);
        }
        int k = Backends.device();
        int n = CudaContext.init();
        if (k >= n) {
            throw new SpikestepException("--device " + k + " does not exist: " + Backends.visibleGpus(n)
                    + "; see spikestep info");
        }
        return k;
    }

    /** The CUDA network (a pack of one) on GPU {@link Backends#device}, or a SpikestepException saying why there is none. */
    public static Network create(NetShape shape, NeuronSpec neuron, Readout readout, Adam adam) {
        boolean cublas = !Boolean.getBoolean("spikestep.noCublas");
        CudaDevice dev = device(openSelected(), cublas);
        // Never silent: which product implementation runs is part of the start-up output.
        announce(dev.describe());
        return orClose(dev, () -> new KernelNetwork(dev, shape, neuron, readout, adam));
    }

    private static final java.util.Set<String> ANNOUNCED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * {@code cuda: <what>} on stderr the first time this JVM makes such a device: a selftest's twenty networks
     * or a sweep's points on one GPU say which GPU and which products once, not once per network.
     */
    static void announce(String what) {
        if (ANNOUNCED.add(what)) {
            System.err.println("cuda: " + what);
        }
    }

    /** A device on {@code ctx} with the kernels loaded; {@code ctx} released when that fails. */
    static CudaDevice device(CudaContext ctx, boolean cublas) {
        return orClose(ctx, () -> {
            CudaModule module = new CudaModule();
            return orClose(module, () -> new CudaDevice(ctx, module, cublas));
        });
    }

    /**
     * What {@code make} returns, or, when it fails, {@code resource} closed and the failure rethrown: a network
     * that fails half-built (an allocation past the GPU's memory, its tenth of twenty) leaves nothing behind on
     * the GPU, so a sweep's later points there are not short of memory or handed a retained context.
     */
    static <T> T orClose(AutoCloseable resource, java.util.function.Supplier<T> make) {
        try {
            return make.get();
        } catch (RuntimeException | Error e) {
            CudaDevice.closeAll(e, () -> {
                try {
                    resource.close();
                } catch (Exception x) {
                    throw x instanceof RuntimeException r ? r : new IllegalStateException(x);
                }
            });
            throw e;
        }
    }

    /**
     * One factory per run of a pack of {@code runs} runs trained together on one network on GPU
     * {@link Backends#device}
     * ({@link LockstepPack} on one {@link KernelNetwork} of R runs); what {@code Backends.packed} calls.
     */
    public static List<NetworkFactory> packed(int runs) {
        boolean cublas = !Boolean.getBoolean("spikestep.noCublas");
        int k = Backends.device(); // the caller's; the pack's network is made on one of its run threads
        selectedDevice();          // fails here, with the reason, rather than on a run thread
        return new LockstepPack(runs, () -> {
            CudaDevice dev = device(CudaContext.open(k), cublas);
            announce(dev.describe() + "; " + runs + " packed runs");
            return dev;
        }).factories();
    }

    /**
     * The R-STDP network (SPEC 6) on GPU {@link Backends#device}, or a SpikestepException saying why there is none; called
     * reflectively by {@code rstdp.RstdpEngine.create}. Its products are the sparse kernels of
     * rstdp.cu (the CPU's summation order), so cuBLAS is not used.
     */
    public static RstdpKernelNetwork createRstdp(int nIn, int nHidden, int nOut, int T, int maxBatch, int chunk,
                                                 LifSpec neuron) {
        CudaDevice dev = device(openSelected(), false);
        return orClose(dev, () -> new RstdpKernelNetwork(dev, nIn, nHidden, nOut, T, maxBatch, chunk, neuron));
    }

    /** Lines for {@code spikestep info}: driver, devices, whether the PTX and cuBLAS load. */
    public static List<String> info() {
        List<String> out = new ArrayList<>();
        int devices;
        try {
            devices = CudaContext.init();
            out.add("cuda driver: CUDA " + version(CudaContext.driverVersion()) + " (" + CudaContext.driverVersion() + ")");
        } catch (Throwable t) {
            out.add("cuda driver: not usable (" + brief(t) + ")");
            try {
                CudaModule.ptx("neuron");
                out.add("ptx: " + CudaModule.ptxOrigins());
            } catch (SpikestepException e) {
                out.add("ptx: " + e.getMessage());
            }
            return out;
        }
        out.add("gpus: " + devices);
        for (int i = 0; i < devices; i++) {
            try {
                out.add("  gpu " + i + ": " + CudaContext.describeDevice(i));
            } catch (Throwable t) {
                out.add("  gpu " + i + ": " + brief(t));
            }
        }
        String ptx = ptxProblem();
        try {
            CudaModule.PtxVersion isa = CudaModule.newestPtxVersion();
            String origins = CudaModule.ptxOrigins();
            String needs = isa == null ? "no .version line" : "ISA " + isa + ", needs " + isa.needs();
            // One origin: "built into the jar, ISA 9.0, ..."; several (a folder overriding some files): the ISA of
            // the newest file first, then each origin with its files.
            out.add("ptx: " + (origins.contains(": ") ? needs + " (the newest of its files); " + origins
                    : origins + (isa == null ? " (" + needs + ")" : ", " + needs)));
        } catch (SpikestepException e) {
            out.add("ptx: " + e.getMessage());
        }
        if (devices > 0 && ptx == null) {
            try (CudaContext ctx = CudaContext.open(0)) {
                try (CudaModule loads = new CudaModule()) {
                    out.add("ptx load on gpu 0: ok");
                }
                try (CudaDevice d = device(CudaContext.open(0), true)) { // a retain of its own: closing d releases it
                    out.add("gemm: " + (d.usesCublas() ? "cuBLAS SGEMM (libcublas loads)" : d.describe()));
                } catch (Throwable t) {
                    out.add("gemm: cuBLAS check failed (" + brief(t) + ")");
                }
            } catch (Throwable t) {
                out.add("ptx load on gpu 0: failed (" + brief(t) + "); " + loadAdvice(t));
            }
        } else if (ptx != null) {
            out.add("ptx load: not tried: " + ptx);
        }
        return out;
    }
}
