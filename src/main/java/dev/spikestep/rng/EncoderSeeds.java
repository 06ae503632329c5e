package dev.spikestep.rng;

/**
 * The encoder seeds of the notebook's protocol, the one place train, rstdp, eval and sweeps take them
 * from: an eval reproduces a training run's test pass only while they agree.
 */
public final class EncoderSeeds {
    private EncoderSeeds() {
    }

    /** Encoder seed of an epoch's training pass: the notebook's {@code seed + epoch}. */
    public static long train(long seed, long epoch) {
        return seed + epoch;
    }

    /** Encoder seed of an epoch's test pass: the notebook's {@code seed + 10000 + epoch}. */
    public static long test(long seed, long epoch) {
        return seed + 10_000 + epoch;
    }
}
