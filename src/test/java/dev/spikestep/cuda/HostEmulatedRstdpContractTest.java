package dev.spikestep.cuda;

import dev.spikestep.neuron.LifSpec;
import dev.spikestep.rstdp.RstdpEngine;
import dev.spikestep.rstdp.RstdpEngineContractTest;

/**
 * The R-STDP engine contract on the CUDA backend's own launch sequence ({@link RstdpKernelNetwork})
 * running {@code kernels/rstdp.cu} (and the encoder and LIF scan it launches) compiled for the CPU:
 * what CI checks of these kernels without a GPU. Every launch is a process (a few ms), so the cases
 * are small: the golden fixtures (T 16), B 5 x T 30, and B 2 x T 2000 in chunks of 400.
 */
class HostEmulatedRstdpContractTest extends RstdpEngineContractTest {
    @Override
    protected RstdpEngine create(int nIn, int nHidden, int nOut, int T, int maxBatch, int chunk, LifSpec neuron) {
        return new RstdpKernelNetwork(new HostDevice(KernelRunner.get()), nIn, nHidden, nOut, T, maxBatch, chunk,
                neuron);
    }
}
