package dev.spikestep.cuda;

import dev.spikestep.SpikestepException;
import dev.spikestep.net.Adam;
import dev.spikestep.net.AdamState;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Network;
import dev.spikestep.net.NetworkFactory;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.rng.PoissonEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * R runs, each driven by its own thread and its own unchanged training loop (a Trainer), on one
 * {@link KernelNetwork} of R runs: run r gets a {@link Network} view from {@code factories().get(r)}.
 * The views meet at every step that launches work (encode, forward, backward, adamStep, correct):
 * each run leaves its arguments, and the last to arrive launches the step for all runs; reads of a
 * run's results come from its blocks. The runs must make the same sequence of calls with the same
 * batch positions (same shape, epochs, dataset and evaluation limits), which a sweep's packing key
 * ensures; a run that fails or stops early fails the others instead of leaving them waiting.
 */
public final class LockstepPack {
    private final int runs;
    private final Supplier<Device> device;
    private final NeuronSpec[] neurons;
    private final Adam[] adams;
    private NetShape shape;
    private Readout readout;
    private int joined;
    private KernelNetwork net;
    private RuntimeException failed;
    private final boolean[] closed;
    private int open;

    // The step being gathered: what each run asked for, and its arguments.
    private final String[] ops;
    private int arrived;
    private long generation;
    private final PoissonEncoder[] encoders;
    private final long[] seeds;
    private final byte[][] images;
    private final int[][] orders;
    private final int[] firsts;
    private final int[] batches;
    private final int[][] labels;
    private float[] losses;
    private int[] correct;
    private final Map<byte[], Boolean> sameImages = new IdentityHashMap<>();

    public LockstepPack(int runs, Supplier<Device> device) {
        if (runs < 1) {
            throw new IllegalArgumentException("runs " + runs);
        }
        this.runs = runs;
        this.device = device;
        neurons = new NeuronSpec[runs];
        adams = new Adam[runs];
        closed = new boolean[runs];
        ops = new String[runs];
        encoders = new PoissonEncoder[runs];
        seeds = new long[runs];
        images = new byte[runs][];
        orders = new int[runs][];
        firsts = new int[runs];
        batches = new int[runs];
        labels = new int[runs][];
    }

