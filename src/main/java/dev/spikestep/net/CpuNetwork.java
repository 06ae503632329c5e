package dev.spikestep.net;

import dev.spikestep.neuron.NeuronKernels;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.rng.PoissonEncoder;

/**
 * The SPEC section 5 network on the CPU, time-batched: one encoder pass, fc1 over all {@code T*B}
 * rows at once, one neuron scan over t, fc_out over all rows, readout, loss; then the same in
 * reverse. Rows are ordered {@code r = t * B + b}, so every sequence buffer is {@code [T, B, N]}.
 * All buffers are allocated once for the largest batch and reused.
 */
public final class CpuNetwork implements Network {
    private final NetShape shape;
    private final NeuronSpec neuron;
    private final Readout readout;
    private final Parallel par;
    private final boolean ownsPool;
    private final Adam adam;

    // Parameters [n_in, n_out] (transposed nn.Linear.weight), their gradients and Adam moments.
    private final float[] w1;
    private final float[] w1Pad;    // w1 with its rows SpikeLinear.paddedStride(nH) apart from W1_LEAD: fc1's forward reads this copy
    /** Where w1Pad's rows start: on a cache line where the JVM aligns objects to lines (VectorSupport#lineLead). */
    private static final int W1_LEAD = dev.spikestep.simd.VectorSupport.lineLead();
    private final float[] wOut;
    private final float[] wOutT;    // [nOut, nH], wOut transposed for the spike gradient
    private final float[] gW1;
    private final float[] gWOut;
    private final float[] m1;
    private final float[] v1;
    private final float[] mOut;
    private final float[] vOut;

    // Per-batch buffers.
    private final int inWords;      // 64-bit words per input bitmask row
    private final long[] inBits;    // [T, B, inWords] input spikes, bit i = input i
    private final float[] cur;      // [T, B, nH] fc1 output = neuron input (x_seq)
    private final float[] h_seq;    // [T, B, nH]
    private final byte[] spike_seq; // [T, B, nH]
    private final float[] w_seq;    // [T, B, nH] izh recovery after each step, kept only where the backward needs it (rk2, rk4, K > 1)
    private final float[] out_seq;  // [T, B, nOut]
    private final float[] logits;   // [B, nOut]
    private final float[] gLogits;  // [B, nOut]
    private final float[] gOut;     // [T, B, nOut]
    private final float[] gSpike;   // [T, B, nH]
    private final float[] gCur;     // [T, B, nH]
    private final SpikeLinear.GradRows gradRows;
    private int batch;
    private final PhaseTimes times = new PhaseTimes();

    public CpuNetwork(NetShape shape, NeuronSpec neuron, Readout readout, Adam adam, Parallel par) {
        this(shape, neuron, readout, adam, par, false);
    }

    /** @param ownsPool whether {@link #close} shuts {@code par} down */
    public CpuNetwork(NetShape shape, NeuronSpec neuron, Readout readout, Adam adam, Parallel par, boolean ownsPool) {
        this.ownsPool = ownsPool;
        this.shape = shape;
        this.neuron = neuron;
        this.readout = readout;
        this.adam = adam;
        this.par = par;
        int nIn = shape.nIn();
        int nH = shape.nHidden();
        int nOut = shape.nOut();
        int rows = shape.T() * shape.maxBatch();
        w1 = new float[nIn * nH];
        w1Pad = new float[W1_LEAD + nIn * SpikeLinear.paddedStride(nH)];
        wOut = new float[nH * nOut];
        wOutT = new float[nOut * nH];
        gW1 = new float[w1.length];
        gWOut = new float[wOut.length];
        m1 = new float[w1.length];
        v1 = new float[w1.length];
        mOut = new float[wOut.length];
        vOut = new float[wOut.length];
        inWords = PoissonEncoder.words(nIn);
        inBits = new long[rows * inWords];
        cur = new float[rows * nH];
        h_seq = new float[rows * nH];
        spike_seq = new byte[rows * nH];
        w_seq = NeuronKernels.needsState(neuron) ? new float[rows * nH] : null;
        out_seq = new float[rows * nOut];
        logits = new float[shape.maxBatch() * nOut];
        gLogits = new float[logits.length];
        gOut = new float[out_seq.length];
        gSpike = new float[cur.length];
        gCur = new float[cur.length];
        gradRows = new SpikeLinear.GradRows(rows, nIn);
    }

    @Override
    public NetShape shape() {
        return shape;
    }

    /** {@link WeightInit#uniformLinear} for both layers; resets Adam's moments. */
    @Override
    public void initWeights(long seed) {
        System.arraycopy(WeightInit.uniformLinear(seed, 0, shape.nIn(), shape.nHidden()), 0, w1, 0, w1.length);
        System.arraycopy(WeightInit.uniformLinear(seed, 1, shape.nHidden(), shape.nOut()), 0, wOut, 0, wOut.length);
        java.util.Arrays.fill(m1, 0f);
        java.util.Arrays.fill(v1, 0f);
        java.util.Arrays.fill(mOut, 0f);
        java.util.Arrays.fill(vOut, 0f);
    }

