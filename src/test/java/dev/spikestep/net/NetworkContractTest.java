package dev.spikestep.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.IzhSpec;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.rng.Streams;
import dev.spikestep.testutil.Compare;
import dev.spikestep.testutil.Fixture;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The backend contract (DJL's habit: one suite written against the {@link Network} interface only):
 * every backend extends this class with its factory and must pass the same assertions.
 *
 * <ul>
 *   <li>The whole SPEC section 5 network against PyTorch autograd (src/test/python/golden.py): the
 *       same input spikes and weights give the same hidden spikes (exactly: the fixture's weights are
 *       multiples of 1/1024, so every sum is exact in any order), logits, loss, weight gradients and
 *       two Adam steps.</li>
 *   <li>Against the CPU backend on the same inputs: weight initialisation, the Poisson encoder (with
 *       an epoch order and a partial batch), hidden spikes, counts, loss and gradients over training
 *       steps, for each neuron model and readout; and from initWeights' (non-dyadic) weights, hidden
 *       spikes and potentials bit for bit (fc1 sums in the CPU's order on every backend).</li>
 * </ul>
 */
public abstract class NetworkContractTest {
    /** The backend under test; closed by the caller. */
    protected abstract Network create(NetShape shape, NeuronSpec neuron, Readout readout, Adam adam);

    static Stream<String> fixtures() {
        List<String> all = Fixture.index();
        List<String> nets = all.stream().filter(n -> n.startsWith("net_")).toList();
        assertTrue(nets.size() >= 16, "network fixtures listed in the index: " + nets);
        return nets.stream();
    }

    static NeuronSpec spec(Fixture f) {
        Integrator integ = Integrator.parse(f.meta("integrator"));
        double dt = Double.parseDouble(f.meta("dt"));
        int k = f.hasMeta("substeps") ? f.metaInt("substeps") : 1;
        return (f.meta("neuron").equals("lif") ? LifSpec.notebook(integ, dt) : IzhSpec.notebook(integ, dt)).withSubsteps(k);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void matchesPyTorch(String name) {
        Fixture f = Fixture.load(name);
        int T = Integer.parseInt(f.meta("T"));
        int B = Integer.parseInt(f.meta("B"));
        int nIn = Integer.parseInt(f.meta("n_in"));
        int nH = Integer.parseInt(f.meta("n_h"));
        int nOut = Integer.parseInt(f.meta("n_out"));
        int[] labels = f.ints("labels");
        try (Network net = create(new NetShape(nIn, nH, nOut, T, B), spec(f), Readout.parse(f.meta("readout")),
                Adam.notebook())) {
            net.setWeightsTorchLayout(f.floats("w1"), f.floats("w_out"));
            net.setInputSpikes(f.floats("x_seq"), B);
            net.forward();
            String at = name + " (" + net.describe() + ") ";
            Compare.spikesEqual(at + "hidden spikes", f.floats("hidden_spike"), slice(net.hiddenSpikes(), T * B * nH));
            Compare.close(at + "logits", f.floats("logits"), slice(net.logits(), B * nOut), 1e-6f, 1e-5f);
            float loss = net.backward(labels);
            assertEquals(f.floats("loss")[0], loss, 1e-5f * Math.abs(f.floats("loss")[0]) + 1e-6f, at + "loss");
            Compare.close(at + "grad w1", f.floats("grad_w1"), net.gradW1TorchLayout(), 1e-6f, 1e-4f);
            Compare.close(at + "grad w_out", f.floats("grad_w_out"), net.gradWOutTorchLayout(), 1e-6f, 1e-4f);
            // Two Adam steps on the same batch, as the fixture did.
            net.adamStep();
            net.forward();
            net.backward(labels);
            net.adamStep();
            Compare.close(at + "w1 after 2 Adam steps", f.floats("w1_adam2"), net.w1TorchLayout(), 1e-6f, 1e-5f);
            Compare.close(at + "w_out after 2 Adam steps", f.floats("w_out_adam2"), net.wOutTorchLayout(), 1e-6f, 1e-5f);
        }
    }

    @Test
    void initWeightsIsTheCpuBackendsBitForBit() {
        NetShape shape = new NetShape(20, 12, 3, 2, 2);
        NeuronSpec neuron = LifSpec.notebook(Integrator.EXP, 1.0);
        try (Network net = create(shape, neuron, Readout.MAX, Adam.notebook());
             Network cpu = cpu(shape, neuron, Readout.MAX)) {
            net.initWeights(42);
            cpu.initWeights(42);
            assertArrayEquals(cpu.w1TorchLayout(), net.w1TorchLayout(), "w1 of initWeights(42)");
            assertArrayEquals(cpu.wOutTorchLayout(), net.wOutTorchLayout(), "w_out of initWeights(42)");
            // ... and the reference itself is nn.Linear's bound on the seeded stream, not just any weights:
            // element k of layer l (PyTorch order [out, in]) is word k of the layer's WEIGHT_INIT stream.
            float[] w1 = cpu.w1TorchLayout();
            float[] wOut = cpu.wOutTorchLayout();
            float[] u1 = Streams.uniforms(42, 0, 0, Streams.WEIGHT_INIT, w1.length);
            float[] uOut = Streams.uniforms(42, 1, 0, Streams.WEIGHT_INIT, wOut.length);
            for (int k = 0; k < w1.length; k++) {
                assertEquals((float) ((2.0 * u1[k] - 1.0) * (1.0 / Math.sqrt(20))), w1[k], "w1[" + k + "]");
            }
            for (int k = 0; k < wOut.length; k++) {
                assertEquals((float) ((2.0 * uOut[k] - 1.0) * (1.0 / Math.sqrt(12))), wOut[k], "w_out[" + k + "]");
            }
            cpu.initWeights(43);
            assertFalse(java.util.Arrays.equals(w1, cpu.w1TorchLayout()), "another seed, other weights");
        }
    }

    /**
     * A checkpoint's resume: weights and Adam state read out after one step and put into a fresh
     * network continue with the same second step, bit for bit (what a resumed run relies on).
     */
    @Test
    void adamStateRestoredContinuesBitForBit() {
        NetShape shape = new NetShape(20, 12, 3, 4, 2);
        NeuronSpec neuron = LifSpec.notebook(Integrator.EXP, 5.0);
        float[] x = new float[4 * 2 * 20];
        float[] u = Streams.uniforms(3, 0, 0, 3, x.length);
        for (int i = 0; i < x.length; i++) {
            x[i] = u[i] < 0.4f ? 1f : 0f;
        }
        int[] labels = {1, 2};
        try (Network a = create(shape, neuron, Readout.MAX, Adam.notebook());
             Network b = create(shape, neuron, Readout.MAX, Adam.notebook())) {
            a.initWeights(9);
            step(a, x, labels);
            AdamState saved = a.adamState();
            assertEquals(1, saved.step());
            assertTrue(max(saved.v1()) > 0, "the second moments hold the first gradient");
            b.initWeights(1);
            b.setWeightsTorchLayout(a.w1TorchLayout(), a.wOutTorchLayout());
            b.setAdamState(saved);
            step(a, x, labels);
            step(b, x, labels);
            assertArrayEquals(a.w1TorchLayout(), b.w1TorchLayout(), "w1 after the resumed step");
            assertArrayEquals(a.wOutTorchLayout(), b.wOutTorchLayout(), "w_out after the resumed step");
            assertArrayEquals(a.adamState().mOut(), b.adamState().mOut());
            assertEquals(2, b.adamState().step());
        }
    }

    private static void step(Network net, float[] x, int[] labels) {
        net.setInputSpikes(x, labels.length);
        net.forward();
        net.backward(labels);
        net.adamStep();
    }

    private static float max(float[] v) {
        float m = Float.NEGATIVE_INFINITY;
        for (float f : v) {
            m = Math.max(m, f);
        }
        return m;
    }

    static Stream<NeuronSpec> neurons() {
        return Stream.of(LifSpec.notebook(Integrator.EXP, 1.0), LifSpec.notebook(Integrator.EULER, 0.5),
                new LifSpec(Integrator.ZOH, 1.0, 2.0, 0.6f, 0f, true, false),
                IzhSpec.notebook(Integrator.SYMPLECTIC, 1.0), IzhSpec.notebook(Integrator.EULER, 5.0));
    }

    /**
     * Encoded random images (an epoch order, a partial last batch), three training steps and an
     * evaluation, against the CPU backend. Weights are multiples of 1/256, so fc1 and fc_out are
     * exact in any summation order and the hidden spikes must agree exactly.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Readout.class)
    void trainsLikeTheCpuBackend(Readout readout) {
        neurons().forEach(neuron -> trainsLikeCpu(neuron, readout));
    }

    private void trainsLikeCpu(NeuronSpec neuron, Readout readout) {
        int nIn = 30;
        int nH = 17;
        int nOut = 4;
        int T = 6;
        int maxB = 5;
        int n = 13;
        NetShape shape = new NetShape(nIn, nH, nOut, T, maxB);
        byte[] images = new byte[n * nIn];
        float[] u = Streams.uniforms(7, 0, 0, 3, images.length);
        for (int i = 0; i < images.length; i++) {
            images[i] = (byte) (u[i] < 0.3f ? 0 : (int) (u[i] * 255));
        }
        int[] order = Streams.permutation(7, 0, n);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (i * 7) % nOut;
        }
        float[] w1 = dyadic(nH * nIn, 11, 0.25f);
        float[] wOut = dyadic(nOut * nH, 12, 0.5f);
        PoissonEncoder enc = new PoissonEncoder(PoissonEncoder.Method.EXACT, neuron.dt());
        String what = neuron.model() + "/" + neuron.integrator().cliName() + " dt " + neuron.dt() + " " + readout.cliName();
        try (Network net = create(shape, neuron, readout, Adam.notebook()); Network cpu = cpu(shape, neuron, readout)) {
            for (Network x : new Network[] {net, cpu}) {
                x.setWeightsTorchLayout(w1, wOut);
            }
            String at = what + " (" + net.describe() + ") ";
            for (int first = 0; first < n; first += maxB) {
                int B = Math.min(maxB, n - first); // the last batch is partial
                int[] lab = new int[B];
                for (int b = 0; b < B; b++) {
                    lab[b] = labels[order[first + b]];
                }
                for (Network x : new Network[] {net, cpu}) {
                    x.encode(enc, 1234, images, order, first, B);
                    x.forward();
                }
                String step = at + "batch at " + first + ": ";
                Compare.spikesEqual(step + "hidden spikes", slice(cpu.hiddenSpikes(), T * B * nH), slice(net.hiddenSpikes(), T * B * nH));
                assertEquals(cpu.hiddenSpikeCount(), net.hiddenSpikeCount(), step + "spike count");
                assertEquals(cpu.nonFiniteCount(), net.nonFiniteCount(), step + "non-finite count");
                Compare.close(step + "hidden potentials (bit for bit)", slice(cpu.hiddenPotentials(), T * B * nH),
                        slice(net.hiddenPotentials(), T * B * nH), 0f, 0f);
                Compare.close(step + "logits", slice(cpu.logits(), B * nOut), slice(net.logits(), B * nOut), 1e-6f, 1e-6f);
                float lc = cpu.backward(lab);
                float ln = net.backward(lab);
                assertEquals(lc, ln, 1e-6f * Math.abs(lc) + 1e-7f, step + "loss");
                Compare.close(step + "grad w1", cpu.gradW1TorchLayout(), net.gradW1TorchLayout(), 1e-7f, 1e-4f);
                Compare.close(step + "grad w_out", cpu.gradWOutTorchLayout(), net.gradWOutTorchLayout(), 1e-7f, 1e-4f);
                assertEquals(cpu.correct(lab), net.correct(lab), step + "correct");
                // Only the first batch updates the weights: afterwards sums are no longer exact.
                if (first == 0) {
                    cpu.adamStep();
                    net.adamStep();
                    Compare.close(step + "w1 after Adam", cpu.w1TorchLayout(), net.w1TorchLayout(), 1e-7f, 1e-5f);
                    Compare.close(step + "w_out after Adam", cpu.wOutTorchLayout(), net.wOutTorchLayout(), 1e-7f, 1e-5f);
                    for (Network x : new Network[] {net, cpu}) {
                        x.setWeightsTorchLayout(w1, wOut);
                    }
                }
                // An evaluation-style count with other labels, without backward.
                int[] other = new int[B];
                for (int b = 0; b < B; b++) {
                    other[b] = (lab[b] + 1) % nOut;
                }
                assertEquals(cpu.correct(other), net.correct(other), step + "correct (other labels)");
            }
        }
    }

    /**
     * Training from {@link Network#initWeights}' weights (not multiples of a power of two, so sums
     * depend on their order) with inputs wider than one bitmask word (150 inputs: 3 words, the
     * last partial), against the CPU backend. fc1 sums the active inputs in the CPU's order on every
     * backend, so hidden spikes and potentials must be identical; gradients and weights after Adam
     * (whose other products may sum in another order, e.g. cuBLAS) within tight tolerances. After
     * each step both networks continue from the CPU's weights, so every batch is compared exactly.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("initNeurons")
    void trainsFromInitWeightsLikeTheCpuBackend(NeuronSpec neuron) {
        int nIn = 150;
        int nH = 40;
        int nOut = 5;
        int T = 5;
        int maxB = 4;
        int n = 10;
        NetShape shape = new NetShape(nIn, nH, nOut, T, maxB);
        byte[] images = new byte[n * nIn];
        float[] u = Streams.uniforms(8, 0, 0, 3, images.length);
        for (int i = 0; i < images.length; i++) {
            images[i] = (byte) (u[i] < 0.2f ? 0 : (int) (u[i] * 255));
        }
        int[] order = Streams.permutation(8, 0, n);
        PoissonEncoder enc = new PoissonEncoder(PoissonEncoder.Method.EXACT, neuron.dt());
        String what = neuron.model() + "/" + neuron.integrator().cliName() + " dt " + neuron.dt();
        try (Network net = create(shape, neuron, Readout.MEAN, Adam.notebook());
             Network cpu = cpu(shape, neuron, Readout.MEAN)) {
            cpu.initWeights(3);
            // initWeights' w1 times 3: still far from dyadic, and enough drive for 5-10% of the
            // sites to spike (nn.Linear's bound alone leaves these small layers nearly silent).
            float[] w1 = cpu.w1TorchLayout();
            for (int i = 0; i < w1.length; i++) {
                w1[i] *= 3f;
            }
            for (Network x : new Network[] {net, cpu}) {
                x.setWeightsTorchLayout(w1, cpu.wOutTorchLayout());
            }
            String at = what + " (" + net.describe() + ") ";
            long spikes = 0;
            for (int first = 0; first < n; first += maxB) {
                int B = Math.min(maxB, n - first);
                int[] lab = new int[B];
                for (int b = 0; b < B; b++) {
                    lab[b] = order[first + b] % nOut;
                }
                for (Network x : new Network[] {net, cpu}) {
                    x.encode(enc, 99, images, order, first, B);
                    x.forward();
                }
                String step = at + "batch at " + first + ": ";
                int sites = T * B * nH;
                Compare.spikesEqual(step + "hidden spikes", slice(cpu.hiddenSpikes(), sites), slice(net.hiddenSpikes(), sites));
                Compare.close(step + "hidden potentials (bit for bit)", slice(cpu.hiddenPotentials(), sites),
                        slice(net.hiddenPotentials(), sites), 0f, 0f);
                assertEquals(cpu.hiddenSpikeCount(), net.hiddenSpikeCount(), step + "spike count");
                spikes += cpu.hiddenSpikeCount();
                Compare.close(step + "logits", slice(cpu.logits(), B * nOut), slice(net.logits(), B * nOut), 1e-6f, 1e-6f);
                float lc = cpu.backward(lab);
                float ln = net.backward(lab);
                assertEquals(lc, ln, 1e-6f * Math.abs(lc), step + "loss");
                Compare.close(step + "grad w1", cpu.gradW1TorchLayout(), net.gradW1TorchLayout(), 1e-8f, 1e-5f);
                Compare.close(step + "grad w_out", cpu.gradWOutTorchLayout(), net.gradWOutTorchLayout(), 1e-8f, 1e-5f);
                cpu.adamStep();
                net.adamStep();
                Compare.close(step + "w1 after Adam", cpu.w1TorchLayout(), net.w1TorchLayout(), 1e-7f, 1e-6f);
                Compare.close(step + "w_out after Adam", cpu.wOutTorchLayout(), net.wOutTorchLayout(), 1e-7f, 1e-6f);
                net.setWeightsTorchLayout(cpu.w1TorchLayout(), cpu.wOutTorchLayout());
            }
            // Not a vacuous comparison: the hidden layer spikes, and not at every site.
            assertTrue(spikes > 0 && spikes < (long) n * T * nH, at + "hidden spikes over the run: " + spikes);
        }
    }

    static Stream<NeuronSpec> initNeurons() {
        return Stream.of(LifSpec.notebook(Integrator.EXP, 1.0), IzhSpec.notebook(Integrator.SYMPLECTIC, 1.0));
    }

    /** Uniform weights in [-scale, scale] rounded to multiples of 1/256 (exact sums in any order). */
    static float[] dyadic(int n, int seed, float scale) {
        float[] u = Streams.uniforms(seed, 0, 0, 3, n);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = Math.round((2 * u[i] - 1) * scale * 256) / 256f;
        }
        return w;
    }

    static Network cpu(NetShape shape, NeuronSpec neuron, Readout readout) {
        return new CpuNetwork(shape, neuron, readout, Adam.notebook(), new Parallel(1), true);
    }

    static byte[] slice(byte[] a, int n) {
        return java.util.Arrays.copyOf(a, n);
    }

    static float[] slice(float[] a, int n) {
        return java.util.Arrays.copyOf(a, n);
    }
}
