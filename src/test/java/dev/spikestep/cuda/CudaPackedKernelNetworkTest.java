package dev.spikestep.cuda;

import dev.spikestep.net.Backends;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * Packed runs on a real GPU; skipped, with the reason, where none is usable. Both the packed and the
 * one-run networks use the tiled GEMM kernel, not cuBLAS: cuBLAS may choose another algorithm for a
 * run's block at another alignment, which would change summation orders and make the bit-for-bit
 * comparison a comparison of cuBLAS heuristics.
 */
class CudaPackedKernelNetworkTest extends PackedKernelNetworkTest {
    @BeforeEach
    void needsGpu() {
        String why = Backends.cudaUnavailableReason();
        Assumptions.assumeTrue(why == null, "CUDA backend not tested here: " + why);
    }

    @Override
    protected Device device() {
        return new CudaDevice(CudaContext.open(0), new CudaModule(), false);
    }
}
