package dev.spikestep.net;

import dev.spikestep.neuron.NeuronSpec;

/** The backend contract on the CPU backend, two threads (results must not depend on the count). */
class CpuNetworkContractTest extends NetworkContractTest {
    @Override
    protected Network create(NetShape shape, NeuronSpec neuron, Readout readout, Adam adam) {
        return new CpuNetwork(shape, neuron, readout, adam, new Parallel(2), true);
    }
}
