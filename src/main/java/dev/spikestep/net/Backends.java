package dev.spikestep.net;

import dev.spikestep.SpikestepException;
import dev.spikestep.neuron.NeuronSpec;
import java.lang.reflect.InvocationTargetException;
import java.util.List;

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

    private Backends() {
    }

    /** Checks a {@code --backend} value before any work starts; returns the backend to use (auto resolved). */
    public static String check(String backend) {
        switch (backend) {
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
                throw new SpikestepException("unknown --backend " + backend + ": use cpu, cuda or auto");
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
     * one launch per kernel (a sweep's {@code --pack}): CUDA only.
     */
    @SuppressWarnings("unchecked")
    public static List<NetworkFactory> packed(String backend, int runs) {
        if (!check(backend).equals(CUDA)) {
            throw new SpikestepException("packed runs need --backend cuda (got " + backend + ")");
        }
        try {
            return (List<NetworkFactory>) Class.forName(CUDA_CLASS).getMethod("packed", int.class).invoke(null, runs);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new SpikestepException("the CUDA backend failed to start: " + e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new SpikestepException("the CUDA backend is missing from this build: " + e);
        }
    }

    public static Network create(String backend, NetShape shape, NeuronSpec neuron, Readout readout, Adam adam,
                                 int threads) {
        String b = check(backend);
        if (b.equals(CPU)) {
            return new CpuNetwork(shape, neuron, readout, adam, new Parallel(threads), true);
        }
        try {
            return (Network) Class.forName(CUDA_CLASS)
                    .getMethod("create", NetShape.class, NeuronSpec.class, Readout.class, Adam.class)
                    .invoke(null, shape, neuron, readout, adam);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new SpikestepException("the CUDA backend failed to start: " + e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new SpikestepException("the CUDA backend is missing from this build: " + e);
        }
    }
}
