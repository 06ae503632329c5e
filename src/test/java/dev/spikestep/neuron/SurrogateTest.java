package dev.spikestep.neuron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The float surrogate (its exp written out, the same operations as the vector kernels and
 * neuron.cu) against alpha sig (1 - sig) in double: within a few float roundings everywhere it
 * matters, exactly 0 past its cut, NaN for NaN.
 */
class SurrogateTest {
    private static double exact(float z) {
        double sig = 1.0 / (1.0 + Math.exp(-4.0 * z));
        return 4.0 * sig * (1.0 - sig);
    }

    @Test
    void itIsTheDoubleSigmoidsDerivativeToAFewFloatRoundings() {
        int checked = 0;
        double worstRel = 0;
        for (float z = -30f; z <= 30f; z += 0.000731f) {
            float sg = NeuronKernels.surrogateGrad(z);
            double ex = exact(z);
            // sig's rounding (a few ulps of 1) is amplified where 1 - sig is small: an absolute bound
            // there, a relative one where the gradient is not in that cancellation
            double err = Math.abs(sg - ex);
            assertTrue(err <= 4e-7 + 2e-6 * ex, "z " + z + ": " + sg + " against " + ex);
            if (Math.abs(z) < 0.25f) { // 1 - sig >= 0.27: no cancellation to speak of
                worstRel = Math.max(worstRel, err / ex);
            }
            checked++;
        }
        assertTrue(checked > 80_000, "points checked: " + checked);
        assertTrue(worstRel < 1e-6, "relative error for |z| < 0.25: " + worstRel);
        assertEquals(1f, NeuronKernels.surrogateGrad(0f), "alpha/4 at z = 0");
        assertEquals(1f, NeuronKernels.surrogateGrad(-0f));
    }

    @Test
    void pastTheCutItIsZeroAndNaNStaysNaN() {
        for (float z : new float[] {22.01f, -22.01f, 1e6f, -1e6f, Float.MAX_VALUE, -Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            assertEquals(0f, NeuronKernels.surrogateGrad(z), "z " + z);
        }
        // just inside the cut (|alpha z| = 88): for z < 0, sig = 1 / (1 + e^{-alpha z}) is tiny but held in float
        // (down to the subnormals), so the gradient is alpha sig, not 0 and not garbage from 2^n; for z > 0,
        // 1 - sig rounds to 0 in float long before (from about z = 4.3), so it is exactly 0 there
        for (float z : new float[] {-21.99f, -17f}) {
            float sg = NeuronKernels.surrogateGrad(z);
            assertTrue(sg > 0f && sg < 1e-20f, "z " + z + ": " + sg);
        }
        for (float z : new float[] {21.99f, 17f}) {
            assertEquals(0f, NeuronKernels.surrogateGrad(z), "z " + z);
        }
        assertTrue(Float.isNaN(NeuronKernels.surrogateGrad(Float.NaN)));
    }

    /**
     * Where the gradient is below the absolute bound of the sweep above (z < -4), it is still alpha sig to a few
     * float roundings: the sweep would pass a kernel that returned 0 there (a cut at |alpha z| = 40, say).
     */
    @Test
    void farBelowThresholdItIsStillTheDoubleFormulaRelatively() {
        int checked = 0;
        for (float z = -21.99f; z <= -4f; z += 0.00731f) {
            float sg = NeuronKernels.surrogateGrad(z);
            double ex = exact(z);
            assertTrue(sg > 0f && Math.abs(sg - ex) <= 1e-5 * ex, "z " + z + ": " + sg + " against " + ex);
            checked++;
        }
        assertTrue(checked > 2_000, "points checked: " + checked);
    }
}