    /** Copies in weights given in PyTorch's layout: w1 [nH, nIn], wOut [nOut, nH]. */
    @Override
    public void setWeightsTorchLayout(float[] w1Torch, float[] wOutTorch) {
        Layouts.transpose(w1Torch, shape.nHidden(), shape.nIn(), w1);
        Layouts.transpose(wOutTorch, shape.nOut(), shape.nHidden(), wOut);
    }

    /** fc1 weights in PyTorch's layout [nH, nIn]. */
    @Override
    public float[] w1TorchLayout() {
        return Layouts.transpose(w1, shape.nIn(), shape.nHidden());
    }

    /** fc_out weights in PyTorch's layout [nOut, nH]. */
    @Override
    public float[] wOutTorchLayout() {
        return Layouts.transpose(wOut, shape.nHidden(), shape.nOut());
    }

    @Override
    public float[] gradW1TorchLayout() {
        return Layouts.transpose(gW1, shape.nIn(), shape.nHidden());
    }

    @Override
    public float[] gradWOutTorchLayout() {
        return Layouts.transpose(gWOut, shape.nHidden(), shape.nOut());
    }

    @Override
    public AdamState adamState() {
        int nIn = shape.nIn();
        int nH = shape.nHidden();
        int nOut = shape.nOut();
        return new AdamState(adam.step(), Layouts.transpose(m1, nIn, nH), Layouts.transpose(v1, nIn, nH),
                Layouts.transpose(mOut, nH, nOut), Layouts.transpose(vOut, nH, nOut));
    }

    @Override
    public void setAdamState(AdamState s) {
        s.check(shape);
        Layouts.transpose(s.m1(), shape.nHidden(), shape.nIn(), m1);
        Layouts.transpose(s.v1(), shape.nHidden(), shape.nIn(), v1);
        Layouts.transpose(s.mOut(), shape.nOut(), shape.nHidden(), mOut);
        Layouts.transpose(s.vOut(), shape.nOut(), shape.nHidden(), vOut);
        adam.restoreStep(s.step());
    }

    /**
     * Poisson-encodes a batch: sample b is image {@code order[first + b]} of {@code images}, at
     * position {@code first + b} of the epoch (the position, not the image, keys its random numbers).
     */
    @Override
    public void encode(PoissonEncoder encoder, long seed, byte[] images, int[] order, int first, int B) {
        long t0 = System.nanoTime();
        setBatch(B);
        int T = shape.T();
        int nIn = shape.nIn();
        par.forRange(B, 1, (b0, b1) -> {
            PoissonEncoder.Prepared prep = new PoissonEncoder.Prepared(nIn);
            for (int b = b0; b < b1; b++) {
                int img = order == null ? first + b : order[first + b];
                encoder.prepare(images, img * nIn, nIn, prep);
                // Row t * B + b for t = 0..T-1: one row every B rows.
                encoder.encodeSteps(seed, first + b, 0, T, prep, inBits, b * inWords, B * inWords);
            }
        });
        times.lap(PhaseTimes.Phase.ENCODE, t0);
    }

    /** Sets the input spikes directly from a dense 0/1 array x_seq [T, B, nIn] (tests, trace tools). */
    @Override
    public void setInputSpikes(float[] x_seq, int B) {
        setBatch(B);
        int nIn = shape.nIn();
        SpikeLinear.packBits(x_seq, shape.T() * B, nIn, inBits, inWords);
    }

    private void setBatch(int B) {
        if (B < 1 || B > shape.maxBatch()) {
            throw new IllegalArgumentException("batch " + B + " outside [1, " + shape.maxBatch() + "]");
        }
        batch = B;
    }

    /** Forward pass of the current batch: fc1, neuron scan, fc_out, readout. */
    @Override
    public void forward() {
        int B = batch;
        int T = shape.T();
        int nIn = shape.nIn();
        int nH = shape.nHidden();
        int nOut = shape.nOut();
        int R = T * B;
        long t = System.nanoTime();
        int P = SpikeLinear.padRows(w1, nIn, nH, w1Pad, W1_LEAD);
        par.forRange(B, 1, (b0, b1) -> SpikeLinear.forwardBits(inBits, inWords, T, B, w1Pad, W1_LEAD, P, nH, cur, b0, b1));
        t = times.lap(PhaseTimes.Phase.FC1, t);
        int M = B * nH;
        par.forRange(M, 256, (m0, m1) -> NeuronKernels.forwardRange(neuron, cur, T, M, m0, m1, h_seq, spike_seq, null, w_seq));
        t = times.lap(PhaseTimes.Phase.NEURON_FORWARD, t);
        par.forRange(R, 64, (r0, r1) -> SpikeLinear.forwardSpikes(spike_seq, nH, wOut, nOut, out_seq, r0, r1));
        t = times.lap(PhaseTimes.Phase.FC_OUT, t);
        readout.forward(out_seq, T, B * nOut, logits);
        times.lap(PhaseTimes.Phase.READOUT_LOSS, t);
    }

