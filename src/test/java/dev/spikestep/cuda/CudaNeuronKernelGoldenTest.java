package dev.spikestep.cuda;

import dev.spikestep.net.Backends;
import org.junit.jupiter.api.Assumptions;

/** The neuron kernels against the golden fixtures on a real GPU; skipped, with the reason, where none is usable. */
class CudaNeuronKernelGoldenTest extends NeuronKernelGoldenTest {
    @Override
    protected Device open() {
        String why = Backends.cudaUnavailableReason();
        Assumptions.assumeTrue(why == null, "CUDA neuron kernels not tested here: " + why);
        return new CudaDevice(CudaContext.open(0), new CudaModule(), false);
    }
}
