package dev.spikestep.train;

/**
 * What one epoch produced. Spike statistics are over every (sample, hidden neuron, step) site of the
 * test evaluation (SPEC section 7); {@code nonFinite} counts hidden states (potential before reset)
 * that were NaN or infinite there, {@code trainNonFinite} the same during training.
 */
public record EpochResult(int epoch, double loss, double trainAcc, double testAcc, double spikeRate,
                          double silentFrac, double activeFrac, long nonFinite, long trainNonFinite,
                          double seconds) {
}
