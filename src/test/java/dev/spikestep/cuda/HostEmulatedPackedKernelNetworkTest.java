package dev.spikestep.cuda;

/** Packed runs on the kernels of {@code kernels/*.cu} compiled for the CPU (tiled GEMM). */
class HostEmulatedPackedKernelNetworkTest extends PackedKernelNetworkTest {
    @Override
    protected Device device() {
        return new HostDevice(KernelRunner.get());
    }
}
