package dev.spikestep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import dev.spikestep.cuda.CudaDevice;
import dev.spikestep.cuda.CudaTests;
import dev.spikestep.cuda.KernelNetwork;
import dev.spikestep.cuda.LockstepPack;
import dev.spikestep.net.Backends;
import dev.spikestep.testutil.SyntheticDigits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --pack} on the CUDA backend's kernels compiled for the CPU: the sweep of SweepRunnerTest
 * (lif/exp and izh/euler x 2 dt x 2 seeds) packed 3 at a time writes exactly the rows of the same
 * sweep run one by one on KernelNetwork, also when spread over two GPUs ({@code --devices 0,1}, both
 * receiving work), and a resumed sweep packs only the unfinished runs.
 */
class PackedSweepTest {
    @TempDir
    Path dir;
    Path data;
    Path config;
    final ByteArrayOutputStream console = new ByteArrayOutputStream();
    final List<Integer> packsMade = new ArrayList<>();

    @BeforeEach
    void writeData() throws Exception {
        data = dir.resolve("data");
        Path d = data.resolve("mnist-sample");
        SyntheticDigits.writeBands(d, "train", 96, 1);
        SyntheticDigits.writeBands(d, "t10k", 48, 2);
        config = dir.resolve("tiny.yaml");
        Files.writeString(config, SweepRunnerTest.YAML);
    }

    private SweepRunner.Summary sweep(Path out, int pack, boolean resume) {
        return sweep(out, pack, resume, List.of());
    }

    private SweepRunner.Summary sweep(Path out, int pack, boolean resume, List<Integer> devices) {
        PrintStream ps = new PrintStream(console, true, StandardCharsets.UTF_8);
        // Backend "cpu" only because TrainConfig requires a usable GPU for "cuda": the hook below puts
        // every run, packed or alone, on the emulated CUDA kernels (the rows' backend field says cpu).
        SweepRunner.Options o = new SweepRunner.Options(out, data, "cpu", 1, 1, resume, Shard.ALL, ps, ps, false, pack,
                devices);
        return new SweepRunner(SweepConfig.load(config), new TrainRunner(), o).networks(n -> {
            synchronized (packsMade) {
                packsMade.add(n);
            }
            return new LockstepPack(n, () -> opened(CudaTests.device(false))).factories();
        }, (shape, neuron, readout, adam, threads) -> new KernelNetwork(opened(CudaTests.device(false)), shape, neuron,
                readout, adam)).run();
    }

    /** The GPU ordinals the sweep's networks were opened on (the CUDA contexts', not the scheduler's say-so). */
    final List<Integer> devicesOpened = new ArrayList<>();

    private CudaDevice opened(CudaDevice d) {
        synchronized (devicesOpened) {
            devicesOpened.add(d.ordinal());
        }
        return d;
    }

    @Test
    void packsGroupCompatiblePointsInGridOrder() {
        List<RunPoint> grid = SweepConfig.load(config).expand();
        List<List<RunPoint>> packs = SweepRunner.packs(grid, new TrainRunner(), 3);
        List<List<Integer>> idx = packs.stream().map(p -> p.stream().map(RunPoint::index).toList()).toList();
        // model is the only shape key that varies: lif points 0-3, izh points 4-7.
        assertEquals(List.of(List.of(0, 1, 2), List.of(3), List.of(4, 5, 6), List.of(7)), idx);
        assertEquals(grid.size(), SweepRunner.packs(grid, new TrainRunner(), 1).size(), "--pack 1: all alone");
    }

    /** dt-grid's shape: 4 model/integrator pairs of 2 models x 7 dt, so each model's 14 points make 3 packs of 4 and one of 2. */
    static final String DT_GRID = """
            name: dtg
            experiment: train
            base: {T: 3, epochs: 1, batch: 16, hidden: 12, dataset: mnist-sample, train_samples: 32, eval_batches: 1}
            axes:
              model_integrator: [lif/euler, lif/exp, izh/euler, izh/symplectic]
              dt: [0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0]
            """;

