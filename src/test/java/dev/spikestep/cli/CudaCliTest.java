package dev.spikestep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.cuda.CudaTests;
import dev.spikestep.net.Backends;
import dev.spikestep.testutil.ConsoleCapture;
import dev.spikestep.testutil.SyntheticDigits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands with {@code --backend cuda} as a user runs them, through JCuda on whatever driver the
 * test JVM has (the emulated one under make test): train, rstdp, bench and sweep --pack. (selftest
 * --backend cuda, a minute on the emulated driver, runs in CI's make gpu-check-emulated.)
 * Training on CUDA ends with the CPU run's accuracy and spike statistics: the CUDA kernels reproduce
 * the CPU's hidden spikes, and the products' small float differences do not move them here.
 */
class CudaCliTest extends ConsoleCapture {
    @TempDir
    Path dir;

    Path data;

    @BeforeEach
    void digits() {
        CudaTests.assumeCuda("the commands on --backend cuda");
        data = dir.resolve("data");
        SyntheticDigits.writeBands(data.resolve("mnist-sample"), "train", 96, 1);
        SyntheticDigits.writeBands(data.resolve("mnist-sample"), "t10k", 48, 2);
    }

    /** The rows of a results file without their backend and timing columns. */
    static List<String> rows(Path out, String file) throws Exception {
        List<String> lines = Files.readAllLines(out.resolve(file));
        List<String> header = Arrays.asList(lines.get(0).split(","));
        List<String> rows = new java.util.ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] v = line.split(",");
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < v.length; i++) {
                String h = header.get(i);
                if (!h.equals("backend") && !h.startsWith("seconds") && !h.equals("finished_at")) {
                    sb.append(h).append('=').append(v[i]).append(' ');
                }
            }
            rows.add(sb.toString());
        }
        return rows;
    }

    static String row(Path out, String file) throws Exception {
        List<String> r = rows(out, file);
        return r.get(r.size() - 1);
    }

    /** Only train grids are packed: an rstdp grid given --pack runs its points unpacked and says why. */
    @Test
    void anRstdpSweepGivenPackSaysItsPointsRunOneAtATime() throws Exception {
        Path config = Files.writeString(dir.resolve("r.yaml"), """
                name: r
                experiment: rstdp
                base: {T: 5, dt: 0.5, epochs: 1, batch: 16, test_batch: 16, max_train_batches: 1, max_test_batches: 1,
                       dataset: mnist-sample}
                axes:
                  integrator: [euler, exp]
                """);
        assertEquals(0, Main.execute("sweep", config.toString(), "--out", dir.resolve("r").toString(), "--data",
                data.toString(), "--backend", "cuda", "--pack", "2"), err());
        assertTrue(out().contains("packed: none: rstdp points are not packed (--pack packs the points of train grids "
                + "only)"), out());
        assertTrue(out().contains(" at a time, backend cuda, results in "), "no CPU threads per run on the GPU: "
                + out());
        assertEquals(2, rows(dir.resolve("r"), "results.csv").size());
    }

    @Test
    void trainOnCudaEndsWithTheCpuRunsAccuracyAndSpikeRate() throws Exception {
        String[] common = {"train", "--model", "lif", "--integrator", "exp", "--dt", "5", "--T", "12", "--epochs", "2",
                "--batch", "16", "--hidden", "32", "--dataset", "mnist-sample", "--data", data.toString()};
        for (String b : List.of("cpu", "cuda")) {
            String[] args = Arrays.copyOf(common, common.length + 4);
            args[common.length] = "--backend";
            args[common.length + 1] = b;
            args[common.length + 2] = "--out";
            args[common.length + 3] = dir.resolve(b).toString();
            assertEquals(0, Main.execute(args), err());
        }
        assertTrue(out().contains("emulated") || !CudaTests.emulated(), "the start-up table names the emulated device: " + out());
        String cpu = row(dir.resolve("cpu"), "results.csv");
        assertTrue(!cpu.contains("final_mean_spike_rate=0.0 "), "a run that spikes: " + cpu);
        assertEquals(cpu, row(dir.resolve("cuda"), "results.csv"));
    }

    @Test
    void rstdpOnCudaEndsWithTheCpuRunsResults() throws Exception {
        // On the last GPU (--device): GPU 1 of the two that make test emulates.
        String last = Integer.toString(Backends.cudaDeviceCount() - 1);
        for (String b : List.of("cpu", "cuda")) {
            String[] args = {"rstdp", "--integrator", "euler", "--dt", "0.5", "--T", "20", "--epochs", "1",
                "--batch", "16", "--test-batch", "16", "--max-train-batches", "2", "--max-test-batches", "1",
                "--hidden", "32", "--dataset", "mnist-sample", "--data", data.toString(), "--backend", b,
                "--out", dir.resolve(b).toString()};
            if (b.equals("cuda")) {
                args = Stream.concat(Arrays.stream(args), Stream.of("--device", last)).toArray(String[]::new);
            }
            assertEquals(0, Main.execute(args), err());
        }
        assertEquals(row(dir.resolve("cpu"), "rstdp_results.csv"), row(dir.resolve("cuda"), "rstdp_results.csv"));
    }

    @Test
    void benchOnCudaSaysWhenItsTimingsAreEmulated() throws Exception {
        Path o = dir.resolve("bench");
        System.setProperty("java.awt.headless", "true");
        assertEquals(0, Main.execute("bench", "--backend", "cuda", "--what", "kernels,step", "--model", "lif", "--integrator", "exp",
                "--T", "4", "--batch", "4", "--neurons", "32", "--warmup", "1", "--repeats", "2", "--dataset",
                "mnist-sample", "--data", data.toString(), "--out", o.toString()), err());
        String csv = Files.readString(o.resolve("bench.csv"));
        List<String> lines = csv.lines().toList();
        int backend = Arrays.asList(lines.get(0).split(",", -1)).indexOf("backend");
        assertTrue(backend >= 0 && lines.size() > 1, csv);
        for (String line : lines.subList(1, lines.size())) {
            assertEquals("cuda", line.split(",", -1)[backend], "every row timed on cuda: " + line);
        }
        if (CudaTests.emulated()) {
            assertTrue(out().contains("EMULATED: the device is Spikestep's emulated CUDA driver"), out());
            assertTrue(Files.readString(o.resolve("summary.md")).contains("EMULATED"), "summary.md says so");
            assertTrue(csv.contains("Spikestep emulated CUDA device"), csv);
        }
    }

    @Test
    void packedSweepOnCudaWritesTheRowsOfTheSweepOnTheCpu() throws Exception {
        Path config = dir.resolve("tiny.yaml");
        Files.writeString(config, """
                name: tiny
                experiment: train
                base: {T: 10, epochs: 1, batch: 16, hidden: 12, dataset: mnist-sample, train_samples: 64, eval_batches: 2}
                axes:
                  model_integrator: [lif/exp, lif/euler]
                  dt: [5.0]
                  seed: [0, 1]
                """);
        assertEquals(0, Main.execute("sweep", config.toString(), "--backend", "cuda", "--pack", "2", "--data",
                data.toString(), "--out", dir.resolve("packed").toString()), err());
        assertTrue(err().contains("2 packed runs"), err());
        if (Backends.cudaDeviceCount() >= 2) {
            assertTrue(out().contains("gpus 0,1: one worker per gpu"), "--devices all is the default: " + out());
        }
        assertEquals(0, Main.execute("sweep", config.toString(), "--backend", "cpu", "--data", data.toString(), "--out",
                dir.resolve("cpu").toString()), err());
        List<String> cpu = rows(dir.resolve("cpu"), "results.csv");
        assertEquals(4, cpu.size());
        assertEquals(cpu, rows(dir.resolve("packed"), "results.csv"));
    }

    @Test
    void deviceOptionsRefuseWhatCannotRunAndSlurmAsksForGpus() throws Exception {
        int n = Backends.cudaDeviceCount();
        Path config = dir.resolve("tiny.yaml");
        Files.writeString(config, """
                name: tiny
                experiment: train
                base: {T: 4, epochs: 1, batch: 16, hidden: 12, dataset: mnist-sample, train_samples: 16, eval_batches: 1}
                axes: {seed: [0, 1, 2]}
                """);
        String[] train = {"train", "--T", "4", "--epochs", "1", "--hidden", "8", "--dataset", "mnist-sample", "--data",
            data.toString(), "--out", dir.resolve("t").toString()};
        assertEquals(2, Main.execute(Stream.concat(Arrays.stream(train), Stream.of("--backend", "cuda", "--device",
                Integer.toString(n))).toArray(String[]::new)));
        assertTrue(err().contains("error: --device " + n + " does not exist: " + n + " visible GPU"), err());
        clearConsole();
        assertEquals(2, Main.execute(Stream.concat(Arrays.stream(train), Stream.of("--device", "0")).toArray(String[]::new)));
        assertTrue(err().contains("--device 0 picks a GPU: it needs --backend cuda"), err());
        clearConsole();
        assertEquals(2, Main.execute("sweep", config.toString(), "--backend", "cuda", "--devices", "0," + n, "--data",
                data.toString(), "--out", dir.resolve("s").toString()));
        assertTrue(err().contains("device " + n + " does not exist"), err());
        clearConsole();
        assertEquals(2, Main.execute("sweep", config.toString(), "--devices", "0", "--data", data.toString(), "--out",
                dir.resolve("s").toString()));
        assertTrue(err().contains("it needs --backend cuda"), err());
        assertTrue(!Files.exists(dir.resolve("s")) && !Files.exists(dir.resolve("t")), "nothing ran");

        Path script = dir.resolve("job.sbatch");
        assertEquals(0, Main.execute("sweep", config.toString(), "--backend", "cuda", "--shards", "3", "--gpus-per-task", "2",
                "--emit-slurm", script.toString(), "--out", dir.resolve("cluster").toString()), err());
        String s = Files.readString(script);
        assertTrue(s.contains("\n#SBATCH --array=0-2\n#SBATCH --output=") && s.contains("\n#SBATCH --gres=gpu:2\n"), s);
        assertTrue(s.contains(" --backend cuda") && !s.contains("--devices"), "Slurm places the GPUs: " + s);
        assertEquals(2, Main.execute("sweep", config.toString(), "--backend", "cuda", "--devices", "0", "--emit-slurm",
                script.toString()));
        assertTrue(err().contains("Slurm places the GPUs"), err());

        // eval: --backend auto resolves to cuda, so --device K is the GPU it runs on; one that does not exist is
        // refused before the dataset is read or the table printed
        assertEquals(0, Main.execute(Stream.concat(Arrays.stream(train), Stream.of("--backend", "cpu", "--batch", "16"))
                .toArray(String[]::new)),
                err());
        Path ckpt;
        try (Stream<Path> f = Files.walk(dir.resolve("t").resolve("checkpoints"))) {
            ckpt = f.filter(p -> p.getFileName().toString().equals("epoch-000.safetensors")).findFirst().orElseThrow();
        }
        String[] eval = {"eval", "--weights", ckpt.toString(), "--dataset", "mnist-sample", "--data", data.toString(),
            "--out", dir.resolve("e").toString(), "--backend", "auto", "--device"};
        assertEquals(0, Main.execute(Stream.concat(Arrays.stream(eval), Stream.of(Integer.toString(n - 1)))
                .toArray(String[]::new)), err());
        clearConsole();
        assertEquals(2, Main.execute(Stream.concat(Arrays.stream(eval), Stream.of(Integer.toString(n)))
                .toArray(String[]::new)));
        assertTrue(err().contains("error: --device " + n + " does not exist"), err());
        assertTrue(!out().contains("trained with"), "refused before the table: " + out());
    }

    /**
     * CUDA_VISIBLE_DEVICES=1 on two emulated devices leaves one, numbered 0, as the driver does: a sweep runs on
     * it with --devices all and refuses --devices 1. The emulator reads its environment once, so in child JVMs.
     */
    @Test
    void cudaVisibleDevicesLeavesTheSweepOneGpu() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(CudaTests.emulated(), "the emulated driver's SPIKESTEP_EMU_DEVICES");
        Path config = dir.resolve("tiny.yaml");
        Files.writeString(config, """
                name: tiny
                experiment: train
                base: {T: 4, epochs: 1, batch: 16, hidden: 12, dataset: mnist-sample, train_samples: 16, eval_batches: 1}
                axes: {seed: [0, 1]}
                """);
        String all = withVisibleDevices("1", 0, "sweep", config.toString(), "--backend", "cuda", "--data", data.toString(),
                "--out", dir.resolve("all").toString());
        assertTrue(all.contains("gpus 0: one worker per gpu") && all.contains("2 of 2 runs finished"), all);
        String one = withVisibleDevices("1", 2, "sweep", config.toString(), "--backend", "cuda", "--devices", "1", "--data",
                data.toString(), "--out", dir.resolve("one").toString());
        assertTrue(one.contains("error: --devices 1: device 1 does not exist: 1 visible GPU (0..0); CUDA_VISIBLE_DEVICES='1' "
                + "is set: the driver shows only the GPUs it lists"), one);
        assertTrue(withVisibleDevices("0,7,1", 0, "info").contains("gpus: 1\n"), "the list stops at the first bad entry");
        assertTrue(withVisibleDevices("", 0, "info").contains("cuda driver: not usable (CUDA_ERROR_NO_DEVICE: cuInit: "
                + "CUDA_VISIBLE_DEVICES='' makes none of the 2 emulated devices visible"), "an empty list hides every GPU");
        // A real driver's CUDA_ERROR_NO_DEVICE does not name the variable: the message adds it.
        String none = withVisibleDevices("", 2, "train", "--backend", "cuda", "--T", "4", "--epochs", "1", "--dataset",
                "mnist-sample", "--data", data.toString(), "--out", dir.resolve("none").toString());
        assertTrue(none.contains("error: --backend cuda is not available: the CUDA driver did not initialise (")
                && none.contains("); CUDA_VISIBLE_DEVICES='' is set: the driver shows only the GPUs it lists"), none);
    }

    /** The output of the CLI with {@code args} in a child JVM on two emulated devices and CUDA_VISIBLE_DEVICES. */
    private static String withVisibleDevices(String visible, int exitCode, String... args) throws Exception {
        String[] mainAndArgs = new String[args.length + 1];
        mainAndArgs[0] = Main.class.getName();
        System.arraycopy(args, 0, mainAndArgs, 1, args.length);
        return dev.spikestep.cuda.CudaTests.inChildJvm(java.util.Map.of("SPIKESTEP_EMU_DEVICES", "2",
                "CUDA_VISIBLE_DEVICES", visible), List.of(), exitCode, mainAndArgs);
    }
}
