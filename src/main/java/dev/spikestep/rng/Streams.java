package dev.spikestep.rng;

/**
 * Every random number in Spikestep is Philox with key = a seed and a counter whose last word names
 * what the number is for. Different purposes therefore never share a stream, whatever their seeds.
 */
public final class Streams {
    /** Poisson encoder: counter (pixel / 4, t, sample position in the epoch, ENCODER). */
    public static final int ENCODER = 0;
    /** Weight initialisation: counter (element / 4, layer, 0, WEIGHT_INIT). */
    public static final int WEIGHT_INIT = 1;
    /** Epoch shuffling: counter (step / 4, epoch, 0, SHUFFLE). */
    public static final int SHUFFLE = 2;

    private Streams() {
    }

    /** Uniform floats in [0, 1) for elements {@code 0..n-1} of one stream. */
    public static float[] uniforms(long seed, int c1, int c2, int purpose, int n) {
        float[] u = new float[n];
        int[] out = new int[4];
        for (int g = 0; g * 4 < n; g++) {
            Philox.philox4x32(g, c1, c2, purpose, (int) seed, (int) (seed >>> 32), out);
            for (int j = 0; j < 4 && g * 4 + j < n; j++) {
                u[g * 4 + j] = Philox.toUniform(out[j]);
            }
        }
        return u;
    }

    /**
     * A seeded Fisher-Yates permutation of {@code 0..n-1}; step {@code i} (from n-1 down) draws
     * {@code j = floor(word * (i + 1) / 2^32)} from word {@code n-1-i} of the SHUFFLE stream of
     * {@code (seed, epoch)}.
     */
    public static int[] permutation(long seed, int epoch, int n) {
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        int[] out = new int[4];
        for (int i = n - 1, step = 0; i > 0; i--, step++) {
            if ((step & 3) == 0) {
                Philox.philox4x32(step >>> 2, epoch, 0, SHUFFLE, (int) seed, (int) (seed >>> 32), out);
            }
            long word = out[step & 3] & 0xFFFFFFFFL;
            int j = (int) ((word * (i + 1)) >>> 32);
            int tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        return perm;
    }
}
