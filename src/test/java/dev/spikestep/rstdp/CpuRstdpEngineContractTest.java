package dev.spikestep.rstdp;

import dev.spikestep.net.Parallel;
import dev.spikestep.neuron.LifSpec;

/** The R-STDP engine contract on the CPU engine with two threads (the reference runs one). */
class CpuRstdpEngineContractTest extends RstdpEngineContractTest {
    @Override
    protected RstdpEngine create(int nIn, int nHidden, int nOut, int T, int maxBatch, int chunk, LifSpec neuron) {
        return new RstdpNetwork(nIn, nHidden, nOut, T, maxBatch, chunk, neuron, new Parallel(2));
    }
}
