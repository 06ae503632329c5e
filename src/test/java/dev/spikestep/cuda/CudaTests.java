package dev.spikestep.cuda;

import dev.spikestep.net.Backends;
import dev.spikestep.net.NetworkFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * For the tests of the CUDA backend, here and in other packages: the real JCuda path on whatever
 * driver {@code libcuda.so.1} the test JVM finds, a GPU's or the emulated one that {@code make test}
 * selects (LD_LIBRARY_PATH=target/emu). Where neither is usable the test is skipped with the reason;
 * with SPIKESTEP_REQUIRE_CUDA=1 (CI sets it) it fails instead, so a missing emulator build cannot
 * turn the CUDA tests into silent skips.
 */
public final class CudaTests {
    private CudaTests() {
    }

    /** Skips (or fails, under SPIKESTEP_REQUIRE_CUDA=1) unless the CUDA backend is usable. */
    public static void assumeCuda(String what) {
        String why = Backends.cudaUnavailableReason();
        if (why != null && "1".equals(System.getenv("SPIKESTEP_REQUIRE_CUDA"))) {
            Assertions.fail(what + " must run here (SPIKESTEP_REQUIRE_CUDA=1) but the CUDA backend is not usable: " + why
                    + " (make test selects the emulated driver: make emu)");
        }
        Assumptions.assumeTrue(why == null, what + " not tested here: " + why);
    }

    /** Whether the driver in use is the emulated one (its device name says so). */
    public static boolean emulated() {
        return CudaContext.describeDevice(0).contains("emulated");
    }

    /** A device on GPU {@link Backends#device} (0 unless a sweep worker's) with cuBLAS or the tiled GEMM kernel. */
    public static CudaDevice device(boolean cublas) {
        assumeCuda("the CUDA backend");
        return CudaBackend.device(CudaContext.open(Backends.device()), cublas);
    }

    /** A pack of {@code runs} runs on one {@link KernelNetwork} of R runs (tiled GEMM: exact per-run sums). */
    public static List<NetworkFactory> pack(int runs) {
        assumeCuda("packed CUDA runs");
        return new LockstepPack(runs, () -> device(false)).factories();
    }

    /**
     * The output (stdout and stderr) of {@code mainClass args} in a child JVM with {@code env} added and the
     * folders {@code before} ahead of this JVM's classpath (their /kernels/*.ptx override the jar's); its exit code
     * checked. The emulated driver reads its SPIKESTEP_EMU_* variables once per process, hence a child.
     */
    public static String inChildJvm(Map<String, String> env, List<Path> before, int exitCode, String... mainAndArgs)
            throws Exception {
        List<String> cp = new ArrayList<>();
        before.forEach(p -> cp.add(p.toString()));
        cp.add(System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", String.join(java.io.File.pathSeparator, cp)));
        cmd.addAll(List.of(mainAndArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process child = pb.start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assertions.assertTrue(child.waitFor(120, TimeUnit.SECONDS), out);
        Assertions.assertEquals(exitCode, child.exitValue(), out);
        return out;
    }
}
