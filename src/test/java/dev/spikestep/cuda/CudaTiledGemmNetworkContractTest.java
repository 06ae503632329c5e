package dev.spikestep.cuda;

import dev.spikestep.net.Adam;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Network;
import dev.spikestep.net.NetworkContractTest;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.NeuronSpec;

/**
 * The backend contract on the CUDA backend with the hand-written tiled GEMM kernel of
 * kernels/linear.cu instead of cuBLAS (what -Dspikestep.noCublas=true selects).
 */
class CudaTiledGemmNetworkContractTest extends NetworkContractTest {
    @Override
    protected Network create(NetShape shape, NeuronSpec neuron, Readout readout, Adam adam) {
        return new KernelNetwork(CudaTests.device(false), shape, neuron, readout, adam);
    }
}
