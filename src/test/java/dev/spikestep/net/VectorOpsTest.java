package dev.spikestep.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.spikestep.simd.VectorOps;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Runs in both surefire executions (Vector API on and off): each must equal the plain loop exactly. */
class VectorOpsTest {
    @Test
    void addToAndAxpyEqualThePlainLoopAtEveryLengthAndOffset() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int n = 0; n < 70; n++) {
            float[] src = new float[n + 5];
            float[] dst = new float[n + 7];
            for (int i = 0; i < src.length; i++) {
                src[i] = (float) rnd.nextGaussian();
            }
            for (int i = 0; i < dst.length; i++) {
                dst[i] = (float) rnd.nextGaussian();
            }
            float[] expected = dst.clone();
            for (int j = 0; j < n; j++) {
                expected[3 + j] += src[2 + j];
            }
            float[] actual = dst.clone();
            VectorOps.addTo(src, 2, actual, 3, n);
            assertArrayEquals(expected, actual, "addTo n=" + n);

            float a = (float) rnd.nextGaussian();
            for (int j = 0; j < n; j++) {
                expected[1 + j] += a * src[4 + j];
            }
            VectorOps.axpy(a, src, 4, actual, 1, n);
            assertArrayEquals(expected, actual, "axpy n=" + n);
        }
    }
}
