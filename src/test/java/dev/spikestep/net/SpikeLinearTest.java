package dev.spikestep.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikestep.rng.PoissonEncoder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * fc1's kernels against the plain loops, bit for bit, at shapes that exercise every path: T not a
 * multiple of 4 or 8 (the steps left after the groups of four or eight), inputs not a multiple of 4 or 64, a row
 * block boundary inside the rows, column ranges split at any point. Runs with the Vector API on and off.
 */
class SpikeLinearTest {
    private static long[] randomBits(SplittableRandom rnd, int rows, int nIn, int W) {
        long[] bits = new long[rows * W];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < nIn; i++) {
                // Inputs with very different rates, as the pixels of a digit: some never, some always.
                double p = (i % 7) / 6.0;
                if (rnd.nextDouble() < p) {
                    bits[r * W + (i >>> 6)] |= 1L << (i & 63);
                }
            }
        }
        return bits;
    }

    private static boolean bit(long[] bits, int W, int r, int i) {
        return (bits[r * W + (i >>> 6)] >>> (i & 63) & 1) != 0;
    }

    @Test
    void forwardBitsEqualsTheAscendingSumOfTheLiveWeightRows() {
        SplittableRandom rnd = new SplittableRandom(11);
        // T of 8 and more with finite weights (nIn <= 100) take the eight-step groups with 16-float
        // vectors: T % 8 steps left over, outputs not a multiple of a vector pair.
        for (int[] shape : new int[][] {{7, 3, 130, 67}, {4, 2, 64, 32}, {9, 5, 203, 41}, {1, 1, 5, 3}, {13, 3, 100, 256},
                {8, 2, 97, 40}, {21, 3, 70, 33}, {50, 2, 100, 256}}) {
            int T = shape[0];
            int B = shape[1];
            int nIn = shape[2];
            int nOut = shape[3];
            int W = PoissonEncoder.words(nIn);
            long[] bits = randomBits(rnd, T * B, nIn, W);
            float[] w = new float[nIn * nOut];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rnd.nextGaussian();
            }
            if (nIn > 100) {
                // A diverged weight: NaN in a row that never spikes (i % 7 == 0) must change nothing,
                // an infinity in a live row only the outputs of the rows where it spiked.
                w[7 * nOut + 2] = Float.NaN;
                w[8 * nOut + 3] = Float.POSITIVE_INFINITY;
            }
            float[] expected = new float[T * B * nOut];
            for (int r = 0; r < T * B; r++) {
                for (int j = 0; j < nOut; j++) {
                    float acc = 0f;
                    for (int i = 0; i < nIn; i++) {
                        if (bit(bits, W, r, i)) {
                            acc += w[i * nOut + j];
                        }
                    }
                    expected[r * nOut + j] = acc;
                }
            }
            float[] actual = new float[expected.length];
            java.util.Arrays.fill(actual, Float.NaN);
            SpikeLinear.forwardBits(bits, W, T, B, w, nOut, nOut, actual, 0, 1);
            SpikeLinear.forwardBits(bits, W, T, B, w, nOut, nOut, actual, 1, B);
            assertArrayEquals(expected, actual, "forwardBits T=" + T + " B=" + B + " nIn=" + nIn + " nOut=" + nOut);
            // The padded copy of the weights: the same sums.
            float[] wPad = new float[nIn * SpikeLinear.paddedStride(nOut)];
            int P = SpikeLinear.padRows(w, nIn, nOut, wPad, 0);
            float[] padded = new float[expected.length];
            SpikeLinear.forwardBits(bits, W, T, B, wPad, P, nOut, padded, 0, B);
            assertArrayEquals(expected, padded, "forwardBits padded T=" + T + " nOut=" + nOut);
            // From a lead (VectorSupport.lineLead's 12 where objects sit on cache lines): the same sums.
            float[] wLead = new float[12 + nIn * SpikeLinear.paddedStride(nOut)];
            // The lead must not be read. Finite, so that the weights take the path finite ones take.
            java.util.Arrays.fill(wLead, 0, 12, 1e30f);
            assertEquals(P, SpikeLinear.padRows(w, nIn, nOut, wLead, 12));
            float[] led = new float[expected.length];
            SpikeLinear.forwardBits(bits, W, T, B, wLead, 12, P, nOut, led, 0, B);
            assertArrayEquals(expected, led, "forwardBits from lead 12 T=" + T + " nOut=" + nOut);
        }
    }

    @Test
    void transpose64MovesBitJOfWordKToBitKOfWordJ() {
        SplittableRandom rnd = new SplittableRandom(13);
        for (int trial = 0; trial < 20; trial++) {
            long[] a = new long[64];
            for (int k = 0; k < 64; k++) {
                a[k] = trial == 0 ? 1L << k : trial == 1 ? (k == 5 ? -1L : 0L) : rnd.nextLong() & rnd.nextLong();
            }
            long[] t = a.clone();
            SpikeLinear.transpose64(t);
            for (int k = 0; k < 64; k++) {
                for (int j = 0; j < 64; j++) {
                    assertEquals(a[k] >>> j & 1, t[j] >>> k & 1, "trial " + trial + ": bit " + j + " of word " + k);
                }
            }
        }
    }

    @Test
    void weightGradBitsEqualsTheRowByRowScatterWhateverTheColumnSplit() {
        SplittableRandom rnd = new SplittableRandom(12);
        // Row counts that end inside a row block (64).
        for (int[] shape : new int[][] {{600, 130, 67}, {256, 64, 32}, {300, 203, 41}, {3, 6, 5}}) {
            int R = shape[0];
            int nIn = shape[1];
            int nOut = shape[2];
            int W = PoissonEncoder.words(nIn);
            long[] bits = randomBits(rnd, R, nIn, W);
            float[] grad = new float[R * nOut];
            for (int i = 0; i < grad.length; i++) {
                grad[i] = (float) rnd.nextGaussian();
            }
            for (int r = 0; r < R; r += 5) {
                // Rows with no gradient (after a sample's last gradient step), of +0 and -0: left out, the same sums.
                for (int j = 0; j < nOut; j++) {
                    grad[r * nOut + j] = (j & 1) == 0 ? 0f : -0f;
                }
            }
            if (R == 300) {
                grad[17 * nOut + 4] = Float.NaN; // a diverged gradient: only the inputs that spiked in row 17 take it
                grad[20 * nOut + 1] = Float.NaN; // in an otherwise zero row: not a zero row
            }
            float[] start = new float[nIn * nOut];
            for (int i = 0; i < start.length; i++) {
                start[i] = (float) rnd.nextGaussian();
            }
            float[] expected = start.clone();
            for (int r = 0; r < R; r++) {
                for (int i = 0; i < nIn; i++) {
                    if (bit(bits, W, r, i)) {
                        for (int j = 0; j < nOut; j++) {
                            expected[i * nOut + j] += grad[r * nOut + j];
                        }
                    }
                }
            }
            int split = 1 + rnd.nextInt(nOut);
            float[] actual = start.clone();
            SpikeLinear.GradRows lists = new SpikeLinear.GradRows(R + 100, nIn);
            int blocks = SpikeLinear.GradRows.blocks(R);
            lists.build(bits, W, R, grad, nOut, blocks / 2, blocks); // the order the threads finish in is free
            lists.build(bits, W, R, grad, nOut, 0, blocks / 2);
            SpikeLinear.weightGradBits(lists, grad, nOut, actual, 0, split);
            SpikeLinear.weightGradBits(lists, grad, nOut, actual, split, nOut);
            assertArrayEquals(expected, actual, "weightGradBits R=" + R + " nIn=" + nIn + " nOut=" + nOut + " split=" + split);
            // The scratch's rows from a lead (VectorSupport.lineLead's 12 on line-aligned objects): the same sums.
            for (int lead : new int[] {0, 12}) {
                float[] led = start.clone();
                SpikeLinear.weightGradBits(lists, grad, nOut, led, 0, split, lead);
                SpikeLinear.weightGradBits(lists, grad, nOut, led, split, nOut, lead);
                assertArrayEquals(expected, led, "weightGradBits lead " + lead + " R=" + R + " split=" + split);
            }
        }
    }

    @Test
    void theHiddenSpikeProductsEqualThePlainLoopsAtEveryOutputWidth() {
        SplittableRandom rnd = new SplittableRandom(13);
        // 10 is fc_out's; 16 and 17 cross one vector, 33 two (the plain loop then) with 16 lanes.
        for (int nOut : new int[] {1, 3, 10, 16, 17, 33}) {
            int R = 23;
            int nIn = 37;
            byte[] spikes = new byte[R * nIn];
            for (int i = 0; i < spikes.length; i++) {
                spikes[i] = (byte) (rnd.nextDouble() < 0.3 ? 1 : 0);
            }
            float[] w = new float[nIn * nOut];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rnd.nextGaussian();
            }
            float[] grad = new float[R * nOut];
            for (int i = 0; i < grad.length; i++) {
                // Every fourth row without a gradient (+0 and -0): skipped, the same sums.
                grad[i] = (i / nOut) % 4 == 1 ? ((i & 1) == 0 ? 0f : -0f) : (float) rnd.nextGaussian();
            }
            for (boolean diverged : new boolean[] {false, true}) {
                if (diverged) {
                    w[5 * nOut] = Float.NaN;
                    grad[4 * nOut] = Float.POSITIVE_INFINITY;
                }
                float[] out = new float[R * nOut];
                float[] gW0 = new float[nIn * nOut]; // the gradient accumulates into what is there
                for (int i = 0; i < gW0.length; i++) {
                    gW0[i] = (float) rnd.nextGaussian();
                }
                float[] gW = gW0.clone();
                float[] gIn = new float[R * nIn];
                for (int r = 0; r < R; r++) {
                    for (int n = 0; n < nIn; n++) {
                        if (spikes[r * nIn + n] != 0) {
                            for (int j = 0; j < nOut; j++) {
                                out[r * nOut + j] += w[n * nOut + j];
                                gW[n * nOut + j] += grad[r * nOut + j];
                            }
                        }
                    }
                    for (int n = 0; n < nIn; n++) {
                        float acc = 0f;
                        for (int j = 0; j < nOut; j++) {
                            acc += grad[r * nOut + j] * w[n * nOut + j];
                        }
                        gIn[r * nIn + n] = acc;
                    }
                }
                String at = "nOut=" + nOut + (diverged ? " with NaN and infinity" : "");
                float[] actual = new float[out.length];
                SpikeLinear.forwardSpikes(spikes, nIn, w, nOut, actual, 0, 9);
                SpikeLinear.forwardSpikes(spikes, nIn, w, nOut, actual, 9, R);
                assertArrayEquals(out, actual, "forwardSpikes " + at);
                float[] gWActual = gW0.clone();
                SpikeLinear.weightGradSpikes(spikes, nIn, R, grad, nOut, gWActual, 0, 13);
                SpikeLinear.weightGradSpikes(spikes, nIn, R, grad, nOut, gWActual, 13, nIn);
                assertArrayEquals(gW, gWActual, "weightGradSpikes " + at);
                float[] wT = Layouts.transpose(w, nIn, nOut);
                float[] gInActual = new float[gIn.length];
                SpikeLinear.inputGrad(grad, nOut, wT, nIn, gInActual, 0, R);
                assertArrayEquals(gIn, gInActual, "inputGrad " + at);
            }
        }
    }
}
