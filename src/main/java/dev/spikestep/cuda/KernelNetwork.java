package dev.spikestep.cuda;

import dev.spikestep.net.Adam;
import dev.spikestep.net.AdamState;
import dev.spikestep.net.Layouts;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Network;
import dev.spikestep.net.PhaseTimes.Phase;
import dev.spikestep.net.Readout;
import dev.spikestep.net.SpikeLinear;
import dev.spikestep.net.WeightInit;
import dev.spikestep.neuron.NeuronKernels;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.rng.PoissonEncoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The SPEC section 5 network as a sequence of kernel launches on a {@link Device} (a GPU through
 * {@link CudaDevice}, or the emulated driver in the tests), for R >= 1 runs of one shape trained
 * together: a single run is a pack of one ({@code --backend cuda}), a sweep's {@code --pack N} is a
 * pack of N ({@link LockstepPack}). Runs share the model (hence the neuron kernel), T, batch, hidden
 * size, readout and data; every kernel is launched once for all runs with {@code blockIdx.y} = run,
 * each run's data a block of an {@code [R, ...]} buffer (weights, gradients and Adam moments; input
 * bitmasks and the T*B rows of each layer, packed for the current batch size). Each run has its own
 * neuron parameter block (dt, integrator or charge form, reset...), encoder probability table (it
 * depends on dt), encoder seed, epoch order and labels, and Adam constants (its own learning rate).
 *
 * <p>Time-batched like CpuNetwork: encoder (input spikes as the CPU's 64-bit masks), fc1 over all
 * T*B rows (a bitmask kernel in the CPU's summation order), one neuron scan, fc_out, readout, then
 * the reverse. The dense fc_out products are one {@link Gemm} per run on that run's blocks (cuBLAS
 * SGEMM or the tiled kernel). Every kernel does per run exactly the single-run float operations, so
 * each run's results equal those of the same run alone bit for bit (PackedKernelNetworkTest). All
 * device memory is allocated once, for the largest batch; the per-batch results the host needs
 * (per-sample losses, spike, non-finite and correct counts) come back in one small copy. Weights
 * are kept [n_in, n_out] (row-major), as CpuNetwork keeps them.
 *
 * <p>As a {@link Network} (the methods without a run index) it is a single run and refuses a pack
 * of more; the per-run methods take the run.
 */
public final class KernelNetwork implements Network {
    private static final int BLOCK = 256;
    /** u64 counts per run after the losses: spikes, non-finite, correct, unused (loss.cu, stats.cu). */
    private static final int COUNTS = 4;

    private final Device dev;
    private final NetShape shape;
    private final int runs;
    private final Readout readout;
    private final Adam[] adams;
    private final NeuronSpec[] neurons;

    private final DeviceBuffer w1;     // [R, nIn, nH]
    private final DeviceBuffer wOut;   // [R, nH, nOut]
    private final DeviceBuffer gW1;
    private final DeviceBuffer gWOut;
    private final DeviceBuffer m1;
    private final DeviceBuffer v1;
    private final DeviceBuffer mOut;
    private final DeviceBuffer vOut;
    private final DeviceBuffer inBits;    // [R, T, B, inWords]
    private final DeviceBuffer cur;       // [R, T, B, nH]
    private final DeviceBuffer h_seq;
    private final DeviceBuffer spike_seq;
    private final DeviceBuffer w_seq;     // [R, T, B, nH] izh w after each step, only for SPEC 9's stage backward (else null)
    private final DeviceBuffer out_seq;   // [R, T, B, nOut]
    private final DeviceBuffer logits;    // [R, B, nOut]
    private final DeviceBuffer gLogits;
    private final DeviceBuffer gOut;
    private final DeviceBuffer gSpike;
    private final DeviceBuffer gCur;
    private final DeviceBuffer labelsDev; // [R, B] int
    private final BatchSummary summary;   // loss_b double [R, B] (room for [R, maxB]), then counts u64 [R, 4]
    private final DeviceBuffer counts;
    private final DeviceBuffer params;    // [R, NeuronParams.SIZE]
    private final DeviceBuffer adamConsts; // [R, 7]
    private final ByteBuffer labelsHost;

    private final int[] argB = new int[1];
    private final int[] argM = new int[1];
    private final int[] argBC = new int[1];
    private final long[] argN = new long[1];
    private final int[] argFirst = new int[1];
    private final int[] argR = new int[1];
    private final int inWords;

    private final Launch fc1;
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
    /** Per batch size: each run's three products [run][fcOut, gradWOut, gradSpike] on its blocks. */
    private final Map<Integer, Gemm[][]> gemms = new HashMap<>();
    private Gemm[][] gemm;

    private final EncoderInputs encoderInputs;
    private int batch;
    private final int[][] summaryLabels;
    private boolean correctFresh;

    /** A single run: a pack of one. */
    public KernelNetwork(Device dev, NetShape shape, NeuronSpec neuron, Readout readout, Adam adam) {
        this(dev, shape, new NeuronSpec[] {neuron}, readout, new Adam[] {adam});
    }

    /**
     * @param neurons one per run, all of one model (lif or izh)
     * @param adams one per run (its learning rate; its step counter advances with {@link #adamStep})
     */
    public KernelNetwork(Device dev, NetShape shape, NeuronSpec[] neurons, Readout readout, Adam[] adams) {
        if (neurons.length < 1 || adams.length != neurons.length) {
            throw new IllegalArgumentException("runs: " + neurons.length + " neuron specs, " + adams.length + " optimizers");
        }
        String kind = NeuronParams.kernelPrefix(neurons[0]);
        for (NeuronSpec n : neurons) {
            if (!NeuronParams.kernelPrefix(n).equals(kind)) {
                throw new IllegalArgumentException("packed runs share one neuron kernel: " + kind + " and "
                        + NeuronParams.kernelPrefix(n));
            }
        }
        this.dev = dev;
        this.shape = shape;
        this.runs = neurons.length;
        this.neurons = neurons.clone();
        this.readout = readout;
        this.adams = adams.clone();
        int R = runs;
        int nIn = shape.nIn();
        int nH = shape.nHidden();
        int nOut = shape.nOut();
        int maxB = shape.maxBatch();
        long rows = (long) shape.T() * maxB * R;
        w1 = dev.alloc(4L * R * nIn * nH);
        wOut = dev.alloc(4L * R * nH * nOut);
        gW1 = dev.alloc(w1.bytes());
        gWOut = dev.alloc(wOut.bytes());
        m1 = dev.alloc(w1.bytes());
        v1 = dev.alloc(w1.bytes());
        mOut = dev.alloc(wOut.bytes());
        vOut = dev.alloc(wOut.bytes());
        inWords = (nIn + 63) / 64;
        inBits = dev.alloc(8 * rows * inWords);
        cur = dev.alloc(4 * rows * nH);
        boolean stateful = java.util.Arrays.stream(neurons).anyMatch(NeuronKernels::needsState);
        h_seq = dev.alloc(cur.bytes());
        spike_seq = dev.alloc(cur.bytes());
        w_seq = stateful ? dev.alloc(cur.bytes()) : null;
        out_seq = dev.alloc(4 * rows * nOut);
        logits = dev.alloc(4L * R * maxB * nOut);
        gLogits = dev.alloc(logits.bytes());
        gOut = dev.alloc(out_seq.bytes());
        gSpike = dev.alloc(cur.bytes());
        gCur = dev.alloc(cur.bytes());
        labelsDev = dev.alloc(4L * R * maxB);
        summary = new BatchSummary(dev, 8L * R * (maxB + COUNTS));
        counts = summary.slice(8L * R * maxB, 8L * R * COUNTS);
        params = dev.alloc(4L * R * NeuronParams.SIZE);
        adamConsts = dev.alloc(4L * R * 7);
        labelsHost = dev.hostBuffer(4 * R * maxB);
        summaryLabels = new int[R][maxB];
        float[] p = new float[R * NeuronParams.SIZE];
        for (int r = 0; r < R; r++) {
            System.arraycopy(NeuronParams.of(neurons[r]), 0, p, r * NeuronParams.SIZE, NeuronParams.SIZE);
        }
        dev.upload(params, p, p.length);

        int[] T = Launch.i32(shape.T());
        // All T steps from t0 = 0 in one launch, in the CPU's bitmask layout [R, T, B, inWords].
        encoderInputs = new EncoderInputs(dev, R, nIn, argFirst, argB, Launch.i32(0), T, inBits);
        int[] W = Launch.i32(inWords);
        fc1 = new Launch("spike_linear_forward_bits_kernel", inBits, W, argR, w1, Launch.i32(nH), Launch.i32(nIn), cur);
        gradW1 = new Launch("spike_linear_weight_grad_bits_kernel", inBits, W, argR, gCur, Launch.i32(nH), Launch.i32(nIn), gW1)
                .grid(1, R).cover(Math.min((long) nIn * nH, 1L << 20), BLOCK);
        neuronForward = NeuronParams.forward(kind, params, cur, T, argM, h_seq, spike_seq, null, w_seq);
        // Izhikevich rk2, rk4, K > 1 (any run of a pack): the stage backward, which also gives the
        // notebook integrators' gradients with the same float operations
        neuronBackward = NeuronParams.backward(stateful, kind, params, gSpike, cur, h_seq, spike_seq, w_seq, T, argM, gCur);
        int[] ro = Launch.i32(readout.ordinal());
        readoutForward = new Launch("readout_forward_kernel", ro, out_seq, T, argBC, logits);
        readoutBackward = new Launch("readout_backward_kernel", ro, out_seq, T, argBC, gLogits, gOut);
        stats = new Launch("spike_stats_kernel", h_seq, spike_seq, argN, counts);
        int[] C = Launch.i32(nOut);
        crossEntropy = new Launch("cross_entropy_kernel", logits, labelsDev, argB, C, gLogits, summary.slice(0, 8L * R * maxB));
        correctCount = new Launch("correct_kernel", logits, labelsDev, argB, C, counts.slice(16, counts.bytes() - 16));
        long n1 = (long) nIn * nH;
        long n2 = (long) nH * nOut;
        adamW1 = new Launch("adam_runs_kernel", w1, gW1, m1, v1, Launch.i64(n1), adamConsts)
                .grid(1, R).cover(Math.min(n1, 1L << 20), BLOCK);
        adamWOut = new Launch("adam_runs_kernel", wOut, gWOut, mOut, vOut, Launch.i64(n2), adamConsts)
                .grid(1, R).cover(Math.min(n2, 1L << 20), BLOCK);
        for (Launch l : new Launch[] {fc1, neuronForward, neuronBackward, readoutForward, readoutBackward, stats,
                crossEntropy, correctCount}) {
            l.grid(1, R); // blockIdx.y = run; setBatch's cover() sets the x extent and keeps y
        }
    }

    @Override
    public NetShape shape() {
        return shape;
    }

    public int runs() {
        return runs;
    }

    public NeuronSpec neuron(int run) {
        return neurons[run];
    }

    public Readout readout() {
        return readout;
    }

    /** Run {@code run}'s initial weights: nn.Linear's default from the WEIGHT_INIT stream, as CpuNetwork; resets its moments. */
    public void initWeights(int run, long seed) {
        int nIn = shape.nIn();
        int nH = shape.nHidden();
        int nOut = shape.nOut();
        float[] a = WeightInit.uniformLinear(seed, 0, nIn, nH);
        float[] b = WeightInit.uniformLinear(seed, 1, nH, nOut);
        dev.upload(w1Of(run), a, a.length);
        dev.upload(wOutOf(run), b, b.length);
        for (DeviceBuffer z : new DeviceBuffer[] {m1, v1}) {
            dev.zero(z.slice(4L * run * nIn * nH, 4L * nIn * nH));
        }
        for (DeviceBuffer z : new DeviceBuffer[] {mOut, vOut}) {
            dev.zero(z.slice(4L * run * nH * nOut, 4L * nH * nOut));
        }
    }

    private DeviceBuffer w1Of(int run) {
        long n = 4L * shape.nIn() * shape.nHidden();
        return w1.slice(run * n, n);
    }

    private DeviceBuffer wOutOf(int run) {
        long n = 4L * shape.nHidden() * shape.nOut();
        return wOut.slice(run * n, n);
    }

    public void setWeightsTorchLayout(int run, float[] w1Torch, float[] wOutTorch) {
        float[] a = Layouts.transpose(w1Torch, shape.nHidden(), shape.nIn());
        float[] b = Layouts.transpose(wOutTorch, shape.nOut(), shape.nHidden());
        dev.upload(w1Of(run), a, a.length);
        dev.upload(wOutOf(run), b, b.length);
    }

    public float[] w1TorchLayout(int run) {
        return Layouts.transpose(get(w1Of(run), shape.nIn() * shape.nHidden()), shape.nIn(), shape.nHidden());
    }

    public float[] wOutTorchLayout(int run) {
        return Layouts.transpose(get(wOutOf(run), shape.nHidden() * shape.nOut()), shape.nHidden(), shape.nOut());
    }

    public float[] gradW1TorchLayout(int run) {
        long n = 4L * shape.nIn() * shape.nHidden();
        return Layouts.transpose(get(gW1.slice(run * n, n), shape.nIn() * shape.nHidden()), shape.nIn(), shape.nHidden());
    }

    public float[] gradWOutTorchLayout(int run) {
        long n = 4L * shape.nHidden() * shape.nOut();
        return Layouts.transpose(get(gWOut.slice(run * n, n), shape.nHidden() * shape.nOut()), shape.nHidden(), shape.nOut());
    }

    /** Run {@code run}'s Adam step and moments, in PyTorch's layout. */
    public AdamState adamState(int run) {
        int nIn = shape.nIn();
        int nH = shape.nHidden();
        int nOut = shape.nOut();
        long n1 = 4L * nIn * nH;
        long nO = 4L * nH * nOut;
        return new AdamState(adams[run].step(),
                Layouts.transpose(get(m1.slice(run * n1, n1), nIn * nH), nIn, nH),
                Layouts.transpose(get(v1.slice(run * n1, n1), nIn * nH), nIn, nH),
                Layouts.transpose(get(mOut.slice(run * nO, nO), nH * nOut), nH, nOut),
                Layouts.transpose(get(vOut.slice(run * nO, nO), nH * nOut), nH, nOut));
    }

    /** Restores run {@code run}'s Adam step and moments. */
    public void setAdamState(int run, AdamState s) {
        s.check(shape);
        int nIn = shape.nIn();
        int nH = shape.nHidden();
        int nOut = shape.nOut();
        long n1 = 4L * nIn * nH;
        long nO = 4L * nH * nOut;
        dev.upload(m1.slice(run * n1, n1), Layouts.transpose(s.m1(), nH, nIn), nIn * nH);
        dev.upload(v1.slice(run * n1, n1), Layouts.transpose(s.v1(), nH, nIn), nIn * nH);
        dev.upload(mOut.slice(run * nO, nO), Layouts.transpose(s.mOut(), nOut, nH), nH * nOut);
        dev.upload(vOut.slice(run * nO, nO), Layouts.transpose(s.vOut(), nOut, nH), nH * nOut);
        adams[run].restoreStep(s.step());
    }

    private float[] get(DeviceBuffer src, int n) {
        float[] a = new float[n];
        dev.download(src, a, n);
        return a;
    }

    /**
     * Poisson-encodes every run's batch in one launch: run r with {@code encoders[r]} (its dt's
     * table), {@code seeds[r]} and {@code orders[r]} (each of the dataset's length; null for all
     * means in dataset order). Images, orders and tables are uploaded only when the arrays change.
     */
    public void encode(PoissonEncoder[] encoders, long[] seeds, byte[] images, int[][] orders, int first, int B) {
        setBatch(B);
        Launch encode = encoderInputs.prepare(encoders, seeds, images, orders);
        argFirst[0] = first;
        long work = (long) shape.T() * B * inWords;
        dev.launch(encode.cover(Math.min(work, 1L << 20), BLOCK)); // grid-stride beyond 2^20 threads; keeps grid.y = runs
        dev.mark(Phase.ENCODE);
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
        int rowsPerRun = shape.T() * B;
        int nH = shape.nHidden();
        argR[0] = rowsPerRun;
        fc1.cover(Math.min((long) rowsPerRun * nH, 1L << 20), BLOCK);
        neuronForward.cover(argM[0], BLOCK);
        neuronBackward.cover(argM[0], BLOCK);
        readoutForward.cover(argBC[0], BLOCK);
        readoutBackward.cover(argBC[0], BLOCK);
        stats.cover(Math.min(argN[0], 1L << 18), BLOCK);
        crossEntropy.cover(B, 128);
        correctCount.cover(B, 128);
        gemm = gemms.computeIfAbsent(B, this::products);
    }

    /** Each run's fc_out products on its blocks of the batch-B layout (kept per batch size). */
    private Gemm[][] products(int B) {
        int nH = shape.nHidden();
        int nOut = shape.nOut();
        long rows = (long) shape.T() * B;
        Gemm[][] g = new Gemm[runs][];
        for (int r = 0; r < runs; r++) {
            DeviceBuffer s = spike_seq.slice(4 * r * rows * nH, 4 * rows * nH);
            DeviceBuffer gs = gSpike.slice(4 * r * rows * nH, 4 * rows * nH);
            DeviceBuffer o = out_seq.slice(4 * r * rows * nOut, 4 * rows * nOut);
            DeviceBuffer go = gOut.slice(4 * r * rows * nOut, 4 * rows * nOut);
            DeviceBuffer w = wOutOf(r);
            long nw = 4L * nH * nOut;
            DeviceBuffer gw = gWOut.slice(r * nw, nw);
            g[r] = new Gemm[] {
                new Gemm(false, false, s, nH, w, nOut, o, nOut).rows((int) rows, nOut, nH),
                new Gemm(true, false, s, nH, go, nOut, gw, nOut).rows(nH, nOut, (int) rows),
                new Gemm(false, true, go, nOut, w, nOut, gs, nH).rows((int) rows, nH, nOut)
            };
        }
        return g;
    }

    @Override
    public void forward() {
        dev.launch(fc1);
        dev.mark(Phase.FC1);
        dev.launch(neuronForward);
        dev.mark(Phase.NEURON_FORWARD);
        for (Gemm[] g : gemm) {
            dev.gemm(g[0]);
        }
        dev.mark(Phase.FC_OUT);
        dev.launch(readoutForward);
        // The spike statistics (for the epoch's report) are counted with the readout.
        dev.zero(counts);
        dev.launch(stats);
        dev.mark(Phase.READOUT_LOSS);
        summary.stale();
        correctFresh = false;
    }

    /** Backward for every run with its labels (labels[r][0, B)); returns each run's mean loss. */
    public float[] backward(int[][] labels) {
        uploadLabels(labels);
        zeroCorrect();
        dev.launch(crossEntropy);
        dev.launch(correctCount);
        dev.launch(readoutBackward);
        dev.mark(Phase.READOUT_LOSS);
        for (Gemm[] g : gemm) {
            dev.gemm(g[1]);
            dev.gemm(g[2]);
        }
        dev.mark(Phase.WEIGHT_GRADS);
        dev.launch(neuronBackward);
        dev.mark(Phase.NEURON_BACKWARD);
        dev.launch(gradW1);
        dev.mark(Phase.WEIGHT_GRADS);
        // The per-sample losses come back here (a copy and a wait): counted with the loss.
        summary.stale();
        ByteBuffer host = summary.host();
        dev.mark(Phase.READOUT_LOSS);
        correctFresh = true;
        float[] loss = new float[runs];
        for (int r = 0; r < runs; r++) {
            double s = 0;
            for (int b = 0; b < batch; b++) {
                s += host.getDouble(8 * (r * batch + b)); // sample order, as Loss.crossEntropy
            }
            loss[r] = (float) (s / batch);
        }
        return loss;
    }

    private void zeroCorrect() {
        for (int r = 0; r < runs; r++) {
            dev.zero(counts.slice(8L * (r * COUNTS + 2), 8));
        }
    }

    private void uploadLabels(int[][] labels) {
        labelsHost.clear();
        for (int r = 0; r < runs; r++) {
            for (int b = 0; b < batch; b++) {
                labelsHost.putInt(4 * (r * batch + b), labels[r][b]);
            }
            System.arraycopy(labels[r], 0, summaryLabels[r], 0, batch);
        }
        dev.upload(labelsDev, labelsHost, 4 * runs * batch);
    }

    private long count(int run, int i) {
        return summary.host().getLong(8 * runs * shape.maxBatch() + 8 * (run * COUNTS + i));
    }

    /** One Adam step of every run, each with its own optimizer's constants. */
    @Override
    public void adamStep() {
        float[] c = new float[7 * runs];
        for (int r = 0; r < runs; r++) {
            adams[r].nextStep();
            System.arraycopy(adams[r].kernelConstants(), 0, c, 7 * r, 7);
        }
        dev.upload(adamConsts, c, c.length);
        dev.launch(adamW1);
        dev.launch(adamWOut);
        dev.mark(Phase.OPTIMIZER);
    }

    @Override
    public int batch() {
        return batch;
    }

    public float[] logits(int run) {
        int n = batch * shape.nOut();
        return get(logits.slice(4L * run * n, 4L * n), n);
    }

    private int sites() {
        return shape.T() * batch * shape.nHidden();
    }

    public byte[] hiddenSpikes(int run) {
        int n = sites();
        float[] s = get(spike_seq.slice(4L * run * n, 4L * n), n);
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) s[i];
        }
        return out;
    }

    public float[] hiddenPotentials(int run) {
        int n = sites();
        return get(h_seq.slice(4L * run * n, 4L * n), n);
    }

    public long hiddenSpikeCount(int run) {
        return count(run, 0);
    }

    public long nonFiniteCount(int run) {
        return count(run, 1);
    }

    /** Each run's correct count for its labels; reuses {@link #backward}'s count for the same labels. */
    public int[] correct(int[][] labels) {
        boolean same = correctFresh;
        for (int r = 0; r < runs && same; r++) {
            same = Arrays.equals(labels[r], 0, batch, summaryLabels[r], 0, batch);
        }
        if (!same) {
            uploadLabels(labels);
            zeroCorrect();
            dev.launch(correctCount);
            summary.stale();
            correctFresh = true;
        }
        int[] c = new int[runs];
        for (int r = 0; r < runs; r++) {
            c[r] = (int) count(r, 2);
        }
        return c;
    }

    @Override
    public String describe() {
        return dev.describe() + (runs > 1 ? "; " + runs + " packed runs" : "") + "; fc1: bitmask kernels"
                + (runs > 1 ? "; fc_out: one product per run" : "");
    }

    // The Network interface: a single run, run 0 of a pack of one.

    private void solo() {
        if (runs != 1) {
            throw new IllegalStateException("a pack of " + runs + " runs is driven per run (LockstepPack), not as one Network");
        }
    }

    @Override
    public void initWeights(long seed) {
        solo();
        initWeights(0, seed);
    }

    @Override
    public void setWeightsTorchLayout(float[] w1Torch, float[] wOutTorch) {
        solo();
        setWeightsTorchLayout(0, w1Torch, wOutTorch);
    }

    @Override
    public float[] w1TorchLayout() {
        solo();
        return w1TorchLayout(0);
    }

    @Override
    public float[] wOutTorchLayout() {
        solo();
        return wOutTorchLayout(0);
    }

    @Override
    public AdamState adamState() {
        solo();
        return adamState(0);
    }

    @Override
    public void setAdamState(AdamState state) {
        solo();
        setAdamState(0, state);
    }

    @Override
    public float[] gradW1TorchLayout() {
        solo();
        return gradW1TorchLayout(0);
    }

    @Override
    public float[] gradWOutTorchLayout() {
        solo();
        return gradWOutTorchLayout(0);
    }

    /**
     * Poisson-encodes on the device. The images stay on the device while the caller passes the same
     * array (the contract's "same array, same data"); so does the epoch's order.
     */
    @Override
    public void encode(PoissonEncoder encoder, long seed, byte[] images, int[] order, int first, int B) {
        solo();
        encode(new PoissonEncoder[] {encoder}, new long[] {seed}, images, order == null ? null : new int[][] {order},
                first, B);
    }

    /** Dense 0/1 input spikes x [T, B, nIn], packed into the bitmasks on the host and uploaded. */
    @Override
    public void setInputSpikes(float[] x, int B) {
        solo();
        setBatch(B);
        int nIn = shape.nIn();
        int rowsT = shape.T() * B;
        long[] bits = new long[rowsT * inWords];
        SpikeLinear.packBits(x, rowsT, nIn, bits, inWords);
        byte[] le = new byte[8 * bits.length];
        ByteBuffer.wrap(le).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().put(bits);
        dev.upload(inBits, le, le.length);
    }

    @Override
    public float backward(int[] labels) {
        solo();
        return backward(new int[][] {labels})[0];
    }

    @Override
    public float[] logits() {
        solo();
        return logits(0);
    }

    @Override
    public byte[] hiddenSpikes() {
        solo();
        return hiddenSpikes(0);
    }

    @Override
    public float[] hiddenPotentials() {
        solo();
        return hiddenPotentials(0);
    }

    @Override
    public long hiddenSpikeCount() {
        solo();
        return hiddenSpikeCount(0);
    }

    @Override
    public long nonFiniteCount() {
        solo();
        return nonFiniteCount(0);
    }

    /** Reuses the count made in {@link #backward} for the same labels; otherwise counts on the device. */
    @Override
    public int correct(int[] labels) {
        solo();
        return correct(new int[][] {labels})[0];
    }

    @Override
    public void close() {
        dev.close();
    }
}
