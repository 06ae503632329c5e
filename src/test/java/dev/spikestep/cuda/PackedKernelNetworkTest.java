package dev.spikestep.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.net.Adam;
import dev.spikestep.net.CpuNetwork;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Parallel;
import dev.spikestep.net.Network;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.IzhSpec;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.rng.Streams;
import dev.spikestep.testutil.Compare;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Three runs of one shape with different dt, integrator, seed and learning rate, trained together
 * on a {@link KernelNetwork} of R runs (one launch per kernel): an epoch of training steps (an epoch
 * order per run, a partial last batch) and an evaluation. Every run must equal, bit for bit, the
 * same run trained alone on a {@link KernelNetwork} on the same kind of device: hidden spikes,
 * potentials, logits, losses, counts, gradients and weights after each Adam step (each kernel does
 * per run exactly the single-run float operations, and the products are the same per-run calls).
 * The first step is also compared with the CPU backend, with the backend contract's tolerances.
 */
abstract class PackedKernelNetworkTest {
    /** A fresh device of the kind under test; both networks must run the same product implementation. */
    protected abstract Device device();

    static Stream<String> models() {
        return Stream.of("lif", "izh");
    }

    static NeuronSpec[] specs(String model) {
        if (model.equals("lif")) {
            return new NeuronSpec[] {LifSpec.notebook(Integrator.EULER, 0.5), LifSpec.notebook(Integrator.EXP, 1.0),
                new LifSpec(Integrator.ZOH, 2.0, 2.0, 0.6f, 0f, true, false), LifSpec.notebook(Integrator.RK4, 1.0).withSubsteps(2)};
        }
        // rk2 with 2 sub-steps makes the pack keep w and run the stage backward for every run (SPEC 9)
        return new NeuronSpec[] {IzhSpec.notebook(Integrator.EULER, 0.5), IzhSpec.notebook(Integrator.SYMPLECTIC, 1.0),
            IzhSpec.notebook(Integrator.SYMPLECTIC, 2.0), IzhSpec.notebook(Integrator.RK2, 1.0).withSubsteps(2)};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void everyRunEqualsItsRunAlone(String model) {
        NeuronSpec[] neurons = specs(model);
        int R = neurons.length;
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
        long[] seeds = {3, 17, 40, 9};
        double[] lr = {1e-3, 5e-3, 2e-3, 3e-3};
        int[][] orders = new int[R][];
        PoissonEncoder[] enc = new PoissonEncoder[R];
        Adam[] adams = new Adam[R];
        for (int r = 0; r < R; r++) {
            orders[r] = Streams.permutation(seeds[r], 0, n);
            enc[r] = new PoissonEncoder(PoissonEncoder.Method.EXACT, neurons[r].dt());
            adams[r] = new Adam(lr[r], 0.9, 0.999, 1e-8);
        }
        Network[] solo = new Network[R];
        try (KernelNetwork packed = new KernelNetwork(device(), shape, neurons, Readout.MEAN, adams)) {
            for (int r = 0; r < R; r++) {
                solo[r] = new KernelNetwork(device(), shape, neurons[r], Readout.MEAN, new Adam(lr[r], 0.9, 0.999, 1e-8));
                solo[r].initWeights(seeds[r]);
                // initWeights' w1 times 3: enough drive for the small hidden layer to spike.
                float[] w1 = solo[r].w1TorchLayout();
                for (int i = 0; i < w1.length; i++) {
                    w1[i] *= 3f;
                }
                solo[r].setWeightsTorchLayout(w1, solo[r].wOutTorchLayout());
                packed.setWeightsTorchLayout(r, w1, solo[r].wOutTorchLayout());
            }
            try (Network cpu = new CpuNetwork(shape, neurons[1], Readout.MEAN, new Adam(lr[1], 0.9, 0.999, 1e-8),
                    new Parallel(1), true)) {
                cpu.setWeightsTorchLayout(packed.w1TorchLayout(1), packed.wOutTorchLayout(1));
                long[] spikes = new long[R];
                for (int first = 0; first < n; first += maxB) {
                    int B = Math.min(maxB, n - first); // the last batch is partial
                    int[][] lab = new int[R][B];
                    long[] encSeeds = new long[R];
                    for (int r = 0; r < R; r++) {
                        for (int b = 0; b < B; b++) {
                            lab[r][b] = orders[r][first + b] % nOut;
                        }
                        encSeeds[r] = 1000 + seeds[r];
                        solo[r].encode(enc[r], encSeeds[r], images, orders[r], first, B);
                        solo[r].forward();
                    }
                    packed.encode(enc, encSeeds, images, orders, first, B);
                    packed.forward();
                    if (first == 0) {
                        cpu.encode(enc[1], encSeeds[1], images, orders[1], first, B);
                        cpu.forward();
                    }
                    float[] losses = packed.backward(lab);
                    int[] correct = packed.correct(lab);
                    for (int r = 0; r < R; r++) {
                        String at = neurons[r].model() + "/" + neurons[r].integrator().cliName() + " dt "
                                + neurons[r].dt() + " (run " + r + " of " + R + ", batch at " + first + "): ";
                        assertArrayEquals(solo[r].hiddenSpikes(), packed.hiddenSpikes(r), at + "hidden spikes");
                        assertArrayEquals(solo[r].hiddenPotentials(), packed.hiddenPotentials(r), at + "potentials");
                        assertArrayEquals(solo[r].logits(), packed.logits(r), at + "logits");
                        assertEquals(solo[r].hiddenSpikeCount(), packed.hiddenSpikeCount(r), at + "spike count");
                        assertEquals(solo[r].nonFiniteCount(), packed.nonFiniteCount(r), at + "non-finite count");
                        spikes[r] += packed.hiddenSpikeCount(r);
                        float loss = solo[r].backward(lab[r]);
                        assertEquals(Float.floatToIntBits(loss), Float.floatToIntBits(losses[r]), at + "loss " + loss + " vs " + losses[r]);
                        assertEquals(solo[r].correct(lab[r]), correct[r], at + "correct");
                        assertArrayEquals(solo[r].gradW1TorchLayout(), packed.gradW1TorchLayout(r), at + "grad w1");
                        assertArrayEquals(solo[r].gradWOutTorchLayout(), packed.gradWOutTorchLayout(r), at + "grad w_out");
                    }
                    if (first == 0) {
                        String at = "run 1 against the CPU backend: ";
                        int sites = T * B * nH;
                        Compare.spikesEqual(at + "hidden spikes", cpu.hiddenSpikes(), packed.hiddenSpikes(1));
                        Compare.close(at + "potentials", Arrays.copyOf(cpu.hiddenPotentials(), sites),
                                packed.hiddenPotentials(1), 0f, 0f);
                        Compare.close(at + "logits", Arrays.copyOf(cpu.logits(), B * nOut), packed.logits(1), 1e-6f, 1e-6f);
                        float lc = cpu.backward(lab[1]);
                        assertEquals(lc, losses[1], 1e-6f * Math.abs(lc), at + "loss");
                        Compare.close(at + "grad w1", cpu.gradW1TorchLayout(), packed.gradW1TorchLayout(1), 1e-8f, 1e-5f);
                        Compare.close(at + "grad w_out", cpu.gradWOutTorchLayout(), packed.gradWOutTorchLayout(1), 1e-8f, 1e-5f);
                        cpu.adamStep();
                    }
                    packed.adamStep();
                    for (int r = 0; r < R; r++) {
                        solo[r].adamStep();
                        String at = "run " + r + ", batch at " + first + ": ";
                        assertArrayEquals(solo[r].w1TorchLayout(), packed.w1TorchLayout(r), at + "w1 after Adam");
                        assertArrayEquals(solo[r].wOutTorchLayout(), packed.wOutTorchLayout(r), at + "w_out after Adam");
                    }
                    if (first == 0) {
                        Compare.close("run 1 against the CPU backend: w1 after Adam", cpu.w1TorchLayout(),
                                packed.w1TorchLayout(1), 1e-7f, 1e-6f);
                        Compare.close("run 1 against the CPU backend: w_out after Adam", cpu.wOutTorchLayout(),
                                packed.wOutTorchLayout(1), 1e-7f, 1e-6f);
                    }
                }
                for (int r = 0; r < R; r++) {
                    // Not vacuous: every run's hidden layer spikes, and not at every site.
                    assertTrue(spikes[r] > 0 && spikes[r] < (long) n * T * nH, "run " + r + " spikes: " + spikes[r]);
                }
                assertFalse(Arrays.equals(packed.w1TorchLayout(0), packed.w1TorchLayout(2)), "runs differ");
            }
            // An evaluation pass: dataset order (no epoch order), other seeds, no backward.
            for (int first = 0; first < n; first += 3) {
                int B = Math.min(3, n - first);
                int[][] lab = new int[R][B];
                long[] evalSeeds = new long[R];
                for (int r = 0; r < R; r++) {
                    for (int b = 0; b < B; b++) {
                        lab[r][b] = (first + b) % nOut;
                    }
                    evalSeeds[r] = 77 + r;
                    solo[r].encode(enc[r], evalSeeds[r], images, null, first, B);
                    solo[r].forward();
                }
                packed.encode(enc, evalSeeds, images, null, first, B);
                packed.forward();
                int[] correct = packed.correct(lab);
                for (int r = 0; r < R; r++) {
                    String at = "evaluation, run " + r + ", batch at " + first + ": ";
                    assertArrayEquals(solo[r].hiddenSpikes(), packed.hiddenSpikes(r), at + "hidden spikes");
                    assertArrayEquals(solo[r].logits(), packed.logits(r), at + "logits");
                    assertEquals(solo[r].correct(lab[r]), correct[r], at + "correct");
                    assertEquals(solo[r].hiddenSpikeCount(), packed.hiddenSpikeCount(r), at + "spike count");
                    assertEquals(solo[r].nonFiniteCount(), packed.nonFiniteCount(r), at + "non-finite count");
                }
            }
        } finally {
            for (Network s : solo) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }
}
