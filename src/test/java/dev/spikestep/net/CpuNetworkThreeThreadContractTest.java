package dev.spikestep.net;

import dev.spikestep.neuron.NeuronSpec;

/**
 * The backend contract on the CPU backend, three threads: more threads than the 2-core machine has
 * and a count that splits T*B rows unevenly. The reference {@link NetworkContractTest#cpu} runs on
 * one thread, so every bit-for-bit comparison here is one between different work splits.
 */
class CpuNetworkThreeThreadContractTest extends NetworkContractTest {
    @Override
    protected Network create(NetShape shape, NeuronSpec neuron, Readout readout, Adam adam) {
        return new CpuNetwork(shape, neuron, readout, adam, new Parallel(3), true);
    }
}
