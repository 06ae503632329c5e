package dev.spikestep.rng;

import dev.spikestep.SpikestepException;
import java.util.Locale;

/**
 * Poisson rate encoder of SPEC section 1, the Java twin of {@code kernels/encoder.cu}.
 *
 * <p>The mapping, which the CUDA kernel reproduces bit for bit: for encoder seed {@code seed}, the
 * sample at position {@code pos} of the epoch's order, step {@code t} and pixel {@code p}, take
 * {@code out = Philox4x32-10(counter = (p / 4, t, pos, Streams.ENCODER), key = (lo32(seed), hi32(seed)))},
 * {@code u = (out[p % 4] >>> 8) * 2^-24}, and spike iff {@code u < prob[pixel value]}. The 256
 * probabilities are computed once in double precision from {@code x = value / 255} and rounded to
 * float, so no backend's {@code exp} can change a spike.
 */
public final class PoissonEncoder {
    /** How the per-step spike probability is derived from the intensity (SPEC table 1). */
    public enum Method {
        EXACT, APPROX, BERNOULLI;

        public static Method parse(String s) {
            for (Method m : values()) {
                if (m.name().equalsIgnoreCase(s.trim())) {
                    return m;
                }
            }
            throw new SpikestepException("unknown encoder '" + s + "': expected exact, approx or bernoulli");
        }

        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final float[] prob = new float[256];
    private final Method method;
    private final double dt;

    public PoissonEncoder(Method method, double dt) {
        if (!(dt > 0) || !Double.isFinite(dt)) {
            throw new SpikestepException("encoder dt must be a finite number > 0, got " + dt);
        }
        this.method = method;
        this.dt = dt;
        for (int v = 0; v < 256; v++) {
            double x = v / 255.0;
            double p = switch (method) {
                case EXACT -> 1.0 - Math.exp(-Math.max(x, 0.0) * dt);
                case APPROX -> Math.min(Math.max(Math.max(x, 0.0) * dt, 0.0), 1.0);
                case BERNOULLI -> x;
            };
            prob[v] = (float) p;
        }
    }

    public Method method() {
        return method;
    }

    public double dt() {
        return dt;
    }

    /** Spike probability per step for each pixel value 0..255 (the table the CUDA kernel receives). */
    public float[] probabilities() {
        return prob.clone();
    }

    /** 64-bit words per row of a spike bitmask over {@code nPixels} inputs. */
    public static int words(int nPixels) {
        return (nPixels + 63) >>> 6;
    }

    /**
     * Encodes one sample at one step into a bitmask: bit {@code p & 63} of word {@code p >>> 6} (from
     * {@code bitsOffset}) is set iff pixel {@code p} spikes. Returns the number of spikes.
     *
     * @param image {@code nPixels} uint8 pixels of the sample, starting at {@code imageOffset}
     * @param scratch an int[4] reused across calls (no garbage per step)
     */
    public int encodeStep(long seed, int pos, int t, byte[] image, int imageOffset, int nPixels,
                          long[] bits, int bitsOffset, int[] scratch) {
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        int count = 0;
        java.util.Arrays.fill(bits, bitsOffset, bitsOffset + words(nPixels), 0L);
        for (int g = 0; g * 4 < nPixels; g++) {
            int base = g * 4;
            int lim = Math.min(4, nPixels - base);
            // A group of black pixels (p = 0) never spikes: skip its Philox call, the result is identical.
            boolean any = false;
            for (int j = 0; j < lim; j++) {
                any |= image[imageOffset + base + j] != 0;
            }
            if (!any) {
                continue;
            }
            Philox.philox4x32(g, t, pos, Streams.ENCODER, k0, k1, scratch);
            for (int j = 0; j < lim; j++) {
                float p = prob[image[imageOffset + base + j] & 0xFF];
                if (Philox.toUniform(scratch[j]) < p) {
                    int px = base + j;
                    bits[bitsOffset + (px >>> 6)] |= 1L << (px & 63);
                    count++;
                }
            }
        }
        return count;
    }
}