    @Test
    void packedShardsAreWholePacksOfTheGridAndCoverItOnce() throws Exception {
        Path dtg = Files.writeString(dir.resolve("dtg.yaml"), DT_GRID);
        List<RunPoint> grid = SweepConfig.load(dtg).expand();
        TrainRunner runner = new TrainRunner();
        List<List<RunPoint>> gridPacks = SweepRunner.packs(grid, runner, 4);
        assertEquals(8, gridPacks.size());
        for (int n : new int[] {1, 3, 7, 8}) {
            List<Integer> seen = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                List<RunPoint> mine = new Shard(k, n).select(grid, runner, 4);
                mine.forEach(p -> seen.add(p.index()));
                // the packs the shard's sweep makes are the grid's own: full, never halves of two
                List<List<RunPoint>> packs = SweepRunner.packs(mine, runner, 4);
                assertTrue(gridPacks.containsAll(packs), "shard " + k + "/" + n + " packs " + packs);
                assertEquals(mine, new Shard(k, n).select(SweepConfig.load(dtg).expand(), runner, 4), "the same every time");
            }
            assertEquals(IntStream.range(0, grid.size()).boxed().toList(), seen.stream().sorted().toList(),
                    n + " shards: every point once");
        }
        assertEquals(List.of(4, 5, 6, 7), new Shard(1, 8).select(grid, runner, 4).stream().map(RunPoint::index).toList());
        assertEquals(Shard.parse("1/7").select(grid), Shard.parse("1/7").select(grid, runner, 1), "--pack 1: points, as before");

