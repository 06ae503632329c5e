package dev.spikestep.rng;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PoissonEncoderTest {
    private static final int N = 784;

    /** Encodes one step and returns the spiking pixel indices, ascending, in idx; returns the count. */
    private static int encodeStep(PoissonEncoder enc, long seed, int pos, int t, byte[] image, int off, int n,
                                  int[] idx, int unused, int[] scratch) {
        long[] bits = new long[PoissonEncoder.words(n) + 1];
        bits[bits.length - 1] = -1L; // a guard word the encoder must not touch
        int count = enc.encodeStep(seed, pos, t, image, off, n, bits, 0, scratch);
        assertEquals(-1L, bits[bits.length - 1], "wrote past its row");
        int k = 0;
        for (int p = 0; p < n; p++) {
            if ((bits[p >>> 6] >>> (p & 63) & 1L) != 0) {
                idx[k++] = p;
            }
        }
        assertEquals(count, k, "returned count equals the bits set");
        return k;
    }

    /** Spike frequency of every pixel value over many (position, t) draws, against the SPEC probability. */
    private static void checkRates(PoissonEncoder.Method method, double dt) {
        PoissonEncoder enc = new PoissonEncoder(method, dt);
        byte[] image = new byte[N];
        for (int p = 0; p < N; p++) {
            image[p] = (byte) (p % 256); // every value 0..255 three times (and some a fourth)
        }
        int[] hits = new int[N];
        int[] idx = new int[N];
        int[] scratch = new int[4];
        int draws = 4000;
        for (int pos = 0; pos < 100; pos++) {
            for (int t = 0; t < draws / 100; t++) {
                int n = encodeStep(enc, 42, pos, t, image, 0, N, idx, 0, scratch);
                for (int k = 0; k < n; k++) {
                    hits[idx[k]]++;
                }
            }
        }
        for (int p = 0; p < N; p++) {
            double x = (p % 256) / 255.0;
            double expected = switch (method) {
                case EXACT -> 1 - Math.exp(-x * dt);
                case APPROX -> Math.min(x * dt, 1);
                case BERNOULLI -> x;
            };
            double rate = hits[p] / (double) draws;
            double sd = Math.sqrt(expected * (1 - expected) / draws);
            // 5 standard deviations over 784 pixels: a correct encoder fails this about once in 10^4 runs
            // of different seeds; with the fixed seed here it is deterministic.
            assertTrue(Math.abs(rate - expected) <= 5 * sd + 1e-9,
                    method + " dt " + dt + " pixel value " + (p % 256) + ": rate " + rate + " vs p " + expected);
        }
    }

    @Test
    void exactRatesFollowOneMinusExp() {
        checkRates(PoissonEncoder.Method.EXACT, 0.5);
        checkRates(PoissonEncoder.Method.EXACT, 5.0);
    }

    @Test
    void approxRatesAreClampedLinear() {
        checkRates(PoissonEncoder.Method.APPROX, 0.3);
        checkRates(PoissonEncoder.Method.APPROX, 2.0);
    }

    @Test
    void bernoulliIgnoresDt() {
        checkRates(PoissonEncoder.Method.BERNOULLI, 0.1);
        assertArrayEquals(new PoissonEncoder(PoissonEncoder.Method.BERNOULLI, 0.1).probabilities(),
                new PoissonEncoder(PoissonEncoder.Method.BERNOULLI, 7).probabilities());
    }

    @Test
    void blackNeverSpikesAndWhiteAlwaysSpikesUnderBernoulli() {
        PoissonEncoder enc = new PoissonEncoder(PoissonEncoder.Method.BERNOULLI, 1);
        byte[] image = new byte[N];
        Arrays.fill(image, 0, 392, (byte) 255);
        int[] idx = new int[N];
        int n = encodeStep(enc, 1, 0, 0, image, 0, N, idx, 0, new int[4]);
        assertEquals(392, n);
        for (int k = 0; k < n; k++) {
            assertEquals(k, idx[k], "indices are ascending and only white pixels spike");
        }
    }

    @Test
    void spikesArePureFunctionsOfSeedPositionStepPixel() {
        PoissonEncoder enc = new PoissonEncoder(PoissonEncoder.Method.EXACT, 1.0);
        byte[] image = new byte[2 * N];
        for (int p = 0; p < image.length; p++) {
            image[p] = (byte) (37 * p);
        }
        int[] a = new int[N];
        int[] b = new int[N];
        int[] s = new int[4];
        // The same sample at the same position gives the same spikes, wherever it sits in memory.
        int na = encodeStep(enc, 5, 17, 3, image, 0, N, a, 0, s);
        byte[] moved = new byte[3 * N];
        System.arraycopy(image, 0, moved, 2 * N, N);
        int nb = encodeStep(enc, 5, 17, 3, moved, 2 * N, N, b, 0, s);
        assertEquals(na, nb);
        assertArrayEquals(Arrays.copyOf(a, na), Arrays.copyOf(b, nb));
        // Another position, step or seed draws other numbers.
        assertTrue(!Arrays.equals(Arrays.copyOf(a, na), Arrays.copyOf(b, encodeStep(enc, 5, 18, 3, image, 0, N, b, 0, s))));
        assertTrue(!Arrays.equals(Arrays.copyOf(a, na), Arrays.copyOf(b, encodeStep(enc, 5, 17, 4, image, 0, N, b, 0, s))));
        assertTrue(!Arrays.equals(Arrays.copyOf(a, na), Arrays.copyOf(b, encodeStep(enc, 6, 17, 3, image, 0, N, b, 0, s))));
    }

    /** Pins the documented mapping (the CUDA kernel must reproduce it): recompute pixel 9 by hand. */
    @Test
    void mappingIsTheDocumentedPhiloxCounter() {
        PoissonEncoder enc = new PoissonEncoder(PoissonEncoder.Method.EXACT, 2.0);
        long seed = 0x1_0000_0003L;
        int[] out = new int[4];
        Philox.philox4x32(9 / 4, 11, 23, Streams.ENCODER, 3, 1, out);
        float u = Philox.toUniform(out[9 % 4]);
        for (int v = 1; v < 256; v += 7) {
            byte[] image = new byte[N];
            image[9] = (byte) v;
            int[] idx = new int[N];
            int n = encodeStep(enc, seed, 23, 11, image, 0, N, idx, 0, new int[4]);
            float p = (float) (1 - Math.exp(-(v / 255.0) * 2.0));
            assertEquals(u < p ? 1 : 0, n, "pixel value " + v);
        }
    }

    @Test
    void rejectsBadInput() {
        assertThrows(SpikestepException.class, () -> new PoissonEncoder(PoissonEncoder.Method.EXACT, 0));
        assertThrows(SpikestepException.class, () -> new PoissonEncoder(PoissonEncoder.Method.EXACT, Double.NaN));
        SpikestepException e = assertThrows(SpikestepException.class, () -> PoissonEncoder.Method.parse("gauss"));
        assertTrue(e.getMessage().contains("exact, approx or bernoulli"));
    }
}
