package dev.spikestep.cuda;


/** The neuron kernels against the golden fixtures through JCuda, on a GPU or the emulated driver. */
class CudaNeuronKernelGoldenTest extends NeuronKernelGoldenTest {
    @Override
    protected Device open() {
        return CudaTests.device(false);
    }
}
