package dev.spikestep.net;

import dev.spikestep.neuron.NeuronSpec;

/** The backend contract on the CPU backend, one thread. */
class CpuNetworkOneThreadContractTest extends NetworkContractTest {
    @Override
    protected Network create(NetShape shape, NeuronSpec neuron, Readout readout, Adam adam) {
        return new CpuNetwork(shape, neuron, readout, adam, new Parallel(1), true);
    }
}
