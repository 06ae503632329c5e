package dev.spikestep.cuda;

import org.junit.jupiter.api.BeforeEach;

/**
 * Packed runs through JCuda, on a GPU or the emulated driver (see {@link CudaTests}). Both the packed and the
 * one-run networks use the tiled GEMM kernel, not cuBLAS: cuBLAS may choose another algorithm for a
 * run's block at another alignment, which would change summation orders and make the bit-for-bit
 * comparison a comparison of cuBLAS heuristics.
 */
class CudaPackedKernelNetworkTest extends PackedKernelNetworkTest {
    @BeforeEach
    void needsCuda() {
        CudaTests.assumeCuda("packed CUDA runs");
    }

    @Override
    protected Device device() {
        return CudaTests.device(false);
    }
}
