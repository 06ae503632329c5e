package dev.spikestep.neuron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.simd.VectorSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Vector API backward against the scalar one in one call: with M = 2L - 1 neurons (L the
 * vector forms' block, two vectors) the first L run in vector lanes and the last L - 1 in the scalar tail, so neuron j and neuron L + j, given the
 * same data, take the two paths. Where no gradient flows (the last steps, after the last nonzero
 * spike gradient, as after a sample's last gradient step in training) the vector path skips the
 * surrogate: its zeros must be the scalar path's bit for bit, +0 and -0 alike. Elsewhere too the
 * gradients agree bit for bit (the surrogate is the same float operations on both paths), as do
 * the forwards' h and w.
 */
class NeuronVectorScalarTest {
    @Test
    void backwardIsTheScalarBackwardAndItsZerosAreTheSameZeros() {
        org.junit.jupiter.api.Assumptions.assumeTrue(VectorSupport.ENABLED, "the Vector API is off: one path only");
        int L = NeuronVectorKernels.block(); // two vectors
        int M = 2 * L - 1;
        int T = 40;
        List<NeuronSpec> specs = new ArrayList<>();
        for (boolean soft : new boolean[] {false, true}) {
            specs.add(new LifSpec(Integrator.EXP, 5.0, 2.0, 1f, 0f, soft, true));
            specs.add(new LifSpec(Integrator.EULER, 1.0, 2.0, 1f, -0.2f, soft, false));
            // Heun's step at dt 5 grows v by 1.625 a step: neurons below v_th diverge to -1e9 and more,
            // where the vector surrogate computes past its cut (CUT LANES)
            specs.add(new LifSpec(Integrator.RK2, 5.0, 2.0, 1f, 0f, soft, true));
            specs.add(new IzhSpec(Integrator.SYMPLECTIC, 1.0, 2f, 0.8f, 1f, 1f, 0f, -0.1f, 0f, 2f, 0.02f, 0.2f, soft));
            specs.add(new IzhSpec(Integrator.EULER, 0.5, 2f, 0.8f, 1f, 1f, 0f, -0.1f, 0f, 2f, -0.02f, 0.2f, soft));
        }
        SplittableRandom rnd = new SplittableRandom(21);
        for (NeuronSpec spec : specs) {
            float[] x = new float[T * M];
            float[] g = new float[T * M];
            twinData(rnd, T, L, 0.4, x, g);
            float[] h = new float[T * M];
            byte[] spike = new byte[T * M];
            NeuronKernels.forward(spec, x, T, M, h, spike, null, null);
            float[] gx = new float[T * M];
            NeuronKernels.backward(spec, g, h, spike, T, M, gx);
            assertTwins(spec, gx, T, L, 0);
            if (spec.integrator() == Integrator.RK2) {
                int cut = 0;
                for (int t = 0; t < T; t++) {
                    for (int j = 0; j < L - 1; j++) {
                        float u = -(NeuronKernels.SURROGATE_ALPHA * (h[t * M + j] - 1f));
                        cut += u > NeuronKernels.SURROGATE_CUT && g[t * M + j] != 0f ? 1 : 0;
                    }
                }
                assertTrue(cut >= 10, spec + ": lanes past the surrogate's cut with a gradient (" + cut + ")");
            }
        }
    }

    @Test
    void izhRk2AndRk4ForwardIsTheScalarStepBitForBitAndTheirBackwardTheScalarOne() {
        org.junit.jupiter.api.Assumptions.assumeTrue(VectorSupport.ENABLED, "the Vector API is off: one path only");
        int L = NeuronVectorKernels.block(); // two vectors
        int M = 2 * L - 1;
        int T = 40;
        SplittableRandom rnd = new SplittableRandom(22);
        for (Integrator integ : new Integrator[] {Integrator.RK2, Integrator.RK4}) {
            for (int variant = 0; variant < 3; variant++) {
                boolean soft = variant == 1;
                boolean hot = variant == 2; // every third neuron driven to h > v_th + 22 (CUT LANES)
                IzhSpec spec = new IzhSpec(integ, soft ? 0.25 : 1.0, 2f, 0.8f, 1f, 1f, 0f, -0.1f, 0f, 2f, 0.02f, 0.2f, soft);
                assertTrue(NeuronVectorKernels.hasStages(spec) && NeuronKernels.needsState(spec), spec + ": the vector stages apply");
                float[] x = new float[T * M];
                float[] g = new float[T * M];
                twinData(rnd, T, L, soft ? 1.0 : 0.8, x, g);
                for (int i = 0; hot && i < x.length; i++) {
                    x[i] += (i % M) % L % 3 == 0 ? 60f : 0f; // neuron j and its twin L + j alike
                }
                float[] h = new float[T * M];
                byte[] spike = new byte[T * M];
                float[] w = new float[T * M];
                NeuronKernels.forward(spec, x, T, M, h, spike, null, w);
                int spikes = 0;
                for (int t = 0; t < T; t++) {
                    for (int j = 0; j < L - 1; j++) {
                        String at = spec + " t=" + t + " neuron " + j;
                        assertEquals(Float.floatToRawIntBits(h[t * M + L + j]), Float.floatToRawIntBits(h[t * M + j]), at + ": h");
                        assertEquals(Float.floatToRawIntBits(w[t * M + L + j]), Float.floatToRawIntBits(w[t * M + j]), at + ": w");
                        assertEquals(spike[t * M + L + j], spike[t * M + j], at + ": spike");
                        spikes += spike[t * M + j];
                    }
                }
                assertTrue(spikes >= 20, spec + ": the data makes spikes (" + spikes + ")");
                float[] gx = new float[T * M];
                NeuronKernels.backward(spec, g, x, h, spike, w, T, M, gx);
                assertTwins(spec, gx, T, L, hot ? T / 2 : 2 * T); // the hot neurons' gradients are mostly cut to 0
                int cut = 0;
                for (int t = 0; t < T; t++) {
                    for (int j = 0; j < L - 1; j++) {
                        float u = -(NeuronKernels.SURROGATE_ALPHA * (h[t * M + j] - spec.vTh()));
                        cut += Math.abs(u) > NeuronKernels.SURROGATE_CUT && g[t * M + j] != 0f ? 1 : 0;
                    }
                }
                assertTrue(!hot || cut >= 10, spec + ": lanes past the surrogate's cut with a gradient (" + cut + ")");
            }
        }
    }

    /**
     * Every forward, vector lanes against the scalar tail, h and spikes bit for bit: with tau and
     * tau_w powers of two (the vector code multiplies by the exact 1/tau) and without (it divides),
     * and LIF with one and with three sub-steps per dt.
     */
    @Test
    void everyForwardIsTheScalarForwardBitForBitWhetherTauIsAPowerOfTwoOrNot() {
        org.junit.jupiter.api.Assumptions.assumeTrue(VectorSupport.ENABLED, "the Vector API is off: one path only");
        int L = NeuronVectorKernels.block(); // two vectors
        int M = 2 * L - 1;
        int T = 40;
        SplittableRandom rnd = new SplittableRandom(23);
        List<NeuronSpec> specs = new ArrayList<>();
        for (double tau : new double[] {2.0, 3.0, 0.5}) {
            for (Integrator integ : new Integrator[] {Integrator.EULER, Integrator.EXP, Integrator.ZOH, Integrator.RK2, Integrator.RK4}) {
                specs.add(new LifSpec(integ, 0.25, tau, 1f, 0f, false, true));
                specs.add(new LifSpec(integ, 0.25, tau, 1f, -0.2f, true, false));
                // K 3 sub-steps: their own loop in the vector forms (SUBSTEPS there)
                specs.add(new LifSpec(integ, 0.25, tau, 1f, 0f, false, true, 3));
            }
            float tauW = tau == 3.0 ? 1.5f : 2f;
            for (Integrator integ : new Integrator[] {Integrator.EULER, Integrator.SYMPLECTIC, Integrator.RK2, Integrator.RK4}) {
                specs.add(new IzhSpec(integ, 0.25, tau, 0.8f, 1f, 1f, 0f, -0.1f, 0f, tauW, 0.02f, 0.2f, false));
                specs.add(new IzhSpec(integ, 0.25, tau, 0.8f, 1f, 1f, 0f, -0.1f, 0f, tauW, 0.02f, 0.2f, true));
            }
        }
        for (NeuronSpec spec : specs) {
            float[] x = new float[T * M];
            float[] g = new float[T * M];
            // a leak without the input's (decay_input false) settles at x * tau: lift x where tau < 1
            twinData(rnd, T, L, spec instanceof LifSpec l && !l.decayInput() ? 1.3 / Math.min(1.0, l.tau()) : 1.3, x, g);
            float[] h = new float[T * M];
            byte[] spike = new byte[T * M];
            boolean stages = NeuronKernels.needsState(spec);
            NeuronKernels.forward(spec, x, T, M, h, spike, null, stages ? new float[T * M] : null);
            int spikes = 0;
            for (int t = 0; t < T; t++) {
                for (int j = 0; j < L - 1; j++) {
                    String at = spec + " t=" + t + " neuron " + j;
                    assertEquals(Float.floatToRawIntBits(h[t * M + L + j]), Float.floatToRawIntBits(h[t * M + j]), at + ": h");
                    assertEquals(spike[t * M + L + j], spike[t * M + j], at + ": spike");
                    spikes += spike[t * M + j];
                }
            }
            assertTrue(spikes >= 10, spec + ": the data makes spikes (" + spikes + ")");
        }
    }

    @Test
    void anExactReciprocalMultipliesToTheQuotientsBitsAndOnlyPowersOfTwoHaveOne() {
        SplittableRandom rnd = new SplittableRandom(24);
        for (float d : new float[] {2f, 0.5f, 1f, 4f, -2f, 0x1p-126f, 0x1p126f}) {
            float inv = NeuronKernels.exactReciprocal(d);
            assertEquals(1f / d, inv, "1/" + d);
            for (int n = 0; n < 200_000; n++) {
                float x = Float.intBitsToFloat(rnd.nextInt());
                if (!Float.isNaN(x)) {
                    assertEquals(Float.floatToRawIntBits(x / d), Float.floatToRawIntBits(x * inv), x + " / " + d);
                }
            }
        }
        for (float d : new float[] {3f, 1.5f, 0.1f, 0x1p127f, 0x1p-127f, 0x1p-149f, 0f, -0f, Float.POSITIVE_INFINITY, Float.NaN}) {
            assertEquals(0f, NeuronKernels.exactReciprocal(d), "no exact reciprocal for " + d);
        }
    }

    /**
     * Inputs x [T, 2L - 1] around {@code mean} and spike gradients g for the neurons j < L - 1, the
     * same for neuron L + j: a spike gradient until a neuron's own last step (some never have one),
     * zeros of both signs after it.
     */
    private static void twinData(SplittableRandom rnd, int T, int L, double mean, float[] x, float[] g) {
        int M = 2 * L - 1;
        for (int t = 0; t < T; t++) {
            for (int j = 0; j < L - 1; j++) {
                float xv = (float) (rnd.nextGaussian() * 0.6 + mean);
                int last = (j * 7) % T;
                float gv = t <= last && j % 5 != 4 ? (float) rnd.nextGaussian() : ((t + j) % 2 == 0 ? 0f : -0f);
                x[t * M + j] = xv;
                x[t * M + L + j] = xv;
                g[t * M + j] = gv;
                g[t * M + L + j] = gv;
            }
        }
    }

    /**
     * Neuron j's gradients (the vector lanes) against neuron L + j's (the scalar tail), bit for bit:
     * NaN where the other is, the same zeros (more than T of them, +0 and -0 alike) and the same
     * floats elsewhere (more than {@code minCompared} nonzero ones).
     */
    private static void assertTwins(NeuronSpec spec, float[] gx, int T, int L, int minCompared) {
        int M = 2 * L - 1;
        int zeros = 0;
        int compared = 0;
        for (int t = 0; t < T; t++) {
            for (int j = 0; j < L - 1; j++) {
                float vec = gx[t * M + j];
                float sca = gx[t * M + L + j];
                String at = spec + " t=" + t + " neuron " + j;
                if (Float.isNaN(sca)) {
                    assertTrue(Float.isNaN(vec), at + ": NaN on both paths, got " + vec); // a diverged neuron
                } else {
                    assertEquals(Float.floatToRawIntBits(sca), Float.floatToRawIntBits(vec), at + ": " + vec + " vs " + sca);
                    if (sca == 0f) {
                        zeros++;
                    } else {
                        compared++;
                    }
                }
            }
        }
        assertTrue(compared > minCompared, spec + ": nonzero gradients to compare (" + compared + ")");
        assertTrue(zeros > T, spec + ": the data has the zero region it is meant to test (" + zeros + " zeros)");
    }
}
