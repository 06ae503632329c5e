package dev.spikestep.cuda;

import dev.spikestep.net.Adam;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Network;
import dev.spikestep.net.NetworkContractTest;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.NeuronSpec;

/**
 * The backend contract on the CUDA backend's own launch sequence ({@link KernelNetwork}) running
 * the kernels of {@code kernels/*.cu} compiled for the CPU: what CI checks of the kernels without a GPU.
 */
class HostEmulatedNetworkContractTest extends NetworkContractTest {
    @Override
    protected Network create(NetShape shape, NeuronSpec neuron, Readout readout, Adam adam) {
        return new KernelNetwork(new HostDevice(KernelRunner.get()), shape, neuron, readout, adam);
    }
}
