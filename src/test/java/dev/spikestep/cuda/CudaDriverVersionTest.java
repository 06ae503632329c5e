package dev.spikestep.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

/**
 * PTX from an nvcc newer than the driver (what gpu-check.sh builds on a GPU machine whose nvcc is newer than its
 * driver): {@code info} and a CUDA run say that the driver is older and what to do, instead of advising a rebuild
 * with the same nvcc. On the emulated driver, told to be older by SPIKESTEP_EMU_DRIVER_VERSION, with the jar's PTX
 * relabelled to another ISA ahead of it on the classpath.
 */
class CudaDriverVersionTest {
    @TempDir
    Path dir;

    /** A folder with every kernel's PTX under kernels/, its .version line set to {@code isa}. */
    private Path ptxOfIsa(String isa) throws Exception {
        CudaTests.assumeCuda("the CUDA backend's driver version check");
        Assumptions.assumeTrue(CudaTests.emulated(), "the emulated driver is the one told to be older here");
        Path root = dir.resolve("ptx-" + isa);
        Files.createDirectories(root.resolve("kernels"));
        for (String f : CudaModule.FILES) {
            String text = new String(CudaModule.ptx(f), StandardCharsets.US_ASCII);
            Files.writeString(root.resolve("kernels").resolve(f + ".ptx"),
                    text.replaceFirst("\\.version\\s+\\d+\\.\\d+", ".version " + isa), StandardCharsets.US_ASCII);
        }
        return root;
    }

    /** PTX from two nvccs: neuron's relabelled older, the others the build's own (ISA 9.0 today). */
    @Test
    void mixedPtxIsJudgedByItsNewestFileAndInfoNamesWhereEachComesFrom() throws Exception {
        Path root = ptxOfIsa("8.7");
        for (String f : CudaModule.FILES) {
            if (!f.equals("neuron")) {
                Files.delete(root.resolve("kernels").resolve(f + ".ptx"));
            }
        }
        CudaModule.PtxVersion own = CudaModule.newestPtxVersion();
        Assumptions.assumeTrue(own.driverVersion() > 12080, "the build's own PTX needs more than CUDA 12.8");
        String out = info("12080", root);
        assertTrue(out.contains("ptx: ISA " + own + ", needs " + own.needs() + " (the newest of its files); from ")
                && out.contains("; from " + root + ": neuron\n"), out);
        assertTrue(out.contains("ptx load: not tried: the driver (CUDA 12.8) is older than the nvcc that built the "
                + "kernels' PTX (ISA " + own + " needs " + own.needs() + ")"), "the newest file's ISA, not neuron's 8.7: " + out);
    }

    private static String info(String driver, Path ptx) throws Exception {
        return CudaTests.inChildJvm(Map.of("SPIKESTEP_EMU_DRIVER_VERSION", driver), List.of(ptx), 0,
                dev.spikestep.cli.Main.class.getName(), "info");
    }

    @Test
    void infoSaysThePtxNeedsANewerDriverThanTheOneThere() throws Exception {
        Path ptx = ptxOfIsa("9.1");
        String out = info("13000", ptx);
        // The folder ahead of the jar is named: its PTX is the one that loads (gpu-check.sh's own build).
        assertTrue(out.contains("cuda driver: CUDA 13.0 (13000)") && out.contains("ptx: from " + ptx + ", ISA 9.1, needs "
                + "CUDA >= 13.1\n"), out);
        assertTrue(out.contains("ptx load: not tried: the driver (CUDA 13.0) is older than the nvcc that built the kernels' "
                + "PTX (ISA 9.1 needs CUDA >= 13.1): update the driver, or build the kernels with an nvcc of CUDA 13.0 or "
                + "older, e.g. make -B build NVCC=/usr/local/cuda-13.0/bin/nvcc"), out);
        assertTrue(!out.contains("rebuild kernels with your nvcc"), out);
    }

    /** An ISA past the table gets by the check; the driver's refusal to load it gets the same advice. */
    @Test
    void aLoadRefusedForAnUnsupportedPtxVersionGetsTheSameAdvice() throws Exception {
        String out = info("13010", ptxOfIsa("9.4"));
        assertTrue(out.contains("ptx load on gpu 0: failed (CUDA_ERROR_UNSUPPORTED_PTX_VERSION: cuModuleLoadDataEx: PTX ISA "
                + "9.4 needs a driver newer than CUDA 13.1 but this driver is CUDA 13.1); the driver (CUDA 13.1) is older "
                + "than the nvcc that built the kernels' PTX (ISA 9.4 needs CUDA >= 13.1, likely newer: ISA 9.4 is past "
                + "this build's table): update the driver"), out);
    }

    @Test
    void aTrainOnCudaStopsInOneLineSayingTheDriverIsOlder() throws Exception {
        Path ptx = ptxOfIsa("8.5");
        Path data = dir.resolve("data");
        dev.spikestep.testutil.SyntheticDigits.writeBands(data.resolve("mnist-sample"), "train", 32, 1);
        dev.spikestep.testutil.SyntheticDigits.writeBands(data.resolve("mnist-sample"), "t10k", 16, 2);
        String out = CudaTests.inChildJvm(Map.of("SPIKESTEP_EMU_DRIVER_VERSION", "12040"), List.of(ptx), 2,
                dev.spikestep.cli.Main.class.getName(), "train", "--backend", "cuda", "--T", "5", "--epochs", "1",
                "--dataset", "mnist-sample", "--data", data.toString(), "--out", dir.resolve("o").toString());
        List<String> errors = out.lines().filter(l -> l.startsWith("error: ")).toList();
        assertTrue(errors.size() == 1 && errors.get(0).contains("the driver (CUDA 12.4) is older than the nvcc that built "
                + "the kernels' PTX (ISA 8.5 needs CUDA >= 12.5): update the driver, or build the kernels with an nvcc of "
                + "CUDA 12.4 or older"), out);
        assertTrue(!out.contains("\tat "), out);
    }
}
