package dev.spikestep.cuda;

import dev.spikestep.SpikestepException;
import dev.spikestep.net.Layouts;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Parallel;
import dev.spikestep.net.WeightInit;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.rstdp.Reward;
import dev.spikestep.rstdp.RstdpConfig;
import dev.spikestep.rstdp.RstdpEngine;
import dev.spikestep.rstdp.RstdpInput;
import java.nio.ByteBuffer;

/**
 * The SPEC section 6 (R-STDP) network as kernel launches on a {@link Device}: the CUDA backend of
 * {@code spikestep rstdp} on a GPU, the same launches on the host-emulated kernels in the tests.
 * Each launch is the twin of one call of {@code rstdp.RstdpNetwork.run}/{@code update} (kernels of
 * {@code kernels/rstdp.cu}, {@code lif_forward_from_kernel}, {@code poisson_encode_bits_kernel}),
 * with the same buffers, layouts and summation orders, so counts and weights are the CPU engine's.
 *
 * <p>A batch runs in time chunks of up to {@code chunk} steps: all buffers are {@code [chunk, B, N]}
 * and the neuron state and counts stay on the device from chunk to chunk, so T = 2000 needs no
 * more memory than T = chunk. Everything runs on the device; the host gets one small copy per batch
 * (the WTA output counts [B, C] and each sample's hidden spike total [B]), and the weights and the
 * per-neuron hidden counts only when asked for ({@link #wOutTorchLayout}, {@link #hiddenCounts}).
 */
public final class RstdpKernelNetwork implements RstdpEngine {
    private static final int BLOCK = 256;
    /** Output neurons one thread of {@code rstdp_output_wta_kernel} keeps in registers (RSTDP_MAX_OUT). */
    public static final int MAX_OUT = 32;
    /** Threads of a grid-stride launch beyond which blocks loop instead (as KernelNetwork's encoder). */
    private static final long MAX_THREADS = 1L << 20;

    private final Device dev;
    private final int nIn;
    private final int nH;
    private final int nOut;
    private final int T;
    private final int maxBatch;
    private final int chunk;
    private final LifSpec neuron;
    private final int inWords;

    private final DeviceBuffer wIn;      // [nIn, nH]
    private final DeviceBuffer wOut;     // [nH, nOut]
    private final DeviceBuffer inBits;   // [chunk, B, inWords] u64
    private final DeviceBuffer iH;       // [chunk, B, nH] float
    private final DeviceBuffer sH;       // [chunk, B, nH] u8
    private final DeviceBuffer iO;       // [chunk, B, nOut] float
    private final DeviceBuffer sO;       // [chunk, B, nOut] u8
    private final DeviceBuffer vH;       // [B, nH]
    private final DeviceBuffer vO;       // [B, nOut]
    private final DeviceBuffer hCount;   // [B, nH] int
    private final BatchSummary summary;  // int: o_count [maxB, nOut], then hidden totals [maxB]
    private final DeviceBuffer oCount;
    private final DeviceBuffer hTotal;
    private final DeviceBuffer coef;     // [B, nOut]
    private final DeviceBuffer norm;     // [nOut]
    private final DeviceBuffer labelsDev; // [B] int
    private final DeviceBuffer params;   // NeuronParams block of the LIF
    private final ByteBuffer hCountStage;

    // Scalars that change per batch or per chunk; the launches read their holders.
    private final int[] argB = new int[1];
    private final int[] argMH = new int[1];
    private final int[] argMO = new int[1];
    private final int[] argTc = new int[1];
    private final int[] argR = new int[1];
    private final int[] argT0 = new int[1];
    private final int[] argFirst = new int[1];
    private final float[] argTeach = new float[1];
    private final int[] argReward = new int[1];
    private final float[] argLr = new float[1];
    private final float[] argClip = new float[1];

    private final Launch begin;
    private final Launch hiddenCurrent;
    private final Launch hiddenScan;
    private final Launch countHidden;
    private final Launch outputCurrent;
    private final Launch outputTrain;   // with labels (teacher current)
    private final Launch outputEval;    // labels NULL
    private final Launch totals;
    private final Launch reward;
    private final Launch updateWeights;

    private final EncoderInputs encoderInputs;
    private Launch encode;
    private long[] denseBits;
    private byte[] denseBytes;

    private int batch;
    private boolean oCountFresh;
    private int[] oCountHost;
    private int[] hCountHost;
    private boolean hCountFresh;

