package dev.spikestep.neuron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.simd.VectorSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Vector API backward against the scalar one in one call: with M = 2L - 1 neurons the first L
 * run in vector lanes and the last L - 1 in the scalar tail, so neuron j and neuron L + j, given the
 * same data, take the two paths. Where no gradient flows (the last steps, after the last nonzero
 * spike gradient, as after a sample's last gradient step in training) the vector path skips the
 * surrogate: its zeros must be the scalar path's bit for bit, +0 and -0 alike. Elsewhere the two
 * agree to the float (the surrogate's double exp may differ in its last bit).
 */
class NeuronVectorScalarTest {
    @Test
    void backwardIsTheScalarBackwardAndItsZerosAreTheSameZeros() {
        org.junit.jupiter.api.Assumptions.assumeTrue(VectorSupport.ENABLED, "the Vector API is off: one path only");
        int L = NeuronVectorKernels.lanes();
        int M = 2 * L - 1;
        int T = 40;
        List<NeuronSpec> specs = new ArrayList<>();
        for (boolean soft : new boolean[] {false, true}) {
            specs.add(new LifSpec(Integrator.EXP, 5.0, 2.0, 1f, 0f, soft, true));
            specs.add(new LifSpec(Integrator.EULER, 1.0, 2.0, 1f, -0.2f, soft, false));
            specs.add(new IzhSpec(Integrator.SYMPLECTIC, 1.0, 2f, 0.8f, 1f, 1f, 0f, -0.1f, 0f, 2f, 0.02f, 0.2f, soft));
            specs.add(new IzhSpec(Integrator.EULER, 0.5, 2f, 0.8f, 1f, 1f, 0f, -0.1f, 0f, 2f, -0.02f, 0.2f, soft));
        }
        SplittableRandom rnd = new SplittableRandom(21);
        for (NeuronSpec spec : specs) {
            float[] x = new float[T * M];
            float[] g = new float[T * M];
            for (int t = 0; t < T; t++) {
                for (int j = 0; j < L - 1; j++) {
                    float xv = (float) (rnd.nextGaussian() * 0.6 + 0.4);
                    // A spike gradient until a neuron's own last step (some never have one), zeros
                    // of both signs after it.
                    int last = (j * 7) % T;
                    float gv = t <= last && j % 5 != 4 ? (float) rnd.nextGaussian() : ((t + j) % 2 == 0 ? 0f : -0f);
                    x[t * M + j] = xv;
                    x[t * M + L + j] = xv;
                    g[t * M + j] = gv;
                    g[t * M + L + j] = gv;
                }
            }
            float[] h = new float[T * M];
            byte[] spike = new byte[T * M];
            NeuronKernels.forward(spec, x, T, M, h, spike, null, null);
            float[] gx = new float[T * M];
            NeuronKernels.backward(spec, g, h, spike, T, M, gx);
            int zeros = 0;
            for (int t = 0; t < T; t++) {
                for (int j = 0; j < L - 1; j++) {
                    float vec = gx[t * M + j];
                    float sca = gx[t * M + L + j];
                    String at = spec + " t=" + t + " neuron " + j;
                    if (Float.isNaN(sca)) {
                        assertTrue(Float.isNaN(vec), at + ": NaN on both paths, got " + vec); // a diverged neuron
                    } else if (sca == 0f) {
                        zeros++;
                        assertEquals(Float.floatToRawIntBits(sca), Float.floatToRawIntBits(vec), at + ": the same zero");
                    } else {
                        assertTrue(Math.abs(vec - sca) <= 1e-6f * Math.max(1f, Math.abs(sca)), at + ": " + vec + " vs " + sca);
                    }
                }
            }
            assertTrue(zeros > T, spec + ": the data has the zero region it is meant to test (" + zeros + " zeros)");
        }
    }
}
