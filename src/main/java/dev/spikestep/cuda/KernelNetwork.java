package dev.spikestep.cuda;

import dev.spikestep.net.Adam;
import dev.spikestep.net.AdamState;
import dev.spikestep.net.Layouts;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Network;
import dev.spikestep.net.PhaseTimes.Phase;
import dev.spikestep.net.Readout;
import dev.spikestep.net.WeightInit;
import dev.spikestep.neuron.NeuronKernels;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.rng.PoissonEncoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The SPEC section 5 network as a sequence of kernel launches on a {@link Device}: the CUDA backend
 * on a GPU ({@link CudaDevice}), the same launches on the CPU in the tests. Time-batched like
 * CpuNetwork: encoder (input spikes as the CPU's 64-bit masks), fc1 over all T*B rows (a bitmask
 * kernel in the CPU's summation order), one neuron scan, fc_out, readout, then the reverse. All
 * device memory is allocated once, for the largest batch; the per-batch results the host needs
 * (per-sample losses, spike, non-finite and correct counts) come back in one small copy. Weights
 * are kept [n_in, n_out] (row-major), as CpuNetwork keeps them.
 */
public final class KernelNetwork implements Network {
    private static final int BLOCK = 256;

    private final Device dev;
    private final NetShape shape;
    private final NeuronSpec neuron;
    private final Readout readout;
    private final Adam adam;

    private final DeviceBuffer w1;     // [nIn, nH]
    private final DeviceBuffer wOut;   // [nH, nOut]
    private final DeviceBuffer gW1;
    private final DeviceBuffer gWOut;
    private final DeviceBuffer m1;
    private final DeviceBuffer v1;
    private final DeviceBuffer mOut;
    private final DeviceBuffer vOut;
    private final DeviceBuffer inBits;    // [T, B, inWords] u64 input spikes, bit i&63 of word i>>6 = input i
    private final DeviceBuffer cur;       // [T, B, nH] fc1 output
    private final DeviceBuffer h_seq;     // [T, B, nH]
    private final DeviceBuffer spike_seq; // [T, B, nH] float 0/1
    private final DeviceBuffer w_seq;     // [T, B, nH] izh w after each step, only for SPEC 9's stage backward (else null)
    private final DeviceBuffer out_seq;   // [T, B, nOut]
    private final DeviceBuffer logits;    // [B, nOut]
    private final DeviceBuffer gLogits;
    private final DeviceBuffer gOut;      // [T, B, nOut]
    private final DeviceBuffer gSpike;    // [T, B, nH]
    private final DeviceBuffer gCur;      // [T, B, nH]
    private final DeviceBuffer labelsDev; // [B] int
    private final DeviceBuffer summary;   // loss_b double [maxB], then counts u64: spikes, nonfinite, correct, 0
    private final DeviceBuffer counts;
    private final DeviceBuffer params;    // [1, NeuronParams.SIZE]
    private final DeviceBuffer prob;      // [1, 256]
    private final DeviceBuffer seeds;     // [1] u64
    private final ByteBuffer summaryHost;
    private final ByteBuffer labelsHost;
    private final ByteBuffer seedHost;

    // Scalars that change with the batch size; every launch below reads them.
    private final int[] argB = new int[1];
    private final int[] argM = new int[1];   // B * nH
    private final int[] argBC = new int[1];  // B * nOut
    private final long[] argN = new long[1]; // T * B * nH
    private final int[] argFirst = new int[1];
    private final int[] argR = new int[1];   // T * B
    private final int inWords;

    private final Launch fc1;             // bitmask kernels of linear.cu: the CPU's sums bit for bit
    private final Gemm fcOut;
    private final Gemm gradWOut;
    private final Gemm gradSpike;
    private final Launch gradW1;
    private final Launch neuronForward;
    private final Launch neuronBackward;
    private final Launch readoutForward;
    private final Launch readoutBackward;
    private final Launch stats;
    private final Launch crossEntropy;
    private final Launch correctCount;
    private final Launch adamW1;
    private final Launch adamWOut;
    private final float[][] adamArgs = new float[7][];

    private DeviceBuffer images;
    private byte[] imagesHost;
    private DeviceBuffer order;
    private int[] orderHost;
    private PoissonEncoder encoderHost;
    private long seedOnDevice;
    private boolean seedSet;
    private Launch encodeLaunch;
    private int batch;
    private boolean summaryFresh;
    private final int[] summaryLabels;
    private boolean correctFresh;
    private double lossSum;

    public KernelNetwork(Device dev, NetShape shape, NeuronSpec neuron, Readout readout, Adam adam) {
        this.dev = dev;
        this.shape = shape;
        this.neuron = neuron;
        this.readout = readout;
        this.adam = adam;
        int nIn = shape.nIn();
        int nH = shape.nHidden();
        int nOut = shape.nOut();
        int maxB = shape.maxBatch();
        long rows = (long) shape.T() * maxB;
        w1 = dev.alloc(4L * nIn * nH);
        wOut = dev.alloc(4L * nH * nOut);
        gW1 = dev.alloc(w1.bytes());
        gWOut = dev.alloc(wOut.bytes());
        m1 = dev.alloc(w1.bytes());
        v1 = dev.alloc(w1.bytes());
        mOut = dev.alloc(wOut.bytes());
        vOut = dev.alloc(wOut.bytes());
        boolean stateful = NeuronKernels.needsState(neuron);
        inWords = (nIn + 63) / 64;
        inBits = dev.alloc(8 * rows * inWords);
        cur = dev.alloc(4 * rows * nH);
        h_seq = dev.alloc(cur.bytes());
        spike_seq = dev.alloc(cur.bytes());
        w_seq = stateful ? dev.alloc(cur.bytes()) : null;
        out_seq = dev.alloc(4 * rows * nOut);
        logits = dev.alloc(4L * maxB * nOut);
        gLogits = dev.alloc(logits.bytes());
        gOut = dev.alloc(out_seq.bytes());
        gSpike = dev.alloc(cur.bytes());
        gCur = dev.alloc(cur.bytes());
        labelsDev = dev.alloc(4L * maxB);
        summary = dev.alloc(8L * (maxB + 4));
        counts = summary.slice(8L * maxB, 32);
        params = dev.alloc(4L * NeuronParams.SIZE);
        prob = dev.alloc(4L * 256);
        seeds = dev.alloc(8);
        summaryHost = dev.hostBuffer((int) summary.bytes());
        labelsHost = dev.hostBuffer(4 * maxB);
        seedHost = dev.hostBuffer(8);
        summaryLabels = new int[maxB];
        dev.upload(params, NeuronParams.of(neuron), NeuronParams.SIZE);

        int[] T = Launch.i32(shape.T());
        String kind = NeuronParams.kernelPrefix(neuron);
        int[] W = Launch.i32(inWords);
        fc1 = new Launch("spike_linear_forward_bits_kernel", inBits, W, argR, w1, Launch.i32(nH), Launch.i32(nIn), cur);
        fcOut = new Gemm(false, false, spike_seq, nH, wOut, nOut, out_seq, nOut);
        gradWOut = new Gemm(true, false, spike_seq, nH, gOut, nOut, gWOut, nOut);
        gradSpike = new Gemm(false, true, gOut, nOut, wOut, nOut, gSpike, nH);
        gradW1 = new Launch("spike_linear_weight_grad_bits_kernel", inBits, W, argR, gCur, Launch.i32(nH), Launch.i32(nIn), gW1)
                .cover(Math.min((long) nIn * nH, 1L << 20), BLOCK);
        neuronForward = new Launch(kind + "_forward_kernel", params, cur, T, argM, h_seq, spike_seq, null, w_seq);
        // Izhikevich rk2, rk4, K > 1 (any run of a pack): the stage backward, which also gives the
        // notebook integrators' gradients with the same float operations
        neuronBackward = stateful
                ? new Launch("izh_backward_stages_kernel", params, gSpike, cur, h_seq, spike_seq, w_seq, T, argM, gCur)
                : new Launch(kind + "_backward_kernel", params, gSpike, h_seq, spike_seq, T, argM, gCur);
        int[] ro = Launch.i32(readout.ordinal());
        readoutForward = new Launch("readout_forward_kernel", ro, out_seq, T, argBC, logits);
        readoutBackward = new Launch("readout_backward_kernel", ro, out_seq, T, argBC, gLogits, gOut);
        stats = new Launch("spike_stats_kernel", h_seq, spike_seq, argN, counts.slice(0, 16));
        int[] C = Launch.i32(nOut);
        crossEntropy = new Launch("cross_entropy_kernel", logits, labelsDev, argB, C, gLogits, summary.slice(0, 8L * maxB));
        correctCount = new Launch("correct_kernel", logits, labelsDev, argB, C, counts.slice(16, 8));
        for (int i = 0; i < adamArgs.length; i++) {
            adamArgs[i] = new float[1];
        }
        adamW1 = adamLaunch(w1, gW1, m1, v1, (long) nIn * nH);
        adamWOut = adamLaunch(wOut, gWOut, mOut, vOut, (long) nH * nOut);
    }

    private Launch adamLaunch(DeviceBuffer p, DeviceBuffer g, DeviceBuffer m, DeviceBuffer v, long n) {
        float[][] a = adamArgs;
        return new Launch("adam_kernel", p, g, m, v, Launch.i64(n), a[0], a[1], a[2], a[3], a[4], a[5], a[6])
                .cover(Math.min(n, 1L << 20), BLOCK);
    }

    @Override
    public NetShape shape() {
        return shape;
    }

    /** nn.Linear's default initialisation from the WEIGHT_INIT stream, as CpuNetwork; resets the moments. */
    @Override
    public void initWeights(long seed) {
        float[] a = WeightInit.uniformLinear(seed, 0, shape.nIn(), shape.nHidden());
        float[] b = WeightInit.uniformLinear(seed, 1, shape.nHidden(), shape.nOut());
        dev.upload(w1, a, a.length);
        dev.upload(wOut, b, b.length);
        for (DeviceBuffer z : new DeviceBuffer[] {m1, v1, mOut, vOut}) {
            dev.zero(z);
        }
    }

    /** Layer {@code layer}'s weights [fanIn, fanOut]: element k of PyTorch's [out, in] order is word k of the stream. */
    @Override
    public void setWeightsTorchLayout(float[] w1Torch, float[] wOutTorch) {
        float[] a = Layouts.transpose(w1Torch, shape.nHidden(), shape.nIn());
        float[] b = Layouts.transpose(wOutTorch, shape.nOut(), shape.nHidden());
        dev.upload(w1, a, a.length);
        dev.upload(wOut, b, b.length);
    }

    @Override
    public float[] w1TorchLayout() {
        return Layouts.transpose(get(w1, shape.nIn() * shape.nHidden()), shape.nIn(), shape.nHidden());
    }

    @Override
    public float[] wOutTorchLayout() {
        return Layouts.transpose(get(wOut, shape.nHidden() * shape.nOut()), shape.nHidden(), shape.nOut());
    }

    @Override
    public float[] gradW1TorchLayout() {
        return Layouts.transpose(get(gW1, shape.nIn() * shape.nHidden()), shape.nIn(), shape.nHidden());
    }

    @Override
    public float[] gradWOutTorchLayout() {
        return Layouts.transpose(get(gWOut, shape.nHidden() * shape.nOut()), shape.nHidden(), shape.nOut());
    }

    @Override
    public AdamState adamState() {
        int nIn = shape.nIn();
        int nH = shape.nHidden();
        int nOut = shape.nOut();
        return new AdamState(adam.step(), Layouts.transpose(get(m1, nIn * nH), nIn, nH),
                Layouts.transpose(get(v1, nIn * nH), nIn, nH), Layouts.transpose(get(mOut, nH * nOut), nH, nOut),
                Layouts.transpose(get(vOut, nH * nOut), nH, nOut));
    }

    @Override
    public void setAdamState(AdamState s) {
        s.check(shape);
        int nIn = shape.nIn();
        int nH = shape.nHidden();
        int nOut = shape.nOut();
        dev.upload(m1, Layouts.transpose(s.m1(), nH, nIn), nIn * nH);
        dev.upload(v1, Layouts.transpose(s.v1(), nH, nIn), nIn * nH);
        dev.upload(mOut, Layouts.transpose(s.mOut(), nOut, nH), nH * nOut);
        dev.upload(vOut, Layouts.transpose(s.vOut(), nOut, nH), nH * nOut);
        adam.restoreStep(s.step());
    }

    private float[] get(DeviceBuffer src, int n) {
        float[] a = new float[n];
        dev.download(src, a, n);
        return a;
    }

    /**
     * Poisson-encodes on the device. The images stay on the device while the caller passes the same
     * array (the contract's "same array, same data"); so does the epoch's order.
     */
    @Override
    public void encode(PoissonEncoder encoder, long seed, byte[] images, int[] order, int first, int B) {
        setBatch(B);
        int nIn = shape.nIn();
        if (images != imagesHost) {
            if (images.length % nIn != 0) {
                throw new IllegalArgumentException("images: " + images.length + " bytes is not a multiple of " + nIn);
            }
            this.images = replace(this.images, images.length);
            dev.upload(this.images, images, images.length);
            imagesHost = images;
            encodeLaunch = null;
        }
        if (order != orderHost) {
            if (order != null) {
                this.order = replace(this.order, 4L * order.length);
                dev.upload(this.order, order, order.length);
            }
            orderHost = order;
            encodeLaunch = null;
        }
        if (encoder != encoderHost) {
            dev.upload(prob, encoder.probabilities(), 256);
            encoderHost = encoder;
        }
        if (!seedSet || seed != seedOnDevice) {
            seedHost.clear();
            seedHost.putLong(0, seed);
            dev.upload(seeds, seedHost, 8);
            seedOnDevice = seed;
            seedSet = true;
        }
        if (encodeLaunch == null) {
            // The CPU's bitmask layout [T, B, inWords], all T steps from t0 = 0 in one launch.
            encodeLaunch = new Launch("poisson_encode_bits_kernel", prob, seeds, this.images,
                    order == null ? null : this.order, Launch.i64(0), argFirst, argB, Launch.i32(0), Launch.i32(shape.T()),
                    Launch.i32(nIn), inBits);
        }
        argFirst[0] = first;
        long work = (long) shape.T() * B * inWords;
        dev.launch(encodeLaunch.cover(Math.min(work, 1L << 20), BLOCK)); // grid-stride beyond 2^20 threads
        dev.mark(Phase.ENCODE);
    }

    /** Device memory for a host array of a new size; kept when the size is unchanged. */
    private DeviceBuffer replace(DeviceBuffer old, long bytes) {
        if (old != null && old.bytes() == bytes) {
            return old;
        }
        if (old != null) {
            free(old);
        }
        return dev.alloc(bytes);
    }

    private void free(DeviceBuffer b) {
        dev.free(b);
    }

    /** Dense 0/1 input spikes x [T, B, nIn], packed into the bitmasks on the host and uploaded. */
    @Override
    public void setInputSpikes(float[] x, int B) {
        setBatch(B);
        int nIn = shape.nIn();
        int R = shape.T() * B;
        long[] bits = new long[R * inWords];
        for (int r = 0; r < R; r++) {
            for (int i = 0; i < nIn; i++) {
                float v = x[r * nIn + i];
                if (v != 0f && v != 1f) {
                    throw new IllegalArgumentException("input spikes must be 0 or 1, got " + v);
                }
                if (v == 1f) {
                    bits[r * inWords + (i >>> 6)] |= 1L << (i & 63);
                }
            }
        }
        byte[] le = new byte[8 * bits.length];
        ByteBuffer.wrap(le).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().put(bits);
        dev.upload(inBits, le, le.length);
    }

    private void setBatch(int B) {
        if (B < 1 || B > shape.maxBatch()) {
            throw new IllegalArgumentException("batch " + B + " outside [1, " + shape.maxBatch() + "]");
        }
        batch = B;
        argB[0] = B;
        argM[0] = B * shape.nHidden();
        argBC[0] = B * shape.nOut();
        argN[0] = (long) shape.T() * B * shape.nHidden();
        int R = shape.T() * B;
        int nH = shape.nHidden();
        int nOut = shape.nOut();
        argR[0] = R;
        fc1.cover(Math.min((long) R * nH, 1L << 20), BLOCK); // grid-stride beyond 2^20 threads
        fcOut.rows(R, nOut, nH);
        gradWOut.rows(nH, nOut, R);
        gradSpike.rows(R, nH, nOut);
        neuronForward.cover(argM[0], BLOCK);
        neuronBackward.cover(argM[0], BLOCK);
        readoutForward.cover(argBC[0], BLOCK);
        readoutBackward.cover(argBC[0], BLOCK);
        stats.cover(Math.min(argN[0], 1L << 18), BLOCK);
        crossEntropy.cover(B, 128);
        correctCount.cover(B, 128);
    }

    @Override
    public void forward() {
        dev.launch(fc1);
        dev.mark(Phase.FC1);
        dev.launch(neuronForward);
        dev.mark(Phase.NEURON_FORWARD);
        dev.gemm(fcOut);
        dev.mark(Phase.FC_OUT);
        dev.launch(readoutForward);
        // The spike statistics (for the epoch's report) are counted with the readout.
        dev.zero(counts);
        dev.launch(stats);
        dev.mark(Phase.READOUT_LOSS);
        summaryFresh = false;
        correctFresh = false;
    }

    @Override
    public float backward(int[] labels) {
        uploadLabels(labels);
        dev.zero(counts.slice(16, 8));
        dev.launch(crossEntropy);
        dev.launch(correctCount);
        dev.launch(readoutBackward);
        dev.mark(Phase.READOUT_LOSS);
        dev.gemm(gradWOut);
        dev.gemm(gradSpike);
        dev.mark(Phase.WEIGHT_GRADS);
        dev.launch(neuronBackward);
        dev.mark(Phase.NEURON_BACKWARD);
        dev.launch(gradW1);
        dev.mark(Phase.WEIGHT_GRADS);
        // The per-sample losses come back here (a copy and a wait): counted with the loss.
        fetchSummary();
        dev.mark(Phase.READOUT_LOSS);
        correctFresh = true;
        // Summed in sample order in double, as Loss.crossEntropy.
        return (float) (lossSum / batch);
    }

    private void uploadLabels(int[] labels) {
        labelsHost.clear();
        for (int b = 0; b < batch; b++) {
            labelsHost.putInt(4 * b, labels[b]);
        }
        dev.upload(labelsDev, labelsHost, 4 * batch);
        System.arraycopy(labels, 0, summaryLabels, 0, batch);
    }

    /** The batch's one small copy back: per-sample losses and the three counts. */
    private void fetchSummary() {
        dev.download(summary, summaryHost, (int) summary.bytes());
        double s = 0;
        for (int b = 0; b < batch; b++) {
            s += summaryHost.getDouble(8 * b);
        }
        lossSum = s;
        summaryFresh = true;
    }

    private long count(int i) {
        if (!summaryFresh) {
            fetchSummary();
        }
        return summaryHost.getLong(8 * shape.maxBatch() + 8 * i);
    }

    @Override
    public void adamStep() {
        adam.nextStep();
        float[] c = adam.kernelConstants();
        for (int i = 0; i < c.length; i++) {
            adamArgs[i][0] = c[i];
        }
        dev.launch(adamW1);
        dev.launch(adamWOut);
        dev.mark(Phase.OPTIMIZER);
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public float[] logits() {
        return get(logits, batch * shape.nOut());
    }

    @Override
    public byte[] hiddenSpikes() {
        int n = shape.T() * batch * shape.nHidden();
        float[] s = get(spike_seq, n);
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) s[i];
        }
        return out;
    }

    @Override
    public float[] hiddenPotentials() {
        return get(h_seq, shape.T() * batch * shape.nHidden());
    }

    @Override
    public long hiddenSpikeCount() {
        return count(0);
    }

    @Override
    public long nonFiniteCount() {
        return count(1);
    }

    /** Reuses the count made in {@link #backward} for the same labels; otherwise counts on the device. */
    @Override
    public int correct(int[] labels) {
        boolean same = correctFresh && Arrays.equals(labels, 0, batch, summaryLabels, 0, batch);
        if (!same) {
            uploadLabels(labels);
            dev.zero(counts.slice(16, 8));
            dev.launch(correctCount);
            fetchSummary();
            correctFresh = true;
        }
        return (int) count(2);
    }

    @Override
    public String describe() {
        return dev.describe() + "; fc1: bitmask kernels";
    }

    @Override
    public void close() {
        dev.close();
    }
}
