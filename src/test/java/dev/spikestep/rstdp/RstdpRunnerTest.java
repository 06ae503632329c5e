package dev.spikestep.rstdp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import dev.spikestep.data.Dataset;
import dev.spikestep.data.DatasetLocator;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Parallel;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.rng.Streams;
import dev.spikestep.testutil.Compare;
import dev.spikestep.testutil.SyntheticDigits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RstdpRunnerTest {
    @TempDir
    Path dir;

    private RstdpConfig config(Integrator integ, double dt, int T, int epochs, Reward reward, int chunk, int threads,
                               Path out) {
        return new RstdpConfig(integ, dt, T, epochs, 7, 0.05, reward, 1.0, 0.95, 0, 4, 16, 64, 64, chunk,
                "mnist-sample", dir.toString(), out.toString(), "cpu", threads);
    }

    private RstdpRunner.Result run(RstdpConfig cfg, DatasetLocator.Split split, ByteArrayOutputStream sink) {
        PrintStream ps = new PrintStream(sink, true, StandardCharsets.UTF_8);
        return new RstdpRunner(cfg, ps, new PrintStream(new ByteArrayOutputStream()), false).run(split);
    }

    @Test
    void learnsSeparableBandsAndWritesResults() throws Exception {
        DatasetLocator.Split split = new DatasetLocator.Split(SyntheticDigits.bands("train", 480, 1), SyntheticDigits.bands("test", 256, 2));
        Path out = dir.resolve("out");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        RstdpRunner.Result r = run(config(Integrator.EULER, 0.5, 40, 3, Reward.PM1, 16, 2, out), split, text);
        assertEquals(3, r.epochs().size());
        RstdpRunner.Stats fin = r.finalTest();
        assertEquals(256, fin.samples(), "the final pass covers the whole test set");
        assertEquals(4 * 64, r.epochs().get(2).test().samples(), "--max-test-batches 4 of 64");
        assertEquals(30 * 16, r.epochs().get(2).train().samples(), "480 / 16 train batches");
        // The same network without learning (lr 0) stays near chance on the same final test pass.
        RstdpConfig c0 = config(Integrator.EULER, 0.5, 40, 1, Reward.PM1, 16, 2, dir.resolve("lr0"));
        RstdpConfig frozen = new RstdpConfig(c0.integrator(), c0.dt(), c0.T(), c0.epochs(), c0.seed(), 0.0, c0.reward(),
                c0.teach(), c0.teachDecay(), c0.maxTrainBatches(), c0.maxTestBatches(), c0.batch(), c0.testBatch(),
                c0.hidden(), c0.timeChunk(), c0.dataset(), c0.dataDir(), c0.outDir(), c0.backend(), c0.threads());
        double untrained = run(frozen, split, new ByteArrayOutputStream()).finalTest().accuracy();
        assertTrue(fin.accuracy() > 50 && fin.accuracy() > untrained + 30,
                "R-STDP learns the bands: " + fin.accuracy() + "% after 3 epochs, " + untrained + "% with lr 0");
        assertTrue(fin.hiddenRate() > 0 && fin.hiddenRate() < 1, "hidden rate " + fin.hiddenRate());
        assertTrue(fin.outputRate() > 0 && fin.outputRate() <= 0.1, "WTA: at most one counted spike per step");
        assertTrue(r.epochs().get(0).train().pseudoCe() > 0);
        String stdout = text.toString(StandardCharsets.UTF_8);
        assertTrue(stdout.contains("initial batch (teacher 1, before any update): h_count mean"), stdout);
        assertTrue(stdout.contains("epoch |   teach | pseudo_ce | train_acc | test_acc"), stdout);
        assertTrue(stdout.contains("    2 |  0.9025 |"), "teacher current decays x0.95 per epoch:\n" + stdout);

        List<String> csv = Files.readAllLines(out.resolve(RstdpRunner.RESULTS_FILE));
        assertEquals(2, csv.size());
        assertEquals(String.join(",", RstdpRunner.CSV_HEADER), csv.get(0));
        assertTrue(csv.get(1).startsWith("euler,7,0.5,40,"), csv.get(1));
        List<String> jsonl = Files.readAllLines(out.resolve(RstdpRunner.EPOCHS_FILE));
        assertEquals(3, jsonl.size());
        assertTrue(jsonl.get(2).contains("\"epoch\":2") && jsonl.get(2).contains("\"pseudo_ce\":")
                && jsonl.get(2).contains("\"no_spike_out\":"), jsonl.get(2));
    }

    @Test
    void resultsDoNotDependOnThreadsOrTimeChunk() {
        DatasetLocator.Split split = new DatasetLocator.Split(SyntheticDigits.bands("train", 96, 3), SyntheticDigits.bands("test", 100, 4));
        RstdpRunner.Result a = run(config(Integrator.EXP, 0.5, 24, 2, Reward.ONEHOT, 24, 1, dir.resolve("a")), split,
                new ByteArrayOutputStream());
        RstdpRunner.Result b = run(config(Integrator.EXP, 0.5, 24, 2, Reward.ONEHOT, 5, 2, dir.resolve("b")), split,
                new ByteArrayOutputStream());
        assertEquals(a.initial(), b.initial());
        assertEquals(a.finalTest(), b.finalTest());
        for (int e = 0; e < 2; e++) {
            assertEquals(a.epochs().get(e).train(), b.epochs().get(e).train(), "epoch " + e);
            assertEquals(a.epochs().get(e).test(), b.epochs().get(e).test(), "epoch " + e);
        }
        assertEquals(100, a.finalTest().samples(), "the last partial test batch is evaluated");
    }

    /** T = 2000 in chunks of 64 gives the counts and the updated weights of one 2000-step chunk. */
    @Test
    void longRunsInTimeChunksMatchOneChunk() {
        Dataset data = SyntheticDigits.bands("d", 8, 9);
        int T = 2000;
        int B = 4;
        int[] order = Streams.permutation(1, 0, data.size());
        int[] labels = new int[B];
        for (int b = 0; b < B; b++) {
            labels[b] = data.label(order[2 + b]);
        }
        PoissonEncoder enc = new PoissonEncoder(PoissonEncoder.Method.BERNOULLI, 0.01);
        RstdpConfig cfg = config(Integrator.EULER, 0.01, T, 1, Reward.PM1, T, 1, dir);
        int[][] h = new int[2][];
        int[][] o = new int[2][];
        float[][] w = new float[2][];
        int[] chunks = {T, 64};
        for (int k = 0; k < 2; k++) {
            try (RstdpNetwork net = new RstdpNetwork(784, 32, 10, T, B, chunks[k], cfg.neuron(), new Parallel(k + 1))) {
                assertEquals(chunks[k], net.chunk());
                net.initWeights(5);
                net.run(RstdpNetwork.poisson(enc, 11, data.images(), order, 2, 784), B, labels, 1f);
                h[k] = Arrays.copyOf(net.hiddenCounts(), B * 32);
                o[k] = Arrays.copyOf(net.outputCounts(), B * 10);
                net.update(Reward.PM1, labels, 0.05f, RstdpConfig.W_CLIP);
                w[k] = net.wOutTorchLayout();
            }
        }
        Compare.spikesEqual("h_count, chunk 64 vs 2000", h[0], h[1]);
        Compare.spikesEqual("o_count, chunk 64 vs 2000", o[0], o[1]);
        assertArrayEquals(w[0], w[1], "W_out after the update");
        assertTrue(Arrays.stream(h[0]).sum() > 0 && Arrays.stream(o[0]).sum() > 0, "the case spikes");
    }

    @Test
    void initialWeightsAreKaimingUniformFromTheSeededStream() {
        try (RstdpNetwork a = new RstdpNetwork(784, 16, 10, 5, 2, 5, config(Integrator.EULER, 0.1, 5, 1, Reward.PM1,
                5, 1, dir).neuron(), new Parallel(1));
             RstdpNetwork b = new RstdpNetwork(784, 16, 10, 5, 2, 5, config(Integrator.EULER, 0.1, 5, 1, Reward.PM1,
                     5, 1, dir).neuron(), new Parallel(1))) {
            a.initWeights(3);
            b.initWeights(3);
            assertArrayEquals(a.wOutTorchLayout(), b.wOutTorchLayout());
            float[] wIn = a.wInTorchLayout();
            float[] wOut = a.wOutTorchLayout();
            double bIn = 1 / Math.sqrt(784);
            double bOut = 1 / Math.sqrt(16);
            for (float v : wIn) {
                assertTrue(Math.abs(v) <= bIn, "fc_in within 1/sqrt(784)");
            }
            for (float v : wOut) {
                assertTrue(Math.abs(v) <= bOut, "fc_out within 1/sqrt(16)");
            }
            // element k of fc_out (PyTorch order) is word k of the layer-1 WEIGHT_INIT stream
            float[] u = Streams.uniforms(3, 1, 0, Streams.WEIGHT_INIT, wOut.length);
            assertEquals((float) ((2.0 * u[17] - 1.0) * bOut), wOut[17]);
            b.initWeights(4);
            assertTrue(!Arrays.equals(a.wOutTorchLayout(), b.wOutTorchLayout()), "another seed, other weights");
        }
    }

    @Test
    void configRejectsBadValuesWithTheOptionName() {
        SpikestepException e = assertThrows(SpikestepException.class,
                () -> config(Integrator.SYMPLECTIC, 0.1, 10, 1, Reward.PM1, 5, 1, dir));
        assertTrue(e.getMessage().contains("not defined for lif"), e.getMessage());
        e = assertThrows(SpikestepException.class, () -> config(Integrator.EULER, 0.1, 0, 1, Reward.PM1, 5, 1, dir));
        assertTrue(e.getMessage().contains("--T"), e.getMessage());
        e = assertThrows(SpikestepException.class, () -> config(Integrator.EULER, -1, 10, 1, Reward.PM1, 5, 1, dir));
        assertTrue(e.getMessage().contains("dt"), e.getMessage());
        e = assertThrows(SpikestepException.class, () -> config(Integrator.EULER, 0.1, 10, 1, Reward.PM1, 0, 1, dir));
        assertTrue(e.getMessage().contains("--time-chunk"), e.getMessage());
        e = assertThrows(SpikestepException.class, () -> new RstdpConfig(Integrator.EULER, 0.1, 10, 1, 0, 0.05,
                Reward.PM1, -1, 0.95, 0, 0, 16, 16, 8, 5, "mnist", "d", "o", "cpu", 1));
        assertTrue(e.getMessage().contains("--teach"), e.getMessage());
        e = assertThrows(SpikestepException.class, () -> Reward.parse("stdp"));
        assertEquals("--reward 'stdp': unknown reward; expected pm1 or onehot", e.getMessage());
    }

    /** Euler at dt 0.1 on mnist, with the sizes and the teacher current that RstdpConfig's joint limits test. */
    private static RstdpConfig sized(int T, int epochs, double teach, double teachDecay, int batch, int testBatch,
                                     int hidden, int chunk) {
        return new RstdpConfig(Integrator.EULER, 0.1, T, epochs, 0, 0.05, Reward.PM1, teach, teachDecay, 0, 0, batch,
                testBatch, hidden, chunk, "mnist", "d", "o", "cpu", 1);
    }

    @Test
    void aSamplesSpikeTotalPastAnIntIsRefusedBeforeTheRun() {
        // T x hidden spikes a sample can count: 100000 x 21475 > 2^31 - 1, 100000 x 21474 fits.
        NetShape.TooLarge e = assertThrows(NetShape.TooLarge.class, () -> sized(100_000, 1, 1, 0.95, 16, 16, 21_475, 5));
        assertEquals("T 100000 x hidden 21475 = 2147500000 spikes a sample can count does not fit the 32-bit spike"
                + " total (2^31); lower T or the hidden size", e.getMessage());
        assertEquals(21_474, sized(100_000, 1, 1, 0.95, 16, 16, 21_474, 5).hidden());
        // The networks check the same, with their buffers first (both backends call rstdpTooLarge).
        assertEquals(e.getMessage(), NetShape.rstdpTooLarge(784, 21_475, 100_000, 1, 1));
        assertTrue(NetShape.rstdpTooLarge(784, 64, 100_000, 100_000, 65_536).contains("or the time chunk"));
        assertEquals(null, NetShape.rstdpTooLarge(784, 21_474, 100_000, 1, 1));
    }

    @Test
    void aTimeChunkPastOneBufferIsRefusedByTheConfigBeforeTheNetwork() {
        // chunk x max(batch, test batch) x 784 floats: 20000 x 256 x 784 > 2^31 - 1; chunk 50 fits.
        NetShape.TooLarge e = assertThrows(NetShape.TooLarge.class, () -> sized(20_000, 1, 1, 0.95, 64, 256, 256, 20_000));
        assertEquals("time chunk 20000 x batch 256 (the larger of the train and test batch) x layer width 784 = "
                + "4014080000 floats does not fit one buffer (2^31); lower the batch sizes, or the time chunk "
                + "(rstdp --time-chunk; a sweep keeps it at 50)", e.getMessage());
        assertEquals(e.getMessage(), NetShape.rstdpTooLarge(784, 256, 20_000, 20_000, 256), "one check, the networks'");
        assertEquals(50, sized(20_000, 1, 1, 0.95, 64, 256, 256, 50).timeChunk());
    }

    @Test
    void aTeacherCurrentPastFloat32InSomeEpochIsRefused() {
        // --teach 1 and --teach-decay 1e30 are each finite float32s; epoch 2's 1e60 is not.
        NetShape.TooLarge e = assertThrows(NetShape.TooLarge.class, () -> sized(5, 3, 1, 1e30, 16, 16, 16, 5));
        assertEquals("the teacher current of epoch 2, teach 1 x teach decay 1e+30^2 = 1e+60, is not a finite "
                + "float32; lower the teacher current or its decay, or train fewer epochs", e.getMessage());
        // two epochs stop at 1e30, which fits; the last epoch's current counts, not the one after it
        assertEquals(1e30, sized(5, 2, 1, 1e30, 16, 16, 16, 5).teachAt(1), 0.0);
        // the float32 boundary as the runner casts it: 2^127 x 2 = 2^128 is Infinity as a float
        e = assertThrows(NetShape.TooLarge.class, () -> sized(5, 2, 0x1p127, 2, 16, 16, 16, 5));
        assertTrue(e.getMessage().startsWith("the teacher current of epoch 1, "), e.getMessage());
        // a decay to 0 or below 1 never grows the current
        assertEquals(0.0, sized(5, 3, 0x1p127, 0, 16, 16, 16, 5).teachAt(2), 0.0);
    }

    @Test
    void teacherCurrentDecaysPerEpochAsTheNotebook() {
        RstdpConfig cfg = config(Integrator.EULER, 0.1, 10, 5, Reward.PM1, 5, 1, dir);
        double t = 1.0;
        for (int e = 0; e < 5; e++) {
            assertEquals(t, cfg.teachAt(e), 0.0);
            t *= 0.95;
        }
        assertEquals(7, cfg.trainEncoderSeed(0));
        assertEquals(10_009, cfg.testEncoderSeed(2));
        assertEquals(20_007, cfg.finalEncoderSeed());
    }

    @Test
    void batchLargerThanTheTrainingSetIsAClearError() {
        DatasetLocator.Split split = new DatasetLocator.Split(SyntheticDigits.bands("train", 10, 1), SyntheticDigits.bands("test", 10, 2));
        SpikestepException e = assertThrows(SpikestepException.class, () -> run(config(Integrator.EULER, 0.5, 5, 1,
                Reward.PM1, 5, 1, dir.resolve("e")), split, new ByteArrayOutputStream()));
        assertTrue(e.getMessage().startsWith("--batch 16 is more than the 10 samples of the "), e.getMessage());
    }
}
