package dev.spikestep.net;

import dev.spikestep.rng.PoissonEncoder;

/**
 * The backend contract: the SPEC section 5 network, time-batched, on some device. One
 * implementation per backend ({@link CpuNetwork}; the CUDA one launches the kernels of
 * {@code kernels/}); the contract tests run the same assertions on each. Sequence buffers are
 * {@code [T, B, N]} with rows {@code r = t * B + b}; weights are exchanged in PyTorch's layout.
 */
public interface Network extends AutoCloseable {
    NetShape shape();

    /** nn.Linear's default initialisation from the seeded WEIGHT_INIT Philox stream; resets Adam. */
    void initWeights(long seed);

    /** Sets the weights from PyTorch's layout: w1 [nH, nIn], wOut [nOut, nH]. */
    void setWeightsTorchLayout(float[] w1, float[] wOut);

    float[] w1TorchLayout();

    float[] wOutTorchLayout();

    float[] gradW1TorchLayout();

    float[] gradWOutTorchLayout();

    /** Adam's step and moments, in PyTorch's layout: what a checkpoint saves for resuming. */
    AdamState adamState();

    /** Restores Adam's step and moments saved by {@link #adamState} (after {@link #setWeightsTorchLayout}). */
    void setAdamState(AdamState state);

    /**
     * Poisson-encodes a batch: sample b is image {@code order[first + b]} (or {@code first + b} when
     * {@code order} is null) of {@code images} [n, nIn] uint8, at position {@code first + b} of the
     * epoch. Backends may keep {@code images} on the device between calls (same array, same data).
     */
    void encode(PoissonEncoder encoder, long seed, byte[] images, int[] order, int first, int B);

    /** Sets the input spikes directly from a dense 0/1 array x_seq [T, B, nIn]. */
    void setInputSpikes(float[] x_seq, int B);

    /** fc1, neuron scan, fc_out, readout of the current batch. */
    void forward();

    /** Cross-entropy of the current logits and BPTT into the weight gradients; returns the mean loss. */
    float backward(int[] labels);

    /** One Adam step with the gradients of the last {@link #backward}. */
    void adamStep();

    int batch();

    /** Logits [B, nOut] of the current batch. */
    float[] logits();

    /** Hidden spikes [T, B, nH] of the current batch, 0/1. */
    byte[] hiddenSpikes();

    /** Hidden potentials before reset [T, B, nH] of the current batch. */
    float[] hiddenPotentials();

    long hiddenSpikeCount();

    /** Hidden states (potential before reset) that are NaN or infinite in the current batch. */
    long nonFiniteCount();

    /** Samples of the current batch whose argmax logit (first on ties) equals the label. */
    int correct(int[] labels);

    /** Short description for start-up tables, e.g. "cpu (2 threads)". */
    String describe();

    @Override
    void close();
}
