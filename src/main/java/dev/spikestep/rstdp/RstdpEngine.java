package dev.spikestep.rstdp;

import dev.spikestep.SpikestepException;
import dev.spikestep.net.Backends;
import dev.spikestep.net.Parallel;
import dev.spikestep.neuron.LifSpec;

/**
 * The R-STDP network of SPEC section 6 as the runner and the tests see it, whatever computes it:
 * {@link RstdpNetwork} on the CPU, {@code cuda.RstdpKernelNetwork} as kernel launches on a device.
 * Both simulate a batch in time chunks from carried state, so {@code chunk} bounds memory and never
 * changes a result; both give the same counts and weights (the device kernels are the CPU
 * kernels' twins, summing in the same order).
 */
public interface RstdpEngine extends AutoCloseable {
    int T();

    /** Steps simulated at once (at most T). */
    int chunk();

    int hidden();

    int classes();

    /** Kaiming-uniform initialisation of both layers from the seeded WEIGHT_INIT stream. */
    void initWeights(long seed);

    /** Sets the weights from PyTorch's layout: wIn [nH, nIn], wOut [nOut, nH]. */
    void setWeightsTorchLayout(float[] wInTorch, float[] wOutTorch);

    /** fc_in weights in PyTorch's layout [nH, nIn]. */
    float[] wInTorchLayout();

    /** fc_out weights in PyTorch's layout [nOut, nH]. */
    float[] wOutTorchLayout();

    /**
     * Simulates one batch over all T steps. During training pass the labels and the epoch's teacher
     * current; for evaluation {@code labels = null} (no teacher).
     */
    void run(RstdpInput input, int B, int[] labels, float teach);

    /** The R-STDP update of W_out with the counts of the last {@link #run}: {@code W += lr*dW}, clamp. */
    void update(Reward reward, int[] labels, float lr, float clip);

    /** Batch size of the last run. */
    int batch();

    /** Hidden spike counts of the last batch, [B, nH] (at least B*nH elements; valid until the next run). */
    int[] hiddenCounts();

    /** Hidden spikes of the last batch, all samples and neurons (what the runner's statistics need). */
    long hiddenSpikeTotal();

    /** WTA output spike counts of the last batch, [B, nOut] (at least B*nOut elements; valid until the next run). */
    int[] outputCounts();

    /** For the start-up table: where it runs. */
    String describe();

    @Override
    void close();

    /**
     * The engine for a resolved backend ({@code cpu} or {@code cuda}; {@link RstdpConfig} resolves
     * {@code auto}). The CUDA classes are loaded reflectively, only for cuda, as {@link Backends} does
     * for {@code train}: the CPU path never touches JCuda, and cuda never falls back silently.
     */
    static RstdpEngine create(String backend, int nIn, int nHidden, int nOut, int T, int maxBatch, int chunk,
                              LifSpec neuron, int threads) {
        if (backend.equals(Backends.CPU)) {
            return new RstdpNetwork(nIn, nHidden, nOut, T, maxBatch, chunk, neuron, new Parallel(threads));
        }
        if (!backend.equals(Backends.CUDA)) {
            throw new SpikestepException("unknown --backend " + backend + ": use cpu, cuda or auto");
        }
        return (RstdpEngine) Backends.callCuda("dev.spikestep.cuda.CudaBackend", "createRstdp",
                new Class<?>[] {int.class, int.class, int.class, int.class, int.class, int.class, LifSpec.class},
                nIn, nHidden, nOut, T, maxBatch, chunk, neuron);
    }
}
