package dev.spikestep.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import dev.spikestep.cli.Main;
import dev.spikestep.io.ResultsWriter;
import dev.spikestep.testutil.SyntheticDigits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep engine on tiny networks and a synthetic dataset written as IDX files. */
class SweepRunnerTest {
    @TempDir
    Path dir;
    Path data;
    Path config;

    /** 8 points: two model/integrator pairs (one of which diverges at dt 5) x 2 dt x 2 seeds, 2 epochs each. */
    static final String YAML = """
            name: tiny
            experiment: train
            base: {T: 50, epochs: 2, batch: 16, hidden: 12, dataset: mnist-sample, train_samples: 64, eval_batches: 2, lr: 3e-3}
            axes:
              model_integrator: [lif/exp, izh/euler]
              dt: [1.0, 5.0]
              seed: [0, 1]
            """;

    @BeforeEach
    void writeData() throws Exception {
        data = dir.resolve("data");
        Path d = data.resolve("mnist-sample");
        SyntheticDigits.writeBands(d, "train", 96, 1);
        SyntheticDigits.writeBands(d, "t10k", 48, 2);
        config = dir.resolve("tiny.yaml");
        Files.writeString(config, YAML);
    }

    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    private SweepRunner.Summary sweep(ExperimentRunner runner, Path out, int parallel, int threads, boolean resume,
                                      Shard shard) {
        PrintStream ps = new PrintStream(console, true, StandardCharsets.UTF_8);
        SweepConfig cfg = SweepConfig.load(config);
        return new SweepRunner(cfg, runner, new SweepRunner.Options(out, data, "cpu", parallel, threads, resume, shard,
                ps, ps, false)).run();
    }

    /** A row without the fields that measure time (and the attempt number). */
    static Map<String, Object> untimed(Map<String, Object> row) {
        Map<String, Object> m = new LinkedHashMap<>(row);
        m.keySet().removeAll(SweepResults.TIMING);
        return m;
    }

    static List<Map<String, Object>> untimed(List<Map<String, Object>> rows) {
        return rows.stream().map(SweepRunnerTest::untimed).toList();
    }

    @Test
    void threeRunsAtOnceGiveTheSameRowsAsOneByOne() {
        // --parallel 3 on 6 threads (packing runs into one network is the CUDA backend's: PackedSweepTest)
        SweepRunner.Summary one = sweep(new TrainRunner(), dir.resolve("one"), 1, 1, false, Shard.ALL);
        SweepRunner.Summary packed = sweep(new TrainRunner(), dir.resolve("parallel"), 3, 6, false, Shard.ALL);
        assertEquals(8, one.finished().size());
        // Exact, in memory: every final metric identical.
        assertEquals(untimed(one.finished()), untimed(packed.finished()));
        SweepResults a = SweepResults.load(dir.resolve("one"));
        SweepResults b = SweepResults.load(dir.resolve("parallel"));
        assertEquals(8, a.runs().size());
        assertEquals(16, a.epochs().size());
        assertEquals(untimed(a.runs()), untimed(b.runs()));
        assertEquals(untimed(a.epochs()), untimed(b.epochs()));
        // The diverging pair is in the rows, marked, and the others learned something.
        long diverged = a.runs().stream().filter(r -> ((Number) r.get("final_nonfinite")).longValue() > 0).count();
        assertEquals(2, diverged, "izh/euler at dt 5, both seeds");
        assertTrue(a.runs().stream().anyMatch(r -> ((Number) r.get("final_acc")).doubleValue() > 30));
    }

    /** An experiment (train unless given) with a run() that a test changes. */
    abstract static class WrappedRunner implements ExperimentRunner {
        final ExperimentRunner inner;

        WrappedRunner() {
            this(new TrainRunner());
        }

        /** Another experiment's runner, changed alike. */
        WrappedRunner(ExperimentRunner inner) {
            this.inner = inner;
        }

        @Override
        public String experiment() {
            return inner.experiment();
        }

        @Override
        public void check(RunPoint p, Context ctx) {
            inner.check(p, ctx);
        }
    }

    /** Runs {@code limit} points normally, then dies half-way through the next one, as a killed process would. */
    static final class DyingRunner extends WrappedRunner {
        final int limit;
        final AtomicInteger started = new AtomicInteger();

        DyingRunner(int limit) {
            this.limit = limit;
        }

        @Override
        public Map<String, Object> run(RunPoint p, Context ctx) {
            if (started.incrementAndGet() <= limit) {
                return inner.run(p, ctx);
            }
            // One epoch reaches the files, then the process "dies".
            ctx.epochSink().accept(Map.of("epoch", 0, "test_acc", 12.5, "seconds", 0.1));
            throw new IllegalStateException("killed");
        }
    }

    /** A run that trains nothing: its metrics at once, and the threads it was given. */
    static final class InstantRunner extends WrappedRunner {
        final Set<Integer> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public Map<String, Object> run(RunPoint p, Context ctx) {
            threads.add(ctx.threads());
            ctx.epochSink().accept(Map.of("epoch", 0, "test_acc", 50.0, "seconds", 0.0));
            return Map.of("final_acc", 50.0, "final_nonfinite", 0, "seconds_per_epoch", 0.0);
        }

        @Override
        public String packKey(RunPoint p) { // packs (and so shards with --pack) as train's
            return inner.packKey(p);
        }

        @Override
        public Map<String, Object> run(RunPoint p, Context ctx, dev.spikestep.net.NetworkFactory network) {
            return run(p, ctx);
        }
    }

