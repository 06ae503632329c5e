package dev.spikestep.rng;

import java.util.Arrays;

/**
 * The plain encoder of SPEC section 1 as {@link PoissonEncoder} had it before it was made fast: the
 * live 4-pixel groups of an image found once, then per step one {@link Philox#philox4x32} call per
 * live group and a float compare per pixel. Kept for the tests and the A/B harness to compare the
 * production path against; not used in production.
 */
public final class PoissonEncoderReference {
    private final float[] prob;
    private final int[] groups;
    private final float[] probs;
    private final int[] scratch = new int[4];
    private int count;
    private int nPixels;

    public PoissonEncoderReference(PoissonEncoder encoder, int maxPixels) {
        prob = encoder.probabilities();
        groups = new int[(maxPixels + 3) / 4];
        probs = new float[groups.length * 4];
    }

    /** The live groups of the image of {@code nPixels} uint8 pixels at {@code imageOffset}. */
    public void prepare(byte[] image, int imageOffset, int nPixels) {
        int n = 0;
        for (int g = 0; g * 4 < nPixels; g++) {
            int base = g * 4;
            int lim = Math.min(4, nPixels - base);
            boolean any = false;
            for (int j = 0; j < 4; j++) {
                float p = j < lim ? prob[image[imageOffset + base + j] & 0xFF] : 0f;
                probs[n * 4 + j] = p;
                any |= p > 0f;
            }
            if (any) {
                groups[n++] = g;
            }
        }
        count = n;
        this.nPixels = nPixels;
    }

    /** Writes the prepared image's row of step {@code t} at {@code bits[bitsOffset ..]}; returns the spike count. */
    public int encodeStep(long seed, int pos, int t, long[] bits, int bitsOffset) {
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        int spikes = 0;
        Arrays.fill(bits, bitsOffset, bitsOffset + PoissonEncoder.words(nPixels), 0L);
        for (int k = 0; k < count; k++) {
            int g = groups[k];
            Philox.philox4x32(g, t, pos, Streams.ENCODER, k0, k1, scratch);
            long word = 0;
            for (int j = 0; j < 4; j++) {
                if (Philox.toUniform(scratch[j]) < probs[k * 4 + j]) {
                    word |= 1L << (((g << 2) + j) & 63);
                    spikes++;
                }
            }
            bits[bitsOffset + (g >>> 4)] |= word;
        }
        return spikes;
    }

    /** Live groups of the prepared image: Philox calls per step. */
    public int liveGroups() {
        return count;
    }
}
