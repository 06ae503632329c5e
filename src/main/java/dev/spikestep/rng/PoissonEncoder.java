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
     * The pixel groups of one image that can spike (a group is 4 pixels, one Philox call; a group of
     * black pixels never spikes) and their spike probabilities: computed once per sample and reused
     * for every step by {@link #encodeStep(long, int, int, Prepared, long[], int, int[])}.
     */
    public static final class Prepared {
        final int[] groups;
        final float[] probs;
        int count;
        int nPixels;

        public Prepared(int nPixels) {
            int nGroups = (nPixels + 3) / 4;
            groups = new int[nGroups];
            probs = new float[nGroups * 4];
        }
    }

    /** Fills {@code prep} for the image of {@code nPixels} uint8 pixels at {@code imageOffset}. */
    public void prepare(byte[] image, int imageOffset, int nPixels, Prepared prep) {
        if (prep.groups.length * 4 < nPixels) {
            throw new IllegalArgumentException("Prepared holds " + prep.groups.length * 4 + " pixels, image has " + nPixels);
        }
        int n = 0;
        for (int g = 0; g * 4 < nPixels; g++) {
            int base = g * 4;
            int lim = Math.min(4, nPixels - base);
            boolean any = false;
            for (int j = 0; j < 4; j++) {
                float p = j < lim ? prob[image[imageOffset + base + j] & 0xFF] : 0f;
                prep.probs[n * 4 + j] = p;
                any |= p > 0f;
            }
            if (any) {
                prep.groups[n++] = g;
            }
        }
        prep.count = n;
        prep.nPixels = nPixels;
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
        Prepared prep = new Prepared(nPixels);
        prepare(image, imageOffset, nPixels, prep);
        return encodeStep(seed, pos, t, prep, bits, bitsOffset, scratch);
    }

    /** {@link #encodeStep(long, int, int, byte[], int, int, long[], int, int[])} for a prepared image. */
    public int encodeStep(long seed, int pos, int t, Prepared prep, long[] bits, int bitsOffset, int[] scratch) {
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        int count = 0;
        java.util.Arrays.fill(bits, bitsOffset, bitsOffset + words(prep.nPixels), 0L);
        for (int k = 0; k < prep.count; k++) {
            int g = prep.groups[k];
            Philox.philox4x32(g, t, pos, Streams.ENCODER, k0, k1, scratch);
            // The 4 pixels of a group never straddle a 64-bit word (4 divides 64).
            long word = 0;
            for (int j = 0; j < 4; j++) {
                if (Philox.toUniform(scratch[j]) < prep.probs[k * 4 + j]) {
                    word |= 1L << (((g << 2) + j) & 63);
                    count++;
                }
            }
            bits[bitsOffset + (g >>> 4)] |= word;
        }
        return count;
    }
}
