package dev.spikestep.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.BadValueException;
import dev.spikestep.SpikestepException;
import dev.spikestep.data.Dataset;
import dev.spikestep.data.DatasetLocator;
import dev.spikestep.net.Backends;
import dev.spikestep.net.Network;
import dev.spikestep.net.NetworkFactory;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.IzhSpec;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.rng.Streams;
import dev.spikestep.testutil.SyntheticDigits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    Path dir;

    private TrainConfig config(NeuronSpec neuron, int epochs, int threads, Path out) {
        return config(neuron, 12, epochs, threads, out);
    }

    private TrainConfig config(NeuronSpec neuron, int T, int epochs, int threads, Path out) {
        return new TrainConfig(neuron, T, epochs, 3, Readout.MAX, 32, 3e-3, PoissonEncoder.Method.EXACT, 48,
                "mnist-sample", dir.toString(), out.toString(), "cpu", threads, 0, 0);
    }

    @Test
    void aThreadCountPastTheParallelPoolsBoundIsRefusedByTheRecord() {
        // the record takes a resolved count: 1 to Parallel.MAX_THREADS, as the pool that runs it
        NeuronSpec lif = LifSpec.notebook(Integrator.EXP, 5.0);
        assertEquals("--threads must be 0 (all cores) or 1 to 1024, got 5000", assertThrows(SpikestepException.class,
                () -> config(lif, 1, 5000, dir)).getMessage());
        assertEquals("a resolved thread count must be 1 to 1024, got 0", assertThrows(SpikestepException.class,
                () -> config(lif, 1, 0, dir)).getMessage());
        assertEquals(1024, config(lif, 1, 1024, dir).threads());
        // the other run records take the same bound
        String past = "--threads must be 0 (all cores) or 1 to 1024, got 5000";
        assertEquals(past, assertThrows(SpikestepException.class, () -> new dev.spikestep.rstdp.RstdpConfig(
                Integrator.EULER, 0.1, 50, 1, 0, 0.05, dev.spikestep.rstdp.Reward.PM1, 1, 0.95, 0, 0, 64, 256, 100, 50,
                "mnist", "d", "o", "cpu", 5000)).getMessage());
        assertEquals(past, assertThrows(SpikestepException.class, () -> new Evaluator.Settings(lif, 10, Readout.MAX,
                PoissonEncoder.Method.EXACT, 0, 32, 0, "cpu", 5000)).getMessage());
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(past, assertThrows(SpikestepException.class, () -> new dev.spikestep.sweep.SweepRunner.Options(dir,
                dir, "cpu", 1, 5000, false, dev.spikestep.sweep.Shard.ALL, sink, sink, false)).getMessage());
    }

    private List<EpochResult> train(TrainConfig cfg, DatasetLocator.Split split) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(sink, true, StandardCharsets.UTF_8);
        return new Trainer(cfg, ps, ps, false).run(split);
    }

    /**
     * The silence warning goes to stdout with the epoch table (shown on a terminal even with stderr sent away), and to
     * stderr too when stdout is not a terminal (a log), so that a terminal still shows it, once.
     */
    @Test
    void theSilenceWarningIsShownOnceOnATerminalAndLoggedOtherwise() {
        DatasetLocator.Split split = new DatasetLocator.Split(SyntheticDigits.bands("train", 96, 1),
                SyntheticDigits.bands("test", 32, 2));
        for (boolean tty : new boolean[] {true, false}) {
            ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
            ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
            PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
            new Trainer(config(LifSpec.notebook(Integrator.EXP, 0.01), 1, 1, dir.resolve("silent-" + tty)), out, err, tty)
                    .run(split);
            String warning = "warning: the hidden layer has not spiked once";
            String o = outBytes.toString(StandardCharsets.UTF_8);
            String e = errBytes.toString(StandardCharsets.UTF_8);
            assertEquals(1, o.split(warning, -1).length - 1, o);
            assertEquals(tty ? 0 : 1, e.split(warning, -1).length - 1, e);
        }
    }

    @Test
    void learnsSeparableBandsAndWritesResults() throws Exception {
        DatasetLocator.Split split = new DatasetLocator.Split(SyntheticDigits.bands("train", 640, 1), SyntheticDigits.bands("test", 200, 2));
        Path out = dir.resolve("out");
        List<EpochResult> r = train(config(LifSpec.notebook(Integrator.EXP, 1.0), 3, 2, out), split);
        assertEquals(3, r.size());
        EpochResult last = r.get(2);
        assertTrue(last.testAcc() > 90, "test accuracy " + last.testAcc());
        assertTrue(r.get(0).loss() > last.loss(), "loss decreases: " + r.get(0).loss() + " -> " + last.loss());
        assertTrue(last.spikeRate() > 0 && last.spikeRate() < 1);
        assertEquals(1.0, last.spikeRate() + last.silentFrac(), 1e-12);
        assertEquals(0, last.nonFinite());

        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(2, csv.size());
        assertEquals(String.join(",", Trainer.CSV_HEADER), csv.get(0));
        assertTrue(csv.get(1).startsWith("lif,exp,3,1,12,max,"), csv.get(1));
        List<String> jsonl = Files.readAllLines(out.resolve("epochs.jsonl"));
        assertEquals(3, jsonl.size());
        assertTrue(jsonl.get(2).contains("\"epoch\":2") && jsonl.get(2).contains("\"test_acc\":"), jsonl.get(2));
    }

    @Test
    void aFinishedRunExtendedAndStoppedBeforeItsNextEpochStaysFinishedWithOneRow() throws Exception {
        DatasetLocator.Split split = new DatasetLocator.Split(SyntheticDigits.bands("train", 96, 1),
                SyntheticDigits.bands("test", 32, 2));
        Path out = dir.resolve("out");
        Checkpoints ck = new Checkpoints(out.resolve("checkpoints").resolve("run"), 1);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(sink, true, StandardCharsets.UTF_8);
        NeuronSpec lif = LifSpec.notebook(Integrator.EXP, 1.0);
        new Trainer(config(lif, 4, 2, 1, out), ps, ps, false).checkpoints(ck, true).run(split);
        assertEquals(2, Files.readAllLines(out.resolve("results.csv")).size());
        // --epochs 4 --resume, stopped (here: the network fails) before epoch 2 is saved
        NetworkFactory failing = watched((method, args) -> {
            if (method.equals("forward")) {
                throw new IllegalStateException("stopped mid-epoch");
            }
        });
        assertThrows(IllegalStateException.class, () -> new Trainer(config(lif, 4, 4, 1, out), ps, ps, false)
                .network(failing).checkpoints(ck, true).run(split));
        assertTrue(Files.exists(ck.finishedFile()), "still finished: no epoch past its 2 was saved");
        // resumed with the old --epochs: done, and its results row is not written a second time
        sink.reset();
        new Trainer(config(lif, 4, 2, 1, out), ps, ps, false).checkpoints(ck, true).run(split);
        assertTrue(sink.toString(StandardCharsets.UTF_8).contains("already finished"), sink.toString(StandardCharsets.UTF_8));
        assertEquals(2, Files.readAllLines(out.resolve("results.csv")).size());

        // --epochs 3 --resume, stopped after epoch 2 was saved but before its results row: the mark still
        // names 2 epochs (as a kill leaves it), so resumed with --epochs 3 the run writes its 3-epoch row
        String mark2 = Files.readString(ck.finishedFile());
        List<String> rows2 = Files.readAllLines(out.resolve("results.csv"));
        new Trainer(config(lif, 4, 3, 1, out), ps, ps, false).checkpoints(ck, true).run(split);
        Files.writeString(ck.finishedFile(), mark2);
        Files.write(out.resolve("results.csv"), rows2);
        sink.reset();
        new Trainer(config(lif, 4, 3, 1, out), ps, ps, false).checkpoints(ck, true).run(split);
        assertTrue(sink.toString(StandardCharsets.UTF_8).contains("had trained all 3 epochs: writing its results row"),
                sink.toString(StandardCharsets.UTF_8));
        List<String> rows3 = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(3, rows3.size(), String.join("\n", rows3));
        int epochsColumn = Trainer.CSV_HEADER.indexOf("epochs");
        assertEquals("3", rows3.get(2).split(",")[epochsColumn], rows3.get(2));
        // and once more: finished now, nothing written
        new Trainer(config(lif, 4, 3, 1, out), ps, ps, false).checkpoints(ck, true).run(split);
        assertEquals(3, Files.readAllLines(out.resolve("results.csv")).size());
    }

    /** CPU networks that show each call to {@code watch} first (which may throw to fail it), then make it. */
    private static NetworkFactory watched(BiConsumer<String, Object[]> watch) {
        return (sh, n, r, adam, th) -> {
            Network real = Backends.create("cpu", sh, n, r, adam, th);
            return (Network) Proxy.newProxyInstance(Network.class.getClassLoader(), new Class<?>[] {Network.class},
                    (proxy, m, a) -> {
                        watch.accept(m.getName(), a);
                        try {
                            return m.invoke(real, a);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        };
    }

    /**
     * SPEC section 1's per-epoch streams: epoch e trains in the order Streams.permutation(seed, e, n) with encoder
     * seed seed + e, and tests in order with seed + 10000 + e (a seed reused across epochs shows the network the
     * same spike trains every epoch, which the accuracy alone does not reveal).
     */
    @Test
    void eachEpochTrainsInItsOwnOrderAndEncodesWithTheSeedsOfTheSpec() {
        int trainN = 96;
        int testN = 40;
        DatasetLocator.Split split = new DatasetLocator.Split(SyntheticDigits.bands("train", trainN, 1),
                SyntheticDigits.bands("test", testN, 2));
        record Encode(long seed, int[] order, int first, int B) { }
        List<Encode> calls = new ArrayList<>();
        NetworkFactory recording = watched((method, a) -> {
            if (method.equals("encode")) {
                int[] order = (int[]) a[3];
                calls.add(new Encode((Long) a[1], order == null ? null : order.clone(), (Integer) a[4], (Integer) a[5]));
            }
        });
        TrainConfig cfg = config(LifSpec.notebook(Integrator.EXP, 1.0), 4, 3, 1, dir.resolve("seeds"));
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(sink, true, StandardCharsets.UTF_8);
        new Trainer(cfg, ps, ps, false).network(recording).run(split);

        int steps = trainN / cfg.batch();
        int testBatches = (testN + cfg.batch() - 1) / cfg.batch();
        assertEquals(3 * (steps + testBatches), calls.size());
        int c = 0;
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] order = Streams.permutation(cfg.seed(), epoch, trainN);
            for (int k = 0; k < steps; k++, c++) {
                Encode e = calls.get(c);
                assertEquals(cfg.seed() + epoch, e.seed(), "epoch " + epoch + " training batch " + k);
                assertArrayEquals(order, e.order(), "epoch " + epoch + " training order");
                assertEquals(k * cfg.batch(), e.first());
                assertEquals(cfg.batch(), e.B());
            }
            for (int k = 0; k < testBatches; k++, c++) {
                Encode e = calls.get(c);
                assertEquals(cfg.seed() + 10_000 + epoch, e.seed(), "epoch " + epoch + " test batch " + k);
                assertNull(e.order(), "the test set is encoded in its own order");
                assertEquals(k * cfg.batch(), e.first());
                assertEquals(Math.min(cfg.batch(), testN - k * cfg.batch()), e.B());
            }
        }
        assertFalse(Arrays.equals(calls.get(0).order(), calls.get(steps + testBatches).order()),
                "epochs 0 and 1 train in different orders");
    }

    @Test
    void aResultsFileOfOtherColumnsIsRefusedBeforeAnyEpochAndRowsStartOnALineOfTheirOwn() throws Exception {
        DatasetLocator.Split split = new DatasetLocator.Split(SyntheticDigits.bands("train", 96, 1),
                SyntheticDigits.bands("test", 32, 2));
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.csv"), "name,value\nfoo,1\n");
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(sink, true, StandardCharsets.UTF_8);
        Checkpoints ck = new Checkpoints(out.resolve("checkpoints").resolve("run"), 1);
        SpikestepException e = assertThrows(SpikestepException.class, () -> new Trainer(config(LifSpec.notebook(
                Integrator.EXP, 1.0), 4, 1, 1, out), ps, ps, false).checkpoints(ck, true).run(split));
        assertTrue(e.getMessage().contains("already exists with other columns (name,value)"), e.getMessage());
        assertTrue(ck.epochs().isEmpty() && !Files.exists(out.resolve("epochs.jsonl")), "nothing trained");
        // a results.csv whose last line lacks its newline (torn, or edited): the row goes on a line of its own
        Files.writeString(out.resolve("results.csv"), String.join(",", Trainer.CSV_HEADER) + "\nlif,exp,torn");
        train(config(LifSpec.notebook(Integrator.EXP, 1.0), 4, 1, 1, out), split);
        List<String> lines = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(3, lines.size(), lines.toString());
        assertEquals("lif,exp,torn", lines.get(1));
        assertTrue(lines.get(2).startsWith("lif,exp,3,1,4,max,"), lines.get(2));
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        DatasetLocator.Split split = new DatasetLocator.Split(SyntheticDigits.bands("train", 160, 5), SyntheticDigits.bands("test", 64, 6));
        NeuronSpec izh = IzhSpec.notebook(Integrator.SYMPLECTIC, 1.0);
        List<EpochResult> one = train(config(izh, 2, 1, dir.resolve("a")), split);
        List<EpochResult> two = train(config(izh, 2, 2, dir.resolve("b")), split);
        List<EpochResult> again = train(config(izh, 2, 2, dir.resolve("c")), split);
        for (int e = 0; e < 2; e++) {
            assertEquals(one.get(e).loss(), two.get(e).loss(), 0.0, "loss of epoch " + e);
            assertEquals(one.get(e).testAcc(), two.get(e).testAcc(), 0.0);
            assertEquals(one.get(e).spikeRate(), two.get(e).spikeRate(), 0.0);
            assertEquals(two.get(e).loss(), again.get(e).loss(), 0.0, "same seed, same run");
        }
    }

    @Test
    void izhEulerAtDt5DivergesAndIsReported() {
        DatasetLocator.Split split = new DatasetLocator.Split(SyntheticDigits.bands("train", 64, 7), SyntheticDigits.bands("test", 64, 8));
        // dt/tau_w = 2.5 > 2: the euler recovery variable grows by 1.5x per step until v*v overflows,
        // and the hard reset then turns inf into NaN (0 * inf). 50 steps are enough, as in the notebook.
        List<EpochResult> r = train(config(IzhSpec.notebook(Integrator.EULER, 5.0), 50, 1, 2, dir.resolve("d")), split);
        EpochResult last = r.get(0);
        assertTrue(last.nonFinite() > 0, "the euler step overflows at dt 5");
        assertTrue(last.trainNonFinite() > 0);
        assertEquals(0.0, last.spikeRate(), "a diverged (NaN) neuron never fires");
    }

    @Test
    void batchLargerThanTheTrainingSetIsAClearError() {
        DatasetLocator.Split split = new DatasetLocator.Split(SyntheticDigits.bands("train", 20, 1), SyntheticDigits.bands("test", 20, 2));
        SpikestepException e = assertThrows(SpikestepException.class,
                () -> train(config(LifSpec.notebook(Integrator.EXP, 1.0), 1, 1, dir.resolve("e")), split));
        assertEquals("--batch 32 is more than the 20 samples the run trains on: an epoch needs at least one full batch",
                e.getMessage());
    }

    @Test
    void moreTrainSamplesThanTheSetHoldsIsAnErrorNotAClamp() {
        DatasetLocator.Split split = new DatasetLocator.Split(SyntheticDigits.bands("train", 40, 1), SyntheticDigits.bands("test", 20, 2));
        TrainConfig all = config(LifSpec.notebook(Integrator.EXP, 1.0), 1, 1, dir.resolve("f"));
        TrainConfig tooMany = new TrainConfig(all.neuron(), all.T(), all.epochs(), all.seed(), all.readout(), all.batch(),
                all.lr(), all.encoder(), all.hidden(), all.dataset(), all.dataDir(), all.outDir(), all.backend(),
                all.threads(), 41, 0);
        BadValueException e = assertThrows(BadValueException.class, () -> train(tooMany, split));
        assertEquals("--train-samples 41 is more than the 40 samples of the mnist-sample training set (0 = all)",
                e.getMessage());
        assertEquals("train_samples", e.key());
        TrainConfig exact = new TrainConfig(all.neuron(), all.T(), all.epochs(), all.seed(), all.readout(), all.batch(),
                all.lr(), all.encoder(), all.hidden(), all.dataset(), all.dataDir(), all.outDir(), all.backend(),
                all.threads(), 40, 0);
        assertEquals(40, Trainer.trainingSet(exact, split.train()).size(), "the whole set may be asked for by its size");
        assertEquals(33, Trainer.trainingSet(new TrainConfig(all.neuron(), all.T(), all.epochs(), all.seed(), all.readout(),
                all.batch(), all.lr(), all.encoder(), all.hidden(), all.dataset(), all.dataDir(), all.outDir(),
                all.backend(), all.threads(), 33, 0), split.train()).size());
    }

    @Test
    void configRejectsBadValues() {
        LifSpec lif = LifSpec.notebook(Integrator.EXP, 1.0);
        SpikestepException e = assertThrows(SpikestepException.class, () -> new TrainConfig(lif, 0, 1, 0, Readout.MAX,
                32, 1e-3, PoissonEncoder.Method.EXACT, 8, "mnist", "d", "o", "cpu", 1, 0, 0));
        assertTrue(e.getMessage().contains("--T"));
        e = assertThrows(SpikestepException.class, () -> new TrainConfig(lif, 5, 1, 0, Readout.MAX,
                32, -1, PoissonEncoder.Method.EXACT, 8, "mnist", "d", "o", "cpu", 1, 0, 0));
        assertTrue(e.getMessage().contains("--lr"));
    }
}
