package dev.spikestep.net;

import dev.spikestep.SpikestepException;
import dev.spikestep.neuron.NeuronSpec;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Picks a backend explicitly: never a silent fallback from one device to another. {@code cuda}
 * without a usable GPU is an error that says why; {@code auto} picks cuda when it is usable, else
 * cpu, and says which. The CUDA classes (and JCuda's native libraries) are loaded reflectively and
 * only when cuda or auto is asked for, so the CPU path never touches them.
 */
public final class Backends {
    public static final String CPU = "cpu";
    public static final String CUDA = "cuda";
    public static final String AUTO = "auto";
    private static final String CUDA_CLASS = "dev.spikestep.cuda.CudaBackend";
    /** The GPU a CUDA network opens: a command's {@code --device}, a sweep worker's GPU; on the threads they start too. */
    private static final InheritableThreadLocal<Integer> THREAD_DEVICE = new InheritableThreadLocal<>();

    private Backends() {
    }

    /** The GPU (CUDA ordinal, after CUDA_VISIBLE_DEVICES) that a CUDA network created on this thread opens: 0 by default. */
    public static int device() {
        Integer t = THREAD_DEVICE.get();
        return t != null ? t : 0;
    }

    /**
     * Runs {@code work} with {@link #device} = {@code ordinal} on this thread and on the threads it
     * starts (a pack's run threads): a command's {@code --device K}, and how a sweep puts each
     * worker's runs on its own GPU.
     */
    public static <T> T onDevice(int ordinal, Supplier<T> work) {
        if (ordinal < 0) {
            throw new IllegalArgumentException("device " + ordinal);
        }
        Integer before = THREAD_DEVICE.get();
        THREAD_DEVICE.set(ordinal);
        try {
            return work.get();
        } finally {
            if (before == null) {
                THREAD_DEVICE.remove();
            } else {
                THREAD_DEVICE.set(before);
            }
        }
    }

    /**
     * The GPUs of {@code --devices}: {@code all} (every device the driver lists; the driver applies
     * CUDA_VISIBLE_DEVICES) or a comma-separated list of distinct ordinals, each checked against the
     * driver's device count.
     */
    public static List<Integer> devices(String spec) {
        int count = cudaDeviceCount();
        List<Integer> out = new ArrayList<>();
        if (spec.equals("all")) {
            for (int i = 0; i < count; i++) {
                out.add(i);
            }
            return out;
        }
        for (String part : spec.split(",", -1)) {
            int k;
            try {
                k = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new SpikestepException("--devices " + spec + ": '" + part + "' is not a device number (use all or a list like 0,1,3)");
            }
            if (k < 0 || k >= count) {
                throw new SpikestepException("--devices " + spec + ": device " + k + " does not exist: " + visibleGpus(count));
            }
            if (out.contains(k)) {
                throw new SpikestepException("--devices " + spec + ": device " + k + " is listed twice");
            }
            out.add(k);
        }
        return out;
    }

    /** The number of GPUs the CUDA driver lists; an error that says why when the backend is not usable. */
    /**
     * "2 visible GPUs (0..1)", naming CUDA_VISIBLE_DEVICES when it is set: the driver shows only the GPUs it lists
     * (Slurm sets it per task), and its own error says nothing of the variable.
     */
    public static String visibleGpus(int n) {
        return n + " visible GPU" + (n == 1 ? "" : "s") + (n > 0 ? " (0.." + (n - 1) + ")" : "") + visibleDevicesNote();
    }

    /** "" or "; CUDA_VISIBLE_DEVICES=... is set: the driver shows only the GPUs it lists". */
    public static String visibleDevicesNote() {
        String listed = System.getenv("CUDA_VISIBLE_DEVICES");
        return listed == null ? "" : "; CUDA_VISIBLE_DEVICES='" + listed + "' is set: the driver shows only the GPUs it lists";
    }

    public static int cudaDeviceCount() {
        String why = cudaUnavailableReason();
        if (why != null) {
            throw new SpikestepException("--backend cuda is not available: " + why);
        }
        return (Integer) callCuda(CUDA_CLASS, "deviceCount", new Class<?>[0]);
    }

    /**
     * A run's failure in words: a CUDA error (itself or as a cause) with the driver's detail, and what to
     * change when the GPU's memory ran out; the JVM's heap run out (itself or as a cause), with what to change;
     * else a SpikestepException's message, or the exception itself.
     */
    public static String describeFailure(Throwable t) {
        return describeFailure(t, false);
    }

    /** As {@link #describeFailure(Throwable)}; {@code packed}: a pack's runs failed together (--pack is what to lower). */
    public static String describeFailure(Throwable t, boolean packed) {
        Throwable c = cudaCause(t);
        if (c == null && isOutOfHeap(t)) {
            return outOfHeap();
        }
        if (c == null) {
            return t instanceof SpikestepException ? t.getMessage() : t.toString();
        }
        String detail;
        try {
            detail = (String) Class.forName("dev.spikestep.cuda.CudaContext").getMethod("explain", Throwable.class)
                    .invoke(null, c);
        } catch (ReflectiveOperationException e) {
            detail = c.getMessage();
        }
        // out of device memory is the user's to change, as the heap's is
        return "CUDA: " + detail + (!detail.startsWith("CUDA_ERROR_OUT_OF_MEMORY") ? ""
                : packed ? " (the pack does not fit the GPU's memory: a smaller --pack, or a smaller batch, T or "
                    + "hidden size)"
                : " (the run does not fit the GPU's memory: make it smaller, e.g. its batch, T or hidden size)");
    }

    /** Whether {@code t} or one of its causes is the JVM's heap run out (a run too large, not a bad input). */
    public static boolean isOutOfHeap(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    /**
     * What to say when the heap ran out: its size and what to change. The allocation that failed is
     * garbage by now, so there is room to build this.
     */
    public static String outOfHeap() {
        return "out of memory: this run needs more than the JVM's " + heapMiB() + " MiB of heap; use smaller inputs "
                + "or sizes, or raise the heap (JAVA_TOOL_OPTIONS=-Xmx...)";
    }

    /** The JVM's largest heap in MiB, as the messages about it say it. */
    public static long heapMiB() {
        return Runtime.getRuntime().maxMemory() / (1 << 20);
    }

    /** Whether {@code t} or one of its causes is a CUDA error (a failure of the device, not of the user's input). */
    public static boolean isCudaFailure(Throwable t) {
        return cudaCause(t) != null;
    }

    /** {@code t} or its first cause that is a CUDA error (by name: the CPU path never loads JCuda), or null. */
    private static Throwable cudaCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getClass().getName().equals("jcuda.CudaException")) {
                return c;
            }
        }
        return null;
    }

    /**
     * Calls a static method of a class of the CUDA package reflectively, so that the CPU path never
     * loads JCuda; its SpikestepExceptions (and other runtime exceptions) pass through as they are.
     */
    public static Object callCuda(String className, String method, Class<?>[] types, Object... args) {
        try {
            return Class.forName(className).getMethod(method, types).invoke(null, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new SpikestepException("the CUDA backend failed: " + e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new SpikestepException("the CUDA backend is missing from this build: " + e);
        }
    }

    /**
     * {@code --threads} for a run on {@code backend} as the user gave it: {@link Parallel#threadCount},
     * and an error for a count given with an explicit --backend cuda, which computes on the GPU and
     * would ignore it (auto may still pick the CPU, so its count stands).
     */
    public static int threadCount(String backend, int requested) {
        int n = Parallel.threadCount(requested);
        if (requested != 0 && CUDA.equals(backend)) {
            throw new SpikestepException("--threads " + requested + " sets the CPU backend's threads: --backend cuda "
                    + "computes on the GPU and does not use them (leave --threads out)");
        }
        return n;
    }

    /**
     * Checks that {@code backend} names a backend, without looking for a GPU: for a Slurm script written
     * on a submit node, whose tasks run where the GPUs are.
     */
    public static String checkName(String backend) {
        if (!List.of(CPU, CUDA, AUTO).contains(backend)) {
            throw new SpikestepException("unknown --backend " + backend + ": use cpu, cuda or auto");
        }
        return backend;
    }

    /** Checks a {@code --backend} value before any work starts; returns the backend to use (auto resolved). */
    public static String check(String backend) {
        switch (checkName(backend)) {
            case CPU:
                return CPU;
            case CUDA: {
                String why = cudaUnavailableReason();
                if (why != null) {
                    throw new SpikestepException("--backend cuda is not available: " + why
                            + " (use --backend cpu, or auto to pick)");
                }
                return CUDA;
            }
            case AUTO: {
                String why = cudaUnavailableReason();
                String picked = why == null ? CUDA : CPU;
                System.err.println("backend auto: " + picked + (why == null ? " (a usable GPU was found)" : " (" + why + ")"));
                return picked;
            }
            default:
                throw new IllegalStateException(backend); // checkName let it through
        }
    }

    /** Null when the CUDA backend is usable, else why not; never throws (detection must not crash). */
    public static String cudaUnavailableReason() {
        try {
            return (String) Class.forName(CUDA_CLASS).getMethod("unavailableReason").invoke(null);
        } catch (InvocationTargetException e) {
            return "CUDA detection failed: " + e.getCause();
        } catch (Throwable t) {
            return "CUDA detection failed: " + t;
        }
    }

    /**
     * One network factory per run of a pack of {@code runs} runs of one shape trained together in
     * one launch per kernel (a sweep's {@code --pack}) on GPU {@link #device}: CUDA only.
     */
    @SuppressWarnings("unchecked")
    public static List<NetworkFactory> packed(String backend, int runs) {
        if (!check(backend).equals(CUDA)) {
            throw new SpikestepException("packed runs need --backend cuda (got " + backend + ")");
        }
        return (List<NetworkFactory>) callCuda(CUDA_CLASS, "packed", new Class<?>[] {int.class}, runs);
    }

    public static Network create(String backend, NetShape shape, NeuronSpec neuron, Readout readout, Adam adam,
                                 int threads) {
        String b = check(backend);
        if (b.equals(CPU)) {
            return new CpuNetwork(shape, neuron, readout, adam, new Parallel(threads), true);
        }
        return (Network) callCuda(CUDA_CLASS, "create",
                new Class<?>[] {NetShape.class, NeuronSpec.class, Readout.class, Adam.class}, shape, neuron, readout, adam);
    }
}
