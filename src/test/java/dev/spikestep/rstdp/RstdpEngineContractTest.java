package dev.spikestep.rstdp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.data.Dataset;
import dev.spikestep.net.Parallel;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.rng.Streams;
import dev.spikestep.testutil.Compare;
import dev.spikestep.testutil.Fixture;
import dev.spikestep.testutil.SyntheticDigits;
import java.io.IOException;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every {@link RstdpEngine} must do, written against the interface only (one suite, many
 * engines): the PyTorch fixtures of {@code golden_rstdp.py} (hidden and WTA output counts exactly
 * at several time chunk sizes, pseudo-CE, no_spike_out, W_out after the pm1 and onehot updates),
 * and agreement with the CPU engine ({@link RstdpNetwork}, one thread, one chunk) on Poisson-encoded
 * batches: training batches with updates in between, a partial evaluation batch, and T = 2000 in
 * time chunks. Subclasses: the CPU engine on two threads, and the CUDA engine through JCuda (a GPU, or the
 * emulated driver of {@code make emu}; skipped with neither).
 */
public abstract class RstdpEngineContractTest {
    /** The engine under test. */
    protected abstract RstdpEngine create(int nIn, int nHidden, int nOut, int T, int maxBatch, int chunk, LifSpec neuron);

    /** Time chunk sizes at which the golden counts are checked (T is the fixture's). */
    protected int[] goldenChunks(int T) {
        return new int[] {1, 3, 7, T, 1000};
    }

    public static Stream<String> fixtures() throws IOException {
        return RstdpGoldenTest.names();
    }

