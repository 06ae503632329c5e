package dev.spikestep.cuda;

import dev.spikestep.net.Backends;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.rstdp.RstdpEngine;
import dev.spikestep.rstdp.RstdpEngineContractTest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/** The R-STDP engine contract on a real GPU through JCuda; skipped, with the reason, where none is usable. */
class CudaRstdpContractTest extends RstdpEngineContractTest {
    @BeforeEach
    void needsGpu() {
        String why = Backends.cudaUnavailableReason();
        Assumptions.assumeTrue(why == null, "CUDA R-STDP backend not tested here: " + why);
    }

    @Override
    protected RstdpEngine create(int nIn, int nHidden, int nOut, int T, int maxBatch, int chunk, LifSpec neuron) {
        return CudaBackend.createRstdp(nIn, nHidden, nOut, T, maxBatch, chunk, neuron);
    }
}
