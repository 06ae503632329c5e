package dev.spikestep.cuda;

import dev.spikestep.net.NetworkFactory;
import java.util.List;

/** For tests outside this package: the CUDA backend's networks on the kernels compiled for the CPU. */
public final class EmulatedNetworks {
    private EmulatedNetworks() {
    }

    /** A pack of {@code runs} runs on one {@link PackedKernelNetwork} of the emulated device. */
    public static List<NetworkFactory> pack(int runs) {
        return new LockstepPack(runs, () -> new HostDevice(KernelRunner.get())).factories();
    }

    /** A lone run: {@link KernelNetwork} on the emulated device. */
    public static NetworkFactory alone() {
        return (shape, neuron, readout, adam, threads) ->
                new KernelNetwork(new HostDevice(KernelRunner.get()), shape, neuron, readout, adam);
    }
}
