package dev.spikestep.rstdp;

import dev.spikestep.SpikestepException;
import dev.spikestep.net.Layouts;
import dev.spikestep.net.Parallel;
import dev.spikestep.net.WeightInit;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronKernels;
import dev.spikestep.rng.PoissonEncoder;

/**
 * The SPEC section 6 network on the CPU: {@code x -> fc_in (gain 5) -> LIF -> fc_out (gain 5,
 * + teacher) -> LIF -> per-step WTA count}, no gradients, and the R-STDP update of {@code W_out}.
 *
 * <p>A batch is simulated in time chunks of up to {@code chunk} steps; within a chunk everything
 * is time-batched ({@code [Tc, B, N]} buffers, rows {@code r = t * B + b}): the encoder, fc_in as
 * one product over {@code Tc*B} rows, one hidden LIF scan, the counts, fc_out over all rows, and the
 * fused output/WTA kernel (one thread per sample). Neuron state and counts carry over from chunk
 * to chunk, and the encoder is keyed by the absolute step, so the chunk size changes memory, never
 * results: T = 2000 at batch 256 needs {@code [chunk, 256, 784]} input indices, not {@code [2000, ...]}.
 * Buffers are allocated once for the largest batch.
 */
public final class RstdpNetwork implements RstdpEngine {
    private final int nIn;
    private final int nH;
    private final int nOut;
    private final int T;
    private final int maxBatch;
    private final int chunk;
    private final LifSpec neuron;
    private final Parallel par;

    private final float[] wIn;   // [nIn, nH]
    private final float[] wOut;  // [nH, nOut]

    private final int inWords;   // 64-bit words per input bitmask row
    private final long[] inBits; // [chunk, B, inWords]
    private final float[] iH;    // [chunk, B, nH]
    private final byte[] sH;     // [chunk, B, nH]
    private final float[] iO;    // [chunk, B, nOut]
    private final byte[] sO;     // [chunk, B, nOut]
    private final float[] vH;    // [B, nH]
    private final float[] vO;    // [B, nOut]
    private final int[] hCount;  // [B, nH]
    private final int[] oCount;  // [B, nOut]
    private final float[] coef;  // [B, nOut]
    private final float[] norm;  // [nOut]
    private int batch;

    /**
     * @param chunk time steps per chunk; values above T mean T (one chunk)
     * @param par the threads; the network owns them and shuts them down in {@link #close}
     */
    public RstdpNetwork(int nIn, int nHidden, int nOut, int T, int maxBatch, int chunk, LifSpec neuron, Parallel par) {
        if (nIn < 1 || nHidden < 1 || nOut < 2 || T < 1 || maxBatch < 1 || chunk < 1) {
            throw new SpikestepException("bad R-STDP network shape: " + nIn + " -> " + nHidden + " -> " + nOut
                    + ", T " + T + ", batch " + maxBatch + ", time chunk " + chunk);
        }
        this.nIn = nIn;
        this.nH = nHidden;
        this.nOut = nOut;
        this.T = T;
        this.maxBatch = maxBatch;
        this.chunk = Math.min(chunk, T);
        this.neuron = neuron;
        this.par = par;
        String tooLarge = dev.spikestep.net.NetShape.rstdpTooLarge(nIn, nHidden, T, chunk, maxBatch);
        if (tooLarge != null) {
            throw new dev.spikestep.net.NetShape.TooLarge(tooLarge);
        }
        long rows = (long) this.chunk * maxBatch;
        wIn = new float[nIn * nH];
        wOut = new float[nH * nOut];
        inWords = PoissonEncoder.words(nIn);
        inBits = new long[(int) rows * inWords];
        iH = new float[(int) rows * nH];
        sH = new byte[(int) rows * nH];
        iO = new float[(int) rows * nOut];
        sO = new byte[(int) rows * nOut];
        vH = new float[maxBatch * nH];
        vO = new float[maxBatch * nOut];
        hCount = new int[maxBatch * nH];
        oCount = new int[maxBatch * nOut];
        coef = new float[maxBatch * nOut];
        norm = new float[nOut];
    }

    @Override
    public int T() {
        return T;
    }

    @Override
    public int chunk() {
        return chunk;
    }

    @Override
    public int hidden() {
        return nH;
    }

    @Override
    public int classes() {
        return nOut;
    }

    /**
     * Kaiming-uniform with {@code a = sqrt(5)}, i.e. uniform in {@code [-1/sqrt(fan_in), 1/sqrt(fan_in)]}
     * (the notebook's {@code kaiming_uniform_(w, a=math.sqrt(5))}, nn.Linear's default), from the
     * WEIGHT_INIT Philox stream exactly as the surrogate network does: element k of layer l
     * (0 = fc_in, 1 = fc_out, PyTorch's [out, in] order) is word k of counter (k / 4, l, 0, WEIGHT_INIT)
     * under key {@code seed}.
     */
    @Override
    public void initWeights(long seed) {
        System.arraycopy(WeightInit.uniformLinear(seed, 0, nIn, nH), 0, wIn, 0, wIn.length);
        System.arraycopy(WeightInit.uniformLinear(seed, 1, nH, nOut), 0, wOut, 0, wOut.length);
    }

