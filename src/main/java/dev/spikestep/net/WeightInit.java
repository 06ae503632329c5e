package dev.spikestep.net;

import dev.spikestep.rng.Streams;

/**
 * nn.Linear's default initialisation (= kaiming_uniform with a = sqrt(5)): uniform in
 * [-1/sqrt(fan_in), 1/sqrt(fan_in)], drawn from the seeded WEIGHT_INIT Philox stream. Element k of
 * layer l, in PyTorch's [out, in] order, is word k of counter (k / 4, l, 0, WEIGHT_INIT) under key
 * {@code seed}. Every network of every backend initialises through here, so they start identical.
 */
public final class WeightInit {
    private WeightInit() {
    }

    /** Layer {@code layer}'s weights in Spikestep's layout [fanIn, fanOut]. */
    public static float[] uniformLinear(long seed, int layer, int fanIn, int fanOut) {
        float[] u = Streams.uniforms(seed, layer, 0, Streams.WEIGHT_INIT, fanIn * fanOut);
        double bound = 1.0 / Math.sqrt(fanIn);
        float[] w = new float[fanIn * fanOut];
        for (int o = 0; o < fanOut; o++) {
            for (int i = 0; i < fanIn; i++) {
                w[i * fanOut + o] = (float) ((2.0 * u[o * fanIn + i] - 1.0) * bound);
            }
        }
        return w;
    }
}