    public RstdpKernelNetwork(Device dev, int nIn, int nHidden, int nOut, int T, int maxBatch, int chunk,
                              LifSpec neuron) {
        if (nIn < 1 || nHidden < 1 || nOut < 2 || T < 1 || maxBatch < 1 || chunk < 1) {
            throw new SpikestepException("bad R-STDP network shape: " + nIn + " -> " + nHidden + " -> " + nOut
                    + ", T " + T + ", batch " + maxBatch + ", time chunk " + chunk);
        }
        if (nOut > MAX_OUT) {
            throw new SpikestepException("the CUDA R-STDP output layer keeps at most " + MAX_OUT
                    + " output neurons per thread, got " + nOut + " classes; use --backend cpu");
        }
        this.dev = dev;
        this.nIn = nIn;
        this.nH = nHidden;
        this.nOut = nOut;
        this.T = T;
        this.maxBatch = maxBatch;
        this.chunk = Math.min(chunk, T);
        this.neuron = neuron;
        this.inWords = PoissonEncoder.words(nIn);
        String tooLarge = NetShape.rstdpTooLarge(nIn, nHidden, T, chunk, maxBatch);
        if (tooLarge != null) {
            throw new NetShape.TooLarge(tooLarge);
        }
        long rows = (long) this.chunk * maxBatch;
        wIn = dev.alloc(4L * nIn * nH);
        wOut = dev.alloc(4L * nH * nOut);
        inBits = dev.alloc(8 * rows * inWords);
        iH = dev.alloc(4 * rows * nH);
        sH = dev.alloc(rows * nH);
        iO = dev.alloc(4 * rows * nOut);
        sO = dev.alloc(rows * nOut);
        vH = dev.alloc(4L * maxBatch * nH);
        vO = dev.alloc(4L * maxBatch * nOut);
        hCount = dev.alloc(4L * maxBatch * nH);
        summary = new BatchSummary(dev, 4L * maxBatch * (nOut + 1));
        oCount = summary.slice(0, 4L * maxBatch * nOut);
        hTotal = summary.slice(4L * maxBatch * nOut, 4L * maxBatch);
        coef = dev.alloc(4L * maxBatch * nOut);
        norm = dev.alloc(4L * nOut);
        labelsDev = dev.alloc(4L * maxBatch);
        params = dev.alloc(4L * NeuronParams.SIZE);
        hCountStage = dev.hostBuffer((int) hCount.bytes());
        dev.upload(params, NeuronParams.of(neuron), NeuronParams.SIZE);
        // Each time chunk's steps [t0, t0 + Tc) of the one run, into the chunk's bitmasks.
        encoderInputs = new EncoderInputs(dev, 1, nIn, argFirst, argB, argT0, argTc, inBits);

        float gain = RstdpConfig.GAIN;
        int[] H = Launch.i32(nH);
        int[] C = Launch.i32(nOut);
        begin = new Launch("rstdp_begin_kernel", Launch.f32(neuron.vInit()), argMH, argMO, vH, vO, hCount, oCount);
        hiddenCurrent = new Launch("rstdp_hidden_current_kernel", inBits, Launch.i32(inWords), argTc, argB, wIn, H,
                Launch.f32(gain), iH);
        hiddenScan = new Launch("lif_forward_from_kernel", params, iH, argTc, argMH, vH, null, sH);
        countHidden = new Launch("rstdp_count_spikes_kernel", sH, argTc, argMH, hCount);
        outputCurrent = new Launch("rstdp_output_current_kernel", sH, H, wOut, C, Launch.f32(gain), iO, argR);
        outputTrain = new Launch("rstdp_output_wta_kernel", params, iO, argTc, argB, C, labelsDev, argTeach, vO, sO,
                oCount);
        outputEval = new Launch("rstdp_output_wta_kernel", params, iO, argTc, argB, C, null, argTeach, vO, sO, oCount);
        totals = new Launch("rstdp_sample_totals_kernel", hCount, argB, H, hTotal);
        reward = new Launch("rstdp_reward_kernel", argReward, oCount, labelsDev, argB, C, coef, norm).grid(1, 1)
                .block(1, 1);
        updateWeights = new Launch("rstdp_update_weights_kernel", coef, norm, hCount, argB, H, C, Launch.i32(T), argLr,
                argClip, wOut).cover(nH, BLOCK);
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

    /** The CPU engine's initialisation (same stream, same layout), uploaded. */
    @Override
    public void initWeights(long seed) {
        float[] a = WeightInit.uniformLinear(seed, 0, nIn, nH);
        float[] b = WeightInit.uniformLinear(seed, 1, nH, nOut);
        dev.upload(wIn, a, a.length);
        dev.upload(wOut, b, b.length);
    }

    /** Copies in weights given in PyTorch's layout: fc_in [nH, nIn], fc_out [nOut, nH]. */
    @Override
    public void setWeightsTorchLayout(float[] wInTorch, float[] wOutTorch) {
        if (wInTorch.length != nIn * nH || wOutTorch.length != nH * nOut) {
            throw new IllegalArgumentException("weights must be [" + nH + ", " + nIn + "] and [" + nOut + ", " + nH + "]");
        }
        float[] a = Layouts.transpose(wInTorch, nH, nIn);
        float[] b = Layouts.transpose(wOutTorch, nOut, nH);
        dev.upload(wIn, a, a.length);
        dev.upload(wOut, b, b.length);
    }

    @Override
    public float[] wInTorchLayout() {
        float[] a = new float[nIn * nH];
        dev.download(wIn, a, a.length);
        return Layouts.transpose(a, nIn, nH);
    }

    @Override
    public float[] wOutTorchLayout() {
        float[] a = new float[nH * nOut];
        dev.download(wOut, a, a.length);
        return Layouts.transpose(a, nH, nOut);
    }

    @Override
    public void run(RstdpInput input, int B, int[] labels, float teach) {
        if (B < 1 || B > maxBatch) {
            throw new IllegalArgumentException("batch " + B + " outside [1, " + maxBatch + "]");
        }
        setBatch(B);
        if (labels != null) {
            dev.upload(labelsDev, labels, B);
        }
        argTeach[0] = teach;
        if (input instanceof RstdpInput.Poisson p) {
            preparePoisson(p);
        }
        Launch output = labels != null ? outputTrain : outputEval;
        dev.launch(begin.cover(Math.max(argMH[0], argMO[0]), BLOCK));
        for (int t0 = 0; t0 < T; t0 += chunk) {
            int Tc = Math.min(chunk, T - t0);
            argTc[0] = Tc;
            argR[0] = Tc * B;
            argT0[0] = t0;
            if (input instanceof RstdpInput.Poisson) {
                dev.launch(encode.cover(Math.min((long) Tc * B * inWords, MAX_THREADS), BLOCK));
            } else {
                uploadDense(input, t0, Tc, B);
            }
            dev.launch(hiddenCurrent.cover(Math.min((long) Tc * B * nH, MAX_THREADS), BLOCK));
            dev.launch(hiddenScan.cover(argMH[0], BLOCK));
            dev.launch(countHidden.cover(argMH[0], BLOCK));
            dev.launch(outputCurrent.cover(Math.min((long) Tc * B * nOut, MAX_THREADS), BLOCK));
            dev.launch(output.cover(B, 64));
        }
        dev.launch(totals.cover(B, 64));
        summary.stale();
        oCountFresh = false;
        hCountFresh = false;
    }

    private void setBatch(int B) {
        batch = B;
        argB[0] = B;
        argMH[0] = B * nH;
        argMO[0] = B * nOut;
    }

    /** The encoder's inputs on the device ({@link EncoderInputs}: uploaded when they change). */
    private void preparePoisson(RstdpInput.Poisson p) {
        if (p.nPixels() != nIn) {
            throw new IllegalArgumentException("images of " + p.nPixels() + " pixels for a network with " + nIn
                    + " inputs");
        }
        encode = encoderInputs.prepare(new PoissonEncoder[] {p.encoder()}, new long[] {p.seed()}, p.images(),
                p.order() == null ? null : new int[][] {p.order()});
        argFirst[0] = p.first();
    }

    /** Given spikes (tests, fixtures): the chunk's masks made on the host, as the CPU engine makes them, uploaded. */
    private void uploadDense(RstdpInput input, int t0, int Tc, int B) {
        int words = Tc * B * inWords;
        if (denseBits == null || denseBits.length < words) {
            denseBits = new long[chunk * maxBatch * inWords];
            denseBytes = new byte[8 * denseBits.length];
        }
        try (Parallel one = new Parallel(1)) {
            input.fill(t0, Tc, B, denseBits, inWords, one);
        }
        ByteBuffer.wrap(denseBytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer().put(denseBits, 0, words);
        dev.upload(inBits, denseBytes, 8 * words);
    }

    @Override
    public void update(Reward r, int[] labels, float lr, float clip) {
        dev.upload(labelsDev, labels, batch);
        argReward[0] = r == Reward.PM1 ? 0 : 1;
        argLr[0] = lr;
        argClip[0] = clip;
        dev.launch(reward);
        dev.launch(updateWeights);
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public int[] outputCounts() {
        if (!oCountFresh) {
            if (oCountHost == null) {
                oCountHost = new int[maxBatch * nOut];
            }
            summary.host().asIntBuffer().get(oCountHost, 0, batch * nOut);
            oCountFresh = true;
        }
        return oCountHost;
    }

    @Override
    public long hiddenSpikeTotal() {
        ByteBuffer host = summary.host(); // the batch's one small copy back: WTA counts and hidden totals
        long s = 0;
        int base = 4 * maxBatch * nOut;
        for (int b = 0; b < batch; b++) {
            s += host.getInt(base + 4 * b);
        }
        return s;
    }

    /** Downloads [B, nH] (not needed by the runner; the tests compare it with the CPU engine's). */
    @Override
    public int[] hiddenCounts() {
        if (!hCountFresh) {
            if (hCountHost == null) {
                hCountHost = new int[maxBatch * nH];
            }
            dev.download(hCount, hCountStage, 4 * batch * nH);
            hCountStage.clear();
            hCountStage.asIntBuffer().get(hCountHost, 0, batch * nH);
            hCountFresh = true;
        }
        return hCountHost;
    }

    @Override
    public String describe() {
        return "kernels/rstdp.cu (sparse fc_in/fc_out in the CPU's summation order) on " + dev.describe();
    }

    @Override
    public void close() {
        dev.close();
    }
}
