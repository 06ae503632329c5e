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

    @Test
    void sumRowsEqualsThePlainAscendingSumsAtEveryWidthAndOffset() {
        SplittableRandom rnd = new SplittableRandom(5);
        int stride = 150;
        float[] src = new float[40 * stride];
        for (int i = 0; i < src.length; i++) {
            src[i] = (float) rnd.nextGaussian();
        }
        int[] rows = {39, 2, 17, 17, 0, 5, 33, 8, 21, 3, 12};
        for (int n = 0; n <= 140; n += 1 + n / 9) {
            for (int k0 = 0; k0 < 3; k0++) {
                int k1 = rows.length - k0;
                int s = 7;
                float[] expected = new float[n + 9];
                java.util.Arrays.fill(expected, 42f); // outside [4, 4 + n) must stay
                for (int j = 0; j < n; j++) {
                    float acc = 0f;
                    for (int k = k0; k < k1; k++) {
                        acc += src[rows[k] * stride + s + j];
                    }
                    expected[4 + j] = acc;
                }
                float[] actual = new float[n + 9];
                java.util.Arrays.fill(actual, 42f);
                VectorOps.sumRows(src, rows, k0, k1, stride, s, actual, 4, n);
                assertArrayEquals(expected, actual, "sumRows n=" + n + " k0=" + k0);

            }
        }
        float[] none = {3f, 3f};
        VectorOps.sumRows(src, rows, 4, 4, stride, 0, none, 0, 2);
        assertArrayEquals(new float[] {0f, 0f}, none, "no rows: the sum is 0");
    }

    @Test
    void addRowsMaskedAddsTheRowsOfTheSetBitsAscendingAtEveryWidth() {
        SplittableRandom rnd = new SplittableRandom(10);
        int stride = 300;
        float[] src = new float[(5 + 64) * stride];
        for (int i = 0; i < src.length; i++) {
            src[i] = (float) rnd.nextGaussian() * (1 + rnd.nextInt(1000));
        }
        // Widths around the 8-vector and 1-vector blocks of either lane count, and masks with bit 63.
        for (int n : new int[] {0, 1, 7, 15, 16, 17, 63, 64, 127, 128, 129, 144, 200, 255, 256, 257, 291}) {
            for (long mask : new long[] {0L, 1L, 1L << 63, -1L, 0x8000_0000_0000_0001L, rnd.nextLong(), rnd.nextLong() & rnd.nextLong()}) {
                int r0 = rnd.nextInt(6);
                int s = rnd.nextInt(stride - n + 1);
                float[] before = new float[n + 9];
                for (int i = 0; i < before.length; i++) {
                    before[i] = (float) rnd.nextGaussian();
                }
                float[] expected = before.clone();
                for (int k = 0; k < 64; k++) {
                    if ((mask >>> k & 1) != 0) {
                        for (int j = 0; j < n; j++) {
                            expected[3 + j] += src[(r0 + k) * stride + s + j];
                        }
                    }
                }
                float[] actual = before.clone();
                VectorOps.addRowsMasked(src, r0, mask, stride, s, actual, 3, n);
                assertArrayEquals(expected, actual, "addRowsMasked n=" + n + " mask=" + Long.toHexString(mask));
            }
        }
    }

    @Test
    void sumRows4EqualsFourPlainSubListSumsAtEveryWidthEvenWithNonFiniteRowsMaskedOff() {
        SplittableRandom rnd = new SplittableRandom(9);
        int stride = 150;
        float[] src = new float[40 * stride];
        for (int i = 0; i < src.length; i++) {
            src[i] = (float) rnd.nextGaussian();
        }
        // Row 39 holds NaN and infinities: it is listed, but only for output 2, so the other three
        // outputs must come out finite and exactly the plain sums.
        for (int j = 0; j < stride; j++) {
            src[39 * stride + j] = j % 3 == 0 ? Float.NaN : (j % 3 == 1 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY);
        }
        int[] rows = {0, 2, 3, 5, 8, 12, 17, 21, 33, 39};
        byte[] bits4 = new byte[rows.length];
        for (int k = 0; k < rows.length; k++) {
            bits4[k] = (byte) (rows[k] == 39 ? 4 : rnd.nextInt(16));
        }
        for (int n = 0; n <= 140; n += 1 + n / 9) {
            {
                int s = 3;
                int d = 5;
                int dStride = n + 11;
                float[] before = new float[4 * dStride + 8];
                for (int i = 0; i < before.length; i++) {
                    before[i] = (float) rnd.nextGaussian();
                }
                float[] expected = before.clone();
                for (int g = 0; g < 4; g++) {
                    for (int j = 0; j < n; j++) {
                        float acc = 0f;
                        for (int k = 0; k < rows.length; k++) {
                            if ((bits4[k] >> g & 1) != 0) {
                                acc += src[rows[k] * stride + s + j];
                            }
                        }
                        expected[d + g * dStride + j] = acc;
                    }
                }
                float[] actual = before.clone();
                VectorOps.sumRows4(src, rows, bits4, 0, rows.length, stride, s, actual, d, dStride, n, false);
                assertArrayEquals(expected, actual, "sumRows4 n=" + n + "");
                // Without the non-finite row, the finite path must give the same sums.
                float[] fin = before.clone();
                float[] finExpected = before.clone();
                VectorOps.sumRows4(src, rows, bits4, 0, rows.length - 1, stride, s, fin, d, dStride, n, true);
                VectorOps.sumRows4(src, rows, bits4, 0, rows.length - 1, stride, s, finExpected, d, dStride, n, false);
                assertArrayEquals(finExpected, fin, "sumRows4 finite n=" + n + "");
            }
        }
    }

    @Test
    void allFiniteFindsANanOrAnInfinityAtAnyPosition() {
        float[] a = new float[77];
        java.util.Arrays.fill(a, 1.5e38f);
        org.junit.jupiter.api.Assertions.assertTrue(VectorOps.allFinite(a, 0, a.length));
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            for (int i = 0; i < a.length; i++) {
                float[] b = a.clone();
                b[i] = bad;
                org.junit.jupiter.api.Assertions.assertFalse(VectorOps.allFinite(b, 0, b.length), bad + " at " + i);
                org.junit.jupiter.api.Assertions.assertEquals(i < 3 || i >= 70, VectorOps.allFinite(b, 3, 70), bad + " at " + i + " in [3, 70)");
            }
        }
    }

    @Test
    void allZeroTakesMinusZeroAsZeroAndNothingElse() {
        float[] a = new float[77];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i % 3 == 0) ? -0f : 0f;
        }
        org.junit.jupiter.api.Assertions.assertTrue(VectorOps.allZero(a, 0, a.length));
        for (float bad : new float[] {Float.NaN, Float.MIN_VALUE, -Float.MIN_VALUE, Float.NEGATIVE_INFINITY, 1f}) {
            for (int i = 0; i < a.length; i++) {
                float[] b = a.clone();
                b[i] = bad;
                org.junit.jupiter.api.Assertions.assertFalse(VectorOps.allZero(b, 0, b.length), bad + " at " + i);
                org.junit.jupiter.api.Assertions.assertEquals(i < 3 || i >= 70, VectorOps.allZero(b, 3, 70), bad + " at " + i + " in [3, 70)");
            }
        }
    }
}
