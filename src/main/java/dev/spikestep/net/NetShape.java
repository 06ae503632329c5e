package dev.spikestep.net;

import dev.spikestep.SpikestepException;

/** Sizes of the SPEC section 5 network: {@code nIn -> nHidden -> nOut}, {@code T} steps, batches up to {@code maxBatch}. */
public record NetShape(int nIn, int nHidden, int nOut, int T, int maxBatch) {
    /** The widest hidden layer a run takes (fc1 alone is then 784 x 65536 floats, 205 MB). */
    public static final int MAX_HIDDEN = 65_536;

    /** {@code --hidden} as train and rstdp check it. */
    public static void checkHidden(int hidden) {
        if (hidden < 1 || hidden > MAX_HIDDEN) {
            throw new dev.spikestep.BadValueException("hidden", "must be within [1, " + MAX_HIDDEN + "], got " + hidden);
        }
    }

    /** The most time steps per sample: T x batch x width must stay an int-indexed array. */
    public static final int MAX_T = 100_000;

    /** Time steps per sample ({@code T}, or transfer's {@code eval_T}) as every command checks them. */
    public static void checkT(String key, long T) { // a long: a sweep's T past an int is told this limit too
        if (T < 1 || T > MAX_T) {
            throw new dev.spikestep.BadValueException(key, "must be within [1, " + MAX_T + "], got " + T);
        }
    }

    /**
     * A limit of several values together: a shape past one buffer (T x batch x width), or R-STDP's
     * teacher current past float32 (teach x decay^epoch), so a sweep names the point that has them.
     */
    public static final class TooLarge extends SpikestepException {
        public TooLarge(String message) {
            super(message);
        }
    }

    /**
     * Null when a [T, batch, width] buffer of these sizes fits one buffer (2^31 floats), else what is too large
     * and what to lower, the steps named {@code tName} (T, or a transfer's eval_T).
     */
    public static String tooLarge(int nIn, int nHidden, int T, int batch, String tName) {
        long floats = (long) T * batch * Math.max(nIn, nHidden);
        if (floats <= Integer.MAX_VALUE) {
            return null;
        }
        return tName + " " + T + " x batch " + batch + " x layer width " + Math.max(nIn, nHidden) + " = " + floats
                + " floats does not fit one buffer (2^31); lower " + tName
                + (nHidden > nIn ? ", the batch or the hidden size" : " or the batch");
    }

    /**
     * Null when a sample's hidden spike total fits an int, else what to lower: R-STDP sums each sample's
     * hidden counts (up to T x hidden spikes) in an int on both backends (rstdp.cu's sample totals).
     */
    public static String spikeTotalTooLarge(int nHidden, int T) {
        long most = (long) T * nHidden;
        if (most <= Integer.MAX_VALUE) {
            return null;
        }
        return "T " + T + " x hidden " + nHidden + " = " + most
                + " spikes a sample can count does not fit the 32-bit spike total (2^31); lower T or the hidden size";
    }

    /**
     * Null when an R-STDP network of these sizes fits: its [chunk, batch, width] buffers one buffer each and
     * its spike totals an int ({@link #spikeTotalTooLarge}); else what to lower. RstdpConfig checks it
     * before a run, both backends again for networks made otherwise (selftest, tests).
     */
    public static String rstdpTooLarge(int nIn, int nHidden, int T, int chunk, int batch) {
        long floats = (long) Math.min(chunk, T) * batch * Math.max(nIn, nHidden);
        if (floats > Integer.MAX_VALUE) {
            // batch is the larger of the train and test batch; a sweep's rstdp runs keep the chunk at 50
            return "time chunk " + Math.min(chunk, T) + " x batch " + batch + " (the larger of the train and test batch)"
                    + " x layer width " + Math.max(nIn, nHidden) + " = " + floats + " floats does not fit one buffer "
                    + "(2^31); lower the batch sizes, or the time chunk (rstdp --time-chunk; a sweep keeps it at 50)";
        }
        return spikeTotalTooLarge(nHidden, T);
    }

    public NetShape {
        if (nIn < 1 || nHidden < 1 || nOut < 2) {
            throw new SpikestepException("network sizes must be positive (and at least 2 classes): "
                    + nIn + " -> " + nHidden + " -> " + nOut);
        }
        checkT("T", T);
        if (maxBatch < 1) {
            throw new SpikestepException("--batch must be >= 1, got " + maxBatch);
        }
        String tooLarge = tooLarge(nIn, nHidden, T, maxBatch, "T");
        if (tooLarge != null) {
            throw new TooLarge(tooLarge);
        }
    }
}