    /** Cross-entropy of the current logits; fills the weight gradients by BPTT; returns the mean loss. */
    @Override
    public float backward(int[] labels) {
        int B = batch;
        int T = shape.T();
        int nIn = shape.nIn();
        int nH = shape.nHidden();
        int nOut = shape.nOut();
        int R = T * B;
        long t = System.nanoTime();
        float loss = Loss.crossEntropy(logits, labels, B, nOut, gLogits);
        readout.backward(out_seq, T, B * nOut, gLogits, gOut);
        t = times.lap(PhaseTimes.Phase.READOUT_LOSS, t);
        java.util.Arrays.fill(gWOut, 0f);
        // One chunk per thread, in whole groups of 4 neurons: each chunk pads grad_out once.
        int perThread = ((nH + par.threads() - 1) / par.threads() + 3) & ~3;
        par.forRange(nH, perThread, (n0, n1) -> SpikeLinear.weightGradSpikes(spike_seq, nH, R, gOut, nOut, gWOut, n0, n1));
        Layouts.transpose(wOut, nH, nOut, wOutT);
        par.forRange(R, 64, (r0, r1) -> SpikeLinear.inputGrad(gOut, nOut, wOutT, nH, gSpike, r0, r1));
        t = times.lap(PhaseTimes.Phase.WEIGHT_GRADS, t);
        int M = B * nH;
        par.forRange(M, 256, (m0, m1) -> NeuronKernels.backwardRange(neuron, gSpike, cur, h_seq, spike_seq, w_seq, T, M, m0, m1,
                gCur));
        t = times.lap(PhaseTimes.Phase.NEURON_BACKWARD, t);
        java.util.Arrays.fill(gW1, 0f);
        // The row masks once (the threads split the row blocks), then the columns split over the
        // threads in units of 16 (a whole number of vectors), one chunk per thread.
        par.forRange(SpikeLinear.GradRows.blocks(R), 1, (k0, k1) -> gradRows.build(inBits, inWords, R, gCur, nH, k0, k1));
        int units = (nH + 15) / 16;
        par.forRange(units, (units + par.threads() - 1) / par.threads(), (u0, u1) -> SpikeLinear.weightGradBits(gradRows,
                gCur, nH, gW1, u0 * 16, Math.min(nH, u1 * 16)));
        times.lap(PhaseTimes.Phase.WEIGHT_GRADS, t);
        return loss;
    }

    /** One Adam step on both layers with the gradients of the last {@link #backward}. */
    @Override
    public void adamStep() {
        long t = System.nanoTime();
        adam.nextStep();
        par.forRange(w1.length, 4096, (i0, i1) -> adam.update(w1, gW1, m1, v1, i0, i1));
        adam.update(wOut, gWOut, mOut, vOut, 0, wOut.length);
        times.lap(PhaseTimes.Phase.OPTIMIZER, t);
    }

    @Override
    public int batch() {
        return batch;
    }

    /** Logits of the current batch, [B, nOut] (a view: valid until the next forward). */
    @Override
    public float[] logits() {
        return logits;
    }

    /** Hidden spikes of the current batch, [T, B, nH] (a view). */
    @Override
    public byte[] hiddenSpikes() {
        return spike_seq;
    }

    /** Hidden potentials before reset of the current batch, [T, B, nH] (a view). */
    @Override
    public float[] hiddenPotentials() {
        return h_seq;
    }

    /** Number of hidden spikes in the current batch. */
    @Override
    public long hiddenSpikeCount() {
        long n = 0;
        int len = shape.T() * batch * shape.nHidden();
        for (int i = 0; i < len; i++) {
            n += spike_seq[i];
        }
        return n;
    }

    /** Number of input spikes (set bits of the encoder's bitmasks) in the current batch: fc1's live (row, input) pairs. */
    public long inputSpikeCount() {
        long n = 0;
        int len = shape.T() * batch * inWords;
        for (int i = 0; i < len; i++) {
            n += Long.bitCount(inBits[i]);
        }
        return n;
    }

    /** Number of hidden states (potential before reset) that are NaN or infinite in the current batch. */
    @Override
    public long nonFiniteCount() {
        long n = 0;
        int len = shape.T() * batch * shape.nHidden();
        for (int i = 0; i < len; i++) {
            if (!Float.isFinite(h_seq[i])) {
                n++;
            }
        }
        return n;
    }

    /** Number of samples of the current batch whose argmax logit equals the label. */
    @Override
    public int correct(int[] labels) {
        int c = 0;
        for (int b = 0; b < batch; b++) {
            if (Loss.argmax(logits, b, shape.nOut()) == labels[b]) {
                c++;
            }
        }
        return c;
    }

    /** Time spent per phase since construction (or the last reset). */
    public PhaseTimes phaseTimes() {
        return times;
    }

    @Override
    public String describe() {
        return "cpu (" + par.threads() + (par.threads() == 1 ? " thread, " : " threads, ")
                + dev.spikestep.simd.VectorSupport.describe() + ", JDK " + System.getProperty("java.version") + ")";
    }

    @Override
    public void close() {
        if (ownsPool) {
            par.close();
        }
    }
}
