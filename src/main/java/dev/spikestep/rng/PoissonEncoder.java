package dev.spikestep.rng;

import static dev.spikestep.rng.Philox.M0L;
import static dev.spikestep.rng.Philox.M1L;
import static dev.spikestep.rng.Philox.W0;
import static dev.spikestep.rng.Philox.W1;

import dev.spikestep.SpikestepException;
import dev.spikestep.simd.VectorSupport;
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
 *
 * <p>On the CPU, {@link #encodeSteps} computes that mapping for all steps of a sample at once: four
 * steps interleaved in scalar code, or one step per vector lane ({@link VectorEncoder}), the compare
 * done in integers ({@link #threshold}), every word of a row written once. The tests hold it to the
 * plain form, one {@link Philox#philox4x32} call and float compare at a time.
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
            throw new dev.spikestep.BadValueException("encoder", "'" + s + "': unknown encoder; expected exact, approx or bernoulli");
        }

        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Whether {@link #encodeSteps} takes the Vector API form: with 8 or more long lanes (AVX-512). With
     * 4 (AVX2) it measured no faster than the scalar form (JDK 17 about 10% slower, JDK 25 about 10%
     * faster), so the scalar form runs there.
     */
    static final boolean VECTOR = VectorSupport.ENABLED && VectorEncoder.lanes() >= 8;

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
     * black pixels never spikes), their spike thresholds and where each 64-bit word's groups end:
     * computed once per sample and reused for every step by {@link #encodeSteps}.
     */
    public static final class Prepared {
        final int[] groups;
        /** Per live group k, pixel j: spike iff {@code (word >>> 8) < thresholds[4k + j]}. */
        final int[] thresholds;
        /** The live groups of word w are {@code [w == 0 ? 0 : wordEnd[w - 1], wordEnd[w])}. */
        final int[] wordEnd;
        /** The Vector API form's round keys and one vector's words (up to 2048-bit vectors). */
        final long[] keys = new long[20];
        final long[] laneWords = new long[32];
        int count;
        int nPixels;

        public Prepared(int nPixels) {
            int nGroups = (nPixels + 3) / 4;
            groups = new int[nGroups];
            thresholds = new int[nGroups * 4];
            wordEnd = new int[words(nPixels)];
        }
    }

    /**
     * The integer form of {@code u < p}: with {@code u = m * 2^-24} (m the top 24 bits of a word),
     * {@code u < p} iff {@code m < p * 2^24} (exact: a power-of-two scaling of a float in [0, 1]), iff
     * {@code m < ceil(p * 2^24)} for the integer m. Between 0 and 2^24, so {@code m - threshold} is
     * negative exactly when the pixel spikes.
     */
    static int threshold(float p) {
        return (int) Math.ceil((double) p * 0x1p24);
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
                int th = j < lim ? threshold(prob[image[imageOffset + base + j] & 0xFF]) : 0;
                prep.thresholds[n * 4 + j] = th;
                any |= th > 0;
            }
            if (any) {
                prep.groups[n++] = g;
            }
            if ((g & 15) == 15 || (g + 1) * 4 >= nPixels) {
                prep.wordEnd[g >>> 4] = n;
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
     */
    public int encodeStep(long seed, int pos, int t, byte[] image, int imageOffset, int nPixels,
                          long[] bits, int bitsOffset) {
        Prepared prep = new Prepared(nPixels);
        prepare(image, imageOffset, nPixels, prep);
        return encodeSteps(seed, pos, t, 1, prep, bits, bitsOffset, 0);
    }

    /**
     * Encodes steps {@code [t0, t0 + nSteps)} of a prepared sample: the bitmask of step {@code t0 + s}
     * (as {@link #encodeStep(long, int, int, byte[], int, int, long[], int)} writes it) goes to
     * {@code bits[bitsOffset + s * rowStride ..]}, every word of it written. Returns the number of spikes.
     */
    public int encodeSteps(long seed, int pos, int t0, int nSteps, Prepared prep, long[] bits, int bitsOffset,
                           int rowStride) {
        if (VECTOR) {
            return VectorEncoder.encodeSteps((int) seed, (int) (seed >>> 32), pos, t0, nSteps, prep, bits, bitsOffset,
                    rowStride);
        }
        return encodeStepsScalar(seed, pos, t0, nSteps, prep, bits, bitsOffset, rowStride);
    }

    /** {@link #encodeSteps} in scalar code: the form that runs where {@link #VECTOR} is false. */
    static int encodeStepsScalar(long seed, int pos, int t0, int nSteps, Prepared prep, long[] bits, int bitsOffset,
                                 int rowStride) {
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        int spikes = 0;
        int s = 0;
        for (; s + 4 <= nSteps; s += 4) {
            spikes += encode4(k0, k1, pos, t0 + s, prep, bits, bitsOffset + s * rowStride, rowStride);
        }
        for (; s < nSteps; s++) {
            spikes += encode1(k0, k1, pos, t0 + s, prep, bits, bitsOffset + s * rowStride);
        }
        return spikes;
    }

    /**
     * Four steps at once: four independent Philox4x32-10 chains (counters {@code (g, t..t+3, pos,
     * ENCODER)}), interleaved so that their multiplies overlap, in locals; the spikes are compared
     * without branches and each row's words are assembled in registers and stored once.
     */
    private static int encode4(int k0, int k1, int pos, int t, Prepared prep, long[] bits, int off, int stride) {
        int[] groups = prep.groups;
        int[] thr = prep.thresholds;
        int[] wordEnd = prep.wordEnd;
        int nWords = words(prep.nPixels);
        int spikes = 0;
        int k = 0;
        for (int w = 0; w < nWords; w++) {
            long a0 = 0;
            long a1 = 0;
            long a2 = 0;
            long a3 = 0;
            for (int end = wordEnd[w]; k < end; k++) {
                int g = groups[k];
                int x0 = g, x1 = t, x2 = pos, x3 = Streams.ENCODER;
                int y0 = g, y1 = t + 1, y2 = pos, y3 = Streams.ENCODER;
                int z0 = g, z1 = t + 2, z2 = pos, z3 = Streams.ENCODER;
                int v0 = g, v1 = t + 3, v2 = pos, v3 = Streams.ENCODER;
                // The ten rounds unrolled by hand, the round keys k + r * W folded (both JDK 17 and 25
                // run this 1.2-1.7x faster than a loop over the rounds).
                {
                    long xp = M0L * (x0 & 0xFFFFFFFFL), xq = M1L * (x2 & 0xFFFFFFFFL);
                    long yp = M0L * (y0 & 0xFFFFFFFFL), yq = M1L * (y2 & 0xFFFFFFFFL);
                    long zp = M0L * (z0 & 0xFFFFFFFFL), zq = M1L * (z2 & 0xFFFFFFFFL);
                    long vp = M0L * (v0 & 0xFFFFFFFFL), vq = M1L * (v2 & 0xFFFFFFFFL);
                    x0 = (int) (xq >>> 32) ^ x1 ^ k0; x2 = (int) (xp >>> 32) ^ x3 ^ k1; x1 = (int) xq; x3 = (int) xp;
                    y0 = (int) (yq >>> 32) ^ y1 ^ k0; y2 = (int) (yp >>> 32) ^ y3 ^ k1; y1 = (int) yq; y3 = (int) yp;
                    z0 = (int) (zq >>> 32) ^ z1 ^ k0; z2 = (int) (zp >>> 32) ^ z3 ^ k1; z1 = (int) zq; z3 = (int) zp;
                    v0 = (int) (vq >>> 32) ^ v1 ^ k0; v2 = (int) (vp >>> 32) ^ v3 ^ k1; v1 = (int) vq; v3 = (int) vp;
                }
                {
                    long xp = M0L * (x0 & 0xFFFFFFFFL), xq = M1L * (x2 & 0xFFFFFFFFL);
                    long yp = M0L * (y0 & 0xFFFFFFFFL), yq = M1L * (y2 & 0xFFFFFFFFL);
                    long zp = M0L * (z0 & 0xFFFFFFFFL), zq = M1L * (z2 & 0xFFFFFFFFL);
                    long vp = M0L * (v0 & 0xFFFFFFFFL), vq = M1L * (v2 & 0xFFFFFFFFL);
                    x0 = (int) (xq >>> 32) ^ x1 ^ (k0 + 1 * W0); x2 = (int) (xp >>> 32) ^ x3 ^ (k1 + 1 * W1); x1 = (int) xq; x3 = (int) xp;
                    y0 = (int) (yq >>> 32) ^ y1 ^ (k0 + 1 * W0); y2 = (int) (yp >>> 32) ^ y3 ^ (k1 + 1 * W1); y1 = (int) yq; y3 = (int) yp;
                    z0 = (int) (zq >>> 32) ^ z1 ^ (k0 + 1 * W0); z2 = (int) (zp >>> 32) ^ z3 ^ (k1 + 1 * W1); z1 = (int) zq; z3 = (int) zp;
                    v0 = (int) (vq >>> 32) ^ v1 ^ (k0 + 1 * W0); v2 = (int) (vp >>> 32) ^ v3 ^ (k1 + 1 * W1); v1 = (int) vq; v3 = (int) vp;
                }
                {
                    long xp = M0L * (x0 & 0xFFFFFFFFL), xq = M1L * (x2 & 0xFFFFFFFFL);
                    long yp = M0L * (y0 & 0xFFFFFFFFL), yq = M1L * (y2 & 0xFFFFFFFFL);
                    long zp = M0L * (z0 & 0xFFFFFFFFL), zq = M1L * (z2 & 0xFFFFFFFFL);
                    long vp = M0L * (v0 & 0xFFFFFFFFL), vq = M1L * (v2 & 0xFFFFFFFFL);
                    x0 = (int) (xq >>> 32) ^ x1 ^ (k0 + 2 * W0); x2 = (int) (xp >>> 32) ^ x3 ^ (k1 + 2 * W1); x1 = (int) xq; x3 = (int) xp;
                    y0 = (int) (yq >>> 32) ^ y1 ^ (k0 + 2 * W0); y2 = (int) (yp >>> 32) ^ y3 ^ (k1 + 2 * W1); y1 = (int) yq; y3 = (int) yp;
                    z0 = (int) (zq >>> 32) ^ z1 ^ (k0 + 2 * W0); z2 = (int) (zp >>> 32) ^ z3 ^ (k1 + 2 * W1); z1 = (int) zq; z3 = (int) zp;
                    v0 = (int) (vq >>> 32) ^ v1 ^ (k0 + 2 * W0); v2 = (int) (vp >>> 32) ^ v3 ^ (k1 + 2 * W1); v1 = (int) vq; v3 = (int) vp;
                }
                {
                    long xp = M0L * (x0 & 0xFFFFFFFFL), xq = M1L * (x2 & 0xFFFFFFFFL);
                    long yp = M0L * (y0 & 0xFFFFFFFFL), yq = M1L * (y2 & 0xFFFFFFFFL);
                    long zp = M0L * (z0 & 0xFFFFFFFFL), zq = M1L * (z2 & 0xFFFFFFFFL);
                    long vp = M0L * (v0 & 0xFFFFFFFFL), vq = M1L * (v2 & 0xFFFFFFFFL);
                    x0 = (int) (xq >>> 32) ^ x1 ^ (k0 + 3 * W0); x2 = (int) (xp >>> 32) ^ x3 ^ (k1 + 3 * W1); x1 = (int) xq; x3 = (int) xp;
                    y0 = (int) (yq >>> 32) ^ y1 ^ (k0 + 3 * W0); y2 = (int) (yp >>> 32) ^ y3 ^ (k1 + 3 * W1); y1 = (int) yq; y3 = (int) yp;
                    z0 = (int) (zq >>> 32) ^ z1 ^ (k0 + 3 * W0); z2 = (int) (zp >>> 32) ^ z3 ^ (k1 + 3 * W1); z1 = (int) zq; z3 = (int) zp;
                    v0 = (int) (vq >>> 32) ^ v1 ^ (k0 + 3 * W0); v2 = (int) (vp >>> 32) ^ v3 ^ (k1 + 3 * W1); v1 = (int) vq; v3 = (int) vp;
                }
                {
                    long xp = M0L * (x0 & 0xFFFFFFFFL), xq = M1L * (x2 & 0xFFFFFFFFL);
                    long yp = M0L * (y0 & 0xFFFFFFFFL), yq = M1L * (y2 & 0xFFFFFFFFL);
                    long zp = M0L * (z0 & 0xFFFFFFFFL), zq = M1L * (z2 & 0xFFFFFFFFL);
                    long vp = M0L * (v0 & 0xFFFFFFFFL), vq = M1L * (v2 & 0xFFFFFFFFL);
                    x0 = (int) (xq >>> 32) ^ x1 ^ (k0 + 4 * W0); x2 = (int) (xp >>> 32) ^ x3 ^ (k1 + 4 * W1); x1 = (int) xq; x3 = (int) xp;
                    y0 = (int) (yq >>> 32) ^ y1 ^ (k0 + 4 * W0); y2 = (int) (yp >>> 32) ^ y3 ^ (k1 + 4 * W1); y1 = (int) yq; y3 = (int) yp;
                    z0 = (int) (zq >>> 32) ^ z1 ^ (k0 + 4 * W0); z2 = (int) (zp >>> 32) ^ z3 ^ (k1 + 4 * W1); z1 = (int) zq; z3 = (int) zp;
                    v0 = (int) (vq >>> 32) ^ v1 ^ (k0 + 4 * W0); v2 = (int) (vp >>> 32) ^ v3 ^ (k1 + 4 * W1); v1 = (int) vq; v3 = (int) vp;
                }
                {
                    long xp = M0L * (x0 & 0xFFFFFFFFL), xq = M1L * (x2 & 0xFFFFFFFFL);
                    long yp = M0L * (y0 & 0xFFFFFFFFL), yq = M1L * (y2 & 0xFFFFFFFFL);
                    long zp = M0L * (z0 & 0xFFFFFFFFL), zq = M1L * (z2 & 0xFFFFFFFFL);
                    long vp = M0L * (v0 & 0xFFFFFFFFL), vq = M1L * (v2 & 0xFFFFFFFFL);
                    x0 = (int) (xq >>> 32) ^ x1 ^ (k0 + 5 * W0); x2 = (int) (xp >>> 32) ^ x3 ^ (k1 + 5 * W1); x1 = (int) xq; x3 = (int) xp;
                    y0 = (int) (yq >>> 32) ^ y1 ^ (k0 + 5 * W0); y2 = (int) (yp >>> 32) ^ y3 ^ (k1 + 5 * W1); y1 = (int) yq; y3 = (int) yp;
                    z0 = (int) (zq >>> 32) ^ z1 ^ (k0 + 5 * W0); z2 = (int) (zp >>> 32) ^ z3 ^ (k1 + 5 * W1); z1 = (int) zq; z3 = (int) zp;
                    v0 = (int) (vq >>> 32) ^ v1 ^ (k0 + 5 * W0); v2 = (int) (vp >>> 32) ^ v3 ^ (k1 + 5 * W1); v1 = (int) vq; v3 = (int) vp;
                }
                {
                    long xp = M0L * (x0 & 0xFFFFFFFFL), xq = M1L * (x2 & 0xFFFFFFFFL);
                    long yp = M0L * (y0 & 0xFFFFFFFFL), yq = M1L * (y2 & 0xFFFFFFFFL);
                    long zp = M0L * (z0 & 0xFFFFFFFFL), zq = M1L * (z2 & 0xFFFFFFFFL);
                    long vp = M0L * (v0 & 0xFFFFFFFFL), vq = M1L * (v2 & 0xFFFFFFFFL);
                    x0 = (int) (xq >>> 32) ^ x1 ^ (k0 + 6 * W0); x2 = (int) (xp >>> 32) ^ x3 ^ (k1 + 6 * W1); x1 = (int) xq; x3 = (int) xp;
                    y0 = (int) (yq >>> 32) ^ y1 ^ (k0 + 6 * W0); y2 = (int) (yp >>> 32) ^ y3 ^ (k1 + 6 * W1); y1 = (int) yq; y3 = (int) yp;
                    z0 = (int) (zq >>> 32) ^ z1 ^ (k0 + 6 * W0); z2 = (int) (zp >>> 32) ^ z3 ^ (k1 + 6 * W1); z1 = (int) zq; z3 = (int) zp;
                    v0 = (int) (vq >>> 32) ^ v1 ^ (k0 + 6 * W0); v2 = (int) (vp >>> 32) ^ v3 ^ (k1 + 6 * W1); v1 = (int) vq; v3 = (int) vp;
                }
                {
                    long xp = M0L * (x0 & 0xFFFFFFFFL), xq = M1L * (x2 & 0xFFFFFFFFL);
                    long yp = M0L * (y0 & 0xFFFFFFFFL), yq = M1L * (y2 & 0xFFFFFFFFL);
                    long zp = M0L * (z0 & 0xFFFFFFFFL), zq = M1L * (z2 & 0xFFFFFFFFL);
                    long vp = M0L * (v0 & 0xFFFFFFFFL), vq = M1L * (v2 & 0xFFFFFFFFL);
                    x0 = (int) (xq >>> 32) ^ x1 ^ (k0 + 7 * W0); x2 = (int) (xp >>> 32) ^ x3 ^ (k1 + 7 * W1); x1 = (int) xq; x3 = (int) xp;
                    y0 = (int) (yq >>> 32) ^ y1 ^ (k0 + 7 * W0); y2 = (int) (yp >>> 32) ^ y3 ^ (k1 + 7 * W1); y1 = (int) yq; y3 = (int) yp;
                    z0 = (int) (zq >>> 32) ^ z1 ^ (k0 + 7 * W0); z2 = (int) (zp >>> 32) ^ z3 ^ (k1 + 7 * W1); z1 = (int) zq; z3 = (int) zp;
                    v0 = (int) (vq >>> 32) ^ v1 ^ (k0 + 7 * W0); v2 = (int) (vp >>> 32) ^ v3 ^ (k1 + 7 * W1); v1 = (int) vq; v3 = (int) vp;
                }
                {
                    long xp = M0L * (x0 & 0xFFFFFFFFL), xq = M1L * (x2 & 0xFFFFFFFFL);
                    long yp = M0L * (y0 & 0xFFFFFFFFL), yq = M1L * (y2 & 0xFFFFFFFFL);
                    long zp = M0L * (z0 & 0xFFFFFFFFL), zq = M1L * (z2 & 0xFFFFFFFFL);
                    long vp = M0L * (v0 & 0xFFFFFFFFL), vq = M1L * (v2 & 0xFFFFFFFFL);
                    x0 = (int) (xq >>> 32) ^ x1 ^ (k0 + 8 * W0); x2 = (int) (xp >>> 32) ^ x3 ^ (k1 + 8 * W1); x1 = (int) xq; x3 = (int) xp;
                    y0 = (int) (yq >>> 32) ^ y1 ^ (k0 + 8 * W0); y2 = (int) (yp >>> 32) ^ y3 ^ (k1 + 8 * W1); y1 = (int) yq; y3 = (int) yp;
                    z0 = (int) (zq >>> 32) ^ z1 ^ (k0 + 8 * W0); z2 = (int) (zp >>> 32) ^ z3 ^ (k1 + 8 * W1); z1 = (int) zq; z3 = (int) zp;
                    v0 = (int) (vq >>> 32) ^ v1 ^ (k0 + 8 * W0); v2 = (int) (vp >>> 32) ^ v3 ^ (k1 + 8 * W1); v1 = (int) vq; v3 = (int) vp;
                }
                {
                    long xp = M0L * (x0 & 0xFFFFFFFFL), xq = M1L * (x2 & 0xFFFFFFFFL);
                    long yp = M0L * (y0 & 0xFFFFFFFFL), yq = M1L * (y2 & 0xFFFFFFFFL);
                    long zp = M0L * (z0 & 0xFFFFFFFFL), zq = M1L * (z2 & 0xFFFFFFFFL);
                    long vp = M0L * (v0 & 0xFFFFFFFFL), vq = M1L * (v2 & 0xFFFFFFFFL);
                    x0 = (int) (xq >>> 32) ^ x1 ^ (k0 + 9 * W0); x2 = (int) (xp >>> 32) ^ x3 ^ (k1 + 9 * W1); x1 = (int) xq; x3 = (int) xp;
                    y0 = (int) (yq >>> 32) ^ y1 ^ (k0 + 9 * W0); y2 = (int) (yp >>> 32) ^ y3 ^ (k1 + 9 * W1); y1 = (int) yq; y3 = (int) yp;
                    z0 = (int) (zq >>> 32) ^ z1 ^ (k0 + 9 * W0); z2 = (int) (zp >>> 32) ^ z3 ^ (k1 + 9 * W1); z1 = (int) zq; z3 = (int) zp;
                    v0 = (int) (vq >>> 32) ^ v1 ^ (k0 + 9 * W0); v2 = (int) (vp >>> 32) ^ v3 ^ (k1 + 9 * W1); v1 = (int) vq; v3 = (int) vp;
                }
                int q = 4 * k;
                int th0 = thr[q];
                int th1 = thr[q + 1];
                int th2 = thr[q + 2];
                int th3 = thr[q + 3];
                int sh = (g << 2) & 63;
                a0 |= (long) nibble(x0, x1, x2, x3, th0, th1, th2, th3) << sh;
                a1 |= (long) nibble(y0, y1, y2, y3, th0, th1, th2, th3) << sh;
                a2 |= (long) nibble(z0, z1, z2, z3, th0, th1, th2, th3) << sh;
                a3 |= (long) nibble(v0, v1, v2, v3, th0, th1, th2, th3) << sh;
            }
            bits[off + w] = a0;
            bits[off + stride + w] = a1;
            bits[off + 2 * stride + w] = a2;
            bits[off + 3 * stride + w] = a3;
            spikes += Long.bitCount(a0) + Long.bitCount(a1) + Long.bitCount(a2) + Long.bitCount(a3);
        }
        return spikes;
    }

    /** One step: {@link #encode4}'s work for a single chain (the steps left over after the fours). */
    private static int encode1(int k0, int k1, int pos, int t, Prepared prep, long[] bits, int off) {
        int[] groups = prep.groups;
        int[] thr = prep.thresholds;
        int[] wordEnd = prep.wordEnd;
        int nWords = words(prep.nPixels);
        int[] out = new int[4];
        int spikes = 0;
        int k = 0;
        for (int w = 0; w < nWords; w++) {
            long a0 = 0;
            for (int end = wordEnd[w]; k < end; k++) {
                int g = groups[k];
                Philox.philox4x32(g, t, pos, Streams.ENCODER, k0, k1, out);
                int q = 4 * k;
                a0 |= (long) nibble(out[0], out[1], out[2], out[3], thr[q], thr[q + 1], thr[q + 2], thr[q + 3]) << ((g << 2) & 63);
            }
            bits[off + w] = a0;
            spikes += Long.bitCount(a0);
        }
        return spikes;
    }

    /** Bits 0..3: whether pixel j of a group spikes, {@code (word_j >>> 8) < th_j} (see {@link #threshold}). */
    private static int nibble(int c0, int c1, int c2, int c3, int th0, int th1, int th2, int th3) {
        return ((c0 >>> 8) - th0) >>> 31
                | (((c1 >>> 8) - th1) >>> 31) << 1
                | (((c2 >>> 8) - th2) >>> 31) << 2
                | (((c3 >>> 8) - th3) >>> 31) << 3;
    }

}
