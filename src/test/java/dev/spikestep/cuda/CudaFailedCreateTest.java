package dev.spikestep.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A CUDA network whose setup fails half-way (an allocation past the GPU's memory) leaves nothing on the GPU: its
 * context is released (a retained one keeps its memory and, once broken, fails every later run there), and the
 * next network builds. On the emulated driver with a 64 MiB device (SPIKESTEP_EMU_MEMORY_MIB), in a child JVM
 * since the emulator reads its environment once.
 */
class CudaFailedCreateTest {
    @Test
    void aNetworkThatRunsOutOfMemoryHalfBuiltReleasesItsContext() throws Exception {
        CudaTests.assumeCuda("the CUDA backend's cleanup after a failed setup");
        Assumptions.assumeTrue(CudaTests.emulated(), "the emulated driver's small device is what makes setup fail here");
        String out = onASmallDevice(64, 0, FailedCreateProbe.class.getName());
        // the emulator's own report of each failure: an allocation, after the ones before it had succeeded
        assertEquals(4, out.lines().filter(l -> l.startsWith("spikestep-emu: CUDA_ERROR_OUT_OF_MEMORY: cuMemAlloc: ")).count(),
                out);
        List<String> lines = out.lines()
                .filter(l -> !l.startsWith("cuda: ") && !l.startsWith("WARNING") && !l.startsWith("spikestep-emu: ")).toList();
        List<String> expected = new java.util.ArrayList<>();
        for (int attempt = 0; attempt < 2; attempt++) {
            expected.addAll(List.of("train-network-failed CudaException", "context-active 0",
                    "rstdp-network-failed CudaException", "context-active 0"));
        }
        expected.addAll(List.of("small-network-created while active 1", "context-active 0"));
        assertEquals(expected, lines, out);
    }

    /** The output of {@code mainClass args} in a child JVM on an emulated device of {@code mib} MiB; its exit code checked. */
    private static String onASmallDevice(int mib, int exitCode, String... mainAndArgs) throws Exception {
        return CudaTests.inChildJvm(Map.of("SPIKESTEP_EMU_MEMORY_MIB", Integer.toString(mib)), List.of(), exitCode,
                mainAndArgs);
    }

    /** Skips unless on the emulated driver (whose small device is what runs out); writes digits under dir/data. */
    private static Path digitsOnTheEmulator(Path dir) {
        CudaTests.assumeCuda("the CUDA backend's out-of-memory messages");
        Assumptions.assumeTrue(CudaTests.emulated(), "the emulated driver's small device is what runs out here");
        Path data = dir.resolve("data");
        dev.spikestep.testutil.SyntheticDigits.writeBands(data.resolve("mnist-sample"), "train", 96, 1);
        dev.spikestep.testutil.SyntheticDigits.writeBands(data.resolve("mnist-sample"), "t10k", 48, 2);
        return data;
    }

    /** Out of device memory, the CLI says what to change, as it does for the heap. */
    @Test
    void aRunPastTheGpusMemoryIsOneErrorSayingWhatToLower(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path data = digitsOnTheEmulator(dir);
        String out = onASmallDevice(16, 1, dev.spikestep.cli.Main.class.getName(), "train", "--backend", "cuda",
                "--hidden", "4096", "--batch", "16", "--epochs", "1", "--dataset", "mnist-sample", "--data", data.toString(),
                "--out", dir.resolve("o").toString());
        assertTrue(out.contains("error: CUDA: CUDA_ERROR_OUT_OF_MEMORY: cuMemAlloc: ") && out.contains(" (the run does not "
                + "fit the GPU's memory: make it smaller, e.g. its batch, T or hidden size)"), out);
    }

    /** In a sweep, the point that ran out is named with the axis value that made it large, and its log says so too. */
    @Test
    void aSweepPointPastTheGpusMemoryIsNamedWithItsAxisValues(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path data = digitsOnTheEmulator(dir);
        Path config = java.nio.file.Files.writeString(dir.resolve("oom.yaml"), """
                name: oom
                experiment: train
                base: {T: 10, epochs: 1, batch: 16, dataset: mnist-sample, eval_batches: 1}
                axes:
                  hidden: [16, 4096]
                """);
        Path out = dir.resolve("o");
        String text = onASmallDevice(16, 1, dev.spikestep.cli.Main.class.getName(), "sweep", config.toString(),
                "--backend", "cuda", "--data", data.toString(), "--out", out.toString());
        assertTrue(text.contains("error: run #1 ") && text.contains(" hidden=4096 failed: CUDA: CUDA_ERROR_OUT_OF_MEMORY: "
                + "cuMemAlloc: ") && text.contains("(the run does not fit the GPU's memory"), text);
        String runId = text.substring(text.indexOf("error: run #1 ") + 14).split(" ")[0];
        String log = java.nio.file.Files.readString(out.resolve("runs").resolve(runId).resolve("log.txt"));
        assertTrue(log.contains("run #1 " + runId) && log.contains(" failed: CUDA: CUDA_ERROR_OUT_OF_MEMORY"), log);
    }

    /** Points that fit one by one but not packed together: the pack is named, all its points, and --pack is the advice. */
    @Test
    void aPackPastTheGpusMemoryIsNamedWithAllItsPointsAndAdvisesASmallerPack(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path data = digitsOnTheEmulator(dir);
        Path config = java.nio.file.Files.writeString(dir.resolve("pack.yaml"), """
                name: pack
                experiment: train
                base: {T: 10, epochs: 1, batch: 16, hidden: 2048, dataset: mnist-sample, eval_batches: 1}
                axes:
                  integrator: [euler, exp]
                """);
        String alone = onASmallDevice(48, 0, dev.spikestep.cli.Main.class.getName(), "sweep", config.toString(),
                "--backend", "cuda", "--data", data.toString(), "--out", dir.resolve("alone").toString());
        assertTrue(alone.contains("2 of 2 runs finished"), alone);
        String packed = onASmallDevice(48, 1, dev.spikestep.cli.Main.class.getName(), "sweep", config.toString(),
                "--backend", "cuda", "--pack", "2", "--data", data.toString(), "--out", dir.resolve("packed").toString());
        assertTrue(packed.contains("error: pack of runs #0 ") && packed.contains("; #1 ")
                && packed.contains(" failed: CUDA: CUDA_ERROR_OUT_OF_MEMORY: ")
                && packed.contains("(the pack does not fit the GPU's memory: a smaller --pack, or a smaller batch, T or "
                + "hidden size)"), packed);
    }
}
