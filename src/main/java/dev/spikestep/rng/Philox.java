package dev.spikestep.rng;

/**
 * Philox4x32-10, the counter-based generator of Random123 and cuRAND (Salmon et al., SC'11). A pure
 * function of a 128-bit counter and a 64-bit key, so any random number can be recomputed anywhere
 * (on another backend, at another batch size) without carrying generator state. The Java twin of
 * {@code kernels/philox.cuh}.
 */
public final class Philox {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    /** The round-key increments (Weyl constants), for the encoder's unrolled and vector forms. */
    static final int W0 = 0x9E3779B9;
    static final int W1 = 0xBB67AE85;
    /** The multipliers zero-extended to 64 bits: {@code M0L * (c & 0xFFFFFFFFL)} is the 32x32 -> 64 product. */
    static final long M0L = M0 & 0xFFFFFFFFL;
    static final long M1L = M1 & 0xFFFFFFFFL;
    /** 2^-24: a 24-bit integer times this is a float in [0, 1), exactly representable. */
    public static final float TWO_POW_MINUS_24 = 0x1p-24f;

    private Philox() {
    }

    /** Ten rounds on counter {@code (c0, c1, c2, c3)} with key {@code (k0, k1)}, written into {@code out[0..3]}. */
    public static void philox4x32(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = M0L * (c0 & 0xFFFFFFFFL);
            long p1 = M1L * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32);
            int lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32);
            int lo1 = (int) p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** The float in [0, 1) made from the top 24 bits of a 32-bit word (exact in float32, as on the GPU). */
    public static float toUniform(int word) {
        return (word >>> 8) * TWO_POW_MINUS_24;
    }
}
