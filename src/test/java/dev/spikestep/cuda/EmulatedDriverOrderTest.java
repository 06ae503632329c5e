package dev.spikestep.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * SPIKESTEP_EMU_ORDER=reverse really reverses the order of blocks and threads: a kernel whose
 * threads race on one location (the self-test race kernel: last writer wins) gives the last thread's
 * index forward and the first's in reverse. Runs in both surefire executions (forward and reverse),
 * which is what makes the contract tests' agreement in both orders mean something.
 */
class EmulatedDriverOrderTest {
    @Test
    void aRacyKernelShowsTheOrder() throws Exception {
        CudaTests.assumeCuda("the emulated driver's thread order");
        Assumptions.assumeTrue(CudaTests.emulated(), "a real GPU: its thread order is its own");
        try (CudaContext ctx = CudaContext.open(0)) {
            CUmodule m = EmulatedDriverTest.load(Files.readString(EmulatedDriverTest.SELFTEST_PTX));
            CUfunction race = new CUfunction();
            cuModuleGetFunction(race, m, "emu_selftest_race_kernel");
            CUdeviceptr out = new CUdeviceptr();
            cuMemAlloc(out, 4);
            cuLaunchKernel(race, 2, 1, 1, 64, 1, 1, 0, null, Pointer.to(Pointer.to(out)), null);
            int[] got = new int[1];
            cuMemcpyDtoH(Pointer.to(got), out, 4); // synchronous: runs the queued launch first
            boolean reverse = "reverse".equals(System.getenv("SPIKESTEP_EMU_ORDER"));
            assertEquals(reverse ? 0 : 127, got[0], "SPIKESTEP_EMU_ORDER=" + System.getenv("SPIKESTEP_EMU_ORDER"));
            jcuda.driver.JCudaDriver.cuMemFree(out);
        }
    }
}
