package dev.spikestep.cuda;

/** The neuron kernels against the golden fixtures, compiled for the CPU (kernels/host_emu.h): what CI checks. */
class HostEmulatedNeuronKernelGoldenTest extends NeuronKernelGoldenTest {
    @Override
    protected Device open() {
        return new HostDevice(KernelRunner.get());
    }
}
