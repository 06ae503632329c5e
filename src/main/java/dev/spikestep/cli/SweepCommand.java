package dev.spikestep.cli;

import dev.spikestep.SpikestepException;
import dev.spikestep.io.ResultsWriter;
import dev.spikestep.net.Backends;
import dev.spikestep.sweep.ExperimentRunner;
import dev.spikestep.sweep.ExperimentRunners;
import dev.spikestep.sweep.RunPoint;
import dev.spikestep.sweep.Shard;
import dev.spikestep.sweep.SlurmScript;
import dev.spikestep.sweep.SweepConfig;
import dev.spikestep.sweep.SweepRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Run every point of a sweep configuration (configs/*.yaml), resumably, several at a time.",
        description = {
            "Expands the configuration's axes into a grid and runs each point: N at a time with --parallel N "
                + "(the CPU threads split between them; results are the same as one at a time). Every finished "
                + "epoch and run is appended to OUT/epochs.jsonl and OUT/runs.jsonl as it happens (fsync'd); "
                + "--resume skips the runs already finished and continues an interrupted one from its last "
                + "finished epoch (its checkpoint; a packed one from its start). "
                + "results.csv holds one row per finished run, in grid order. Each run's console output is in "
                + "OUT/runs/RUN_ID/log.txt. See the README's Sweeps section for the configuration format.", ""},
        footer = {"", "Examples:",
            "  spikestep sweep configs/quick.yaml --out results/quick --data data \\",
            "      --parallel 2",
            "  spikestep sweep configs/quick.yaml --out results/quick --data data --resume",
            "  spikestep sweep configs/dt-grid.yaml --out /scratch/dt --shards 8 \\",
            "      --emit-slurm dt-grid.sbatch",
            "  spikestep report results/quick"})
public final class SweepCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONFIG", description = "Sweep configuration (YAML).")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: results/NAME, NAME from the configuration).")
    Path out;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "data", description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--backend", paramLabel = "cpu|cuda|auto", defaultValue = "cpu",
            description = "Compute backend: cpu, cuda (a GPU, else an error) or auto (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "1",
            description = "Runs that advance together, each on threads/N CPU threads, at least 1; 1 to "
                + dev.spikestep.net.Parallel.MAX_THREADS + " (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--pack", paramLabel = "N", defaultValue = "1",
            description = "With --backend cuda: train up to N compatible runs of a train grid (same model, T, batch, "
                + "hidden, readout, data, epochs) together, one kernel launch per step for all; same rows as alone; "
                + "rstdp and transfer points are not packed; at most 65535. With --shard or --shards, whole packs are dealt to "
                + "the shards (default: ${DEFAULT-VALUE}).")
    int pack;

    @Option(names = "--devices", paramLabel = "LIST|all",
            description = "With --backend cuda: the GPUs to spread the runs (or packs, with --pack) over, one worker "
                + "per GPU, e.g. 0,1,3; all = every visible GPU, CUDA_VISIBLE_DEVICES respected (default: all). "
                + "The rows do not depend on which GPU ran a point.")
    String devices;

    @Option(names = "--gpus-per-task", paramLabel = "N", defaultValue = "1",
            description = "With --emit-slurm and --backend cuda: GPUs each array task asks for (--gres=gpu:N); the "
                + "task spreads its shard over them (default: ${DEFAULT-VALUE}).")
    int gpusPerTask;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads for the whole sweep, 0 = all cores; --parallel N above it runs N threads, "
            + "1 each (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--resume", description = "Continue the sweep in OUT: skip finished runs, continue interrupted ones "
            + "from their last finished epoch.")
    boolean resume;

    @Option(names = "--shard", paramLabel = "K/N", defaultValue = "0/1",
            description = "Run only grid points with index %% N == K; with --pack, pack j (in grid order) of the grid's "
                + "packs goes to shard j %% N (default: ${DEFAULT-VALUE}, the whole grid).")
    String shard;

    @Option(names = "--list", description = "Print the grid (index, run id, parameters) and exit.")
    boolean list;

    @Option(names = "--check", description = "A dry run: make every check a run makes before its first point (the "
            + "config's values per point, the datasets, OUT and --resume, the backend and GPUs), print what it would run, "
            + "and exit; nothing is run or written.")
    boolean check;

    @Option(names = "--emit-slurm", paramLabel = "FILE",
            description = "Write a Slurm job-array script that runs the grid in --shards shards into OUT/shard-K, and exit.")
    Path emitSlurm;

    @Option(names = "--shards", paramLabel = "N", description = "Shards for --emit-slurm (default: one per grid point, or per pack with --pack).")
    Integer shards;

    @Override
    public Integer call() {
        SweepConfig cfg = SweepConfig.load(config);
        List<RunPoint> grid = cfg.expand();
        Path outDir = out != null ? out : Path.of("results", cfg.name());
        Shard sh = Shard.parse(shard);
        ExperimentRunner packer = pack > 1 ? ExperimentRunners.forExperiment(cfg.experiment()) : null;
        // --pack N deals the grid's packs to the shards, the same packs a single run makes (a shard of
        // whole packs, not the halves of several); without it, the points (no runner needed)
        List<List<RunPoint>> units = Shard.units(grid, packer, pack);
        if (list && (check || emitSlurm != null)) {
            throw new SpikestepException("--list prints the grid and exits: it does not go with "
                    + (check ? "--check" : "--emit-slurm"));
        }
        if (emitSlurm != null && resume) {
            throw new SpikestepException("--resume does not go with --emit-slurm: the script's tasks always resume "
                    + "(each skips its shard's finished runs); leave it out");
        }
        // A resumed shard keeps the points it was dealt (sweep.json's shard_pack), whatever --pack is now
        int dealt = resume ? SweepRunner.dealt(outDir, sh, pack) : pack;
        ExperimentRunner dealer = dealt > 1 ? ExperimentRunners.forExperiment(cfg.experiment()) : null;
        if (shards != null && emitSlurm == null) {
            throw new SpikestepException("--shards " + shards + " sets the tasks of --emit-slurm; to run one shard here, "
                    + "use --shard K/N");
        }
        if (emitSlurm != null && sh.n() > 1) {
            throw new SpikestepException("--emit-slurm writes a script for every shard (--shards N); --shard " + sh
                    + " does not go with it");
        }
        if (sh.select(grid, dealer, dealt).isEmpty()) { // a task of an array larger than the grid: nothing to run is a mistake
            int dealtUnits = dealt == pack ? units.size() : Shard.units(grid, dealer, dealt).size();
            throw new SpikestepException("shard " + sh + " of this " + grid.size() + "-point grid holds no points ("
                    + (dealt > 1 ? "with --pack " + dealt + " its points form " + dealtUnits + " packs, pack j goes to "
                    + "shard j % N" : "shard K runs the indices i with i % N == K") + "): use N <= " + dealtUnits);
        }
        Backends.threadCount(backend, threads); // an explicit cuda with --threads: refused before anything runs
        // A Slurm script is written where no GPU need be (a submit node), and --list runs nothing: their backend is
        // only named here, and auto is left to the runs to resolve.
        String b = emitSlurm != null || list ? Backends.checkName(backend) : Backends.check(backend);
        boolean cuda = b.equals(Backends.CUDA);
        if (devices != null && !cuda && !b.equals(Backends.AUTO)) {
            throw new SpikestepException("--devices " + devices + " spreads runs over GPUs: it needs --backend cuda (got "
                    + backend + ")");
        }
        if (gpusPerTask != 1 && emitSlurm == null) {
            throw new SpikestepException("--gpus-per-task goes with --emit-slurm; on this machine use --devices");
        }
        if (list) {
            checkRunOptions(outDir); // what a run of these options would refuse, refused before its grid is shown
            if (!b.equals(Backends.AUTO)) {
                SweepRunner.Options.requirePackOnGpu(pack, b);
            }
            System.out.println("sweep " + cfg.name() + " (" + cfg.experiment() + "): " + grid.size() + " grid points"
                    + (sh.n() > 1 ? ", shard " + sh + " shown" + (dealt != pack ? " as " + outDir + " was dealt it (--pack "
                    + dealt + ")" : "") : ""));
            for (RunPoint p : sh.select(grid, dealer, dealt)) {
                System.out.println(p.index() + "\t" + p.runId() + "\t" + p.params());
            }
            return 0;
        }
        if (emitSlurm != null) {
            if (check) {
                throw new SpikestepException("--check is a dry run of a sweep on this machine; --emit-slurm already "
                        + "checks the options its tasks will be given");
            }
            if (devices != null) {
                throw new SpikestepException("--devices is for a sweep on this machine; with --emit-slurm, Slurm places "
                        + "the GPUs (--gpus-per-task N asks each task for N)");
            }
            return emitSlurm(cfg, grid.size(), units, outDir, cuda);
        }
        SweepRunner.Options.requirePackOnGpu(pack, b); // before --out is made: a refused run leaves nothing behind
        List<Integer> gpus = cuda ? Backends.devices(devices == null ? "all" : devices) : List.of();
        int nThreads = dev.spikestep.net.Parallel.threadCount(threads);
        SweepRunner.Options o = new SweepRunner.Options(outDir, data, b, parallel, nThreads, resume, sh,
                System.out, System.err, System.console() != null, pack, gpus);
        SweepRunner runner = new SweepRunner(cfg, ExperimentRunners.forExperiment(cfg.experiment()), o);
        if (check) {
            SweepRunner.Summary c = runner.check();
            System.out.println(String.format(Locale.ROOT, "check: sweep %s (%s): %d grid points%s; %d finished before, "
                    + "%d to run into %s, backend %s; every check passed, nothing was run or written",
                    cfg.name(), cfg.experiment(), c.gridPoints(), sh.n() > 1 ? ", shard " + sh + " has " + c.shardPoints() : "",
                    c.skipped(), c.shardPoints() - c.skipped(), outDir, b));
            return 0;
        }
        runner.run();
        return 0;
    }

    /** {@code units}: what the shards are dealt, the grid's points or (with --pack) its packs. */
    private int emitSlurm(SweepConfig cfg, int gridPoints, List<List<RunPoint>> units, Path outDir, boolean cuda) {
        if (gpusPerTask < 1) {
            throw new SpikestepException("--gpus-per-task must be >= 1, got " + gpusPerTask);
        }
        if (!cuda && gpusPerTask != 1) {
            throw new SpikestepException("--gpus-per-task asks Slurm for GPUs: it needs --backend cuda");
        }
        // What every task would refuse (--parallel 0, --pack on the CPU ...), refused here, before a script of
        // failing tasks is written: the options each task will be given, checked as the task checks them.
        checkRunOptions(outDir);
        SweepRunner.Options.requirePackOnGpu(pack, backend);
        int n = shards == null ? units.size() : shards;
        String packs = pack > 1 ? packsOf(units, pack) : "";
        if (n < 1 || n > units.size()) {
            throw new SpikestepException("--shards must be within [1, " + units.size() + "] (the grid has " + gridPoints
                    + " points" + (pack > 1 ? ", which form " + packs + ", and a shard gets whole packs" : "") + "), got " + n);
        }
        List<String> extra = new ArrayList<>(List.of("--data", SlurmScript.q(data.toAbsolutePath()), "--backend",
                SlurmScript.q(backend)));
        if (parallel != 1) {
            extra.addAll(List.of("--parallel", Integer.toString(parallel)));
        }
        if (pack != 1) {
            extra.addAll(List.of("--pack", Integer.toString(pack)));
        }
        if (threads != 0) {
            extra.addAll(List.of("--threads", Integer.toString(threads)));
        }
        // Packs dealt round-robin: shards differ by a pack where they do not divide evenly, and a task
        // with several packs runs them in turn (or --parallel at a time)
        int fewest = units.size() / n;
        int most = (units.size() + n - 1) / n;
        String dealt = pack <= 1 ? "" : packs + " over " + n + " tasks: " + (fewest == most
                ? most + " pack" + (most == 1 ? "" : "s") + " each" : fewest + " or " + most + " packs each, a task's packs run in turn");
        String script = SlurmScript.render(cfg.name(), gridPoints, n, jarPath(), config.toAbsolutePath(),
                outDir.toAbsolutePath(), extra, cuda ? gpusPerTask : 0, dealt);
        // Everything refused before anything is created: a refused script leaves nothing behind.
        if (Files.isDirectory(emitSlurm)) {
            throw new SpikestepException("--emit-slurm " + emitSlurm + " is a directory; name the script file to write");
        }
        if (outDir.toAbsolutePath().normalize().startsWith(emitSlurm.toAbsolutePath().normalize())) {
            throw new SpikestepException("--emit-slurm " + emitSlurm + " is the output directory " + outDir
                    + " or above it; write the script elsewhere (inside it is fine)");
        }
        dev.spikestep.io.OutLock.probe(outDir); // a file, under a file, not writable
        try {
            Path parent = emitSlurm.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (java.io.IOException e) {
            throw new SpikestepException("cannot create the directory of " + emitSlurm + ": " + SpikestepException.reason(e), e);
        }
        try {
            // #SBATCH --output points into it: Slurm opens the task logs before any task runs.
            Files.createDirectories(outDir);
        } catch (java.io.IOException e) {
            throw new SpikestepException("cannot create " + outDir + " for the tasks' logs: " + SpikestepException.reason(e), e);
        }
        ResultsWriter.replace(emitSlurm, script.replace("THIS_FILE", SlurmScript.q(emitSlurm)));
        System.out.println("wrote " + emitSlurm + ": a job array of " + n + " tasks over " + gridPoints
                + " grid points" + (dealt.isEmpty() ? "" : ", " + dealt) + (cuda ? ", each on " + gpusPerTask + " GPU" + (gpusPerTask == 1 ? "" : "s") + " (--gres=gpu:"
                + gpusPerTask + ")" : "") + "; submit it with 'sbatch " + emitSlurm + "', then run the merge and report lines it lists");
        return 0;
    }

    /**
     * What a run of these options refuses (--parallel 0, --pack 0 or past CUDA's limit, --threads out of range),
     * checked as the run checks them, with no GPU looked for and nothing created: for --list and --emit-slurm,
     * which run nothing here.
     */
    private void checkRunOptions(Path outDir) {
        new SweepRunner.Options(outDir, data, backend, parallel, dev.spikestep.net.Parallel.threadCount(threads), true,
                Shard.ALL, System.out, System.err, false, pack);
    }

    /** The packs' sizes: {@code 7 packs of up to 4 (6 of 4 runs, 1 of 2)}. */
    private static String packsOf(List<List<RunPoint>> packs, int pack) {
        java.util.Map<Integer, Long> bySize = new java.util.TreeMap<>(java.util.Comparator.reverseOrder());
        packs.forEach(p -> bySize.merge(p.size(), 1L, Long::sum));
        List<String> sizes = new ArrayList<>();
        bySize.forEach((size, count) -> sizes.add(count + " of " + size + (sizes.isEmpty() ? " runs" : "")));
        return packs.size() + " packs of up to " + pack + " (" + String.join(", ", sizes) + ")";
    }

    /** This program's jar, or target/spikestep.jar when running from classes (tests, IDE). */
    static Path jarPath() {
        try {
            Path p = Path.of(SweepCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (p.toString().endsWith(".jar")) {
                return p.toAbsolutePath();
            }
        } catch (Exception ignored) {
            // fall back below
        }
        return Path.of("target", "spikestep.jar").toAbsolutePath();
    }
}