    /**
     * One factory per run; each is called once, from that run's thread. Each is also
     * {@link AutoCloseable}: its run's thread closes it when the run has ended, however it ended,
     * so that a run that failed before it asked for its network fails the others instead of
     * leaving them waiting for it.
     */
    public List<NetworkFactory> factories() {
        List<NetworkFactory> f = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            f.add(new RunFactory(r));
        }
        return f;
    }

    private final class RunFactory implements NetworkFactory, AutoCloseable {
        private final int run;

        RunFactory(int run) {
            this.run = run;
        }

        @Override
        public Network create(NetShape s, NeuronSpec neuron, Readout ro, Adam adam, int threads) {
            return join(run, s, neuron, ro, adam);
        }

        @Override
        public void close() {
            LockstepPack.this.close(run);
        }
    }

    private synchronized Network join(int run, NetShape s, NeuronSpec neuron, Readout ro, Adam adam) {
        if (neurons[run] != null) {
            throw new IllegalStateException("run " + run + " joined twice");
        }
        neurons[run] = neuron;
        adams[run] = adam;
        if (shape == null) {
            shape = s;
            readout = ro;
        }
        // (Different neuron models are refused by KernelNetwork: one neuron kernel per pack.)
        String mismatch = !shape.equals(s) ? "shape " + s + " vs " + shape
                : ro != readout ? "readout " + ro + " vs " + readout : null;
        if (mismatch != null) {
            fail(new IllegalStateException("packed runs differ: " + mismatch));
        }
        joined++;
        open++;
        await(run, "join", () -> {
            Device d = device.get();
            net = CudaBackend.orClose(d, () -> new KernelNetwork(d, shape, neurons, readout, adams));
        });
        return new View(run);
    }

    private void fail(RuntimeException e) {
        if (failed == null) {
            failed = e;
        }
        notifyAll();
        throw e;
    }

    /**
     * Run {@code run}'s part of a step: the last run to arrive performs {@code step} for all, the
     * others wait for it. Called with the monitor held.
     */
    private void await(int run, String op, Runnable step) {
        if (failed != null) {
            throw new SpikestepException("packed run " + run + " stopped: a step of its pack failed: "
                    + dev.spikestep.net.Backends.describeFailure(failed), failed); // the cause, for the sweep's report
        }
        for (int r = 0; r < runs; r++) {
            if (closed[r]) {
                fail(new IllegalStateException("packed run " + r + " ended while run " + run + " asked for " + op));
            }
        }
        ops[run] = op;
        arrived++;
        long gen = generation;
        if (arrived == runs) {
            arrived = 0;
            for (String o : ops) {
                if (!o.equals(op)) {
                    fail(new IllegalStateException("packed runs out of step: " + Arrays.toString(ops)));
                }
            }
            try {
                step.run();
            } catch (RuntimeException e) {
                fail(e);
            }
            generation++;
            notifyAll();
            return;
        }
        while (gen == generation && failed == null) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(new SpikestepException("packed run " + run + " interrupted"));
            }
        }
        if (gen == generation) {
            throw new SpikestepException("packed run " + run + " stopped: a step of its pack failed: "
                    + dev.spikestep.net.Backends.describeFailure(failed), failed); // the cause, for the sweep's report
        }
    }

    private void encodeAll() {
        byte[] img = images[0];
        boolean ordered = orders[0] != null;
        for (int r = 0; r < runs; r++) {
            if (firsts[r] != firsts[0] || batches[r] != batches[0] || (orders[r] != null) != ordered) {
                throw new IllegalStateException("packed runs encode different batches");
            }
            if (images[r] != img && !sameImages.computeIfAbsent(images[r], a -> Arrays.equals(a, img))) {
                throw new IllegalStateException("packed runs encode different images");
            }
        }
        net.encode(encoders, seeds, img, ordered ? orders : null, firsts[0], batches[0]);
    }

    private synchronized void close(int run) {
        if (closed[run]) {
            return;
        }
        closed[run] = true;
        if (neurons[run] != null) {
            open--; // it had joined
        }
        if (arrived > 0 && failed == null) {
            failed = new IllegalStateException("packed run " + run + " ended while others waited");
            notifyAll();
        }
        if (open == 0 && net != null) {
            net.close();
            net = null;
        }
    }

    /** Run {@code run}'s side of the packed network. */
    private final class View implements Network {
        private final int run;

        View(int run) {
            this.run = run;
        }

        @Override
        public NetShape shape() {
            return shape;
        }

        @Override
        public void initWeights(long seed) {
            synchronized (LockstepPack.this) {
                net.initWeights(run, seed);
            }
        }

        @Override
        public void setWeightsTorchLayout(float[] w1, float[] wOut) {
            synchronized (LockstepPack.this) {
                net.setWeightsTorchLayout(run, w1, wOut);
            }
        }

        @Override
        public float[] w1TorchLayout() {
            synchronized (LockstepPack.this) {
                return net.w1TorchLayout(run);
            }
        }

        @Override
        public float[] wOutTorchLayout() {
            synchronized (LockstepPack.this) {
                return net.wOutTorchLayout(run);
            }
        }

        @Override
        public float[] gradW1TorchLayout() {
            synchronized (LockstepPack.this) {
                return net.gradW1TorchLayout(run);
            }
        }

        @Override
        public float[] gradWOutTorchLayout() {
            synchronized (LockstepPack.this) {
                return net.gradWOutTorchLayout(run);
            }
        }

        @Override
        public AdamState adamState() {
            synchronized (LockstepPack.this) {
                return net.adamState(run);
            }
        }

        @Override
        public void setAdamState(AdamState state) {
            synchronized (LockstepPack.this) {
                net.setAdamState(run, state);
            }
        }

        @Override
        public void encode(PoissonEncoder encoder, long seed, byte[] img, int[] order, int first, int B) {
            synchronized (LockstepPack.this) {
                encoders[run] = encoder;
                seeds[run] = seed;
                images[run] = img;
                orders[run] = order;
                firsts[run] = first;
                batches[run] = B;
                await(run, "encode", LockstepPack.this::encodeAll);
            }
        }

        @Override
        public void setInputSpikes(float[] x, int B) {
            throw new UnsupportedOperationException("packed runs are encoded on the device");
        }

        @Override
        public void forward() {
            synchronized (LockstepPack.this) {
                await(run, "forward", net::forward);
            }
        }

        @Override
        public float backward(int[] lab) {
            synchronized (LockstepPack.this) {
                labels[run] = lab;
                await(run, "backward", () -> losses = net.backward(labels));
                return losses[run];
            }
        }

        @Override
        public void adamStep() {
            synchronized (LockstepPack.this) {
                await(run, "adamStep", net::adamStep);
            }
        }

        @Override
        public int batch() {
            synchronized (LockstepPack.this) {
                return net.batch();
            }
        }

        @Override
        public float[] logits() {
            synchronized (LockstepPack.this) {
                return net.logits(run);
            }
        }

        @Override
        public byte[] hiddenSpikes() {
            synchronized (LockstepPack.this) {
                return net.hiddenSpikes(run);
            }
        }

        @Override
        public float[] hiddenPotentials() {
            synchronized (LockstepPack.this) {
                return net.hiddenPotentials(run);
            }
        }

        @Override
        public long hiddenSpikeCount() {
            synchronized (LockstepPack.this) {
                return net.hiddenSpikeCount(run);
            }
        }

        @Override
        public long nonFiniteCount() {
            synchronized (LockstepPack.this) {
                return net.nonFiniteCount(run);
            }
        }

        @Override
        public int correct(int[] lab) {
            synchronized (LockstepPack.this) {
                labels[run] = lab;
                await(run, "correct", () -> correct = net.correct(labels));
                return correct[run];
            }
        }

        @Override
        public String describe() {
            synchronized (LockstepPack.this) {
                return net.describe() + " (run " + run + " of the pack)";
            }
        }

        @Override
        public void close() {
            LockstepPack.this.close(run);
        }
    }
}
