package dev.spikestep.cuda;

import dev.spikestep.net.Adam;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Network;
import dev.spikestep.net.NetworkContractTest;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.NeuronSpec;
import org.junit.jupiter.api.BeforeEach;

/**
 * The backend contract on the CUDA backend through JCuda (cuBLAS for the products), on a GPU or on
 * the emulated driver; see {@link CudaTests} for when it is skipped.
 */
class CudaNetworkContractTest extends NetworkContractTest {
    @BeforeEach
    void needsCuda() {
        CudaTests.assumeCuda("the CUDA network contract");
    }

    @Override
    protected Network create(NetShape shape, NeuronSpec neuron, Readout readout, Adam adam) {
        return CudaBackend.create(shape, neuron, readout, adam);
    }
}