    /** Sets the weights from PyTorch's layout: wIn [nH, nIn], wOut [nOut, nH]. */
    @Override
    public void setWeightsTorchLayout(float[] wInTorch, float[] wOutTorch) {
        if (wInTorch.length != wIn.length || wOutTorch.length != wOut.length) {
            throw new IllegalArgumentException("weights must be [" + nH + ", " + nIn + "] and [" + nOut + ", " + nH + "]");
        }
        Layouts.transpose(wInTorch, nH, nIn, wIn);
        Layouts.transpose(wOutTorch, nOut, nH, wOut);
    }

    /** fc_in weights in PyTorch's layout [nH, nIn]. */
    @Override
    public float[] wInTorchLayout() {
        float[] t = new float[wIn.length];
        Layouts.transpose(wIn, nIn, nH, t);
        return t;
    }

    /** fc_out weights in PyTorch's layout [nOut, nH]. */
    @Override
    public float[] wOutTorchLayout() {
        float[] t = new float[wOut.length];
        Layouts.transpose(wOut, nH, nOut, t);
        return t;
    }

    /** {@link RstdpInput.Poisson}: images encoded by the engine, keyed by position and absolute step. */
    public static RstdpInput poisson(PoissonEncoder encoder, long seed, byte[] images, int[] order, int first,
                                     int nPixels) {
        return new RstdpInput.Poisson(encoder, seed, images, order, first, nPixels);
    }

    /** {@link RstdpInput.Dense}: input spikes given densely, {@code x_seq [T, B, nIn]} of 0/1 (tests, fixtures). */
    public static RstdpInput dense(float[] x_seq, int nIn) {
        return new RstdpInput.Dense(x_seq, nIn);
    }

    /**
     * Simulates one batch over all T steps and leaves the counts in {@link #hiddenCounts()} and
     * {@link #outputCounts()}. During training pass the labels and the epoch's teacher current;
     * for evaluation pass {@code labels = null} (no teacher).
     */
    @Override
    public void run(RstdpInput input, int B, int[] labels, float teach) {
        if (B < 1 || B > maxBatch) {
            throw new IllegalArgumentException("batch " + B + " outside [1, " + maxBatch + "]");
        }
        batch = B;
        int MH = B * nH;
        int MO = B * nOut;
        par.forRange(Math.max(MH, MO), 4096, (k0, k1) -> RstdpKernels.beginBatch(neuron.vInit(), MH, MO, vH, vO,
                hCount, oCount, k0, k1));
        for (int t0 = 0; t0 < T; t0 += chunk) {
            int Tc = Math.min(chunk, T - t0);
            int R = Tc * B;
            input.fill(t0, Tc, B, inBits, inWords, par);
            par.forRange(B, 1, (b0, b1) -> RstdpKernels.hiddenCurrent(inBits, inWords, Tc, B, wIn, nH,
                    RstdpConfig.GAIN, iH, b0, b1));
            par.forRange(MH, 256, (m0, m1) -> NeuronKernels.lifForwardFrom(neuron, iH, Tc, MH, m0, m1, vH, null, sH));
            par.forRange(MH, 256, (m0, m1) -> RstdpKernels.countSpikes(sH, Tc, MH, hCount, m0, m1));
            par.forRange(R, 64, (r0, r1) -> RstdpKernels.outputCurrent(sH, nH, wOut, nOut, RstdpConfig.GAIN, iO,
                    r0, r1));
            par.forRange(B, 8, (b0, b1) -> RstdpKernels.outputLayerWta(neuron, iO, Tc, B, nOut, labels, teach, vO, sO,
                    oCount, b0, b1));
        }
    }

    @Override
    public void update(Reward reward, int[] labels, float lr, float clip) {
        int B = batch;
        RstdpKernels.rewardCoefficients(reward, oCount, labels, B, nOut, coef, norm);
        par.forRange(nH, 16, (h0, h1) -> RstdpKernels.updateWeights(coef, norm, hCount, B, nH, nOut, T, lr, clip,
                wOut, h0, h1));
    }

    @Override
    public int batch() {
        return batch;
    }

    /** A view, valid until the next run. */
    @Override
    public int[] hiddenCounts() {
        return hCount;
    }

    @Override
    public long hiddenSpikeTotal() {
        int[] total = new int[batch];
        RstdpKernels.sampleTotals(hCount, batch, nH, total, 0, batch);
        long s = 0;
        for (int t : total) {
            s += t;
        }
        return s;
    }

    /** A view, valid until the next run. */
    @Override
    public int[] outputCounts() {
        return oCount;
    }

    @Override
    public String describe() {
        return "cpu (" + par.threads() + (par.threads() == 1 ? " thread)" : " threads)");
    }

    @Override
    public void close() {
        par.close();
    }
}
