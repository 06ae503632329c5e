package dev.spikestep.net;

import dev.spikestep.SpikestepException;
import dev.spikestep.neuron.NeuronSpec;

/** Picks a backend explicitly: never a silent fallback from one device to another. */
public final class Backends {
    public static final String CPU = "cpu";

    private Backends() {
    }

    /** Checks a {@code --backend} value before any work starts. */
    public static String check(String backend) {
        if (backend.equals(CPU)) {
            return backend;
        }
        throw new SpikestepException("--backend " + backend + " is not available in this build: "
                + "only the CPU backend exists yet (use --backend cpu)");
    }

    public static Network create(String backend, NetShape shape, NeuronSpec neuron, Readout readout, Adam adam,
                                 int threads) {
        check(backend);
        return new CpuNetwork(shape, neuron, readout, adam, new Parallel(threads), true);
    }
}
