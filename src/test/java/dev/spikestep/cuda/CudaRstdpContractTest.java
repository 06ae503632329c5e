package dev.spikestep.cuda;

import dev.spikestep.neuron.LifSpec;
import dev.spikestep.rstdp.RstdpEngine;
import dev.spikestep.rstdp.RstdpEngineContractTest;
import org.junit.jupiter.api.BeforeEach;

/** The R-STDP engine contract through JCuda, on a GPU or the emulated driver (see {@link CudaTests}). */
class CudaRstdpContractTest extends RstdpEngineContractTest {
    @BeforeEach
    void needsCuda() {
        CudaTests.assumeCuda("the CUDA R-STDP contract");
    }

    @Override
    protected RstdpEngine create(int nIn, int nHidden, int nOut, int T, int maxBatch, int chunk, LifSpec neuron) {
        return CudaBackend.createRstdp(nIn, nHidden, nOut, T, maxBatch, chunk, neuron);
    }
}