    @Test
    void parallelAboveThreadsSaysThatEachRunGetsAThread() {
        InstantRunner r = new InstantRunner();
        sweep(r, dir.resolve("over"), 3, 1, false, Shard.ALL);
        assertEquals(Set.of(1), r.threads);
        String said = console.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("note: --parallel 3 is above --threads 1: each of the 3 runs at a time has a thread of "
                + "its own, 3 threads in all; lower --parallel to use 1"), said);
        console.reset();
        sweep(new InstantRunner(), dir.resolve("within"), 3, 3, false, Shard.ALL);
        assertFalse(console.toString(StandardCharsets.UTF_8).contains("note: --parallel"), console.toString());
    }

    private static void setManifest(Path out, String key, Object value) throws java.io.IOException {
        Map<String, Object> m = new LinkedHashMap<>(SweepResults.load(out).manifest());
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
        Files.writeString(out.resolve(SweepResults.MANIFEST), ResultsWriter.json(m) + "\n");
    }

    @Test
    void theBuildIsRecordedAndAResumeOrMergeAcrossBuildsSaysSo() throws Exception {
        String build = dev.spikestep.BuildInfo.commit();
        String old = "0123456789abcdef0123456789abcdef01234567";
        Path s0 = dir.resolve("s0");
        Path s1 = dir.resolve("s1");
        sweep(new InstantRunner(), s0, 1, 1, false, Shard.parse("0/2"));
        sweep(new InstantRunner(), s1, 1, 1, false, Shard.parse("1/2"));
        assertEquals(build, SweepResults.load(s0).manifest().get("commit"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Merge.merge(List.of(s0, s1), dir.resolve("m"), new PrintStream(log, true, StandardCharsets.UTF_8));
        assertFalse(log.toString(StandardCharsets.UTF_8).contains("warning"), log.toString());
        assertEquals(build, SweepResults.load(dir.resolve("m")).manifest().get("commit"));

        // shard 0 was started by another build: a resume that runs nothing leaves its builds as they were
        setManifest(s0, "commit", old);
        setManifest(s0, "commits", old);
        console.reset();
        sweep(new InstantRunner(), s0, 1, 1, true, Shard.parse("0/2"));
        assertFalse(console.toString(StandardCharsets.UTF_8).contains("rows of both builds"), "it ran nothing: "
                + console.toString(StandardCharsets.UTF_8));
        assertEquals(old, SweepResults.load(s0).manifest().get("commit"));
        assertEquals(old, SweepResults.load(s0).manifest().get("commits"));
        // one that runs a point says so, and sweep.json lists both
        List<String> rows = Files.readAllLines(s0.resolve(SweepResults.RUNS));
        Files.write(s0.resolve(SweepResults.RUNS), rows.subList(0, rows.size() - 1));
        console.reset();
        sweep(new InstantRunner(), s0, 1, 1, true, Shard.parse("0/2"));
        String said = console.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("note: " + s0 + " was written by build " + old + "; this is build " + build
                + " (--version)"), said);
        assertEquals(old + "," + build, SweepResults.load(s0).manifest().get("commits"));
        log.reset();
        Merge.merge(List.of(s0, s1), dir.resolve("m2"), new PrintStream(log, true, StandardCharsets.UTF_8));
        String merged = log.toString(StandardCharsets.UTF_8);
        assertTrue(merged.contains("warning: the inputs were written by different builds: " + old + " (" + s0 + "); "
                + build + " (" + s0 + ", " + s1 + "); their rows are merged as one sweep"), merged);
        assertTrue(merged.contains("the grid is complete: 8 of 8"), merged);
        assertEquals(old + "," + build, SweepResults.load(dir.resolve("m2")).manifest().get("commits"));

        // a sweep.json written before builds were recorded: a resume that runs nothing does not claim it for this build,
        // and a merge with a shard of this build warns of the two (the earlier one unnamed)
        setManifest(s1, "commit", null);
        setManifest(s1, "commits", null);
        console.reset();
        sweep(new InstantRunner(), s1, 1, 1, true, Shard.parse("1/2"));
        assertFalse(console.toString(StandardCharsets.UTF_8).contains("written by build"), console.toString());
        assertEquals(null, SweepResults.load(s1).manifest().get("commits"));
        assertEquals(null, SweepResults.load(s1).manifest().get("commit"));
        log.reset();
        Merge.merge(List.of(s1), dir.resolve("m3"), new PrintStream(log, true, StandardCharsets.UTF_8));
        assertFalse(log.toString(StandardCharsets.UTF_8).contains("warning"), log.toString());
        Path s2 = dir.resolve("s2");
        sweep(new InstantRunner(), s2, 1, 1, false, Shard.parse("0/2"));
        log.reset();
        Merge.merge(List.of(s2, s1), dir.resolve("m4"), new PrintStream(log, true, StandardCharsets.UTF_8));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("warning: the inputs were written by different builds: "
                + build + " (" + s2 + "); an earlier build (not recorded) (" + s1 + ")"), log.toString());
        Map<String, Object> m4 = SweepResults.load(dir.resolve("m4")).manifest();
        assertEquals(build + "," + Merge.UNRECORDED, m4.get("commits"), "the unrecorded build stays named");
        assertEquals(null, m4.get("commit"), "two builds: no single commit");
        // a resume that runs a point in a directory of unrecorded rows keeps them attributed to that build
        Files.writeString(s1.resolve("runs.jsonl"), Files.readAllLines(s1.resolve("runs.jsonl")).get(0) + "\n");
        console.reset();
        sweep(new InstantRunner(), s1, 1, 1, true, Shard.parse("1/2"));
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("holds runs of an earlier build that recorded none; "
                + "this is build " + build), console.toString());
        assertEquals(Merge.UNRECORDED + "," + build, SweepResults.load(s1).manifest().get("commits"));
    }

    /** A shard of {@code runner}'s sweep; packs (--pack above 1) on no network, the runner trains nothing. */
    private SweepRunner.Summary shard(Path out, String shard, int pack, boolean resume) {
        PrintStream ps = new PrintStream(console, true, StandardCharsets.UTF_8);
        return new SweepRunner(SweepConfig.load(config), new InstantRunner(), new SweepRunner.Options(out, data, "cpu", 1,
                1, resume, Shard.parse(shard), ps, ps, false, pack)).networks(n -> java.util.Collections.nCopies(n, null),
                (s, n, r, a, t) -> null).run();
    }

    private static List<Long> indices(Path out) {
        return SweepResults.load(out).runs().stream().map(r -> ((Number) r.get("index")).longValue()).sorted().toList();
    }

    @Test
    void aShardResumesWithThePointsItWasDealt() throws Exception {
        // --pack 3 makes packs [0,1,2], [3], [4,5,6], [7]: shard 0/2 is points 0-2 and 4-6, not 0, 2, 4, 6
        Path packed = dir.resolve("packed-shard");
        assertEquals(6, shard(packed, "0/2", 3, false).shardPoints());
        assertEquals(List.of(0L, 1L, 2L, 4L, 5L, 6L), indices(packed));
        assertEquals(3L, SweepResults.load(packed).manifest().get("shard_pack"));
        console.reset();
        SweepRunner.Summary again = shard(packed, "0/2", 1, true);
        assertEquals(6, again.shardPoints());
        assertEquals(0, again.finished().size(), "its points are done: none of shard 1's is taken up");
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("note: shard 0/2 in " + packed + " was dealt its points "
                + "as whole packs of up to 3 (--pack 3) when it started, and keeps them; --pack 1 packs them"), console.toString());
        assertEquals(3L, SweepResults.load(packed).manifest().get("shard_pack"));

        // a shard started by points (a sweep.json from before shards of packs records none) stays points
        Path points = dir.resolve("point-shard");
        shard(points, "0/2", 1, false);
        setManifest(points, "shard_pack", null);
        List<String> rows = Files.readAllLines(points.resolve(SweepResults.RUNS));
        Files.write(points.resolve(SweepResults.RUNS), rows.subList(0, 2)); // points 0 and 2 finished, 4 and 6 not
        SweepRunner.Summary resumed = shard(points, "0/2", 3, true);
        assertEquals(4, resumed.shardPoints());
        assertEquals(List.of(4, 6), resumed.finished().stream().map(r -> ((Number) r.get("index")).intValue()).toList());
        assertEquals(List.of(0L, 2L, 4L, 6L), indices(points));
    }

    /** 4 points that --pack 2 packs as [0, 1], [2, 3] and --pack 4 as one pack. */
    private void fourPointGrid() throws Exception {
        Files.writeString(config, YAML.replace("""
                  model_integrator: [lif/exp, izh/euler]
                  dt: [1.0, 5.0]
                  seed: [0, 1]
                """, "  dt: [0.5, 1.0, 2.0, 5.0]\n"));
        assertEquals(4, SweepConfig.load(config).expand().size());
    }

    @Test
    void aShardResumedWithALargerPackIsCheckedWithThePointsItWasDealt() throws Exception {
        fourPointGrid();
        Path out = dir.resolve("dealt-by-points");
        shard(out, "1/2", 1, false); // points 1 and 3; --pack 4 would deal shard 1 nothing (one pack, to shard 0)
        String said = run("sweep", config.toString(), "--shard", "1/2", "--out", out.toString(), "--data", data.toString(),
                "--resume", "--pack", "4", "--check");
        assertFalse(said.contains("holds no points"), said);
        // past the shard's check, on to the backend's: this machine's CPU cannot pack
        assertTrue(said.startsWith("2\nerror: --pack 4 packs runs on a GPU: it needs --backend cuda"), said);
        Path fresh = dir.resolve("refused-pack");
        assertTrue(run("sweep", config.toString(), "--out", fresh.toString(), "--data", data.toString(), "--pack", "2")
                .startsWith("2\nerror: --pack 2 packs runs on a GPU"));
        assertFalse(Files.exists(fresh), "a refused sweep makes no --out (not even its lock)");
        // --list shows the points the resume runs, not those --pack 4 would deal (none)
        String listed = run("sweep", config.toString(), "--list", "--shard", "1/2", "--out", out.toString(), "--resume",
                "--pack", "4", "--backend", "cuda"); // named only: --list looks for no GPU
        assertTrue(listed.startsWith("0\nsweep "), listed);
        assertTrue(listed.contains("shard 1/2 shown as " + out + " was dealt it (--pack 1)"), listed);
        assertEquals(List.of("1", "3"), listed.lines().skip(2).map(l -> l.split("\t")[0]).toList(), listed);
    }

    /** A shard of the array not given to merge holds its points all the same, dealt as most shards were. */
    @Test
    void aShardNotGivenToMergeIsCountedAsDealtAsMostWere() throws Exception {
        fourPointGrid();
        Path s0 = dir.resolve("n0");
        Path s1 = dir.resolve("n1");
        Path s2 = dir.resolve("n2");
        shard(s0, "0/4", 2, false); // the pack [0, 1]
        shard(s1, "1/4", 1, false); // point 1
        shard(s2, "2/4", 1, false); // point 2; 3/4, dealt by points, would hold 3
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Merge.merge(List.of(s0, s1, s2), dir.resolve("nm"), new PrintStream(log, true, StandardCharsets.UTF_8));
        String merged = log.toString(StandardCharsets.UTF_8);
        assertTrue(merged.contains("(shards 3/4 were not given to merge: counted as dealt by points); every missing point "
                + "is held by a shard"), merged);
        assertFalse(merged.contains("no shard holds points"), merged);
        assertTrue(merged.contains("missing 1 of 4 grid points (indices 3); resume their shards"), merged);
    }

    /** Shards dealt differently whose points still cover the grid: the missing ones are a resume's to run. */
    @Test
    void aMergeOfShardsDealtDifferentlyThatCoverTheGridAdvisesTheirResume() throws Exception {
        fourPointGrid();
        Path byPoints = dir.resolve("c1");
        Path byPack = dir.resolve("c0");
        shard(byPoints, "1/2", 1, false); // points 1 and 3
        shard(byPack, "0/2", 4, false); // one pack of all four points, to shard 0
        // points 0 and 2 "killed": their rows dropped (a pack's runs finish in any order)
        List<String> kept = Files.readAllLines(byPack.resolve("runs.jsonl")).stream()
                .filter(l -> !l.matches(".*\"index\":\\s*[02]\\b.*")).toList();
        assertEquals(2, kept.size(), kept.toString());
        Files.writeString(byPack.resolve("runs.jsonl"), String.join("\n", kept) + "\n");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Merge.merge(List.of(byPack, byPoints), dir.resolve("cm"), new PrintStream(log, true, StandardCharsets.UTF_8));
        String merged = log.toString(StandardCharsets.UTF_8);
        assertTrue(merged.contains("every missing point is held by a shard, which --resume finishes"), merged);
        assertFalse(merged.contains("--out NEW"), "no rerun of a shard that --pack 4 deals nothing: " + merged);
        assertTrue(merged.contains("missing 2 of 4 grid points (indices 0, 2); resume their shards with 'spikestep sweep "
                + "... --shard K/N --resume'"), merged);
    }

    @Test
    void aMergeOfShardsDealtDifferentlyNamesThePointNoShardHolds() throws Exception {
        fourPointGrid();
        Path byPoints = dir.resolve("s0");
        Path byPacks = dir.resolve("s1");
        shard(byPoints, "0/2", 1, false); // points 0 and 2, as a build from before shards of packs dealt them
        setManifest(byPoints, "shard_pack", null);
        shard(byPacks, "1/2", 2, false); // the pack [2, 3]
        assertEquals(List.of(2L, 3L), indices(byPacks));
        console.reset();
        shard(byPoints, "0/2", 2, true);
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("but would deal other points: the sweep's other "
                + "shards must be dealt as this one (started with --pack 1), or points are left to no shard"), console.toString());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Merge.merge(List.of(byPoints, byPacks), dir.resolve("m"), new PrintStream(log, true, StandardCharsets.UTF_8));
        String merged = log.toString(StandardCharsets.UTF_8);
        assertTrue(merged.contains("warning: the shards were dealt their points in different ways: by points (" + byPoints
                + "); as packs of up to 2 (--pack 2) (" + byPacks + "), so no shard holds points 1, which no resume runs; "
                + "run the shards dealt otherwise than as packs of up to 2 (--pack 2) again with this build into new "
                + "directories (no --resume; with the sweep's other options, --data and the like), 'spikestep sweep "
                + config + " --shard 0/2 --pack 2 --backend cpu --out NEW' in place of "
                + byPoints + ", and merge them in place of the old ones"), merged);
        assertTrue(merged.contains("missing 1 of 4 grid points (indices 1); run the shards again as the warning above "
                + "says and merge again"), merged);

        // the advice, followed, completes the grid
        Path again = dir.resolve("s0-packs");
        shard(again, "0/2", 2, false);
        log.reset();
        Merge.merge(List.of(again, byPacks), dir.resolve("m2"), new PrintStream(log, true, StandardCharsets.UTF_8));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("the grid is complete: 4 of 4"), log.toString());
        assertFalse(log.toString(StandardCharsets.UTF_8).contains("warning"), log.toString());
    }

    @Test
    void packIsAtMostAKernelGridsRuns() {
        PrintStream ps = new PrintStream(console, true, StandardCharsets.UTF_8);
        SpikestepException e = assertThrows(SpikestepException.class, () -> new SweepRunner.Options(dir, data, "cuda", 1,
                1, false, Shard.ALL, ps, ps, false, 65536));
        assertEquals("--pack must be at most 65535 (CUDA's limit on a launch's gridDim.y, one run each), got 65536",
                e.getMessage());
        assertEquals(65535, new SweepRunner.Options(dir, data, "cuda", 1, 1, false, Shard.ALL, ps, ps, false, 65535).pack());
    }

    @Test
    void resumeAfterAKilledSweepLeavesOneRowPerRun() throws Exception {
        Path out = dir.resolve("killed");
        SpikestepException e = assertThrows(SpikestepException.class,
                () -> sweep(new DyingRunner(3), out, 1, 1, false, Shard.ALL));
        assertTrue(e.getMessage().contains("killed"), e.getMessage());
        assertEquals(3, Files.readAllLines(out.resolve("runs.jsonl")).size());
        // A write torn by the kill: half a line, no newline.
        ResultsWriter.appendText(out.resolve("epochs.jsonl"), "{\"run_id\":\"0123456789ab\",\"ind");

        SpikestepException again = assertThrows(SpikestepException.class,
                () -> sweep(new TrainRunner(), out, 1, 1, false, Shard.ALL));
        assertTrue(again.getMessage().contains("--resume"), again.getMessage());

        SweepRunner.Summary resumed = sweep(new TrainRunner(), out, 2, 2, true, Shard.ALL);
        assertEquals(3, resumed.skipped());
        assertEquals(5, resumed.finished().size());
        SweepRunner.Summary nothing = sweep(new TrainRunner(), out, 1, 1, true, Shard.ALL);
        assertEquals(0, nothing.finished().size(), "a finished sweep resumes to nothing");

        List<String> runLines = Files.readAllLines(out.resolve("runs.jsonl"));
        assertEquals(8, runLines.size(), "exactly one line per run in runs.jsonl");
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(9, csv.size(), "header + one row per run");
        Set<String> ids = new HashSet<>();
        for (String line : csv.subList(1, csv.size())) {
            assertTrue(ids.add(line.substring(line.lastIndexOf(',', line.lastIndexOf(',') - 1) + 1, line.lastIndexOf(','))));
        }
        assertEquals(8, ids.size());

        SweepResults r = SweepResults.load(out);
        assertEquals(1, r.skippedLines(), "the torn line");
        assertEquals(8, r.runs().size());
        assertEquals(16, r.epochs().size(), "the interrupted attempt's epoch is not counted");
        Map<String, Object> rerun = r.runs().get(3);
        assertEquals(2L, rerun.get("attempt"), "the run that was killed finished in its second attempt");
        assertTrue(Files.readString(out.resolve("epochs.jsonl")).contains("\"test_acc\":12.5"), "partial rows stay on disk");
        assertTrue(r.epochs().stream().noneMatch(x -> Double.valueOf(12.5).equals(x.get("test_acc"))));

        // And the results are those of an uninterrupted sweep.
        sweep(new TrainRunner(), dir.resolve("clean"), 1, 1, false, Shard.ALL);
        SweepResults clean = SweepResults.load(dir.resolve("clean"));
        assertEquals(untimed(clean.runs()), untimed(r.runs()));
        assertEquals(untimed(clean.epochs()), untimed(r.epochs()));
    }

    /** Point 1 dies right after its first epoch reached the files, checkpoint included. */
    static final class DiesAfterAnEpoch extends WrappedRunner {
        DiesAfterAnEpoch() {
        }

        DiesAfterAnEpoch(ExperimentRunner inner) {
            super(inner);
        }

        @Override
        public Map<String, Object> run(RunPoint p, Context ctx) {
            if (p.index() != 1) {
                return inner.run(p, ctx);
            }
            return inner.run(p, new Context(ctx.dataDir(), ctx.backend(), ctx.threads(), ctx.runDir(), ctx.log(), row -> {
                ctx.epochSink().accept(row);
                throw new IllegalStateException("killed after epoch " + row.get("epoch"));
            }));
        }
    }

    @Test
    void aRunPastTheHeapIsNamedAndItsSweepResumes() throws Exception {
        Path out = dir.resolve("heap");
        RunPoint p2 = SweepConfig.load(config).expand().get(2);
        InstantRunner instant = new InstantRunner();
        WrappedRunner heap = new WrappedRunner() {
            @Override
            public Map<String, Object> run(RunPoint p, Context ctx) {
                if (p.index() == 2) {
                    throw new OutOfMemoryError("Java heap space"); // as a checkpoint's encoding past -Xmx40m
                }
                return instant.run(p, ctx);
            }
        };
        SpikestepException e = assertThrows(SpikestepException.class, () -> sweep(heap, out, 1, 1, false, Shard.ALL));
        assertTrue(e.getMessage().startsWith("run " + p2.label()) && e.getMessage().contains(
                " failed: out of memory: this run needs more than the JVM's " + dev.spikestep.net.Backends.heapMiB()
                        + " MiB of heap; "), e.getMessage());
        assertEquals(List.of(0L, 1L), SweepResults.load(out).runs().stream()
                .map(r -> ((Number) r.get("index")).longValue()).toList(), "the points before it are kept");
        String log = Files.readString(out.resolve("runs").resolve(p2.runId()).resolve("log.txt"));
        assertTrue(log.contains("run " + p2.label() + " failed: out of memory: "), "the run's own log says how it ended: "
                + log);
        // the lock is free and the kept rows are the resume's: the rest runs, the two are not run again
        sweep(instant, out, 1, 1, true, Shard.ALL);
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("2 finished before, 6 to run"), console.toString());
        assertEquals(8, SweepResults.load(out).runs().size());
    }

    @Test
    void aPointKilledMidRunContinuesFromItsLastEpochOnResume() throws Exception {
        Path out = dir.resolve("mid");
        assertThrows(SpikestepException.class, () -> sweep(new DiesAfterAnEpoch(), out, 1, 1, false, Shard.ALL));
        RunPoint p1 = SweepConfig.load(config).expand().get(1);
        assertTrue(Files.exists(out.resolve("checkpoints").resolve(p1.runId()).resolve("epoch-000.safetensors")));

        sweep(new TrainRunner(), out, 1, 1, true, Shard.ALL);
        String log = Files.readString(out.resolve("runs").resolve(p1.runId()).resolve("log.txt"));
        assertTrue(log.contains("resuming run " + p1.runId()) && log.contains("epoch 1 of 2 next"), log);
        assertFalse(log.contains("\n    0 |"), "epoch 0 is not trained again: " + log);

        sweep(new TrainRunner(), dir.resolve("clean"), 1, 1, false, Shard.ALL);
        SweepResults clean = SweepResults.load(dir.resolve("clean"));
        SweepResults r = SweepResults.load(out);
        assertEquals(untimed(clean.runs()), untimed(r.runs()));
        assertEquals(untimed(clean.epochs()), untimed(r.epochs()), "the resumed attempt holds both epochs");
    }

    @Test
    void aSecondSweepOnTheSameOutIsRefusedWhileTheFirstHoldsIt() throws Exception {
        Path out = dir.resolve("locked");
        try (var lock = dev.spikestep.io.OutLock.acquire(out, "sweep tiny")) {
            SpikestepException e = assertThrows(SpikestepException.class, () -> sweep(new TrainRunner(), out, 1, 1, true,
                    Shard.ALL));
            assertTrue(e.getMessage().contains("is in use by another run (pid " + ProcessHandle.current().pid()), e.getMessage());
        }
        assertFalse(Files.exists(out.resolve("runs.jsonl")), "nothing ran");
    }

    /** The command line's exit code, a newline, and what it printed. */
    static String run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(b, true, StandardCharsets.UTF_8);
        System.setOut(ps);
        System.setErr(ps);
        try {
            int rc = Main.execute(args);
            return rc + "\n" + b.toString(StandardCharsets.UTF_8);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void resumingIntoATrainRunsDirectoryIsRefusedAndLeavesItsResultsAsTheyWere() throws Exception {
        Path out = dir.resolve("trained");
        String train = run("train", "--out", out.toString(), "--data", data.toString(), "--dataset", "mnist-sample",
                "--epochs", "1", "--batch", "16", "--hidden", "12", "--T", "20", "--train-samples", "32",
                "--eval-batches", "1");
        assertTrue(train.startsWith("0\n"), train);
        byte[] results = Files.readAllBytes(out.resolve("results.csv"));
        byte[] epochs = Files.readAllBytes(out.resolve(SweepResults.EPOCHS));
        String resumed = run("sweep", config.toString(), "--out", out.toString(), "--data", data.toString(), "--resume");
        assertTrue(resumed.startsWith("2\n") && resumed.contains("holds epochs.jsonl but no sweep.json")
                && resumed.contains("not a sweep's directory"), resumed);
        assertArrayEquals(results, Files.readAllBytes(out.resolve("results.csv")), "train's results row is kept");
        assertArrayEquals(epochs, Files.readAllBytes(out.resolve(SweepResults.EPOCHS)));
        String fresh = run("sweep", config.toString(), "--out", out.toString(), "--data", data.toString());
        assertTrue(fresh.startsWith("2\n") && fresh.contains("not a sweep's directory"), fresh);
        assertFalse(Files.exists(out.resolve(SweepResults.MANIFEST)));
        Files.delete(out.resolve(SweepResults.EPOCHS)); // a results.csv alone is not a sweep's either
        String csvOnly = run("sweep", config.toString(), "--out", out.toString(), "--data", data.toString(), "--resume");
        assertTrue(csvOnly.startsWith("2\n") && csvOnly.contains("holds results.csv but no sweep.json"), csvOnly);
        assertArrayEquals(results, Files.readAllBytes(out.resolve("results.csv")));
    }

    @Test
    void backendAutoIsRecordedAsTheBackendItResolvedTo() throws Exception {
        Path one = dir.resolve("one.yaml");
        Files.writeString(one, """
                name: one
                experiment: train
                base: {T: 20, epochs: 1, batch: 16, hidden: 12, dataset: mnist-sample, train_samples: 16, eval_batches: 1}
                axes:
                  seed: [0]
                """);
        Path out = dir.resolve("auto");
        String r = run("sweep", one.toString(), "--out", out.toString(), "--data", data.toString(), "--backend", "auto");
        assertTrue(r.startsWith("0\n"), r);
        String resolved = dev.spikestep.net.Backends.check("auto");
        assertTrue(List.of("cpu", "cuda").contains(resolved), resolved);
        assertEquals(resolved, SweepResults.load(out).runs().get(0).get("backend"), "runs.jsonl names cpu or cuda, not auto");
        assertTrue(r.contains("backend " + resolved + ","), r);
    }

    @Test
    void listRefusesTheOptionsARunRefusesWithoutAGpuAndCreatesNothing() throws Exception {
        Path out = dir.resolve("listed");
        String[][] cases = {
            {"--backend", "foo", "unknown --backend foo: use cpu, cuda or auto"},
            {"--parallel", "0", "--parallel must be in [1, 1024] (each run at a time has a thread of its own at least), got 0"},
            {"--pack", "0", "--pack must be >= 1, got 0"},
            {"--pack", "2", "--pack 2 packs runs on a GPU: it needs --backend cuda"},
            {"--threads", "-1", "--threads must be 0 (all cores) or 1 to "},
            {"--devices", "0", "--devices 0 spreads runs over GPUs: it needs --backend cuda"},
            {"--gpus-per-task", "2", "--gpus-per-task goes with --emit-slurm"},
            {"--shards", "2", "--shards 2 sets the tasks of --emit-slurm"},
        };
        for (String[] c : cases) {
            String r = run("sweep", config.toString(), "--out", out.toString(), "--list", c[0], c[1]);
            assertTrue(r.startsWith("2\nerror: " + c[2]), String.join(" ", c) + ": " + r);
        }
        // a GPU's options are named, not looked for: the grid is listed on a machine without one
        String cuda = run("sweep", config.toString(), "--out", out.toString(), "--list", "--backend", "cuda", "--pack", "2",
                "--devices", "0");
        assertTrue(cuda.startsWith("0\nsweep tiny (train): 8 grid points"), cuda);
        assertFalse(Files.exists(out), "--list creates nothing");
    }

    @Test
    void aTimeStepCountPastAnIntIsToldTheRealLimit() throws Exception {
        Files.writeString(config, YAML.replace("T: 50,", "T: 3000000000,"));
        String r = run("sweep", config.toString(), "--out", dir.resolve("o").toString(), "--data", data.toString(), "--check");
        assertTrue(r.startsWith("2\n") && r.contains("base.T must be within [1, 100000], got 3000000000"), r);
        Files.writeString(config, YAML.replace("experiment: train", "experiment: transfer")
                .replace("lr: 3e-3}", "lr: 3e-3, eval_T: 4000000000}"));
        r = run("sweep", config.toString(), "--out", dir.resolve("o").toString(), "--data", data.toString(), "--check");
        assertTrue(r.startsWith("2\n") && r.contains("base.eval_T must be within [1, 100000], got 4000000000"), r);
    }

    @Test
    void checkMakesEveryPointsChecksAndRunsAndWritesNothing() throws Exception {
        Path out = dir.resolve("checked");
        String ok = run("sweep", config.toString(), "--out", out.toString(), "--data", data.toString(), "--check");
        assertTrue(ok.startsWith("0\n") && ok.contains("check: sweep tiny (train): 8 grid points; 0 finished before, 8 to "
                + "run into " + out + ", backend cpu; every check passed, nothing was run or written"), ok);
        assertFalse(Files.exists(out), "nothing written, not even the directory");
        String both = run("sweep", config.toString(), "--out", out.toString(), "--list", "--check");
        assertTrue(both.startsWith("2\n") && both.contains("--list prints the grid and exits: it does not go with --check"),
                both);
        // what the run's lock would refuse: an OUT that is a file or under one, an OUT another run holds
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        for (Path p : List.of(file, file.resolve("sub"))) {
            String r = run("sweep", config.toString(), "--out", p.toString(), "--data", data.toString(), "--check");
            assertTrue(r.startsWith("2\n") && (r.contains("is a file, not a directory") || r.contains("is not a directory")), r);
        }
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nothing-there"));
        String link = run("sweep", config.toString(), "--out", dangling.toString(), "--data", data.toString(), "--check");
        assertTrue(link.startsWith("2\n") && link.contains("a link to nothing"), link);
        Path lockDir = dir.resolve("lock-dir");
        Files.createDirectories(lockDir.resolve(dev.spikestep.io.OutLock.FILE));
        String lockIsDir = run("sweep", config.toString(), "--out", lockDir.toString(), "--data", data.toString(), "--check");
        assertTrue(lockIsDir.startsWith("2\n") && lockIsDir.contains(".spikestep.lock is not a file"), lockIsDir);
        Path held = dir.resolve("held");
        try (dev.spikestep.io.OutLock lock = dev.spikestep.io.OutLock.acquire(held, "sweep tiny")) {
            String r = run("sweep", config.toString(), "--out", held.toString(), "--data", data.toString(), "--check");
            assertTrue(r.startsWith("2\n") && r.contains("is in use by another run (pid "), r);
        }
        String free = run("sweep", config.toString(), "--out", held.toString(), "--data", data.toString(), "--check");
        assertTrue(free.startsWith("0\n"), "a lock left behind by a run that ended is free: " + free);
        // a value only one point has wrong is found without running the others first
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, YAML.replace("batch: 16, ", "").replace("dt: [1.0, 5.0]", "batch: [16, 128]"));
        String refused = run("sweep", bad.toString(), "--out", out.toString(), "--data", data.toString(), "--check");
        assertTrue(refused.startsWith("2\n") && refused.contains("128") && refused.contains("(run "), refused);
        assertFalse(Files.exists(out));
        // a missing dataset, and a half-done sweep: what a resume would still run
        String noData = run("sweep", config.toString(), "--out", out.toString(), "--data", dir.resolve("none").toString(),
                "--check");
        assertTrue(noData.startsWith("2\n") && noData.contains("not found") && !noData.contains("(run #"),
                "the data directory's problem, not one point's: " + noData);
        assertTrue(run("sweep", config.toString(), "--out", out.toString(), "--data", data.toString(), "--shard", "0/2")
                .startsWith("0\n"));
        byte[] runs = Files.readAllBytes(out.resolve(SweepResults.RUNS));
        String half = run("sweep", config.toString(), "--out", out.toString(), "--data", data.toString(), "--shard", "0/2",
                "--resume", "--check");
        assertTrue(half.startsWith("0\n") && half.contains("shard 0/2 has 4; 4 finished before, 0 to run"), half);
        String again = run("sweep", config.toString(), "--out", out.toString(), "--data", data.toString(), "--shard", "0/2",
                "--check");
        assertTrue(again.startsWith("2\n") && again.contains("add --resume"), "the refusal a run would meet: " + again);
        assertArrayEquals(runs, Files.readAllBytes(out.resolve(SweepResults.RUNS)));
    }

    /** T x batch x hidden past one buffer is the network's own check: made for every point before the first runs. */
    @Test
    void aPointTooLargeForOneBufferIsRefusedBeforeAnyPointRuns() throws Exception {
        Path train = dir.resolve("huge.yaml");
        Files.writeString(train, """
                name: huge
                experiment: train
                base: {epochs: 1, batch: 16, hidden: 4096, dataset: mnist-sample, train_samples: 16, eval_batches: 1}
                axes:
                  T: [2, 100000]
                """);
        Path transfer = dir.resolve("huge-transfer.yaml");
        Files.writeString(transfer, """
                name: huge-transfer
                experiment: transfer
                base: {T: 2, epochs: 1, batch: 16, hidden: 4096, dataset: mnist-sample, train_samples: 16, eval_batches: 1}
                axes:
                  eval_T: [100000]
                """);
        for (Path config : List.of(train, transfer)) {
            Path out = dir.resolve("out-" + config.getFileName());
            for (String mode : List.of("--check", "--parallel")) {
                List<String> args = new java.util.ArrayList<>(List.of("sweep", config.toString(), "--out", out.toString(),
                        "--data", data.toString(), mode));
                if (mode.equals("--parallel")) {
                    args.add("1");
                }
                String r = run(args.toArray(String[]::new));
                assertTrue(r.startsWith("2\n") && r.contains("does not fit one buffer"), r);
                String t = config == train ? "T" : "eval_T";
                assertTrue(r.contains("error: " + config + ": " + t + " 100000 x batch 16 x layer width 4096 = 6553600000 floats does not "
                        + "fit one buffer (2^31); lower " + t + ", the batch or the hidden size (run #"), r);
                assertTrue(r.contains(" " + t + "=100000"), "the point, with the axis value that made it too large: " + r);
                assertFalse(Files.exists(out.resolve(SweepResults.RUNS)), "no point ran: " + r);
            }
        }
    }

    @Test
    void twoShardsMergedEqualTheWholeGrid() throws Exception {
        String d = data.toString();
        String c = config.toString();
        assertTrue(run("sweep", c, "--out", dir.resolve("full").toString(), "--data", d).startsWith("0\n"));
        String s0 = run("sweep", c, "--out", dir.resolve("s0").toString(), "--data", d, "--shard", "0/2", "--parallel", "2");
        assertTrue(s0.startsWith("0\n"), s0);
        assertTrue(s0.contains("shard 0/2 has 4"), s0);
        String partial = run("merge", dir.resolve("s0").toString(), "--out", dir.resolve("m").toString());
        assertTrue(partial.contains("missing 4 of 8 grid points (indices 1, 3, 5, 7)"), partial);
        assertTrue(run("sweep", c, "--out", dir.resolve("s1").toString(), "--data", d, "--shard", "1/2").startsWith("0\n"));
        String merged = run("merge", dir.resolve("s0").toString(), dir.resolve("s1").toString(), "--out", dir.resolve("m").toString());
        assertTrue(merged.startsWith("0\n") && merged.contains("the grid is complete: 8 of 8"), merged);

        SweepResults full = SweepResults.load(dir.resolve("full"));
        SweepResults m = SweepResults.load(dir.resolve("m"));
        assertEquals(8, m.runs().size());
        assertEquals(untimed(full.runs()), untimed(m.runs()));
        assertEquals(untimed(full.epochs()), untimed(m.epochs()));
        assertEquals(9, csvLines(dir.resolve("m")).size());
        assertEquals(csvLines(dir.resolve("full")).get(0), csvLines(dir.resolve("m")).get(0));

        String report = run("report", dir.resolve("m").toString());
        assertTrue(report.startsWith("0\n") && Files.exists(dir.resolve("m").resolve("report").resolve("report.html")), report);

        // a sweep resumed into the merge would rewrite its sweep.json as its own (the next merge then refused)
        String intoMerge = run("sweep", c, "--out", dir.resolve("m").toString(), "--data", d, "--resume");
        assertTrue(intoMerge.startsWith("2\nerror: " + dir.resolve("m") + " holds a merge of sweep 'tiny' (made by "
                + "'spikestep merge'); run or resume the sweep in its own directories and merge again"), intoMerge);
        assertTrue(SweepResults.load(dir.resolve("m")).manifest().containsKey("merged_from"), "the merge's sweep.json kept");
        String wrongShard = run("sweep", c, "--out", dir.resolve("s1").toString(), "--data", d, "--shard", "0/2", "--resume");
        assertTrue(wrongShard.startsWith("2\n") && wrongShard.contains("holds shard 1/2"), wrongShard);
        String self = run("merge", dir.resolve("m").toString(), "--out", dir.resolve("m").toString());
        assertTrue(self.startsWith("2\n") && self.contains("also an input"), self);
        String typo = run("merge", dir.resolve("s0").toString(), dir.resolve("s2").toString(), "--out", dir.resolve("m2").toString());
        assertTrue(typo.equals("2\nerror: merge: " + dir.resolve("s2") + ": no such directory\n"), typo);
        assertTrue(!Files.exists(dir.resolve("m2")), "nothing written when an input is missing");
        // a shard of another grid with the same name and size (its grid id differs), or of no known sweep: refused
        Path other = copyTree(dir.resolve("s1"), dir.resolve("s1-other"));
        Path manifest = other.resolve(SweepResults.MANIFEST);
        String gridId = (String) SweepResults.load(other).manifest().get("grid_id");
        Files.writeString(manifest, Files.readString(manifest).replace(gridId, "0123456789ab"));
        String grids = run("merge", dir.resolve("s0").toString(), other.toString(), "--out", dir.resolve("m2").toString());
        assertTrue(grids.startsWith("2\n") && grids.contains("grid 0123456789ab from ") && grids.contains("grid " + gridId
                + " from "), grids);
        Files.delete(manifest);
        String bare = run("merge", other.toString(), dir.resolve("s0").toString(), "--out", dir.resolve("m2").toString());
        assertTrue(bare.startsWith("2\n") && bare.contains(other + " has no readable sweep.json"), bare);
        assertTrue(!Files.exists(dir.resolve("m2")));
        // an unreadable line is reported, by merge and by report
        Path torn = copyTree(dir.resolve("s1"), dir.resolve("s1-torn"));
        List<String> lines = new ArrayList<>(Files.readAllLines(torn.resolve(SweepResults.RUNS)));
        lines.set(1, lines.get(1).substring(0, 20));
        Files.write(torn.resolve(SweepResults.RUNS), lines);
        String tornMerge = run("merge", dir.resolve("s0").toString(), torn.toString(), "--out", dir.resolve("m3").toString());
        assertTrue(tornMerge.startsWith("0\n") && tornMerge.contains("note: 1 line(s) of the inputs' JSONL files could not "
                + "be read") && tornMerge.contains("missing 1 of 8 grid points"), tornMerge);
        String tornReport = run("report", torn.toString());
        assertTrue(tornReport.startsWith("0\n") && tornReport.contains("note: 1 line(s) of " + torn + "'s JSONL files could "
                + "not be read"), tornReport);
        // --resume with an edited config (same name, epochs 2 -> 3): refused, nothing mixed into the results
        Path edited = dir.resolve("tiny-edited.yaml");
        Files.writeString(edited, YAML.replace("epochs: 2", "epochs: 3"));
        String mixed = run("sweep", edited.toString(), "--out", dir.resolve("s1").toString(), "--data", d, "--shard", "1/2",
                "--resume");
        assertTrue(mixed.startsWith("2\n") && mixed.contains("started from another grid"), mixed);
        assertEquals(4, SweepResults.load(dir.resolve("s1")).runs().size());
        // never over another sweep's (or shard's) own directory
        String over = run("merge", dir.resolve("s0").toString(), "--out", dir.resolve("s1").toString());
        assertTrue(over.startsWith("2\n") && over.contains("is not empty and not an earlier merge of sweep"), over);
        assertEquals(4, SweepResults.load(dir.resolve("s1")).runs().size());
        // nor over a merge of another grid with the same name and size (an edited config's)
        Path otherMerge = copyTree(dir.resolve("m"), dir.resolve("m-other"));
        Path mm = otherMerge.resolve(SweepResults.MANIFEST);
        Files.writeString(mm, Files.readString(mm).replace(gridId, "0123456789ab"));
        byte[] kept = Files.readAllBytes(otherMerge.resolve(SweepResults.RUNS));
        String grid = run("merge", dir.resolve("s0").toString(), dir.resolve("s1").toString(), "--out", otherMerge.toString());
        assertTrue(grid.startsWith("2\n") && grid.contains("from another grid (0123456789ab, not " + gridId + ")"), grid);
        assertArrayEquals(kept, Files.readAllBytes(otherMerge.resolve(SweepResults.RUNS)));
    }

    private static Path copyTree(Path from, Path to) throws java.io.IOException {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
        return to;
    }

    private static List<String> csvLines(Path d) {
        try {
            return Files.readAllLines(d.resolve("results.csv"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void emitsASlurmJobArray() throws Exception {
        Path script = dir.resolve("job.sbatch");
        Path out = dir.resolve("cluster");
        String r = run("sweep", config.toString(), "--out", out.toString(), "--data", data.toString(), "--shards", "4",
                "--emit-slurm", script.toString());
        assertTrue(r.startsWith("0\n"), r);
        String s = Files.readString(script);
        assertTrue(s.startsWith("#!/bin/bash\n"), s);
        assertTrue(s.contains("\n#SBATCH --array=0-3\n"), s);
        assertTrue(!s.contains("--gres"), "the CPU backend asks for no GPU: " + s);
        assertTrue(s.contains(" sweep " + config.toAbsolutePath() + " --shard ${SLURM_ARRAY_TASK_ID}/4 --out "
                + out.toAbsolutePath() + "/shard-${SLURM_ARRAY_TASK_ID} --resume --data " + data.toAbsolutePath()), s);
        assertTrue(s.contains(" merge " + out.toAbsolutePath() + "/shard-* --out " + out.toAbsolutePath().resolve("merged")), s);
        assertTrue(s.contains(" report " + out.toAbsolutePath().resolve("merged")), s);
        try (var entries = Files.list(out)) { // created for the tasks' logs (#SBATCH --output), otherwise empty
            assertEquals(0, entries.count(), "emitting the script runs nothing");
        }
        // the tasks always resume: a --resume given to the script adds nothing, and is refused
        Path resumed = dir.resolve("resumed.sbatch");
        String withResume = run("sweep", config.toString(), "--out", dir.resolve("resumed").toString(), "--data",
                data.toString(), "--emit-slurm", resumed.toString(), "--resume");
        assertTrue(withResume.startsWith("2\nerror: --resume does not go with --emit-slurm: the script's tasks always "
                + "resume"), withResume);
        assertFalse(Files.exists(resumed) || Files.exists(dir.resolve("resumed")), "nothing written");
        Path logs = dir.resolve("logs-not-made");
        String scriptIsDir = run("sweep", config.toString(), "--out", logs.toString(), "--emit-slurm", dir.toString());
        assertTrue(scriptIsDir.startsWith("2\n") && scriptIsDir.contains("is a directory; name the script file"), scriptIsDir);
        assertFalse(Files.exists(logs), "a refused script leaves no OUT behind");
        Path same = dir.resolve("same");
        String scriptIsOut = run("sweep", config.toString(), "--out", same.toString(), "--emit-slurm", same.toString());
        assertTrue(scriptIsOut.startsWith("2\n") && scriptIsOut.contains("is the output directory"), scriptIsOut);
        assertFalse(Files.exists(same));
        Path aFile = Files.writeString(dir.resolve("out-is-a-file"), "x");
        String outIsFile = run("sweep", config.toString(), "--out", aFile.toString(), "--emit-slurm",
                dir.resolve("new-dir").resolve("job.sbatch").toString());
        assertTrue(outIsFile.startsWith("2\n") && outIsFile.contains("is a file, not a directory"), outIsFile);
        assertFalse(Files.exists(dir.resolve("new-dir")), "the script's directory is not made for a refused script");
        String listed = run("sweep", config.toString(), "--emit-slurm", script.toString(), "--list");
        assertTrue(listed.startsWith("2\n") && listed.contains("does not go with --emit-slurm"), listed);
        String bad = run("sweep", config.toString(), "--shards", "9", "--emit-slurm", script.toString());
        assertTrue(bad.startsWith("2\n") && bad.contains("--shards must be within [1, 8]"), bad);
        // written where there is no GPU (a submit node): --backend cuda is named, not looked for, and asks for one
        Path gpuScript = dir.resolve("gpu.sbatch");
        String g = run("sweep", config.toString(), "--out", out.toString(), "--data", data.toString(), "--backend", "cuda",
                "--emit-slurm", gpuScript.toString());
        assertTrue(g.startsWith("0\n") && Files.readString(gpuScript).contains("\n#SBATCH --gres=gpu:1\n"), g);
        // the tasks run through the launcher beside the jar (the JVM options), else say that they run without it
        Path jar = dir.resolve("inst").resolve("spikestep.jar");
        Files.createDirectories(jar.getParent());
        String bare = SlurmScript.render("tiny", 8, 2, jar, config, out, List.of(), 0, "");
        assertTrue(bare.contains("\njava -jar " + jar + " sweep ") && bare.contains("# No launcher beside " + jar), bare);
        Path launcher = Files.writeString(jar.resolveSibling("spikestep"), "#!/bin/sh\n");
        launcher.toFile().setExecutable(true);
        String viaLauncher = SlurmScript.render("tiny", 8, 2, jar, config, out, List.of(), 0, "");
        assertTrue(viaLauncher.contains("\n" + launcher + " sweep ") && !viaLauncher.contains("java -jar")
                && viaLauncher.contains("#   " + launcher + " merge "), viaLauncher);
        // sbatch splits #SBATCH lines itself: a space or '#' in OUT must not cut the log path short
        Path odd = dir.resolve("my runs #2").resolve("a\"b");
        String quoted = SlurmScript.render("tiny", 8, 2, jar, config, odd, List.of(), 0, "");
        String outLine = quoted.lines().filter(l -> l.startsWith("#SBATCH --output=")).findFirst().orElseThrow();
        assertEquals(List.of("--output=" + odd + "/slurm-%A_%a.out"), sbatchArguments(outLine), outLine);
        assertEquals(List.of("--output=" + out + "/slurm-%A_%a.out"), sbatchArguments("#SBATCH --output=" + out
                + "/slurm-%A_%a.out"), "a plain path stays as it was");
        // options every task would refuse, and shard options that would be ignored, are refused before anything
        String[][] refused = {
            {"--emit-slurm", script.toString(), "--parallel", "0"}, {"--parallel must be in [1, 1024] (each run at a time has a thread of its own at least), got 0"},
            {"--emit-slurm", script.toString(), "--parallel", "1025"}, {"--parallel must be in [1, 1024]"},
            {"--emit-slurm", script.toString(), "--pack", "2"}, {"--pack 2 packs runs on a GPU: it needs --backend cuda"},
            {"--emit-slurm", script.toString(), "--threads", "-5"}, {"--threads must be 0 (all cores) or 1 to"},
            {"--emit-slurm", script.toString(), "--shard", "1/2"}, {"--emit-slurm writes a script for every shard (--shards N); "
                + "--shard 1/2 does not go with it"},
            {"--shards", "2"}, {"--shards 2 sets the tasks of --emit-slurm; to run one shard here, use --shard K/N"},
            {"--shard", "9/10"}, {"shard 9/10 of this 8-point grid holds no points"},
        };
        Files.delete(script);
        for (int i = 0; i < refused.length; i += 2) {
            List<String> a = new ArrayList<>(List.of("sweep", config.toString(), "--out", out.toString(), "--data",
                    data.toString()));
            a.addAll(List.of(refused[i]));
            String e = run(a.toArray(String[]::new));
            assertTrue(e.startsWith("2\n") && e.contains("error: " + refused[i + 1][0]), a + ": " + e);
            assertTrue(!Files.exists(script) && !Files.exists(out.resolve("runs.jsonl")), a.toString());
        }
    }

    /**
     * How sbatch reads the arguments of an #SBATCH line (its opt.c _get_argument in the versions
     * that know only double quotes, the common subset): whitespace splits, '"' toggles quoting,
     * '\\' escapes the next character, an unquoted '#' ends the line.
     */
    private static List<String> sbatchArguments(String line) {
        List<String> args = new ArrayList<>();
        String rest = line.substring("#SBATCH".length());
        StringBuilder a = null;
        boolean quoted = false;
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '\\' && i + 1 < rest.length()) {
                a = a == null ? new StringBuilder() : a;
                a.append(rest.charAt(++i));
            } else if (c == '"') {
                a = a == null ? new StringBuilder() : a;
                quoted = !quoted;
            } else if (!quoted && c == '#') {
                break;
            } else if (!quoted && Character.isWhitespace(c)) {
                if (a != null) {
                    args.add(a.toString());
                    a = null;
                }
            } else {
                a = a == null ? new StringBuilder() : a;
                a.append(c);
            }
        }
        if (a != null) {
            args.add(a.toString());
        }
        return args;
    }

    @Test
    void anRstdpSweepRunsEveryPointThroughTheRstdpRunner() throws Exception {
        Path rs = dir.resolve("rs.yaml");
        Files.writeString(rs, """
                name: rs
                experiment: rstdp
                base: {T: 20, epochs: 1, batch: 16, test_batch: 24, max_train_batches: 3, max_test_batches: 1, dataset: mnist-sample}
                axes: {dt: [0.5, 0.1], integrator: [euler, exp]}
                """);
        String list = run("sweep", rs.toString(), "--list");
        assertTrue(list.startsWith("0\n") && list.contains("4 grid points"), list);
        Path out = dir.resolve("rs");
        String r = run("sweep", rs.toString(), "--out", out.toString(), "--data", data.toString());
        assertTrue(r.startsWith("0\n"), r);
        List<String> runs = Files.readAllLines(out.resolve("runs.jsonl"));
        assertEquals(4, runs.size(), String.join("\n", runs));
        for (String row : runs) {
            assertTrue(row.contains("\"final_acc\":") && row.contains("\"final_no_spike_out_frac\":"), row);
        }
        assertEquals(4, Files.readAllLines(out.resolve("epochs.jsonl")).size(), "one epoch per run");
    }

    /** R-STDP's limits of several values (RstdpConfig's): --check names the file and the point that has them. */
    @Test
    void anRstdpPointPastItsLimitsIsRefusedByCheck() throws Exception {
        Path rs = dir.resolve("rs-limits.yaml");
        Files.writeString(rs, """
                name: rs-limits
                experiment: rstdp
                base: {T: 20, dt: 0.5, epochs: 3, batch: 16, max_train_batches: 1, max_test_batches: 1, dataset: mnist-sample}
                axes: {teach_decay: [0.95, 1.0e30]}
                """);
        Path out = dir.resolve("rs-limits");
        String r = run("sweep", rs.toString(), "--out", out.toString(), "--data", data.toString(), "--check");
        assertTrue(r.startsWith("2\n") && r.contains("error: " + rs + ": the teacher current of epoch 2, teach 1 x teach decay 1e+30^2 = 1e+60, is not a finite "
                + "float32; lower the teacher current or its decay, or train fewer epochs (run #") && r.contains(" teach_decay=1.0E30"), r);
        // the sweep's time chunk (50) x test_batch 60000 x 784 floats
        Files.writeString(rs, """
                name: rs-limits
                experiment: rstdp
                base: {T: 100, dt: 0.5, epochs: 1, batch: 16, max_train_batches: 1, max_test_batches: 1, dataset: mnist-sample}
                axes: {test_batch: [16, 60000]}
                """);
        r = run("sweep", rs.toString(), "--out", out.toString(), "--data", data.toString(), "--check");
        assertTrue(r.startsWith("2\n") && r.contains("error: " + rs + ": time chunk 50 x batch 60000 (the larger of the train and test batch) x layer width 784 = "
                + "2352000000 floats does not fit one buffer (2^31); lower the batch sizes, or the time chunk "
                + "(rstdp --time-chunk; a sweep keeps it at 50) (run #") && r.contains(" test_batch=60000"), r);
        assertFalse(Files.exists(out));
    }

    @Test
    void anRstdpPointKilledMidRunContinuesFromItsLastEpochOnResume() throws Exception {
        config = dir.resolve("rs.yaml");
        Files.writeString(config, """
                name: rs
                experiment: rstdp
                base: {T: 20, dt: 0.5, epochs: 2, batch: 16, test_batch: 24, max_train_batches: 3, max_test_batches: 1, dataset: mnist-sample}
                axes: {integrator: [euler, exp]}
                """);
        Path out = dir.resolve("rs-mid");
        assertThrows(SpikestepException.class, () -> sweep(new DiesAfterAnEpoch(new RstdpSweepRunner()), out, 1, 1, false,
                Shard.ALL));
        RunPoint p1 = SweepConfig.load(config).expand().get(1);
        assertTrue(Files.exists(out.resolve("checkpoints").resolve(p1.runId()).resolve("epoch-000.safetensors")));

        sweep(new RstdpSweepRunner(), out, 1, 1, true, Shard.ALL);
        String log = Files.readString(out.resolve("runs").resolve(p1.runId()).resolve("log.txt"));
        assertTrue(log.contains("resuming run rstdp-exp-") && log.contains("epoch 1 of 2 next"), log);
        assertFalse(log.contains("\n    0 |"), "epoch 0 is not trained again: " + log);

        sweep(new RstdpSweepRunner(), dir.resolve("rs-clean"), 1, 1, false, Shard.ALL);
        SweepResults clean = SweepResults.load(dir.resolve("rs-clean"));
        SweepResults r = SweepResults.load(out);
        assertEquals(2, r.runs().size());
        assertEquals(untimed(clean.runs()), untimed(r.runs()));
        assertEquals(untimed(clean.epochs()), untimed(r.epochs()), "the resumed attempt holds both epochs");
    }

    @Test
    void badSweepsFailBeforeAnyRunStarts() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, YAML.replace("dataset: mnist-sample", "dataset: fashion"));
        String r = run("sweep", bad.toString(), "--out", dir.resolve("bad").toString(), "--data", data.toString());
        assertTrue(r.startsWith("2\n") && r.contains("dataset 'fashion' not found"), r);
        assertTrue(!Files.exists(dir.resolve("bad").resolve("runs.jsonl")));
        Files.writeString(bad, YAML.replace("batch: 16", "batch: 200"));
        List<String> lines = new ArrayList<>(List.of(run("sweep", bad.toString(), "--out", dir.resolve("bad2").toString(),
                "--data", data.toString()).split("\n")));
        assertEquals("2", lines.get(0));
        assertTrue(String.join("\n", lines).contains(bad + ": base.batch 200 is more than the 64 samples the run trains on"),
                String.join("\n", lines));
        assertTrue(!Files.exists(dir.resolve("bad2").resolve("runs.jsonl")));
    }

    @Test
    void aValueTheRunRefusesIsNamedByItsConfigKeyNotTheTrainOption() throws Exception {
        Path bad = dir.resolve("keys.yaml");
        String[][] cases = {
            {"T: 50", "T: 200000", "base.T must be within [1, 100000], got 200000 (run #0 "},
            {"train_samples: 64", "train_samples: 100000", "base.train_samples 100000 is more than the 96 samples of the "
                    + "mnist-sample training set (0 = all) (run #0 "},
            {"eval_batches: 2", "eval_batches: 4", "base.eval_batches 4 is more than the 3 batches of 16 in the "
                    + "mnist-sample test set (48 samples; 0 = all) (run #0 "},
            {"seed: [0, 1]", "seed: [0, 1]\n  hidden: [12, 100000]", "axes.hidden must be within [1, 65536], got 100000 (run #1 "},
            // transfer's eval keys, checked before any training (0 = as trained)
            {"experiment: train", "experiment: transfer\n  # eval\nx: 1", "axes.eval_T must be within [1, 100000], got "
                    + "200000 (run #1 "},
            {"experiment: train", "experiment: transfer\n  # eval\nx: 2", "axes.eval_substeps must be an integer in [1, 64], "
                    + "got 65 (run #1 "},
        };
        for (String[] c : cases) {
            String yaml = YAML.replace(c[0], c[1]);
            if (c[1].contains("# eval")) { // a transfer grid whose second eval point is out of range
                yaml = YAML.replace("experiment: train", "experiment: transfer").replace("seed: [0, 1]",
                        c[1].endsWith("1") ? "eval_T: [0, 200000]" : "eval_substeps: [0, 65]");
            }
            Files.writeString(bad, c[1].contains("hidden") ? yaml.replace("hidden: 12, ", "") : yaml);
            String r = run("sweep", bad.toString(), "--out", dir.resolve("keys").toString(), "--data", data.toString());
            assertTrue(r.startsWith("2\n") && r.contains("error: " + bad + ": " + c[2]), r);
            assertTrue(!r.contains("--"), "no train option named: " + r);
            assertTrue(!Files.exists(dir.resolve("keys").resolve("runs.jsonl")));
        }
        // --check's dry run reaches the same check (the test set's batches) before saying every check passed
        Files.writeString(bad, YAML.replace("eval_batches: 2", "eval_batches: 4"));
        String r = run("sweep", bad.toString(), "--out", dir.resolve("keys").toString(), "--data", data.toString(), "--check");
        assertTrue(r.startsWith("2\n") && r.contains("base.eval_batches 4 is more than the 3 batches of 16"), r);
    }
}
