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
}