        // --emit-slurm deals the packs and says how; more shards than packs is refused
        Path script = dir.resolve("dtg.sbatch");
        List<String> base = List.of("sweep", dtg.toString(), "--out", dir.resolve("cluster").toString(), "--data",
                data.toString(), "--backend", "cuda", "--pack", "4", "--emit-slurm", script.toString());
        String seven = cli(base, "--shards", "7");
        assertTrue(seven.startsWith("0\n") && seven.contains("a job array of 7 tasks over 28 grid points, 8 packs of up to 4 "
                + "(6 of 4 runs, 2 of 2) over 7 tasks: 1 or 2 packs each, a task's packs run in turn"), seven);
        assertTrue(Files.readString(script).contains("(task i runs packs j with j % 7 == i).\n"), Files.readString(script));
        String byDefault = cli(base);
        assertTrue(byDefault.startsWith("0\n") && byDefault.contains("a job array of 8 tasks over 28 grid points, 8 packs "
                + "of up to 4 (6 of 4 runs, 2 of 2) over 8 tasks: 1 pack each"), byDefault);
        String nine = cli(base, "--shards", "9");
        assertTrue(nine.startsWith("2\n") && nine.contains("error: --shards must be within [1, 8] (the grid has 28 points, "
                + "which form 8 packs of up to 4 (6 of 4 runs, 2 of 2), and a shard gets whole packs), got 9"), nine);
    }

    /** The command line {@code args} then {@code more}: its exit code, a newline, and what it printed. */
    private static String cli(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return SweepRunnerTest.run(all.toArray(String[]::new));
    }

    @Test
    void packedSweepWritesTheRowsOfOneByOneOnOneGpuOrTwoAndResumesOnlyUnfinishedRuns() throws Exception {
        SweepRunner.Summary one = sweep(dir.resolve("one"), 1, false);
        assertEquals(List.of(), packsMade);
        SweepRunner.Summary packed = sweep(dir.resolve("packed"), 3, false);
        assertEquals(List.of(3, 3), packsMade, "two packs of 3 (lif, izh), the other two points alone");
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("packed: 6 runs in 2 packs of up to 3"), console.toString());
        assertEquals(8, one.finished().size());
        assertEquals(SweepRunnerTest.untimed(one.finished()), SweepRunnerTest.untimed(packed.finished()));
        SweepResults a = SweepResults.load(dir.resolve("one"));
        SweepResults b = SweepResults.load(dir.resolve("packed"));
        assertEquals(16, a.epochs().size());
        assertEquals(SweepRunnerTest.untimed(a.runs()), SweepRunnerTest.untimed(b.runs()));
        assertEquals(SweepRunnerTest.untimed(a.epochs()), SweepRunnerTest.untimed(b.epochs()));
        long diverged = a.runs().stream().filter(r -> ((Number) r.get("final_nonfinite")).longValue() > 0).count();
        assertEquals(2, diverged, "izh/euler at dt 5, both seeds: a packed run may diverge alone");
        assertEquals(List.of(0), devicesOpened.stream().distinct().toList(), "without --devices: GPU 0");

        // The same packed sweep spread over two GPUs (make test emulates two): the rows of one GPU.
        if (Backends.cudaDeviceCount() >= 2) {
            devicesOpened.clear();
            SweepRunner.Summary two = sweep(dir.resolve("two"), 3, false, List.of(0, 1));
            assertEquals(Set.of(0, 1), two.jobsPerDevice().keySet(), "both GPUs received work: " + two.jobsPerDevice());
            assertEquals(4, two.jobsPerDevice().values().stream().mapToInt(Integer::intValue).sum(),
                    "4 jobs: packs [0,1,2], [4,5,6] and points 3, 7 alone");
            assertEquals(Set.of(0, 1), Set.copyOf(devicesOpened), "networks were opened on both GPUs' contexts");
            assertTrue(console.toString(StandardCharsets.UTF_8).contains("gpus 0,1: one worker per gpu"), console.toString());
            SweepResults c = SweepResults.load(dir.resolve("two"));
            assertEquals(SweepRunnerTest.untimed(a.runs()), SweepRunnerTest.untimed(c.runs()));
            assertEquals(SweepRunnerTest.untimed(a.epochs()), SweepRunnerTest.untimed(c.epochs()));
        } else {
            System.err.println("PackedSweepTest: one GPU only, the two-GPU sweep is not tested here");
        }

        // Runs 0 and 2 finished before: the lif pack is now points 1 and 3 only.
        Path res = dir.resolve("resumed");
        Files.createDirectories(res);
        for (String f : List.of(SweepResults.RUNS, SweepResults.EPOCHS)) {
            List<String> keep = Files.readAllLines(dir.resolve("one").resolve(f)).stream()
                    .filter(l -> l.contains("\"index\":0,") || l.contains("\"index\":2,")).toList();
            Files.write(res.resolve(f), keep);
        }
        Files.copy(dir.resolve("one").resolve(SweepResults.MANIFEST), res.resolve(SweepResults.MANIFEST)); // written before any run
        packsMade.clear();
        SweepRunner.Summary resumed = sweep(res, 3, true);
        assertEquals(2, resumed.skipped());
        assertEquals(6, resumed.finished().size());
        assertEquals(List.of(2, 3), packsMade.stream().sorted().toList());
        SweepResults r = SweepResults.load(res);
        assertEquals(SweepRunnerTest.untimed(a.runs()), SweepRunnerTest.untimed(r.runs()));
        assertEquals(SweepRunnerTest.untimed(a.epochs()), SweepRunnerTest.untimed(r.epochs()));
        packsMade.clear();
        assertEquals(0, sweep(res, 3, true).finished().size(), "a finished sweep resumes to nothing");
        assertEquals(List.of(), packsMade);
    }

    @Test
    void packNeedsTheCudaBackend() {
        PrintStream ps = new PrintStream(console, true, StandardCharsets.UTF_8);
        SweepRunner.Options o = new SweepRunner.Options(dir.resolve("cpu"), data, "cpu", 1, 1, false, Shard.ALL, ps, ps,
                false, 2);
        SpikestepException e = assertThrows(SpikestepException.class,
                () -> new SweepRunner(SweepConfig.load(config), new TrainRunner(), o).run());
        assertTrue(e.getMessage().contains("--backend cuda"), e.getMessage());
        // The same from the command line: an error, nothing run.
        String text = cli(List.of("sweep", config.toString(), "--out", dir.resolve("cli").toString(), "--data",
                data.toString(), "--pack", "2"));
        assertTrue(!text.startsWith("0\n") && text.contains("--pack 2") && text.contains("--backend cuda"), text);
        assertTrue(!Files.exists(dir.resolve("cli").resolve(SweepResults.RUNS)), "no run started");
    }
}
