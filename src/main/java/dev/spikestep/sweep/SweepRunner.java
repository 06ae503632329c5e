package dev.spikestep.sweep;

import dev.spikestep.BadValueException;
import dev.spikestep.SpikestepException;
import dev.spikestep.io.OutLock;
import dev.spikestep.io.ResultsWriter;
import dev.spikestep.net.Backends;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.NetworkFactory;
import dev.spikestep.train.Progress;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs a sweep's grid (or one shard of it) into an output directory: every point once, several at
 * a time ({@code parallel} runs, the CPU threads split between them), each finished epoch and run
 * appended and fsync'd as it happens (see {@link SweepResults} for the files). With {@code resume}
 * the run ids already in {@code runs.jsonl} are skipped; a run that was interrupted is run again
 * from the start as a new attempt, and its earlier partial epochs are ignored when read.
 *
 * <p>Packing does not change results: each run is a function of its parameters alone (the CPU
 * backend gives the same numbers at every thread count), so a packed sweep writes the same rows
 * as one run at a time, apart from timing fields and the order of the lines in the two
 * {@code .jsonl} files; {@code results.csv} is rewritten in grid order at the end.
 *
 * <p>With {@code pack} N > 1 (CUDA), the points still to run whose runner gives them equal pack keys
 * ({@link ExperimentRunner#packKey}: for {@code train}, all but the neuron parameters, seed, lr and
 * encoder) are grouped, in grid order, into packs of up to N that train together in one launch per
 * kernel on one device, each run on its own thread and writing its own rows as when alone; a point
 * without partners runs alone. Packs are formed from the unfinished points only, so resuming reruns
 * just the runs of a pack that had not finished. {@code parallel} packs (or lone runs) run at a time.
 */
public final class SweepRunner {
    /**
     * @param threads CPU threads for the whole sweep; each of the {@code parallel} runs gets
     *     {@code max(1, threads / parallel)}, so {@code parallel} above it runs {@code parallel} threads
     */
    /**
     * @param devices the GPUs the sweep spreads its runs (or packs) over, one worker per GPU (times
     *     {@code parallel}), each worker's networks on its GPU ({@link Backends#onDevice}); empty:
     *     no choice of device (the CPU backend, or the process's {@code --device})
     */
    public record Options(Path outDir, Path dataDir, String backend, int parallel, int threads, boolean resume,
                          Shard shard, PrintStream out, PrintStream err, boolean tty, int pack, List<Integer> devices) {
        public Options {
            devices = List.copyOf(devices);
            if (devices.stream().distinct().count() != devices.size() || devices.stream().anyMatch(d -> d < 0)) {
                throw new SpikestepException("--devices must list distinct GPUs >= 0, got " + devices);
            }
            // each run at a time is a thread at least, so --threads' bound is this one's (above it the worker
            // slots overflowed an int)
            if (parallel < 1 || parallel > dev.spikestep.net.Parallel.MAX_THREADS) {
                throw new SpikestepException("--parallel must be in [1, " + dev.spikestep.net.Parallel.MAX_THREADS
                        + "] (each run at a time has a thread of its own at least), got " + parallel);
            }
            if (pack < 1) {
                throw new SpikestepException("--pack must be >= 1, got " + pack);
            }
            if (pack > dev.spikestep.cuda.Gemm.MAX_GRID_Y) { // a packed launch's runs are its grid's y extent
                throw new SpikestepException("--pack must be at most " + dev.spikestep.cuda.Gemm.MAX_GRID_Y
                        + " (CUDA's limit on a launch's gridDim.y, one run each), got " + pack);
            }
            dev.spikestep.net.Parallel.requireThreads(threads);
        }

        /** {@code --pack N > 1} packs runs into one kernel launch: a GPU's, so it needs {@code --backend cuda}. */
        public void requirePackOnGpu() {
            requirePackOnGpu(pack, Backends.check(backend));
        }

        /** As {@link #requirePackOnGpu()} for a backend already resolved (or named, for a Slurm script). */
        public static void requirePackOnGpu(int pack, String backend) {
            if (pack > 1 && !backend.equals(Backends.CUDA)) {
                throw new SpikestepException("--pack " + pack + " packs runs on a GPU: it needs --backend cuda");
            }
        }

        /** Packs of up to {@code pack} runs, with no choice of device. */
        public Options(Path outDir, Path dataDir, String backend, int parallel, int threads, boolean resume,
                       Shard shard, PrintStream out, PrintStream err, boolean tty, int pack) {
            this(outDir, dataDir, backend, parallel, threads, resume, shard, out, err, tty, pack, List.of());
        }

        /** Runs one at a time on their own networks (no packing). */
        public Options(Path outDir, Path dataDir, String backend, int parallel, int threads, boolean resume,
                       Shard shard, PrintStream out, PrintStream err, boolean tty) {
            this(outDir, dataDir, backend, parallel, threads, resume, shard, out, err, tty, 1);
        }
    }

    /**
     * What a call did: the shard's points, how many were done before, the rows of the runs it
     * finished, and how many jobs (packs or lone runs) each GPU ran (empty without --devices).
     */
    public record Summary(int gridPoints, int shardPoints, int skipped, List<Map<String, Object>> finished,
                          Map<Integer, Integer> jobsPerDevice) {
    }

    private final SweepConfig cfg;
    private final ExperimentRunner runner;
    private final Options o;
    private final Object fileLock = new Object();
    /** The networks of a pack of n runs, one factory per run; and of a lone run (null: --backend's). */
    private IntFunction<List<NetworkFactory>> packNetworks;
    private NetworkFactory aloneNetwork;

    public SweepRunner(SweepConfig cfg, ExperimentRunner runner, Options o) {
        if (!runner.experiment().equals(cfg.experiment())) {
            throw new IllegalArgumentException("runner for " + runner.experiment() + " given a " + cfg.experiment() + " sweep");
        }
        this.cfg = cfg;
        this.runner = runner;
        this.o = o;
        this.packNetworks = n -> Backends.packed(o.backend(), n);
    }

    /** Test hook: packs and lone runs on these networks (e.g. the emulated device) instead of the backend's. */
    SweepRunner networks(IntFunction<List<NetworkFactory>> packs, NetworkFactory alone) {
        this.packNetworks = packs;
        this.aloneNetwork = alone;
        return this;
    }

    /** The points to run grouped into packs of up to {@code pack} with equal keys, in grid order. */
    static List<List<RunPoint>> packs(List<RunPoint> todo, ExperimentRunner runner, int pack) {
        Map<String, List<RunPoint>> byKey = new LinkedHashMap<>();
        List<List<RunPoint>> out = new ArrayList<>();
        for (RunPoint p : todo) {
            String key = pack > 1 ? runner.packKey(p) : null;
            if (key == null) {
                out.add(List.of(p));
                continue;
            }
            List<RunPoint> open = byKey.computeIfAbsent(key, k -> new ArrayList<>());
            if (open.isEmpty()) {
                out.add(open); // its place in grid order: at its first point
            }
            open.add(p);
            if (open.size() == pack) {
                byKey.remove(key);
            }
        }
        out.sort(Comparator.comparingInt(g -> g.get(0).index()));
        return out;
    }

    /** Runs the shard, holding the lock on the output directory throughout (one writer per directory). */
    public Summary run() {
        try (OutLock lock = OutLock.acquire(o.outDir(), "sweep " + cfg.name())) {
            dev.spikestep.io.AtomicFiles.removeOrphans(o.outDir()); // what a killed write of sweep.json left
            return runLocked();
        }
    }

    /**
     * Every check a run makes before its first point, with nothing run and nothing written (the
     * output directory is only read): --check's dry run. Returns the points still to run.
     */
    public Summary check() {
        dev.spikestep.io.OutLock.probe(o.outDir()); // what run()'s lock would refuse: a file, no permission, in use
        Plan plan = plan();
        return new Summary(plan.grid().size(), plan.mine().size(), plan.mine().size() - plan.todo().size(), List.of(), Map.of());
    }

    /**
     * The shard's points, those still to run (each checked), and what the directory held before;
     * {@code dealt}: the --pack the shard's points were dealt with (1: points).
     */
    private record Plan(List<RunPoint> grid, List<RunPoint> mine, List<RunPoint> todo, SweepResults before, int dealt) {
    }

    private Plan plan() {
        List<RunPoint> grid = cfg.expand();
        Path out = o.outDir();
        SweepResults before = SweepResults.load(out);
        checkOutDir(out, before.manifest(), gridId(grid));
        // A shard resumes with the points it was dealt when it started (with --pack N, whole packs;
        // none recorded: points, as before shards of packs), so that a requeued task or another --pack
        // never leaves points of the grid to no shard; --pack now only packs those points.
        int dealt = dealt(out, before.manifest(), o.shard(), o.pack());
        List<RunPoint> mine = o.shard().select(grid, runner, dealt);
        Set<String> done = before.finishedIds();
        List<RunPoint> todo = mine.stream().filter(p -> !done.contains(p.runId())).toList();
        int perRun = perRun();
        for (RunPoint p : todo) {
            try {
                runner.check(p, context(p, perRun, null, null));
            } catch (BadValueException e) { // it names the train option; here the value comes from the config file
                throw new SpikestepException(cfg.source() + ": " + cfg.where(e.key()) + " " + e.problem()
                        + " (run " + named(p) + ")", e);
            } catch (NetShape.TooLarge e) { // a limit of several values (T x batch x hidden): which point has them
                throw new SpikestepException(cfg.source() + ": " + e.getMessage() + " (run " + named(p) + ")", e);
            }
        }
        if (aloneNetwork == null) { // tests pack fake networks on the CPU
            o.requirePackOnGpu();
        }
        return new Plan(grid, mine, todo, before, dealt);
    }

    /**
     * The --pack that shard {@code shard} in {@code out} is dealt its points with: what its sweep.json
     * records where it holds results (none recorded: 1, points), else {@code pack}. For the CLI's
     * checks before a run, which must see the points a resumed shard keeps.
     */
    public static int dealt(Path out, Shard shard, int pack) {
        return dealt(out, SweepResults.load(out).manifest(), shard, pack);
    }

    private static int dealt(Path out, Map<String, Object> manifest, Shard shard, int pack) {
        if (shard.n() > 1 && hasResults(out)) {
            return manifest.get("shard_pack") instanceof Number n ? n.intValue() : 1;
        }
        return pack;
    }

    private Summary runLocked() {
        Plan plan = plan();
        List<RunPoint> grid = plan.grid();
        List<RunPoint> mine = plan.mine();
        List<RunPoint> todo = plan.todo();
        SweepResults before = plan.before();
        Path out = o.outDir();
        Path runsFile = out.resolve(SweepResults.RUNS);
        Path epochsFile = out.resolve(SweepResults.EPOCHS);
        int perRun = perRun();
        List<List<RunPoint>> jobs = packs(todo, runner, o.pack());
        // This build is recorded as a writer only where it runs a point: a resume with nothing left to run
        // leaves the directory's builds (none, for one from before builds were recorded) as they were.
        List<String> builds = SweepResults.commits(before.manifest());
        // Rows of a build from before builds were recorded stay attributed to it when this build adds its own.
        boolean unrecordedRows = builds.isEmpty() && !before.runs().isEmpty();
        if (unrecordedRows && !todo.isEmpty()) {
            builds = List.of(Merge.UNRECORDED);
        }
        String commit = todo.isEmpty() ? (builds.isEmpty() ? null : (String) before.manifest().getOrDefault("commit",
                builds.get(builds.size() - 1))) : dev.spikestep.BuildInfo.commit();
        writeManifest(out, grid.size(), mine.size(), gridId(grid), Stream.concat(builds.stream(), Stream.ofNullable(commit))
                .distinct().toList(), commit, plan.dealt());

        // CPU threads per run are the CPU backend's; on the GPU a run is the GPU's (--threads is refused there)
        String each = o.backend().equals("cpu") ? " x " + perRun + " thread" + (perRun == 1 ? "" : "s") : "";
        o.out().println(String.format(Locale.ROOT, "sweep %s (%s, %s): %d grid points%s; %d finished before, %d to run, "
                        + "%d at a time%s, backend %s, results in %s",
                cfg.name(), cfg.experiment(), cfg.source(), grid.size(),
                o.shard().n() > 1 ? ", shard " + o.shard() + " has " + mine.size() : "",
                mine.size() - todo.size(), todo.size(), Math.min((long) o.parallel() * Math.max(1, o.devices().size()),
                        Math.max(1, todo.size())), each, o.backend(), out));
        int atOnce = Math.min(o.parallel(), todo.size());
        if (o.backend().equals("cpu") && atOnce > o.threads()) { // each run gets a thread of its own at least
            o.out().println("note: --parallel " + o.parallel() + " is above --threads " + o.threads() + ": each of the "
                    + atOnce + " runs at a time has a thread of its own, " + atOnce + " threads in all; lower --parallel to use "
                    + o.threads());
        }
        if (o.pack() > 1 && !todo.isEmpty() && todo.stream().allMatch(p -> runner.packKey(p) == null)) {
            o.out().println("packed: none: " + cfg.experiment() + " points are not packed (--pack packs the points "
                    + "of train grids only)");
        } else if (o.pack() > 1) {
            o.out().println(String.format(Locale.ROOT, "packed: %d runs in %d packs of up to %d (one launch per kernel "
                    + "for a pack's runs) and %d alone", jobs.stream().filter(j -> j.size() > 1).mapToInt(List::size).sum(),
                    jobs.stream().filter(j -> j.size() > 1).count(), o.pack(), jobs.stream().filter(j -> j.size() == 1).count()));
        }
        // the build that wrote the directory last (none recorded before builds were)
        Object last = before.manifest().get("commit");
        if (unrecordedRows && !todo.isEmpty()) {
            o.out().println("note: " + out + " holds runs of an earlier build that recorded none; this is build "
                    + dev.spikestep.BuildInfo.commit() + " (--version): its finished runs are kept, not rerun, so the "
                    + "sweep holds rows of both builds (sweep.json's commits lists them)");
        } else if (last != null && !last.equals(dev.spikestep.BuildInfo.commit()) && !todo.isEmpty()) {
            o.out().println("note: " + out + " was written by build " + last + "; this is build "
                    + dev.spikestep.BuildInfo.commit() + " (--version): its finished runs are kept, not rerun, so the "
                    + "sweep holds rows of both builds (sweep.json's commits lists them)");
        }
        if (!mine.equals(o.shard().select(grid, runner, o.pack()))) {
            o.out().println("note: shard " + o.shard() + " in " + out + " was dealt its points "
                    + (plan.dealt() > 1 ? "as whole packs of up to " + plan.dealt() + " (--pack " + plan.dealt() + ")" : "one by one")
                    + " when it started, and keeps them; --pack " + o.pack() + " packs them, but would deal other points: "
                    + "the sweep's other shards must be dealt as this one (started with --pack " + plan.dealt() + "), or "
                    + "points are left to no shard (merge names them)");
        }
        if (before.skippedLines() > 0) {
            o.out().println("note: skipped " + before.skippedLines() + " unreadable line(s) in " + out
                    + " (a write torn by a kill, or damage)");
        }
        o.out().flush();

        // Worker slots: each GPU parallel times (-1: no device choice). A job takes a free slot and
        // runs on its GPU; the rows depend on the grid point only, not on which GPU ran it.
        List<Integer> devs = o.devices().isEmpty() ? List.of(-1) : o.devices();
        // no more slots per GPU than jobs: more would never be taken
        int perDevice = Math.min(o.parallel(), Math.max(1, jobs.size()));
        BlockingQueue<Integer> slots = new ArrayBlockingQueue<>(Math.toIntExact((long) devs.size() * perDevice));
        for (int k = 0; k < perDevice; k++) {
            slots.addAll(devs);
        }
        Map<Integer, Integer> jobsPerDevice = new TreeMap<>();
        if (!o.devices().isEmpty()) {
            o.out().println(String.format(Locale.ROOT, "gpus %s: one worker per gpu%s, each with its own stream",
                    devs.stream().map(String::valueOf).collect(Collectors.joining(",")),
                    o.parallel() > 1 ? " x " + o.parallel() : ""));
            o.out().flush();
        }
        int totalEpochs = todo.stream().mapToInt(SweepRunner::epochs).sum();
        Progress bar = new Progress(o.err(), "sweep " + cfg.name(), totalEpochs, o.tty());
        int[] progress = {0, 0}; // epochs done, runs done
        List<Map<String, Object>> finished = new ArrayList<>();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool((int) Math.min((long) devs.size() * perDevice,
                Math.max(1, jobs.size())));
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (List<RunPoint> job : jobs) {
                futures.add(pool.submit(() -> {
                    if (failure.get() != null) {
                        return;
                    }
                    BiConsumer<RunPoint, NetworkFactory> one = (p, net) -> {
                        try {
                            Map<String, Object> row = runOne(p, perRun, before.lastAttempt(p.runId()) + 1, epochsFile,
                                    runsFile, net, () -> {
                                        synchronized (progress) {
                                            progress[0]++;
                                            bar.update(progress[0], status(progress[1], todo.size()));
                                        }
                                    });
                            synchronized (progress) {
                                progress[1]++;
                                finished.add(row);
                                o.out().println(String.format(Locale.ROOT, "run %d/%d done: %s", progress[1], todo.size(),
                                        describe(p, row)));
                                o.out().flush();
                                bar.update(progress[0], status(progress[1], todo.size()));
                            }
                        } catch (RuntimeException | OutOfMemoryError e) {
                            // the heap's end is one run's size, as the GPU's memory is: named, the sweep's files kept
                            // a pack's runs fail together, whichever reports first: the pack is named, all its points
                            String who = job.size() == 1 ? "run " + named(p)
                                    : "pack of runs " + job.stream().map(this::named).collect(java.util.stream.Collectors
                                    .joining("; "));
                            failure.compareAndSet(null, new SpikestepException(who + " failed: "
                                    + Backends.describeFailure(e, job.size() > 1), e));
                        }
                    };
                    int device;
                    try {
                        device = slots.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    try {
                        Runnable work = () -> {
                            if (job.size() == 1) {
                                one.accept(job.get(0), aloneNetwork);
                            } else {
                                runPack(job, one);
                            }
                        };
                        if (device < 0) {
                            work.run();
                        } else {
                            synchronized (jobsPerDevice) {
                                jobsPerDevice.merge(device, 1, Integer::sum);
                            }
                            Backends.onDevice(device, () -> {
                                work.run();
                                return null;
                            });
                        }
                    } finally {
                        slots.add(device);
                    }
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (Exception e) {
                    failure.compareAndSet(null, Backends.isOutOfHeap(e)
                            ? new SpikestepException("sweep " + cfg.name() + " failed: " + Backends.outOfHeap(), e)
                            : new IllegalStateException(e));
                }
            }
        } finally {
            pool.shutdownNow();
            // results.csv: one row per finished run, in grid order, whatever happened above.
            SweepResults.writeResultsCsv(out, SweepResults.load(out).runs());
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        finished.sort(SweepResults.GRID_ORDER);
        if (!jobsPerDevice.isEmpty()) {
            o.out().println("gpu work: " + jobsPerDevice.entrySet().stream()
                    .map(e -> "gpu " + e.getKey() + " " + e.getValue() + (e.getValue() == 1 ? " job" : " jobs"))
                    .collect(Collectors.joining(", ")) + (o.pack() > 1 ? " (a job is a pack or a lone run)" : ""));
        }
        o.out().println(String.format(Locale.ROOT, "sweep %s: %d of %d runs%s finished; results in %s",
                cfg.name(), mine.size(), mine.size(), o.shard().n() > 1 ? " of shard " + o.shard() : "", out));
        return new Summary(grid.size(), mine.size(), mine.size() - todo.size(), finished, Map.copyOf(jobsPerDevice));
    }

    /** The runs of a pack, each on its own thread with its view of the pack's network; returns when all have ended. */
    private void runPack(List<RunPoint> pack, BiConsumer<RunPoint, NetworkFactory> one) {
        List<NetworkFactory> nets;
        try {
            nets = packNetworks.apply(pack.size());
        } catch (RuntimeException e) {
            one.accept(pack.get(0), (s, n, r, a, t) -> {
                throw e;
            });
            return;
        }
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < pack.size(); r++) {
            RunPoint p = pack.get(r);
            NetworkFactory net = nets.get(r);
            Thread t = new Thread(() -> {
                try {
                    one.accept(p, net);
                } finally {
                    if (net instanceof AutoCloseable c) { // the pack's other runs stop waiting for this one
                        try {
                            c.close();
                        } catch (Exception e) {
                            // the run's own outcome is already recorded
                        }
                    }
                }
            }, "pack-run-" + p.runId());
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Map<String, Object> runOne(RunPoint p, int threads, int attempt, Path epochsFile, Path runsFile,
                                       NetworkFactory net, Runnable epochDone) {
        Path runDir = o.outDir().resolve("runs").resolve(p.runId());
        deleteTree(runDir);
        long t0 = System.nanoTime();
        try (PrintStream log = new PrintStream(Files.newOutputStream(mkdirs(runDir).resolve("log.txt")), true,
                StandardCharsets.UTF_8)) {
            log.println("run " + p.label() + ", attempt " + attempt + ": " + p.params());
            ExperimentRunner.Context ctx = context(p, threads, log, row -> {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("run_id", p.runId());
                r.put("index", p.index());
                r.put("attempt", attempt);
                r.putAll(row);
                // The point's id, also where its runner trained under another (transfer's shared training):
                // report and merge keep only rows of the grid's run ids.
                r.put("run_id", p.runId());
                if (row.get("run_id") != null && !row.get("run_id").equals(p.runId())) {
                    r.put("train_run_id", row.get("run_id"));
                }
                synchronized (fileLock) {
                    ResultsWriter.appendJsonLine(epochsFile, r);
                }
                epochDone.run();
            });
            Map<String, Object> metrics;
            try {
                metrics = net == null ? runner.run(p, ctx) : runner.run(p, ctx, net);
            } catch (RuntimeException | OutOfMemoryError e) { // the run's own log says how it ended
                log.println("run " + named(p) + " failed: " + Backends.describeFailure(e));
                throw e;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("run_id", p.runId());
            row.put("index", p.index());
            row.put("attempt", attempt);
            row.put("sweep", cfg.name());
            row.put("experiment", cfg.experiment());
            row.putAll(p.params());
            row.putAll(metrics);
            row.put("backend", o.backend());
            row.put("seconds", (System.nanoTime() - t0) / 1e9);
            row.put("finished_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            synchronized (fileLock) {
                // runs.jsonl is the record of what is done: it is written first.
                ResultsWriter.appendJsonLine(runsFile, row);
                List<String> header = SweepResults.csvHeader(List.of(row));
                ResultsWriter.appendCsvRow(o.outDir().resolve(SweepResults.RESULTS), header,
                        SweepResults.csvRow(header, row));
            }
            return row;
        } catch (IOException e) {
            throw new SpikestepException("cannot write the log of run " + p.runId() + " in " + runDir + ": " + SpikestepException.reason(e), e);
        }
    }

    private ExperimentRunner.Context context(RunPoint p, int threads, PrintStream log,
                                             java.util.function.Consumer<Map<String, Object>> sink) {
        return new ExperimentRunner.Context(o.dataDir(), o.backend(), threads,
                o.outDir().resolve("runs").resolve(p.runId()),
                log == null ? new PrintStream(OutputStream.nullOutputStream()) : log, sink == null ? r -> { } : sink);
    }

    /**
     * The grid's identity: a digest of its run ids in grid order (each a function of its point's
     * parameters), so that --resume can tell an edited config (other axes, base values, epochs)
     * from the one the directory was started with.
     */
    static String gridId(List<RunPoint> grid) {
        StringBuilder ids = new StringBuilder();
        grid.forEach(p -> ids.append(p.runId()).append('\n'));
        return dev.spikestep.io.Hashes.sha256Hex(ids.toString(), 16);
    }

    /** Threads of each run: the sweep's, shared by the runs at a time. */
    private int perRun() {
        return Math.max(1, o.threads() / o.parallel());
    }

    private static boolean hasResults(Path out) {
        return SweepResults.nonEmpty(out.resolve(SweepResults.RUNS)) || SweepResults.nonEmpty(out.resolve(SweepResults.EPOCHS));
    }

    /** {@code m}: the directory's sweep.json (empty without one). */
    private void checkOutDir(Path out, Map<String, Object> m, String gridId) {
        boolean hasResults = hasResults(out);
        String notASweep = SweepResults.notASweep(out, m);
        if (notASweep != null) {
            // a sweep here would rewrite that results.csv from rows that are not a sweep's
            throw new SpikestepException(notASweep + ", and a sweep would overwrite its results.csv; choose another --out");
        }
        if (m.containsKey("merged_from") || m.containsKey(SweepResults.UNFINISHED)) {
            // a merge is made from its shards' directories, which hold the runs' checkpoints and logs: a run here
            // would rewrite its sweep.json as a shard's, and the next merge into it would be refused
            throw new SpikestepException(out + " holds a merge of sweep '" + m.get("name") + "' (made by 'spikestep "
                    + "merge'); run or resume the sweep in its own directories and merge again, or choose another --out");
        }
        if (hasResults && !o.resume()) {
            throw new SpikestepException(out + " already holds sweep results (" + SweepResults.RUNS + ", "
                    + SweepResults.EPOCHS + "); add --resume to continue that sweep, or choose another --out");
        }
        if (!m.isEmpty()) {
            if (!cfg.name().equals(m.get("name")) || !cfg.experiment().equals(m.get("experiment"))) {
                throw new SpikestepException(out + " holds the results of sweep '" + m.get("name") + "' ("
                        + m.get("experiment") + "), not of '" + cfg.name() + "' (" + cfg.experiment()
                        + "); choose another --out");
            }
            if (hasResults && m.get("grid_id") != null && !gridId.equals(m.get("grid_id"))) {
                throw new SpikestepException(out + " holds sweep '" + cfg.name() + "' started from another grid ("
                        + m.get("config") + "; its axes, base values or epochs differ from " + cfg.source()
                        + "): resuming would mix the two in one results.csv. Resume with that config, or choose another --out");
            }
            if (hasResults && !o.shard().toString().equals(m.get("shard"))) {
                throw new SpikestepException(out + " holds shard " + m.get("shard") + " of sweep '" + cfg.name()
                        + "', not shard " + o.shard() + "; resume it with --shard " + m.get("shard") + " or choose another --out");
            }
        }
    }

    /**
     * {@code builds}: the commits of the builds that wrote to the directory, in order; {@code commit}: the last
     * (null, with no builds: a directory from before builds were recorded that this one ran nothing in);
     * {@code dealt}: the --pack the shard's points were dealt with.
     */
    private void writeManifest(Path out, int gridPoints, int shardPoints, String gridId, List<String> builds, String commit,
                               int dealt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", cfg.name());
        m.put("experiment", cfg.experiment());
        m.put("config", cfg.source());
        m.put("grid_points", gridPoints);
        m.put("grid_id", gridId);
        m.put("shard", o.shard().toString());
        m.put("shard_points", shardPoints);
        m.put("shard_pack", dealt); // a shard of packs (--pack N > 1) is dealt whole packs, not points
        m.put("varying", String.join(",", cfg.varying()));
        // The build (--version's commit): merge and --resume say when a sweep's rows come from several.
        if (commit != null) {
            m.put("commit", commit);
            m.put("commits", String.join(",", builds));
        }
        mkdirs(out);
        ResultsWriter.replace(out.resolve(SweepResults.MANIFEST), ResultsWriter.json(m) + "\n");
    }

    private static int epochs(RunPoint p) {
        return p.params().get("epochs") instanceof Long n ? n.intValue() : 1;
    }

    /** The point's label with every axis value it does not show (hidden=2048: what made this point differ). */
    private String named(RunPoint p) {
        StringBuilder sb = new StringBuilder(p.label());
        for (String axis : cfg.axes().keySet()) {
            Object v = p.params().get(axis);
            if (v != null && !sb.toString().contains(" " + axis + "=")) {
                sb.append(' ').append(axis).append('=').append(v);
            }
        }
        return sb.toString();
    }

    private static String status(int runsDone, int runs) {
        return "epochs, " + runsDone + "/" + runs + " runs";
    }

    static String describe(RunPoint p, Map<String, Object> row) {
        StringBuilder sb = new StringBuilder(p.label());
        if (row.get("final_acc") instanceof Number acc) {
            sb.append(String.format(Locale.ROOT, ", test acc %.2f%%", acc.doubleValue()));
        }
        if (row.get("final_mean_spike_rate") instanceof Number r) {
            sb.append(String.format(Locale.ROOT, ", spike rate %.4f", r.doubleValue()));
        }
        if (row.get("final_nonfinite") instanceof Number nf && nf.longValue() > 0) {
            sb.append(", DIVERGED (").append(nf).append(" non-finite states)");
        }
        sb.append(String.format(Locale.ROOT, ", %.1f s", ((Number) row.get("seconds")).doubleValue()));
        return sb.toString();
    }

    private static Path mkdirs(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SpikestepException("cannot create " + dir + ": " + SpikestepException.reason(e), e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        } catch (IOException e) {
            throw new SpikestepException("cannot clear " + dir + " for a new attempt: " + e.getMessage(), e);
        }
    }
}