    private RstdpEngine golden(Fixture f, int chunk) {
        LifSpec lif = new LifSpec(Integrator.parse(f.meta("integrator")), Double.parseDouble(f.meta("dt")),
                RstdpConfig.TAU, RstdpConfig.V_TH, RstdpConfig.V_RESET, false, false);
        RstdpEngine net = create(f.metaInt("n_in"), f.metaInt("n_h"), f.metaInt("n_out"), f.metaInt("T"),
                f.metaInt("B"), chunk, lif);
        net.setWeightsTorchLayout(f.floats("w_in"), f.floats("w_out"));
        net.run(RstdpNetwork.dense(f.floats("x_seq"), f.metaInt("n_in")), f.metaInt("B"), f.ints("labels"),
                Float.parseFloat(f.meta("teach")));
        return net;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void goldenCountsMatchExactlyAtSeveralChunkSizes(String name) {
        Fixture f = Fixture.load(name);
        int B = f.metaInt("B");
        int nH = f.metaInt("n_h");
        for (int chunk : goldenChunks(f.metaInt("T"))) {
            try (RstdpEngine net = golden(f, chunk)) {
                String what = name + " chunk " + chunk;
                Compare.spikesEqual(what + " h_count", f.ints("h_count"), Arrays.copyOf(net.hiddenCounts(), B * nH));
                Compare.spikesEqual(what + " o_count", f.ints("o_count"),
                        Arrays.copyOf(net.outputCounts(), B * f.metaInt("n_out")));
                assertEquals(Arrays.stream(f.ints("h_count")).asLongStream().sum(), net.hiddenSpikeTotal(),
                        what + " hidden spike total");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void goldenMetricsAndUpdatedWeightsMatch(String name) {
        Fixture f = Fixture.load(name);
        int B = f.metaInt("B");
        int[] labels = f.ints("labels");
        float lr = f.metaFloat("lr");
        try (RstdpEngine net = golden(f, 5)) {
            RstdpRunner.Tally tally = new RstdpRunner.Tally(f.metaInt("T"), f.metaInt("n_h"), f.metaInt("n_out"));
            tally.add(net, labels, B, true);
            RstdpRunner.Stats s = tally.stats();
            Compare.close(name + " pseudo_ce", f.floats("pseudo_ce"), new float[] {(float) s.pseudoCe()}, 1e-5f, 1e-5f);
            Compare.close(name + " no_spike_out", f.floats("no_spike_out"), new float[] {(float) s.noSpikeOut()}, 1e-7f, 0f);

            net.update(Reward.PM1, labels, lr, RstdpConfig.W_CLIP);
            float[] pm1 = net.wOutTorchLayout();
            Compare.close(name + " W_out after pm1", f.floats("w_out_pm1"), pm1, 1e-6f, 1e-6f);
            assertFalse(Arrays.equals(pm1, f.floats("w_out")), "the pm1 update changes W_out");

            // onehot from the same counts and the original weights (the counts survive an update)
            net.setWeightsTorchLayout(f.floats("w_in"), f.floats("w_out"));
            net.update(Reward.ONEHOT, labels, lr, RstdpConfig.W_CLIP);
            Compare.close(name + " W_out after onehot", f.floats("w_out_onehot"), net.wOutTorchLayout(), 1e-6f, 1e-6f);
        }
    }

    /**
     * WTA on the current, first index on ties: outputs 1 and 2 get the same current (10) at every
     * step, so output 1 takes every counted spike, unless the teacher current lifts the label 2
     * above it. Every hidden and output neuron here fires at every step (input 10 >> v_th 0.3).
     */
    @Test
    void winnerTakeAllCountsTheFirstLargestCurrentAfterTheTeacher() {
        int T = 6;
        LifSpec lif = new LifSpec(Integrator.EULER, 0.5, RstdpConfig.TAU, RstdpConfig.V_TH, RstdpConfig.V_RESET,
                false, false);
        try (RstdpEngine net = create(2, 2, 3, T, 2, 4, lif)) {
            net.setWeightsTorchLayout(new float[] {1f, 1f, 1f, 1f}, new float[] {0.1f, 0.1f, 1f, 1f, 1f, 1f});
            float[] x = new float[T * 2 * 2];
            Arrays.fill(x, 1f);
            net.run(RstdpNetwork.dense(x, 2), 2, new int[] {0, 2}, 0.5f);
            Compare.spikesEqual("h_count", new int[] {T, T, T, T}, Arrays.copyOf(net.hiddenCounts(), 4));
            Compare.spikesEqual("o_count: the tie goes to 1; the teacher makes the label 2 win",
                    new int[] {0, T, 0, 0, 0, T}, Arrays.copyOf(net.outputCounts(), 6));
            net.run(RstdpNetwork.dense(x, 2), 2, null, 0f);
            Compare.spikesEqual("o_count without teacher", new int[] {0, T, 0, 0, T, 0},
                    Arrays.copyOf(net.outputCounts(), 6));
            assertEquals(4L * T, net.hiddenSpikeTotal());
        }
    }

    /** The notebook's LIF euler, and SPEC 9's rk4 with 2 sub-steps (lif_step in both kernels of rstdp). */
    static java.util.stream.Stream<LifSpec> lifs() {
        return java.util.stream.Stream.of(
                new LifSpec(Integrator.EULER, 0.5, RstdpConfig.TAU, RstdpConfig.V_TH, RstdpConfig.V_RESET, false, false),
                new LifSpec(Integrator.RK4, 0.5, RstdpConfig.TAU, RstdpConfig.V_TH, RstdpConfig.V_RESET, false, false, 2));
    }

    /** The CPU engine's counts and weights, batch by batch, through training updates and an evaluation. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("lifs")
    void agreesWithTheCpuEngineOnPoissonBatches(LifSpec lif) {
        Dataset data = SyntheticDigits.bands("d", 24, 3);
        int T = 30;
        int nH = 24;
        int maxB = 5;
        PoissonEncoder enc = new PoissonEncoder(PoissonEncoder.Method.BERNOULLI, 0.5);
        int[] order = Streams.permutation(4, 0, data.size());
        try (RstdpEngine ref = new RstdpNetwork(784, nH, 10, T, maxB, T, lif, new Parallel(1));
             RstdpEngine net = create(784, nH, 10, T, maxB, 7, lif)) {
            ref.initWeights(5);
            net.initWeights(5);
            assertArrayEquals(ref.wInTorchLayout(), net.wInTorchLayout(), "initial W_in");
            float[] w0 = ref.wOutTorchLayout();
            assertArrayEquals(w0, net.wOutTorchLayout(), "initial W_out");
            // two training batches (teacher current, update after each), then a partial evaluation batch
            Reward[] rewards = {Reward.PM1, Reward.ONEHOT};
            float[] teach = {1f, 0.5f};
            for (int k = 0; k < 2; k++) {
                int first = k * maxB;
                int[] labels = new int[maxB];
                for (int b = 0; b < maxB; b++) {
                    labels[b] = data.label(order[first + b]);
                }
                RstdpInput in = RstdpNetwork.poisson(enc, 11 + k, data.images(), order, first, 784);
                ref.run(in, maxB, labels, teach[k]);
                net.run(in, maxB, labels, teach[k]);
                sameCounts("train batch " + k, ref, net, maxB, nH);
                ref.update(rewards[k], labels, 0.05f, RstdpConfig.W_CLIP);
                net.update(rewards[k], labels, 0.05f, RstdpConfig.W_CLIP);
                Compare.close("W_out after the " + rewards[k].cliName() + " update of batch " + k,
                        ref.wOutTorchLayout(), net.wOutTorchLayout(), 1e-7f, 1e-6f);
            }
            assertFalse(Arrays.equals(w0, net.wOutTorchLayout()), "the updates change W_out");
            int B = 3;
            RstdpInput test = RstdpNetwork.poisson(enc, 10_000, data.images(), null, 20, 784);
            ref.run(test, B, null, 0f);
            net.run(test, B, null, 0f);
            assertEquals(B, net.batch());
            sameCounts("evaluation batch of 3", ref, net, B, nH);
            assertTrue(ref.hiddenSpikeTotal() > 0 && Arrays.stream(ref.outputCounts(), 0, B * 10).sum() > 0,
                    "the case spikes in both layers");
        }
    }

    /**
     * Weights set after runs and updates (a resumed run sets its checkpoint's after the initial
     * batch) are the ones the next run and update use: as on an engine that only ever had them.
     */
    @Test
    void weightsSetAfterRunsAreTheOnesTheNextRunUses() {
        Dataset data = SyntheticDigits.bands("d", 12, 5);
        int T = 12;
        int nH = 16;
        int B = 4;
        LifSpec lif = new LifSpec(Integrator.EXP, 0.5, RstdpConfig.TAU, RstdpConfig.V_TH, RstdpConfig.V_RESET,
                false, false);
        PoissonEncoder enc = new PoissonEncoder(PoissonEncoder.Method.BERNOULLI, 0.5);
        int[] order = Streams.permutation(2, 0, data.size());
        int[] labels = new int[B];
        for (int b = 0; b < B; b++) {
            labels[b] = data.label(order[B + b]);
        }
        RstdpInput first = RstdpNetwork.poisson(enc, 3, data.images(), order, 0, 784);
        RstdpInput next = RstdpNetwork.poisson(enc, 4, data.images(), order, B, 784);
        try (RstdpEngine ref = new RstdpNetwork(784, nH, 10, T, B, T, lif, new Parallel(1));
             RstdpEngine net = create(784, nH, 10, T, B, 5, lif)) {
            ref.initWeights(9);
            float[] wIn = ref.wInTorchLayout();
            float[] wOut = ref.wOutTorchLayout();
            net.initWeights(5);
            assertFalse(Arrays.equals(wIn, net.wInTorchLayout()), "other weights before");
            net.run(first, B, labels, 1f);
            net.update(Reward.PM1, labels, 0.05f, RstdpConfig.W_CLIP);
            net.setWeightsTorchLayout(wIn, wOut);
            assertArrayEquals(wIn, net.wInTorchLayout());
            assertArrayEquals(wOut, net.wOutTorchLayout());
            ref.run(next, B, labels, 0.5f);
            net.run(next, B, labels, 0.5f);
            sameCounts("the run after the weights were set", ref, net, B, nH);
            ref.update(Reward.ONEHOT, labels, 0.05f, RstdpConfig.W_CLIP);
            net.update(Reward.ONEHOT, labels, 0.05f, RstdpConfig.W_CLIP);
            Compare.close("W_out after the update", ref.wOutTorchLayout(), net.wOutTorchLayout(), 1e-7f, 1e-6f);
            assertTrue(ref.hiddenSpikeTotal() > 0 && Arrays.stream(ref.outputCounts(), 0, B * 10).sum() > 0,
                    "the case spikes in both layers");
        }
    }

    /** T = 2000 runs in chunks ([chunk, B, N] buffers) and gives the one-chunk CPU engine's counts and update. */
    @Test
    void twoThousandStepsInTimeChunksMatchTheCpuEngine() {
        Dataset data = SyntheticDigits.bands("d", 4, 9);
        int T = 2000;
        int B = 2;
        int nH = 8;
        LifSpec lif = new LifSpec(Integrator.EULER, 0.01, RstdpConfig.TAU, RstdpConfig.V_TH, RstdpConfig.V_RESET,
                false, false);
        PoissonEncoder enc = new PoissonEncoder(PoissonEncoder.Method.BERNOULLI, 0.01);
        int[] labels = {data.label(0), data.label(1)};
        try (RstdpEngine ref = new RstdpNetwork(784, nH, 10, T, B, T, lif, new Parallel(1));
             RstdpEngine net = create(784, nH, 10, T, B, 400, lif)) {
            assertEquals(400, net.chunk());
            ref.initWeights(2);
            net.initWeights(2);
            RstdpInput in = RstdpNetwork.poisson(enc, 7, data.images(), null, 0, 784);
            ref.run(in, B, labels, 1f);
            net.run(in, B, labels, 1f);
            sameCounts("T 2000 in chunks of 400", ref, net, B, nH);
            assertTrue(ref.hiddenSpikeTotal() > 0 && Arrays.stream(ref.outputCounts(), 0, B * 10).sum() > 0,
                    "the case spikes in both layers");
            ref.update(Reward.PM1, labels, 0.05f, RstdpConfig.W_CLIP);
            net.update(Reward.PM1, labels, 0.05f, RstdpConfig.W_CLIP);
            assertArrayEquals(ref.wOutTorchLayout(), net.wOutTorchLayout(), "W_out after the pm1 update");
        }
    }

    private static void sameCounts(String what, RstdpEngine ref, RstdpEngine net, int B, int nH) {
        Compare.spikesEqual(what + ": h_count", Arrays.copyOf(ref.hiddenCounts(), B * nH),
                Arrays.copyOf(net.hiddenCounts(), B * nH));
        Compare.spikesEqual(what + ": o_count", Arrays.copyOf(ref.outputCounts(), B * 10),
                Arrays.copyOf(net.outputCounts(), B * 10));
        assertEquals(ref.hiddenSpikeTotal(), net.hiddenSpikeTotal(), what + ": hidden spike total");
    }
}
