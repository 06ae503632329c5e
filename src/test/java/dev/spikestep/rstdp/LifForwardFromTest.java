package dev.spikestep.rstdp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronKernels;
import dev.spikestep.testutil.Compare;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code NeuronKernels.lifForwardFrom} in time chunks and two neuron ranges reproduces
 * {@code forwardRange} over all steps bit for bit: spikes of every neuron, and h of the first range
 * (the second range is run with {@code h = null}, the R-STDP engine's hidden layer, which keeps no h).
 */
class LifForwardFromTest {
    @Test
    void chunkedScanEqualsOneScan() {
        int T = 37;
        int M = 11;
        SplittableRandom rnd = new SplittableRandom(4);
        float[] x = new float[T * M];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextDouble() * 3 - 0.5);
        }
        long spikes = 0;
        for (Integrator integ : new Integrator[] {Integrator.EULER, Integrator.EXP, Integrator.ZOH}) {
            for (boolean decay : new boolean[] {false, true}) {
                for (boolean soft : new boolean[] {false, true}) {
                    LifSpec p = new LifSpec(integ, 0.7, 2.0, 0.3f, 0.05f, soft, decay);
                    float[] h = new float[T * M];
                    byte[] s = new byte[T * M];
                    NeuronKernels.forwardRange(p, x, T, M, 0, M, h, s, null, null);
                    for (int chunk : new int[] {1, 5, T}) {
                        float[] v = new float[M];
                        Arrays.fill(v, p.vInit());
                        float[] h2 = new float[T * M];
                        byte[] s2 = new byte[T * M];
                        for (int t0 = 0; t0 < T; t0 += chunk) {
                            int Tc = Math.min(chunk, T - t0);
                            float[] hc = new float[Tc * M];
                            byte[] sc = new byte[Tc * M];
                            // two ranges of neurons, as two threads would split them
                            NeuronKernels.lifForwardFrom(p, Arrays.copyOfRange(x, t0 * M, (t0 + Tc) * M), Tc, M, 0, 4,
                                    v, hc, sc);
                            NeuronKernels.lifForwardFrom(p, Arrays.copyOfRange(x, t0 * M, (t0 + Tc) * M), Tc, M, 4, M,
                                    v, null, sc);
                            System.arraycopy(hc, 0, h2, t0 * M, Tc * M);
                            System.arraycopy(sc, 0, s2, t0 * M, Tc * M);
                        }
                        String what = p + " chunk " + chunk;
                        Compare.spikesEqual(what + " spikes", s, s2);
                        for (int t = 0; t < T; t++) {
                            for (int m = 0; m < 4; m++) {
                                assertTrue(h[t * M + m] == h2[t * M + m], what + " h[" + t + "," + m + "]");
                            }
                        }
                    }
                    for (byte b : s) {
                        spikes += b;
                    }
                }
            }
        }
        assertTrue(spikes > 0.1 * 12 * T * M && spikes < 0.9 * 12 * T * M, "inputs exercise both spiking and not: " + spikes);
    }
}
