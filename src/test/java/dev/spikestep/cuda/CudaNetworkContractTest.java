package dev.spikestep.cuda;

import dev.spikestep.net.Adam;
import dev.spikestep.net.Backends;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Network;
import dev.spikestep.net.NetworkContractTest;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.NeuronSpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/** The backend contract on a real GPU through JCuda; skipped, with the reason, where none is usable. */
class CudaNetworkContractTest extends NetworkContractTest {
    @BeforeEach
    void needsGpu() {
        String why = Backends.cudaUnavailableReason();
        Assumptions.assumeTrue(why == null, "CUDA backend not tested here: " + why);
    }

    @Override
    protected Network create(NetShape shape, NeuronSpec neuron, Readout readout, Adam adam) {
        return CudaBackend.create(shape, neuron, readout, adam);
    }
}
