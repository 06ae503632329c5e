package dev.spikestep.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * CudaModule finds each kernel in the module whose PTX declares it: the {@code .entry} names of a
 * PTX text, and across the PTX built into the jar every kernel is declared exactly once and the
 * ones the networks launch are there. Runs without a driver (it reads the PTX as text).
 */
class CudaModuleTest {
    @Test
    void entriesAreThePtxsDeclaredKernelsAndNothingElse() {
        String ptx = """
                .version 9.0
                .target sm_80
                .address_size 64
                .func  (.param .b32 func_retval0) helper_not_a_kernel(.param .b32 x)
                .visible .entry adam_runs_kernel(
                    .param .u64 adam_runs_kernel_param_0
                )
                .visible .entry lif_forward_kernel(.param .u64 p)
                """;
        List<String> e = CudaModule.entries(ptx.getBytes(StandardCharsets.US_ASCII));
        assertEquals(List.of("adam_runs_kernel", "lif_forward_kernel"), e);
    }

    @Test
    void theJarsPtxDeclaresEachKernelOnceAndTheLaunchedOnes() {
        try {
            CudaModule.ptx("neuron");
        } catch (SpikestepException e) {
            if ("1".equals(System.getenv("SPIKESTEP_REQUIRE_CUDA"))) {
                Assertions.fail("the jar's PTX must be checked here (SPIKESTEP_REQUIRE_CUDA=1) but it is missing: "
                        + e.getMessage() + " (make kernels)");
            }
            Assumptions.assumeTrue(false, "no PTX in this build (no nvcc): " + e.getMessage());
        }
        Set<String> all = new HashSet<>();
        for (String f : CudaModule.FILES) {
            for (String k : CudaModule.entries(CudaModule.ptx(f))) {
                assertTrue(all.add(k), k + " declared twice (again in " + f + ".ptx)");
            }
        }
        for (String k : List.of("poisson_encode_bits_kernel", "spike_linear_forward_bits_kernel", "lif_forward_kernel",
                "izh_backward_kernel", "readout_forward_kernel", "cross_entropy_kernel", "correct_kernel",
                "spike_stats_kernel", "adam_runs_kernel", "gemm_tiled_kernel", "rstdp_update_weights_kernel")) {
            assertTrue(all.contains(k), k + " missing from the PTX: " + all);
        }
        assertTrue(!all.contains("adam_kernel"), "the one-run Adam kernel is adam_runs_kernel with one run");
    }

    /** NVIDIA's PTX release history: the CUDA release (as cuDriverGetVersion gives it) that reads each ISA first. */
    @Test
    void eachPtxIsaNeedsTheCudaReleaseThatBroughtIt() {
        int[][] isaToCuda = {{7, 0, 11000}, {7, 8, 11080}, {8, 0, 12000}, {8, 4, 12040}, {8, 5, 12050}, {8, 6, 12070},
            {8, 7, 12080}, {8, 8, 12090}, {9, 0, 13000}, {9, 1, 13010}};
        for (int[] r : isaToCuda) {
            CudaModule.PtxVersion v = CudaModule.ptxVersion((".version " + r[0] + "." + r[1] + "\n.target sm_80\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertEquals(new CudaModule.PtxVersion(r[0], r[1]), v);
            assertEquals(r[2], v.driverVersion(), "ISA " + v);
            assertTrue(v.known(), "ISA " + v);
        }
        assertEquals("CUDA >= 12.5", new CudaModule.PtxVersion(8, 5).needs());
        // past the table: the newest release known for that major (or at all), said to be a lower bound
        assertEquals(13010, new CudaModule.PtxVersion(9, 4).driverVersion());
        assertEquals(12090, new CudaModule.PtxVersion(8, 9).driverVersion());
        assertEquals(13010, new CudaModule.PtxVersion(10, 0).driverVersion());
        assertEquals("CUDA >= 13.1, likely newer: ISA 9.4 is past this build's table", new CudaModule.PtxVersion(9, 4).needs());
        assertEquals(0, new CudaModule.PtxVersion(6, 5).driverVersion(), "older than any driver JCuda 12 runs with");
        assertEquals(null, CudaModule.ptxVersion("// no version line\n".getBytes(StandardCharsets.US_ASCII)));
    }

    /** PTX from an nvcc newer than the driver: rebuilding with that nvcc is no way out, an older one or a newer driver is. */
    @Test
    void ptxNewerThanTheDriverSaysWhichIsOlderAndBothWaysOut() {
        assertEquals("the driver (CUDA 12.4) is older than the nvcc that built the kernels' PTX (ISA 8.5 needs CUDA >= 12.5): "
                + "update the driver, or build the kernels with an nvcc of CUDA 12.4 or older, e.g. make -B build "
                + "NVCC=/usr/local/cuda-12.4/bin/nvcc (benchmarks/gpu-check.sh takes NVCC= too)",
                CudaBackend.olderDriver(new CudaModule.PtxVersion(8, 5), 12040));
    }
}
